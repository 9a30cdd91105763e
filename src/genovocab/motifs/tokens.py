"""Motif tokens: cluster features per bin, discrete tokens, Zipf's law, coverage statistics.

After clustering (``clustering.py``) every bin is described by one value per motif cluster: the
mean of its member feature columns (a bin x cluster CSR matrix, float32). For the linguistic
check of Davarmanesh et al. the cluster vector is discretised: a cluster is *active* in a bin
when its value is ``>= threshold`` (default 0.5); every distinct set of active clusters is a token.
Token ids are given by descending genome-wide frequency (ties: fewer active clusters first, then
the cluster ids lexicographically), the all-zero pattern being a token like any other. Zipf's
law is checked by the Pearson correlation of log frequency against log rank (paper: r ~ -0.99).

Per chromosome the distinct patterns are found exactly and vectorised: rows are grouped by
(active count, two 64-bit random-weight sums) and every row is then compared element by element
with its group's first row, so a hash collision can never merge two patterns silently. The same
grouping merges the blocks of a chromosome (:class:`PatternMerger`, written as it goes) and all
chromosomes into the vocabulary (:func:`build_vocab_ids`). Patterns are arrays (offsets + int32
cluster ids), never one Python tuple each: on hg38-density sites nearly every bin has its own.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_path, write_text_atomic

TOKEN_COLUMNS = ("token", "count", "fraction", "n_active", "clusters")
_HASH_SEED = 20250601


def membership(labels: np.ndarray) -> sp.csr_matrix:
    """d x C averaging matrix: column c holds ``1/|c|`` at the members of cluster ``c``."""
    labels = np.asarray(labels, dtype=np.int64)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    sizes = np.bincount(labels, minlength=n_clusters)
    data = 1.0 / sizes[labels]
    return sp.csr_matrix((data, (np.arange(labels.size), labels)),
                         shape=(labels.size, n_clusters))


def cluster_features(X, labels: np.ndarray) -> sp.csr_matrix:
    """Bin x cluster matrix (CSR float32): each value is the mean of the member columns.

    Computed in float64 and rounded once to float32.
    """
    labels = np.asarray(labels)
    if X.shape[1] != labels.size:
        raise GenovocabError(f"feature matrix has {X.shape[1]} columns but {labels.size} "
                             "features have cluster labels")
    product = sp.csr_matrix(sp.csr_matrix(X, dtype=np.float64) @ membership(labels))
    product.eliminate_zeros()
    product.sort_indices()
    return sp.csr_matrix(product.astype(np.float32))


@dataclass
class Patterns:
    """Distinct active-cluster patterns of one matrix: CSR-like pattern list, counts, and the
    pattern index of every row."""

    indptr: np.ndarray  # int64, len = n_patterns + 1
    indices: np.ndarray  # int32 cluster ids, ascending within a pattern
    counts: np.ndarray  # int64 rows per pattern
    inverse: np.ndarray  # int64 pattern of each row

    def __len__(self) -> int:
        return int(self.counts.size)

    def pattern(self, i: int) -> tuple[int, ...]:
        """Cluster ids of pattern ``i``."""
        return tuple(self.indices[self.indptr[i]:self.indptr[i + 1]].tolist())

    def save(self, path: str | os.PathLike) -> None:
        """Write to ``.npz`` atomically."""
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, indptr=self.indptr, indices=self.indices,
                         counts=self.counts, inverse=self.inverse)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Patterns:
        """Read a file written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(data["indptr"], data["indices"], data["counts"], data["inverse"])
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(path, f"not a token pattern file ({exc})") from exc


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per-row sums of uint64 values with wrap-around (exact modulo 2^64)."""
    cs = np.zeros(values.size + 1, dtype=np.uint64)
    np.cumsum(values, out=cs[1:])
    return cs[indptr[1:]] - cs[indptr[:-1]]


def _hash_weights(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two fixed vectors of random 64-bit weights, one per cluster."""
    rng = np.random.default_rng(_HASH_SEED)
    top = np.iinfo(np.uint64).max
    return (rng.integers(0, top, size=n, dtype=np.uint64, endpoint=True),
            rng.integers(0, top, size=n, dtype=np.uint64, endpoint=True))


