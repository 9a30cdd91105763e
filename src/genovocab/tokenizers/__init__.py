"""Tokenizers on one contract (:mod:`genovocab.tokenizers.base`): genomic intervals against a
universe, DNA with BPE + G-grams, motif bins; collators for pre-training.

The classes are imported on first use (PEP 562), so ``from genovocab.tokenizers import
IntervalTokenizer`` does not pay for the sequence tokenizer's dependencies (Hugging Face
``tokenizers``, pyarrow) or the motif tokenizer's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genovocab.lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from genovocab.tokenizers.base import BatchEncoding, KeySpec, TokenizerBase
    from genovocab.tokenizers.interval import IntervalTokenizer
    from genovocab.tokenizers.motif import MotifTokenizer
    from genovocab.tokenizers.sequence import SequenceTokenizer

_LAZY = {
    "BatchEncoding": "genovocab.tokenizers.base",
    "KeySpec": "genovocab.tokenizers.base",
    "TokenizerBase": "genovocab.tokenizers.base",
    "IntervalTokenizer": "genovocab.tokenizers.interval",
    "MotifTokenizer": "genovocab.tokenizers.motif",
    "SequenceTokenizer": "genovocab.tokenizers.sequence",
}

__all__ = [
    "BatchEncoding",
    "IntervalTokenizer",
    "KeySpec",
    "MotifTokenizer",
    "SequenceTokenizer",
    "TokenizerBase",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
