"""Coverage tracks of a collection of BED files, per chromosome (the input of every method).

For N files on a chromosome of length L (0-based, half-open coordinates):

* ``core[x]`` = number of files covering base x (each file's own overlaps merged first, so
  ``core <= N``; this is the quantity geniml's binomial model assumes);
* ``start[x]`` = number of regions whose first base s satisfies ``|x - s| <= w``;
* ``end[x]`` = number of regions whose last base e - 1 satisfies ``|x - (e - 1)| <= w``;

with ``w`` the smoothing half-width (25 bp by default), windows clipped to the chromosome. Tracks
are dense ``uint16`` arrays (2 bytes per base per track: hg38 chr1 needs 1.5 GB for the three),
built from a sorted list of +1/-1 events and a run-length expansion, so no ``int64`` array of the
chromosome's length is ever made. :func:`write_bigwigs` exports them to the three bigWig files
(``{prefix}_start.bw``, ``_core.bw``, ``_end.bw``) that geniml's builders read; only
chromosomes with coverage are in their headers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import numpy as np

from genovocab.errors import GenovocabError

TRACKS = ("start", "core", "end")
MAX_COUNT = np.iinfo(np.uint16).max


class ChromCoverage:
    """The three tracks of one chromosome (``uint16``, one value per base).

    ``core`` may be given dense or as runs (``core_runs``: starts, ends, values of its non-zero
    stretches; what ``union``, ``cc`` and ``ccf`` work on, so they never touch the uncovered
    bases); either is derived from the other on first use. ``start`` and ``end`` may be given,
    or computed on first use from the region starts and last bases.
    """

    def __init__(
        self,
        chrom: str,
        start: np.ndarray | None,
        core: np.ndarray | None,
        end: np.ndarray | None,
        n_files: int,
        *,
        window: int = 25,
        starts: np.ndarray | None = None,
        lasts: np.ndarray | None = None,
        size: int | None = None,
        core_runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ):
        self.chrom = chrom
        self._core = core
        self._core_runs = core_runs
        self._size = int(core.shape[0]) if core is not None else int(size)
        self.n_files = n_files
        self.window = window
        self._start = start
        self._end = end
        self._starts = starts
        self._lasts = lasts

    @property
    def core(self) -> np.ndarray:
        if self._core is None:
            self._core = runs_to_track(*self._core_runs, self._size)
        return self._core

    @property
    def core_runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, ends, values) of the runs of equal non-zero core coverage."""
        if self._core_runs is None:
            self._core_runs = track_runs(self._core)
        return self._core_runs

    def runs(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, ends, values) of the non-zero runs of track ``name``, without building the
        dense track when it was not built yet."""
        if name == "core":
            return self.core_runs
        dense = self._start if name == "start" else self._end
        if dense is not None:
            return track_runs(dense)
        points = self._starts if name == "start" else self._lasts
        return _window_runs(points, self.window, self.size)

    @property
    def start(self) -> np.ndarray:
        if self._start is None:
            self._start = _window_track(self._starts, self.window, self.size)
        return self._start

    @property
    def end(self) -> np.ndarray:
        if self._end is None:
            self._end = _window_track(self._lasts, self.window, self.size)
        return self._end

    @property
    def size(self) -> int:
        return self._size

    def is_empty(self) -> bool:
        """True when no file covers any base of the chromosome."""
        if self._core_runs is not None:
            return len(self._core_runs[0]) == 0
        return not self._core.any()

    def track(self, name: str) -> np.ndarray:
        return getattr(self, name)


def lazy_njit(func):
    """``numba.njit(cache=True)`` applied on first call, so importing this package does not
    import numba (and cc/union never load it)."""
    compiled = []

    def call(*args):
        if not compiled:
            from numba import njit

            compiled.append(njit(cache=True)(func))
        return compiled[0](*args)

    call.__name__ = func.__name__
    call.__doc__ = func.__doc__
    call.py_func = func
    return call


def events_to_runs(
    positions: np.ndarray, deltas: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, values) of the non-zero runs of the track made by +/- events (the value
    changes by ``delta`` at ``position``; positions in ``[0, size]``)."""
    empty = np.zeros(0, np.int64)
    if len(positions) == 0:
        return empty, empty.copy(), np.zeros(0, np.uint16)
    order = np.argsort(positions, kind="stable")
    pos = positions[order]
    d = deltas[order]
    first = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    uniq = pos[first]
    values = np.cumsum(np.add.reduceat(d, first))
    if values.max() > MAX_COUNT:
        raise GenovocabError(f"coverage above {MAX_COUNT} (uint16); too many regions stacked")
    starts, ends = uniq[:-1], uniq[1:]
    keep = (values[:-1] != 0) & (ends > starts) & (starts < size)
    return (
        starts[keep].astype(np.int64),
        np.minimum(ends[keep], size).astype(np.int64),
        values[:-1][keep].astype(np.uint16),
    )


