"""One model of a set of genomic regions, and the interval kernels every stage shares.

Convention (bioframe's and BED's): 0-based, half-open ``[start, end)``, ``int64`` coordinates;
a chromosome is an index into an ordered tuple of names (the chrom.sizes order), so sorting a
set of regions means sorting by (chromosome rank, start, end).

:class:`Regions` is columnar (one array per field, as a gtars ``RegionSet`` or a bioframe
DataFrame is), so the universe, the motif stage and the genome windows pass arrays, not Python
objects per region. It converts from a BED file (:func:`genovocab.io.read_bed`), from
``(chrom, start, end)`` tuples, from a DataFrame with ``chrom, start, end`` columns, and from
gtars-like objects (anything with ``chr``/``chrom``, ``start``, ``end`` attributes), and back to
a DataFrame.

The kernels below are the one implementation of each interval primitive:

* :func:`true_runs` / :func:`acgt_runs` / :func:`n_runs`: runs of a mask, of A/C/G/T bases
  (gap-free stretches: motif scanning, genome windows), of N bases (assembly gaps);
* :func:`merge_touching`: join sorted, disjoint intervals that touch (run-length tracks);
* :func:`merge_overlapping`: the union of intervals (bp covered);
* :func:`chrom_ranks` / :func:`sort_order` / :func:`first_of_duplicates`: sort and dedupe.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Regions", "acgt_runs", "chrom_ranks", "first_of_duplicates", "merge_overlapping",
    "merge_touching", "merged_length", "n_runs", "sort_order", "true_runs",
]

_ACGT = np.zeros(256, dtype=bool)
_ACGT[np.frombuffer(b"ACGT", dtype=np.uint8)] = True
_N = np.zeros(256, dtype=bool)
_N[np.frombuffer(b"Nn", dtype=np.uint8)] = True
_EMPTY = np.zeros(0, np.int64)


# --- kernels on arrays --------------------------------------------------------------------

def true_runs(mask: np.ndarray, min_length: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Half-open ``(starts, ends)`` (int64) of the runs of True in a boolean array, keeping the
    runs of at least ``min_length``."""
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)
    if min_length > 1:
        keep = (ends - starts) >= min_length
        starts, ends = starts[keep], ends[keep]
    return starts, ends


def _codes(seq: str | bytes) -> np.ndarray:
    raw = seq if isinstance(seq, bytes) else seq.encode("ascii", errors="replace")
    return np.frombuffer(raw, dtype=np.uint8)


