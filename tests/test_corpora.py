"""Interval corpora: tokenized documents as Parquet shards with a dataset card."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from genovocab.corpora.interval import (
    corpus_table,
    resolve_corpus_config,
    write_interval_corpus,
)
from genovocab.tokenizers import IntervalTokenizer

UNIVERSE = "chr1\t100\t200\nchr1\t150\t400\nchr1\t160\t170\nchr2\t0\t50\n"


def write(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode()) if path.name.endswith(".gz") else text.encode())
    return path


@pytest.fixture
def docs(tmp_path):
    a = write(tmp_path / "a.bed", "chr1\t199\t200\tp\nchr3\t0\t10\tq\nchr1\t165\t166\tr\n")
    b = write(tmp_path / "b.bed.gz", "chr2\t1\t2\nchr1\t0\t100\n")
    c = write(tmp_path / "c.bed", "chr1\t390\t391\n")
    return [("A", a), ("B", b), ("C", c)]


def test_corpus_table_columns_and_stats(tmp_path, docs):
    tok = IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE))
    meta = pd.DataFrame({"cell": ["K562", "HepG2", "GM12878"], "rep": [1, 2, 1]})
    table, stats, _ = corpus_table(tok, docs, meta)
    assert table.column_names == [
        "id",
        "input_ids",
        "n_regions",
        "n_tokens",
        "n_unknown",
        "cell",
        "rep",
    ]
    assert str(table.schema.field("input_ids").type) == "list<item: int32>"
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["A", "B", "C"]
    assert [r["input_ids"] for r in rows] == [[0, 1, 0, 1, 2], [3], [1]]
    assert [r["n_regions"] for r in rows] == [3, 2, 1]
    assert [r["n_tokens"] for r in rows] == [5, 1, 1]
    assert [r["n_unknown"] for r in rows] == [1, 1, 0]
    assert [r["rep"] for r in rows] == [1, 2, 1]  # typed (inferred int)
    assert str(table.schema.field("rep").type) == "int64"
    assert stats["documents"] == 3 and stats["regions"] == 6 and stats["tokens"] == 7
    assert stats["unknown_regions"] == 2 and stats["unknown_rate"] == round(2 / 6, 6)
    assert stats["vocabulary_used"] == 4 and stats["vocabulary_coverage"] == 1.0
    # with unknown="unk" each region without a hit adds one <unk> (id 4)
    unk = IntervalTokenizer.from_bed(tmp_path / "u.bed", unknown="unk")
    table, stats, _ = corpus_table(unk, docs)
    assert table.column("input_ids").to_pylist() == [[0, 1, 4, 0, 1, 2], [3, 4], [1]]
    assert stats["tokens"] == 9 and stats["vocabulary_used"] == 4


def test_write_corpus_shards_card_and_rebuild(tmp_path, docs):
    tok = IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE))
    out = tmp_path / "corpus"
    paths, stats = write_interval_corpus(tok, docs, out, n_shards=2, title="Demo corpus")
    assert [p.relative_to(out).as_posix() for p in paths] == [
        "data/train-00000-of-00002.parquet",
        "data/train-00001-of-00002.parquet",
    ]
    tables = [pq.read_table(p) for p in paths]
    assert [t.num_rows for t in tables] == [2, 1]  # contiguous, nearly equal parts
    assert sum(t.num_rows for t in tables) == stats["documents"] == 3
    assert pq.ParquetFile(paths[0]).metadata.row_group(0).column(0).compression == "ZSTD"
    card = (out / "README.md").read_text()
    assert card.startswith("---\npretty_name: Demo corpus\n")
    assert "path: data/train-*.parquet" in card and "# Demo corpus" in card
    assert "| documents | 3 |" in card and "| tokens | 7 |" in card
    assert "| `input_ids` | `list<item: int32>` |" in card
    assert "splits:\n  - name: train\n    num_bytes:" in card
    assert json.loads((out / "stats.json").read_text())["tokens"] == 7
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_interval_corpus(tok, docs, out, n_shards=2, title="Demo corpus")
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first


def test_resolve_corpus_config_defaults():
    got = resolve_corpus_config(
        "peaks", {"n_shards": 3, "tokenizer": {"unknown": "unk"}}, "config/samples.tsv", "demo"
    )
    assert got == {
        "samples": "config/samples.tsv",
        "n_shards": 3,
        "title": "demo interval corpus 'peaks'",
        "tokenizer": {
            "unknown": "unk",
            "order": "query",
            "dedupe": False,
            "min_overlap": 1,
            "min_query_fraction": 0.0,
            "min_region_fraction": 0.0,
        },
        "splits": None,
        "dtypes": {},
        "label": None,
        "text_columns": [],
        "license": "other",
        "fragments": None,
        "fragment_options": {
            "dedupe": False,
            "unknown": "drop",
            "min_fragments": 1,
            "whitelist": None,
            "h5ad": False,
        },
    }
    assert resolve_corpus_config("x", None, "s.tsv", "r")["n_shards"] == 1


def test_metadata_must_match_documents(tmp_path, docs):
    tok = IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE))
    with pytest.raises(ValueError, match="metadata has 1 rows for 3 documents"):
        corpus_table(tok, docs, pd.DataFrame({"cell": ["x"]}))
    with pytest.raises(ValueError, match="clashes"):
        corpus_table(tok, docs, pd.DataFrame({"id": ["x", "y", "z"]}))


def test_splits_by_column_labels_and_text(tmp_path, docs):
    tok = IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE))
    meta = pd.DataFrame(
        {
            "cell": ["K562", "HepG2", "K562"],
            "fold": ["train", "test", ""],
            "assay": ["ATAC", "ChIP", "ATAC"],
        }
    )
    out = tmp_path / "corpus"
    paths, stats = write_interval_corpus(
        tok,
        docs,
        out,
        n_shards=1,
        metadata=meta,
        splits={"column": "fold"},
        label="cell",
        text_columns=["cell", "assay"],
    )
    assert [p.name for p in paths] == [
        "train-00000-of-00001.parquet",
        "test-00000-of-00001.parquet",
    ]
    train, test = (pq.read_table(p).to_pylist() for p in paths)
    assert [r["id"] for r in train] == ["A", "C"] and [r["id"] for r in test] == ["B"]
    assert [r["label"] for r in train] == [1, 1] and test[0]["label"] == 0  # HepG2 < K562
    assert test[0]["text"] == "cell: HepG2; assay: ChIP"
    assert "fold" not in train[0]
    assert stats["documents_train"] == 2 and stats["documents_test"] == 1
    hub = pytest.importorskip("huggingface_hub")
    data = hub.DatasetCard.load(out / "README.md").data.to_dict()
    feats = {f["name"]: f for f in data["dataset_info"]["features"]}
    assert feats["label"]["dtype"]["class_label"]["names"] == {"0": "HepG2", "1": "K562"}
    assert feats["text"]["dtype"] == "string"


def test_splits_by_seeded_fraction(tmp_path, docs):
    tok = IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE))
    cfg = {"fraction": {"validation": 0.34}, "seed": 3}
    paths, _ = write_interval_corpus(tok, docs, tmp_path / "c", n_shards=1, splits=cfg)
    rows = {p.name.split("-")[0]: pq.read_table(p)["id"].to_pylist() for p in paths}
    import numpy as np

    order = np.random.default_rng(3).permutation(3)
    assert rows["validation"] == [["A", "B", "C"][order[0]]]
    assert len(rows["train"]) == 2


def test_split_shards_stream_tables_across_shards(tmp_path):
    """Tables streamed in pieces land in the shards the row cuts give (7 rows in 3 shards:
    cuts 0, 2, 5, 7 of ``linspace(0, 7, 4).round()``), one row group per piece of a table in
    a shard; a shard without rows is the schema alone (no row group unless asked)."""
    import pyarrow as pa

    from genovocab.corpora.shards import SplitShards

    rows = pa.table({"id": [f"d{i}" for i in range(7)], "n": list(range(7))})
    (tmp_path / "data").mkdir()
    shards = SplitShards(tmp_path, "train", 3, 7, row_group_size=2)
    for lo, hi in ((0, 3), (3, 4), (4, 7)):
        shards.write(rows.slice(lo, hi - lo))
    paths = shards.close()
    assert [p.name for p in paths] == [f"train-0000{i}-of-00003.parquet" for i in range(3)]
    assert [pq.read_table(p).column("n").to_pylist() for p in paths] == [[0, 1], [2, 3, 4], [5, 6]]
    # shard 1: rows 2 (of the first table), 3 (the second), 4 (the third)
    assert [pq.ParquetFile(p).num_row_groups for p in paths] == [1, 3, 1]
    assert shards.nbytes == rows.nbytes and shards.rows == 7
    for flag, groups in ((False, 0), (True, 1)):
        empty = SplitShards(tmp_path / str(flag), "test", 2, 0, empty_row_group=flag)
        (tmp_path / str(flag) / "data").mkdir(parents=True)
        for p in empty.close(rows.schema):
            assert pq.read_table(p).schema == rows.schema and pq.read_table(p).num_rows == 0
            assert pq.ParquetFile(p).num_row_groups == groups
