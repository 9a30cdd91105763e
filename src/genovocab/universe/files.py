"""Universe tables and their files, readers beside writers: the BED3 interval vocabulary, the
BED9 flexible universe, the intermediate TSV, stats.

A universe is held as a :class:`pandas.DataFrame` with columns ``chrom, start, end`` and, for
the flexible methods (``ccf``, ``ml``, ``hmm``), ``thick_start, thick_end`` (the core). Columns
1-3 of a flexible universe are its *outer* (flexible) edges; the interval vocabulary of a
flexible universe uses those outer edges, as geniml's BED9 does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from genovocab.fileutil import write_bytes_atomic
from genovocab.io.bed import sort_dedupe_bed3, write_bed3
from genovocab.regions import chrom_ranks, first_of_duplicates, merged_length, sort_order
from genovocab.tables import write_tsv

__all__ = [
    "FLEX_COLUMNS",
    "empty_universe",
    "is_flexible",
    "read_universe_bed",
    "read_universe_table",
    "sort_universe",
    "universe_stats",
    "write_universe_bed3",
    "write_universe_bed9",
    "write_universe_files",
    "write_universe_table",
]

FLEX_COLUMNS = ("thick_start", "thick_end")


def empty_universe(flexible: bool = False) -> pd.DataFrame:
    """A universe with no region (the right columns, the right dtypes)."""
    cols: dict[str, object] = {
        "chrom": pd.Series([], dtype=object),
        "start": np.zeros(0, np.int64),
        "end": np.zeros(0, np.int64),
    }
    if flexible:
        cols.update({c: np.zeros(0, np.int64) for c in FLEX_COLUMNS})
    return pd.DataFrame(cols)


def is_flexible(universe: pd.DataFrame) -> bool:
    """True when the universe has core columns (a BED9 flexible universe)."""
    return all(c in universe.columns for c in FLEX_COLUMNS)


def sort_universe(universe: pd.DataFrame, chrom_order: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by (chromosome in ``chrom_order``, start, end, thick columns); exact duplicates
    dropped. Chromosomes missing from ``chrom_order`` are an error (ValueError)."""
    ranks = chrom_ranks(universe["chrom"].to_numpy(object), chrom_order)
    keys = [universe[c].to_numpy() for c in universe.columns[1:]]
    order = sort_order(ranks, *keys)
    keep = order[first_of_duplicates(ranks[order], *(k[order] for k in keys))]
    return universe.iloc[keep].reset_index(drop=True)


def write_universe_bed3(
    path: str | os.PathLike, universe: pd.DataFrame, chrom_order: Sequence[str]
) -> int:
    """Write the interval vocabulary: BED3 of the (outer) edges, sorted by ``chrom_order`` then
    start, end, deduplicated, no header; deterministic gzip when ``path`` ends ``.gz``.

    Returns the number of regions written.
    """
    chroms, starts, ends = sort_dedupe_bed3(
        universe["chrom"].to_numpy(object),
        universe["start"].to_numpy(np.int64),
        universe["end"].to_numpy(np.int64),
        list(chrom_order),
    )
    write_bed3(path, chroms, starts, ends)
    return len(starts)


def write_universe_bed9(
    path: str | os.PathLike, universe: pd.DataFrame, chrom_order: Sequence[str]
) -> int:
    """Write a flexible universe in geniml's BED9 layout (name ``universe``, score 0, strand ``.``,
    thickStart/thickEnd = the core, colour ``0,0,255``), sorted like the BED3."""
    table = sort_universe(universe, chrom_order)
    frame = pd.DataFrame(
        {
            "chrom": table["chrom"],
            "start": table["start"],
            "end": table["end"],
            "name": "universe",
            "score": 0,
            "strand": ".",
            "thick_start": table["thick_start"],
            "thick_end": table["thick_end"],
            "rgb": "0,0,255",
        }
    )
    text = frame.to_csv(sep="\t", header=False, index=False, lineterminator="\n")
    write_bytes_atomic(path, text.encode("utf-8"))
    return len(frame)


