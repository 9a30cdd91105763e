"""Snakemake adapter: the discrete motif token id of every bin of one chromosome."""

from genovocab.logutil import log_to_file
from genovocab.motifs.tokens import chromosome_tokens

sm = snakemake  # noqa: F821
log = log_to_file(sm.log[0])
tokens = chromosome_tokens(sm.input.patterns, sm.input.vocab, tokens_out=sm.output.tokens)
log.info("%s: %d bins tokenized", sm.wildcards.chrom, tokens.size)
