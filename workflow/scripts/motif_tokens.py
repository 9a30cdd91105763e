"""Snakemake adapter: the motif token id of every bin of one chromosome (back-off)."""

from genovocab.logutil import configure_logging
from genovocab.motifs.token_files import chromosome_tokens, csr_array_prefix

sm = snakemake
log = configure_logging(snakemake)
tokens = chromosome_tokens(
    sm.input.patterns,
    sm.input.vocab,
    sm.wildcards.chrom,
    tokens_out=sm.output.tokens,
    stats_out=sm.output.stats,
    cluster_features=csr_array_prefix(sm.input.cluster_features[0]),
    threshold=float(sm.params.threshold),
)
log.info("%s: %d bins tokenized", sm.wildcards.chrom, tokens.size)
