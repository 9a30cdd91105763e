"""Building a universe from a :class:`~genovocab.universe.inputs.PeakSet`: one chromosome at a
time (the workflow's scatter unit), or the whole genome (the library / CLI entry point)."""

from __future__ import annotations

import logging
import time

import pandas as pd

from genovocab.universe.coverage import peakset_coverage
from genovocab.universe.files import empty_universe
from genovocab.universe.inputs import PeakSet
from genovocab.universe.methods import FLEXIBLE_METHODS, method_regions

log = logging.getLogger(__name__)


def build_chromosome(
    peaks: PeakSet,
    chrom: str,
    method: str,
    *,
    cutoff: float | None = None,
    window: int = 25,
    merge: int = 0,
    filter_size: int = 0,
    hmm_normalize: bool = True,
) -> pd.DataFrame:
    """Coverage of ``chrom`` and the regions of ``method`` on it (no region, no error, when the
    chromosome has no coverage)."""
    t0 = time.perf_counter()
    cov = peakset_coverage(peaks, chrom, window)
    t1 = time.perf_counter()
    table = method_regions(
        method,
        cov,
        cutoff=cutoff,
        merge=merge,
        filter_size=filter_size,
        hmm_normalize=hmm_normalize,
    )
    log.info(
        "%s %s: coverage %.2fs, %s %.2fs, %d region(s)",
        method,
        chrom,
        t1 - t0,
        method,
        time.perf_counter() - t1,
        len(table),
    )
    return table


def build_universe(peaks: PeakSet, method: str, **options) -> pd.DataFrame:
    """All chromosomes of ``peaks`` (chrom.sizes order), concatenated."""
    parts = [build_chromosome(peaks, chrom, method, **options) for chrom in peaks.chroms]
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_universe(method in FLEXIBLE_METHODS)
    return pd.concat(parts, ignore_index=True)
