"""The demo release's evaluation/: tables, plot, card section, report page."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.workflow

FILES = ("sequence.tsv", "integrity_clusters.tsv", "ggrams.tsv", "intervals.tsv",
         "rank_frequency.png", "summary.md", "evaluation.json")


def _release(demo_run):
    return next(p for p in (demo_run / "results").glob("genovocab-demo-*")
                if p.is_dir() and not p.name.endswith(".work"))


def test_release_holds_the_evaluation(demo_run):
    ev = _release(demo_run) / "evaluation"
    for name in FILES:
        assert (ev / name).is_file() and (ev / name).stat().st_size > 0, name
    meta = json.loads((ev / "evaluation.json").read_text())
    assert meta["held_out"] == ["chr3"]            # the demo's test split
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
        1000 * six["tokens"] / six["bp"], rel=1e-5)
    assert held["motif_integrity"].notna().sum() >= 3
    clusters = pd.read_csv(ev / "integrity_clusters.tsv", sep="\t")
    assert (clusters["whole"] + clusters["cut"] == clusters["sites"]).all()


def test_card_and_report_show_the_evaluation(demo_run):
    card = (_release(demo_run) / "README.md").read_text()
    assert "## Evaluation" in card and "motif integrity" in card
    assert "evaluation/rank_frequency.png" in card
    pages = next((demo_run / "results").glob("genovocab-demo-*.work")) / "report"
    assert (pages / "evaluation_sequence.html").is_file()
