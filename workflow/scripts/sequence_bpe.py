"""Snakemake adapter: train the DNABERT-2-style BPE and save the tokenizer folder."""

from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.sequence.bpe import (
    encode_ids,
    mean_bp_per_token,
    save_tokenizer_folder,
    train_bpe,
)
from genovocab.sequence.windows import read_lines

log = configure_logging(snakemake)
sm = snakemake
tok = train_bpe([sm.input[0]], vocab_size=sm.params.vocab_size,
                min_frequency=sm.params.min_frequency)
save_tokenizer_folder(tok, Path(sm.output[0]).parent,
                      model_max_length=sm.params.model_max_length)
sample = read_lines(sm.input[0])[:5000]
ids, _ = encode_ids(tok, sample)
log.info("mean %.3f bp per token over %d training lines", mean_bp_per_token(sample, len(ids)),
         len(sample))
