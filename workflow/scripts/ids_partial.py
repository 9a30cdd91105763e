"""Snakemake adapter: IDS partial sums (S, s, n) of one block of one chromosome's bins."""

import time
from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.motifs.ids import bins_in, chromosome_partial

sm = snakemake
log = configure_logging(snakemake)
t0 = time.perf_counter()
sample_size = sm.params.sample_size if sm.params.mode == "sample" else None
bin_counts = None
if sample_size is not None:
    # chromosome names from the job's own inputs (<chrom>.bins.npy), in the run's order
    bin_counts = {Path(p).name[: -len(".bins.npy")]: bins_in(p) for p in sm.input.all_bins}
block = (int(sm.wildcards.block), int(sm.wildcards.nblocks))
acc, rows = chromosome_partial(
    sm.input.features,
    sm.wildcards.chrom,
    terms=sm.params.terms,
    bandwidth=sm.params.bandwidth,
    sample_size=sample_size,
    bin_counts=bin_counts,
    seed=sm.params.seed,
    backend=sm.params.backend,
    block=block,
)
acc.save(sm.output.partial)
log.info(
    "%s block %d of %d: IDS partial sums of %d bins x %d features (%s mode) in %.1f s",
    sm.wildcards.chrom,
    block[0] + 1,
    block[1],
    rows,
    acc.d,
    sm.params.mode,
    time.perf_counter() - t0,
)
