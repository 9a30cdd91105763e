"""The universe construction methods on one chromosome's coverage (geniml 0.8.4 definitions).

Every method returns a :class:`pandas.DataFrame` (``chrom, start, end`` and, for the flexible
methods, ``thick_start, thick_end``). Definitions follow geniml's ``build-universe`` so that the
same coverage gives the same regions; the deliberate differences (geniml faults) are:

* a chromosome without coverage yields no region (geniml: ``cc`` reports the whole chromosome,
  because the default cutoff is then 0; ``ccf``/``ml``/``hmm`` crash);
* ``cc`` with ``merge``/``filter_size``: contiguous bases are always one region (geniml splits
  every base into its own region when ``merge`` < 2 and ``filter_size`` > 0);
* ``ml``/``hmm``: a run of non-background states without a core state is not a region (geniml
  crashes on it), and a run that does not reach the end state has its core run to its end (geniml
  crashes); outputs are overwritten (geniml refuses to write over an existing file).

State codes of ``ml`` and ``hmm`` (geniml's): 0 start, 1 core, 2 end, 3 background.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from genovocab.defaults import COVERAGE_METHODS, FLEXIBLE_METHODS
from genovocab.defaults import UNIVERSE_METHODS as METHODS
from genovocab.regions import merge_touching, true_runs
from genovocab.universe.coverage import (
    ChromCoverage,
    lazy_njit,
    runs_counts,
    runs_window,
    value_counts,
)
from genovocab.universe.files import empty_universe
from genovocab.universe.model import binomial_model

BACKGROUND = 3

# geniml.universe.const: the fixed Poisson HMM (states start, core, end, background).
HMM_TRANSMAT = np.array(
    [
        [1 - 1e-10, 1e-10, 0, 0],
        [0, 1 - 1e-6, 1e-6, 0],
        [0, 0, 1 - 1e-10, 1e-10],
        [0.1, 0, 0, 0.9],
    ]
)
HMM_LAMBDAS = np.array(
    [
        [5, 3, 0.0001],
        [0.05, 5, 0.05],
        [0.0001, 3, 5],
        [0.0001, 0.001, 0.0001],
    ]
)
HMM_STARTPROB = np.array([0.01, 0.01, 0.97, 0.01])


def _frame(chrom: str, starts, ends, thick_starts=None, thick_ends=None) -> pd.DataFrame:
    data = {
        "chrom": np.full(len(starts), chrom, dtype=object),
        "start": np.asarray(starts, np.int64),
        "end": np.asarray(ends, np.int64),
    }
    if thick_starts is not None:
        data["thick_start"] = np.asarray(thick_starts, np.int64)
        data["thick_end"] = np.asarray(thick_ends, np.int64)
    return pd.DataFrame(data)


# --- cc and union --------------------------------------------------------------------------


def ml_cutoff(core: np.ndarray) -> float:
    """geniml's default cutoff: the chromosome's mean core coverage (sum / length), which is the
    cutoff of the maximum-likelihood universe under the binomial model."""
    return float(np.sum(core, dtype=np.uint64)) / len(core)


def _runs_total(starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> int:
    return int(np.dot(values.astype(np.int64), ends - starts))


def cc_regions(
    cov: ChromCoverage, cutoff: float | None = None, merge: int = 0, filter_size: int = 0
) -> pd.DataFrame:
    """``cc``: bases with core coverage >= ``cutoff`` (default: the mean core coverage of the
    chromosome, :func:`ml_cutoff`), as regions; computed on the runs of the core track.

    ``merge``: regions whose gap ``start_next - last_base`` is below ``merge`` are joined;
    ``filter_size``: regions shorter than it are dropped (geniml's ``--merge``/``--filter-size``).
    """
    if cov.is_empty():
        return _frame(cov.chrom, [], [])
    rs, re, rv = cov.core_runs
    if cutoff is None:
        cutoff = _runs_total(rs, re, rv) / cov.size
    keep = rv >= cutoff
    starts, ends = merge_touching(rs[keep], re[keep])
    if merge > 1 and len(starts) > 1:
        # geniml joins consecutive kept bases p < q when q - p < merge; q - p = next start - (end-1)
        joined = (starts[1:] - (ends[:-1] - 1)) < merge
        first = np.r_[True, ~joined]
        last = np.r_[~joined, True]
        starts, ends = starts[first], ends[last]
    if filter_size > 0:
        keep = (ends - starts) >= filter_size
        starts, ends = starts[keep], ends[keep]
    return _frame(cov.chrom, starts, ends)


def union_regions(cov: ChromCoverage) -> pd.DataFrame:
    """``union``: the merged union of all regions (bases covered by at least one file)."""
    return cc_regions(cov, cutoff=1)


# --- ccf -----------------------------------------------------------------------------------


def ccf_thresholds(core: np.ndarray) -> tuple[float, float]:
    """(lower, upper) coverage bounds of ``ccf``: the quantiles 0.2 below and above the position
    of the rounded mean coverage among the sorted non-zero coverage values (geniml's rule)."""
    counts = value_counts(core)
    total = int(np.dot(counts, np.arange(len(counts))))
    return _ccf_thresholds(counts, total, len(core))


def _ccf_thresholds(counts: np.ndarray, total: int, size: int) -> tuple[float, float]:
    counts = counts.copy()
    counts[0] = 0
    n = int(counts.sum())
    values = np.flatnonzero(counts)
    ordered = np.repeat(values.astype(np.uint16), counts[values])  # == sorted non-zero values
    cutoff = max([1, np.round(np.uint64(total) / size)])
    if cutoff >= len(counts) or counts[int(cutoff)] == 0:
        dist = np.absolute(values.astype(np.uint16) - cutoff)
        cutoff = values[dist.argmin()]
    cutoff = int(cutoff)
    first = int(counts[:cutoff].sum())
    last = first + int(counts[cutoff]) - 1
    q = np.mean([first / n, last / n])
    lower = np.quantile(ordered, max(0, q - 0.2))
    upper = np.quantile(ordered, min(1, q + 0.2))
    return float(lower), float(upper)


def _first_min(track: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Index of the first minimum of ``track[lo:hi]`` for each of the sorted, disjoint,
    non-empty ranges."""
    if len(lo) == 0:
        return np.zeros(0, np.int64)
    lengths = hi - lo
    seg = np.repeat(np.arange(len(lo)), lengths)
    pos = (
        np.arange(lengths.sum())
        - np.repeat(np.cumsum(lengths) - lengths, lengths)
        + np.repeat(lo, lengths)
    )
    values = track[pos]
    mins = np.minimum.reduceat(values, np.cumsum(lengths) - lengths)
    hit = np.flatnonzero(values == mins[seg])
    first = np.unique(seg[hit], return_index=True)[1]
    return pos[hit[first]]


def _ccf_segments(
    run_s: np.ndarray,
    run_e: np.ndarray,
    piece_s: np.ndarray,
    piece_e: np.ndarray,
    cs: np.ndarray,
    ce: np.ndarray,
    cv: np.ndarray,
) -> np.ndarray:
    """geniml's ``save_regions``/``ana_region`` for all flexible runs at once, on intervals:
    ``run_s/run_e`` the flexible runs, ``piece_s/piece_e`` the core stretches (half-open),
    ``cs, ce, cv`` the coverage runs (for the minima). Returns ``(n, 4)`` rows of start, end,
    thickStart, thickEnd."""
    if len(piece_s) == 0:
        return np.zeros((0, 4), np.int64)
    run = np.searchsorted(run_s, piece_s, side="right") - 1
    same_run = np.r_[False, run[1:] == run[:-1]]
    # a new core piece when the next core base is >= 50 bp after the last one
    split = same_run & (np.r_[0, piece_s[1:] - (piece_e[:-1] - 1)] >= 50)
    first_idx = np.flatnonzero(~same_run | split)
    last_idx = np.r_[first_idx[1:] - 1, len(piece_s) - 1]
    split_idx = np.flatnonzero(split)
    lo = piece_e[split_idx - 1] - 1  # the last core base before the split
    hi = piece_s[split_idx]
    first_run = np.searchsorted(ce, lo, side="right")
    after_run = np.searchsorted(cs, hi, side="left")
    cut = np.maximum(cs[_first_min(cv, first_run, after_run)], lo)  # geniml's argmin
    piece_run = run[first_idx]
    opened_by_split = split[first_idx]
    starts = run_s[piece_run].astype(np.int64)
    starts[opened_by_split] = cut + 1
    ends = run_e[piece_run].astype(np.int64)
    closes_by_split = np.r_[opened_by_split[1:], False]
    ends[closes_by_split] = cut + 1
    thick_s = piece_s[first_idx].astype(np.int64)
    thick_s[thick_s == starts] += 1
    thick_e = piece_e[last_idx].astype(np.int64) - 1
    at_run_end = ~closes_by_split & (thick_e == run_e[piece_run] - 1)
    thick_e[at_run_end] -= 1
    keep = (piece_run == len(run_s) - 1) | (thick_s != thick_e)
    return np.stack([starts, ends, thick_s, thick_e], axis=1)[keep]


def ccf_regions(cov: ChromCoverage) -> pd.DataFrame:
    """``ccf``: flexible regions. Bases with coverage >= lower are the flexible extent, bases above
    upper the core; core pieces 50 bp or more apart are split at the first coverage minimum
    between them. Columns as geniml writes them: thickStart = first core base (moved one base in
    when the core touches the region's start), thickEnd = last core base (one less when the core
    touches the region's end). Computed on the runs of the core track."""
    if cov.is_empty():
        return _frame(cov.chrom, [], [], [], [])
    cs, ce, cv = cov.core_runs
    counts = np.bincount(cv, weights=ce - cs).astype(np.int64)
    counts[0] = cov.size - int(counts.sum())
    lower, upper = _ccf_thresholds(counts, _runs_total(cs, ce, cv), cov.size)
    flex = cv >= lower
    run_s, run_e = merge_touching(cs[flex], ce[flex])
    core = cv > upper
    piece_s, piece_e = merge_touching(cs[core], ce[core])
    rows = _ccf_segments(run_s, run_e, piece_s, piece_e, cs, ce, cv)
    return _frame(cov.chrom, rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3])


# --- ml and hmm: segments to work on, state paths to regions ---------------------------------


def active_segments(
    start: np.ndarray, core: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """geniml's ``find_full``: the stretches of the chromosome the state machine is run on (the
    rest is background). The per-base signal is ``(start + core + end) mod 256`` (geniml sums the
    tracks in uint8); when fewer than half the bases are non-zero, non-zero bases closer than
    1000 bp are grouped, each group padded by 500 bp; otherwise the chromosome is cut at zero
    runs of 10 kb or more (the first zero run always), each piece padded by 1 kb."""
    total = start + core  # uint16 arithmetic wraps mod 65536, a multiple of 256
    total += end
    total &= 255
    size = len(total)
    n_nonzero = int(np.count_nonzero(total))
    if n_nonzero < size - n_nonzero:
        return _full_full_pos(np.flatnonzero(total), size)
    return _full_empty_pos(np.flatnonzero(total == 0), size)


def _likely_sparse(cov: ChromCoverage) -> bool:
    """Cheap pre-check: the run-based path pays off when the core covers well under half the
    chromosome (the exact dense/sparse rule is applied afterwards either way)."""
    starts, ends, _ = cov.core_runs
    return int((ends - starts).sum()) * 5 < cov.size * 2


def sparse_active_segments(
    runs3: list[tuple[np.ndarray, np.ndarray, np.ndarray]], size: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`active_segments` from the runs of the three tracks, without per-base arrays; None
    when at least half the bases are non-zero (then the dense rule applies)."""
    bounds = np.unique(np.concatenate([np.r_[r[0], r[1]] for r in runs3]))
    empty = np.zeros(0, np.int64)
    if len(bounds) < 2:
        return empty, empty.copy()
    seg_s, seg_e = bounds[:-1], bounds[1:]
    total = np.zeros(len(seg_s), dtype=np.int64)
    for starts, ends, values in runs3:
        if len(starts) == 0:
            continue
        idx = np.searchsorted(starts, seg_s, side="right") - 1
        safe = np.clip(idx, 0, len(starts) - 1)
        inside = (idx >= 0) & (seg_s < ends[safe])
        total += np.where(inside, values[safe].astype(np.int64), 0)
    nz = (total & 255) != 0
    ns, ne = merge_touching(seg_s[nz], seg_e[nz])
    n_nonzero = int((ne - ns).sum())
    if n_nonzero >= size - n_nonzero:
        return None
    if n_nonzero == 0:
        return empty, empty.copy()
    brk = np.flatnonzero(ns[1:] - (ne[:-1] - 1) > 1000)
    first = int(ns[0] - 500) if ns[0] > 1000 else 0
    starts = np.r_[first, ns[brk + 1] - 500]
    ends = np.r_[ne[brk] - 1 + 500, min(int(ne[-1]) - 1 + 500, size)]
    return starts.astype(np.int64), ends.astype(np.int64)


def _full_full_pos(
    pos: np.ndarray, size: int, gap: int = 1000, area: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    if len(pos) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    breaks = np.flatnonzero(np.diff(pos) > gap)
    first = int(pos[0] - area) if pos[0] > gap else 0
    starts = np.r_[first, pos[breaks + 1] - area]
    ends = np.r_[pos[breaks] + area, min(int(pos[-1]) + area, size)]
    return starts.astype(np.int64), ends.astype(np.int64)


def _full_empty_pos(
    zeros: np.ndarray, size: int, gap: int = 10000, area: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    # zero runs; geniml's loop closes every run but the last, measuring the first one's length
    # as (length - 1) and its start as 0; it records the first closed run and later runs >= gap.
    if len(zeros) == 0:
        return np.array([0], np.int64), np.array([size], np.int64)
    brk = np.flatnonzero(np.diff(zeros) != 1)
    run_first = np.r_[zeros[0], zeros[brk + 1]]
    run_last = np.r_[zeros[brk], zeros[-1]]
    closed = len(run_first) - 1
    rec_starts, rec_ends = [], []
    for r in range(closed):
        length = run_last[r] - run_first[r] + (0 if r == 0 else 1)
        if r == 0 or length >= gap:
            rec_starts.append(0 if r == 0 else int(run_first[r]))
            rec_ends.append(int(run_last[r]))
    seg_s = [max(0, e - area) for e in rec_ends] or [0]
    seg_e = [s + area for s in rec_starts[1:]] + [size]
    return np.asarray(seg_s, np.int64), np.asarray(seg_e, np.int64)


@lazy_njit
def _path_rows(path, offset):  # pragma: no cover - numba
    cap = 1024
    out = np.empty((cap, 5), dtype=np.int64)
    k = 0
    n = len(path)
    i = 0
    while i < n:
        if path[i] == BACKGROUND:
            i += 1
            continue
        start = i
        first_core = -1
        first_end = -1
        while i < n and path[i] != BACKGROUND:
            if path[i] == 1 and first_core < 0:
                first_core = i
            elif path[i] == 2 and first_end < 0:
                first_end = i
            i += 1
        if first_core < 0:
            continue
        if first_end < 0:
            first_end = i
        if k == cap:
            cap *= 2
            grown = np.empty((cap, 5), dtype=np.int64)
            grown[:k] = out[:k]
            out = grown
        out[k, 0] = start + offset
        out[k, 1] = i + offset
        out[k, 2] = first_core + offset
        out[k, 3] = first_end + offset
        out[k, 4] = path[i - 1]
        k += 1
    return out[:k]


def path_regions(path: np.ndarray, offset: int = 0) -> np.ndarray:
    """Regions of one state path: ``(n, 5)`` int64 rows ``start, end, first core, first end
    state, state of the last base`` (absolute coordinates: ``offset`` added). Runs without a core
    state are skipped; a run without an end state has its core run to its end."""
    return _path_rows(np.ascontiguousarray(path, dtype=np.uint8), np.int64(offset))


def states_to_regions(chrom: str, rows: np.ndarray) -> pd.DataFrame:
    """BED9 regions from :func:`path_regions` rows of a chromosome, in order (geniml's
    ``predictions_to_bed``): thickStart = the first core base, thickEnd = the first end-state
    base; the chromosome's last run is kept only when it finishes in the end state."""
    if len(rows) and rows[-1, 4] != 2:
        rows = rows[:-1]
    return _frame(chrom, rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3])


# --- ml --------------------------------------------------------------------------------------


@lazy_njit
def _ml_path(cs, cc, ce, s0, s1, c0, c1, e0, e1):  # pragma: no cover - numba
    # geniml's programme: score[i, j] = emission[i, j] + max(score[i-1, j], score[i-1, j-1]);
    # bit j of back[i] records score[i, j-1] > score[i, j] (then state j was entered at i + 1)
    n = len(cs)
    back = np.empty(n, dtype=np.uint8)
    p0 = p1 = p2 = p3 = 0.0
    for i in range(n):
        sb = s0[cs[i]]
        cb = c0[cc[i]]
        eb = e0[ce[i]]
        x0 = s1[cs[i]] + cb + eb
        x1 = sb + c1[cc[i]] + eb
        x2 = sb + cb + e1[ce[i]]
        x3 = sb + cb + eb
        if i > 0:
            bits = 0
            if p3 > p0:
                bits |= 1
            if p0 > p1:
                bits |= 2
            if p1 > p2:
                bits |= 4
            if p2 > p3:
                bits |= 8
            back[i - 1] = bits
            x0 += max(p0, p3)
            x1 += max(p1, p0)
            x2 += max(p2, p1)
            x3 += max(p3, p2)
        p0, p1, p2, p3 = x0, x1, x2, x3
    path = np.empty(n, dtype=np.uint8)
    best = 0
    top = p0
    if p1 > top:
        best, top = 1, p1
    if p2 > top:
        best, top = 2, p2
    if p3 > top:
        best, top = 3, p3
    path[n - 1] = best
    for i in range(n - 2, -1, -1):
        q = path[i + 1]
        if (back[i] >> q) & 1:
            q = q - 1 if q > 0 else 3
        path[i] = q
    return path


@lazy_njit
def _histograms3(a, b, c):  # pragma: no cover - numba
    top = 0
    for t in (a, b, c):
        for v in t:
            if v > top:
                top = v
    counts = np.zeros((3, int(top) + 1), dtype=np.int64)
    for i in range(len(a)):
        counts[0, a[i]] += 1
        counts[1, b[i]] += 1
        counts[2, c[i]] += 1
    return counts


def ml_models(cov: ChromCoverage) -> dict[str, np.ndarray]:
    """The binomial tables of the three tracks (one pass over the chromosome for the counts)."""
    counts = _histograms3(cov.start, cov.core, cov.end)
    return {
        t: binomial_model(cov.track(t), cov.n_files, counts[k])
        for k, t in enumerate(("start", "core", "end"))
    }


def ml_path_rows(cov: ChromCoverage, models: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Maximum-likelihood state paths (geniml's ``ml`` dynamic programme over the binomial
    likelihood tables of ``start``, ``core``, ``end``; see :mod:`.model`) on the active
    segments, as :func:`path_regions` rows. Sparse coverage is handled from the tracks' runs
    (per-base arrays only for the active segments); dense coverage with per-base tracks."""
    names = ("start", "core", "end")
    segments = None
    if models is None and _likely_sparse(cov):
        runs3 = [cov.runs(t) for t in names]
        segments = sparse_active_segments(runs3, cov.size)
        models = {
            t: binomial_model(None, cov.n_files, runs_counts(r, cov.size), cov.size)
            for t, r in zip(names, runs3)
        }
    elif models is None:
        models = ml_models(cov)
    columns = [np.ascontiguousarray(models[t][:, k]) for t in names for k in (0, 1)]
    rows = [np.zeros((0, 5), np.int64)]
    if segments is None:
        for s, e in zip(*active_segments(cov.start, cov.core, cov.end)):
            if e > s:
                path = _ml_path(cov.start[s:e], cov.core[s:e], cov.end[s:e], *columns)
                rows.append(path_regions(path, int(s)))
        return np.concatenate(rows)
    for s, e in zip(*segments):
        if e > s:
            window = [runs_window(r, int(s), int(e)) for r in runs3]
            rows.append(path_regions(_ml_path(*window, *columns), int(s)))
    return np.concatenate(rows)


def ml_regions(cov: ChromCoverage) -> pd.DataFrame:
    """``ml``: maximum-likelihood flexible universe (binomial model of this chromosome)."""
    if cov.is_empty():
        return _frame(cov.chrom, [], [], [], [])
    return states_to_regions(cov.chrom, ml_path_rows(cov))


# --- hmm -------------------------------------------------------------------------------------


def _hmm_lut(counts: np.ndarray, mode: str) -> np.ndarray:
    from scipy.stats import nbinom

    p = {"ends": 0.1, "core": 0.2}[mode]
    counts = counts.copy()
    counts[0] = 0
    total = int(counts.sum())
    lut = np.zeros(len(counts), dtype=np.uint16)
    if total == 0:
        return lut
    values = np.flatnonzero(counts)
    quantiles = np.empty(len(values))
    bs = 0
    for k, v in enumerate(values):
        move = (int(counts[v]) / total) / 2
        quantiles[k] = bs + move
        bs = bs + move * 2
    lut[values] = nbinom.ppf(quantiles, 1, p).astype(np.uint16)
    return lut


def hmm_normalize(track: np.ndarray, mode: str) -> np.ndarray:
    """geniml's ``norm``: each non-zero value becomes the negative-binomial (r = 1, p = 0.1 for
    start/end, 0.2 for core) quantile at the midpoint of that value's share of the non-zero
    values; returns a new ``uint16`` track."""
    return _hmm_lut(value_counts(track), mode)[track]


@lazy_njit
def _viterbi(x0, x1, x2, t0, t1, t2, log_start, log_trans):  # pragma: no cover - numba
    n = len(x0)
    back = np.zeros((n, 4), dtype=np.uint8)
    prev = np.empty(4)
    cur = np.empty(4)
    for j in range(4):
        prev[j] = log_start[j] + (t0[j, x0[0]] + t1[j, x1[0]] + t2[j, x2[0]])
    for t in range(1, n):
        for j in range(4):
            best = -np.inf
            arg = 0
            for i in range(4):
                v = prev[i] + log_trans[i, j]
                if v >= best:  # hmmlearn's backtrack keeps the highest state on ties
                    best = v
                    arg = i
            back[t, j] = arg
            cur[j] = best + (t0[j, x0[t]] + t1[j, x1[t]] + t2[j, x2[t]])
        for j in range(4):
            prev[j] = cur[j]
    path = np.empty(n, dtype=np.uint8)
    best_j = 0
    for j in range(1, 4):
        if prev[j] > prev[best_j]:
            best_j = j
    path[n - 1] = best_j
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def _poisson_tables(max_value: int) -> list[np.ndarray]:
    from scipy.stats import poisson

    x = np.arange(max_value + 1)
    return [np.stack([poisson.logpmf(x, HMM_LAMBDAS[j, k]) for j in range(4)]) for k in range(3)]


def hmm_path_rows(cov: ChromCoverage, normalize: bool = True) -> np.ndarray:
    """Viterbi paths of geniml's fixed 4-state Poisson HMM over the (normalised) tracks, on the
    active segments, as :func:`path_regions` rows (sparse coverage from the tracks' runs)."""
    if not _likely_sparse(cov):
        return _hmm_dense_rows(cov, normalize)
    runs3 = []
    for name, mode in (("start", "ends"), ("core", "core"), ("end", "ends")):
        starts, ends, values = cov.runs(name)
        if normalize:
            values = _hmm_lut(runs_counts((starts, ends, values), cov.size), mode)[values]
        runs3.append((starts, ends, values))
    top = max([int(r[2].max()) if len(r[2]) else 0 for r in runs3])
    tables = _poisson_tables(top)
    log_start, log_trans = _hmm_log_params()
    rows = [np.zeros((0, 5), np.int64)]
    segments = sparse_active_segments(runs3, cov.size)
    if segments is None:
        return _hmm_dense_rows(cov, normalize)
    for s, e in zip(*segments):
        if e > s:
            window = [runs_window(r, int(s), int(e)) for r in runs3]
            path = _viterbi(*window, *tables, log_start, log_trans)
            rows.append(path_regions(path, int(s)))
    return np.concatenate(rows)


def _hmm_log_params() -> tuple[np.ndarray, np.ndarray]:
    log = np.vectorize(lambda v: math.log(v) if v > 0 else -np.inf)  # libm log, as hmmlearn
    return log(HMM_STARTPROB).astype(np.float64), log(HMM_TRANSMAT).astype(np.float64)


def _hmm_dense_rows(cov: ChromCoverage, normalize: bool) -> np.ndarray:
    """The HMM on per-base tracks of the whole chromosome (dense coverage)."""
    tracks = [cov.start, cov.core, cov.end]
    if normalize:
        tracks = [
            hmm_normalize(tracks[0], "ends"),
            hmm_normalize(tracks[1], "core"),
            hmm_normalize(tracks[2], "ends"),
        ]
    tables = _poisson_tables(int(max(t.max() for t in tracks)))
    log_start, log_trans = _hmm_log_params()
    rows = [np.zeros((0, 5), np.int64)]
    for s, e in zip(*active_segments(*tracks)):
        if e > s:
            path = _viterbi(
                tracks[0][s:e], tracks[1][s:e], tracks[2][s:e], *tables, log_start, log_trans
            )
            rows.append(path_regions(path, int(s)))
    return np.concatenate(rows)


def hmm_regions(cov: ChromCoverage, normalize: bool = True) -> pd.DataFrame:
    """``hmm``: flexible universe decoded by geniml's Poisson HMM."""
    if cov.is_empty():
        return _frame(cov.chrom, [], [], [], [])
    return states_to_regions(cov.chrom, hmm_path_rows(cov, normalize))


def method_regions(
    method: str,
    cov: ChromCoverage,
    *,
    cutoff: float | None = None,
    merge: int = 0,
    filter_size: int = 0,
    hmm_normalize: bool = True,
) -> pd.DataFrame:
    """Dispatch to one coverage-based method (``union``, ``cc``, ``ccf``, ``ml``, ``hmm``)."""
    if method == "union":
        return union_regions(cov)
    if method == "cc":
        return cc_regions(cov, cutoff, merge, filter_size)
    if method == "ccf":
        return ccf_regions(cov)
    if method == "ml":
        return ml_regions(cov)
    if method == "hmm":
        return hmm_regions(cov, hmm_normalize)
    raise ValueError(
        f"unknown coverage method {method!r} (expected one of {', '.join(COVERAGE_METHODS)})"
    )


__all__ = [
    "FLEXIBLE_METHODS",
    "METHODS",
    "empty_universe",
    "merge_touching",
    "method_regions",
    "true_runs",
]
