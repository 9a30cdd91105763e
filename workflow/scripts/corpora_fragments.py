"""Snakemake adapter: a fragments file -> one document per cell barcode (shards + card)."""

from pathlib import Path

from genovocab.corpora.fragments import write_fragments_corpus
from genovocab.fileutil import open_text, sha256_file
from genovocab.logutil import configure_logging
from genovocab.tokenizers import IntervalTokenizer

log = configure_logging(snakemake)
sm = snakemake
opts = dict(sm.params.options)
tok = IntervalTokenizer.from_bed(sm.input.universe)
whitelist = None
if opts["whitelist"]:
    with open_text(sm.input.whitelist) as handle:
        whitelist = [line.strip() for line in handle if line.strip()]
out_dir = Path(sm.output[0]).parent.parent
paths, stats = write_fragments_corpus(
    tok,
    sm.input.fragments,
    out_dir,
    n_shards=sm.params.n_shards,
    dedupe=opts["dedupe"],
    unknown=opts["unknown"],
    min_fragments=opts["min_fragments"],
    whitelist=whitelist,
    h5ad=out_dir / "cells.h5ad" if opts["h5ad"] else None,
    title=sm.params.title,
    license=sm.params.license,
)
log.info(
    "corpus %s: %d cells, %d fragments, %d tokens -> %d shard(s); universe sha256 %s",
    sm.params.corpus,
    stats["cells"],
    stats["fragments"],
    stats["tokens"],
    len(paths),
    sha256_file(sm.input.universe),
)
