"""Snakemake adapter: the bounded motif vocabulary of all chromosomes, its Zipf fit and plot."""

from genovocab.logutil import configure_logging
from genovocab.motifs.token_files import token_vocab_files

sm = snakemake
log = configure_logging(snakemake)
summary = token_vocab_files(
    list(sm.input.patterns),
    list(sm.input.bins),
    vocab_out=sm.output.vocab,
    zipf_out=sm.output.zipf,
    plot_out=sm.output.plot,
    clusters=sm.input.clusters,
    size=int(sm.params.vocab_size),
    min_count=int(sm.params.min_count),
    log=log.info,
)
log.info(
    "%d ids over %d bins (%d used); %.1f %% of active clusters kept; Zipf r = %s, slope = %s",
    summary["vocab_size"],
    summary["n_bins"],
    summary["tokens_used"],
    100 * summary["fraction_active_clusters_kept"],
    summary["zipf"]["pearson_r"],
    summary["zipf"]["slope"],
)
