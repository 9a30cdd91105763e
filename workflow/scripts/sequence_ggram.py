"""Snakemake adapter: PMI G-gram extraction and its files (vocab.tsv, ngram.json, stats, plot)."""

from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.sequence.bpe import load_token_stream, load_tokenizer
from genovocab.sequence.ggram import GgramParams, extract_ggrams, write_vocab

log = configure_logging(snakemake)
sm = snakemake
tok = load_tokenizer(sm.input.tokenizer)
ids, offsets = load_token_stream(sm.input.tokens)
params = GgramParams(
    min_pmi=float(sm.params.min_pmi),
    min_token_count=sm.params.min_token_count,
    min_ngram_freq=sm.params.min_ngram_freq,
    min_len=sm.params.min_len,
    max_len=sm.params.max_len,
)
vocab = extract_ggrams(ids, offsets, vocab_size=tok.get_vocab_size(), params=params)
write_vocab(vocab, tok, Path(sm.output.vocab).parent, max_ngram_count=sm.params.max_ngrams)
for key, value in vocab.stats.items():
    log.info("%s: %s", key, value)
