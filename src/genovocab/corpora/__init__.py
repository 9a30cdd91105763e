"""Model-ready corpora: one shard writer, one card writer and the corpus writers built on them.

:mod:`~genovocab.corpora.shards` (Parquet shards per split), :mod:`~genovocab.corpora.card`
(Hugging Face dataset cards), :mod:`~genovocab.corpora.splits`,
:mod:`~genovocab.corpora.metadata` (typed columns, labels, text), and the writers:
:mod:`~genovocab.corpora.interval`, :mod:`~genovocab.corpora.sequence`,
:mod:`~genovocab.corpora.fragments`. Corpora import tokenizers, never the reverse.

The names below are imported on first use (PEP 562): importing one writer (the fragments
reader, say) does not import ``pyarrow.parquet`` and the card writer until they are needed.
"""

from __future__ import annotations

from genovocab.lazy import lazy_exports

_LAZY = {
    "CardInfo": "genovocab.corpora.card",
    "dataset_card": "genovocab.corpora.card",
    "corpus_files": "genovocab.corpora.shards",
    "shard_names": "genovocab.corpora.shards",
    "write_corpus": "genovocab.corpora.shards",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
