"""Binning statistics and the bin-length histogram."""

from __future__ import annotations

import numpy as np

from genovocab.motifs.binning import BinResult
from genovocab.motifs.stats import chrom_stats, gather_stats


def test_chrom_and_genome_statistics(tmp_path):
    a = chrom_stats(
        "chr1",
        100,
        BinResult(np.array([0, 10, 20, 45, 70, 100]), 3, 1, 2),
        np.array([4, 1, 0]),
        nnz=7,
    )
    b = chrom_stats(
        "chr2", 30, BinResult(np.array([0, 5, 30]), 1, 0, 0), np.array([0, 2, 1]), nnz=2
    )
    assert a["bins"] == 5 and a["sites"] == 5 and a["bin_length_hist"][10] == 2
    rows = [(0, "MA1.1", "A", "+"), (1, "MA1.1", "A", "-"), (2, "CpG", "CpG", ".")]
    total = gather_stats([a, b], rows, tmp_path / "s.tsv", tmp_path / "f.tsv", tmp_path / "h.png")
    # lengths: chr1 10, 10, 25, 25, 30; chr2 5, 25 -> mean 130 / 7, median 25
    assert total["bins"] == 7 and total["median_bin_length"] == 25.0
    assert abs(total["mean_bin_length"] - 130 / 7) < 1e-3
    assert abs(total["share_trimmed"] - 2 / 7) < 1e-6
    assert abs(total["density"] - 9 / 21) < 1e-6
    lines = (tmp_path / "s.tsv").read_text().splitlines()
    assert lines[1].split("\t")[:7] == ["chr1", "100", "5", "3", "5", "20.0", "25.0"]
    assert lines[-1].startswith("all\t130\t8\t4\t7\t")
    feats = (tmp_path / "f.tsv").read_text().splitlines()
    assert feats == [
        "index\tmatrix_id\tname\tstrand\tsites",
        "0\tMA1.1\tA\t+\t4",
        "1\tMA1.1\tA\t-\t3",
        "2\tCpG\tCpG\t.\t1",
    ]
    png = (tmp_path / "h.png").read_bytes()
    assert png[:4] == b"\x89PNG"
    gather_stats([a, b], rows, tmp_path / "s2.tsv", tmp_path / "f2.tsv", tmp_path / "h2.png")
    assert (tmp_path / "h2.png").read_bytes() == png  # deterministic plot
