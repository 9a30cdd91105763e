"""G-gram measures on held-out DNA: how much of the BPE stream the G-gram vocabulary covers.

From every occurrence of a vocabulary G-gram in the BPE token stream of the held-out pieces
(the tokenizer's own matcher, all occurrences, overlapping ones included):

* ``covered_share``: share of BPE tokens inside at least one matched G-gram;
* ``ggrams_per_512``: occurrences per 512 BPE tokens (a model's input length);
* ``length_<L>``: share of the occurrences that are L tokens long (the length mix).
"""

from __future__ import annotations

import numpy as np

__all__ = ["GgramTally"]


class GgramTally:
    """Occurrence counts by length and covered BPE tokens, added block by block."""

    def __init__(self, max_len: int = 5):
        self.by_length = np.zeros(max_len + 1, dtype=np.int64)
        self.covered = 0
        self.tokens = 0

    def add(self, position: np.ndarray, length: np.ndarray, n_tokens: int) -> None:
        """Occurrences as flat token positions and lengths in a stream of ``n_tokens``."""
        length = np.asarray(length, dtype=np.int64)
        position = np.asarray(position, dtype=np.int64)
        if length.size and length.max() >= self.by_length.size:
            self.by_length = np.pad(
                self.by_length, (0, int(length.max()) + 1 - self.by_length.size)
            )
        self.by_length += np.bincount(length, minlength=self.by_length.size)
        diff = np.zeros(n_tokens + 1, dtype=np.int64)
        np.add.at(diff, position, 1)
        np.add.at(diff, position + length, -1)
        self.covered += int((np.cumsum(diff[:-1]) > 0).sum())
        self.tokens += int(n_tokens)

    def measures(self) -> dict:
        occ = int(self.by_length.sum())
        out = {
            "bpe_tokens": self.tokens,
            "occurrences": occ,
            "covered_share": self.covered / self.tokens if self.tokens else float("nan"),
            "ggrams_per_512": 512.0 * occ / self.tokens if self.tokens else float("nan"),
        }
        for length in range(2, self.by_length.size):
            out[f"length_{length}"] = self.by_length[length] / occ if occ else float("nan")
        return out