def universe_stats(
    universe: pd.DataFrame, method: str, chrom_sizes: Mapping[str, int]
) -> pd.DataFrame:
    """One-row table: method, regions, bp covered (merged), genome fraction, length quantiles."""
    lengths = (universe["end"] - universe["start"]).to_numpy(np.int64)
    covered = sum(
        merged_length(part["start"].to_numpy(np.int64), part["end"].to_numpy(np.int64))
        for _, part in universe.groupby("chrom", sort=False)
    )
    genome = int(sum(chrom_sizes.values()))
    q = np.quantile(lengths, [0.0, 0.25, 0.5, 0.75, 1.0]) if len(lengths) else np.full(5, np.nan)
    row = {
        "method": method,
        "regions": int(len(universe)),
        "bp_covered": covered,
        "genome_fraction": covered / genome if genome else np.nan,
        "mean_length": float(lengths.mean()) if len(lengths) else np.nan,
        "min_length": q[0],
        "q25_length": q[1],
        "median_length": q[2],
        "q75_length": q[3],
        "max_length": q[4],
    }
    return pd.DataFrame([row])


def write_universe_files(
    universe: pd.DataFrame,
    method: str,
    chrom_sizes: Mapping[str, int],
    *,
    bed3: str | os.PathLike | None = None,
    bed9: str | os.PathLike | None = None,
    stats: str | os.PathLike | None = None,
) -> int:
    """The files of a universe, one contract for the CLI and the workflow: the BED3 interval
    vocabulary (outer edges), the BED9 flexible universe (flexible methods only; ignored for a
    hard universe), the one-row stats TSV. Each is written when its path is given; returns the
    number of regions (of the BED3 when written)."""
    order = list(chrom_sizes)
    n = write_universe_bed3(bed3, universe, order) if bed3 is not None else None
    if bed9 is not None and is_flexible(universe):
        n9 = write_universe_bed9(bed9, universe, order)
        n = n9 if n is None else n
    if n is None:
        n = len(sort_universe(universe, order))
    if stats is not None:
        write_tsv(stats, universe_stats(universe, method, chrom_sizes))
    return n


def write_universe_table(
    path: str | os.PathLike, universe: pd.DataFrame, chrom_order: Sequence[str]
) -> None:
    """Intermediate TSV (with header) of a universe, sorted; flexible columns kept when present."""
    write_tsv(path, sort_universe(universe, chrom_order))


def read_universe_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read what :func:`write_universe_table` wrote."""
    frame = pd.read_csv(path, sep="\t", dtype={"chrom": object})
    for col in frame.columns[1:]:
        frame[col] = frame[col].astype(np.int64)
    return frame


def read_universe_bed(
    path: str | os.PathLike, chrom_sizes: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Read a universe file: BED3 (hard) or BED9 with thickStart/thickEnd in columns 7-8
    (flexible; geniml's layout). Bad lines are :class:`InputError` naming file and line."""
    from genovocab.errors import InputError
    from genovocab.io.bed import read_bed

    iv = read_bed(path, chrom_sizes, unknown_chroms="keep", keep_columns=True)
    frame = pd.DataFrame({"chrom": iv.names(), "start": iv.starts, "end": iv.ends})
    if iv.columns is not None and iv.columns.shape[1] >= 5:
        thick = iv.columns.iloc[:, 3:5]
        for col, name in zip(thick.columns, FLEX_COLUMNS):
            values = pd.to_numeric(thick[col], errors="coerce")
            if values.isna().any():
                row = int(np.flatnonzero(values.isna().to_numpy())[0])
                raise InputError(
                    path,
                    f"{name} {thick[col].iloc[row]!r} is not an integer",
                    int(iv.line_numbers[row]),
                )
            frame[name] = values.to_numpy(np.int64)
    return frame
