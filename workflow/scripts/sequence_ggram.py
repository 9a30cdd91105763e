"""Snakemake adapter: PMI G-gram extraction and its files (vocab.tsv, ngram.json, stats, plot)."""

from pathlib import Path

from genovocab.logutil import log_to_file
from genovocab.sequence.bpe import load_token_stream, load_tokenizer
from genovocab.sequence.ggram import GgramParams, extract_ggrams, write_vocab

log = log_to_file(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
try:
    tok = load_tokenizer(sm.input.tokenizer)
    ids, offsets = load_token_stream(sm.input.tokens)
    params = GgramParams(min_pmi=float(sm.params.min_pmi),
                         min_token_count=sm.params.min_token_count,
                         min_ngram_freq=sm.params.min_ngram_freq, min_len=sm.params.min_len,
                         max_len=sm.params.max_len)
    vocab = extract_ggrams(ids, offsets, vocab_size=tok.get_vocab_size(), params=params)
    write_vocab(vocab, tok, Path(sm.output.vocab).parent, max_ngram_count=sm.params.max_ngrams)
    for key, value in vocab.stats.items():
        log.info("%s: %s", key, value)
except Exception as exc:
    log.error("%s", exc)
    raise
