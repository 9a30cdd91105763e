"""The bounded motif vocabulary: back-off by hand, the level-by-level build against a plain
count of every prefix, the vocabulary file, and the hash-sharded set count against a plain
in-memory count (forced hash collisions included)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genovocab.errors import GenovocabError, InputError
from genovocab.motifs.pattern_counts import count_sets_sharded, set_census, zipf_from_histogram
from genovocab.motifs.vocabulary import (
    N_SPECIAL,
    MotifVocab,
    read_vocab,
    vocab_from_memory,
    write_vocab,
    zipf_fit,
)


def pack(patterns):
    sizes = [len(p) for p in patterns]
    indptr = np.zeros(len(patterns) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(sizes)
    return indptr, np.array([c for p in patterns for c in p], dtype=np.int32)


# bins (clusters strongest first) and how many of each
HAND = [(1, 2, 3), (1, 2), (1, 3), (2,), (), (1, 2, 4)]
HAND_BINS = [5, 3, 2, 4, 6, 1]


@pytest.mark.parametrize(
    "size,tokens,support,counts",
    [
        # supports: () 21, (1,) 11, (1, 2) 9, (1, 2, 3) 5, (2,) 4, (1, 3) 2, (1, 2, 4) 1
        (6, [()], [21], [21]),
        (7, [(), (1,)], [21, 11], [10, 11]),
        (8, [(), (1,), (1, 2)], [21, 11, 9], [10, 2, 9]),
        (9, [(), (1,), (1, 2), (1, 2, 3)], [21, 11, 9, 5], [10, 2, 4, 5]),
        # (2,) joins: its 4 bins leave the empty token
        (10, [(), (1,), (1, 2), (1, 2, 3), (2,)], [21, 11, 9, 5, 4], [6, 2, 4, 5, 4]),
        (
            12,
            [(), (1,), (1, 2), (1, 2, 3), (2,), (1, 3), (1, 2, 4)],
            [21, 11, 9, 5, 4, 2, 1],
            [6, 0, 3, 5, 4, 2, 1],
        ),
    ],
)
def test_backoff_vocabulary_by_hand(size, tokens, support, counts):
    indptr, ids = pack(HAND)
    vocab = vocab_from_memory(indptr, ids, np.array(HAND_BINS), size=size, chunk=2)
    assert vocab.patterns == tokens
    assert vocab.support.tolist() == support and vocab.counts.tolist() == counts
    assert len(vocab) == N_SPECIAL + len(tokens) <= size


def test_backoff_assignment_by_hand():
    vocab = MotifVocab([(), (1,), (1, 2), (2,)], [9, 5, 3, 2], [0, 0, 0, 0])
    indptr, ids = pack([(1, 2, 3), (1, 3), (2, 1), (3,), (), (2,), (1, 2)])
    # (1, 2, 3) drops 3 -> (1, 2); (1, 3) -> (1,); (2, 1) -> (2,); (3,) and () -> m-
    assert vocab.assign(indptr, ids).tolist() == [2, 1, 3, 0, 0, 3, 2]
    assert vocab.token_ids(indptr, ids).tolist() == [7, 6, 8, 5, 5, 8, 7]
    with pytest.raises(GenovocabError, match="token m1\\+m2 has no parent m1"):
        MotifVocab([(), (1, 2)], [2, 1], [0, 0]).assign(indptr, ids)
    with pytest.raises(GenovocabError, match="must be 6..65536"):
        vocab_from_memory(indptr, ids, np.ones(7, dtype=np.int64), size=5)


def plain_vocab(patterns, bins, size, min_count):
    """Reference: every prefix of every bin counted in a dict, sorted in Python, cut; each
    pattern's longest kept prefix by a loop."""
    support: dict[tuple[int, ...], int] = {}
    for p, n in zip(patterns, bins):
        for k in range(len(p) + 1):
            support[p[:k]] = support.get(p[:k], 0) + n
    kept = sorted(
        (p for p, n in support.items() if n >= min_count or not p),
        key=lambda p: (-support[p], len(p), p),
    )[: size - N_SPECIAL]
    index = {p: i for i, p in enumerate(kept)}
    counts = [0] * len(kept)
    for p, n in zip(patterns, bins):
        k = len(p)
        while p[:k] not in index:
            k -= 1
        counts[index[p[:k]]] += n
    return kept, [support[p] for p in kept], counts


