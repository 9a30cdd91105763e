"""Shared readers: BED, chromosome sizes, FASTA."""

from genovocab.io.bed import check_sorted, read_bed, sort_dedupe_bed3, write_bed3
from genovocab.io.chromsizes import read_chrom_sizes, write_chrom_sizes

__all__ = [
    "check_sorted",
    "read_bed",
    "read_chrom_sizes",
    "sort_dedupe_bed3",
    "write_bed3",
    "write_chrom_sizes",
]
