"""Snakemake adapter: stream one chromosome of the JASPAR bigBed into its site file."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.motifs.steps import bigbed_to_site_file, load_matrix_set

sm = snakemake
log = configure_logging(snakemake)
_, mset = load_matrix_set(sm.input.pfms, sm.params.matrices)
chrom = sm.wildcards.chrom
length = read_chrom_sizes(sm.input.chrom_sizes)[chrom]
n = bigbed_to_site_file(
    sm.input.bigbed, chrom, length, mset, sm.output.sites, min_score=int(sm.params.min_score)
)
log.info("%s: %d sites", chrom, n)
