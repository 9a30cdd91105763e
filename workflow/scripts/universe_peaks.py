"""Snakemake adapter: read the peak samples once into one array file for the per-chromosome jobs."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import log_to_file
from genovocab.universe.inputs import read_peak_files

log = log_to_file(snakemake.log[0])  # noqa: F821
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)  # noqa: F821
peaks = read_peak_files(list(snakemake.input.samples), sizes)  # noqa: F821
peaks.names = list(snakemake.params.names)  # noqa: F821
peaks.save(snakemake.output.peaks)  # noqa: F821
