"""Bin x feature matrices: known values, a dense per-feature reference, files, the CLI."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from genovocab.motifs.features import (
    FeatureAccumulator,
    bin_and_featurize,
    binning_options,
    cpg_dinucleotide_sites,
    feature_matrix,
    feature_table,
    interval_sites,
    save_npz_deterministic,
    write_feature_table,
)
from genovocab.motifs.sites import MatrixSet, Sites


def sites_of(starts, lengths, features):
    n = len(starts)
    z = np.zeros(n, np.int64)
    return Sites(
        np.array(starts, np.int64), np.array(lengths, np.int64), np.array(features, np.int64), z, z
    )


EDGES = np.array([0, 10, 20, 30, 40])


def test_site_spanning_three_bins_splits_by_overlap():
    m = feature_matrix([sites_of([5], [20], [1])], EDGES, 2).toarray()
    np.testing.assert_allclose(m[:, 1], [0.25, 0.5, 0.25, 0.0])
    assert m[:, 0].sum() == 0 and m.dtype == np.float32


def test_half_open_boundaries():
    m = feature_matrix([sites_of([10, 29], [10, 2], [0, 0])], EDGES, 1).toarray()[:, 0]
    np.testing.assert_allclose(m, [0.0, 1.0, 0.5, 0.5])


def test_overlapping_sites_of_one_matrix_both_count():
    m = feature_matrix([sites_of([12, 14], [4, 4], [0, 0])], EDGES, 1).toarray()[:, 0]
    np.testing.assert_allclose(m, [0.0, 2.0, 0.0, 0.0])


def dense_reference(sites: Sites, edges: np.ndarray, n_features: int, length: int):
    """Davarmanesh et al.'s approach: one base-resolution array and one histogram per feature."""
    out = np.zeros((edges.size - 1, n_features))
    positions = np.arange(length)
    for f in range(n_features):
        track = np.zeros(length)
        sel = sites.feature == f
        for s, ln in zip(sites.start[sel], sites.length[sel]):
            track[s : s + ln] += 1.0 / ln
        out[:, f] = np.histogram(positions, bins=edges, weights=track)[0]
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sites_equal_dense_reference_and_sum_to_one(seed):
    rng = np.random.default_rng(seed)
    length, n, n_features = 5000, 3000, 12
    starts = np.sort(rng.integers(0, length - 21, n))
    sites = sites_of(starts, rng.integers(6, 22, n), rng.integers(0, n_features, n))
    edges = np.unique(np.concatenate([[0, length], rng.integers(1, length, 400)]))
    chunks = [sites.take(np.arange(k, min(n, k + 251))) for k in range(0, n, 251)]
    m = feature_matrix(chunks, edges, n_features)
    assert m.shape == (edges.size - 1, n_features) and isinstance(m, sp.csr_matrix)
    np.testing.assert_allclose(
        m.toarray(), dense_reference(sites, edges, n_features, length), atol=1e-5
    )
    # each site's values sum to 1: per-feature column sums equal site counts
    np.testing.assert_allclose(
        np.asarray(m.sum(axis=0)).ravel(),
        np.bincount(sites.feature, minlength=n_features),
        atol=1e-3,
    )
    one = feature_matrix([sites], edges, n_features)
    assert (one != m).nnz == 0
    assert m.has_canonical_format


def test_each_site_sums_to_one():
    rng = np.random.default_rng(9)
    edges = np.unique(np.concatenate([[0, 1000], rng.integers(1, 1000, 200)]))
    for _ in range(50):
        s = int(rng.integers(0, 979))
        ln = int(rng.integers(1, 22))
        m = feature_matrix([sites_of([s], [ln], [0])], edges, 1)
        assert abs(float(m.sum()) - 1.0) < 1e-6


def test_unsorted_chunks_and_bad_features_are_errors():
    acc = FeatureAccumulator(EDGES, 2)
    acc.add(sites_of([20], [5], [0]))
    with pytest.raises(ValueError, match="sorted by start"):
        acc.add(sites_of([3], [5], [0]))
    with pytest.raises(ValueError, match="feature index outside 0..1"):
        FeatureAccumulator(EDGES, 2).add(sites_of([3], [5], [2]))
    with pytest.raises(ValueError, match="outside the binned chromosome"):
        FeatureAccumulator(EDGES, 2).add(sites_of([38], [5], [0]))


def test_feature_table_order_and_cpg(tmp_path):
    mset = MatrixSet(("MA0001.1", "MA0139.1"), ("AGL3", "CTCF"))
    assert feature_table(mset) == [
        (0, "MA0001.1", "AGL3", "+"),
        (1, "MA0001.1", "AGL3", "-"),
        (2, "MA0139.1", "CTCF", "+"),
        (3, "MA0139.1", "CTCF", "-"),
    ]
    assert feature_table(mset, "islands")[-1] == (4, "CpG", "CpG", ".")
    with pytest.raises(ValueError, match="cpg must be one of"):
        feature_table(mset, "maybe")
    write_feature_table(tmp_path / "f.tsv", mset, "dinucleotide")
    lines = (tmp_path / "f.tsv").read_text().splitlines()
    assert lines[0] == "index\tmatrix_id\tname\tstrand" and lines[-1] == "4\tCpG\tCpG\t."


def test_cpg_dinucleotides_and_islands():
    seq = "ACGTTCGAcgNNCG"
    chunks = list(cpg_dinucleotide_sites(seq, 7, window=4))
    got = Sites.concat(chunks)
    assert got.start.tolist() == [1, 5, 8, 12] and set(got.feature.tolist()) == {7}
    assert got.length.tolist() == [2, 2, 2, 2]
    isl = interval_sites(np.array([30, 5]), np.array([35, 25]), 3)
    assert isl.start.tolist() == [5, 30] and isl.length.tolist() == [20, 5]


