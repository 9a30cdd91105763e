"""Active-cluster patterns: cluster features per bin and their distinct, exact patterns.

After clustering (``clustering.py``) every bin is described by one value per motif cluster: the
mean of its member feature columns (a bin x cluster CSR matrix, float32). A cluster is *active*
in a bin when its value is ``>= threshold`` (default 0.5); a bin's *pattern* is its active
clusters **ordered by value, strongest first** (ties: lower cluster id first), so that dropping
a pattern's last ids drops its weakest clusters (the back-off of ``vocabulary.py``).

Per chromosome the distinct patterns are found exactly and vectorised: rows are grouped by
(active count, two 64-bit random-weight hashes of (position, cluster) pairs) and every row is
then compared element by element with its group's first row, so a hash collision can never
merge two patterns silently. The same grouping merges the blocks of a chromosome
(:class:`PatternMerger`, written as it goes) and small sets of patterns into the full pattern
vocabulary (:func:`build_vocab_ids`, for tests and diagnostics: it holds every distinct
pattern; the genome-wide jobs use ``vocabulary.py`` and ``pattern_counts.py``). Patterns are
arrays (offsets + int32 cluster ids), never one Python tuple each.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_path

TOKEN_COLUMNS = ("token", "count", "fraction", "n_active", "clusters")
_HASH_SEED = 20250601


def membership(labels: np.ndarray) -> sp.csr_matrix:
    """d x C averaging matrix: column c holds ``1/|c|`` at the members of cluster ``c``."""
    labels = np.asarray(labels, dtype=np.int64)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    sizes = np.bincount(labels, minlength=n_clusters)
    data = 1.0 / sizes[labels]
    return sp.csr_matrix((data, (np.arange(labels.size), labels)), shape=(labels.size, n_clusters))


def cluster_features(X, labels: np.ndarray) -> sp.csr_matrix:
    """Bin x cluster matrix (CSR float32): each value is the mean of the member columns.

    Computed in float64 and rounded once to float32.
    """
    labels = np.asarray(labels)
    if X.shape[1] != labels.size:
        raise GenovocabError(
            f"feature matrix has {X.shape[1]} columns but {labels.size} "
            "features have cluster labels"
        )
    product = sp.csr_matrix(sp.csr_matrix(X, dtype=np.float64) @ membership(labels))
    product.eliminate_zeros()
    product.sort_indices()
    return sp.csr_matrix(product.astype(np.float32))


@dataclass
class Patterns:
    """Distinct active-cluster patterns of one matrix: CSR-like pattern list, counts, and the
    pattern index of every row."""

    indptr: np.ndarray  # int64, len = n_patterns + 1
    indices: np.ndarray  # int32 cluster ids, strongest first within a pattern
    counts: np.ndarray  # int64 rows per pattern
    inverse: np.ndarray  # int64 pattern of each row

    def __len__(self) -> int:
        return int(self.counts.size)

    def pattern(self, i: int) -> tuple[int, ...]:
        """Cluster ids of pattern ``i``."""
        return tuple(self.indices[self.indptr[i] : self.indptr[i + 1]].tolist())

    def save(self, path: str | os.PathLike) -> None:
        """Write to ``.npz`` atomically."""
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as handle:
                np.savez(
                    handle,
                    indptr=self.indptr,
                    indices=self.indices,
                    counts=self.counts,
                    inverse=self.inverse,
                )

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
    return (
        rng.integers(0, top, size=n, dtype=np.uint64, endpoint=True),
        rng.integers(0, top, size=n, dtype=np.uint64, endpoint=True),
    )


def _pattern_hashes(
    indices: np.ndarray, indptr: np.ndarray, weights: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes of every row's cluster ids (CSR-like layout): the sums of
    ``weight[id] * (2 * position + 1)`` (wrapping), so the order counts; 65,536 rows at a time
    (the weights of every id are 8 B temporaries)."""
    n = indptr.size - 1
    h1, h2 = np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, n, 1 << 16):
            hi = min(n, lo + (1 << 16))
            ids = indices[indptr[lo] : indptr[hi]]
            local = indptr[lo : hi + 1] - indptr[lo]
            sizes = np.diff(local)
            odd = (
                2 * (np.arange(ids.size, dtype=np.int64) - np.repeat(local[:-1], sizes)) + 1
            ).astype(np.uint64)
            h1[lo:hi] = _row_sums(weights[0][ids] * odd, local)
            h2[lo:hi] = _row_sums(weights[1][ids] * odd, local)
    return h1, h2


