"""Cluster features, discrete motif tokens, Zipf fit, coverage statistics, plots."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from genovocab import tables
from genovocab.errors import GenovocabError, InputError
from genovocab.motifs import patterns, token_files, token_plots
from genovocab.motifs import patterns as patterns_module
from genovocab.motifs.patterns import (
    Patterns,
    active_patterns,
    build_vocab,
    cluster_features,
    coverage_stats,
    read_token_vocab,
    tokens_for,
    write_token_vocab,
)
from genovocab.motifs.token_files import read_bin_edges
from genovocab.motifs.token_plots import plot_zipf
from genovocab.motifs.vocabulary import zipf_fit

LABELS = np.array([0, 1, 1, 0, 2, 1])


def test_cluster_features_are_member_means():
    X = sp.random(500, 6, density=0.3, format="csr", random_state=1, dtype=np.float32)
    got = cluster_features(X, LABELS)
    assert got.dtype == np.float32 and got.shape == (500, 3) and sp.isspmatrix_csr(got)
    dense = X.toarray().astype(np.float64)
    want = np.column_stack(
        [dense[:, [0, 3]].mean(axis=1), dense[:, [1, 2, 5]].mean(axis=1), dense[:, 4]]
    )
    assert np.abs(got.toarray() - want).max() < 1e-7
    assert got.nnz == np.count_nonzero(want)


def test_patterns_by_hand():
    cf = sp.csr_matrix(
        np.array(
            [
                [0.6, 0.0, 0.9],  # {0, 2}
                [0.0, 0.0, 0.0],  # {}
                [0.5, 0.1, 0.7],  # {0, 2}  (0.5 is active: >= threshold)
                [0.2, 0.0, 0.0],  # {}
                [0.0, 0.8, 0.0],  # {1}
                [0.0, 0.0, 0.0],  # {}
            ],
            dtype=np.float32,
        )
    )
    p = active_patterns(cf, 0.5)
    got = sorted((p.pattern(i), int(p.counts[i])) for i in range(len(p)))
    assert got == [((), 3), ((1,), 1), ((2, 0), 2)]
    assert [p.pattern(i) for i in p.inverse] == [(2, 0), (), (2, 0), (), (1,), ()]
    vocab = build_vocab([p])
    assert vocab.patterns == [(), (2, 0), (1,)]
    assert vocab.counts.tolist() == [3, 2, 1]
    assert tokens_for(p, vocab.index()).tolist() == [1, 0, 1, 0, 2, 0]


def plain_patterns(cf, threshold):
    """Reference: a Python dict over the rows (active clusters strongest first, ties by id)."""
    dense = cf.toarray()
    counts = {}
    rows = []
    for row in dense:
        key = tuple(sorted(np.flatnonzero(row >= threshold).tolist(), key=lambda c: (-row[c], c)))
        counts[key] = counts.get(key, 0) + 1
        rows.append(key)
    return counts, rows


def test_patterns_match_plain_reference_and_ids_deterministic(tmp_path):
    rng = np.random.default_rng(4)
    parts = []
    refs = []
    for _ in range(3):
        dense = rng.uniform(0, 1, size=(800, 5)) * (rng.uniform(size=(800, 5)) < 0.3)
        cf = sp.csr_matrix(dense.astype(np.float32))
        parts.append(active_patterns(cf, 0.4))
        refs.append(plain_patterns(cf, 0.4))
    total = {}
    for counts, _ in refs:
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
    want_order = sorted(total, key=lambda k: (-total[k], len(k), k))
    vocab = build_vocab(parts)
    assert vocab.patterns == want_order
    assert vocab.counts.tolist() == [total[k] for k in want_order]
    # merging in another order gives the same ids
    assert build_vocab(parts[::-1]).patterns == vocab.patterns
    index = vocab.index()
    for part, (_, rows) in zip(parts, refs):
        assert tokens_for(part, index).tolist() == [want_order.index(k) for k in rows]
    write_token_vocab(tmp_path / "vocab.tsv", vocab)
    back = read_token_vocab(tmp_path / "vocab.tsv")
    assert back.patterns == vocab.patterns and np.array_equal(back.counts, vocab.counts)
    parts[0].save(tmp_path / "p.npz")
    again = Patterns.load(tmp_path / "p.npz")
    assert np.array_equal(tokens_for(again, index), tokens_for(parts[0], index))


def plain_vocab_tsv(patterns, counts) -> str:
    """Reference: the vocabulary table as pandas writes it from Python tuples."""
    import pandas as pd

    total = int(sum(counts))
    return pd.DataFrame(
        {
            "token": np.arange(len(patterns), dtype=np.int64),
            "count": np.array(counts, dtype=np.int64),
            "fraction": np.array(counts) / total,
            "n_active": np.array([len(k) for k in patterns], dtype=np.int64),
            "clusters": [",".join(map(str, k)) if k else "." for k in patterns],
        }
    ).to_csv(sep="\t", index=False, float_format="%.6g", lineterminator="\n")


def test_vocab_order_and_table_match_plain_reference(tmp_path):
    """Many ties (most patterns once, equal lengths): the vectorised order equals Python's
    tuple order, the per-part id maps equal a dict look-up, and the TSV written in chunks
    equals pandas' table of the tuples."""
    from genovocab.motifs.patterns import build_vocab_ids

    rng = np.random.default_rng(11)
    parts, totals = [], {}
    for _ in range(4):
        dense = rng.uniform(size=(1500, 40)) * (rng.uniform(size=(1500, 40)) < 0.08)
        part = active_patterns(sp.csr_matrix(dense.astype(np.float32)), 0.3)
        parts.append(part)
        for i in range(len(part)):
            totals[part.pattern(i)] = totals.get(part.pattern(i), 0) + int(part.counts[i])
    want = sorted(totals, key=lambda k: (-totals[k], len(k), k))
    vocab, maps = build_vocab_ids(parts)
    assert vocab.patterns == want and vocab.counts.tolist() == [totals[k] for k in want]
    assert sum(totals[k] == 1 for k in want) > 1000  # the tie-break is exercised
    for part, ids in zip(parts, maps):
        assert ids.tolist() == [want.index(part.pattern(i)) for i in range(len(part))]
    write_token_vocab(tmp_path / "v.tsv", vocab, chunk_rows=333)
    assert (tmp_path / "v.tsv").read_text() == plain_vocab_tsv(want, [totals[k] for k in want])
    write_token_vocab(tmp_path / "e.tsv", build_vocab([]))
    assert (tmp_path / "e.tsv").read_text() == "token\tcount\tfraction\tn_active\tclusters\n"


