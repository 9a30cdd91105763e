"""Snakemake adapter: coverage and segmentation of one chromosome (genovocab.universe.build)."""

from genovocab.logutil import log_to_file
from genovocab.universe.build import build_chromosome
from genovocab.universe.inputs import PeakSet
from genovocab.universe.output import write_tsv

log = log_to_file(snakemake.log[0])  # noqa: F821
p = snakemake.params  # noqa: F821
peaks = PeakSet.load(snakemake.input.peaks)  # noqa: F821
table = build_chromosome(peaks, snakemake.wildcards.chrom, snakemake.wildcards.umethod,  # noqa: F821
                         cutoff=p.cutoff, window=int(p.window), merge=int(p.merge),
                         filter_size=int(p.filter_size), hmm_normalize=bool(p.hmm_normalize))
write_tsv(snakemake.output.table, table)  # noqa: F821
log.info("%s %s: %d region(s)", snakemake.wildcards.umethod, snakemake.wildcards.chrom,  # noqa: F821
         len(table))
