"""Motif corpus: fragment counts, contiguity, chromosome splits, bigWig targets, collation."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from genovocab.corpora.motif import (
    CorpusConfig,
    MotifRows,
    Track,
    bin_means,
    build_motif_corpus,
    fragment_bounds,
)
from genovocab.errors import GenovocabError
from genovocab.tokenizers.collators import MotifCollator
from genovocab.tokenizers.motif import MotifTokenizer
from tests.test_motif_tokenizer import CHROMS, make_folder

pyBigWig = pytest.importorskip("pyBigWig")


@pytest.mark.parametrize(
    "n,f,s,last,want",
    [
        (10, 4, 2, False, [(0, 4), (2, 6), (4, 8), (6, 10)]),
        (11, 4, 2, False, [(0, 4), (2, 6), (4, 8), (6, 10)]),
        (11, 4, 2, True, [(0, 4), (2, 6), (4, 8), (6, 10), (8, 11)]),
        (10, 4, 3, True, [(0, 4), (3, 7), (6, 10)]),  # the full ones reach the end: nothing added
        (3, 4, 2, False, []),
        (3, 4, 2, True, [(0, 3)]),
        (
            3750,
            1250,
            500,
            False,
            [(0, 1250), (500, 1750), (1000, 2250), (1500, 2750), (2000, 3250), (2500, 3750)],
        ),
    ],
)
def test_fragment_bounds_by_hand(n, f, s, last, want):
    got = [tuple(r) for r in fragment_bounds(n, f, s, last).tolist()]
    assert got == want
    if not last:
        assert len(got) == (max(0, (n - f) // s + 1) if n >= f else 0)


def write_bigwig(path, sizes, rng):
    """A bigWig with random values in 3-bp steps and one gap without data per chromosome."""
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(list(sizes.items()))
    truth = {}
    for chrom, length in sizes.items():
        values = np.full(length, np.nan)
        starts = list(range(0, length, 3))
        vals = rng.uniform(0, 10, size=len(starts)).round(2)
        keep = [i for i, s in enumerate(starts) if not 30 <= s < 39]  # a gap
        bw.addEntries(
            [chrom] * len(keep),
            [starts[i] for i in keep],
            ends=[min(starts[i] + 3, length) for i in keep],
            values=[float(vals[i]) for i in keep],
        )
        for i in keep:
            values[starts[i] : min(starts[i] + 3, length)] = vals[i]
        truth[chrom] = values
    bw.close()
    return truth


def plain_bin_means(values, edges):
    out = []
    for s, e in zip(edges[:-1], edges[1:]):
        v = values[s:e]
        v = v[~np.isnan(v)]
        out.append(float(v.mean()) if v.size else np.nan)
    return np.array(out)


def test_bin_means_nan_safe(tmp_path):
    sizes = {c: CHROMS[c][0][-1] for c in CHROMS}
    truth = write_bigwig(tmp_path / "t.bw", sizes, np.random.default_rng(1))
    bw = pyBigWig.open(str(tmp_path / "t.bw"))
    for chrom, (edges, _) in CHROMS.items():
        want = plain_bin_means(truth[chrom], edges)
        got = bin_means(bw, chrom, np.array(edges), block_bp=16)  # several blocks
        assert np.allclose(got, want, equal_nan=True, atol=1e-5)
    assert np.isnan(bin_means(bw, "chr1", np.array([0, 30, 39]))[1])  # the gap has no data
    bw.close()


@pytest.mark.parametrize("layout", ["reference", "full"])
def test_corpus_rows_splits_targets_and_collation(tmp_path, layout):
    folder = make_folder(tmp_path)
    sizes = {c: CHROMS[c][0][-1] for c in CHROMS}
    truth = write_bigwig(tmp_path / "atac.bw", sizes, np.random.default_rng(2))
    config = CorpusConfig(
        fragment_bins=2,
        stride_bins=1,
        keep_last=False,
        validation=("chr2",),
        test=("chr3",),
        tracks=(
            Track("atac", str(tmp_path / "atac.bw"), "none"),
            Track("z", str(tmp_path / "atac.bw"), "zscore"),
        ),
        missing=-1.0,
        n_shards=2,
        layout=layout,
    )
    stats = build_motif_corpus(folder, tmp_path / "corpus", config, name="demo")
    out = tmp_path / "corpus"
    stored = {
        split: pq.read_table(sorted((out / "data").glob(f"{split}-*.parquet")))
        for split in ("train", "validation", "test")
    }
    assert ("cluster_values" in stored["train"].column_names) == (layout == "full")
    # the rows as loaded: a reference layout's bins come from the tokenizer folder
    rows_of = MotifRows(MotifTokenizer.from_pretrained(folder))
    tables = {
        split: t
        if layout == "full"
        else rows_of.table(t.to_pydict()).append_column("targets", t.column("targets"))
        for split, t in stored.items()
    }
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        f"{s}-0000{i}-of-00002.parquet" for s in ("test", "train", "validation") for i in (0, 1)
    ]
    # the targets kept on disk while writing are gone
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".genovocab")) == [
        "README.md",
        "data",
        "stats.json",
        "target_track.png",
    ]
    assert {s: sorted(set(t.column("chrom").to_pylist())) for s, t in tables.items()} == {
        "train": ["chr1"],
        "validation": ["chr2"],
        "test": ["chr3"],
    }
    for split, table in tables.items():
        for row in table.to_pylist():
            edges, values = CHROMS[row["chrom"]]
            n = len(edges) - 1
            assert table.num_rows == (n - 2) // 1 + 1
            b0 = row["first_bin"]
            assert row["start"] == edges[b0] and row["end"] == edges[b0 + 2]
            # contiguous bins: lengths add up to the fragment
            assert row["bin_lengths"] == [edges[b0 + 1] - edges[b0], edges[b0 + 2] - edges[b0 + 1]]
            assert sum(row["bin_lengths"]) == row["end"] - row["start"]
            for k in range(2):
                dense = np.zeros(2)
                dense[row["cluster_indices"][k]] = row["cluster_values"][k]
                assert np.allclose(dense, values[b0 + k])
            want = plain_bin_means(truth[row["chrom"]], edges)[b0 : b0 + 2]
            got = np.array(row["targets"])
            assert got.shape == (2, 2)
            assert np.allclose(got[:, 0], np.where(np.isnan(want), -1.0, want), atol=1e-5)
        assert stats["splits"][split]["rows"] == table.num_rows
    # zscore uses the train split's bins (chr1 only)
    train = plain_bin_means(truth["chr1"], CHROMS["chr1"][0])
    train = train[~np.isnan(train)]
    assert stats["tracks"]["z"]["mean"] == pytest.approx(train.mean(), abs=1e-6)
    row = tables["test"].to_pylist()[0]
    raw = plain_bin_means(truth["chr3"], CHROMS["chr3"][0])[:2]
    assert np.allclose(
        np.array(row["targets"])[:, 1], (raw - train.mean()) / train.std(), atol=1e-4
    )
    card = (out / "README.md").read_text()
    assert "- split: validation" in card and "| validation | chr2 | 1 | 2 |" in card
    assert json.loads((out / "stats.json").read_text())["splits"]["test"]["rows"] == 2
    assert (out / "target_track.png").read_bytes()[:4] == b"\x89PNG"
    # collation: the tokenizer's pad through a torch DataLoader
    torch = pytest.importorskip("torch")
    tok = MotifTokenizer.from_pretrained(folder)
    rows = stored["train"].to_pylist()
    loader = torch.utils.data.DataLoader(rows, batch_size=3, collate_fn=MotifCollator(tok))
    batch = next(iter(loader))
    rows = tables["train"].to_pylist()
    assert batch["input_ids"].shape == (3, 2)
    assert batch["cluster_values"].shape == (3, 2, 2) and batch["targets"].shape == (3, 2, 2)
    assert batch["input_ids"][0].tolist() == rows[0]["input_ids"]


def test_corpus_is_deterministic_and_checks_splits(tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    config = CorpusConfig(
        fragment_bins=2, stride_bins=2, keep_last=True, validation=("chr2",), test=("chr3",)
    )
    build_motif_corpus(folder, tmp_path / "a", config, plot=False)
    build_motif_corpus(folder, tmp_path / "b", config, plot=False)
    for p in sorted((tmp_path / "a").rglob("*")):
        if p.is_file():
            assert p.read_bytes() == (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes()
    chr1 = pq.read_table(tmp_path / "a" / "data" / "train-00000-of-00001.parquet")
    assert chr1.column("first_bin").to_pylist() == [0, 2, 4]  # 6 bins: 3 full fragments
    import genovocab.corpora.motif as motif_corpus

    monkeypatch.setattr(motif_corpus, "FRAGMENTS_PER_TABLE", 1)  # rows built one at a time
    build_motif_corpus(folder, tmp_path / "one", config, plot=False)
    for p in sorted((tmp_path / "a" / "data").iterdir()):
        assert pq.read_table(tmp_path / "one" / "data" / p.name).equals(pq.read_table(p))
    with pytest.raises(GenovocabError, match=r"split chromosome\(s\) \['chr9'\]"):
        build_motif_corpus(
            folder, tmp_path / "c", CorpusConfig(validation=("chr9",), test=("chr3",))
        )
    assert not (tmp_path / "c").exists()


@pytest.mark.workflow
def test_workflow_rejects_a_target_without_source(tmp_path):
    import yaml

    from tests.conftest import copy_workflow, run_snakemake

    work = copy_workflow(tmp_path)
    extra = {"motifs": {"corpus": {"targets": {"atac": {"source": "nope"}}}}}
    (work / "extra.yaml").write_text(yaml.safe_dump(extra))
    proc = run_snakemake(
        work, "-n", "--configfile", "config/config.yaml", "extra.yaml", timeout=300
    )
    assert proc.returncode != 0
    assert "motifs.corpus.targets.atac.source: 'nope' is not a `sources` entry" in (
        proc.stdout + proc.stderr
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_concatenated_sum_is_numpys_sum_bit_for_bit(seed):
    """Pieces of every size class (empty, < 8, <= 128, long, a boundary in every subtree
    level) sum to exactly what numpy's pairwise sum of their concatenation gives."""
    from genovocab.corpora.motif import _concatenated_sum, _mean_std

    rng = np.random.default_rng(seed)
    sizes = [0, 3, 129, 0, 7, 100_003, 1, 128, 64_000, 5, 250_000, 0, 17]
    rng.shuffle(sizes)
    pieces = [rng.standard_normal(n) * 10 ** rng.uniform(-3, 6, n) for n in sizes]
    whole = np.concatenate(pieces)
    loads = []

    def piece(i):
        loads.append(i)
        return pieces[i]

    assert _concatenated_sum(sizes, piece) == np.add.reduce(whole)
    assert loads == sorted(loads)  # visited in order: one or two in memory at a time
    assert _mean_std(sizes, lambda i: pieces[i]) == (whole.mean(), whole.std())
    assert _mean_std([0, 0], lambda i: pieces[i]) == (0.0, 1.0)  # no values: the defaults