def _pattern_hashes(indices: np.ndarray, indptr: np.ndarray,
                    weights: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit random-weight sums of every row's cluster ids (CSR-like layout), 65,536
    rows at a time (the weights of every id are 8 B temporaries)."""
    n = indptr.size - 1
    h1, h2 = np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, n, 1 << 16):
            hi = min(n, lo + (1 << 16))
            ids = indices[indptr[lo]:indptr[hi]]
            local = indptr[lo:hi + 1] - indptr[lo]
            h1[lo:hi] = _row_sums(weights[0][ids], local)
            h2[lo:hi] = _row_sums(weights[1][ids], local)
    return h1, h2


def active_patterns(features: sp.csr_matrix, threshold: float = 0.5) -> Patterns:
    """Distinct sets of clusters with value ``>= threshold`` per row, exactly."""
    if not threshold > 0:
        raise GenovocabError(f"token threshold must be > 0 (zero would activate every "
                             f"cluster in every bin), got {threshold}")
    csr = sp.csr_matrix(features)
    csr.sort_indices()
    n_rows, n_clusters = csr.shape
    keep = csr.data >= threshold
    kept = np.zeros(csr.nnz + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    row_nnz = kept[csr.indptr[1:]] - kept[csr.indptr[:-1]]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(row_nnz, out=indptr[1:])
    indices = csr.indices[keep].astype(np.int64)
    h1, h2 = _pattern_hashes(indices, indptr, _hash_weights(max(n_clusters, 1)))
    keys = np.stack([row_nnz.astype(np.uint64), h1, h2], axis=1)
    _, first, inverse, counts = np.unique(keys, axis=0, return_index=True,
                                          return_inverse=True, return_counts=True)
    inverse = inverse.ravel().astype(np.int64)
    # Exact check: each row's cluster ids equal those of its group's first row.
    rep = first[inverse]
    rep_pos = np.repeat(indptr[rep], row_nnz) + (np.arange(indices.size)
                                                 - np.repeat(indptr[:-1], row_nnz))
    if not np.array_equal(indices[rep_pos], indices):
        raise GenovocabError("hash collision between two token patterns (please report)")
    p_nnz = row_nnz[first]
    p_indptr = np.zeros(first.size + 1, dtype=np.int64)
    np.cumsum(p_nnz, out=p_indptr[1:])
    p_pos = np.repeat(indptr[first], p_nnz) + (np.arange(int(p_nnz.sum()))
                                               - np.repeat(p_indptr[:-1], p_nnz))
    return Patterns(p_indptr, indices[p_pos].astype(np.int32), counts.astype(np.int64),
                    inverse)


class _Growing:
    """A 1-D array with amortised appends (capacity doubles)."""

    def __init__(self, dtype: np.dtype) -> None:
        self._buffer = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + values.size
        if end > self._buffer.size:
            grown = np.zeros(max(end, 2 * self._buffer.size), dtype=self._buffer.dtype)
            grown[:self.size] = self._buffer[:self.size]
            self._buffer = grown
        self._buffer[self.size:end] = values
        self.size = end

    @property
    def values(self) -> np.ndarray:
        return self._buffer[:self.size]


class PatternMerger:
    """Distinct patterns of consecutive row blocks, merged into one :class:`Patterns`.

    Ids follow the first appearance: a block's patterns that are new get the next ids in the
    block's own order. The merged patterns' cluster ids are appended to ``spill`` (an
    :class:`~genovocab.npystream.NpyAppender` of int32) instead of being held, so memory is
    ~60 B per distinct pattern plus 8 B per row, whatever the patterns' sizes. A pattern seen
    before is found by its first hash, then its length, second hash and every cluster id are
    compared with the stored one (exact, like :func:`active_patterns`).
    """

    def __init__(self, n_clusters: int, spill) -> None:
        self._weights = _hash_weights(max(n_clusters, 1))
        self._spill = spill
        self._sorted_h1 = np.zeros(0, dtype=np.uint64)
        self._sorted_ids = np.zeros(0, dtype=np.int64)
        self._h2 = _Growing(np.uint64)
        self._sizes = _Growing(np.int64)
        self._offsets = _Growing(np.int64)
        self._counts = _Growing(np.int64)
        self._inverse: list[np.ndarray] = []

    def __len__(self) -> int:
        return self._sizes.size

    def add(self, part: Patterns) -> None:
        """Merge the patterns of the next block of rows."""
        sizes = np.diff(part.indptr)
        h1, h2 = _pattern_hashes(part.indices, part.indptr, self._weights)
        ids = np.empty(len(part), dtype=np.int64)
        found = np.zeros(len(part), dtype=bool)
        if self._sorted_h1.size:
            at = np.minimum(np.searchsorted(self._sorted_h1, h1), self._sorted_h1.size - 1)
            found = self._sorted_h1[at] == h1
            ids[found] = self._sorted_ids[at[found]]
            self._check_same(part, np.flatnonzero(found), ids[found], sizes, h2)
        new = np.flatnonzero(~found)
        ids[new] = len(self) + np.arange(new.size)
        self._counts.extend(np.zeros(new.size, dtype=np.int64))
        counts = self._counts.values
        counts[ids] += part.counts  # ids are distinct within a block
        new_sizes = sizes[new]
        self._offsets.extend(self._spill.length + np.concatenate(
            ([0], np.cumsum(new_sizes)[:-1])).astype(np.int64) if new.size else new_sizes)
        self._sizes.extend(new_sizes)
        self._h2.extend(h2[new])
        self._spill.append(part.indices[_ranges(part.indptr[new], new_sizes)])
        order = np.argsort(h1[new], kind="stable")
        where = np.searchsorted(self._sorted_h1, h1[new][order])
        self._sorted_h1 = np.insert(self._sorted_h1, where, h1[new][order])
        self._sorted_ids = np.insert(self._sorted_ids, where, ids[new][order])
        self._inverse.append(ids[part.inverse])

    def _check_same(self, part: Patterns, rows: np.ndarray, ids: np.ndarray,
                    sizes: np.ndarray, h2: np.ndarray) -> None:
        """Raise unless the block's patterns ``rows`` equal the stored patterns ``ids``."""
        same = ((self._sizes.values[ids] == sizes[rows])
                & (self._h2.values[ids] == h2[rows]))
        if same.all():
            stored = self._spill.read(_ranges(self._offsets.values[ids], sizes[rows]))
            same = np.array_equal(stored, part.indices[_ranges(part.indptr[rows], sizes[rows])])
        if not np.all(same):
            raise GenovocabError("hash collision between two token patterns (please report)")

    def save(self, path: str | os.PathLike, spill_path: str | os.PathLike) -> None:
        """Write the merged :class:`Patterns` (the bytes of :meth:`Patterns.save`); the spill
        must be finished and is copied in."""
        from genovocab.npystream import write_npz

        indptr = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self._sizes.values, out=indptr[1:])
        inverse = (np.concatenate(self._inverse) if self._inverse
                   else np.zeros(0, dtype=np.int64))
        write_npz(path, [("indptr", indptr), ("indices", spill_path),
                         ("counts", self._counts.values.copy()), ("inverse", inverse)])


