"""genovocab.regions: the region model and its kernels, against hand-worked answers."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genovocab.io.bed import read_bed
from genovocab.regions import (
    Regions,
    RegionsView,
    acgt_runs,
    chrom_ranks,
    merge_overlapping,
    merge_touching,
    merged_length,
    n_runs,
    sort_dedupe,
    true_runs,
)


def test_runs_by_hand():
    s, e = true_runs(np.array([1, 1, 0, 1, 0, 0, 1, 1, 1], bool))
    assert s.tolist() == [0, 3, 6] and e.tolist() == [2, 4, 9]
    s, e = true_runs(np.array([1, 1, 0, 1, 0, 0, 1, 1, 1], bool), min_length=2)
    assert s.tolist() == [0, 6] and e.tolist() == [2, 9]
    s, e = acgt_runs("ACGTNNacgTTRGA")
    assert list(zip(s.tolist(), e.tolist())) == [(0, 4), (9, 11), (12, 14)]
    s, e = n_runs(b"NNacNNNnGN", 3)
    assert list(zip(s.tolist(), e.tolist())) == [(4, 8)]
    assert [a.tolist() for a in acgt_runs("")] == [[], []]


def test_merges_by_hand():
    s, e = merge_touching(np.array([0, 5, 9]), np.array([5, 8, 12]))
    assert s.tolist() == [0, 9] and e.tolist() == [8, 12]
    # unsorted and nested: overlaps join; touching blocks join too (bedtools merge)
    s, e = merge_overlapping(np.array([10, 0, 2, 20]), np.array([15, 5, 3, 25]))
    assert s.tolist() == [0, 10, 20] and e.tolist() == [5, 15, 25]
    s, e = merge_overlapping(np.array([0, 5, 10]), np.array([5, 9, 12]))
    assert s.tolist() == [0, 10] and e.tolist() == [9, 12]
    assert merged_length(np.array([0, 2, 10]), np.array([5, 7, 11])) == 8


def test_chrom_ranks_rejects_unknown():
    assert chrom_ranks(["chr2", "chr1", "chr2"], ["chr1", "chr2"]).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="chrX"):
        chrom_ranks(["chrX"], ["chr1"])


def test_conversions_agree_and_sort_dedupe_merge():
    rows = [("chr2", 5, 9), ("chr1", 7, 9), ("chr1", 0, 4), ("chr1", 7, 9), ("chr1", 3, 6)]
    order = ["chr1", "chr2"]
    a = Regions.from_tuples(rows, order)
    b = Regions.from_frame(pd.DataFrame(rows, columns=["chrom", "start", "end"]), order)
    c = Regions.from_objects([SimpleNamespace(chr=r[0], start=r[1], end=r[2]) for r in rows], order)
    for r in (b, c):
        assert r.chroms == a.chroms and r.chrom_index.tolist() == a.chrom_index.tolist()
        assert r.starts.tolist() == a.starts.tolist() and r.ends.tolist() == a.ends.tolist()
    got = a.sorted(dedupe=True).to_frame().itertuples(index=False, name=None)
    assert list(got) == [("chr1", 0, 4), ("chr1", 3, 6), ("chr1", 7, 9), ("chr2", 5, 9)]
    assert len(a.sorted()) == 5
    merged = a.merged().to_frame().itertuples(index=False, name=None)
    assert list(merged) == [("chr1", 0, 6), ("chr1", 7, 9), ("chr2", 5, 9)]
    assert a.covered_bp() == 6 + 2 + 4


def test_reader_returns_regions_in_a_chrom_order(tmp_path):
    bed = tmp_path / "a.bed"
    bed.write_text("chr2\t5\t9\tx\nchr1\t0\t4\ty\n")
    r = read_bed(bed, {"chr1": 100, "chr2": 100}, keep_columns=True)
    assert isinstance(r, Regions) and r.chroms == ["chr2", "chr1"]
    assert r.line_numbers.tolist() == [1, 2] and r.columns["col4"].tolist() == ["x", "y"]
    o = r.with_chrom_order(["chr1", "chr2", "chr3"])
    assert o.chroms == ["chr1", "chr2", "chr3"] and o.chrom_index.tolist() == [1, 0]
    assert o.names().tolist() == ["chr2", "chr1"] and o.starts.tolist() == [5, 0]
    s = o.sorted()  # optional parts travel with their rows
    assert s.starts.tolist() == [0, 5] and s.line_numbers.tolist() == [2, 1]
    assert s.columns["col4"].tolist() == ["y", "x"]
    assert s.without_unused_chroms().chroms == ["chr1", "chr2"]
    with pytest.raises(ValueError, match="chr2"):
        r.with_chrom_order(["chr1"])


def test_sort_dedupe_by_hand():
    # ranks, starts, ends; rows 1 and 3 are the same region, rows 4-5 too
    ranks = np.array([1, 0, 0, 0, 0, 0])
    starts = np.array([5, 7, 0, 7, 3, 3])
    ends = np.array([9, 9, 4, 9, 6, 6])
    found = sort_dedupe(ranks, starts, ends)
    assert found.order.tolist() == [2, 4, 1, 0] and not found.in_order
    assert found.multiplicity.tolist() == [1, 2, 2, 1] and found.n_duplicates == 2
    assert (found.keys >> 32).tolist() == [0, 0, 0, 1]
    assert sort_dedupe(ranks, starts, ends, dedupe=False).order.tolist() == [2, 4, 5, 1, 3, 0]
    plain = sort_dedupe(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([2, 3, 1]))
    assert plain.in_order and plain.multiplicity is None and plain.order.tolist() == [0, 1, 2]


def test_universe_and_peak_set_read_their_columns_through_regions(tmp_path):
    """:class:`RegionsView`: the overlap index and the peak files of a universe show the
    columns of the region set they hold, not copies."""
    from genovocab.overlap import Universe
    from genovocab.universe.inputs import PeakSet

    regions = Regions.from_tuples([("chr2", 5, 9), ("chr1", 1, 3)], ["chr1", "chr2"])
    peaks = PeakSet(regions, np.array([10, 20]), np.array([0, 1], np.int32), ["a.bed", "b.bed"])
    universe = Universe.from_regions(regions)
    for view in (peaks, universe):
        assert isinstance(view, RegionsView)
        assert view.chroms is view.regions.chroms
        assert view.chrom_index is view.regions.chrom_index
        assert view.starts is view.regions.starts and view.ends is view.regions.ends
    assert peaks.chrom is regions.chrom_index and peaks.chroms == ["chr1", "chr2"]
    assert universe.starts.tolist() == [1, 5] and universe.chroms == ["chr1", "chr2"]
    assert peaks.on_chrom("chr2")[1].tolist() == [5]
    peaks.save(tmp_path / "p.npz")
    back = PeakSet.load(tmp_path / "p.npz")
    assert back.chroms == peaks.chroms and back.starts.tolist() == [5, 1]
    assert back.chrom.tolist() == [1, 0] and back.names == ["a.bed", "b.bed"]