def test_hash_collision_is_detected(monkeypatch):
    # Force every weight to 1: rows {0, 3} and {1, 2} then share (count, sum, sum) keys.
    def ones(n):
        return np.ones(n, dtype=np.uint64), np.ones(n, dtype=np.uint64)

    monkeypatch.setattr(patterns_module, "_hash_weights", ones)
    cf = sp.csr_matrix(np.array([[1, 0, 0, 1], [0, 1, 1, 0]], dtype=np.float32))
    with pytest.raises(GenovocabError, match="hash collision"):
        active_patterns(cf, 0.5)
    # across chromosomes: two parts of one pattern each, equal keys, different ids
    parts = [
        Patterns(np.array([0, 2]), np.array(ids, dtype=np.int32), np.array([1]), np.array([0]))
        for ids in ([0, 3], [1, 2])
    ]
    with pytest.raises(GenovocabError, match="hash collision"):
        build_vocab(parts)
    assert build_vocab(parts[:1] * 2).counts.tolist() == [2]


def test_zipf_fit_exact_power_law():
    counts = np.round(1e6 / np.arange(1, 101) ** 1.5)
    fit = zipf_fit(counts[::-1])
    assert fit["slope"] == pytest.approx(-1.5, abs=1e-3)
    assert fit["pearson_r"] == pytest.approx(-1.0, abs=1e-6)
    assert fit["intercept"] == pytest.approx(6.0, abs=1e-3)
    assert fit["n_tokens"] == 100
    assert np.isnan(zipf_fit(np.array([5, 3]))["pearson_r"])