def _gather(indptr: np.ndarray, indices: np.ndarray, which: np.ndarray,
            chunk: int = 1 << 16) -> np.ndarray:
    """The cluster ids of patterns ``which`` (of ``indptr``/``indices``), concatenated;
    ``chunk`` patterns at a time, so only the output is as large as the ids."""
    sizes = indptr[which + 1] - indptr[which]
    out = np.empty(int(sizes.sum()), dtype=indices.dtype)
    pos = 0
    for lo in range(0, which.size, chunk):
        part = _ranges(indptr[which[lo:lo + chunk]], sizes[lo:lo + chunk])
        out[pos:pos + part.size] = indices[part]
        pos += part.size
    return out


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + size)`` for every pair (int64)."""
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    heads = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.repeat(starts - heads, sizes) + np.arange(total, dtype=np.int64)


@dataclass
class TokenVocab:
    """Global token vocabulary: patterns in id order and their genome-wide counts.

    Stored like :class:`Patterns` (``indptr``, int32 cluster ids), not as Python tuples: a
    genome can have tens of millions of distinct patterns.
    """

    indptr: np.ndarray  # int64, len = n_tokens + 1
    indices: np.ndarray  # int32 cluster ids, ascending within a pattern
    counts: np.ndarray  # int64 bins per token

    @classmethod
    def from_patterns(cls, patterns: Sequence[tuple[int, ...]], counts) -> TokenVocab:
        """A vocabulary from a list of patterns (small vocabularies, tests)."""
        sizes = np.array([len(p) for p in patterns], dtype=np.int64)
        indptr = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        indices = np.array([v for p in patterns for v in p], dtype=np.int32)
        return cls(indptr, indices, np.asarray(counts, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.counts.size)

    @property
    def sizes(self) -> np.ndarray:
        """Active clusters per token."""
        return np.diff(self.indptr)

    def pattern(self, i: int) -> tuple[int, ...]:
        """Cluster ids of token ``i``."""
        return tuple(self.indices[self.indptr[i]:self.indptr[i + 1]].tolist())

    @property
    def patterns(self) -> list[tuple[int, ...]]:
        """Every pattern as a tuple (for small vocabularies: one Python object per id)."""
        return [self.pattern(i) for i in range(len(self))]

    def index(self) -> dict[tuple[int, ...], int]:
        """Pattern -> token id (small vocabularies)."""
        return {p: i for i, p in enumerate(self.patterns)}

    def table(self) -> pd.DataFrame:
        """One row per token: ``token, count, fraction, n_active, clusters`` (``.`` = none)."""
        return self._table(0, len(self), int(self.counts.sum()))

    def _table(self, lo: int, hi: int, total: int) -> pd.DataFrame:
        counts = self.counts[lo:hi].astype(np.int64)
        return pd.DataFrame({
            "token": np.arange(lo, hi, dtype=np.int64),
            "count": counts,
            "fraction": counts / total if total else np.zeros(hi - lo),
            "n_active": self.sizes[lo:hi],
            "clusters": _cluster_strings(self.indptr[lo:hi + 1], self.indices),
        }, columns=list(TOKEN_COLUMNS))

    def save(self, path: str | os.PathLike) -> None:
        """``token_vocab.npz`` (what the later jobs read; the TSV is for people)."""
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, indptr=self.indptr, indices=self.indices, counts=self.counts)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TokenVocab:
        """Read a file written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(data["indptr"], data["indices"], data["counts"])
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(path, f"not a token vocabulary file ({exc})") from exc


def _cluster_strings(indptr: np.ndarray, indices: np.ndarray) -> list[str]:
    """``"3,17"`` for each pattern (``"."`` for none) of ``indptr`` (a slice of offsets into
    ``indices``): numbers are formatted once per cluster id, then joined per pattern."""
    top = int(indices[indptr[0]:indptr[-1]].max()) + 1 if indptr[-1] > indptr[0] else 0
    names = np.array([str(c) for c in range(top)], dtype=object)
    words = names[indices[indptr[0]:indptr[-1]]]
    offsets = (indptr - indptr[0]).tolist()
    return [",".join(words[a:b]) if b > a else "." for a, b in zip(offsets[:-1], offsets[1:])]


def canonical_order(indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray,
                    which: np.ndarray | None = None) -> np.ndarray:
    """Token order of the patterns ``which`` (default: all), ``counts`` being theirs:
    descending count, then fewer active clusters, then the cluster ids lexicographically (as
    Python orders the tuples). Vectorised: the patterns of each length are ranked by
    ``lexsort`` of their ids, then all by (count, length, that rank)."""
    which = np.arange(indptr.size - 1) if which is None else which
    sizes = indptr[which + 1] - indptr[which]
    rank = np.zeros(sizes.size, dtype=np.int64)
    for length in np.unique(sizes):
        members = np.flatnonzero(sizes == length)
        if length == 0 or members.size < 2:
            continue
        ids = _gather(indptr, indices, which[members]).reshape(members.size, length)
        rank[members[np.lexsort(ids.T[::-1])]] = np.arange(members.size)
    return np.lexsort((rank, sizes, -np.asarray(counts, dtype=np.int64)))


def _check_equal_to(indices: np.ndarray, indptr: np.ndarray, rep: np.ndarray,
                    chunk: int = 1 << 16) -> None:
    """Raise unless every pattern ``i`` has the cluster ids of pattern ``rep[i]`` (checked
    ``chunk`` patterns at a time, so the position arrays stay small)."""
    sizes = np.diff(indptr)
    for lo in range(0, sizes.size, chunk):
        hi = min(sizes.size, lo + chunk)
        got = indices[_ranges(indptr[rep[lo:hi]], sizes[lo:hi])]
        if not np.array_equal(got, indices[indptr[lo]:indptr[hi]]):
            raise GenovocabError("hash collision between two token patterns (please report)")


def build_vocab_ids(parts: list[Patterns]) -> tuple[TokenVocab, list[np.ndarray]]:
    """Merge per-chromosome patterns into the token vocabulary (ids: :func:`canonical_order`),
    and give each part's pattern -> token id map (int32)."""
    sizes = np.concatenate([np.diff(p.indptr) for p in parts] or [np.zeros(0, np.int64)])
    indptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    return vocab_from_patterns(
        indptr, np.concatenate([p.indices for p in parts] or [np.zeros(0, np.int32)]),
        np.concatenate([p.counts for p in parts] or [np.zeros(0, np.int64)]),
        [len(p) for p in parts])


def vocab_from_patterns(indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray,
                        part_sizes: Sequence[int]) -> tuple[TokenVocab, list[np.ndarray]]:
    """:func:`build_vocab_ids` on the parts' patterns stacked (``part_sizes`` patterns each).

    Patterns are grouped by (length, two random-weight hashes), then compared id by id with
    their group's first, so a hash collision is an error, never a silent merge.
    """
    sizes = np.diff(indptr)
    n_clusters = int(indices.max()) + 1 if indices.size else 1
    h1, h2 = _pattern_hashes(indices, indptr, _hash_weights(n_clusters))
    keys = np.stack([sizes.astype(np.uint64), h1, h2], axis=1)
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    del keys, h1, h2
    _check_equal_to(indices, indptr, first[group])
    totals = np.zeros(first.size, dtype=np.int64)
    np.add.at(totals, group, counts)
    # the groups' first patterns in token order, gathered from ``indices`` directly
    order = canonical_order(indptr, indices, totals, which=first)
    token_of_group = np.empty(first.size, dtype=np.int64)
    token_of_group[order] = np.arange(first.size)
    ordered_sizes = sizes[first][order]
    vocab_indptr = np.zeros(first.size + 1, dtype=np.int64)
    np.cumsum(ordered_sizes, out=vocab_indptr[1:])
    ordered = _gather(indptr, indices, first[order]).astype(np.int32, copy=False)
    vocab = TokenVocab(vocab_indptr, ordered, totals[order])
    maps, lo = [], 0
    for size in part_sizes:
        maps.append(token_of_group[group[lo:lo + size]].astype(np.int32))
        lo += size
    return vocab, maps


