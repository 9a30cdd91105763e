"""Snakemake adapter: IDS partial sums (S, s, n) of one chromosome's bin x feature matrix."""

import time

from genovocab.logutil import configure_logging
from genovocab.motifs.ids import bins_in, chromosome_partial

sm = snakemake
log = configure_logging(snakemake)
t0 = time.perf_counter()
sample_size = sm.params.sample_size if sm.params.mode == "sample" else None
bin_counts = None
if sample_size is not None:
    bin_counts = {c: bins_in(p) for c, p in zip(sm.params.chroms, sm.input.all_bins)}
acc, rows = chromosome_partial(sm.input.features, sm.wildcards.chrom, terms=sm.params.terms,
                               bandwidth=sm.params.bandwidth, sample_size=sample_size,
                               bin_counts=bin_counts, seed=sm.params.seed,
                               backend=sm.params.backend)
acc.save(sm.output.partial)
log.info("%s: IDS partial sums of %d bins x %d features (%s mode) in %.1f s",
         sm.wildcards.chrom, rows, acc.d, sm.params.mode, time.perf_counter() - t0)
