"""The motif corpus stored by reference: the same rows as the full layout (through
``datasets``, the release and the collator), each bin's cluster vector stored once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from genovocab.corpora.motif import (
    CorpusConfig,
    MotifRows,
    Track,
    build_motif_corpus,
    config_from_mapping,
    load_motif_corpus,
)
from genovocab.errors import GenovocabError
from genovocab.tokenizers.collators import MotifCollator
from genovocab.tokenizers.motif import MotifTokenizer
from tests.test_motif_corpus import write_bigwig
from tests.test_motif_tokenizer import CHROMS, make_folder

datasets = pytest.importorskip("datasets")
pytest.importorskip("pyBigWig")

SPLITS = ("train", "validation", "test")


def both_layouts(tmp_path: Path, folder: Path, config: CorpusConfig) -> tuple[Path, Path]:
    full = tmp_path / "full"
    ref = tmp_path / "ref"
    build_motif_corpus(folder, full, _with(config, "full"), plot=False)
    build_motif_corpus(folder, ref, _with(config, "reference"), plot=False)
    return full, ref


def _with(config: CorpusConfig, layout: str) -> CorpusConfig:
    from dataclasses import replace

    return replace(config, layout=layout)


def dense_batch(batch) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in batch.items()}


@pytest.fixture
def toy(tmp_path):
    folder = make_folder(tmp_path)
    sizes = {c: CHROMS[c][0][-1] for c in CHROMS}
    write_bigwig(tmp_path / "atac.bw", sizes, np.random.default_rng(3))
    config = CorpusConfig(
        fragment_bins=3,
        stride_bins=1,
        keep_last=True,
        validation=("chr2",),
        test=("chr3",),
        tracks=(Track("atac", str(tmp_path / "atac.bw"), "log1p"),),
        n_shards=2,
    )
    return folder, config


def test_reference_rows_equal_full_rows(tmp_path, toy):
    folder, config = toy
    full, ref = both_layouts(tmp_path, folder, config)
    tok = MotifTokenizer.from_pretrained(folder)
    want = datasets.load_dataset("parquet", data_dir=str(full / "data"))
    got = load_motif_corpus(ref, tok)
    raw = datasets.load_dataset("parquet", data_dir=str(ref / "data"))
    for split in SPLITS:
        assert want[split].num_rows == got[split].num_rows == raw[split].num_rows > 0
        assert got[split][:] == want[split][:], split
        assert [got[split][i] for i in range(got[split].num_rows)] == list(want[split]), split
        # the stored rows hold no per-bin column the tokenizer already stores
        assert raw[split].column_names == [
            "id",
            "chrom",
            "start",
            "end",
            "first_bin",
            "n_bins",
            "targets",
        ]
    # the same loader on the full layout gives its rows unchanged
    assert load_motif_corpus(full, tok, split="train")[:] == want["train"][:]


def test_collator_gives_the_same_batches(tmp_path, toy):
    pytest.importorskip("torch")
    folder, config = toy
    full, ref = both_layouts(tmp_path, folder, config)
    tok = MotifTokenizer.from_pretrained(folder)
    collate = MotifCollator(tok, return_tensors="np")
    for split in SPLITS:
        a = pq.read_table(sorted((full / "data").glob(f"{split}-*.parquet"))).to_pylist()
        b = pq.read_table(sorted((ref / "data").glob(f"{split}-*.parquet"))).to_pylist()
        one, two = dense_batch(collate(a)), dense_batch(collate(b))
        assert (
            one.keys() == two.keys() >= {"input_ids", "cluster_values", "targets", "attention_mask"}
        )
        for key in one:
            assert np.array_equal(one[key], two[key]), (split, key)


def test_reference_corpus_is_smaller_and_checked_against_its_tokenizer(tmp_path, toy):
    folder, config = toy
    full, ref = both_layouts(tmp_path, folder, config)
    size = {p: sum(f.stat().st_size for f in (p / "data").iterdir()) for p in (full, ref)}
    assert size[ref] < size[full]
    other_root = tmp_path / "other"
    other_root.mkdir()
    other = MotifTokenizer.from_pretrained(make_folder(other_root))
    # a tokenizer whose chr1 bins are cut elsewhere is refused, not silently misread
    rows = pq.read_table(sorted((ref / "data").glob("train-*.parquet"))).to_pydict()
    rows["start"] = [s + 1 for s in rows["start"]]
    with pytest.raises(GenovocabError, match="another tokenizer"):
        MotifRows(other)(rows)
    with pytest.raises(GenovocabError, match="another tokenizer"):
        MotifCollator(other, return_tensors="np")([dict(zip(rows, v)) for v in zip(*rows.values())])


def test_release_loads_the_full_rows(tmp_path, toy):
    from genovocab.release import build_release, load_release

    folder, config = toy
    full, ref = both_layouts(tmp_path, folder, config)
    (tmp_path / "chrom.sizes").write_text("".join(f"{c}\t{CHROMS[c][0][-1]}\n" for c in CHROMS))
    rel = build_release(
        tmp_path / "rel-1",
        parts={"motifs": folder, "corpora/m": ref},
        config={"genome": "toy", "release": {"name": "rel", "version": "1"}},
        chrom_sizes=tmp_path / "chrom.sizes",
        sources=[],
        software=[("python", "3")],
    )
    loaded = load_release(rel)
    want = datasets.load_dataset("parquet", data_dir=str(full / "data"))
    for split in SPLITS:
        assert loaded.load_corpus("m", split)[:] == want[split][:]


# ---------------------------------------------------------------------- the demo
@pytest.mark.workflow
def test_demo_motif_corpus_rows_before_and_after(demo_run, tmp_path):
    """The demo's corpus (reference layout) gives, through datasets and the collator, the
    rows the full layout of the same configuration stores."""
    from genovocab.fileutil import read_yaml

    (work,) = sorted((demo_run / "results").glob("*.work"))
    (rel,) = [
        p for p in (demo_run / "results").iterdir() if p.is_dir() and not p.name.endswith(".work")
    ]
    cfg = read_yaml(rel / "provenance" / "config.yaml")
    entry = cfg["motifs"]["corpus"]
    tracks = {
        name: demo_run / "resources" / cfg["genome"] / "downloads" / spec["source"]
        for name, spec in (entry.get("targets") or {}).items()
    }
    config = config_from_mapping({**entry, "layout": "full"}, tracks)
    tok_dir = work / "motifs" / "tokenizer"
    full = tmp_path / "full"
    build_motif_corpus(tok_dir, full, config, plot=False)
    tok = MotifTokenizer.from_pretrained(tok_dir)
    corpus = work / "corpora" / entry["name"]
    assert pq.read_schema(sorted((corpus / "data").glob("train-*.parquet"))[0]).names == [
        "id",
        "chrom",
        "start",
        "end",
        "first_bin",
        "n_bins",
        "targets",
    ]
    want = datasets.load_dataset("parquet", data_dir=str(full / "data"))
    got = load_motif_corpus(corpus, tok)
    from_release = __import__("genovocab").load_release(rel)
    collate = MotifCollator(tok, return_tensors="np")
    for split in SPLITS:
        assert got[split].num_rows == want[split].num_rows > 0
        assert got[split][:] == want[split][:], split
        assert from_release.load_corpus(entry["name"], split)[:4] == want[split][:4]
        stored = datasets.load_dataset("parquet", data_dir=str(corpus / "data"), split=split)
        a = dense_batch(collate([want[split][i] for i in range(3)]))
        b = dense_batch(collate([stored[i] for i in range(3)]))
        for key in a:
            assert np.array_equal(a[key], b[key]), (split, key)
