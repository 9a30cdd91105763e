"""The demo release's evaluation/: tables, plot, card section, report page."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.workflow

FILES = (
    "sequence.tsv",
    "integrity_clusters.tsv",
    "ggrams.tsv",
    "intervals.tsv",
    "rank_frequency.png",
    "summary.md",
    "evaluation.json",
)


def _release(demo_run):
    return next(
        p
        for p in (demo_run / "results").glob("genovocab-demo-*")
        if p.is_dir() and not p.name.endswith(".work")
    )


def test_release_holds_the_evaluation(demo_run):
    ev = _release(demo_run) / "evaluation"
    for name in FILES:
        assert (ev / name).is_file() and (ev / name).stat().st_size > 0, name
    meta = json.loads((ev / "evaluation.json").read_text())
    assert meta["held_out"] == ["chr3"]  # the demo's test split
    assert meta["train"] == ["chr1", "chr2"]
    m = pd.read_csv(ev / "sequence.tsv", sep="\t")
    held = m[(m["split"] == "held_out") & (m["dna"] == "real")]
    kinds = set(held["kind"])
    assert {"motif", "bpe", "bpe+ggram", "k-mer"} <= kinds
    assert set(m["dna"]) == {"real", "shuffled"} and set(m["split"]) == {"held_out", "train"}
    # every tokenization saw the same held-out bases (gaps handled alike)
    seq_rows = held[held["kind"] != "motif"]
    assert seq_rows["bp"].nunique() == 1
    six = held[held["tokenization"] == "6-mers (non-overlapping)"].iloc[0]
    assert six["tokens"] <= six["bp"] / 6 and six["tokens_per_kbp"] == pytest.approx(
        1000 * six["tokens"] / six["bp"], rel=1e-5
    )
    assert held["motif_integrity"].notna().sum() >= 3
    clusters = pd.read_csv(ev / "integrity_clusters.tsv", sep="\t")
    assert (clusters["whole"] + clusters["cut"] == clusters["sites"]).all()


def test_card_and_report_show_the_evaluation(demo_run):
    card = (_release(demo_run) / "README.md").read_text()
    assert "## Evaluation" in card and "motif integrity" in card
    assert "evaluation/rank_frequency.png" in card
    pages = next((demo_run / "results").glob("genovocab-demo-*.work")) / "report"
    assert (pages / "evaluation_sequence.html").is_file()


# ---------------------------------------------------------------------------- held out = unseen


def _work(demo_run):
    return next((demo_run / "results").glob("genovocab-demo-*.work"))


def _genome(demo_run) -> dict[str, str]:
    """The demo genome's chromosomes, upper case (a plain FASTA reader)."""
    fasta = next((demo_run / "resources").glob("*/genome/genome.fa"))
    seqs, name = {}, None
    for line in fasta.read_text().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            seqs[name] = []
        elif name:
            seqs[name].append(line.strip().upper())
    return {k: "".join(v) for k, v in seqs.items()}


def _revcomp(s: str) -> str:
    return s[::-1].translate(str.maketrans("ACGT", "TGCA"))


def test_training_text_holds_no_window_of_a_held_out_chromosome(demo_run):
    genome = _genome(demo_run)
    assert set(genome) == {"chr1", "chr2", "chr3"}
    lines = (_work(demo_run) / "sequence" / "windows_training.txt").read_text().split()
    assert len(lines) > 100
    trained = genome["chr1"] + "|" + genome["chr2"]
    for line in lines:
        # every line is a window of chr1 or chr2 (or its reverse complement), none of chr3
        assert line in trained or _revcomp(line) in trained
        assert line not in genome["chr3"] and _revcomp(line) not in genome["chr3"]
    meta = json.loads((_release(demo_run) / "evaluation" / "evaluation.json").read_text())
    assert meta["trained_on"] == ["chr1", "chr2"]


def test_motif_vocabulary_counts_exclude_held_out_bins(demo_run):
    import numpy as np

    work = _work(demo_run)
    # bins.npy holds the bin edges: n + 1 for n bins
    bins = {
        c: len(np.load(work / "motifs" / "bins" / f"{c}.bins.npy")) - 1
        for c in ("chr1", "chr2", "chr3")
    }
    assert bins["chr3"] > 0  # chr3 is binned and tokenized (the corpora)
    assert (work / "motifs" / "tokens" / "chr3.tokens.npy").is_file()
    zipf = json.loads((work / "motifs" / "zipf.json").read_text())
    assert zipf["n_bins"] == bins["chr1"] + bins["chr2"]
    # no IDS partial sums of chr3: the clusters are trained without it
    partial_logs = [p.name for p in demo_run.glob("logs/*/ids/partial/*.log")]
    assert any(n.startswith("chr1.") for n in partial_logs)
    assert not any(n.startswith("chr3.") for n in partial_logs)


def test_held_out_samples_are_absent_from_the_universe_inputs(demo_run):
    from genovocab.universe.inputs import PeakSet

    sheet = pd.read_csv(demo_run / "config" / "samples.tsv", sep="\t")["name"].tolist()
    held = sheet[4::5]  # the default: every 5th sample
    assert held == ["sample05", "sample10"]
    work = _work(demo_run)
    assert PeakSet.load(work / "universe" / "peaks.npz").names == [
        s for s in sheet if s not in held
    ]
    assert PeakSet.load(work / "universe" / "peaks_held_out.npz").names == held
    ev = _release(demo_run) / "evaluation"
    iv = pd.read_csv(ev / "intervals.tsv", sep="\t", keep_default_na=False)
    h = iv[iv["split"] == "held_out"]
    assert len(h) == iv["method"].nunique() and (h["samples"] == "sample05,sample10").all()
    assert (h["seen_in_training"] == "no").all()
    assert (iv[iv["split"] == "train"]["seen_in_training"] == "yes").all()
    m = pd.read_csv(ev / "sequence.tsv", sep="\t")
    assert (m[m["split"] == "held_out"]["seen_in_training"] == "no").all()
    assert (m[m["split"] == "train"]["seen_in_training"] == "yes").all()
    assert "trained without it" in (ev / "summary.md").read_text()
