"""One model of a set of genomic regions, and the interval kernels every stage shares.

Convention (bioframe's and BED's): 0-based, half-open ``[start, end)``, ``int64`` coordinates;
a chromosome is an index into an ordered list of names (first appearance in a file, or the
chrom.sizes order), so sorting a set of regions means sorting by (chromosome rank, start, end).

:class:`Regions` is the one region class of the package: the BED readers
(:func:`genovocab.io.read_bed`, :func:`genovocab.overlap.read_regions`) return it, the overlap
index (:class:`genovocab.overlap.Universe`) is built from it, the tokenizers turn in-memory
input into it, and the universe and motif stages pass it around. It is columnar (one array per
field, as a gtars ``RegionSet`` or a bioframe DataFrame is), so no stage holds a Python object
per region. Optional parts: ``line_numbers`` (1-based line of each row in its file, for error
messages of later stages), ``columns`` (columns 4.. as strings, when a reader keeps them),
``path`` and the reader's counts of skipped rows. It converts from ``(chrom, start, end)``
tuples, from a DataFrame with ``chrom, start, end`` columns and from gtars-like objects
(anything with ``chr``/``chrom``, ``start``, ``end`` attributes), and back to a DataFrame.

The kernels below are the one implementation of each interval primitive:

* :func:`true_runs` / :func:`acgt_runs` / :func:`n_runs`: runs of a mask, of A/C/G/T bases
  (gap-free stretches: motif scanning, genome windows), of N bases (assembly gaps);
* :func:`merge_touching`: join sorted, disjoint intervals that touch (run-length tracks);
* :func:`merge_overlapping`: the union of intervals (bp covered);
* :func:`chrom_ranks` / :func:`sort_order` / :func:`sort_dedupe` /
  :func:`first_of_duplicates`: sort and dedupe (:meth:`Regions.sorted`, the overlap index and
  the universe writers all sort through these).

This module imports numpy only (pandas on :meth:`Regions.to_frame`), and no other module of
the package: every other module may import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

__all__ = [
    "Regions",
    "RegionsView",
    "SortedRows",
    "acgt_runs",
    "chrom_ranks",
    "first_of_duplicates",
    "key_shift",
    "merge_overlapping",
    "merge_touching",
    "merged_length",
    "n_runs",
    "sort_dedupe",
    "sort_order",
    "true_runs",
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


@dataclass
class SortedRows:
    """What :func:`sort_dedupe` found: ``order`` (source rows in sorted order, the first row
    of each run of duplicates only when deduplicated), ``multiplicity`` (source rows behind
    each kept row; None when there were no duplicates), ``in_order`` (the source was already
    sorted, so ``order`` is ``arange``) and ``keys`` (``rank << shift | start`` of the rows in
    ``order``, the overlap index's start keys)."""

    order: np.ndarray
    multiplicity: np.ndarray | None
    in_order: bool
    keys: np.ndarray

    @property
    def n_duplicates(self) -> int:
        """Source rows dropped as duplicates of an earlier row."""
        return 0 if self.multiplicity is None else int(self.multiplicity.sum() - len(self.order))


def key_shift(ends: np.ndarray) -> int:
    """Bits for a position in a sortable ``rank << shift | position`` key: at least 32, and
    enough for every end in ``ends``."""
    max_pos = int(ends.max()) if len(ends) else 0
    return max(32, (max_pos + 1).bit_length())


def sort_dedupe(
    ranks: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    *,
    dedupe: bool = True,
    shift: int | None = None,
) -> SortedRows:
    """Stable sort by (rank, start, end), exact duplicates dropped with ``dedupe`` (the first
    row of each run kept): the one sort and dedupe of regions in the package.

    Rank and start are packed into one int64 key (``shift`` bits for the position, default
    :func:`key_shift` of ``ends``), so the usual input, already position-sorted, is recognised
    in one pass and not sorted at all; otherwise one ``lexsort`` on (key, end).
    """
    ranks = np.asarray(ranks, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    n = len(starts)
    if shift is None:
        shift = key_shift(ends)
    if n and (int(ranks.max()) >= (1 << (62 - shift)) or int(ranks.min()) < 0):
        raise ValueError("too many chromosomes for the key encoding")
    keys = (ranks << shift) | starts
    in_order = n < 2 or bool(
        np.all((keys[1:] > keys[:-1]) | ((keys[1:] == keys[:-1]) & (ends[1:] >= ends[:-1])))
    )
    if in_order:
        order = np.arange(n, dtype=np.int64)
        sorted_ends = ends
    else:
        order = np.lexsort((ends, keys))
        keys = keys[order]
        sorted_ends = ends[order]
    multiplicity = None
    if dedupe and n > 1:
        keep = np.empty(n, dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keep[1:] |= sorted_ends[1:] != sorted_ends[:-1]
        kept_at = np.flatnonzero(keep)
        if len(kept_at) < n:
            multiplicity = np.diff(np.append(kept_at, n)).astype(np.int64)
            order = order[kept_at]
            keys = keys[kept_at]
    return SortedRows(order=order, multiplicity=multiplicity, in_order=in_order, keys=keys)


# --- the region set -------------------------------------------------------------------------


@dataclass
class Regions:
    """A columnar set of regions (module docstring).

    ``chroms`` lists chromosome names (a reader: first appearance in the file; else the order
    given); ``chrom_index[i]`` (int32) is row i's index into it; ``starts``/``ends`` int64.
    Optional parts: ``line_numbers`` (row i's 1-based line in ``path``), ``columns`` (columns
    4.. as strings, a DataFrame), ``n_zero_length`` and ``n_unknown_chrom`` (rows a reader
    skipped).
    """

    chroms: list[str]
    chrom_index: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    line_numbers: np.ndarray | None = None
    columns: Any = None
    path: str | None = None
    n_zero_length: int = 0
    n_unknown_chrom: int = 0
    _groups: dict[str, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        names: Sequence[str] | np.ndarray,
        starts,
        ends,
        chrom_order: Sequence[str] | None = None,
    ) -> Regions:
        """From parallel arrays of chromosome names and coordinates; chromosomes ordered by
        ``chrom_order`` (default: first appearance; a name not in it is a ValueError)."""
        names = np.asarray(names, dtype=object)
        if chrom_order is None:
            chrom_order = list(dict.fromkeys(names.tolist()))
        return cls(
            list(chrom_order),
            chrom_ranks(names, chrom_order).astype(np.int32),
            np.asarray(starts, np.int64),
            np.asarray(ends, np.int64),
        )

    @classmethod
    def from_tuples(
        cls, rows: Iterable[tuple[str, int, int]], chrom_order: Sequence[str] | None = None
    ) -> Regions:
        """From ``(chrom, start, end)`` tuples."""
        rows = list(rows)
        return cls.from_arrays(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], chrom_order
        )

    @classmethod
    def from_frame(cls, frame: Any, chrom_order: Sequence[str] | None = None) -> Regions:
        """From a DataFrame with ``chrom, start, end`` columns (bioframe's names)."""
        return cls.from_arrays(
            frame["chrom"].to_numpy(object),
            frame["start"].to_numpy(),
            frame["end"].to_numpy(),
            chrom_order,
        )

    @classmethod
    def from_objects(
        cls, regions: Iterable[Any], chrom_order: Sequence[str] | None = None
    ) -> Regions:
        """From gtars-like region objects (``chr`` or ``chrom``, ``start``, ``end``)."""
        rows = [(getattr(r, "chr", None) or r.chrom, int(r.start), int(r.end)) for r in regions]
        return cls.from_tuples(rows, chrom_order)

    @classmethod
    def empty(cls, path: str | None = None) -> Regions:
        """No region."""
        none = np.zeros(0, dtype=np.int64)
        return cls([], np.zeros(0, dtype=np.int32), none, none.copy(), none.copy(), path=path)

    # ------------------------------------------------------------------ views
    def names(self) -> np.ndarray:
        """The chromosome name of each region (object array)."""
        return np.asarray(self.chroms, dtype=object)[self.chrom_index]

    def line_of(self, row: int) -> int:
        """The 1-based line of ``row`` in its file (row + 1 when no line numbers are kept)."""
        return int(self.line_numbers[row]) if self.line_numbers is not None else int(row) + 1

    def rows_by_chrom(self) -> dict[str, np.ndarray]:
        """Row indices of each chromosome (row order kept within a chromosome)."""
        if self._groups is None:
            order = np.argsort(self.chrom_index, kind="stable")
            counts = np.bincount(self.chrom_index, minlength=len(self.chroms))
            bounds = np.concatenate([[0], np.cumsum(counts)])
            self._groups = {
                name: order[bounds[i] : bounds[i + 1]]
                for i, name in enumerate(self.chroms)
                if counts[i]
            }
        return self._groups

    def by_chrom(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{chrom: (starts, ends)}`` in row order within each chromosome."""
        return {c: (self.starts[r], self.ends[r]) for c, r in self.rows_by_chrom().items()}

    def to_frame(self):
        """A DataFrame with ``chrom, start, end`` plus any kept columns."""
        import pandas as pd

        frame = pd.DataFrame({"chrom": self.names(), "start": self.starts, "end": self.ends})
        if self.columns is not None:
            frame = pd.concat([frame, self.columns.reset_index(drop=True)], axis=1)
        return frame

    # ------------------------------------------------------------------ new sets
    def take(self, index: np.ndarray) -> Regions:
        """The regions at ``index`` (an integer array or a boolean mask), optional parts
        included; the chromosome list is kept as it is."""
        columns = self.columns
        if columns is not None:
            rows = np.flatnonzero(index) if np.asarray(index).dtype == bool else index
            columns = columns.iloc[rows].reset_index(drop=True)
        return replace(
            self,
            chrom_index=self.chrom_index[index],
            starts=self.starts[index],
            ends=self.ends[index],
            columns=columns,
            _groups=None,
            line_numbers=None if self.line_numbers is None else self.line_numbers[index],
        )

    def without_unused_chroms(self) -> Regions:
        """The same rows, with chromosomes that have no row removed from ``chroms``."""
        used = np.zeros(len(self.chroms), dtype=bool)
        used[self.chrom_index] = True
        if used.all():
            return self
        remap = (np.cumsum(used) - 1).astype(np.int32)
        return replace(
            self,
            chroms=[c for c, u in zip(self.chroms, used) if u],
            chrom_index=remap[self.chrom_index],
            _groups=None,
        )

    def with_chrom_order(self, chrom_order: Sequence[str]) -> Regions:
        """The same rows with ``chroms`` = ``chrom_order`` (a chromosome of a row missing from
        it is a ValueError)."""
        order = list(chrom_order)
        used = np.zeros(len(self.chroms), dtype=bool)
        used[self.chrom_index] = True
        rank = np.full(len(self.chroms), -1, dtype=np.int32)
        if len(self.chroms):
            rank[used] = chrom_ranks([c for c, u in zip(self.chroms, used) if u], order)
        return replace(self, chroms=order, chrom_index=rank[self.chrom_index], _groups=None)

    def sorted(self, dedupe: bool = False) -> Regions:
        """Sorted by (chromosome order, start, end); exact duplicates dropped with ``dedupe``
        (:func:`sort_dedupe`)."""
        found = sort_dedupe(self.chrom_index, self.starts, self.ends, dedupe=dedupe)
        if found.in_order and found.multiplicity is None:
            return self
        return self.take(found.order)

    def merged(self) -> Regions:
        """The union per chromosome: sorted, disjoint blocks (overlapping regions joined)."""
        parts = []
        for ci in np.unique(self.chrom_index):
            sel = self.chrom_index == ci
            s, e = merge_overlapping(self.starts[sel], self.ends[sel])
            parts.append((np.full(len(s), ci, np.int32), s, e))
        if not parts:
            return Regions(list(self.chroms), np.zeros(0, np.int32), _EMPTY.copy(), _EMPTY.copy())
        return Regions(list(self.chroms), *(np.concatenate(p) for p in zip(*parts)))

    def covered_bp(self) -> int:
        """Bases covered by at least one region."""
        return int(
            sum(
                merged_length(
                    self.starts[self.chrom_index == ci], self.ends[self.chrom_index == ci]
                )
                for ci in np.unique(self.chrom_index)
            )
        )


class RegionsView:
    """The coordinate columns of an object built on a :class:`Regions` (its ``regions``
    attribute), read through: ``chroms``, ``chrom_index``, ``starts``, ``ends``.

    The overlap index (:class:`genovocab.overlap.Universe`) and the peak files of a universe
    (:class:`genovocab.universe.inputs.PeakSet`) hold their regions this way, so the columns
    have one home and cannot drift from the region set they describe.
    """

    __slots__ = ()
    regions: Regions

    @property
    def chroms(self) -> list[str]:
        """Chromosome names (``chrom_index`` indexes them)."""
        return self.regions.chroms

    @property
    def chrom_index(self) -> np.ndarray:
        """Chromosome index of each region (int32, into :attr:`chroms`)."""
        return self.regions.chrom_index

    @property
    def starts(self) -> np.ndarray:
        """0-based start of each region (int64)."""
        return self.regions.starts

    @property
    def ends(self) -> np.ndarray:
        """End of each region, exclusive (int64)."""
        return self.regions.ends
