"""Exact, vectorised interval overlap: a sorted universe against batches of queries.

The universe (any BED: BED3..BED12, cCRE layouts, overlapping or nested regions, duplicates)
is sorted by (chromosome, start, end) and deduplicated for the overlap index; token ids follow
the universe *file's* line order (first appearance of each distinct region), as gtars' do, so
``Universe.ids[row]`` maps a sorted row to its id (identity for a position-sorted file).
Overlap means at least 1 bp in common between half-open intervals, so the pairs are exactly
those of ``bedtools intersect -wa -wb``.

How a query finds its regions without a Python loop per query
--------------------------------------------------------------
Every position is turned into one sortable int64 *key* ``rank << shift | position``, where
``rank`` is the chromosome's index in the universe's chromosome order; all chromosomes then
form one sorted array and every query is answered by the same two ``np.searchsorted`` calls:

* ``hi`` = number of regions whose start key is ``< query end``: no later region overlaps;
* ``lo`` = first region whose *running maximum* of end keys is ``> query start``: no earlier
  region can overlap, because every region before ``lo`` ends at or before the query start.

Regions ``lo..hi-1`` are candidates; those with ``end <= query start`` are filtered out (a
no-op, skipped, when ends are non-decreasing, as in a non-overlapping universe). One very long
region would keep the running maximum high and make candidate ranges long, so the universe is
first split, as in the augmented interval list (AIList, Feng et al. 2019, also used by gtars),
into a few sublists: a region that contains many of the regions that follow it goes to the
next sublist. Each sublist is searched the same way and the pairs are merged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genovocab.regions import Regions, RegionsView, key_shift, sort_dedupe

log = logging.getLogger(__name__)

#: AIList decomposition: a region that contains at least ``_COVER_MIN`` of the next
#: ``_COVER_WINDOW`` regions moves to the next sublist; at most ``_MAX_SUBLISTS`` sublists.
_COVER_WINDOW = 20
_COVER_MIN = 3
_MAX_SUBLISTS = 6
_MIN_SUBLIST = 64
#: whole-array steps back from the last candidate before binary search takes over
_STEP_BACK = 2
#: a first column starting with one of these is a header/comment line: use the careful reader


#: a query file at least this big is read by the shared (pyarrow, multithreaded) reader even
#: when that means importing pandas and pyarrow: the import is paid once, the file each call
_SHARED_READER_BYTES = 8 << 20


def read_regions(
    path: str | os.PathLike, *, allow_empty: bool = True, numpy_first: bool | None = None
) -> Regions:
    """Chromosome, start and end of every region of a BED file, through the shared reader.

    With ``numpy_first`` (default: files under ``_SHARED_READER_BYTES``), a plain,
    well-formed file is read by :func:`read_bed3_fast` (numpy only, no pandas/pyarrow
    import); otherwise, and for anything it leaves, :func:`genovocab.io.read_bed` parses
    well-formed files with pyarrow's multithreaded CSV reader and names file, line and
    problem for bad ones; zero-length intervals are skipped. Chromosomes are listed in
    order of first appearance; the file is never re-sorted.
    """
    if numpy_first is None:
        try:
            numpy_first = os.path.getsize(path) < _SHARED_READER_BYTES
        except OSError:  # missing or unreadable: the shared reader names the problem
            numpy_first = False
    if numpy_first:  # the shared reader imports pandas and pyarrow (~0.5 s)
        fast = read_bed3_fast(path)
        if fast is not None:
            return fast
    from genovocab.io.bed import read_bed

    return read_bed(path, allow_empty=allow_empty)


#: lines starting with one of these bytes (comment, track, browser, blank, CR) leave the
#: fast reader to the careful one
_CAREFUL_FIRST = np.zeros(256, dtype=bool)
_CAREFUL_FIRST[np.frombuffer(b"#tb\n\r", dtype=np.uint8)] = True
#: at most this many chromosome runs (a position-sorted file has one per chromosome)
_MAX_RUNS = 65_536
_MAX_DIGITS = 18


def _digits(buf: np.ndarray, first: np.ndarray, stop: np.ndarray) -> np.ndarray | None:
    """The decimal integers in ``buf[first:stop]`` per row, or None when any field is empty,
    too long or holds a byte that is not a digit (the careful reader then names the line).

    Right-aligned, one whole-array step per digit place: the byte ``k`` places before each
    field's end is that field's ``10**k`` digit while ``k`` is less than its width (bytes
    before a shorter field are zeroed only from the shortest width on). Sums in int32 when
    every field has at most 9 digits (half the memory traffic), else int64."""
    width = stop - first
    if not len(width):
        return np.zeros(0, dtype=np.int64)
    shortest, longest = int(width.min()), int(width.max())
    if shortest < 1 or longest > _MAX_DIGITS:
        return None
    kind = np.int32 if longest <= 9 else np.int64
    value = np.zeros(len(first), dtype=kind)
    at = stop - 1
    for k in range(longest):
        digit = buf[at]
        digit -= np.uint8(48)  # a byte below "0" wraps above 9
        if k >= shortest:
            digit[width <= k] = 0
        if int(digit.max()) > 9:
            return None
        value += digit.astype(kind) * kind(10**k) if k else digit
        at -= 1
    return value.astype(np.int64)


def _gunzip(raw: bytes) -> bytes:
    """Every member of gzip data, decompressed by zlib (which checks each member's CRC in C:
    ``gzip.decompress`` computes it again in a second pass)."""
    import zlib

    parts = []
    while raw:
        inflater = zlib.decompressobj(wbits=31)
        try:
            parts.append(inflater.decompress(raw))
        except zlib.error as exc:
            raise EOFError(f"corrupt gzip data: {exc}") from exc
        if not inflater.eof:
            raise EOFError("truncated gzip data")
        raw = inflater.unused_data.lstrip(b"\0")  # members may be padded with zero bytes
    return b"".join(parts) if len(parts) != 1 else parts[0]


def read_bed3_fast(path: str | os.PathLike) -> Regions | None:
    """Columns 1-3 of a plain, well-formed BED file with numpy alone, or None.

    Loading a tokenizer should not import pandas and pyarrow (0.5 s together) before the
    first token, so a universe takes this path first: the whole file (gzip by magic bytes)
    is split at its tabs and newlines with array operations, the coordinates are parsed one
    digit place at a time, and chromosome names are decoded once per run of equal names.
    Anything unusual (header, track or blank lines, CR or other control bytes, lines with
    different numbers of columns or fewer than three, a coordinate that is not a plain
    non-negative integer, a zero-length or reversed interval, an empty file, more than
    ``_MAX_RUNS`` chromosome runs) returns None, and the caller uses the shared reader,
    which handles it or raises the located error.
    """
    from genovocab.fileutil import is_gzip

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if is_gzip(path):
            data = _gunzip(data)
    except (OSError, EOFError):  # missing, unreadable or a broken gzip: the careful reader
        return None
    if not data:
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    buf = np.frombuffer(data, dtype=np.uint8)
    sep = np.flatnonzero(buf < 32)  # tabs and newlines (any other control byte: careful)
    kinds = buf[sep]
    n_lines = int(np.count_nonzero(kinds == 10))
    if len(sep) % n_lines:
        return None
    k = len(sep) // n_lines  # separators per line = columns
    if k < 3:
        return None
    layout = np.full(k, 9, dtype=np.uint8)
    layout[-1] = 10
    grid = sep.reshape(n_lines, k)
    if not bool((kinds.reshape(n_lines, k) == layout).all()):
        return None
    line_starts = np.empty(n_lines, dtype=np.int64)
    line_starts[0] = 0
    line_starts[1:] = grid[:-1, -1] + 1
    t1, t2, t3 = grid[:, 0], grid[:, 1], grid[:, 2]
    if bool(_CAREFUL_FIRST[buf[line_starts]].any()):
        return None
    starts = _digits(buf, t1 + 1, t2)
    ends = None if starts is None else _digits(buf, t2 + 1, t3)
    if ends is None or bool((ends <= starts).any()):
        return None
    # chromosome names: one per run of equal names (compared as fixed-width byte rows)
    name_len = t1 - line_starts
    different = name_len[1:] != name_len[:-1]
    for place in range(int(name_len.max())):
        col = buf[np.minimum(line_starts + place, t1)]  # the tab itself pads short names
        different |= col[1:] != col[:-1]
    heads = np.flatnonzero(np.concatenate(([True], different)))
    if len(heads) > _MAX_RUNS:
        return None
    chroms: dict[str, int] = {}
    run_codes = np.empty(len(heads), dtype=np.int32)
    for i, (a, b) in enumerate(zip(line_starts[heads].tolist(), t1[heads].tolist())):
        run_codes[i] = chroms.setdefault(data[a:b].decode("utf-8", "replace"), len(chroms))
    chrom_index = np.repeat(run_codes, np.diff(np.append(heads, n_lines)))
    return Regions(
        chroms=list(chroms), chrom_index=chrom_index, starts=starts, ends=ends, path=os.fspath(path)
    )


@dataclass
class _Sublist:
    """Regions (global ids ``ids``, ascending) searchable by start key and running max end."""

    ids: np.ndarray
    start_keys: np.ndarray
    end_keys: np.ndarray
    padded_max_end_keys: np.ndarray  # -1, then the running maximum of end_keys
    ends_monotonic: bool
    is_identity: bool = False  # ids == arange(N): the only sublist, positions are ids


def _decompose(start_keys: np.ndarray, end_keys: np.ndarray) -> list[np.ndarray]:
    """Split sorted regions into AIList sublists; returns each sublist's row indices."""
    remaining = np.arange(len(start_keys))
    if len(end_keys) < 2 or bool((end_keys[1:] > end_keys[:-1]).all()):
        return [remaining]  # strictly increasing ends: no region contains a later one
    lists: list[np.ndarray] = []
    while len(lists) < _MAX_SUBLISTS - 1 and len(remaining) > _MIN_SUBLIST:
        ends = end_keys[remaining]
        n = len(ends)
        covered = np.zeros(n, dtype=np.int32)
        for k in range(1, min(_COVER_WINDOW, n - 1) + 1):
            covered[:-k] += ends[:-k] >= ends[k:]
        moved = covered >= _COVER_MIN
        n_moved = int(moved.sum())
        if n_moved == 0 or n - n_moved < _MIN_SUBLIST:
            break
        lists.append(remaining[~moved])
        remaining = remaining[moved]
    lists.append(remaining)
    return lists