def build_vocab(parts: list[Patterns]) -> TokenVocab:
    """Merge per-chromosome patterns; ids by descending count, then fewer active clusters,
    then cluster ids ascending."""
    return build_vocab_ids(parts)[0]


def tokens_for(part: Patterns, vocab_index: dict[tuple[int, ...], int]) -> np.ndarray:
    """Token id (int32) of every row of one chromosome."""
    try:
        local = np.array([vocab_index[part.pattern(i)] for i in range(len(part))],
                         dtype=np.int32)
    except KeyError as exc:
        raise GenovocabError(f"pattern {exc.args[0]} is not in the token vocabulary") from exc
    return local[part.inverse] if len(part) else np.zeros(0, dtype=np.int32)


def write_token_vocab(path: str | os.PathLike, vocab: TokenVocab,
                      chunk_rows: int = 1 << 17) -> None:
    """``token_vocab.tsv``: header + one row per token, written ``chunk_rows`` at a time (a
    chunk's strings and its text take ~10x its ids)."""
    total = int(vocab.counts.sum())
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for lo in range(0, max(len(vocab), 1), chunk_rows):
            hi = min(len(vocab), lo + chunk_rows)
            handle.write(vocab._table(lo, hi, total).to_csv(
                sep="\t", index=False, header=lo == 0, float_format="%.6g",
                lineterminator="\n"))


def _read_id_table(path: str | os.PathLike, what: str, columns: Sequence[str], id_column: str,
                   dtype: dict[str, type]) -> pd.DataFrame:
    """A vocabulary TSV with the required ``columns`` and ids 0, 1, ... in row order."""
    try:
        table = pd.read_csv(path, sep="\t", dtype=dtype, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot read the {what} ({exc})") from exc
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(path, f"{what} lacks column(s) {', '.join(missing)}", line=1)
    ids = table[id_column].to_numpy()
    bad = np.flatnonzero(ids != np.arange(len(table)))
    if bad.size:
        raise InputError(path, f"token id {ids[bad[0]]} is not {bad[0]}", line=int(bad[0]) + 2)
    return table


def read_token_vocab(path: str | os.PathLike) -> TokenVocab:
    """Read ``token_vocab.tsv`` back (ids must be 0, 1, ... in order), or the ``.npz`` of
    :meth:`TokenVocab.save`."""
    if os.fspath(path).endswith(".npz"):
        return TokenVocab.load(path)
    table = _read_id_table(path, "token vocabulary", TOKEN_COLUMNS, "token", {"clusters": str})
    patterns = [tuple(int(v) for v in s.split(",")) if s != "." else () for s in
                table["clusters"]]
    return TokenVocab.from_patterns(patterns, table["count"].to_numpy(dtype=np.int64))


def zipf_fit(counts: np.ndarray) -> dict:
    """Zipf's law check: Pearson r of log10 frequency vs log10 rank, and the fitted line.

    ``counts`` are token frequencies (any order; zeros ignored). Ranks start at 1 for the most
    frequent token. With fewer than 3 tokens the fit is undefined (NaN).
    """
    freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
    result = {"n_tokens": int(freq.size), "n_occurrences": int(freq.sum()),
              "pearson_r": float("nan"), "slope": float("nan"), "intercept": float("nan")}
    if freq.size < 3:
        return result
    x = np.log10(np.arange(1, freq.size + 1, dtype=np.float64))
    y = np.log10(freq)
    if np.all(y == y[0]):
        return result
    slope, intercept = np.polyfit(x, y, 1)
    result.update(pearson_r=float(np.corrcoef(x, y)[0, 1]), slope=float(slope),
                  intercept=float(intercept))
    return result


def coverage_stats(bin_lengths: np.ndarray, vocab: TokenVocab,
                   active_lengths: float) -> dict:
    """Bin statistics: counts, lengths, share of bins and bases with >= 1 active cluster."""
    lengths = np.asarray(bin_lengths, dtype=np.int64)
    n_bins = int(lengths.size)
    n_active = vocab.sizes
    inactive_bins = int(vocab.counts[n_active == 0].sum())
    total_bp = int(lengths.sum())
    return {
        "n_bins": n_bins,
        "total_bp": total_bp,
        "mean_bin_length": float(lengths.mean()) if n_bins else float("nan"),
        "median_bin_length": float(np.median(lengths)) if n_bins else float("nan"),
        "bins_with_active_cluster": n_bins - inactive_bins,
        "fraction_bins_with_active_cluster": (n_bins - inactive_bins) / n_bins
        if n_bins else float("nan"),
        "fraction_bp_with_active_cluster": float(active_lengths) / total_bp
        if total_bp else float("nan"),
        "mean_active_clusters_per_bin": float((n_active * vocab.counts).sum()) / n_bins
        if n_bins else float("nan"),
        "n_tokens": len(vocab),
    }


def write_json(path: str | os.PathLike, data: dict) -> None:
    """JSON with sorted keys and NaN written as null, atomically."""
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value
    write_text_atomic(path, json.dumps(clean(data), indent=2, sort_keys=True) + "\n")


def _savefig(fig, path: str | os.PathLike) -> None:
    import matplotlib.pyplot as plt

    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)


PLOT_POINTS = 20_000


def _plotted(freq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ranks, frequencies) to draw: all of them up to ``PLOT_POINTS``, else that many
    log-spaced ranks (the same picture on log axes; a genome has tens of millions)."""
    ranks = np.arange(1, freq.size + 1)
    if freq.size <= PLOT_POINTS:
        return ranks, freq
    pick = np.unique(np.geomspace(1, freq.size, PLOT_POINTS).astype(np.int64)) - 1
    return ranks[pick], freq[pick]


def plot_zipf(path: str | os.PathLike, counts: np.ndarray, fit: dict,
              title: str = "Motif tokens") -> None:
    """PNG: rank-frequency on log-log axes with the fitted line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
    ranks, shown = _plotted(freq)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.loglog(ranks, shown, ".", markersize=3, label="tokens")
    if fit.get("slope") is not None and math.isfinite(fit.get("slope", float("nan"))):
        ax.loglog(ranks, 10 ** (fit["intercept"] + fit["slope"] * np.log10(ranks)), "-",
                  label=f"fit: slope {fit['slope']:.2f}, r = {fit['pearson_r']:.3f}")
    ax.set_xlabel("rank")
    ax.set_ylabel("frequency")
    ax.set_title(f"{title}: Zipf rank-frequency ({freq.size} tokens)")
    ax.legend()
    fig.tight_layout()
    _savefig(fig, path)