def test_coverage_stats_and_plots(tmp_path):
    cf = sp.csr_matrix(np.array([[0.6, 0], [0, 0], [0.7, 0.9], [0, 0.1]], dtype=np.float32))
    p = active_patterns(cf, 0.5)
    vocab = build_vocab([p])
    lengths = np.array([10, 20, 30, 40])
    stats = coverage_stats(lengths, vocab, active_lengths=10 + 30)
    assert stats["n_bins"] == 4 and stats["total_bp"] == 100
    assert stats["bins_with_active_cluster"] == 2
    assert stats["fraction_bp_with_active_cluster"] == pytest.approx(0.4)
    assert stats["mean_active_clusters_per_bin"] == pytest.approx(3 / 4)
    fit = zipf_fit(np.array([100, 50, 30, 20, 10]))
    plot_zipf(tmp_path / "zipf.png", np.array([100, 50, 30, 20, 10]), fit)
    one = (tmp_path / "zipf.png").read_bytes()
    plot_zipf(tmp_path / "zipf.png", np.array([100, 50, 30, 20, 10]), fit)
    assert one[:4] == b"\x89PNG" and (tmp_path / "zipf.png").read_bytes() == one
    tables.write_json(tmp_path / "z.json", {"a": float("nan"), "b": {"c": 1.5}}, indent=2)
    assert (tmp_path / "z.json").read_text() == '{\n  "a": null,\n  "b": {\n    "c": 1.5\n  }\n}\n'


def test_bad_inputs(tmp_path):
    with pytest.raises(GenovocabError, match="6 columns but 3 features have cluster labels"):
        cluster_features(sp.csr_matrix((2, 6)), np.array([0, 1, 0]))
    with pytest.raises(GenovocabError, match="token threshold must be > 0"):
        active_patterns(sp.csr_matrix((2, 2)), 0.0)
    edges = tmp_path / "e.npy"
    np.save(edges, np.array([0, 10, 10, 30]))
    with pytest.raises(
        InputError,
        match=r"e.npy: bin edges must increase strictly \(edge 2: 10 "
        "after 10\\)",
    ):
        read_bin_edges(edges)
    np.save(edges, np.array([0.0, 1.0]))
    with pytest.raises(InputError, match="e.npy: bin edges must be a 1-D integer array"):
        read_bin_edges(edges)
    vocab = tmp_path / "v.tsv"
    vocab.write_text("token\tcount\tfraction\tn_active\tclusters\n1\t5\t1\t0\t.\n")
    with pytest.raises(InputError, match="v.tsv, line 2: token id 1 is not 0"):
        read_token_vocab(vocab)
    p = active_patterns(sp.csr_matrix(np.array([[1.0]])), 0.5)
    with pytest.raises(GenovocabError, match=r"pattern \(0,\) is not in the token vocabulary"):
        tokens_for(p, {(): 0})


def reference_merge(parts: list[Patterns]) -> Patterns:
    """Plain reference: patterns of stacked row blocks, ids in order of first appearance."""
    index: dict[tuple[int, ...], int] = {}
    counts: list[int] = []
    inverses = []
    for part in parts:
        local = []
        for i in range(len(part)):
            j = index.setdefault(part.pattern(i), len(index))
            if j == len(counts):
                counts.append(0)
            counts[j] += int(part.counts[i])
            local.append(j)
        inverses.append(np.array(local, dtype=np.int64)[part.inverse])
    keys = list(index)
    indptr = np.concatenate(([0], np.cumsum([len(k) for k in keys]))).astype(np.int64)
    return Patterns(
        indptr,
        np.array([v for k in keys for v in k], dtype=np.int32),
        np.array(counts, dtype=np.int64),
        np.concatenate(inverses),
    )


