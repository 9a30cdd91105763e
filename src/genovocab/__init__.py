"""genovocab: vocabularies for machine learning on the genome, built end to end.

Three vocabularies (interval universe, motif bins, BPE + G-grams), tokenizers with a Hugging
Face-shaped API, and sharded tokenized corpora, cut as reproducible releases.
"""

from genovocab._version import __version__

__all__ = ["__version__"]
