"""Hierarchical clustering of an IDS matrix: blocks, cuts, stable numbering, tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genovocab.errors import GenovocabError, InputError
from genovocab.motifs.clustering import (
    TSV_FORMAT,
    cluster_ids,
    cluster_summary,
    cluster_table,
    plot_ids_heatmap,
    read_clusters,
    read_feature_table,
    renumber,
)
from genovocab.tables import write_tsv


def block_matrix(blocks, seed=0, inside=0.85, outside=0.05):
    """A noisy IDS matrix whose features form the given blocks (lists of feature indices)."""
    d = sum(len(b) for b in blocks)
    rng = np.random.default_rng(seed)
    m = rng.uniform(0, outside, size=(d, d))
    for block in blocks:
        idx = np.array(block)
        m[np.ix_(idx, idx)] = inside + rng.uniform(0, 0.1, size=(idx.size, idx.size))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 1.0)
    return m


BLOCKS = [[0, 3, 7], [1, 2], [4], [5, 6, 8, 9]]
WANT = np.array([0, 1, 1, 0, 2, 3, 3, 0, 3, 3])  # numbered by first member in feature order


def features(d):
    return pd.DataFrame(
        {
            "index": [str(i) for i in range(d)],
            "matrix_id": [f"MA{i:04d}.1" for i in range(d)],
            "name": [f"TF{i}" for i in range(d)],
            "strand": ["+" if i % 2 == 0 else "-" for i in range(d)],
        }
    )


@pytest.mark.parametrize("method", ["average", "complete", "single", "weighted"])
def test_blocks_recovered_by_threshold(method):
    m = block_matrix(BLOCKS)
    got = cluster_ids(m, threshold=0.5, method=method)
    assert np.array_equal(got.labels, WANT)
    assert got.n_clusters == 4
    assert sorted(got.order.tolist()) == list(range(10))


def test_blocks_recovered_by_count_and_stable():
    m = block_matrix(BLOCKS, seed=3)
    first = cluster_ids(m, n_clusters=4)
    assert np.array_equal(first.labels, WANT)
    for _ in range(3):
        again = cluster_ids(m, n_clusters=4)
        assert np.array_equal(again.labels, first.labels)
        assert np.array_equal(again.linkage, first.linkage)
    assert cluster_ids(m, n_clusters=1).labels.tolist() == [0] * 10
    assert cluster_ids(m, n_clusters=10).labels.tolist() == list(range(10))
    assert cluster_ids(m, threshold=0.0).labels.tolist() == list(range(10))


def test_renumber():
    assert renumber(np.array([5, 5, 2, 9, 2, 1])).tolist() == [0, 0, 1, 2, 1, 3]


def test_members_and_summary(tmp_path):
    m = block_matrix(BLOCKS)
    c = cluster_ids(m, threshold=0.5)
    assert [x.tolist() for x in c.members()] == [[0, 3, 7], [1, 2], [4], [5, 6, 8, 9]]
    feats = features(10)
    summary = cluster_summary(c, feats, m)
    assert summary["size"].tolist() == [3, 2, 1, 4]
    want0 = np.mean([m[0, 3], m[0, 7], m[3, 7]])
    assert summary["mean_ids"].iloc[0] == pytest.approx(want0)
    assert np.isnan(summary["mean_ids"].iloc[2])
    assert summary["members"].iloc[1] == "TF1(-),TF2(+)"
    table = cluster_table(c, feats)
    assert table.columns.tolist() == ["feature", "cluster", "matrix_id", "name", "strand"]
    write_tsv(tmp_path / "clusters.tsv", table, **TSV_FORMAT)
    write_tsv(tmp_path / "summary.tsv", summary, **TSV_FORMAT)
    assert read_clusters(tmp_path / "clusters.tsv").tolist() == WANT.tolist()
    text = (tmp_path / "summary.tsv").read_text()
    assert "\tNA\t" in text and text.startswith("cluster\tsize\tmean_ids\tfeatures\tmembers\n")
    plot_ids_heatmap(tmp_path / "heat.png", m, c, labels=feats["name"].tolist())
    assert (tmp_path / "heat.png").read_bytes()[:4] == b"\x89PNG"


def test_zero_variance_features_stay_apart():
    m = block_matrix([[0, 1], [2, 3]])
    m = np.pad(m, ((0, 2), (0, 2)))  # features 4, 5: IDS 0 everywhere (zero variance)
    c = cluster_ids(m, threshold=0.9)
    assert c.labels.tolist() == [0, 0, 1, 1, 2, 3]


def test_feature_table_checks(tmp_path):
    good = tmp_path / "features.tsv"
    features(3).to_csv(good, sep="\t", index=False)
    assert read_feature_table(good, d=3)["name"].tolist() == ["TF0", "TF1", "TF2"]
    with pytest.raises(InputError, match="features.tsv: feature table has 3 features, the IDS"):
        read_feature_table(good, d=4)
    bad = tmp_path / "bad.tsv"
    bad.write_text("index\tmatrix_id\tname\tstrand\n0\tA\ta\t+\n2\tB\tb\t-\n")
    with pytest.raises(InputError, match=r"bad.tsv, line 3: feature index 2 is not 1"):
        read_feature_table(bad)
    missing = tmp_path / "missing.tsv"
    missing.write_text("index\tname\n0\ta\n")
    with pytest.raises(
        InputError,
        match=r"missing.tsv, line 1: feature table lacks column\(s\) "
        "matrix_id, strand",
    ):
        read_feature_table(missing)
    gap = tmp_path / "gap.tsv"
    gap.write_text("feature\tcluster\n0\t0\n1\t2\n")
    with pytest.raises(InputError, match="gap.tsv: cluster numbers must be 0, 1, ... without"):
        read_clusters(gap)


def test_bad_arguments():
    m = block_matrix(BLOCKS)
    with pytest.raises(GenovocabError, match="exactly one of a distance threshold"):
        cluster_ids(m)
    with pytest.raises(GenovocabError, match="exactly one of a distance threshold"):
        cluster_ids(m, threshold=0.5, n_clusters=3)
    with pytest.raises(GenovocabError, match="linkage method must be one of"):
        cluster_ids(m, threshold=0.5, method="ward")
    with pytest.raises(GenovocabError, match=r"IDS matrix must be square, got shape \(2, 3\)"):
        cluster_ids(np.zeros((2, 3)), threshold=0.5)
    with pytest.raises(GenovocabError, match="distance threshold must be in"):
        cluster_ids(m, threshold=1.5)
    with pytest.raises(GenovocabError, match="NaN or infinite"):
        cluster_ids(np.full((2, 2), np.nan), threshold=0.5)


def test_cli_cluster_motifs(tmp_path):
    from genovocab.cli import main

    m = block_matrix(BLOCKS)
    np.save(tmp_path / "ids.npy", m.astype(np.float32))
    features(10).to_csv(tmp_path / "features.tsv", sep="\t", index=False)
    out = tmp_path / "clusters.tsv"
    assert (
        main(
            [
                "cluster-motifs",
                "--ids",
                str(tmp_path / "ids.npy"),
                "--labels",
                str(tmp_path / "features.tsv"),
                "--clusters",
                "4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out, sep="\t")
    assert table["cluster"].tolist() == WANT.tolist()
    assert table["name"].tolist()[:2] == ["TF0", "TF1"]
    assert (tmp_path / "clusters_summary.tsv").exists()
    assert (
        main(
            [
                "cluster-motifs",
                "--ids",
                str(tmp_path / "ids.npy"),
                "--labels",
                str(tmp_path / "features.tsv"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert pd.read_csv(out, sep="\t")["cluster"].tolist() == WANT.tolist()
