"""The demo run writes the peak corpus: shards, card and statistics that agree."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.workflow


def test_demo_peak_corpus(demo_run):
    import pyarrow.parquet as pq

    from genovocab.tokenizers import IntervalTokenizer

    release = next((demo_run / "results").glob("*.work"))
    corpus = release / "corpora" / "peaks"
    shards = sorted((corpus / "data").glob("train-*.parquet"))
    assert [s.name for s in shards] == [
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ]
    tables = [pq.read_table(s) for s in shards]
    rows = [r for t in tables for r in t.to_pylist()]
    stats = json.loads((corpus / "stats.json").read_text())
    card = (corpus / "README.md").read_text()
    assert len(rows) == stats["documents"] == 10
    assert f"| documents | {stats['documents']} |" in card
    assert tables[0].schema.names[:5] == ["id", "input_ids", "n_regions", "n_tokens", "n_unknown"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)  # sample sheet order
    assert sum(r["n_tokens"] for r in rows) == stats["tokens"]
    # every document equals a fresh tokenization of its downloaded file
    tok = IntervalTokenizer.from_bed(release / "universe" / "universe.bed.gz")
    assert tok.vocab_size == stats["vocab_size"]
    genome = next(p for p in (demo_run / "resources").iterdir() if p.name != "demo")
    for row in rows:
        assert row["input_ids"] == tok.encode(genome / "samples" / row["id"])
