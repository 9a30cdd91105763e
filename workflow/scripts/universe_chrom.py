"""Snakemake adapter: coverage and segmentation of one chromosome (genovocab.universe.build)."""

from genovocab.logutil import configure_logging
from genovocab.tables import write_tsv
from genovocab.universe.build import build_chromosome
from genovocab.universe.inputs import PeakSet

log = configure_logging(snakemake)
p = snakemake.params
peaks = PeakSet.load(snakemake.input.peaks)
table = build_chromosome(
    peaks,
    snakemake.wildcards.chrom,
    snakemake.wildcards.umethod,
    cutoff=p.cutoff,
    window=int(p.window),
    merge=int(p.merge),
    filter_size=int(p.filter_size),
    hmm_normalize=bool(p.hmm_normalize),
)
write_tsv(snakemake.output.table, table)
log.info("%s %s: %d region(s)", snakemake.wildcards.umethod, snakemake.wildcards.chrom, len(table))
