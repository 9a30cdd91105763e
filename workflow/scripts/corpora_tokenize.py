"""Snakemake adapter: tokenize one interval corpus into Parquet shards + card."""

from pathlib import Path

import pandas as pd

from genovocab.corpora.interval import write_interval_corpus
from genovocab.fileutil import sha256_file
from genovocab.logutil import configure_logging
from genovocab.tokenizers import IntervalTokenizer

log = configure_logging(snakemake)
sm = snakemake
tok = IntervalTokenizer.from_bed(sm.input.universe, **sm.params.tokenizer)
log.info("universe %s: %d regions, vocab_size %d", sm.input.universe, tok.n_regions, tok.vocab_size)
documents = list(zip(sm.params.names, sm.input.samples))
metadata = pd.DataFrame(sm.params.metadata) if sm.params.metadata else None
out_dir = Path(sm.output[-1]).parent
paths, stats = write_interval_corpus(
    tok,
    documents,
    out_dir,
    n_shards=sm.params.n_shards,
    metadata=metadata,
    splits=sm.params.splits,
    dtypes=sm.params.dtypes,
    label=sm.params.label,
    text_columns=sm.params.text_columns,
    license=sm.params.license,
    title=sm.params.title,
    source=str(sm.params.sheet),
    extra_stats={"corpus": sm.params.corpus, "universe_sha256": sha256_file(sm.input.universe)},
)
log.info(
    "corpus %s: %d documents, %d regions, %d tokens, unknown rate %.4f, "
    "vocabulary coverage %.4f -> %d shard(s)",
    sm.params.corpus,
    stats["documents"],
    stats["regions"],
    stats["tokens"],
    stats["unknown_rate"],
    stats["vocabulary_coverage"],
    len(paths),
)
