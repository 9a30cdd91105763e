"""k-mer baselines: DNA cut into words of k bases, overlapping (stride 1) or not (stride k).

A k-mer's token id is its base-4 code (A=0, C=1, G=2, T=3, first base most significant), so
the vocabulary is the ``4**k`` k-mers and counting is one ``bincount``. Pieces are gap-free
(A/C/G/T only, see :mod:`genovocab.evaluation.pieces`); a non-overlapping tokenization drops the
last ``len % k`` bases of a piece (they are counted in the bp, so tokens per kbp stays honest).
"""

from __future__ import annotations

import numpy as np

__all__ = ["BASE_CODES", "encode_bases", "kmer_codes", "kmer_counts", "kmer_string"]

BASE_CODES = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    BASE_CODES[_b] = _i
    BASE_CODES[ord(chr(_b).lower())] = _i


def encode_bases(seq: str | bytes) -> np.ndarray:
    """uint8 codes of the bases: A 0, C 1, G 2, T 3, anything else 4."""
    raw = seq.encode("ascii") if isinstance(seq, str) else bytes(seq)
    return BASE_CODES[np.frombuffer(raw, dtype=np.uint8)]


def kmer_codes(codes: np.ndarray, k: int, overlapping: bool) -> np.ndarray:
    """int64 codes of the k-mers of one gap-free piece (stride 1 or k), in order."""
    if k < 1 or k > 31:
        raise ValueError(f"k must be 1..31, not {k}")
    n = codes.size - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if np.any(codes > 3):
        raise ValueError("k-mers are taken of A/C/G/T pieces only")
    starts = np.arange(0, n, 1 if overlapping else k)
    out = np.zeros(starts.size, dtype=np.int64)
    c = codes.astype(np.int64)
    for j in range(k):
        out = out * 4 + c[starts + j]
    return out


def kmer_counts(pieces: list[str], k: int, overlapping: bool) -> np.ndarray:
    """Counts of every k-mer (length ``4**k``) over gap-free pieces."""
    total = np.zeros(4**k, dtype=np.int64)
    for piece in pieces:
        total += np.bincount(kmer_codes(encode_bases(piece), k, overlapping), minlength=4**k)
    return total


def kmer_string(code: int, k: int) -> str:
    """The k-mer of a code (inverse of the coding)."""
    return "".join("ACGT"[(int(code) >> (2 * (k - 1 - j))) & 3] for j in range(k))
