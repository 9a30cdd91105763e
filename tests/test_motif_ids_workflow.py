"""The demo run's IDS, clusters, cluster features, tokens and Zipf outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from genovocab.motifs.clustering import cluster_ids
from genovocab.motifs.ids import ids
from genovocab.motifs.tokens import cluster_features, read_csr_arrays

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def motifs_dir(demo_run):
    found = sorted((demo_run / "results").glob("*.work/motifs/ids.npy"))
    assert len(found) == 1, found
    return found[0].parent


@pytest.fixture(scope="module")
def chroms(motifs_dir):
    return sorted(p.name[: -len(".features.npz")] for p in
                  (motifs_dir / "bins").glob("*.features.npz"))


def test_ids_matrix_matches_in_memory_ids(motifs_dir, chroms):
    matrix = np.load(motifs_dir / "ids.npy")
    features = pd.read_csv(motifs_dir / "features.tsv", sep="\t")
    labels = pd.read_csv(motifs_dir / "ids.tsv", sep="\t")
    assert matrix.dtype == np.float32 and matrix.shape == (len(features), len(features))
    assert labels["matrix_id"].tolist() == features["matrix_id"].tolist()
    assert np.array_equal(matrix, matrix.T)
    assert matrix.min() >= 0 and matrix.max() <= 1
    stacked = sp.vstack([sp.load_npz(motifs_dir / "bins" / f"{c}.features.npz")
                         for c in chroms]).tocsr()
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


def test_cluster_features_tokens_and_zipf(motifs_dir, chroms):
    labels = pd.read_csv(motifs_dir / "clusters.tsv", sep="\t")["cluster"].to_numpy()
    vocab = pd.read_csv(motifs_dir / "token_vocab.tsv", sep="\t", dtype={"clusters": str},
                        keep_default_na=False)
    patterns = [tuple(int(v) for v in s.split(",")) if s != "." else ()
                for s in vocab["clusters"]]
    counts = np.zeros(len(vocab), dtype=np.int64)
    for chrom in chroms:
        X = sp.load_npz(motifs_dir / "bins" / f"{chrom}.features.npz").tocsr()
        cf = read_csr_arrays(motifs_dir / "cluster_features" / chrom, labels.max() + 1)
        dense = X.toarray().astype(np.float64)
        want = np.column_stack([dense[:, labels == c].mean(axis=1)
                                for c in range(labels.max() + 1)])
        stored = cf.toarray()
        assert cf.dtype == np.float32 and np.abs(stored - want).max() < 1e-6
        assert np.abs(cf.toarray() - cluster_features(X, labels).toarray()).max() == 0
        tokens = np.load(motifs_dir / "tokens" / f"{chrom}.tokens.npy")
        edges = np.load(motifs_dir / "bins" / f"{chrom}.bins.npy")
        assert tokens.size == edges.size - 1 == X.shape[0]
        rows = np.random.default_rng(0).choice(tokens.size, size=min(500, tokens.size),
                                               replace=False)
        for r in rows:  # tokens threshold the stored float32 cluster values
            assert patterns[tokens[r]] == tuple(np.flatnonzero(stored[r] >= 0.5).tolist())
        counts += np.bincount(tokens, minlength=len(vocab))
    assert counts.tolist() == vocab["count"].tolist()
    assert np.all(np.diff(vocab["count"]) <= 0)
    zipf = json.loads((motifs_dir / "zipf.json").read_text())
    assert zipf["zipf"]["n_tokens"] == len(vocab)
    assert zipf["coverage"]["n_bins"] == int(counts.sum())
    freq = vocab["count"].to_numpy(dtype=np.float64)
    if freq.size >= 3:
        r = np.corrcoef(np.log10(np.arange(1, freq.size + 1)), np.log10(freq))[0, 1]
        assert zipf["zipf"]["pearson_r"] == pytest.approx(r, abs=1e-9)
    for png in ("ids_heatmap.png", "zipf.png"):
        assert (motifs_dir / png).read_bytes()[:4] == b"\x89PNG"
