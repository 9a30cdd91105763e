"""Motif coverage and peak binning of one chromosome (motif-aware tokenization, Davarmanesh
et al., appendix A.1).

coverage[x] = number of sites covering base x (all matrices, both strands), accumulated from
streamed site chunks into one difference array (never one array per matrix). The coverage is
smoothed with a Gaussian (``scipy.ndimage.gaussian_filter1d``, sigma 3, mode ``reflect``,
truncate 4), peaks are called with ``scipy.signal.find_peaks(width=5)`` on the whole
chromosome (prominence is not local), and the bin edges are every peak's interpolated
half-prominence crossings (``left_ips``, ``right_ips``, truncated to integers) plus 0 and the
chromosome length, sorted and unique. Bins longer than ``max_bin`` are then cut every
``trim_step`` bp from their start, and the edges are sorted and made unique again.
N gaps are bins like any other (they hold no sites, so they become long flat bins, trimmed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from genovocab.motifs.sites import Sites

SIGMA = 3.0
PEAK_WIDTH = 5.0
MAX_BIN = 50
TRIM_STEP = 25


@dataclass
class BinResult:
    """Bin edges of one chromosome and what the binning did."""

    edges: np.ndarray  # int64, strictly increasing, edges[0] == 0, edges[-1] == length
    n_peaks: int
    n_long: int  # bins longer than max_bin before trimming
    n_trimmed_bins: int  # bins that came out of trimming a long bin

    @property
    def n_bins(self) -> int:
        return int(self.edges.size - 1)


def coverage(chunks: Iterable[Sites], length: int) -> np.ndarray:
    """Number of sites covering each base of a chromosome of ``length`` bp (int32).

    Each chunk adds into one difference array over the range it touches, so sorted chunks cost
    O(chunk) each; memory is one int32 array of the chromosome length (plus one temporary).
    Sites past the chromosome end are an error.
    """
    diff = np.zeros(length + 1, dtype=np.int32)
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        starts = chunk.start
        ends = chunk.start + chunk.length
        lo = int(starts.min())
        hi = int(ends.max())
        if lo < 0 or hi > length:
            raise ValueError(f"site outside the chromosome (0..{length}): {lo}..{hi}")
        span = hi - lo + 1
        diff[lo : hi + 1] += np.bincount(starts - lo, minlength=span).astype(np.int32)
        diff[lo : hi + 1] -= np.bincount(ends - lo, minlength=span).astype(np.int32)
    np.cumsum(diff, out=diff)  # in place: one int32 array of the chromosome length
    return diff[:length]


def smooth_coverage(cov: np.ndarray, sigma: float = SIGMA, block: int = 1 << 22) -> np.ndarray:
    """Gaussian-smoothed coverage (float64; mode ``reflect``, truncate 4; sigma 0 = none).

    Smoothed block by block with a halo of the kernel radius: every output sample sees the same
    inputs and weights as one whole-array ``gaussian_filter1d`` call (bit-identical), but
    ndimage's line buffers (two float64 copies of the line for a 1-D array) stay block-sized.
    """
    from scipy.ndimage import gaussian_filter1d

    n = int(cov.size)
    if sigma <= 0 or n == 0:
        return cov.astype(np.float64)
    radius = int(4.0 * float(sigma) + 0.5)
    out = np.empty(n, dtype=np.float64)
    for b0 in range(0, n, block):
        b1 = min(n, b0 + block)
        lo, hi = max(0, b0 - radius), min(n, b1 + radius)  # clipped only at the true ends
        piece = gaussian_filter1d(
            cov[lo:hi], sigma, output=np.float64, mode="reflect", truncate=4.0
        )
        out[b0:b1] = piece[b0 - lo : b1 - lo]
    return out


def local_maxima(x: np.ndarray, block: int = 1 << 23) -> np.ndarray:
    """Indices of local maxima exactly as ``scipy.signal.find_peaks`` finds them.

    A sample rising from its left neighbour starts a candidate; the candidate's plateau of
    equal values (possibly one sample) must then fall on its right, and the plateau's middle
    (rounded down) is the peak; plateaus reaching the last sample are not peaks. Computed block
    by block, so the temporaries are a few bytes per sample of one block, not of the whole
    chromosome (scipy's own finder allocates three int64 arrays of half the input length).
    """
    n = int(x.size)
    out = []
    for b0 in range(1, max(n - 1, 1), block):
        b1 = min(n - 1, b0 + block)  # candidates i in [b0, b1), i <= n - 2
        cur = x[b0:b1]
        rising = x[b0 - 1 : b1 - 1] < cur
        nxt = x[b0 + 1 : b1 + 1]
        strict = np.flatnonzero(rising & (nxt < cur)) + b0
        flat = np.flatnonzero(rising & (nxt == cur)) + b0
        del rising, nxt, cur
        if flat.size:
            extra = []
            for i in flat.tolist():
                v = x[i]
                j = i + 1
                step = 64
                while True:  # find the plateau's end: first index > i with x != v (or n - 1)
                    hi = min(n - 1, j + step)
                    diff = np.flatnonzero(x[j:hi] != v)
                    if diff.size:
                        j = j + int(diff[0])
                        break
                    j = hi
                    if j >= n - 1:
                        break
                    step *= 2
                if j < n - 1 or (j == n - 1 and x[j] != v):
                    if x[j] < v:
                        extra.append((i + j - 1) // 2)
            if extra:
                strict = np.union1d(strict, np.array(extra, dtype=np.int64))
        out.append(strict.astype(np.int64))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def peak_edges(
    cov: np.ndarray, sigma: float = SIGMA, width: float = PEAK_WIDTH
) -> tuple[np.ndarray, int]:
    """Truncated half-prominence crossings of the smoothed coverage's peaks (unsorted), count."""
    return peak_edges_smoothed(smooth_coverage(cov, sigma), width)


def peak_edges_smoothed(smooth: np.ndarray, width: float = PEAK_WIDTH) -> tuple[np.ndarray, int]:
    """``find_peaks(smooth, width=width)``'s peaks and their truncated ``left_ips``/``right_ips``.

    Same steps as scipy's ``find_peaks`` with only ``width`` given (local maxima, prominences,
    widths at half prominence, keep width >= ``width``), with a leaner local-maxima finder.
    """
    from scipy.signal import peak_prominences, peak_widths

    if smooth.size < 3:
        return np.zeros(0, dtype=np.int64), 0
    peaks = local_maxima(smooth)
    if peaks.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    prom = peak_prominences(smooth, peaks)
    widths, _, left, right = peak_widths(smooth, peaks, rel_height=0.5, prominence_data=prom)
    keep = widths >= width
    return (
        np.concatenate([left[keep].astype(np.int64), right[keep].astype(np.int64)]),
        int(keep.sum()),
    )


def trim_long_bins(
    edges: np.ndarray, max_bin: int = MAX_BIN, trim_step: int = TRIM_STEP
) -> tuple[np.ndarray, int, int]:
    """Cut every bin longer than ``max_bin`` every ``trim_step`` bp from its start.

    Returns (new edges, number of long bins, number of bins they became).
    """
    if trim_step < 1 or max_bin < 1:
        raise ValueError("max_bin and trim_step must be positive")
    lengths = np.diff(edges)
    long = np.flatnonzero(lengths > max_bin)
    if long.size == 0:
        return edges, 0, 0
    n_cuts = (lengths[long] - 1) // trim_step  # cuts strictly inside each long bin
    base = np.repeat(edges[long], n_cuts)
    step = np.arange(int(n_cuts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(n_cuts) - n_cuts, n_cuts
    )
    cuts = base + (step + 1) * trim_step
    out = np.unique(np.concatenate([edges, cuts]))
    return out, int(long.size), int(long.size + cuts.size)


def bin_edges(
    cov: np.ndarray,
    sigma: float = SIGMA,
    width: float = PEAK_WIDTH,
    max_bin: int = MAX_BIN,
    trim_step: int = TRIM_STEP,
) -> BinResult:
    """Bin edges of one chromosome from its coverage (see the module docstring)."""
    return bin_edges_smoothed(smooth_coverage(cov, sigma), width, max_bin, trim_step)


def bin_edges_smoothed(
    smooth: np.ndarray,
    width: float = PEAK_WIDTH,
    max_bin: int = MAX_BIN,
    trim_step: int = TRIM_STEP,
) -> BinResult:
    """Bin edges from an already smoothed coverage (lets the caller drop the int coverage)."""
    length = int(smooth.size)
    inner, n_peaks = peak_edges_smoothed(smooth, width)
    edges = np.unique(np.concatenate([np.array([0, length], dtype=np.int64), inner]))
    edges, n_long, n_trimmed = trim_long_bins(edges, max_bin, trim_step)
    return BinResult(edges.astype(np.int64), n_peaks, n_long, n_trimmed)
