"""The pure helpers of benchmarks/bench_chr1.py: the IDS extrapolation and the N-gap layout."""

from __future__ import annotations

import pytest

from benchmarks.bench_chr1 import CHR1_BP, HG38_SIZES, gap_layout, ids_extrapolation


def test_ids_extrapolation_splits_read_and_compute():
    # chromosome a: 100 bp in 2 blocks of 50; b: 50 bp in 1 block. Measured: 25 bp of a in
    # 10 s, of which reading a's whole matrix took 2 s.
    out = ids_extrapolation(10.0, 2.0, 25, 100, 50, {"a": 100, "b": 50})
    assert out["jobs"] == 3
    # one block of a: compute 8/25 per bp x 50 bp + the whole file read
    assert out["block"] == pytest.approx(0.32 * 50 + 2.0)
    # compute over 150 bp + each job reads its chromosome's file: 2 x a + 1 x b
    assert out["hg38"] == pytest.approx(0.32 * 150 + 0.02 * (2 * 100 + 50))


def test_ids_extrapolation_hg38_jobs():
    assert ids_extrapolation(1.0, 0.0, 1, 1, 25_000_000)["jobs"] == sum(
        -(-n // 25_000_000) for n in HG38_SIZES.values()
    )
    assert -(-HG38_SIZES["chr1"] // 25_000_000) == 10  # config/hg38.yaml: "chr1: 10"


@pytest.mark.parametrize("length", [CHR1_BP, 4_985_012, 200_000])
def test_gap_layout_sorted_disjoint_inside(length):
    gaps = gap_layout(length)
    assert gaps[0][0] == 0 and gaps[-1][1] == length
    for (s0, e0), (s1, e1) in zip(gaps, gaps[1:]):
        assert s0 < e0 < s1 < e1
    n_bp = sum(e - s for s, e in gaps)
    assert 0.07 * length <= n_bp <= 0.12 * length
