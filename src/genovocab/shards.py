"""Moved to :mod:`genovocab.corpora.shards` (this name stays for old imports)."""

from genovocab.corpora.shards import corpus_files, shard_names, write_corpus  # noqa: F401