def test_track_statistics_read_per_chromosome_match_the_concatenation():
    """Statistics from one chromosome at a time equal the plain numpy ones of the
    concatenated train values (the targets they normalise are then the same bytes)."""
    from genovocab.corpora.motif import _track_statistics

    rng = np.random.default_rng(4)
    raw = {}
    for chrom, n in (("chr1", 70_001), ("chr2", 300), ("chr3", 45_555), ("chr4", 9)):
        values = rng.gamma(0.5, 3.0, size=(n, 2)).astype(np.float32)
        values[rng.random((n, 2)) < 0.2] = np.nan
        raw[chrom] = values
    config = CorpusConfig(
        validation=("chr2",),
        test=(),
        tracks=(Track("a", "/x/a.bw", "log1p_zscore"), Track("b", "/x/b.bw", "none")),
    )
    got = _track_statistics(raw, config)
    for k, name in enumerate(("a", "b")):
        train = np.concatenate([raw[c][:, k] for c in ("chr1", "chr3", "chr4")]).astype(np.float64)
        if k == 0:
            train = np.log1p(np.maximum(train, 0.0))
        train = train[~np.isnan(train)]
        every = np.concatenate([raw[c][:, k] for c in raw])
        assert got[name]["mean"] == float(train.mean())
        assert got[name]["std"] == float(train.std())
        assert got[name]["fraction_bins_missing"] == float(np.isnan(every).mean())


@pytest.mark.parametrize("layout", ["reference", "full"])
def test_an_empty_split_has_the_same_schema(tmp_path, layout):
    """A split without chromosomes still gets a shard, with the columns' types of the others
    (a null-typed ``id`` there would stop ``datasets`` loading the folder)."""
    folder = make_folder(tmp_path)
    config = CorpusConfig(
        fragment_bins=2, stride_bins=2, validation=("chr2",), test=(), layout=layout
    )
    build_motif_corpus(folder, tmp_path / "c", config, plot=False)
    data = tmp_path / "c" / "data"
    schemas = {p.name.split("-")[0]: pq.read_schema(p) for p in sorted(data.iterdir())}
    assert pq.read_metadata(data / "test-00000-of-00001.parquet").num_rows == 0
    assert schemas["test"].field("id").type == "string"
    assert schemas["test"].equals(schemas["train"]) and schemas["train"].equals(
        schemas["validation"]
    )
