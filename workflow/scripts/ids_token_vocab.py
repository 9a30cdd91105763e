"""Snakemake adapter: token vocabulary of all chromosomes, Zipf fit, coverage, Zipf plot."""

from genovocab.logutil import configure_logging
from genovocab.motifs.tokens import token_vocab_files

sm = snakemake
log = configure_logging(snakemake)
summary = token_vocab_files(list(sm.input.patterns), list(sm.input.bins),
                            vocab_out=sm.output.vocab, zipf_out=sm.output.zipf,
                            plot_out=sm.output.plot)
log.info("%d tokens over %d bins; Zipf r = %s, slope = %s", summary["coverage"]["n_tokens"],
         summary["coverage"]["n_bins"], summary["zipf"]["pearson_r"], summary["zipf"]["slope"])