@pytest.mark.parametrize("dense", [True, False], ids=["dense-table", "sorted-runs"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("size,min_count", [(8, 1), (40, 1), (300, 2), (5000, 1)])
def test_level_by_level_build_equals_plain_count(monkeypatch, seed, size, min_count, dense):
    """Random patterns with many ties (few clusters, small counts): the streamed, level by
    level build equals the plain count over every prefix, for any chunking, with a level's
    candidates counted in the dense table or (a table too large) in merged sorted runs."""
    if not dense:
        monkeypatch.setattr("genovocab.motifs.vocabulary.DENSE_CELLS", 0)
    rng = np.random.default_rng(seed)
    patterns = []
    for _ in range(1500):
        k = int(rng.integers(0, 6))
        patterns.append(tuple(rng.permutation(8)[:k].tolist()))
    bins = rng.integers(1, 4, size=len(patterns))
    kept, support, counts = plain_vocab(patterns, bins.tolist(), size, min_count)
    indptr, ids = pack(patterns)
    for chunk in (97, 1 << 20):
        vocab = vocab_from_memory(indptr, ids, bins, size=size, min_count=min_count, chunk=chunk)
        assert vocab.patterns == kept
        assert vocab.support.tolist() == support and vocab.counts.tolist() == counts
    assert int(vocab.counts.sum()) == int(bins.sum())


def test_vocab_file_round_trip_and_errors(tmp_path):
    vocab = MotifVocab([(), (3,), (3, 1)], [10, 6, 2], [4, 4, 2])
    write_vocab(tmp_path / "v.tsv", vocab, ["CTCF", "SP1", "KLF4", "GATA1"])
    lines = (tmp_path / "v.tsv").read_text().splitlines()
    assert lines[0] == "id\ttoken\tcount\tfraction\tsupport\tn_active\tclusters\tmotifs"
    assert lines[1:6] == [
        f"{i}\t{t}\t0\t0\t0\t0\t.\t."
        for i, t in enumerate(["<pad>", "<unk>", "<cls>", "<sep>", "<mask>"])
    ]
    assert lines[6:] == [
        "5\tm-\t4\t0.4\t10\t0\t.\t.",
        "6\tm3\t4\t0.4\t6\t1\t3\tGATA1",
        "7\tm3+m1\t2\t0.2\t2\t2\t3,1\tGATA1|SP1",
    ]
    back = read_vocab(tmp_path / "v.tsv")
    assert back.patterns == vocab.patterns and back.counts.tolist() == [4, 4, 2]
    assert back.support.tolist() == [10, 6, 2]
    bad = tmp_path / "bad.tsv"
    bad.write_text("\n".join(lines[:7] + [lines[8].replace("7\t", "6\t", 1)]) + "\n")  # no m3
    with pytest.raises(
        InputError,
        match=r"bad.tsv, line 8: token 'm3\+m1' comes before its "
        "parent 'm3'",
    ):
        read_vocab(bad)
    bad.write_text("\n".join(lines[:6] + [lines[6].replace("m-", "m2")]) + "\n")
    with pytest.raises(InputError, match="line 7: token 'm2' does not spell its clusters"):
        read_vocab(bad)


def plain_set_histogram(patterns, bins):
    counts: dict[frozenset, int] = {}
    for p, n in zip(patterns, bins):
        counts[frozenset(p)] = counts.get(frozenset(p), 0) + n
    hist: dict[int, int] = {}
    for c in counts.values():
        hist[c] = hist.get(c, 0) + 1
    return dict(sorted(hist.items()))


def chunks_of(patterns, bins, chunk=211):
    def chunks():
        for lo in range(0, len(patterns), chunk):
            part = patterns[lo : lo + chunk]
            indptr, ids = pack(part)
            yield indptr, ids, np.array(bins[lo : lo + chunk], dtype=np.int64)

    return chunks


def colliding_hash(indptr, indices):
    """A hash that collides on purpose: it sees only the pattern's length and first id."""
    sizes = np.diff(indptr)
    first = np.where(
        sizes > 0,
        indices[np.minimum(indptr[:-1], max(indices.size - 1, 0))] if indices.size else 0,
        0,
    ).astype(np.uint64)
    h = sizes.astype(np.uint64) * np.uint64(7) + first
    return h, h.copy()


@pytest.mark.parametrize("hash_fn", [None, colliding_hash], ids=["random", "colliding"])
@pytest.mark.parametrize("n_shards,max_open", [(1, None), (7, None), (7, 3), (None, 2)])
def test_sharded_set_count_equals_plain_count(tmp_path, hash_fn, n_shards, max_open):
    """The same set in another order, in other chunks and in other shards counts once; with a
    hash that collides for most different sets the counts stay exact; with more shards than
    one pass may open (several passes), and with the shard count set by the ids (~500 ids a
    shard: 13 shards) the same."""
    rng = np.random.default_rng(5)
    patterns, bins = [], []
    for _ in range(3000):
        k = int(rng.integers(0, 5))
        patterns.append(tuple(rng.permutation(12)[:k].tolist()))  # orders differ: same set
        bins.append(int(rng.integers(1, 3)))
    want = plain_set_histogram(patterns, bins)
    got = count_sets_sharded(
        chunks_of(patterns, bins),
        n_shards=n_shards,
        work_dir=tmp_path,
        hashes=hash_fn,
        block=50,
        shard_ids=500,
        max_open=max_open,
    )
    assert got == want
    assert list(tmp_path.iterdir()) == []  # the shards are removed


def test_shard_count_follows_the_ids():
    from genovocab.motifs.pattern_counts import as_sets, shard_count

    assert [shard_count(n, 100) for n in (0, 1, 100, 101, 1000)] == [1, 1, 1, 2, 10]
    indptr, ids = pack([(3, 1, 2), (), (5,), (9, 0)])
    assert as_sets(indptr, ids).tolist() == [1, 2, 3, 5, 0, 9]


def test_set_census_and_zipf_from_histogram(tmp_path):
    hist = {1: 5, 2: 3, 7: 1, 600: 2}
    expanded = np.repeat(list(hist), list(hist.values()))
    for band in (None, (2, 700)):
        want = zipf_fit(
            expanded if band is None else expanded[(expanded >= band[0]) & (expanded <= band[1])]
        )
        got = zipf_from_histogram(hist, band, chunk=2)
        for key in ("pearson_r", "slope", "intercept"):
            assert got[key] == pytest.approx(want[key], rel=1e-9)
        assert got["n_tokens"] == want["n_tokens"]
    patterns = [(1, 2), (2, 1), (3,), ()]
    census = set_census(
        chunks_of(patterns, [1, 1, 1, 1]), n_shards=2, work_dir=tmp_path, band=(2, 10)
    )
    assert census["n_sets"] == 3 and census["fraction_sets_seen_once"] == pytest.approx(2 / 3)
    assert census["zipf_band"]["n_tokens"] == 1 and math.isnan(census["zipf_band"]["pearson_r"])


def test_summary_markdown_states_the_figures():
    from genovocab.motifs.vocabulary import summary_markdown

    stats = {
        "vocab_size": 4096,
        "n_bins": 1000,
        "unk_share": 0.0,
        "tokens_used": 300,
        "top_token_share": 0.05,
        "fraction_bins_backed_to_empty": 0.01,
        "fraction_active_clusters_kept": 0.125,
        "fraction_active_value_kept": 0.2,
        "zipf": {"pearson_r": -0.93, "slope": -1.17},
        "patterns": {
            "n_sets": 800,
            "fraction_sets_seen_once": 0.9,
            "zipf_all_sets": {"pearson_r": -0.8},
            "band": [500, 1_000_000],
            "zipf_band": {"n_tokens": 2, "pearson_r": None},
        },
    }
    text = summary_markdown(stats)
    for part in (
        "4,096 ids",
        "`<unk>` 0.0 %",
        "300 distinct tokens",
        "5.0 % of the bins",
        "12.5 % of its bin's active clusters",
        "20.0 % of their summed value",
        "r = -0.930, slope -1.17",
        "800 distinct active sets",
        "90.0 %",
        "500..1,000,000",
        "Davarmanesh et al.",
        "InterDependence Score",
    ):
        assert part in text, part
    assert text.endswith("\n") and "\n" not in text[:-1]
