"""Universe assessment on hand-computed examples and against plain reference formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genovocab.universe.assess import (
    assess_universe,
    flexible_likelihood,
    hard_likelihood,
    interval_to_points_distance,
    merge_sorted,
    overlap_bp,
    point_to_intervals_distance,
    rbs,
    write_report,
)
from genovocab.universe.coverage import chrom_coverage
from genovocab.universe.inputs import read_peak_files
from genovocab.universe.model import binomial_model


@pytest.fixture
def one_file(tmp_path):
    f = tmp_path / "f.bed"
    f.write_text("chr1\t12\t22\nchr1\t35\t38\n")
    return read_peak_files([f], {"chr1": 100})


def test_hard_metrics_by_hand(one_file):
    universe = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [10, 30], "end": [20, 40]})
    row = assess_universe(universe, one_file).iloc[0]
    # overlap [12,20) + [35,38) = 11; universe 20 bp; file 13 bp
    assert (row["overlap_bp"], row["universe_only_bp"], row["file_only_bp"]) == (11, 9, 2)
    p, r = 11 / 20, 11 / 13
    assert row["f10"] == pytest.approx(101 * p * r / (100 * p + r))
    # file->universe: starts 12->10, 35->30; ends 22->20, 38->40: [2, 5, 2, 2] -> 2
    # universe->file: starts 10->12, 30->35; ends 20->22, 40->38: [2, 5, 2, 2] -> 2
    assert row["median_dist_file_to_universe"] == 2
    assert row["median_dist_universe_to_file"] == 2
    assert row["rbs"] == pytest.approx(101 / 102)


def test_flexible_distances_by_hand(one_file):
    universe = pd.DataFrame(
        {
            "chrom": ["chr1", "chr1"],
            "start": [10, 30],
            "end": [20, 40],
            "thick_start": [13, 33],
            "thick_end": [18, 37],
        }
    )
    row = assess_universe(universe, one_file).iloc[0]
    # file->universe: start 12 in [10,13] -> 0; 35 vs [30,33] -> 2; ends 22 vs [18,20] -> 2;
    # 38 in [37,40] -> 0 => median of [0, 2, 2, 0] = 1
    assert row["median_dist_file_to_universe_flex"] == 1
    # universe->file: [10,13] contains 12 -> 0; [30,33] vs 35 -> 2; [18,20] vs 22 -> 2;
    # [37,40] contains 38 -> 0 => 1
    assert row["median_dist_universe_to_file_flex"] == 1
    assert row["rbs_flex"] == pytest.approx(101 / 101)


def test_no_overlap_gives_f10_zero(one_file):
    universe = pd.DataFrame({"chrom": ["chr1"], "start": [60], "end": [70]})
    assert assess_universe(universe, one_file).iloc[0]["f10"] == 0.0


def test_interval_helpers_against_brute_force():
    rng = np.random.default_rng(1)
    lo = np.sort(rng.choice(1000, 20, replace=False)) * 3
    hi = lo + rng.integers(0, 3, 20)
    q = rng.integers(0, 3100, 50)
    brute = [
        min(0 if a <= x <= b else min(abs(a - x), abs(b - x)) for a, b in zip(lo, hi)) for x in q
    ]
    assert point_to_intervals_distance(q, lo, hi).tolist() == brute
    pts = np.sort(q)
    brute2 = [
        min(0 if a <= x <= b else min(abs(a - x), abs(b - x)) for x in pts) for a, b in zip(lo, hi)
    ]
    assert interval_to_points_distance(lo, hi, pts).tolist() == brute2
    s, e = merge_sorted(np.array([5, 1, 10, 12]), np.array([8, 5, 12, 20]))
    assert list(zip(s, e)) == [(1, 8), (10, 20)]
    assert overlap_bp(np.array([0, 10]), np.array([5, 20]), np.array([3]), np.array([15])) == 7


def test_rbs_formula():
    assert rbs(0, 0) == pytest.approx(101 / 100)
    assert rbs(1, 101) == pytest.approx((10 * 101 / 101 + 101 / 201) / 11)


def reference_hard(cov, models, starts, ends):
    """Plain reading of geniml's hard likelihood for one chromosome."""
    total = 0.0
    for track, lo, hi in (
        ("start", starts, starts + 1),
        ("end", ends, ends + 1),
        ("core", starts, ends),
    ):
        m, c = models[track], cov.track(track)
        empty = 0
        for a, b in zip(lo, hi):
            total += m[c[a:b], 1].sum() + m[c[empty:a], 0].sum()
            empty = b
        total += m[c[empty:], 0].sum()
    return total


