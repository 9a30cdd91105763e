"""Snakemake adapter: prepare the genome FASTA (genovocab.genome.prepare_genome)."""

from pathlib import Path

from genovocab.genome import prepare_genome
from genovocab.logutil import log_to_file

log = log_to_file(snakemake.log[0])  # noqa: F821
params = snakemake.params  # noqa: F821
try:
    prepared = prepare_genome(
        snakemake.input.fasta,  # noqa: F821
        Path(snakemake.output.fasta).parent,  # noqa: F821
        chromosomes=list(params.chromosomes) or None,
        chromosome_regex=params.chromosome_regex,
        min_gap=int(params.min_gap),
    )
except Exception as exc:
    log.error("%s", exc)
    raise
log.info("prepared %d chromosome(s), %d bp", len(prepared.sizes), sum(prepared.sizes.values()))