def runs_to_track(
    starts: np.ndarray, ends: np.ndarray, values: np.ndarray, size: int
) -> np.ndarray:
    """Dense ``uint16`` track of length ``size`` from non-overlapping sorted runs."""
    if len(starts) == 0:
        return np.zeros(size, dtype=np.uint16)
    bounds = np.empty(2 * len(starts) + 2, dtype=np.int64)
    bounds[0] = 0
    bounds[1:-1:2] = starts
    bounds[2:-1:2] = ends
    bounds[-1] = size
    vals = np.zeros(2 * len(starts) + 1, dtype=np.uint16)
    vals[1::2] = values
    return np.repeat(vals, np.diff(bounds))


def track_runs(track: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, values) of the runs of equal non-zero values of a dense track."""
    change = np.flatnonzero(track[1:] != track[:-1]) + 1
    bounds = np.r_[0, change, len(track)]
    values = track[bounds[:-1]]
    nz = values != 0
    return (
        bounds[:-1][nz].astype(np.int64),
        bounds[1:][nz].astype(np.int64),
        values[nz].astype(np.uint16),
    )


def events_to_track(positions: np.ndarray, deltas: np.ndarray, size: int) -> np.ndarray:
    """Dense ``uint16`` track of length ``size`` from +/- events (see :func:`events_to_runs`)."""
    return runs_to_track(*events_to_runs(positions, deltas, size), size)


def merge_per_file(
    files: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Union of each file's regions (overlapping or touching regions of one file joined)."""
    if len(starts) == 0:
        return starts, ends
    big = np.int64(int(ends.max()) + 2)
    order = np.lexsort((starts, files))
    f = files[order].astype(np.int64)
    s = starts[order] + f * big
    e = ends[order] + f * big
    run_end = np.maximum.accumulate(e)
    new = np.r_[True, s[1:] > run_end[:-1]]
    idx = np.flatnonzero(new)
    block_end = np.maximum.reduceat(e, idx)
    offset = f[idx] * big
    return s[idx] - offset, block_end - offset


