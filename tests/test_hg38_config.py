"""``config/hg38.yaml``: an offline dry-run that is quick and small, and a DAG whose every rule
has a log, a benchmark, threads and requests that grow with the attempt."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import copy_workflow, run_snakemake

pytestmark = pytest.mark.workflow

INSPECT = r"""
import json, sys
from pathlib import Path
from types import SimpleNamespace
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, ResourceSettings
with SnakemakeApi() as api:
    wf = api.workflow(resource_settings=ResourceSettings(), snakefile=Path("Snakefile"),
                      config_settings=ConfigSettings(configfiles=[Path("config/hg38.yaml")]),
                      workdir=Path("."))
    w = wf._workflow
    out = {}
    for rule in w.rules:
        if rule.name == "all":
            continue
        req = {}
        for name in ("mem_mb", "runtime"):
            res = rule.resources.get(name)
            fn = getattr(res, "_evaluator", None) if res is not None else None
            fake = SimpleNamespace(size_mb=0.0)
            req[name] = [fn(None, fake, a) for a in (1, 2)] if callable(fn) else None
        out[rule.name] = {"log": bool(rule.log), "benchmark": bool(rule.benchmark),
                          "threads": rule.resources["_cores"].value, **req,
                          "local": rule.name in w._localrules}
    json.dump(out, sys.stdout)
"""


@pytest.fixture(scope="module")
def hg38_workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("hg38"))


def test_hg38_dry_run_is_offline_and_small(hg38_workdir):
    """The hg38 DAG builds offline (no download is attempted by a dry run); the timeout guards
    against a hang, timings are the benchmarks' business."""
    proc = run_snakemake(
        hg38_workdir, "-n", "--configfile", "config/hg38.yaml", "--quiet", "rules", timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    total = [line.split()[-1] for line in proc.stdout.splitlines() if line.startswith("total")]
    assert total, proc.stdout[-2000:]
    jobs = int(total[-1])
    # the jobs known before genome preparation: 200 track batches, 24 chromosomes x stages
    assert 300 < jobs < 3000, jobs
    assert "motifs_tracks_batch" in proc.stdout and "universe_chrom" in proc.stdout


def test_every_hg38_rule_has_log_benchmark_threads_and_attempt_scaled_requests(hg38_workdir):
    proc = subprocess.run(
        [sys.executable, "-c", INSPECT],
        cwd=hg38_workdir,
        text=True,
        capture_output=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(hg38_workdir / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    rules = json.loads(proc.stdout)
    assert {"ids_partial", "motifs_bin", "universe_chrom", "sequence_train_bpe"} <= set(rules)
    for name, r in rules.items():
        assert r["log"] and r["benchmark"], name
        assert r["threads"] >= 1, name
        for key in ("mem_mb", "runtime"):
            assert r[key] is not None, (name, key)
            first, second = r[key]
            assert first >= (200 if key == "mem_mb" else 5), (name, key, first)
            assert second == 2 * first, (name, key, r[key])  # attempt 2 asks for twice
    # downloads and reports stay off the cluster
    assert rules["download_sample"]["local"] and rules["universe_report"]["local"]
    assert not rules["ids_partial"]["local"]
    assert rules["sequence_train_bpe"]["threads"] == 4


CONFIG = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, ResourceSettings
with SnakemakeApi() as api:
    wf = api.workflow(resource_settings=ResourceSettings(), snakefile=Path("Snakefile"),
                      config_settings=ConfigSettings(configfiles=[Path("config/hg38.yaml")]),
                      workdir=Path("."))
    json.dump(wf._workflow.config, sys.stdout, default=str)
"""


def test_hg38_nothing_of_the_demo_leaks_in(hg38_workdir):
    """A --configfile is the whole run: none of the demo's sha256s, bigWig target or corpora is
    merged under config/hg38.yaml (a first hg38 download would fail on the demo digest)."""
    proc = subprocess.run(
        [sys.executable, "-c", CONFIG],
        cwd=hg38_workdir,
        text=True,
        capture_output=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(hg38_workdir / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    config = json.loads(proc.stdout)
    assert set(config["sources"]) == {
        "genome",
        "jaspar_pfms",
        "jaspar_bigbed",
        "ccres",
        "ccres_v3",
        "cpg_islands",
    }
    assert not any(s.get("sha256") for s in config["sources"].values())
    assert config["motifs"]["corpus"]["targets"] == {}
    assert set(config["corpora"]) == {"peaks"} and config["samples"] == "config/hg38_samples.tsv"
    assert all(url.startswith("https://") for url in (s["url"] for s in config["sources"].values()))
