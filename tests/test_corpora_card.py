"""The one shard writer and card writer: split files, typed features, Hub metadata."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from genovocab.corpora import card as card_mod
from genovocab.corpora import metadata, splits
from genovocab.corpora.shards import corpus_files, split_tables, write_corpus
from genovocab.errors import InputError


def _table():
    return pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "input_ids": pa.array([[1, 2], [3], [], [4, 5, 6]], pa.list_(pa.int32())),
            "label": pa.array([0, 1, 1, 0], pa.int64()),
            "score": pa.array([0.5, 1.0, None, 2.0], pa.float64()),
        }
    )


def test_write_corpus_splits_and_card(tmp_path):
    table = _table()
    tables = split_tables(table, ["train", "validation", "train", "test"])
    assert {k: v["id"].to_pylist() for k, v in tables.items()} == {
        "train": ["a", "c"],
        "validation": ["b"],
        "test": ["d"],
    }
    info = card_mod.CardInfo(
        title="Demo",
        description="demo rows",
        license="cc-by-4.0",
        class_names={"label": ["dELS", "pELS"]},
    )
    text = card_mod.dataset_card(tables, info, {"documents": 4}, n_shards=2)
    out = tmp_path / "c"
    paths = write_corpus(
        tables,
        out,
        n_shards=2,
        card=text,
        stats={"documents": 4},
        splits=["train", "validation", "test"],
    )
    assert [str(p.relative_to(out)) for p in paths] + ["README.md", "stats.json"] == corpus_files(
        2, ["train", "validation", "test"]
    )
    assert sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and p.name != ".genovocab-output"
    ) == sorted(corpus_files(2, ["train", "validation", "test"]))
    assert pq.read_table(paths[0])["id"].to_pylist() == ["a"]
    assert pq.read_table(out / "data/test-00000-of-00002.parquet").num_rows == 0
    hub = pytest.importorskip("huggingface_hub")
    card = hub.DatasetCard.load(out / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "cc-by-4.0" and data["pretty_name"] == "Demo"
    assert data["size_categories"] == ["n<1K"] and "genomics" in data["tags"]
    assert data["task_categories"] == ["fill-mask"]
    feats = {f["name"]: f for f in data["dataset_info"]["features"]}
    assert feats["input_ids"] == {"name": "input_ids", "sequence": "int32"}
    assert feats["score"]["dtype"] == "float64"
    assert feats["label"]["dtype"]["class_label"]["names"] == {"0": "dELS", "1": "pELS"}
    assert [(s["name"], s["num_examples"]) for s in data["dataset_info"]["splits"]] == [
        ("train", 2),
        ("validation", 1),
        ("test", 1),
    ]
    assert [f["split"] for f in data["configs"][0]["data_files"]] == ["train", "validation", "test"]


def test_datasets_loads_the_splits(tmp_path):
    datasets = pytest.importorskip("datasets")
    tables = split_tables(_table(), ["train", "train", "test", "test"])
    info = card_mod.CardInfo(title="Demo")
    write_corpus(
        tables,
        tmp_path / "c",
        n_shards=1,
        card=card_mod.dataset_card(tables, info),
        splits=["train", "test"],
    )
    ds = datasets.load_dataset(str(tmp_path / "c"))
    assert ds["train"]["id"] == ["a", "b"] and ds["test"]["id"] == ["c", "d"]


def test_split_assignment():
    assert splits.by_column(["train", "", "test", "validation"]).tolist() == [
        "train",
        "train",
        "test",
        "validation",
    ]
    with pytest.raises(InputError, match="line 3.*'dev'"):
        splits.by_column(["train", "dev"], "sheet.tsv")
    got = splits.by_fraction(10, {"validation": 0.2, "test": 0.1}, seed=1)
    assert sorted(got.tolist()).count("validation") == 2 and got.tolist().count("test") == 1
    assert got.tolist() == splits.by_fraction(10, {"validation": 0.2, "test": 0.1}, seed=1).tolist()
    assert splits.by_chromosome(
        ["chr1", "chr8", "chr9", "chr8"], {"validation": ["chr8"], "test": ["chr9"]}
    ).tolist() == ["train", "validation", "test", "validation"]
    with pytest.raises(ValueError, match="both"):
        splits.by_chromosome(["chr1"], {"validation": ["chr1"], "test": ["chr1"]})
    assert splits.declared_splits({"fraction": {"validation": 0.1, "test": 0}}) == [
        "train",
        "validation",
    ]


def test_typed_metadata_labels_text():
    frame = {
        "n": ["1", "2", ""],
        "x": ["1.5", "2", "3"],
        "ok": ["yes", "False", "true"],
        "cell": ["K562", "HepG2", "K562"],
    }
    cols = metadata.typed_metadata(frame)
    assert cols["n"].type == pa.int64() and cols["n"].to_pylist() == [1, 2, None]
    assert cols["x"].type == pa.float64() and cols["ok"].to_pylist() == [True, False, True]
    assert cols["cell"].type == pa.string()
    assert metadata.typed_metadata(frame, {"n": "string"})["n"].to_pylist() == ["1", "2", None]
    with pytest.raises(InputError, match="sheet.tsv, line 2: column 'cell': 'K562' is not a"):
        metadata.typed_metadata(frame, {"cell": "int"}, "sheet.tsv")
    ids, names = metadata.label_column(["pELS", "dELS", "pELS", None])
    assert names == ["dELS", "pELS"] and ids.to_pylist() == [1, 0, 1, None]
    assert metadata.text_column(frame, ["cell", "n"]).to_pylist() == [
        "cell: K562; n: 1",
        "cell: HepG2; n: 2",
        "cell: K562",
    ]
