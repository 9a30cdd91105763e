"""Motif coverage and peak binning: hand-computed edges for small signals."""

from __future__ import annotations

import numpy as np
import pytest

from genovocab.motifs.binning import (
    bin_edges,
    coverage,
    peak_edges,
    smooth_coverage,
    trim_long_bins,
)
from genovocab.motifs.sites import Sites


def sites_of(starts, lengths):
    n = len(starts)
    z = np.zeros(n, np.int64)
    return Sites(np.array(starts, np.int64), np.array(lengths, np.int64), z, z, z)


def test_coverage_counts_sites_per_base_across_chunks():
    chunks = [sites_of([0, 2], [3, 3]), sites_of([2, 7], [1, 3])]
    cov = coverage(chunks, 10)
    # bases: 0 1 2 3 4 5 6 7 8 9
    assert cov.tolist() == [1, 1, 3, 1, 1, 0, 0, 1, 1, 1]
    assert cov.dtype == np.int32
    with pytest.raises(ValueError, match="outside the chromosome"):
        coverage([sites_of([8], [3])], 10)


def test_single_peak_interpolated_half_prominence_crossings():
    # triangle peak of height 5 at x = 10; half prominence = 2.5 is crossed at 7.5 and 12.5
    cov = np.maximum(0, 5 - np.abs(np.arange(30) - 10))
    res = bin_edges(cov, sigma=0)
    assert res.edges.tolist() == [0, 7, 12, 30]
    assert res.n_peaks == 1 and res.n_long == 0


def test_two_merged_peaks_share_one_bin():
    # two peaks of 6 at x = 10 and 14 over a valley of 4: each has prominence 6 (the other is
    # not higher), both cross height 3 at x = 7 and x = 17 -> one bin [7, 17)
    cov = np.zeros(30, dtype=np.int32)
    cov[5:20] = [1, 2, 3, 4, 5, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1]
    res = bin_edges(cov, sigma=0)
    assert res.n_peaks == 2
    assert res.edges.tolist() == [0, 7, 17, 30]


