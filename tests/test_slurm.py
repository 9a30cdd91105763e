"""The demo through a real single-node SLURM (``../shared/slurm/``) with ``profiles/slurm``.

Checks, against the shared local demo run: every result file is byte-identical; and a job whose
first attempt is SIGKILLed (as an out-of-memory kill would) is resubmitted with attempt 2, i.e.
with twice the memory, and the run completes. The kit's node has 2 CPUs and 20 GB, so the run
caps threads (``--max-threads 2``) and memory (``resources.max_mem_mb``), as README "Cluster use"
tells users of small nodes to do. Skips unless the kit exists and the user is root.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow, run_snakemake

# where the kit is: next to the repository, or GENOVOCAB_SLURM_KIT (a checkout elsewhere)
KIT = Path(os.environ.get("GENOVOCAB_SLURM_KIT") or REPO.parent / "shared" / "slurm")
KILLED_RULE = "universe_peaks"

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]


def _kit_or_skip() -> Path:
    if not (KIT / "start-slurm.sh").exists():
        pytest.skip(f"SLURM kit {KIT}/start-slurm.sh is absent")
    if os.geteuid() != 0:
        pytest.skip("the SLURM kit needs root")
    return KIT


@pytest.fixture(scope="module")
def slurm() -> Path:
    """A running single-node SLURM (started here when it is not up; left as it was found)."""
    kit = _kit_or_skip()
    was_up = (
        subprocess.run(["sinfo", "-h"], capture_output=True).returncode == 0
        if shutil.which("sinfo")
        else False
    )
    proc = subprocess.run(
        ["bash", str(kit / "start-slurm.sh")], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        pytest.fail(f"start-slurm.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    yield kit
    if not was_up:
        subprocess.run(["bash", str(kit / "stop-slurm.sh")], capture_output=True, timeout=300)


def _digests(root: Path) -> dict[str, str]:
    """sha256 of every result file; a SIGKILLed attempt's hidden ``.<name>.*.tmp`` (its atomic
    write never finished, and a killed process cannot clean up) is not a result."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".tmp"))
    }


def slurm_args(*extra: str) -> list[str]:
    """How README runs the demo on a small SLURM node."""
    return [
        "--workflow-profile",
        "profiles/slurm",
        "--default-resources",
        "slurm_account=genovocab",
        "slurm_partition=main",
        "--max-threads",
        "2",
        "--config",
        "resources={max_mem_mb: 16000}",
        "--slurm-init-seconds-before-status-checks",
        "2",
        *extra,
    ]


@pytest.fixture(scope="module")
def slurm_run(slurm, tmp_path_factory):
    """The demo through SLURM, the first attempt of ``KILLED_RULE`` killed; (folder, log)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm"))
    killer = subprocess.Popen(
        ["bash", str(slurm / "kill-first.sh"), f"rule_{KILLED_RULE}", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    proc = run_snakemake(workdir, *slurm_args(), timeout=1500)
    try:
        killed = killer.communicate(timeout=5)[0]
    except subprocess.TimeoutExpired:
        killer.kill()
        killed = killer.communicate()[0]
    log = proc.stdout + proc.stderr
    (workdir / "slurm_run.log").write_text(log)
    if proc.returncode != 0:
        pytest.fail(f"SLURM demo run failed:\n{log[-6000:]}")
    return workdir, log, killed


def test_slurm_demo_equals_local_run(slurm_run, demo_run):
    workdir, _, _ = slurm_run
    ours = _digests(workdir / "results")
    local = _digests(demo_run / "results")
    assert ours.keys() == local.keys()
    differing = [k for k in ours if ours[k] != local[k]]
    assert differing == []


def test_killed_job_is_retried_with_more_memory(slurm_run):
    workdir, log, killed = slurm_run
    assert "SIGKILL" in killed, f"kill-first.sh killed nothing: {killed!r}"
    job_ids = re.findall(rf"rule_{KILLED_RULE}/(?:[^/]*/)?(\d+)\.log", log)
    assert len(set(job_ids)) >= 2, "the killed job was not resubmitted"
    sacct = subprocess.run(
        [
            "sacct",
            "-P",
            "-n",
            "-X",
            "-j",
            ",".join(sorted(set(job_ids))),
            "--format=JobID,State,ReqMem",
        ],
        capture_output=True,
        text=True,
    )
    rows = [line.split("|") for line in sacct.stdout.splitlines() if line.strip()]
    states = {r[0]: r[1] for r in rows}
    req = {r[0]: int(re.match(r"(\d+)", r[2]).group(1)) for r in rows}
    first, last = sorted(states, key=int)[0], sorted(states, key=int)[-1]
    assert states[first] == "FAILED" and states[last] == "COMPLETED", states
    # attempt 2 asks for twice the memory of attempt 1 (each rounded up to a whole MB)
    assert abs(req[last] - 2 * req[first]) <= 1, req