def read_bin_edges(path: str | os.PathLike) -> np.ndarray:
    """Bin edges of one chromosome (int64 ``.npy``, strictly increasing)."""
    try:
        edges = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a .npy array ({exc})") from exc
    if edges.ndim != 1 or edges.size < 1 or not np.issubdtype(edges.dtype, np.integer):
        raise InputError(path, f"bin edges must be a 1-D integer array, got {edges.dtype} "
                               f"shape {edges.shape}")
    bad = np.flatnonzero(np.diff(edges) <= 0)
    if bad.size:
        raise InputError(path, f"bin edges must increase strictly (edge {bad[0] + 1}: "
                               f"{edges[bad[0] + 1]} after {edges[bad[0]]})")
    return edges.astype(np.int64)


def write_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """``numpy.save`` atomically."""
    with atomic_path(path, suffix=".npy") as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array)


CSR_ARRAYS = (("indptr", np.int64), ("indices", np.int32), ("values", np.float32))


def csr_array_paths(prefix: str | os.PathLike) -> dict[str, Path]:
    """The three ``.npy`` files of a CSR matrix stored at ``prefix``: ``<prefix>.indptr.npy``
    (int64), ``.indices.npy`` (int32, ascending within a row) and ``.values.npy`` (float32),
    the layout of a motif tokenizer's ``bins/`` folder."""
    return {name: Path(f"{prefix}.{name}.npy") for name, _ in CSR_ARRAYS}


def csr_array_prefix(path: str | os.PathLike) -> str:
    """The prefix of one of the three files of :func:`csr_array_paths`."""
    text = os.fspath(path)
    for name, _ in CSR_ARRAYS:
        if text.endswith(f".{name}.npy"):
            return text[:-len(f".{name}.npy")]
    raise GenovocabError(f"{text}: not a CSR array file (<prefix>.indptr/indices/values.npy)")


def csr_array_rows(prefix: str | os.PathLike) -> int:
    """Rows of the CSR matrix at ``prefix`` (from the three headers, which must agree)."""
    from genovocab.npystream import npy_length

    paths = csr_array_paths(prefix)
    lengths = {name: npy_length(paths[name], dtype) for name, dtype in CSR_ARRAYS}
    if lengths["indices"] != lengths["values"]:
        raise InputError(paths["values"], f"{lengths['values']} values for "
                                          f"{lengths['indices']} indices")
    last = int(np.load(paths["indptr"], mmap_mode="r")[-1]) if lengths["indptr"] else -1
    if last != lengths["indices"]:
        raise InputError(paths["indptr"], f"ends at {last}, the matrix has "
                                          f"{lengths['indices']} non-zeros")
    return lengths["indptr"] - 1


def write_csr_arrays(prefix: str | os.PathLike, matrix: sp.spmatrix) -> None:
    """Store a CSR matrix as the three arrays of :func:`csr_array_paths`."""
    csr = sp.csr_matrix(matrix)
    csr.sort_indices()
    arrays = {"indptr": csr.indptr, "indices": csr.indices, "values": csr.data}
    for (name, dtype), path in zip(CSR_ARRAYS, csr_array_paths(prefix).values()):
        write_npy(path, arrays[name].astype(dtype))


def read_csr_arrays(prefix: str | os.PathLike, n_columns: int) -> sp.csr_matrix:
    """The CSR matrix stored at ``prefix`` (whole, in memory: for small matrices and tests)."""
    csr_array_rows(prefix)
    paths = csr_array_paths(prefix)
    indptr, indices, values = (np.load(paths[name]) for name, _ in CSR_ARRAYS)
    return sp.csr_matrix((values, indices, indptr), shape=(indptr.size - 1, n_columns))


def chromosome_cluster_features(features_path: str | os.PathLike,
                                clusters_path: str | os.PathLike, *,
                                cluster_features_out: str | os.PathLike,
                                patterns_out: str | os.PathLike,
                                threshold: float = 0.5, chunk_rows: int = 1 << 18
                                ) -> tuple[int, int]:
    """Workflow step (per chromosome): bin x cluster CSR and the bins' active patterns.

    The feature matrix is read and the outputs are written in blocks of ``chunk_rows`` bins:
    the CSR as the three arrays of :func:`csr_array_paths` (``cluster_features_out`` is their
    prefix), the patterns through :class:`PatternMerger`. Memory is one block plus ~70 B per
    bin, whatever the chromosome's number of non-zeros. Returns (bins, distinct patterns).
    """
    import contextlib

    from genovocab.fileutil import remove_stale_temps, tmp_name
    from genovocab.motifs.clustering import read_clusters
    from genovocab.motifs.ids import iter_csr_npz
    from genovocab.npystream import NpyAppender, appending_npy

    labels = read_clusters(clusters_path)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    paths = csr_array_paths(cluster_features_out)
    spill_of = Path(f"{patterns_out}.spill")  # a name of its own: atomic_path(patterns_out)
    remove_stale_temps(spill_of)               # removes the temporaries of patterns_out
    spill_path = spill_of.parent / tmp_name(spill_of, ".npy")
    row_sizes = []
    try:
        with contextlib.ExitStack() as stack:  # the three arrays are renamed in place last
            indptr_out = stack.enter_context(appending_npy(paths["indptr"], np.int64))
            indices = stack.enter_context(appending_npy(paths["indices"], np.int32))
            values = stack.enter_context(appending_npy(paths["values"], np.float32))
            spill = NpyAppender(stack.enter_context(open(spill_path, "w+b")), np.int32)
            merger = PatternMerger(n_clusters, spill)
            for _, block in iter_csr_npz(features_path, rows=chunk_rows):
                if block.shape[1] != labels.size:
                    raise InputError(features_path, f"matrix has {block.shape[1]} feature "
                                                    f"columns, {clusters_path} lists "
                                                    f"{labels.size} features")
                cf_block = cluster_features(block, labels)
                indices.append(cf_block.indices)
                values.append(cf_block.data)
                row_sizes.append(np.diff(cf_block.indptr))
                merger.add(active_patterns(cf_block, threshold))
            indptr = np.zeros(sum(r.size for r in row_sizes) + 1, dtype=np.int64)
            if row_sizes:
                np.cumsum(np.concatenate(row_sizes), out=indptr[1:])
            indptr_out.append(indptr)
            spill.finish()
            merger.save(patterns_out, spill_path)
    finally:
        spill_path.unlink(missing_ok=True)
    return indptr.size - 1, len(merger)


