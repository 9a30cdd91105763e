"""Assessment of a universe against the files it should represent (geniml ``assess-universe``).

Per file (its regions sorted and merged, as geniml does with ``bedtools merge``):

* **F10**: base-pair overlap of file and universe; recall = overlap / file bp, precision =
  overlap / universe bp (the whole universe), F10 = 101 p r / (100 p + r);
* **median boundary distance** file -> universe: for each file region the distance of its start
  to the nearest universe start and of its end to the nearest universe end, on the same
  chromosome; the median of all those distances; and universe -> file the other way round. The
  *flexible* variant measures to (or from) a universe region's flexible boundary interval
  ``[start, thickStart]`` / ``[thickEnd, end]``: 0 inside, else the distance to its nearer end;
* **RBS** = (10 * 101 / (d_fu + 100) + 101 / (d_uf + 100)) / 11 from the two medians.

Collection scores are means over files. Universe-level **likelihood** (hard: start, core, end
tracks scored separately; flexible: geniml's weighted boundary model) uses the binomial model
of :mod:`.model` on the coverage of the files.

Differences from geniml (faults): a file with no overlap gets F10 0 (geniml: NaN); a file with
no region on any universe chromosome gets no distance (geniml: None, which breaks its mean); a
boundary interval of length 0 adds nothing (geniml divides by zero); universe regions on a
chromosome without coverage add nothing (geniml scores them with the previous chromosome's
arrays); in the flexible likelihood each chromosome's background starts at base 0 (geniml
carries the previous chromosome's last end over; ``geniml_compat=True`` reproduces it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genovocab.universe.coverage import (
    ChromCoverage,
    peakset_coverage,
    runs_counts,
    runs_window,
)
from genovocab.universe.files import is_flexible
from genovocab.universe.inputs import PeakSet
from genovocab.universe.model import binomial_model

log = logging.getLogger(__name__)


# --- intervals -------------------------------------------------------------------------------


def merge_sorted(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``bedtools merge`` of one chromosome's regions (overlapping or touching ones joined)."""
    if len(starts) == 0:
        return starts.astype(np.int64), ends.astype(np.int64)
    order = np.lexsort((ends, starts))
    s, e = starts[order].astype(np.int64), ends[order].astype(np.int64)
    run_end = np.maximum.accumulate(e)
    new = np.r_[True, s[1:] > run_end[:-1]]
    idx = np.flatnonzero(new)
    return s[idx], np.maximum.reduceat(e, idx)


def overlap_bp(a_s, a_e, b_s, b_e) -> int:
    """Base pairs in both of two sets of disjoint sorted intervals."""
    if len(a_s) == 0 or len(b_s) == 0:
        return 0
    pts = np.r_[a_s, a_e, b_s, b_e]
    delta = np.r_[
        np.ones(len(a_s)), -np.ones(len(a_e)), np.ones(len(b_s)), -np.ones(len(b_e))
    ].astype(np.int64)
    order = np.lexsort((delta, pts))  # ends before starts at the same point
    pts, delta = pts[order], delta[order]
    depth = np.cumsum(delta)
    return int(np.sum(np.diff(pts)[depth[:-1] == 2]))


def nearest_point_distance(queries: np.ndarray, points: np.ndarray) -> np.ndarray:
    """|q - p| for the nearest ``p`` of sorted ``points`` to each query."""
    idx = np.searchsorted(points, queries)
    left = points[np.clip(idx - 1, 0, len(points) - 1)]
    right = points[np.clip(idx, 0, len(points) - 1)]
    return np.minimum(np.abs(queries - left), np.abs(right - queries))