def _window_runs(
    points: np.ndarray, window: int, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo = np.clip(points - window, 0, size)
    hi = np.clip(points + window + 1, 0, size)
    return events_to_runs(
        np.r_[lo, hi], np.r_[np.ones(len(lo), np.int64), -np.ones(len(hi), np.int64)], size
    )


def runs_counts(runs: tuple[np.ndarray, np.ndarray, np.ndarray], size: int) -> np.ndarray:
    """Value counts (index = value) of the track made by ``runs`` over ``size`` bases."""
    starts, ends, values = runs
    counts = np.bincount(values, weights=ends - starts, minlength=1).astype(np.int64)
    counts[0] += size - int((ends - starts).sum())
    return counts


def runs_window(runs: tuple[np.ndarray, np.ndarray, np.ndarray], lo: int, hi: int) -> np.ndarray:
    """Dense ``uint16`` values of bases ``lo..hi-1`` of the track made by ``runs``."""
    starts, ends, values = runs
    i0 = np.searchsorted(ends, lo, side="right")
    i1 = np.searchsorted(starts, hi, side="left")
    s = np.clip(starts[i0:i1], lo, hi) - lo
    e = np.clip(ends[i0:i1], lo, hi) - lo
    return runs_to_track(s, e, values[i0:i1], hi - lo)


def _window_track(points: np.ndarray, window: int, size: int) -> np.ndarray:
    lo = np.clip(points - window, 0, size)
    hi = np.clip(points + window + 1, 0, size)
    return events_to_track(
        np.r_[lo, hi], np.r_[np.ones(len(lo), np.int64), -np.ones(len(hi), np.int64)], size
    )


def chrom_coverage(
    chrom: str,
    size: int,
    files: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    n_files: int,
    window: int = 25,
) -> ChromCoverage:
    """The three tracks of one chromosome from its regions (``files`` = file number of each)."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    ms, me = merge_per_file(np.asarray(files), starts, ends)
    runs = events_to_runs(
        np.r_[ms, me], np.r_[np.ones(len(ms), np.int64), -np.ones(len(me), np.int64)], size
    )
    return ChromCoverage(
        chrom,
        None,
        None,
        None,
        n_files,
        window=window,
        starts=starts,
        lasts=ends - 1,
        size=size,
        core_runs=runs,
    )


def peakset_coverage(peaks, chrom: str, window: int = 25) -> ChromCoverage:
    """Coverage of chromosome ``chrom`` of a :class:`~genovocab.universe.inputs.PeakSet`."""
    f, s, e = peaks.on_chrom(chrom)
    size = int(peaks.sizes[peaks.chroms.index(chrom)])
    return chrom_coverage(chrom, size, f, s, e, peaks.n_files, window)


def write_bigwigs(
    prefix: str | os.PathLike, coverages: Iterable[ChromCoverage], chrom_sizes: Mapping[str, int]
) -> list[str]:
    """Export tracks to ``{prefix}_start.bw``, ``{prefix}_core.bw``, ``{prefix}_end.bw``.

    Only chromosomes with coverage are in the headers (in ``chrom_sizes`` order); zero runs are
    not written (readers see NaN, which geniml maps to 0). Returns the three paths.
    """
    import pyBigWig

    covs = {c.chrom: c for c in coverages if not c.is_empty()}
    header = [(name, int(size)) for name, size in chrom_sizes.items() if name in covs]
    paths = []
    for track in TRACKS:
        path = f"{os.fspath(prefix)}_{track}.bw"
        tmp = path + ".tmp"
        bw = pyBigWig.open(tmp, "w")
        bw.addHeader(header, maxZooms=0)
        for name, _ in header:
            s, e, v = (
                covs[name].core_runs if track == "core" else track_runs(covs[name].track(track))
            )
            if len(s):
                bw.addEntries(
                    [name] * len(s),
                    s.tolist(),
                    ends=e.tolist(),
                    values=v.astype(np.float64).tolist(),
                )
        bw.close()
        os.replace(tmp, path)
        paths.append(path)
    return paths


def value_counts(track: np.ndarray, chunk: int = 1 << 22) -> np.ndarray:
    """``np.bincount(track)`` of a ``uint16`` track without a 64-bit copy of the track: from the
    non-zero positions when they are few (sparse peaks on a long chromosome), else in chunks."""
    if len(track) == 0:
        return np.zeros(1, dtype=np.int64)
    n_nonzero = int(np.count_nonzero(track))
    if n_nonzero * 4 < len(track):
        values = track[np.flatnonzero(track)]
        counts = np.bincount(values, minlength=1).astype(np.int64)
        counts[0] = len(track) - n_nonzero
        return counts
    counts = np.zeros(int(track.max()) + 1, dtype=np.int64)
    for lo in range(0, len(track), chunk):
        part = np.bincount(track[lo : lo + chunk])
        counts[: len(part)] += part
    return counts