def _stack_pattern_files(paths: Sequence[str | os.PathLike]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The distinct patterns of several pattern files stacked (``indptr``, ``indices``,
    ``counts``) plus each file's own ``indptr``; the ids are read into one array (no second
    copy), the per-bin ``inverse`` not at all."""
    part_indptrs, counts = [], []
    for path in paths:
        try:
            with np.load(path, allow_pickle=False) as data:
                part_indptrs.append(data["indptr"].astype(np.int64))
                counts.append(data["counts"].astype(np.int64))
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(path, f"not a token pattern file ({exc})") from exc
    sizes = np.concatenate([np.diff(p) for p in part_indptrs] or [np.zeros(0, np.int64)])
    indptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    pos = 0
    for path, part_indptr in zip(paths, part_indptrs):
        pos += _read_ids_into(path, indices[pos:pos + int(part_indptr[-1])])
    return indptr, indices, np.concatenate(counts or [np.zeros(0, np.int64)]), part_indptrs


def _read_ids_into(path: str | os.PathLike, out: np.ndarray) -> int:
    """Read a pattern file's int32 ``indices`` member straight into ``out`` (no copy)."""
    import zipfile

    from genovocab.npystream import read_npy_header

    with zipfile.ZipFile(path) as archive, archive.open("indices.npy") as member:
        shape, dtype = read_npy_header(member, path, "indices.npy")
        if dtype != np.int32 or shape != (out.size,):
            raise InputError(path, f"indices.npy is {dtype} {shape}, expected int32 "
                                   f"({out.size},) from indptr")
        view = memoryview(out).cast("B")
        got = 0
        while got < view.nbytes:
            n = member.readinto(view[got:got + (1 << 24)])  # its buffer is one read
            if not n:
                raise InputError(path, "indices.npy is truncated")
            got += n
    return out.size


def _load_inverse(path: str | os.PathLike) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["inverse"]
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a token pattern file ({exc})") from exc


def token_vocab_files(pattern_paths: list[str | os.PathLike],
                      edge_paths: list[str | os.PathLike], *, vocab_out: str | os.PathLike,
                      zipf_out: str | os.PathLike, plot_out: str | os.PathLike | None = None,
                      vocab_npz_out: str | os.PathLike | None = None,
                      token_ids_out: str | os.PathLike | None = None,
                      chroms: Sequence[str] | None = None) -> dict:
    """Workflow step (gather): ``token_vocab.tsv``, the Zipf fit + bin coverage JSON, the plot;
    optionally the vocabulary as ``.npz`` (:meth:`TokenVocab.save`) and ``token_ids.npz``
    (per chromosome, named by ``chroms``: the token id of each of its distinct patterns).

    ``pattern_paths`` and ``edge_paths`` are per chromosome, in the same order. Memory: the
    distinct patterns (int32 ids) of all chromosomes plus one chromosome's bins.
    """
    if len(pattern_paths) != len(edge_paths):
        raise GenovocabError("one pattern file and one bin-edge file per chromosome")
    if token_ids_out is not None and (chroms is None or len(chroms) != len(pattern_paths)):
        raise GenovocabError("token ids need one chromosome name per pattern file")
    indptr, indices, counts, part_indptrs = _stack_pattern_files(pattern_paths)
    vocab, maps = vocab_from_patterns(indptr, indices, counts,
                                      [p.size - 1 for p in part_indptrs])
    del indices
    lengths = []
    active_bp = 0
    for part_indptr, pattern_path, edge_path in zip(part_indptrs, pattern_paths, edge_paths):
        edges = read_bin_edges(edge_path)
        chrom_lengths = np.diff(edges)
        inverse = _load_inverse(pattern_path)
        if chrom_lengths.size != inverse.size:
            raise InputError(pattern_path, f"{inverse.size} bins, but {edge_path} "
                                           f"gives {chrom_lengths.size}")
        nonempty = np.diff(part_indptr) > 0
        active_bp += int(chrom_lengths[nonempty[inverse]].sum()) if nonempty.size else 0
        lengths.append(chrom_lengths)
    all_lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    fit = zipf_fit(vocab.counts)
    summary = {"zipf": fit, "coverage": coverage_stats(all_lengths, vocab, active_bp)}
    write_token_vocab(vocab_out, vocab)
    if vocab_npz_out is not None:
        vocab.save(vocab_npz_out)
    if token_ids_out is not None:
        with atomic_path(token_ids_out, suffix=".npz") as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **dict(zip(chroms, maps)))
    write_json(zipf_out, summary)
    if plot_out is not None:
        plot_zipf(plot_out, vocab.counts, fit)
    return summary


def chromosome_tokens(patterns_path: str | os.PathLike, token_ids_path: str | os.PathLike,
                      chrom: str, *, tokens_out: str | os.PathLike) -> np.ndarray:
    """Workflow step (per chromosome): the token id (int32) of every bin -> ``.npy``, from the
    chromosome's pattern of each bin and its row of ``token_ids.npz``."""
    inverse = _load_inverse(patterns_path)
    try:
        with np.load(token_ids_path, allow_pickle=False) as data:
            ids = data[chrom]
    except KeyError as exc:
        raise InputError(token_ids_path, f"has no token ids for {chrom}") from exc
    except (OSError, ValueError) as exc:
        raise InputError(token_ids_path, f"not a token ids file ({exc})") from exc
    if inverse.size and int(inverse.max()) >= ids.size:
        raise InputError(patterns_path, f"pattern {int(inverse.max())} of {chrom} has no token "
                                        f"id ({token_ids_path} gives {ids.size})")
    tokens = ids[inverse].astype(np.int32)
    write_npy(tokens_out, tokens)
    return tokens


# --------------------------------------------------------------------------- trained vocabulary
#
# Most distinct active-cluster patterns are rare (on the demo most occur once), and a model
# cannot learn an embedding row for a pattern it sees once. The trained vocabulary keeps the
# patterns seen at least ``min_count`` times (at most ``max_vocab`` ids in all), maps every
# other pattern to ``<unk>`` and puts five special tokens first, as tokenizers of language
# models do. Ids: 0..4 = the specials, then the kept patterns in the order of the full
# vocabulary (descending count; ties: fewer active clusters first, then cluster ids).