@pytest.mark.parametrize("density", [0.4, 0.05])
def test_chromosome_cluster_features_streamed_blocks(tmp_path, density):
    """Outputs written block by block equal, byte for byte, ``numpy.save`` of the whole
    matrix's arrays and ``Patterns.save`` of the reference merge of the blocks' patterns.
    With 3 clusters most patterns recur in later blocks (the exact look-up path)."""
    from genovocab.motifs.token_files import chromosome_cluster_features, csr_array_rows

    X = sp.random(3000, 6, density=density, format="csr", random_state=9, dtype=np.float32)
    sp.save_npz(tmp_path / "f.npz", X)
    (tmp_path / "clusters.tsv").write_text(
        "feature\tcluster\n" + "".join(f"{i}\t{c}\n" for i, c in enumerate(LABELS))
    )
    bins, n_patterns = chromosome_cluster_features(
        tmp_path / "f.npz",
        tmp_path / "clusters.tsv",
        cluster_features_out=tmp_path / "cf",
        patterns_out=tmp_path / "p.npz",
        threshold=0.5,
        chunk_rows=700,
    )
    whole = cluster_features(X, LABELS)
    assert bins == 3000 == csr_array_rows(tmp_path / "cf")
    for name, array in (
        ("indptr", whole.indptr.astype(np.int64)),
        ("indices", whole.indices.astype(np.int32)),
        ("values", whole.data),
    ):
        np.save(tmp_path / "ref.npy", array)
        assert (tmp_path / f"cf.{name}.npy").read_bytes() == (tmp_path / "ref.npy").read_bytes()
    blocks = [active_patterns(whole[lo : lo + 700], 0.5) for lo in range(0, 3000, 700)]
    reference = reference_merge(blocks)
    reference.save(tmp_path / "ref.npz")
    assert (tmp_path / "p.npz").read_bytes() == (tmp_path / "ref.npz").read_bytes()
    assert n_patterns == len(reference) < 3000
    merged = Patterns.load(tmp_path / "p.npz")
    direct = active_patterns(whole, 0.5)
    assert [merged.pattern(i) for i in merged.inverse] == [
        direct.pattern(i) for i in direct.inverse
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cf.indices.npy",
        "cf.indptr.npy",
        "cf.values.npy",
        "clusters.tsv",
        "f.npz",
        "p.npz",
        "ref.npy",
        "ref.npz",
    ]


