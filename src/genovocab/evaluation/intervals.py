"""The interval vocabulary (a consensus universe) measured on region sets.

Each region set (a BED file of the sample sheet) is tokenized against a universe the way the
interval tokenizer does (a query region hits every universe region it overlaps by >= 1 bp);
per universe method and split (the held-out chromosomes, the others):

* ``no_token_share``: share of query regions that hit no universe region (they become
  ``<unk>`` or are dropped);
* ``tokens_per_set``: mean number of tokens per region set;
* ``utilisation``: share of the universe's regions on those chromosomes hit by some set;
* the Zipf fits of :mod:`genovocab.evaluation.zipf` over the hit counts per universe region;
* beside them the universe assessment that already exists (F10, RBS, likelihood:
  ``genovocab.universe.assess``), the collection row of each method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genovocab.evaluation.zipf import PAPER_BAND, zipf_measures

__all__ = ["interval_measures", "universe_index"]


def universe_index(table: pd.DataFrame, chrom_order: list[str]):
    """A :class:`~genovocab.overlap.Universe` of a universe table (chrom, start, end, ...)."""
    from genovocab.overlap import Universe
    from genovocab.regions import Regions

    chroms = list(dict.fromkeys(table["chrom"].astype(str)))
    order = [c for c in chrom_order if c in chroms] + [c for c in chroms if c not in chrom_order]
    return Universe.from_regions(Regions.from_frame(table, order))


def interval_measures(
    universe: pd.DataFrame, peaks, chroms: list[str], band: tuple[int, int] = PAPER_BAND
) -> dict:
    """Measures of one universe on the region sets of ``peaks`` (a
    :class:`~genovocab.universe.inputs.PeakSet`) restricted to ``chroms``."""
    uni = universe_index(universe, list(peaks.chroms))
    on = (
        np.isin(np.asarray(peaks.chroms, dtype=object)[peaks.chrom], list(chroms))
        if len(peaks.chrom)
        else np.zeros(0, dtype=bool)
    )
    n_regions = int(universe["chrom"].astype(str).isin(list(chroms)).sum())
    hits = np.zeros(len(uni.starts), dtype=np.int64)
    queries = no_token = tokens = 0
    for f in range(peaks.n_files):
        sel = on & (peaks.file == f)
        q, rows = uni.pairs_for(
            list(peaks.chroms), peaks.chrom[sel], peaks.starts[sel], peaks.ends[sel]
        )
        n = int(sel.sum())
        queries += n
        no_token += n - int(np.unique(q).size)
        tokens += int(rows.size)
        hits += np.bincount(rows, minlength=hits.size)
    return {
        "region_sets": peaks.n_files,
        "queries": queries,
        "universe_regions": n_regions,
        "no_token_share": no_token / queries if queries else float("nan"),
        "tokens_per_set": tokens / peaks.n_files if peaks.n_files else float("nan"),
        "utilisation": float((hits > 0).sum()) / n_regions if n_regions else float("nan"),
        **zipf_measures(hits, band),
    }


def assessment_row(table: pd.DataFrame) -> dict:
    """F10, RBS and likelihood of a universe assessment table (its collection row)."""
    from genovocab.universe.assess import SUMMARY_NAME

    row = table[table["file"] == SUMMARY_NAME]
    if row.empty:
        return {}
    r = row.iloc[0]
    return {
        k: float(r[k])
        for k in ("f10", "rbs", "likelihood_hard", "likelihood_flexible")
        if k in table.columns and pd.notna(r[k])
    }