SPECIAL_TOKENS = ("<pad>", "<unk>", "<cls>", "<sep>", "<mask>")
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(len(SPECIAL_TOKENS))
N_SPECIAL = len(SPECIAL_TOKENS)
VOCAB_COLUMNS = ("id", "token", "count", "fraction", "n_active", "clusters", "motifs")


def pattern_token(pattern: tuple[int, ...]) -> str:
    """Token string of a pattern: ``m3+m17`` (clusters 3 and 17 active); ``m-`` for none."""
    return "+".join(f"m{c}" for c in pattern) if pattern else "m-"


def parse_pattern_token(token: str) -> tuple[int, ...] | None:
    """Inverse of :func:`pattern_token`; ``None`` when ``token`` is not a pattern string."""
    if token == "m-":
        return ()
    parts = token.split("+")
    if not all(p.startswith("m") and p[1:].isdigit() for p in parts):
        return None
    return tuple(int(p[1:]) for p in parts)


@dataclass
class TrainedVocab:
    """The vocabulary a tokenizer uses: specials, then the kept patterns.

    ``counts[i]`` is the number of bins of ``patterns[i]`` (token id ``N_SPECIAL + i``);
    ``unk_count`` bins carry a pattern below the cut (``unk_patterns`` distinct ones).
    """

    patterns: list[tuple[int, ...]]
    counts: np.ndarray
    unk_count: int = 0
    unk_patterns: int = 0
    min_count: int = 5
    max_vocab: int | None = None
    # full-vocabulary id of each kept pattern, when made by train_vocab
    source_ids: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return N_SPECIAL + len(self.patterns)

    def index(self) -> dict[tuple[int, ...], int]:
        """Pattern -> token id (patterns below the cut are absent: they are ``<unk>``)."""
        return {p: N_SPECIAL + i for i, p in enumerate(self.patterns)}

    def tokens(self) -> list[str]:
        """Token strings in id order."""
        return list(SPECIAL_TOKENS) + [pattern_token(p) for p in self.patterns]

    def token_counts(self) -> np.ndarray:
        """Bins per token id (specials 0 except ``<unk>``)."""
        out = np.zeros(len(self), dtype=np.int64)
        out[UNK_ID] = self.unk_count
        out[N_SPECIAL:] = self.counts
        return out


def train_vocab(vocab: TokenVocab, min_count: int = 5, max_vocab: int | None = None
                ) -> TrainedVocab:
    """Keep the patterns of ``vocab`` with count >= ``min_count``, at most ``max_vocab`` ids.

    ``max_vocab`` counts every id, the five specials included (like a language model's
    ``vocab_size``); when it cuts, the most frequent patterns stay. Only the kept patterns are
    ordered and become tuples.
    """
    if min_count < 1:
        raise GenovocabError(f"motifs.tokens.min_count must be >= 1, got {min_count}")
    if max_vocab is not None and max_vocab < N_SPECIAL + 1:
        raise GenovocabError(f"motifs.tokens.max_vocab must be > {N_SPECIAL} (the special "
                             f"tokens take ids 0..{N_SPECIAL - 1}), got {max_vocab}")
    counts = np.asarray(vocab.counts, dtype=np.int64)
    frequent = np.flatnonzero(counts >= min_count)
    keep = frequent[canonical_order(vocab.indptr, vocab.indices, counts[frequent],
                                    which=frequent)]
    if max_vocab is not None:
        keep = keep[:max_vocab - N_SPECIAL]
    kept = np.zeros(len(vocab), dtype=bool)
    kept[keep] = True
    return TrainedVocab([vocab.pattern(int(i)) for i in keep], counts[keep].copy(),
                        unk_count=int(counts[~kept].sum()), unk_patterns=int((~kept).sum()),
                        min_count=int(min_count), max_vocab=max_vocab, source_ids=keep)


def id_lookup(vocab: TokenVocab, trained: TrainedVocab) -> np.ndarray:
    """int32 array: full-vocabulary token id -> trained id (``<unk>`` for cut patterns)."""
    if trained.source_ids is not None:
        lookup = np.full(len(vocab), UNK_ID, dtype=np.int32)
        lookup[trained.source_ids] = N_SPECIAL + np.arange(trained.source_ids.size)
        return lookup
    index = trained.index()
    return np.array([index.get(p, UNK_ID) for p in vocab.patterns], dtype=np.int32)


def cluster_motif_names(clusters: pd.DataFrame) -> list[str]:
    """Per cluster, its members' motif names (unique, in feature order) joined by ``/``.

    ``clusters`` is the ``clusters.tsv`` table (``feature, cluster, matrix_id, name, strand``).
    """
    names: dict[int, list[str]] = {}
    for c, name in zip(clusters["cluster"].astype(int), clusters["name"].astype(str)):
        members = names.setdefault(int(c), [])
        if name not in members:
            members.append(name)
    return ["/".join(names.get(c, [])) for c in range(max(names, default=-1) + 1)]


def trained_vocab_table(trained: TrainedVocab, cluster_names: list[str] | None = None
                        ) -> pd.DataFrame:
    """One row per id: ``id token count fraction n_active clusters motifs``.

    ``clusters`` lists the active cluster ids (``.`` = none), ``motifs`` their motif names
    (``|`` between clusters); both are ``.`` for the specials.
    """
    counts = trained.token_counts()
    total = int(counts.sum())
    clusters = ["."] * N_SPECIAL + [",".join(map(str, p)) if p else "." for p in
                                    trained.patterns]
    if cluster_names is None:
        motifs = ["."] * len(trained)
    else:
        motifs = ["."] * N_SPECIAL + ["|".join(cluster_names[c] for c in p) if p else "."
                                      for p in trained.patterns]
    return pd.DataFrame({
        "id": np.arange(len(trained), dtype=np.int64),
        "token": trained.tokens(),
        "count": counts,
        "fraction": counts / total if total else np.zeros(len(trained)),
        "n_active": [0] * N_SPECIAL + [len(p) for p in trained.patterns],
        "clusters": clusters,
        "motifs": motifs,
    }, columns=list(VOCAB_COLUMNS))


def write_trained_vocab(path: str | os.PathLike, trained: TrainedVocab,
                        cluster_names: list[str] | None = None) -> None:
    """``vocab.tsv`` of a motif tokenizer (see :func:`trained_vocab_table`)."""
    text = trained_vocab_table(trained, cluster_names).to_csv(
        sep="\t", index=False, float_format="%.6g", lineterminator="\n")
    write_text_atomic(path, text)


