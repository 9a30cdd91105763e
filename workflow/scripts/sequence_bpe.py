"""Snakemake adapter: train the DNABERT-2-style BPE and save the tokenizer folder."""

from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.sequence.bpe import build_bpe_folder

log = configure_logging(snakemake)
sm = snakemake
build_bpe_folder(
    [sm.input[0]],
    Path(sm.output[0]).parent,
    vocab_size=sm.params.vocab_size,
    min_frequency=sm.params.min_frequency,
    model_max_length=sm.params.model_max_length,
)
