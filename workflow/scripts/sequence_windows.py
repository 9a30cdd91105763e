"""Snakemake adapter: gap-free genome windows (BPE training text or the whole genome)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.sequence.windows import iter_genome_windows, write_training_text

log = configure_logging(snakemake)
sm = snakemake
p = sm.params.windows
chroms = list(read_chrom_sizes(sm.input.chrom_sizes))
windows = iter_genome_windows(sm.input.fasta, chroms, window=p["length"],
                              min_window=p["min_length"], total_bp=p["total_bp"],
                              seed=p["seed"])
n, n_windows, bp = write_training_text(sm.output[0], windows,
                                       reverse_complements=p["reverse_complements"])
log.info("%d lines (%d windows, %d bp) from %d chromosomes -> %s", n, n_windows, bp,
         len(chroms), sm.output[0])
