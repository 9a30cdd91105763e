"""Snakemake adapter: token vocabulary of all chromosomes, Zipf fit, coverage, Zipf plot."""

from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.motifs.tokens import token_vocab_files

sm = snakemake
log = configure_logging(snakemake)
# the chromosomes come from this job's own inputs (no checkpoint read on a cluster node)
chroms = [Path(p).name.removesuffix(".npz") for p in sm.input.patterns]
summary = token_vocab_files(list(sm.input.patterns), list(sm.input.bins),
                            vocab_out=sm.output.vocab, zipf_out=sm.output.zipf,
                            plot_out=sm.output.plot, vocab_npz_out=sm.output.vocab_npz,
                            token_ids_out=sm.output.token_ids, chroms=chroms)
log.info("%d tokens over %d bins; Zipf r = %s, slope = %s", summary["coverage"]["n_tokens"],
         summary["coverage"]["n_bins"], summary["zipf"]["pearson_r"], summary["zipf"]["slope"])