@dataclass
class Universe(RegionsView):
    """A sorted, deduplicated set of regions with ids ``0..N-1`` and an overlap index.

    ``regions`` (:class:`~genovocab.regions.Regions`) holds them sorted by (chromosome, start,
    end) with exact duplicates removed (:func:`~genovocab.regions.sort_dedupe`); its
    chromosome order (``chroms``) is first appearance in the source file, or a given
    chrom.sizes order. ``ids[row]`` is the token id of sorted row ``row`` (the source's line
    order of first appearance), ``rows[id]`` the reverse. ``chroms``, ``chrom_index``,
    ``starts`` and ``ends`` read through to ``regions`` (:class:`~genovocab.regions.RegionsView`).
    """

    regions: Regions
    shift: int = 32
    n_duplicates: int = 0
    ids: np.ndarray | None = None  # sorted row -> token id (file order)
    rows: np.ndarray | None = None  # token id -> sorted row
    file_sorted: bool = True
    multiplicity: np.ndarray | None = None  # rows of the source per sorted row (duplicates)
    ids_identity: bool = False  # ids[row] == row (a position-sorted source)
    _sublists: list[_Sublist] = field(default_factory=list, repr=False)
    _rank: dict[str, int] = field(default_factory=dict, repr=False)
    _start_keys: np.ndarray | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_regions(cls, regions: Regions, chrom_order: Sequence[str] | None = None) -> Universe:
        """Sort and deduplicate ``regions`` (any order, duplicates allowed) into an index.

        ``chrom_order`` (e.g. chrom.sizes order) ranks the chromosomes (only those with a
        region are kept); without it they rank in the order of ``regions.chroms``. A
        chromosome missing from ``chrom_order`` raises ValueError.
        """
        source = regions
        if chrom_order is not None:
            source = source.with_chrom_order(chrom_order)
        source = source.without_unused_chroms()
        ranks = np.asarray(source.chrom_index, dtype=np.int64)
        starts = np.asarray(source.starts, dtype=np.int64)
        ends = np.asarray(source.ends, dtype=np.int64)
        shift = key_shift(ends)
        found = sort_dedupe(ranks, starts, ends, shift=shift)
        order, in_order = found.order, found.in_order
        n_dup = found.n_duplicates
        start_keys = found.keys
        if in_order and not n_dup:
            sorted_regions = Regions(
                list(source.chroms), np.asarray(source.chrom_index, dtype=np.int32), starts, ends
            )
        else:
            sorted_regions = Regions(
                list(source.chroms),
                (start_keys >> shift).astype(np.int32),
                starts[order],
                ends[order],
            )
        # ids in order of first appearance in the file (the row kept for a run of duplicates
        # is its first line)
        if in_order:
            rows_by_id = np.arange(len(order), dtype=np.int64)
            ids = rows_by_id
            file_sorted = True  # sorted by rank implies sorted by first appearance
        else:
            rows_by_id = np.argsort(order, kind="stable")
            ids = np.empty(len(order), dtype=np.int64)
            ids[rows_by_id] = np.arange(len(order), dtype=np.int64)
            fa_order = np.lexsort((regions.ends, regions.starts, regions.chrom_index))
            file_sorted = bool((fa_order == np.arange(len(fa_order))).all())
        universe = cls(
            regions=sorted_regions,
            shift=shift,
            n_duplicates=n_dup,
            ids=ids,
            rows=rows_by_id,
            file_sorted=file_sorted,
            multiplicity=found.multiplicity,
            ids_identity=in_order,
        )
        universe._build(start_keys)
        return universe

    @classmethod
    def from_bed(
        cls, path: str | os.PathLike, chrom_sizes: Mapping[str, int] | None = None
    ) -> Universe:
        """Load a universe from any BED-like file (text columns allowed, duplicates dropped).

        With ``chrom_sizes``, chromosomes follow its order and a region on a chromosome it
        does not list, or beyond its end, is an error naming the line.
        """
        regions = read_regions(path, allow_empty=True, numpy_first=True)
        if chrom_sizes is not None:
            unknown = [c for c in regions.chroms if c not in chrom_sizes]
            sizes = np.array([chrom_sizes.get(c, 0) for c in regions.chroms], dtype=np.int64)
            if unknown or (len(regions) and (regions.ends > sizes[regions.chrom_index]).any()):
                from genovocab.io.bed import read_bed

                read_bed(path, chrom_sizes, unknown_chroms="error", allow_empty=True)
        return cls.from_regions(regions, None if chrom_sizes is None else list(chrom_sizes))

    def _build(self, start_keys: np.ndarray) -> None:
        self._rank = {c: i for i, c in enumerate(self.chroms)}
        self._start_keys = start_keys
        end_keys = (self.chrom_index.astype(np.int64) << self.shift) | self.ends
        self._sublists = []
        lists = _decompose(start_keys, end_keys)
        for rows in lists:
            ek = end_keys[rows]
            padded = np.empty(len(ek) + 1, dtype=np.int64)
            padded[0] = -1
            np.maximum.accumulate(ek, out=padded[1:])
            self._sublists.append(
                _Sublist(
                    ids=rows,
                    start_keys=start_keys[rows],
                    end_keys=ek,
                    padded_max_end_keys=padded,
                    ends_monotonic=bool(len(ek) < 2 or (ek[1:] >= ek[:-1]).all()),
                    is_identity=len(lists) == 1,
                )
            )

    # ----------------------------------------------------------------- queries
    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def chrom_ranks(self, chroms: Sequence[str]) -> np.ndarray:
        """Rank of each chromosome name in the universe, -1 for chromosomes it lacks."""
        return np.array([self._rank.get(c, -1) for c in chroms], dtype=np.int64)

    def names(self) -> np.ndarray:
        """Chromosome name of every region (object array)."""
        return np.asarray(self.chroms, dtype=object)[self.chrom_index]

    def find(self, chrom: str, start: int, end: int) -> int:
        """Token id of the region exactly ``chrom:start-end``, or -1."""
        rank = self._rank.get(chrom)
        if rank is None or self._start_keys is None:
            return -1
        key = (rank << self.shift) | int(start)
        lo = int(np.searchsorted(self._start_keys, key, "left"))
        hi = int(np.searchsorted(self._start_keys, key, "right"))
        j = lo + int(np.searchsorted(self.ends[lo:hi], int(end)))
        if j < hi and self.ends[j] == end:
            return int(self.ids[j]) if self.ids is not None else j
        return -1

    def overlaps(
        self, ranks: np.ndarray, starts: np.ndarray, ends: np.ndarray, **options: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        """All (query row, region row) pairs that overlap, sorted by query row then region row
        (rows of the sorted universe: :attr:`ids` maps them to token ids).

        ``ranks`` are the queries' chromosome ranks (:meth:`chrom_ranks`; -1 = not in the
        universe, so no hit). ``options`` are the rule of a pair (:meth:`_pairs`): it is kept
        when the shared length is at least ``min_overlap`` bp (default 1), at least
        ``min_query_fraction`` of the query's length and at least ``min_region_fraction`` of
        the region's length (default 0.0 each).
        """
        ranks = np.asarray(ranks, dtype=np.int64)
        qs = ranks << self.shift
        qs[ranks < 0] = -1
        return self._pairs(qs, starts, ends, **options)

    def pairs_for(
        self,
        chroms: Sequence[str],
        chrom_index: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        **options,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`overlaps` for queries given as chromosome names + per-row codes."""
        shifted = np.array(
            [(self._rank[c] << self.shift) if c in self._rank else -1 for c in chroms],
            dtype=np.int64,
        )
        base = shifted[chrom_index] if len(shifted) else np.zeros(0, dtype=np.int64)
        return self._pairs(base, starts, ends, **options)

    def _pairs(
        self,
        base: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        *,
        min_overlap: int = 1,
        min_query_fraction: float = 0.0,
        min_region_fraction: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of queries whose key base (``rank << shift``, or -1 for a chromosome not in
        the universe) is ``base``, kept by the rule of :meth:`overlaps` (this signature holds
        its defaults; :meth:`overlaps` and :meth:`pairs_for` pass their options on).

        With -1 (all bits set) as the base, ``base | position`` stays -1, so a query on an
        unknown chromosome gets start and end key -1 and no candidate, without a mask.
        """
        # positions past the universe's key width are clamped, never OR-ed into the
        # chromosome bits (a start >= 2**shift would otherwise read as another chromosome);
        # clamping keeps every overlap, as all universe positions are below the limit
        limit = (1 << self.shift) - 1
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if len(starts) and (int(starts.min()) < 0 or bool((ends < starts).any())):
            raise ValueError("query coordinates must be non-negative with start <= end")
        qe = base | np.minimum(ends, limit)
        qs = base | np.minimum(starts, limit)
        q_parts: list[np.ndarray] = []
        u_parts: list[np.ndarray] = []
        for sub in self._sublists:
            if len(sub.ids) == 0:
                continue
            hi = np.searchsorted(sub.start_keys, qe, "left")
            lo = _first_reaching(sub.padded_max_end_keys, qs, hi)
            counts = np.subtract(hi, lo, out=hi)
            q_idx = np.flatnonzero(counts)  # queries with at least one candidate
            if len(q_idx) == 0:
                continue
            pos = lo[q_idx]
            run = counts[q_idx]
            if int(run.max()) > 1:
                # expand runs: candidate = the run's first candidate + position within it
                offsets = np.cumsum(run) - run
                pos = np.arange(int(offsets[-1] + run[-1]), dtype=np.int64) + np.repeat(
                    pos - offsets, run
                )
                q_idx = np.repeat(q_idx, run)
            if not sub.ends_monotonic:
                hit = sub.end_keys[pos] > qs[q_idx]
                q_idx = q_idx[hit]
                pos = pos[hit]
            q_parts.append(q_idx)
            u_parts.append(pos if sub.is_identity else sub.ids[pos])
        if not q_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(q_parts) == 1:
            q_idx, u_idx = q_parts[0], u_parts[0]
        else:
            q_idx = np.concatenate(q_parts)
            u_idx = np.concatenate(u_parts)
            order = np.argsort(q_idx * (len(self) + 1) + u_idx, kind="stable")
            q_idx, u_idx = q_idx[order], u_idx[order]
        if min_overlap > 1 or min_query_fraction > 0 or min_region_fraction > 0:
            us, ue = self.starts[u_idx], self.ends[u_idx]
            q_s, q_e = starts[q_idx], ends[q_idx]
            shared = np.minimum(q_e, ue) - np.maximum(q_s, us)
            keep = shared >= min_overlap
            if min_query_fraction > 0:
                keep &= shared >= min_query_fraction * (q_e - q_s)
            if min_region_fraction > 0:
                keep &= shared >= min_region_fraction * (ue - us)
            q_idx, u_idx = q_idx[keep], u_idx[keep]
        return q_idx, u_idx


def _first_reaching(padded_max_end_keys: np.ndarray, qs: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each query, the first region j < hi whose running-max end key is > qs (else hi).

    ``padded_max_end_keys`` is the running maximum of end keys with a leading -1, so that
    entry ``j`` is the value of region ``j - 1`` and stepping back from region 0 stops by
    itself. Equal to ``min(hi, searchsorted(max_end_keys, qs, "right"))``, but cheaper: most
    queries have zero, one or two candidates, so step back from ``hi`` a few times with
    whole-array operations and binary-search only the queries still reaching further back.
    """
    lo = hi.copy()
    reaching = padded_max_end_keys[lo] > qs
    for step in range(_STEP_BACK):
        lo -= reaching
        if step + 1 == _STEP_BACK or not reaching.any():
            break
        reaching &= padded_max_end_keys[lo] > qs
    rest = np.flatnonzero(reaching)
    if len(rest):
        rest = rest[padded_max_end_keys[lo[rest]] > qs[rest]]
    if len(rest):
        found = np.searchsorted(padded_max_end_keys[1:], qs[rest], "right")
        lo[rest] = np.minimum(lo[rest], found)
    return lo


def overlap_pairs(universe: Universe, queries: Regions, **options) -> tuple[np.ndarray, np.ndarray]:
    """(query row, universe row) pairs of :class:`~genovocab.regions.Regions` against a
    :class:`Universe` (:meth:`Universe.overlaps`)."""
    return universe.pairs_for(
        queries.chroms, queries.chrom_index, queries.starts, queries.ends, **options
    )
