"""The sequence vocabulary (DNABERT-2-style BPE plus DNAZEN's PMI G-grams) and its corpora.

- :mod:`.windows`: gap-free genome windows and region sequences (the text of every step);
- :mod:`.bpe`: BPE training (:func:`.bpe.build_bpe_folder`, the one step of CLI and
  workflow) and encoding with Hugging Face ``tokenizers``;
- :mod:`.ggram`: PMI G-gram extraction over a BPE token stream.

The sequence corpora (Parquet shards) are written by :mod:`genovocab.corpora.sequence`.

Submodules are imported on use, so importing the package stays cheap.
"""

__all__ = ["bpe", "ggram", "windows"]
