"""Snakemake adapter: gap-free genome windows (BPE training text or the whole genome)."""

from genovocab.evaluation.holdout import training_chromosomes
from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.sequence.windows import iter_genome_windows, write_training_text

log = configure_logging(snakemake)
sm = snakemake
p = sm.params.windows
# the evaluation's whole held-out chromosomes are no training text (docs/evaluation.md)
chroms = training_chromosomes(
    list(sm.params.held_out),
    list(read_chrom_sizes(sm.input.chrom_sizes)),
    exclude=bool(sm.params.exclude_held_out),
)
windows = iter_genome_windows(
    sm.input.fasta,
    chroms,
    window=p["length"],
    min_window=p["min_length"],
    total_bp=p["total_bp"],
    seed=p["seed"],
)
n, n_windows, bp = write_training_text(
    sm.output[0], windows, reverse_complements=p["reverse_complements"]
)
log.info(
    "%d lines (%d windows, %d bp) from %d chromosomes (%s) -> %s",
    n,
    n_windows,
    bp,
    len(chroms),
    ", ".join(chroms),
    sm.output[0],
)
