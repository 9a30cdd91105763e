"""Statistics and the bin-length histogram of motif binning.

Per chromosome a small JSON (bins, peaks, trimmed bins, bin-length histogram, sites per
feature); the gather sums them into ``stats.tsv`` (one row per chromosome plus ``all``),
``sites_per_feature.tsv`` and ``bin_lengths.png``. The histogram of bin lengths is exact (every
bin is at most ``max_bin`` long after trimming, so lengths 1..max_bin cover them all), which
makes the genome-wide median exact without reloading the edges.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from genovocab.fileutil import write_text_atomic
from genovocab.motifs.binning import BinResult
from genovocab.plotting import pyplot, save_png


def chrom_stats(
    chrom: str, length: int, result: BinResult, sites_per_feature: np.ndarray, nnz: int
) -> dict:
    """The JSON-able statistics of one chromosome."""
    lengths = np.diff(result.edges)
    hist = np.bincount(lengths, minlength=1) if lengths.size else np.zeros(1, np.int64)
    return {
        "chrom": chrom,
        "length": int(length),
        "sites": int(sites_per_feature.sum()),
        "peaks": int(result.n_peaks),
        "bins": int(result.n_bins),
        "long_bins": int(result.n_long),
        "trimmed_bins": int(result.n_trimmed_bins),
        "nnz": int(nnz),
        "bin_length_hist": hist.astype(int).tolist(),
        "sites_per_feature": sites_per_feature.astype(int).tolist(),
    }


def _median_from_hist(hist: np.ndarray) -> float:
    n = int(hist.sum())
    if n == 0:
        return 0.0
    cum = np.cumsum(hist)
    lo = int(np.searchsorted(cum, (n - 1) // 2 + 1))
    hi = int(np.searchsorted(cum, n // 2 + 1))
    return (lo + hi) / 2.0


def _row(
    name: str,
    length: int,
    sites: int,
    peaks: int,
    bins: int,
    trimmed: int,
    hist: np.ndarray,
    nnz: int,
    n_features: int,
) -> dict:
    total_len = int((np.arange(hist.size) * hist).sum())
    return {
        "chrom": name,
        "length": length,
        "sites": sites,
        "peaks": peaks,
        "bins": bins,
        "mean_bin_length": round(total_len / bins, 4) if bins else 0.0,
        "median_bin_length": _median_from_hist(hist),
        "trimmed_bins": trimmed,
        "share_trimmed": round(trimmed / bins, 6) if bins else 0.0,
        "nnz": nnz,
        "density": round(nnz / (bins * n_features), 6) if bins and n_features else 0.0,
    }


STATS_COLUMNS = [
    "chrom",
    "length",
    "sites",
    "peaks",
    "bins",
    "mean_bin_length",
    "median_bin_length",
    "trimmed_bins",
    "share_trimmed",
    "nnz",
    "density",
]


def gather_stats(
    per_chrom: Sequence[dict],
    feature_rows: Sequence[tuple[int, str, str, str]],
    stats_tsv: str | os.PathLike,
    features_tsv: str | os.PathLike,
    histogram_png: str | os.PathLike | None = None,
) -> dict:
    """Write the genome-wide tables (and histogram); returns the ``all`` row."""
    n_features = len(feature_rows)
    rows = []
    hist_all = np.zeros(1, dtype=np.int64)
    spf_all = np.zeros(n_features, dtype=np.int64)
    tot = dict(length=0, sites=0, peaks=0, bins=0, trimmed=0, nnz=0)
    for d in per_chrom:
        hist = np.asarray(d["bin_length_hist"], dtype=np.int64)
        rows.append(
            _row(
                d["chrom"],
                d["length"],
                d["sites"],
                d["peaks"],
                d["bins"],
                d["trimmed_bins"],
                hist,
                d["nnz"],
                n_features,
            )
        )
        if hist.size > hist_all.size:
            hist_all = np.pad(hist_all, (0, hist.size - hist_all.size))
        hist_all[: hist.size] += hist
        spf = np.asarray(d["sites_per_feature"], dtype=np.int64)
        spf_all[: spf.size] += spf
        tot["length"] += d["length"]
        tot["sites"] += d["sites"]
        tot["peaks"] += d["peaks"]
        tot["bins"] += d["bins"]
        tot["trimmed"] += d["trimmed_bins"]
        tot["nnz"] += d["nnz"]
    all_row = _row(
        "all",
        tot["length"],
        tot["sites"],
        tot["peaks"],
        tot["bins"],
        tot["trimmed"],
        hist_all,
        tot["nnz"],
        n_features,
    )
    rows.append(all_row)
    lines = ["\t".join(STATS_COLUMNS)]
    lines += ["\t".join(str(r[c]) for c in STATS_COLUMNS) for r in rows]
    write_text_atomic(stats_tsv, "\n".join(lines) + "\n")
    flines = ["index\tmatrix_id\tname\tstrand\tsites"]
    flines += [f"{i}\t{m}\t{n}\t{s}\t{int(spf_all[i])}" for i, m, n, s in feature_rows]
    write_text_atomic(features_tsv, "\n".join(flines) + "\n")
    if histogram_png is not None:
        plot_histogram(histogram_png, hist_all, all_row)
    return all_row


def plot_histogram(path: str | os.PathLike, hist: np.ndarray, row: dict) -> None:
    """Bin-length histogram PNG (deterministic: no date metadata)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    x = np.arange(hist.size)
    ax.bar(x[1:], hist[1:], width=1.0, color="#4c72b0")
    ax.set_xlabel("bin length (bp)")
    ax.set_ylabel("bins")
    ax.set_title(
        f"motif bins: {row['bins']:,} bins, mean {row['mean_bin_length']:.1f} bp, "
        f"median {row['median_bin_length']:g} bp",
        fontsize=9,
    )
    fig.tight_layout()
    save_png(fig, path)
