"""The config test matrix (config/test/*.yaml): every config dry-runs and runs end to end to the
outputs it changes, which are checked against a hand-written answer or an independent path (the
CLI, a plain reference); library defaults agree with the schema's."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from genovocab import defaults
from genovocab.evaluation.holdout import held_out_samples, training_chromosomes
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
    proc = run_snakemake(
        matrix_copy, "-n", "--configfile", "config/config.yaml", f"config/test/{config.name}"
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "total" in proc.stdout  # a DAG with jobs was built


def _run(tmp_path: Path, config: str, target: str) -> Path:
    workdir = copy_workflow(tmp_path)
    proc = run_snakemake(
        workdir,
        target,
        "--cores",
        "2",
        "--configfile",
        "config/config.yaml",
        f"config/test/{config}",
    )  # --configfile takes several values: last
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
    downloaded = sorted(
        p.name
        for p in (work / "resources/demo-genome/corpora/two_samples/samples").iterdir()
        if not p.name.endswith(".source.json")
    )  # the download records
    assert downloaded == ["sample01", "sample02"]


def _demo_test_split() -> list[str]:
    """The demo's held-out chromosomes: the motif corpus's test split."""
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    return list(demo["motifs"]["corpus"]["splits"]["test"])


def _cli(work: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "genovocab", *args],
        cwd=work,
        text=True,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.workflow
def test_tracks_end_to_end(tmp_path):
    """Sites from hand-written JASPAR tracks: per strand, the rows at or above the 800 cut on the
    genome's chromosomes (a contig the genome lacks is skipped)."""
    work = _run(tmp_path, "tracks.yaml", f"{OUT}/motifs/sites_per_feature.tsv")
    chroms = {
        line.split("\t")[0]
        for line in (work / "resources/demo-genome/genome/chrom.sizes").read_text().splitlines()
    }
    expected = {}
    for matrix in ("MA0002.2", "MA0024.3"):
        text = gzip.decompress((REPO / f"config/test/data/tracks/{matrix}.tsv.gz").read_bytes())
        for row in text.decode().splitlines()[1:]:
            chrom, _s, _e, _n, score, _p, strand = row.split("\t")
            key = (matrix, strand)
            expected[key] = expected.get(key, 0) + (chrom in chroms and int(score) >= 800)
    table = pd.read_csv(work / OUT / "motifs" / "sites_per_feature.tsv", sep="\t")
    motif_rows = table[table["matrix_id"] != "CpG"]
    got = {(m, s): int(n) for m, s, n in motif_rows[["matrix_id", "strand", "sites"]].values}
    assert got == expected


@pytest.mark.workflow
def test_ids_sample_end_to_end(tmp_path):
    """Sample mode's scattered IDS (per chromosome, summed) equals one CLI run over the same
    bins with the same sample, and is not the exact IDS."""
    work = _run(tmp_path, "ids_sample.yaml", f"{OUT}/motifs/ids.npy")
    chroms = [
        line.split("\t")[0]
        for line in (work / "resources/demo-genome/genome/chrom.sizes").read_text().splitlines()
    ]
    # IDS is trained without the evaluation's held-out chromosome (the demo's test split)
    trained = training_chromosomes(_demo_test_split(), chroms)
    features = [
        f"{OUT}/motifs/bins/{c}.features.npz"
        for c in trained
        if (work / OUT / "motifs" / "bins" / f"{c}.features.npz").exists()
    ]
    _cli(
        work,
        "ids",
        "--features",
        *features,
        "--sample",
        "5000",
        "--seed",
        "7",
        "--out",
        "sampled.npy",
    )
    _cli(work, "ids", "--features", *features, "--out", "exact.npy")
    workflow_ids = np.load(work / OUT / "motifs" / "ids.npy")
    np.testing.assert_allclose(workflow_ids, np.load(work / "sampled.npy"), atol=1e-6)
    assert np.abs(workflow_ids - np.load(work / "exact.npy")).max() > 1e-4


def _windows_reference(
    fasta_gz: Path, chroms: list[str], window: int, min_length: int
) -> list[tuple[str, int, int]]:
    """Windows tiling every ACGT run of at least ``min_length`` bp, pieces of >= min_length."""
    seqs, name = {}, None
    for line in gzip.decompress(fasta_gz.read_bytes()).decode().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            seqs[name] = []
        else:
            seqs[name].append(line)
    out = []
    for chrom in chroms:
        for run in re.finditer(r"[ACGTacgt]+", "".join(seqs[chrom])):
            if run.end() - run.start() < min_length:
                continue
            for s in range(run.start(), run.end(), window):
                e = min(s + window, run.end())
                if e - s >= min_length:
                    out.append((chrom, s, e))
    return out


@pytest.mark.workflow
def test_windows_corpus_end_to_end(tmp_path):
    """A corpus of genome windows of 2 kbp: one document per window of a plain tiling."""
    work = _run(tmp_path, "windows_corpus.yaml", f"{OUT}/corpora/genome_windows/stats.json")
    chroms = [
        line.split("\t")[0]
        for line in (work / "resources/demo-genome/genome/chrom.sizes").read_text().splitlines()
    ]
    expected = _windows_reference(REPO / "resources/demo/genome.fa.gz", chroms, 2000, 100)
    stats = json.loads((work / OUT / "corpora" / "genome_windows" / "stats.json").read_text())
    assert stats["documents"] == len(expected)
    frames = [
        pd.read_parquet(p)
        for p in sorted((work / OUT / "corpora" / "genome_windows" / "data").glob("*.parquet"))
    ]
    table = pd.concat(frames)
    got = sorted(zip(table["chrom"], table["start"].astype(int), table["end"].astype(int)))
    assert got == sorted(expected)


@pytest.mark.workflow
def test_flexible_universe_end_to_end(tmp_path):
    """The ccf release universe (BED9 and its BED3 outer edges) equals the CLI's on the same
    peak files."""
    work = _run(tmp_path, "flexible_universe.yaml", f"{OUT}/universe/universe.bed.gz")
    # the universe is built without the evaluation's held-out samples (its default choice)
    sheet = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")
    held = set(held_out_samples(list(sheet["name"])))
    assert held and len(held) < len(sheet)
    peaks = [
        str(Path(url[len("file://") :]))
        for name, url in zip(sheet["name"], sheet["url"])
        if name not in held
    ]
    _cli(
        work,
        "universe",
        *peaks,
        "--method",
        "ccf",
        "--chrom-sizes",
        "resources/demo-genome/genome/chrom.sizes",
        "--out",
        "ccf9.bed.gz",
        "--bed3-out",
        "ccf3.bed.gz",
    )
    universe = work / OUT / "universe"
    assert gzip.decompress((universe / "universe_flexible.bed.gz").read_bytes()) == gzip.decompress(
        (work / "ccf9.bed.gz").read_bytes()
    )
    assert gzip.decompress((universe / "universe.bed.gz").read_bytes()) == gzip.decompress(
        (work / "ccf3.bed.gz").read_bytes()
    )


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
