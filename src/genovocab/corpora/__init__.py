"""Model-ready corpora: one shard writer, one card writer and the corpus writers built on them.

:mod:`~genovocab.corpora.shards` (Parquet shards per split), :mod:`~genovocab.corpora.card`
(Hugging Face dataset cards), :mod:`~genovocab.corpora.splits`,
:mod:`~genovocab.corpora.metadata` (typed columns, labels, text), and the writers:
:mod:`~genovocab.corpora.interval`, :mod:`~genovocab.corpora.sequence`,
:mod:`~genovocab.corpora.fragments`. Corpora import tokenizers, never the reverse.
"""

from genovocab.corpora.card import CardInfo, dataset_card  # noqa: F401
from genovocab.corpora.shards import corpus_files, shard_names, write_corpus  # noqa: F401