def read_trained_vocab(path: str | os.PathLike) -> TrainedVocab:
    """Read ``vocab.tsv`` back: ids 0, 1, ... in order, the specials first."""
    table = _read_id_table(path, "motif vocabulary", VOCAB_COLUMNS, "id",
                           {"clusters": str, "token": str, "motifs": str})
    tokens = table["token"].tolist()
    if tuple(tokens[:N_SPECIAL]) != SPECIAL_TOKENS:
        raise InputError(path, f"the first {N_SPECIAL} tokens must be "
                               f"{' '.join(SPECIAL_TOKENS)}", line=2)
    patterns = []
    for row, (token, clusters) in enumerate(zip(tokens[N_SPECIAL:],
                                                table["clusters"].iloc[N_SPECIAL:]),
                                            N_SPECIAL + 2):
        pattern = tuple(int(v) for v in clusters.split(",")) if clusters != "." else ()
        if parse_pattern_token(token) != pattern:
            raise InputError(path, f"token {token!r} does not spell its clusters {clusters!r}",
                             line=row)
        patterns.append(pattern)
    counts = table["count"].to_numpy(dtype=np.int64)
    return TrainedVocab(patterns, counts[N_SPECIAL:].copy(), unk_count=int(counts[UNK_ID]))


def vocab_statistics(vocab: TokenVocab, trained: TrainedVocab) -> dict:
    """Sizes, coverage and the two Zipf fits: over all patterns and over the kept ones."""
    total = int(np.asarray(vocab.counts).sum())
    return {
        "min_count": trained.min_count,
        "max_vocab": trained.max_vocab,
        "n_patterns": len(vocab),
        "vocab_size": len(trained),
        "n_kept_patterns": len(trained.patterns),
        "n_unk_patterns": trained.unk_patterns,
        "n_bins": total,
        "unk_bins": trained.unk_count,
        "fraction_bins_unk": trained.unk_count / total if total else float("nan"),
        "fraction_patterns_once": float(np.mean(np.asarray(vocab.counts) == 1))
        if len(vocab) else float("nan"),
        "zipf_all": zipf_fit(vocab.counts),
        "zipf_kept": zipf_fit(trained.counts),
    }


# --------------------------------------------------------------------------- tokenizer plots


def plot_zipf_kept(path: str | os.PathLike, all_counts: np.ndarray, kept_counts: np.ndarray,
                   stats: dict) -> None:
    """PNG: rank-frequency of all patterns and of the kept vocabulary, with both Zipf r."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for counts, key, label in ((all_counts, "zipf_all", "all patterns"),
                               (kept_counts, "zipf_kept", "kept vocabulary")):
        freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
        if freq.size == 0:
            continue
        ranks, shown = _plotted(freq)
        fit = stats.get(key, {})
        r = fit.get("pearson_r")
        text = f"{label} ({freq.size}; r = {r:.3f})" if r is not None and math.isfinite(r) \
            else f"{label} ({freq.size})"
        ax.loglog(ranks, shown, ".", markersize=3, label=text)
        slope = fit.get("slope")
        if slope is not None and math.isfinite(slope):
            ax.loglog(ranks, 10 ** (fit["intercept"] + slope * np.log10(ranks)), "-",
                      linewidth=0.8, color="0.3")
    ax.axhline(stats.get("min_count", 1), color="0.6", linestyle=":", linewidth=0.8,
               label=f"min_count = {stats.get('min_count')}")
    ax.set_xlabel("rank")
    ax.set_ylabel("bins")
    ax.set_title("Motif tokens: Zipf rank-frequency")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _savefig(fig, path)


def dominant_family(cluster_names: list[str], values: sp.csr_matrix) -> list[str]:
    """Per row, the first motif name of the cluster with the largest value (``none``: none)."""
    csr = sp.csr_matrix(values)
    out = []
    for i in range(csr.shape[0]):
        lo, hi = csr.indptr[i], csr.indptr[i + 1]
        if hi == lo:
            out.append("none")
            continue
        c = int(csr.indices[lo + int(np.argmax(csr.data[lo:hi]))])
        out.append(cluster_names[c].split("/")[0] if cluster_names[c] else f"m{c}")
    return out


def token_map_points(ids: np.ndarray, nonzero: np.ndarray, frequent: np.ndarray,
                     max_points: int = 5000, seed: int = 0) -> np.ndarray:
    """Rows to draw: bins whose token id is in ``frequent`` and whose cluster vector is not
    zero (``nonzero``), a seeded subsample of at most ``max_points`` (sorted)."""
    rows = np.flatnonzero(np.isin(ids, frequent) & nonzero)
    if rows.size > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_points, replace=False))
    return rows


def plot_token_map(path: str | os.PathLike, values: sp.csr_matrix, families: list[str],
                   title: str = "Motif token map", n_families: int = 10) -> np.ndarray:
    """PNG: PCA (2 components, scikit-learn) of log1p cluster vectors, coloured by the
    dominant cluster's motif family.

    The ``n_families`` most frequent families get a colour, the rest are ``other``. Returns the
    two components (n x 2).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    # log1p tames the CpG feature, whose bin values count dinucleotides (not capped at 1)
    dense = np.log1p(sp.csr_matrix(values).toarray().astype(np.float64))
    fig, ax = plt.subplots(figsize=(7, 5.5))
    coords = np.zeros((dense.shape[0], 2))
    if dense.shape[0] >= 3 and dense.shape[1] >= 2:
        coords = PCA(n_components=2, svd_solver="full").fit_transform(dense)
    names, counts = np.unique(np.array(families, dtype=object), return_counts=True)
    order = sorted(zip(names.tolist(), counts.tolist()), key=lambda kv: (-kv[1], kv[0]))
    top = [n for n, _ in order[:n_families]]
    labels = np.array([f if f in top else "other" for f in families], dtype=object)
    cmap = plt.get_cmap("tab10")
    for k, name in enumerate(top + (["other"] if np.any(labels == "other") else [])):
        sel = labels == name
        colour = cmap(k % 10) if name != "other" else (0.75, 0.75, 0.75, 1.0)
        ax.scatter(coords[sel, 0], coords[sel, 1], s=4, color=colour, label=f"{name} "
                   f"({int(sel.sum())})", linewidths=0)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(f"{title} ({dense.shape[0]} bins of frequent tokens)")
    ax.legend(fontsize=7, markerscale=3, loc="best", title="dominant cluster's motif",
              title_fontsize=7)
    fig.tight_layout()
    _savefig(fig, path)
    return coords
