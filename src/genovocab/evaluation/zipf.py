"""Zipf's law of a token stream: rank-frequency fit over all ranks and the paper's band.

Zipf's law says the frequency of the r-th most frequent word falls as a power of r, a straight
line on log-log axes. Two fits, both of ``log10(frequency)`` against ``log10(rank)`` (rank 1 =
the most frequent type), each giving Pearson r and the least-squares slope:

* **all ranks**: every type seen at least once (:func:`zipf_fit`, the project's one
  implementation, which lives with the motif vocabulary);
* **frequency band** (Davarmanesh et al.'s variant): only the types whose count lies inside
  ``[lo, hi]`` (the paper uses 500..1,000,000 occurrences genome-wide), ranked again from 1
  among themselves. It drops the long tail of rare types, which bends every DNA vocabulary's
  curve down, and the few very frequent ones; on a short held-out stretch few types reach 500,
  so the band fit reports how many types it used (``n_tokens``) and is NaN below three.
"""

from __future__ import annotations

import numpy as np

from genovocab.motifs.vocabulary import zipf_fit

__all__ = ["PAPER_BAND", "rank_frequency", "zipf_band_fit", "zipf_fit", "zipf_measures"]

PAPER_BAND = (500, 1_000_000)


def rank_frequency(counts: np.ndarray) -> np.ndarray:
    """The non-zero counts, most frequent first (frequency at rank 1, 2, ...)."""
    counts = np.asarray(counts)
    return np.sort(counts[counts > 0].astype(np.int64))[::-1]


def zipf_band_fit(counts: np.ndarray, band: tuple[int, int] = PAPER_BAND) -> dict:
    """:func:`zipf_fit` of the counts inside ``band`` (inclusive), ranked among themselves."""
    counts = np.asarray(counts)
    lo, hi = int(band[0]), int(band[1])
    return zipf_fit(counts[(counts >= lo) & (counts <= hi)])


def zipf_measures(counts: np.ndarray, band: tuple[int, int] = PAPER_BAND) -> dict:
    """Flat record: ``zipf_r``, ``zipf_slope`` (all ranks), ``band_r``, ``band_slope``,
    ``band_types`` (the band variant)."""
    full = zipf_fit(counts)
    part = zipf_band_fit(counts, band)
    return {
        "zipf_r": full["pearson_r"],
        "zipf_slope": full["slope"],
        "band_r": part["pearson_r"],
        "band_slope": part["slope"],
        "band_types": part["n_tokens"],
    }
