"""Tokenizers on one contract (:mod:`genovocab.tokenizers.base`): genomic intervals against a
universe, DNA with BPE + G-grams; collators for pre-training."""

from genovocab.tokenizers.base import BatchEncoding, KeySpec, TokenizerBase  # noqa: F401
from genovocab.tokenizers.interval import IntervalTokenizer  # noqa: F401
from genovocab.tokenizers.motif import MotifTokenizer  # noqa: F401
from genovocab.tokenizers.sequence import SequenceTokenizer  # noqa: F401