def test_bin_and_featurize_with_cpg_feature_not_in_coverage():
    motif = sites_of([100, 102, 104], [10, 10, 10], [0, 1, 0])
    isl = interval_sites(np.array([0]), np.array([300]), 2)
    res_plain, _, _ = bin_and_featurize(lambda: iter([motif]), 300, 2)
    res, m, counts = bin_and_featurize(
        lambda: iter([motif]), 300, 3, extra_chunks=lambda: iter([isl])
    )
    np.testing.assert_array_equal(res.edges, res_plain.edges)  # CpG does not move edges
    assert counts.tolist() == [2, 1, 1]
    col = m.toarray()[:, 2]
    np.testing.assert_allclose(col, np.diff(res.edges) / 300, rtol=1e-6)


def test_binning_options_translate_the_config_names():
    from genovocab.motifs.steps import BinParams

    params = BinParams(sigma=2.5, peak_width=7.0, max_bin=40, trim_step=10)
    assert binning_options(params) == {"sigma": 2.5, "width": 7.0, "max_bin": 40, "trim_step": 10}
    motif = sites_of([100, 102, 104, 250], [10, 10, 10, 8], [0, 1, 0, 1])
    res, _, _ = bin_and_featurize(lambda: iter([motif]), 400, 2, **binning_options(params))
    ref, _, _ = bin_and_featurize(
        lambda: iter([motif]), 400, 2, sigma=2.5, width=7.0, max_bin=40, trim_step=10
    )
    np.testing.assert_array_equal(res.edges, ref.edges)


def test_npz_is_loadable_and_deterministic(tmp_path):
    rng = np.random.default_rng(4)
    m = sp.random(200, 30, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    for compress in (True, False):
        a, b = tmp_path / f"a{compress}.npz", tmp_path / f"b{compress}.npz"
        save_npz_deterministic(a, m, compress=compress)
        save_npz_deterministic(b, m, compress=compress)
        assert a.read_bytes() == b.read_bytes()
        back = sp.load_npz(a)
        assert back.format == "csr" and back.dtype == np.float32 and back.shape == m.shape
        assert (back != m).nnz == 0


def test_cli_bin_motifs_on_real_slice(tmp_path, real_data):
    folder = real_data / "hg38_chr1_1-99950"
    sites = tmp_path / "sites.tsv.gz"
    base = [sys.executable, "-m", "genovocab"]
    proc = subprocess.run(
        base
        + [
            "scan-motifs",
            "--quiet",
            "--genome",
            str(folder / "genome/hg38_chr1_1-99950.fa"),
            "--pfms",
            str(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"),
            "--out",
            str(sites),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "bins"
    proc = subprocess.run(
        base
        + [
            "bin-motifs",
            "--sites",
            str(sites),
            "--chrom-sizes",
            str(folder / "genome/chrom.sizes"),
            "--out-dir",
            str(out),
            "--cpg",
            "islands",
            "--pfms",
            str(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"),
            "--cpg-islands",
            str(folder / "cpg/CpGIsland.hg38.chr1_1-99950.bed"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    edges = np.load(out / "chr1.bins.npy")
    m = sp.load_npz(out / "chr1.features.npz")
    features = (out / "features.tsv").read_text().splitlines()
    assert edges[0] == 0 and edges[-1] == 99950 and np.all(np.diff(edges) > 0)
    assert np.diff(edges).max() <= 50
    assert len(features) == 1 + 2 * 11 + 1 and features[-1].startswith("22\tCpG")
    assert m.shape == (edges.size - 1, 23)
    n_sites = len(gzip.decompress(sites.read_bytes()).splitlines())
    assert abs(m.sum() - (n_sites + 1)) < 1e-2  # every site (and the island) sums to 1
    # the first 10 kb are N: no site there, and the N run is cut into 25 bp bins
    assert m[: np.searchsorted(edges, 10_000)].nnz == 0
    assert np.all(np.diff(edges[edges <= 10_000])[:-1] == 25)
    stats = (out / "stats.tsv").read_text().splitlines()
    assert stats[0].split("\t")[:6] == [
        "chrom",
        "length",
        "sites",
        "peaks",
        "bins",
        "mean_bin_length",
    ]
    assert (out / "bin_lengths.png").read_bytes()[:4] == b"\x89PNG"


def test_spilled_accumulator_writes_the_same_npz(tmp_path):
    rng = np.random.default_rng(12)
    length, n, n_features = 20000, 8000, 40
    sites = sites_of(
        np.sort(rng.integers(0, length - 21, n)),
        rng.integers(6, 22, n),
        rng.integers(0, n_features, n),
    )
    edges = np.unique(np.concatenate([[0, length], rng.integers(1, length, 1500)]))
    chunks = [sites.take(np.arange(k, min(n, k + 999))) for k in range(0, n, 999)]
    ref = feature_matrix(chunks, edges, n_features)
    spill = tmp_path / "spill"
    spill.mkdir()
    acc = FeatureAccumulator(edges, n_features, spill_dir=spill)
    for c in chunks:
        acc.add(c)
    assert acc.write_npz(tmp_path / "s.npz") == ref.nnz
    save_npz_deterministic(tmp_path / "m.npz", ref)
    assert (tmp_path / "s.npz").read_bytes() == (tmp_path / "m.npz").read_bytes()
    assert list(spill.iterdir()) == []  # temporary files are gone
    with pytest.raises(RuntimeError, match="already finished"):
        acc.finish()
