"""The config test matrix (config/test/*.yaml): every config dry-runs, the quick ones run end
to end with their outputs checked; library/CLI defaults agree with the schema's."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from genovocab import defaults
from tests.conftest import REPO, copy_workflow, run_snakemake

# scale.yaml goes on top of config/hg38.yaml with generated inputs (tests/test_bench_scale.py)
TEST_CONFIGS = sorted(p for p in (REPO / "config" / "test").glob("*.yaml") if p.stem != "scale")
OUT = "results/genovocab-demo-0.1.0.work"  # stage outputs; the release is built last


def test_every_option_has_a_config():
    names = {p.stem for p in TEST_CONFIGS}
    assert {"tracks", "cpg_islands", "ids_sample", "corpus_sheet", "windows_corpus"} <= names


@pytest.fixture(scope="module")
def matrix_copy(tmp_path_factory) -> Path:
    """One copy of the workflow for the dry-runs (they write nothing but .snakemake)."""
    return copy_workflow(tmp_path_factory.mktemp("matrix"))


@pytest.mark.workflow
@pytest.mark.parametrize("config", TEST_CONFIGS, ids=lambda p: p.stem)
def test_dry_run(matrix_copy, config):
    proc = run_snakemake(matrix_copy, "-n", "--configfile", "config/config.yaml",
                         f"config/test/{config.name}")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "total" in proc.stdout  # a DAG with jobs was built


def _run(tmp_path: Path, config: str, target: str) -> Path:
    workdir = copy_workflow(tmp_path)
    proc = run_snakemake(workdir, target, "--cores", "2", "--configfile", "config/config.yaml",
                         f"config/test/{config}")  # --configfile takes several values: last
    assert proc.returncode == 0, proc.stderr[-6000:]
    return workdir


@pytest.mark.workflow
def test_cpg_islands_end_to_end(tmp_path):
    """The islands feature counts one site per island: the test BED holds 4 islands."""
    work = _run(tmp_path, "cpg_islands.yaml", f"{OUT}/motifs/sites_per_feature.tsv")
    table = pd.read_csv(work / OUT / "motifs" / "sites_per_feature.tsv", sep="\t")
    cpg = table[table["matrix_id"] == "CpG"]
    assert len(cpg) == 1 and int(cpg["sites"].iloc[0]) == 4
    assert cpg["index"].iloc[0] == len(table) - 1  # the CpG feature is the last one


@pytest.mark.workflow
def test_corpus_with_its_own_sheet_end_to_end(tmp_path):
    """A corpus of the two samples of its own sheet: two documents, downloads of its own."""
    work = _run(tmp_path, "corpus_sheet.yaml", f"{OUT}/corpora/two_samples/stats.json")
    stats = json.loads((work / OUT / "corpora" / "two_samples" / "stats.json").read_text())
    assert stats["documents"] == 2
    downloaded = sorted(p.name for p in
                        (work / "resources/demo-genome/corpora/two_samples/samples").iterdir()
                        if not p.name.endswith(".source.json"))  # the download records
    assert downloaded == ["sample01", "sample02"]


def _schema_defaults() -> dict:
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    return schema["properties"]


def test_library_defaults_match_the_schema():
    props = _schema_defaults()
    assert props["universe"]["properties"]["method"]["enum"] == list(defaults.UNIVERSE_METHODS)
    assert props["motifs"]["properties"]["cpg"]["enum"] == list(defaults.CPG_MODES)
    sites = props["motifs"]["properties"]["sites"]["properties"]
    assert sites["source"]["enum"] == list(defaults.MOTIF_SOURCES)
    binning = props["motifs"]["properties"]["binning"]["properties"]
    for key, value in defaults.MOTIF_BINNING.items():
        assert binning[key]["default"] == value, key
    ids = props["ids"]["properties"]
    assert ids["backend"]["enum"] == list(defaults.IDS_BACKENDS)
    assert ids["linkage"]["enum"] == list(defaults.LINKAGE_METHODS)
    assert [str(v) for v in ids["norm"]["enum"][:3]] == list(defaults.IDS_NORMS)
    windows = props["sequence"]["properties"]["windows"]["properties"]
    assert windows["seed"]["default"] == defaults.WINDOWS_SEED


def test_library_signatures_use_the_defaults():
    import inspect

    from genovocab.motifs.steps import BinParams
    from genovocab.sequence.windows import iter_genome_windows

    assert inspect.signature(iter_genome_windows).parameters["seed"].default == 13
    assert BinParams().sigma == defaults.MOTIF_BINNING["sigma"]