def point_to_intervals_distance(queries: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Distance of each query point to the nearest closed interval ``[lo, hi]`` (0 inside);
    intervals sorted by ``lo`` and not overlapping one another."""
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    idx = np.searchsorted(lo, queries, side="right") - 1
    best = np.full(len(queries), np.iinfo(np.int64).max, dtype=np.int64)
    for shift in (-1, 0, 1):
        k = idx + shift
        ok = (k >= 0) & (k < len(lo))
        kk = np.clip(k, 0, len(lo) - 1)
        a, b = lo[kk], hi[kk]
        d = np.where(
            (a <= queries) & (queries <= b), 0, np.minimum(np.abs(a - queries), np.abs(b - queries))
        )
        best = np.where(ok, np.minimum(best, d), best)
    return best


def interval_to_points_distance(lo: np.ndarray, hi: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance of each closed interval ``[lo, hi]`` to the nearest of sorted ``points`` (0 when
    one lies inside; else its distance to the nearer interval end)."""
    first_ge = np.searchsorted(points, lo, side="left")
    after_hi = np.searchsorted(points, hi, side="right")
    inside = after_hi > first_ge
    below = points[np.clip(first_ge - 1, 0, len(points) - 1)]
    above = points[np.clip(after_hi, 0, len(points) - 1)]
    big = np.iinfo(np.int64).max
    d_below = np.where(first_ge > 0, lo - below, big)
    d_above = np.where(after_hi < len(points), above - hi, big)
    return np.where(inside, 0, np.minimum(d_below, d_above))


# --- per-file metrics ------------------------------------------------------------------------


def _universe_by_chrom(universe: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    flexible = is_flexible(universe)
    out = {}
    for chrom, part in universe.groupby("chrom", sort=False):
        part = part.sort_values(["start", "end"], kind="stable")
        d = {"start": part["start"].to_numpy(np.int64), "end": part["end"].to_numpy(np.int64)}
        if flexible:
            d["thick_start"] = part["thick_start"].to_numpy(np.int64)
            d["thick_end"] = part["thick_end"].to_numpy(np.int64)
        d["merged"] = merge_sorted(d["start"], d["end"])
        out[str(chrom)] = d
    return out


def _median(parts: list[np.ndarray]) -> float:
    values = np.concatenate(parts) if parts else np.zeros(0)
    return float(np.median(values)) if len(values) else float("nan")


def file_metrics(
    uni: dict[str, dict[str, np.ndarray]],
    universe_bp: int,
    regions: dict[str, tuple[np.ndarray, np.ndarray]],
    flexible: bool,
) -> dict[str, float]:
    """All per-file metrics of one file (``regions``: ``{chrom: (starts, ends)}``, merged)."""
    file_bp = sum(int((e - s).sum()) for s, e in regions.values())
    both = 0
    ftu, utf, ftu_flex, utf_flex = [], [], [], []
    for chrom, (fs, fe) in regions.items():
        u = uni.get(chrom)
        if u is None or len(fs) == 0:
            continue
        both += overlap_bp(fs, fe, *u["merged"])
        us, ue = u["start"], u["end"]
        ftu += [nearest_point_distance(fs, np.sort(us)), nearest_point_distance(fe, np.sort(ue))]
        utf += [nearest_point_distance(us, fs), nearest_point_distance(ue, fe)]
        if flexible:
            ts, te = u["thick_start"], u["thick_end"]
            ftu_flex += [
                point_to_intervals_distance(fs, us, ts),
                point_to_intervals_distance(fe, te, ue),
            ]
            utf_flex += [
                interval_to_points_distance(us, ts, fs),
                interval_to_points_distance(te, ue, fe),
            ]
    recall = both / file_bp if file_bp else 0.0
    precision = both / universe_bp if universe_bp else 0.0
    f10 = (101 * precision * recall / (100 * precision + recall)) if both else 0.0
    out = {
        "universe_only_bp": universe_bp - both,
        "file_only_bp": file_bp - both,
        "overlap_bp": both,
        "f10": f10,
        "median_dist_file_to_universe": _median(ftu),
        "median_dist_universe_to_file": _median(utf),
    }
    out["rbs"] = rbs(out["median_dist_file_to_universe"], out["median_dist_universe_to_file"])
    if flexible:
        out["median_dist_file_to_universe_flex"] = _median(ftu_flex)
        out["median_dist_universe_to_file_flex"] = _median(utf_flex)
        out["rbs_flex"] = rbs(
            out["median_dist_file_to_universe_flex"], out["median_dist_universe_to_file_flex"]
        )
    return out


def rbs(file_to_universe: float, universe_to_file: float) -> float:
    """Region boundary score from the two median distances (geniml's ``get_rbs``)."""
    a = 101 / (file_to_universe + 100)
    b = 101 / (universe_to_file + 100)
    return (10 * a + b) / 11


# --- likelihood ------------------------------------------------------------------------------
# Every sum below is taken over the runs of a track (starts, ends, values of its non-zero
# stretches), never over a per-base array: a chromosome costs O(runs + universe regions), and
# memory does not grow with the chromosome's length.

Runs = tuple[np.ndarray, np.ndarray, np.ndarray]


class _RunPrefix:
    """``F(x) = sum(model[track[y], col] for y < x)`` of a track given as runs, for arrays of
    points ``x``: ``model[0, col] * x`` plus the runs' excess over the background value."""

    def __init__(self, model: np.ndarray, runs: Runs, size: int, col: int):
        starts, ends, values = runs
        self.size = int(size)
        self.w0 = float(model[0, col])
        self.starts, self.ends = starts, ends
        self.excess = model[values.astype(np.int64), col] - self.w0
        self.cum = np.r_[0.0, np.cumsum(self.excess * (ends - starts))]

    def excess_at(self, x: np.ndarray) -> np.ndarray:
        """``F(x) - model[0, col] * x`` at each point (points clipped to ``[0, size]``)."""
        x = np.clip(np.asarray(x, dtype=np.int64), 0, self.size)
        k = np.searchsorted(self.ends, x, side="right")  # runs ending at or before x
        out = self.cum[k]
        if len(self.starts):
            kk = np.minimum(k, len(self.starts) - 1)
            inside = (k < len(self.starts)) & (self.starts[kk] < x)
            out = out + np.where(inside, self.excess[kk] * (x - self.starts[kk]), 0.0)
        return out

    def slices(self, lo: np.ndarray, hi: np.ndarray) -> float:
        """Sum over the slices ``[lo, hi)`` (Python slice semantics: clipped, empty when
        ``hi <= lo``), each counted once per slice."""
        lo = np.clip(np.asarray(lo, dtype=np.int64), 0, self.size)
        hi = np.clip(np.asarray(hi, dtype=np.int64), 0, self.size)
        keep = hi > lo
        if not keep.any():
            return 0.0
        lo, hi = lo[keep], hi[keep]
        return float(
            self.w0 * float((hi - lo).sum()) + (self.excess_at(hi) - self.excess_at(lo)).sum()
        )

    def total(self) -> float:
        """Sum over the whole chromosome."""
        return float(self.w0 * self.size + self.cum[-1])


def _background_total(model: np.ndarray, runs: Runs, size: int) -> float:
    """Sum of the background column over a whole chromosome."""
    return _RunPrefix(model, runs, size, 0).total()


def _hard_track_likelihood(
    model: np.ndarray, runs: Runs, size: int, lo: np.ndarray, hi: np.ndarray
) -> float:
    """geniml's hard likelihood of one track: slices ``[lo, hi)`` (in universe order) score the
    covered column, the gaps between consecutive slices (and before the first, after the last)
    the background column."""
    n = size
    clo, chi = np.clip(lo, 0, n), np.clip(hi, 0, n)
    covered = _RunPrefix(model, runs, size, 1).slices(lo, hi)
    bg = _RunPrefix(model, runs, size, 0)
    disjoint = bool(np.all(clo[1:] >= chi[:-1])) and bool(np.all(chi >= clo))
    if disjoint:
        return covered + bg.total() - bg.slices(lo, hi)
    # geniml's gaps, literally (nested or overlapping slices): [previous end, this start)
    prev_end = np.r_[0, hi[:-1]]
    background = bg.slices(prev_end, lo)
    if len(hi):
        background += bg.slices(np.array([min(max(int(hi[-1]), 0), n)]), np.array([n]))
    return covered + background


def hard_likelihood(
    universe_chrom: dict[str, np.ndarray] | None, cov: ChromCoverage, models: dict[str, np.ndarray]
) -> float:
    """Hard-universe likelihood of one chromosome (start track at region starts, end track at
    the base after each region, core track over regions)."""
    size = cov.size
    if universe_chrom is None or len(universe_chrom["start"]) == 0:
        return sum(
            _background_total(models[t], cov.runs(t), size) for t in ("start", "core", "end")
        )
    s, e = universe_chrom["start"], universe_chrom["end"]
    return (
        _hard_track_likelihood(models["start"], cov.runs("start"), size, s, s + 1)
        + _hard_track_likelihood(models["end"], cov.runs("end"), size, e, e + 1)
        + _hard_track_likelihood(models["core"], cov.runs("core"), size, s, e)
    )


def flexible_likelihood(
    universe_chrom: dict[str, np.ndarray] | None,
    cov: ChromCoverage,
    models: dict[str, np.ndarray],
    carry: int = 0,
) -> float:
    """Flexible-universe likelihood of one chromosome (geniml's ``likelihood_flexible_universe``:
    background between regions, core part scored as core, boundary parts with linearly
    weighted boundary/core probabilities). ``carry``: where the first background starts.

    Regions must be sorted and disjoint (what every method produces); only the regions' bases are
    gathered, the background is the whole-chromosome total minus the regions' share."""
    size = cov.size
    runs = {t: cov.runs(t) for t in ("start", "core", "end")}
    bg = {t: _RunPrefix(models[t], runs[t], size, 0) for t in runs}
    background = sum(p.total() for p in bg.values())
    if universe_chrom is None or len(universe_chrom["start"]) == 0:
        return background
    starts, ends = universe_chrom["start"], universe_chrom["end"]
    lo_first = min(carry, int(starts[0]))
    if lo_first > 0:  # geniml_compat: the first background starts at `carry`, not 0
        background -= sum(p.slices(np.array([0]), np.array([lo_first])) for p in bg.values())
    background -= sum(p.slices(starts, ends) for p in bg.values())
    res = background
    for ss, ee, se, es in zip(
        starts, ends, universe_chrom["thick_start"], universe_chrom["thick_end"]
    ):
        col = {}
        for t in runs:  # the region's bases only, from the runs
            lo = min(int(ss), size)
            values = runs_window(runs[t], lo, max(lo, min(int(ee), size))).astype(np.int64)
            col[t] = (models[t][values, 0], models[t][values, 1])
        s0, c0, e0 = col["start"][0], col["core"][0], col["end"][0]
        s1, c1, e1 = col["start"][1], col["core"][1], col["end"][1]
        a, b = se - ss, es - ss  # core part, relative to the region
        res += float(np.sum(c1[a:b]) + np.sum(s0[a:b]) + np.sum(e0[a:b])) if b > a else 0.0
        res += _weighted(0, a, s1, s0, c1, c0, e0, reverse=False)
        res += _weighted(b, ee - ss, e1, e0, c1, c0, s0, reverse=True)
    return float(res)


def _weighted(start, end, proc1, proc0, core1, core0, other0, reverse: bool) -> float:
    length = end - start
    if length <= 0:
        return 0.0
    e_w = 1 / length
    c_w = np.linspace(start=e_w, stop=1, num=length)
    if reverse:
        c_w = c_w[::-1]
    res = e_w * np.sum(proc1[start:end])
    res += np.sum(c_w * core1[start:end])
    res += (1 - e_w) * np.sum(proc0[start:end])
    res += np.sum((1 - c_w) * core0[start:end])
    res += np.sum(other0[start:end])
    return float(res)


# --- the whole assessment --------------------------------------------------------------------

SUMMARY_NAME = "(collection)"


def assess_universe(
    universe: pd.DataFrame, peaks: PeakSet, *, window: int = 25, geniml_compat: bool = False
) -> pd.DataFrame:
    """Per-file metrics (one row per file) and a last row ``(collection)`` with the means over
    files and the universe's likelihoods (``likelihood_hard`` and, for a flexible universe,
    ``likelihood_flexible``)."""
    flexible = is_flexible(universe)
    uni = _universe_by_chrom(universe)
    universe_bp = sum(int((m[1] - m[0]).sum()) for m in (u["merged"] for u in uni.values()))
    rows = []
    for number, name in enumerate(peaks.names):
        sel = peaks.file == number
        regions = {}
        for ci in np.unique(peaks.chrom[sel]):
            on = sel & (peaks.chrom == ci)
            regions[peaks.chroms[ci]] = merge_sorted(peaks.starts[on], peaks.ends[on])
        rows.append({"file": name, **file_metrics(uni, universe_bp, regions, flexible)})
    table = pd.DataFrame(rows)
    summary = {"file": SUMMARY_NAME}
    for col in table.columns[1:]:
        summary[col] = float(table[col].mean())
    hard = flex = 0.0
    carry = 0
    for chrom in peaks.chroms:
        cov = peakset_coverage(peaks, chrom, window)
        if cov.is_empty():
            continue  # not in the likelihood model (geniml: only covered chromosomes)
        models = {
            t: binomial_model(
                None, peaks.n_files, counts=runs_counts(cov.runs(t), cov.size), size=cov.size
            )
            for t in ("start", "core", "end")
        }
        u = uni.get(chrom)
        hard += hard_likelihood(u, cov, models)
        if flexible:
            flex += flexible_likelihood(u, cov, models, carry=carry if geniml_compat else 0)
            if u is not None and len(u["end"]):
                carry = int(u["end"][-1])
    summary["likelihood_hard"] = hard
    if flexible:
        summary["likelihood_flexible"] = flex
    return pd.concat([table, pd.DataFrame([summary])], ignore_index=True)


def write_report(
    assessments: Sequence[str | os.PathLike],
    methods: Sequence[str],
    assessment_out: str | os.PathLike,
    comparison_out=None,
    plot_out=None,
) -> None:
    """The release's ``assessment.tsv`` (the first method's) and, with several methods, a
    comparison table (one row per method: its collection row) and a bar plot of F10 and RBS."""
    from genovocab.fileutil import write_text_atomic
    from genovocab.universe.files import write_tsv

    # the first method's table is copied as it is (a pandas round trip can change a last digit)
    write_text_atomic(assessment_out, Path(assessments[0]).read_text(encoding="utf-8"))
    frames = [pd.read_csv(p, sep="\t") for p in assessments]
    if comparison_out is None:
        return
    rows = []
    for method, frame in zip(methods, frames):
        row = frame[frame["file"] == SUMMARY_NAME].iloc[0].drop("file").to_dict()
        rows.append({"method": method, **row})
    comparison = pd.DataFrame(rows)
    write_tsv(comparison_out, comparison)
    if plot_out is not None:
        from genovocab.plotting import pyplot, save_png

        plt = pyplot()
        # the first method is the one the release uses: highlighted and marked
        names = [f"{m}\n(release)" if i == 0 else m for i, m in enumerate(comparison["method"])]
        colors = ["#cc6677" if i == 0 else "#88aacc" for i in range(len(names))]
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for ax, column, title in (
            (axes[0], "f10", "F10 (mean over files)"),
            (axes[1], "rbs", "RBS (mean over files)"),
        ):
            ax.bar(names, comparison[column], color=colors)
            ax.set_title(title)
            ax.set_xlabel("universe method")
            ax.set_ylabel(column.upper())
        fig.tight_layout()
        save_png(fig, plot_out)
