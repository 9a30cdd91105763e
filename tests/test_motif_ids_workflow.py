"""The demo run's IDS, clusters, cluster features, tokens and Zipf outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from genovocab.motifs.clustering import cluster_ids
from genovocab.motifs.ids import ids
from genovocab.motifs.patterns import cluster_features
from genovocab.motifs.token_files import read_csr_arrays

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def motifs_dir(demo_run):
    found = sorted((demo_run / "results").glob("*.work/motifs/ids.npy"))
    assert len(found) == 1, found
    return found[0].parent


@pytest.fixture(scope="module")
def chroms(motifs_dir):
    return sorted(
        p.name[: -len(".features.npz")] for p in (motifs_dir / "bins").glob("*.features.npz")
    )


@pytest.fixture(scope="module")
def trained(chroms):
    """The chromosomes the IDS and the motif vocabulary are trained on: the demo's held-out
    chromosome (evaluation.held_out = the test split, chr3) is not training data."""
    assert "chr3" in chroms
    return [c for c in chroms if c != "chr3"]


def test_ids_matrix_matches_in_memory_ids(motifs_dir, trained):
    matrix = np.load(motifs_dir / "ids.npy")
    features = pd.read_csv(motifs_dir / "features.tsv", sep="\t")
    labels = pd.read_csv(motifs_dir / "ids.tsv", sep="\t")
    assert matrix.dtype == np.float32 and matrix.shape == (len(features), len(features))
    assert labels["matrix_id"].tolist() == features["matrix_id"].tolist()
    assert np.array_equal(matrix, matrix.T)
    assert matrix.min() >= 0 and matrix.max() <= 1
    stacked = sp.vstack(
        [sp.load_npz(motifs_dir / "bins" / f"{c}.features.npz") for c in trained]
    ).tocsr()
    want = ids(stacked)  # config: exact mode, K = 6, B = 0.5, norm max
    assert np.abs(matrix - want).max() < 1e-6
    constant = np.asarray(stacked.max(axis=0).todense()).ravel() == 0
    assert np.all(matrix[constant] == 0)
    assert np.all(np.diag(matrix)[~constant] == 1)


def test_clusters_reproduce(motifs_dir):
    matrix = np.load(motifs_dir / "ids.npy").astype(np.float64)
    table = pd.read_csv(motifs_dir / "clusters.tsv", sep="\t")
    want = cluster_ids(matrix, threshold=0.5, method="average").labels
    assert table["cluster"].tolist() == want.tolist()
    first = table.groupby("cluster")["feature"].min().to_numpy()
    assert np.all(np.diff(first) > 0)  # numbered by first member
    summary = pd.read_csv(motifs_dir / "cluster_summary.tsv", sep="\t")
    assert summary["size"].sum() == len(table)
    assert summary["size"].tolist() == np.bincount(want).tolist()


def test_cluster_features_tokens_and_zipf(motifs_dir, chroms, trained):
    """Cluster features equal the member means; the vocabulary equals a plain Python count of
    every training bin's value-ordered prefixes (the best ``vocab_size - 5`` by support with
    support >= min_count); every bin's token, held-out chromosomes' included, is its longest
    prefix in it (back-off)."""
    from genovocab.motifs.vocabulary import DEFAULT_VOCAB_SIZE, N_SPECIAL

    labels = pd.read_csv(motifs_dir / "clusters.tsv", sep="\t")["cluster"].to_numpy()
    vocab = pd.read_csv(
        motifs_dir / "token_vocab.tsv", sep="\t", dtype={"clusters": str}, keep_default_na=False
    )
    patterns = [tuple(int(v) for v in s.split(",")) if s != "." else () for s in vocab["clusters"]]
    index = {p: i for i, p in enumerate(patterns) if i >= N_SPECIAL}
    counts = np.zeros(len(vocab), dtype=np.int64)
    support: dict[tuple[int, ...], int] = {}
    for chrom in chroms:
        X = sp.load_npz(motifs_dir / "bins" / f"{chrom}.features.npz").tocsr()
        cf = read_csr_arrays(motifs_dir / "cluster_features" / chrom, labels.max() + 1)
        dense = X.toarray().astype(np.float64)
        want = np.column_stack(
            [dense[:, labels == c].mean(axis=1) for c in range(labels.max() + 1)]
        )
        stored = cf.toarray()
        assert cf.dtype == np.float32 and np.abs(stored - want).max() < 1e-6
        assert np.abs(cf.toarray() - cluster_features(X, labels).toarray()).max() == 0
        tokens = np.load(motifs_dir / "tokens" / f"{chrom}.tokens.npy")
        edges = np.load(motifs_dir / "bins" / f"{chrom}.bins.npy")
        assert tokens.size == edges.size - 1 == X.shape[0]
        for r in range(tokens.size):  # the stored float32 values, strongest first
            row = stored[r]
            ordered = tuple(sorted(np.flatnonzero(row >= 0.5).tolist(), key=lambda c: (-row[c], c)))
            for k in range(len(ordered) + 1 if chrom in trained else 0):
                support[ordered[:k]] = support.get(ordered[:k], 0) + 1
            k = len(ordered)
            while ordered[:k] not in index:
                k -= 1
            assert tokens[r] == index[ordered[:k]]
        if chrom in trained:
            counts += np.bincount(tokens, minlength=len(vocab))
    assert counts.tolist() == vocab["count"].tolist()
    kept = sorted(
        (p for p, n in support.items() if n >= 5), key=lambda p: (-support[p], len(p), p)
    )[: DEFAULT_VOCAB_SIZE - N_SPECIAL]
    assert patterns[N_SPECIAL:] == kept
    assert vocab["support"].tolist()[N_SPECIAL:] == [support[p] for p in kept]
    zipf = json.loads((motifs_dir / "zipf.json").read_text())
    assert zipf["n_bins"] == int(counts.sum()) and zipf["unk_share"] == 0
    freq = np.sort(counts[counts > 0])[::-1].astype(np.float64)
    assert zipf["zipf"]["n_tokens"] == freq.size == zipf["tokens_used"]
    r = np.corrcoef(np.log10(np.arange(1, freq.size + 1)), np.log10(freq))[0, 1]
    assert zipf["zipf"]["pearson_r"] == pytest.approx(r, abs=1e-9)
    for png in ("ids_heatmap.png", "zipf.png"):
        assert (motifs_dir / png).read_bytes()[:4] == b"\x89PNG"