def test_narrow_shoulder_peak_is_dropped_by_width():
    # a shoulder (6 at x = 10, prominence 2, width 2 < 5) beside a main peak (8 at x = 14,
    # prominence 8, half height 4 crossed at x = 12 and x = 18)
    cov = np.zeros(40, dtype=np.int32)
    cov[5:23] = [1, 2, 3, 4, 5, 6, 5, 4, 6, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    res = bin_edges(cov, sigma=0)
    assert res.n_peaks == 1
    assert res.edges.tolist() == [0, 12, 18, 40]
    wide = bin_edges(cov, sigma=0, width=1)  # now the shoulder counts: crossings 9.0 and 11.0
    assert wide.edges.tolist() == [0, 9, 11, 12, 18, 40]


def test_flat_stretch_longer_than_max_bin_is_cut_every_25():
    res = bin_edges(np.zeros(120, dtype=np.int32))
    assert res.edges.tolist() == [0, 25, 50, 75, 100, 120]
    assert (res.n_long, res.n_trimmed_bins) == (1, 5)
    assert bin_edges(np.zeros(50, dtype=np.int32)).edges.tolist() == [0, 50]
    assert bin_edges(np.zeros(51, dtype=np.int32)).edges.tolist() == [0, 25, 50, 51]


def test_chromosome_ends():
    # rising to the very last base: no peak at the edge -> one bin, then trimmed
    cov = np.arange(60) // 10
    assert bin_edges(cov, sigma=0).edges.tolist() == [0, 25, 50, 60]
    # a peak one base from the end (5 at x = 18, 4 at x = 19): prominence 1, crossings at
    # 17.5 and 18.5, width 1
    cov = np.array([0] * 14 + [1, 2, 3, 4, 5, 4])
    assert bin_edges(cov, sigma=0).edges.tolist() == [0, 20]
    assert bin_edges(cov, sigma=0, width=1).edges.tolist() == [0, 17, 18, 20]
    # empty chromosome
    assert bin_edges(np.zeros(0, dtype=np.int32)).edges.tolist() == [0]


def test_trim_long_bins_keeps_short_bins_and_counts():
    edges, n_long, n_bins = trim_long_bins(np.array([0, 10, 61, 90, 141]), 50, 25)
    # [10, 61) (51 bp) -> 10, 35, 60 ; [90, 141) -> 90, 115, 140
    assert edges.tolist() == [0, 10, 35, 60, 61, 90, 115, 140, 141]
    assert (n_long, n_bins) == (2, 6)
    with pytest.raises(ValueError, match="positive"):
        trim_long_bins(np.array([0, 100]), 50, 0)


def test_smoothed_single_site_block_is_symmetric():
    cov = coverage([sites_of([100], [10])], 300)
    inner, n_peaks = peak_edges(cov)
    # Gaussian smoothing of a block [100, 110) is symmetric about 104.5: one peak whose
    # half-prominence crossings (truncated) are mirror images
    assert n_peaks == 1
    left, right = sorted(inner.tolist())
    assert 95 <= left < 100 < 110 <= right + 1 <= 115
    assert abs((left + right + 1) / 2 - 104.5) <= 0.5
    assert bin_edges(cov).edges.tolist() == sorted(
        {0, 25, 50, 75, left, right, 300} | set(range(right + 25, 300, 25))
    )


def test_random_coverage_edges_increasing_and_bounded():
    rng = np.random.default_rng(11)
    n = 20000
    starts = np.sort(rng.integers(0, 99_975, n))
    cov = coverage([sites_of(starts, rng.integers(6, 22, n))], 100_000)
    for max_bin, step in ((50, 25), (30, 10)):
        res = bin_edges(cov, max_bin=max_bin, trim_step=step)
        e = res.edges
        assert e[0] == 0 and e[-1] == 100_000 and e.dtype == np.int64
        assert np.all(np.diff(e) > 0)
        assert np.diff(e).max() <= max_bin
        assert 8 < np.diff(e).mean() < 25


def test_peak_finder_equals_scipy_find_peaks():
    from scipy.signal import find_peaks

    from genovocab.motifs.binning import local_maxima, peak_edges_smoothed

    rng = np.random.default_rng(21)
    signals = [
        np.array([0.0, 1.0, 1.0, 1.0]),
        np.array([0.0, 1.0, 1.0, 0.5]),
        np.array([2.0, 1.0, 2.0]),
        np.array([0.0, 2.0, 2.0, 2.0, 3.0, 1.0]),
    ]
    for _ in range(30):
        # small integers give many plateaus, also at both ends
        signals.append(rng.integers(0, 4, int(rng.integers(3, 400))).astype(np.float64))
    for _ in range(5):
        signals.append(smooth_coverage(rng.integers(0, 30, 5000).astype(np.int32)))
    for x in signals:
        ref, props = find_peaks(x)
        for block in (1 << 23, 7):
            np.testing.assert_array_equal(local_maxima(x, block=block), ref)
        ref_w, props_w = find_peaks(x, width=5)
        edges, n = peak_edges_smoothed(x, 5)
        assert n == ref_w.size
        np.testing.assert_array_equal(
            edges,
            np.concatenate(
                [props_w["left_ips"].astype(np.int64), props_w["right_ips"].astype(np.int64)]
            ),
        )


def test_blockwise_smoothing_is_bit_identical():
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(1)
    for n in (1, 5, 13, 30, 1000, 20011):
        c = rng.integers(0, 50, n).astype(np.int32)
        ref = gaussian_filter1d(c.astype(np.float64), 3.0, mode="reflect", truncate=4.0)
        for block in (1, 7, 25, 4096, 1 << 22):
            np.testing.assert_array_equal(smooth_coverage(c, 3.0, block=block), ref)
    assert smooth_coverage(np.array([1, 2], dtype=np.int32), 0).tolist() == [1.0, 2.0]