def test_chromosome_cluster_features_bad_input_leaves_nothing(tmp_path):
    from genovocab.motifs.token_files import chromosome_cluster_features

    sp.save_npz(tmp_path / "f.npz", sp.random(50, 5, density=0.4, format="csr", random_state=1))
    (tmp_path / "clusters.tsv").write_text(
        "feature\tcluster\n" + "".join(f"{i}\t{c}\n" for i, c in enumerate(LABELS))
    )
    with pytest.raises(InputError, match="f.npz: matrix has 5 feature columns"):
        chromosome_cluster_features(
            tmp_path / "f.npz",
            tmp_path / "clusters.tsv",
            cluster_features_out=tmp_path / "cf",
            patterns_out=tmp_path / "p.npz",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.tsv", "f.npz"]


def test_pattern_merger_compares_cluster_ids_after_a_hash_match(tmp_path, monkeypatch):
    """Two different patterns with equal hashes in different blocks are an error, not merged."""
    from genovocab.npystream import NpyAppender

    monkeypatch.setattr(
        patterns_module,
        "_pattern_hashes",
        lambda indices, indptr, weights: (
            np.zeros(indptr.size - 1, dtype=np.uint64),
            np.zeros(indptr.size - 1, dtype=np.uint64),
        ),
    )
    with open(tmp_path / "spill.npy", "w+b") as handle:
        merger = patterns.PatternMerger(3, NpyAppender(handle, np.int32))
        one = Patterns(
            np.array([0, 1]), np.array([0], dtype=np.int32), np.array([2]), np.array([0, 0])
        )
        merger.add(one)
        merger.add(one)  # the same pattern again: found, compared, merged
        assert len(merger) == 1
        other = Patterns(
            np.array([0, 1]), np.array([1], dtype=np.int32), np.array([1]), np.array([0])
        )
        with pytest.raises(GenovocabError, match="hash collision"):
            merger.add(other)


def test_token_vocab_files_and_chromosome_tokens(tmp_path):
    """The workflow steps on two chromosomes, every figure by hand.

    Bins (clusters strongest first): c0 = (0,), (), (1, 0); c1 = (), (0,), (0,).
    Supports: () 6, (0,) 3, (1,) 1, (1, 0) 1. With 8 ids (5 specials + 3 tokens) the kept
    prefixes are (), (0,), then (1,) before (1, 0) (tie: shorter first); bin (1, 0) backs off
    to (1,)."""
    import json

    from genovocab.motifs.token_files import chromosome_tokens, token_vocab_files
    from genovocab.motifs.vocabulary import read_vocab

    cfs = [
        sp.csr_matrix(np.array([[0.6, 0], [0, 0], [0.7, 0.9]], dtype=np.float32)),
        sp.csr_matrix(np.array([[0.0, 0], [0.8, 0], [0.5, 0]], dtype=np.float32)),
    ]
    pats, edges, prefixes = [], [], []
    for i, (cf, e) in enumerate(zip(cfs, ([0, 10, 30, 60], [0, 5, 25, 40]))):
        active_patterns(cf, 0.5).save(tmp_path / f"p{i}.npz")
        np.save(tmp_path / f"e{i}.npy", np.array(e, dtype=np.int64))
        token_files.write_csr_arrays(tmp_path / f"cf{i}", cf)
        pats.append(tmp_path / f"p{i}.npz")
        edges.append(tmp_path / f"e{i}.npy")
        prefixes.append(tmp_path / f"cf{i}")
    (tmp_path / "clusters.tsv").write_text(
        "feature\tcluster\tmatrix_id\tname\tstrand\n0\t0\tMA1\tCTCF\t+\n1\t1\tMA2\tSP1\t+\n"
    )
    summary = token_vocab_files(
        pats,
        edges,
        vocab_out=tmp_path / "v.tsv",
        zipf_out=tmp_path / "z.json",
        plot_out=tmp_path / "z.png",
        clusters=tmp_path / "clusters.tsv",
        size=8,
        chunk_rows=2,
    )
    assert (tmp_path / "v.tsv").read_text().splitlines()[6:] == [
        "5\tm-\t2\t0.333333\t6\t0\t.\t.",
        "6\tm0\t3\t0.5\t3\t1\t0\tCTCF",
        "7\tm1\t1\t0.166667\t1\t1\t1\tSP1",
    ]
    assert summary["vocab_size"] == 8 and summary["n_bins"] == 6 and summary["total_bp"] == 100
    assert summary["fraction_active_clusters_kept"] == pytest.approx(4 / 5)
    assert summary["tokens_used"] == 3 and summary["unk_share"] == 0
    assert summary["top_token_share"] == pytest.approx(0.5)
    assert json.loads((tmp_path / "z.json").read_text())["zipf"]["n_tokens"] == 3
    assert read_vocab(tmp_path / "v.tsv").patterns == [(), (0,), (1,)]
    got = chromosome_tokens(
        pats[0],
        tmp_path / "v.tsv",
        "c0",
        tokens_out=tmp_path / "t0.npy",
        stats_out=tmp_path / "s0.json",
        cluster_features=prefixes[0],
    )
    assert got.tolist() == [6, 5, 7] and np.load(tmp_path / "t0.npy").dtype == np.int32
    stats = json.loads((tmp_path / "s0.json").read_text())
    assert stats["kept_clusters"] == 2 and stats["active_clusters"] == 3
    assert stats["kept_value"] == pytest.approx(0.6 + 0.9, rel=1e-6)
    assert stats["active_value"] == pytest.approx(0.6 + 0.7 + 0.9, rel=1e-6)
    assert stats["diagnostic_band"]["n_sets"] == 3
    assert chromosome_tokens(
        pats[1], tmp_path / "v.tsv", "c1", tokens_out=tmp_path / "t1.npy"
    ).tolist() == [5, 6, 6]
    with pytest.raises(InputError, match=r"p0.npz: 3 bins, but .*e2.npy gives 1"):
        np.save(tmp_path / "e2.npy", np.array([0, 10], dtype=np.int64))
        token_vocab_files(
            [pats[0]],
            [tmp_path / "e2.npy"],
            vocab_out=tmp_path / "v2.tsv",
            zipf_out=tmp_path / "z2.json",
        )
    assert not (tmp_path / "v2.tsv").exists()


def test_zipf_plots_draw_log_spaced_ranks_of_large_vocabularies():
    freq = np.arange(50_000, 0, -1).astype(np.float64)
    ranks, shown = token_plots._plotted(freq)
    assert ranks[0] == 1 and ranks[-1] == 50_000 and ranks.size <= token_plots.PLOT_POINTS
    assert np.all(np.diff(ranks) > 0) and np.array_equal(shown, freq[ranks - 1])
    small = np.array([5.0, 3.0, 1.0])
    assert token_plots._plotted(small)[0].tolist() == [1, 2, 3]


def test_token_vocab_refuses_a_pattern_file_with_other_ids(tmp_path):
    from genovocab.motifs.token_files import token_vocab_files

    with open(tmp_path / "p.npz", "wb") as handle:  # int64 ids, as no pattern file has them
        np.savez(
            handle,
            indptr=np.array([0, 1]),
            indices=np.array([3], dtype=np.int64),
            counts=np.array([1]),
            inverse=np.array([0]),
        )
    np.save(tmp_path / "e.npy", np.array([0, 10], dtype=np.int64))
    with pytest.raises(InputError, match=r"p.npz: indices.npy is int64 \(1,\), expected 1-D int32"):
        token_vocab_files(
            [tmp_path / "p.npz"],
            [tmp_path / "e.npy"],
            vocab_out=tmp_path / "v.tsv",
            zipf_out=tmp_path / "z.json",
        )
    assert not (tmp_path / "v.tsv").exists()


def test_kept_value_read_in_chunks_equals_a_plain_sort(tmp_path):
    """Every bin keeps its ``size`` strongest active values; chunk boundaries change nothing."""
    rng = np.random.default_rng(8)
    dense = rng.random((300, 12)) * (rng.random((300, 12)) < 0.4)
    csr = sp.csr_matrix(dense.astype(np.float32))
    prefix = tmp_path / "c"
    for name, array in (
        ("indptr", csr.indptr.astype(np.int64)),
        ("indices", csr.indices),
        ("values", csr.data),
    ):
        np.save(f"{prefix}.{name}.npy", array)
    sizes = rng.integers(0, 5, 300)
    kept = total = 0.0
    for row, size in zip(csr.toarray().astype(np.float64), sizes):
        active = np.sort(row[row >= 0.5])[::-1]
        kept += active[:size].sum()
        total += active.sum()
    for chunk_rows in (1, 7, 1 << 16):
        got = token_files.kept_value(prefix, sizes, 0.5, chunk_rows=chunk_rows)
        assert got == pytest.approx((kept, total), rel=1e-12)
