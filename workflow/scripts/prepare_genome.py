"""Snakemake adapter: prepare the genome FASTA (genovocab.genome.prepare_genome)."""

from pathlib import Path

from genovocab.genome import prepare_genome
from genovocab.logutil import configure_logging

log = configure_logging(snakemake)
params = snakemake.params
prepared = prepare_genome(
    snakemake.input.fasta,
    Path(snakemake.output.fasta).parent,
    chromosomes=list(params.chromosomes) or None,
    chromosome_regex=params.chromosome_regex,
    min_gap=int(params.min_gap),
)
log.info("prepared %d chromosome(s), %d bp", len(prepared.sizes), sum(prepared.sizes.values()))