def reference_flexible(cov, models, s, e, ts, te):
    """Plain reading of geniml's flexible likelihood for one chromosome (background from 0)."""
    S = {
        t: (models[t][cov.track(t), 0], models[t][cov.track(t), 1])
        for t in ("start", "core", "end")
    }
    (s0, s1), (c0, c1), (e0, e1) = S["start"], S["core"], S["end"]

    def weigh(a, b, p1, p0, other0, reverse):
        if b <= a:
            return 0.0
        w = 1 / (b - a)
        cw = np.linspace(w, 1, b - a)[::-1] if reverse else np.linspace(w, 1, b - a)
        return (
            w * p1[a:b].sum()
            + (cw * c1[a:b]).sum()
            + (1 - w) * p0[a:b].sum()
            + ((1 - cw) * c0[a:b]).sum()
            + other0[a:b].sum()
        )

    total, empty = 0.0, 0
    for a, b, x, y in zip(s, e, ts, te):
        total += s0[empty:a].sum() + c0[empty:a].sum() + e0[empty:a].sum()
        total += c1[x:y].sum() + s0[x:y].sum() + e0[x:y].sum()
        total += weigh(a, x, s1, s0, e0, False) + weigh(y, b, e1, e0, s0, True)
        empty = b
    return total + s0[empty:].sum() + c0[empty:].sum() + e0[empty:].sum()


def test_likelihoods_match_reference():
    rng = np.random.default_rng(7)
    starts = np.sort(rng.integers(0, 900, 40))
    ends = starts + rng.integers(10, 60, 40)
    cov = chrom_coverage("c", 1000, rng.integers(0, 5, 40), starts, ends, n_files=5, window=5)
    models = {t: binomial_model(cov.track(t), 5) for t in ("start", "core", "end")}
    us = np.array([50, 200, 480, 700])
    ue = np.array([120, 260, 560, 760])
    ts, te = us + 10, ue - 12
    u = {"start": us, "end": ue, "thick_start": ts, "thick_end": te}
    assert hard_likelihood(u, cov, models) == pytest.approx(
        reference_hard(cov, models, us, ue), rel=1e-12
    )
    assert flexible_likelihood(u, cov, models) == pytest.approx(
        reference_flexible(cov, models, us, ue, ts, te), rel=1e-12
    )
    # a chromosome without universe regions: all background
    bg = sum(models[t][cov.track(t), 0].sum() for t in ("start", "core", "end"))
    assert hard_likelihood(None, cov, models) == pytest.approx(bg, rel=1e-12)


def test_report_comparison(tmp_path, one_file):
    from genovocab.tables import write_tsv

    u1 = pd.DataFrame({"chrom": ["chr1"], "start": [10], "end": [40]})
    u2 = pd.DataFrame({"chrom": ["chr1"], "start": [12], "end": [38]})
    paths = []
    for name, u in (("a", u1), ("b", u2)):
        write_tsv(tmp_path / f"{name}.tsv", assess_universe(u, one_file))
        paths.append(tmp_path / f"{name}.tsv")
    write_report(
        paths,
        ["cc", "union"],
        tmp_path / "assessment.tsv",
        tmp_path / "cmp.tsv",
        tmp_path / "cmp.png",
    )
    cmp = pd.read_csv(tmp_path / "cmp.tsv", sep="\t")
    assert cmp["method"].tolist() == ["cc", "union"]
    assert cmp["overlap_bp"].tolist() == [13, 13]
    assert (tmp_path / "cmp.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "assessment.tsv").read_text() == (tmp_path / "a.tsv").read_text()
