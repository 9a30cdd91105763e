"""Snakemake adapter: encode the G-gram corpus (no specials) into a uint16 token stream."""

from genovocab.logutil import configure_logging
from genovocab.sequence.bpe import (
    encode_ids,
    load_tokenizer,
    mean_bp_per_token,
    save_token_stream,
)
from genovocab.sequence.windows import read_lines

log = configure_logging(snakemake)
sm = snakemake
tok = load_tokenizer(sm.input.tokenizer)
seqs = read_lines(sm.input.windows)
ids, offsets = encode_ids(tok, seqs)
save_token_stream(sm.output[0], ids, offsets)
log.info(
    "%d sequences -> %d tokens (%s), %.3f bp per token",
    len(seqs),
    len(ids),
    ids.dtype,
    mean_bp_per_token(seqs, len(ids)),
)
