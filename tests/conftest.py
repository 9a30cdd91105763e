"""Shared fixtures: repository paths, the real-data folder, one demo workflow run per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# GENOVOCAB_REAL_DATA points elsewhere (e.g. from a git worktree)
REAL = Path(os.environ.get("GENOVOCAB_REAL_DATA", REPO.parent / "shared" / "data" / "real"))
COPIED = ("Snakefile", "workflow", "config", "resources/demo", "src", "profiles")


def snakemake_cmd() -> list[str]:
    """The snakemake executable of the running interpreter's environment."""
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/data/real``; tests that use it skip cleanly when it is absent."""
    if not REAL.is_dir():
        pytest.skip(f"real data folder {REAL} is absent")
    return REAL


def copy_workflow(dest: Path) -> Path:
    """Copy what a demo run needs (no results, no downloads) into ``dest``."""
    for name in COPIED:
        src = REPO / name
        target = dest / name
        if src.is_dir():
            shutil.copytree(
                src,
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".snakemake"),
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def run_snakemake(workdir: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run snakemake in ``workdir``; output captured as text."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(workdir / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        snakemake_cmd() + list(args),
        cwd=workdir,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The demo workflow run once (``snakemake --cores 2``) in a temporary copy; its folder."""
    workdir = copy_workflow(tmp_path_factory.mktemp("demo"))
    proc = run_snakemake(workdir, "--cores", "2")
    if proc.returncode != 0:
        pytest.fail(f"demo run failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    return workdir


SLOW_MARKERS = ("workflow", "slurm")


def pytest_collection_modifyitems(config, items):
    """Mark every test that runs neither Snakemake nor SLURM ``fast``: ``pytest -m fast`` is
    the developer loop (CONTRIBUTING.md)."""
    for item in items:
        if not any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.fast)
