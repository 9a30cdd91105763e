"""Streaming measures of one tokenization of DNA: counts per token id, added block by block.

Memory is one counter per vocabulary id, whatever the amount of DNA. The measures
(:meth:`TokenTally.measures`):

* ``bp``: bases tokenized (gap-free pieces), ``tokens``: tokens produced;
* ``tokens_per_kbp`` = 1000 * tokens / bp (compression: lower is coarser);
* ``types``: distinct ids seen (specials excluded);
* ``utilisation``: types / vocabulary size without the specials (share of the vocabulary seen);
* ``unk_rate``: ``<unk>`` tokens / tokens (0 when the tokenization has no ``<unk>``);
* the Zipf fits of :mod:`genovocab.evaluation.zipf` over the non-special counts.
"""

from __future__ import annotations

import numpy as np

from genovocab.evaluation.zipf import PAPER_BAND, zipf_measures

__all__ = ["TokenTally"]


class TokenTally:
    """Token counts of one tokenization on one stretch of DNA (real or shuffled)."""

    def __init__(
        self, vocab_size: int, special_ids: tuple[int, ...] = (), unk_id: int | None = None
    ):
        self.counts = np.zeros(int(vocab_size), dtype=np.int64)
        self.special_ids = tuple(int(i) for i in special_ids)
        self.unk_id = unk_id
        self.bp = 0

    def add(self, ids: np.ndarray, bp: int) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.counts.size):
            raise ValueError(f"token id outside 0..{self.counts.size - 1}")
        self.counts += np.bincount(ids, minlength=self.counts.size)
        self.bp += int(bp)

    def word_counts(self) -> np.ndarray:
        """Counts of the non-special ids (``<unk>`` is not a word either)."""
        keep = np.ones(self.counts.size, dtype=bool)
        keep[list(self.special_ids)] = False
        if self.unk_id is not None:
            keep[self.unk_id] = False
        return self.counts[keep]

    def measures(self, band: tuple[int, int] = PAPER_BAND) -> dict:
        words = self.word_counts()
        tokens = int(self.counts.sum())
        n_words = words.size
        unk = int(self.counts[self.unk_id]) if self.unk_id is not None else 0
        types = int((words > 0).sum())
        return {
            "bp": self.bp,
            "tokens": tokens,
            "tokens_per_kbp": 1000.0 * tokens / self.bp if self.bp else float("nan"),
            "vocab_size": n_words,
            "types": types,
            "utilisation": types / n_words if n_words else float("nan"),
            "unk_rate": unk / tokens if tokens else float("nan"),
            **zipf_measures(words, band),
        }
