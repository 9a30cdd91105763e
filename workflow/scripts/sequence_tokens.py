"""Snakemake adapter: encode the G-gram corpus (no specials) into a uint16 token stream."""

import os

os.environ["RAYON_NUM_THREADS"] = str(snakemake.threads)  # noqa: F821 (before tokenizers)

from genovocab.logutil import log_to_file  # noqa: E402
from genovocab.sequence.bpe import (  # noqa: E402
    encode_ids,
    load_tokenizer,
    mean_bp_per_token,
    save_token_stream,
)
from genovocab.sequence.corpus import read_lines  # noqa: E402

log = log_to_file(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
try:
    tok = load_tokenizer(sm.input.tokenizer)
    seqs = read_lines(sm.input.windows)
    ids, offsets = encode_ids(tok, seqs)
    save_token_stream(sm.output[0], ids, offsets)
    log.info("%d sequences -> %d tokens (%s), %.3f bp per token", len(seqs), len(ids),
             ids.dtype, mean_bp_per_token(seqs, len(ids)))
except Exception as exc:
    log.error("%s", exc)
    raise