def acgt_runs(seq: str | bytes, min_length: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Runs of upper-case A/C/G/T in ``seq``, at least ``min_length`` long.

    Any other character (N, IUPAC codes, lower case: callers upper-case first) is a gap, so no
    window or motif hit built on these runs spans one.
    """
    return true_runs(_ACGT[_codes(seq)], min_length)


def n_runs(seq: str | bytes, min_length: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Runs of N/n in ``seq`` (assembly gaps), at least ``min_length`` long."""
    return true_runs(_N[_codes(seq)], min_length)


def merge_touching(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Join sorted, non-overlapping intervals that touch (end == next start)."""
    if len(starts) == 0:
        return starts, ends
    new = np.r_[True, starts[1:] != ends[:-1]]
    last = np.r_[new[1:], True]
    return starts[new], ends[last]


def merge_overlapping(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of intervals of one chromosome as sorted, disjoint blocks (overlapping and
    touching intervals joined, as ``bedtools merge`` does)."""
    s = np.asarray(starts, np.int64)
    e = np.asarray(ends, np.int64)
    if len(s) == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > run_end[:-1]
    idx = np.flatnonzero(new)
    return s[idx], np.maximum.reduceat(e, idx)


def merged_length(starts: np.ndarray, ends: np.ndarray) -> int:
    """Bases covered by the intervals of one chromosome (overlaps counted once)."""
    s, e = merge_overlapping(starts, ends)
    return int((e - s).sum())


def chrom_ranks(names: Iterable[str], chrom_order: Sequence[str]) -> np.ndarray:
    """The rank of each chromosome name in ``chrom_order`` (int64); a name not in the order is
    an error (ValueError naming the names)."""
    rank = {c: i for i, c in enumerate(chrom_order)}
    names = np.asarray(list(names) if not isinstance(names, np.ndarray) else names, dtype=object)
    missing = sorted(set(names.tolist()) - set(rank))
    if missing:
        raise ValueError(f"chromosome(s) not in the chromosome order: {', '.join(missing)}")
    return np.fromiter((rank[c] for c in names), dtype=np.int64, count=len(names))


def sort_order(ranks: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Stable order by (``ranks``, then each of ``keys`` in turn)."""
    return np.lexsort(tuple(reversed(keys)) + (ranks,))


def first_of_duplicates(*columns: np.ndarray) -> np.ndarray:
    """On sorted columns: True for each row that differs from the previous one (dedupe mask)."""
    n = len(columns[0])
    keep = np.ones(n, dtype=bool)
    if n > 1:
        same = np.ones(n - 1, dtype=bool)
        for col in columns:
            same &= col[1:] == col[:-1]
        keep[1:] = ~same
    return keep


# --- the region set -------------------------------------------------------------------------

@dataclass(frozen=True)
class Regions:
    """A columnar set of regions: ``chrom[i]`` indexes ``chroms``; ``starts``/``ends`` int64."""

    chroms: tuple[str, ...]
    chrom: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    @classmethod
    def from_arrays(cls, names: Sequence[str] | np.ndarray, starts, ends,
                    chrom_order: Sequence[str] | None = None) -> Regions:
        """From parallel arrays of chromosome names and coordinates; chromosomes ordered by
        ``chrom_order`` (default: first appearance)."""
        names = np.asarray(names, dtype=object)
        if chrom_order is None:
            chrom_order = list(dict.fromkeys(names.tolist()))
        return cls(tuple(chrom_order), chrom_ranks(names, chrom_order).astype(np.int32),
                   np.asarray(starts, np.int64), np.asarray(ends, np.int64))

    @classmethod
    def from_tuples(cls, rows: Iterable[tuple[str, int, int]],
                    chrom_order: Sequence[str] | None = None) -> Regions:
        """From ``(chrom, start, end)`` tuples."""
        rows = list(rows)
        return cls.from_arrays([r[0] for r in rows], [r[1] for r in rows],
                               [r[2] for r in rows], chrom_order)

    @classmethod
    def from_frame(cls, frame: Any, chrom_order: Sequence[str] | None = None) -> Regions:
        """From a DataFrame with ``chrom, start, end`` columns (bioframe's names)."""
        return cls.from_arrays(frame["chrom"].to_numpy(object), frame["start"].to_numpy(),
                               frame["end"].to_numpy(), chrom_order)

    @classmethod
    def from_objects(cls, regions: Iterable[Any],
                     chrom_order: Sequence[str] | None = None) -> Regions:
        """From gtars-like region objects (``chr`` or ``chrom``, ``start``, ``end``)."""
        rows = [(getattr(r, "chr", None) or r.chrom, int(r.start), int(r.end)) for r in regions]
        return cls.from_tuples(rows, chrom_order)

    @classmethod
    def from_bed(cls, path: str | os.PathLike, chrom_sizes: Mapping[str, int] | None = None,
                 **options) -> Regions:
        """Columns 1-3 of a BED file (:func:`genovocab.io.read_bed`; ``options`` passed on)."""
        from genovocab.io.bed import read_bed

        iv = read_bed(path, chrom_sizes, **options)
        order = list(chrom_sizes) if chrom_sizes is not None else list(iv.chroms)
        rank = np.array([order.index(c) for c in iv.chroms], dtype=np.int32)
        return cls(tuple(order), rank[iv.chrom_index] if len(iv) else np.zeros(0, np.int32),
                   np.asarray(iv.starts, np.int64), np.asarray(iv.ends, np.int64))

    def names(self) -> np.ndarray:
        """The chromosome name of each region (object array)."""
        return np.asarray(self.chroms, dtype=object)[self.chrom]

    def to_frame(self):
        """A DataFrame with ``chrom, start, end``."""
        import pandas as pd

        return pd.DataFrame({"chrom": self.names(), "start": self.starts, "end": self.ends})

    def take(self, index: np.ndarray) -> Regions:
        """The regions at ``index`` (an integer array or a boolean mask)."""
        return Regions(self.chroms, self.chrom[index], self.starts[index], self.ends[index])

    def sorted(self, dedupe: bool = False) -> Regions:
        """Sorted by (chromosome order, start, end); exact duplicates dropped with ``dedupe``."""
        out = self.take(sort_order(self.chrom, self.starts, self.ends))
        if dedupe:
            out = out.take(first_of_duplicates(out.chrom, out.starts, out.ends))
        return out

    def merged(self) -> Regions:
        """The union per chromosome: sorted, disjoint blocks (overlapping regions joined)."""
        parts = []
        for ci in np.unique(self.chrom):
            sel = self.chrom == ci
            s, e = merge_overlapping(self.starts[sel], self.ends[sel])
            parts.append((np.full(len(s), ci, np.int32), s, e))
        if not parts:
            return Regions(self.chroms, np.zeros(0, np.int32), _EMPTY.copy(), _EMPTY.copy())
        return Regions(self.chroms, *(np.concatenate(p) for p in zip(*parts)))

    def covered_bp(self) -> int:
        """Bases covered by at least one region."""
        return int(sum(merged_length(self.starts[self.chrom == ci], self.ends[self.chrom == ci])
                       for ci in np.unique(self.chrom)))
