"""Every code block of README.md and docs/user-guide.md runs as written on the demo outputs.

The blocks run in the order they appear, from a copy of the workflow where the demo has run
(`demo_run`), with `.venv` pointing at the environment running the tests, as a user who ran
`bash scripts/demo.sh` would. `python` blocks run each in a fresh namespace (a block copied on
its own must work); `bash` blocks run with `bash -euo pipefail`. The two setup commands
(`scripts/demo.sh`, `scripts/test.sh`) are what `.ci/run` itself runs on a fresh clone, so they
are the one exception here. Blocks of other languages (`text`: layouts) are not code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.workflow
SETUP = ("bash scripts/demo.sh", "bash scripts/test.sh")
DOCS = ("README.md", "docs/user-guide.md")


def code_blocks(path: Path) -> list[tuple[str, str, int]]:
    """(language, code, 1-based line) of every fenced block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M):
        blocks.append((m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1))
    return blocks


def runnable(doc: str) -> list[tuple[str, str, int]]:
    return [
        (lang, code, line)
        for lang, code, line in code_blocks(REPO / doc)
        if lang in ("python", "bash") and code.strip() not in SETUP
    ]


def test_readme_is_a_front_page():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    blocks = code_blocks(REPO / "README.md")
    assert [b[1].strip() for b in blocks[:2]] == list(SETUP)  # the two commands come first
    assert all(lang in ("python", "bash") for lang, _, _ in blocks)
    for page in re.findall(r"\]\(((?:docs|config)/[^)#]+)", "\n".join(lines)):
        assert (REPO / page).is_file(), page


def test_every_other_block_is_checked():
    """The guide's blocks are python, bash (both run below) or text (layouts)."""
    for lang, _, line in code_blocks(REPO / "docs" / "user-guide.md"):
        assert lang in ("python", "bash", "text"), f"docs/user-guide.md line {line}: {lang!r}"


@pytest.fixture(scope="module")
def user_folder(demo_run, tmp_path_factory):
    """A copy of the demo run's folder (the examples add a release of their own, which the
    other demo tests must not see) with `.venv` = this environment, as after
    `scripts/demo.sh`."""
    folder = tmp_path_factory.mktemp("docs") / "genovocab"
    shutil.copytree(demo_run, folder, symlinks=True)  # copy2: mtimes kept, nothing to redo
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return folder


@pytest.mark.parametrize("doc", DOCS)
def test_blocks_run_as_written(user_folder, doc, monkeypatch, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("datasets")
    blocks = runnable(doc)
    assert blocks
    monkeypatch.chdir(user_folder)
    env = dict(os.environ, PYTHONPATH=str(user_folder / "src"))
    for lang, code, line in blocks:
        where = f"{doc} line {line}"
        if lang == "python":
            exec(compile(code, where, "exec"), {"__name__": "__docs__"})  # noqa: S102
            assert re.search(r"\w", capsys.readouterr().out) or "print" not in code, where
        else:
            proc = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code],
                cwd=user_folder,
                env=env,
                text=True,
                capture_output=True,
                timeout=900,
            )
            assert proc.returncode == 0, f"{where}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