def active_patterns(features: sp.csr_matrix, threshold: float = 0.5) -> Patterns:
    """Distinct patterns (clusters with value ``>= threshold``, strongest first; ties: lower
    cluster id first) of the rows of a bin x cluster matrix, exactly."""
    if not threshold > 0:
        raise GenovocabError(
            f"token threshold must be > 0 (zero would activate every "
            f"cluster in every bin), got {threshold}"
        )
    csr = sp.csr_matrix(features)
    csr.sort_indices()
    n_rows, n_clusters = csr.shape
    keep = csr.data >= threshold
    kept = np.zeros(csr.nnz + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    row_nnz = kept[csr.indptr[1:]] - kept[csr.indptr[:-1]]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(row_nnz, out=indptr[1:])
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), row_nnz)
    order = np.lexsort((csr.indices[keep], -csr.data[keep], rows))  # strongest first per row
    indices = csr.indices[keep][order].astype(np.int64)
    h1, h2 = _pattern_hashes(indices, indptr, _hash_weights(max(n_clusters, 1)))
    keys = np.stack([row_nnz.astype(np.uint64), h1, h2], axis=1)
    _, first, inverse, counts = np.unique(
        keys, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    inverse = inverse.ravel().astype(np.int64)
    # Exact check: each row's cluster ids equal those of its group's first row.
    rep = first[inverse]
    rep_pos = np.repeat(indptr[rep], row_nnz) + (
        np.arange(indices.size) - np.repeat(indptr[:-1], row_nnz)
    )
    if not np.array_equal(indices[rep_pos], indices):
        raise GenovocabError("hash collision between two token patterns (please report)")
    p_nnz = row_nnz[first]
    p_indptr = np.zeros(first.size + 1, dtype=np.int64)
    np.cumsum(p_nnz, out=p_indptr[1:])
    p_pos = np.repeat(indptr[first], p_nnz) + (
        np.arange(int(p_nnz.sum())) - np.repeat(p_indptr[:-1], p_nnz)
    )
    return Patterns(p_indptr, indices[p_pos].astype(np.int32), counts.astype(np.int64), inverse)


class _Growing:
    """A 1-D array with amortised appends (capacity doubles)."""

    def __init__(self, dtype: np.dtype) -> None:
        self._buffer = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + values.size
        if end > self._buffer.size:
            grown = np.zeros(max(end, 2 * self._buffer.size), dtype=self._buffer.dtype)
            grown[: self.size] = self._buffer[: self.size]
            self._buffer = grown
        self._buffer[self.size : end] = values
        self.size = end

    @property
    def values(self) -> np.ndarray:
        return self._buffer[: self.size]


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
        self._offsets.extend(
            self._spill.length + np.concatenate(([0], np.cumsum(new_sizes)[:-1])).astype(np.int64)
            if new.size
            else new_sizes
        )
        self._sizes.extend(new_sizes)
        self._h2.extend(h2[new])
        self._spill.append(part.indices[_ranges(part.indptr[new], new_sizes)])
        order = np.argsort(h1[new], kind="stable")
        where = np.searchsorted(self._sorted_h1, h1[new][order])
        self._sorted_h1 = np.insert(self._sorted_h1, where, h1[new][order])
        self._sorted_ids = np.insert(self._sorted_ids, where, ids[new][order])
        self._inverse.append(ids[part.inverse])

    def _check_same(
        self, part: Patterns, rows: np.ndarray, ids: np.ndarray, sizes: np.ndarray, h2: np.ndarray
    ) -> None:
        """Raise unless the block's patterns ``rows`` equal the stored patterns ``ids``."""
        same = (self._sizes.values[ids] == sizes[rows]) & (self._h2.values[ids] == h2[rows])
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
        inverse = np.concatenate(self._inverse) if self._inverse else np.zeros(0, dtype=np.int64)
        write_npz(
            path,
            [
                ("indptr", indptr),
                ("indices", spill_path),
                ("counts", self._counts.values.copy()),
                ("inverse", inverse),
            ],
        )


def _gather(
    indptr: np.ndarray, indices: np.ndarray, which: np.ndarray, chunk: int = 1 << 16
) -> np.ndarray:
    """The cluster ids of patterns ``which`` (of ``indptr``/``indices``), concatenated;
    ``chunk`` patterns at a time, so only the output is as large as the ids."""
    sizes = indptr[which + 1] - indptr[which]
    out = np.empty(int(sizes.sum()), dtype=indices.dtype)
    pos = 0
    for lo in range(0, which.size, chunk):
        part = _ranges(indptr[which[lo : lo + chunk]], sizes[lo : lo + chunk])
        out[pos : pos + part.size] = indices[part]
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
    indices: np.ndarray  # int32 cluster ids, strongest first within a pattern
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
        return tuple(self.indices[self.indptr[i] : self.indptr[i + 1]].tolist())

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
        return pd.DataFrame(
            {
                "token": np.arange(lo, hi, dtype=np.int64),
                "count": counts,
                "fraction": counts / total if total else np.zeros(hi - lo),
                "n_active": self.sizes[lo:hi],
                "clusters": _cluster_strings(self.indptr[lo : hi + 1], self.indices),
            },
            columns=list(TOKEN_COLUMNS),
        )

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
    top = int(indices[indptr[0] : indptr[-1]].max()) + 1 if indptr[-1] > indptr[0] else 0
    names = np.array([str(c) for c in range(top)], dtype=object)
    words = names[indices[indptr[0] : indptr[-1]]]
    offsets = (indptr - indptr[0]).tolist()
    return [",".join(words[a:b]) if b > a else "." for a, b in zip(offsets[:-1], offsets[1:])]


def canonical_order(
    indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray, which: np.ndarray | None = None
) -> np.ndarray:
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


def _check_equal_to(
    indices: np.ndarray, indptr: np.ndarray, rep: np.ndarray, chunk: int = 1 << 16
) -> None:
    """Raise unless every pattern ``i`` has the cluster ids of pattern ``rep[i]`` (checked
    ``chunk`` patterns at a time, so the position arrays stay small)."""
    sizes = np.diff(indptr)
    for lo in range(0, sizes.size, chunk):
        hi = min(sizes.size, lo + chunk)
        got = indices[_ranges(indptr[rep[lo:hi]], sizes[lo:hi])]
        if not np.array_equal(got, indices[indptr[lo] : indptr[hi]]):
            raise GenovocabError("hash collision between two token patterns (please report)")


def build_vocab_ids(parts: list[Patterns]) -> tuple[TokenVocab, list[np.ndarray]]:
    """Merge per-chromosome patterns into the token vocabulary (ids: :func:`canonical_order`),
    and give each part's pattern -> token id map (int32)."""
    sizes = np.concatenate([np.diff(p.indptr) for p in parts] or [np.zeros(0, np.int64)])
    indptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    return vocab_from_patterns(
        indptr,
        np.concatenate([p.indices for p in parts] or [np.zeros(0, np.int32)]),
        np.concatenate([p.counts for p in parts] or [np.zeros(0, np.int64)]),
        [len(p) for p in parts],
    )


def vocab_from_patterns(
    indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray, part_sizes: Sequence[int]
) -> tuple[TokenVocab, list[np.ndarray]]:
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
        maps.append(token_of_group[group[lo : lo + size]].astype(np.int32))
        lo += size
    return vocab, maps


def build_vocab(parts: list[Patterns]) -> TokenVocab:
    """Merge per-chromosome patterns; ids by descending count, then fewer active clusters,
    then cluster ids ascending."""
    return build_vocab_ids(parts)[0]


def tokens_for(part: Patterns, vocab_index: dict[tuple[int, ...], int]) -> np.ndarray:
    """Token id (int32) of every row of one chromosome."""
    try:
        local = np.array([vocab_index[part.pattern(i)] for i in range(len(part))], dtype=np.int32)
    except KeyError as exc:
        raise GenovocabError(f"pattern {exc.args[0]} is not in the token vocabulary") from exc
    return local[part.inverse] if len(part) else np.zeros(0, dtype=np.int32)


def write_token_vocab(
    path: str | os.PathLike, vocab: TokenVocab, chunk_rows: int = 1 << 17
) -> None:
    """``token_vocab.tsv``: header + one row per token, written ``chunk_rows`` at a time (a
    chunk's strings and its text take ~10x its ids)."""
    total = int(vocab.counts.sum())
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for lo in range(0, max(len(vocab), 1), chunk_rows):
            hi = min(len(vocab), lo + chunk_rows)
            handle.write(
                vocab._table(lo, hi, total).to_csv(
                    sep="\t", index=False, header=lo == 0, float_format="%.6g", lineterminator="\n"
                )
            )


def _read_id_table(
    path: str | os.PathLike,
    what: str,
    columns: Sequence[str],
    id_column: str,
    dtype: dict[str, type],
) -> pd.DataFrame:
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
    patterns = [tuple(int(v) for v in s.split(",")) if s != "." else () for s in table["clusters"]]
    return TokenVocab.from_patterns(patterns, table["count"].to_numpy(dtype=np.int64))


def coverage_stats(bin_lengths: np.ndarray, vocab: TokenVocab, active_lengths: float) -> dict:
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
        if n_bins
        else float("nan"),
        "fraction_bp_with_active_cluster": float(active_lengths) / total_bp
        if total_bp
        else float("nan"),
        "mean_active_clusters_per_bin": float((n_active * vocab.counts).sum()) / n_bins
        if n_bins
        else float("nan"),
        "n_tokens": len(vocab),
    }
