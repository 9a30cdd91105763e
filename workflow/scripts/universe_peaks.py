"""Snakemake adapter: read the peak samples once into one array file for the per-chromosome jobs."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.universe.inputs import read_peak_files

log = configure_logging(snakemake)
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)
peaks = read_peak_files(list(snakemake.input.samples), sizes)
peaks.names = list(snakemake.params.names)
peaks.save(snakemake.output.peaks)
