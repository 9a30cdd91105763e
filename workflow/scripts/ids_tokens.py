"""Snakemake adapter: the discrete motif token id of every bin of one chromosome."""

from genovocab.logutil import configure_logging
from genovocab.motifs.tokens import chromosome_tokens

sm = snakemake
log = configure_logging(snakemake)
tokens = chromosome_tokens(sm.input.patterns, sm.input.token_ids, sm.wildcards.chrom,
                           tokens_out=sm.output.tokens)
log.info("%s: %d bins tokenized", sm.wildcards.chrom, tokens.size)
