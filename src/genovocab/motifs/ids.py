"""InterDependence Scores (IDS) between motif features, exact and streaming.

IDS (Radhakrishnan et al., PNAS 2025) measures non-linear dependence between
two variables with a few fixed kernel features: each column ``x`` is expanded into

    phi_k(x) = exp(-B x^2) x^k / sqrt(k!),   k = 0 .. K-1   (K = ``terms``, B = ``bandwidth``)

and IDS(i, j) aggregates the Pearson correlations ``|corr(phi_k(x_i), phi_l(x_j))|`` over all
``k, l``: their maximum (``norm="max"``), root mean square (``"2"``) or mean (``"1"``).

Pearson correlation only needs the Gram matrix ``S = sum P^T P``, the column sums ``s`` and the
row count ``n`` of the transformed matrix ``P`` (``K*d`` columns, column ``k*d + j`` is
``phi_k`` of feature ``j``). They are additive over rows, so every chromosome (or chunk) is
accumulated on its own and the partial sums are added: the result is exact, whatever the
chunking. Correlation is invariant to shifting a column, so ``phi_0`` is stored as
``phi_0 - 1``: then ``x = 0`` maps to 0 in every column, a sparse chunk stays sparse with the
same pattern, and all-zero rows only count towards ``n``. Accumulation is float64.

Memory is O((K d)^2 + chunk): the chunk is processed in slices of bounded size (sparse product
when the slice is sparse enough, dense BLAS product otherwise, whichever the cost model says is
cheaper). ``backend="torch"`` does the same float64 accumulation with PyTorch (dense products,
on the GPU when one is visible); it agrees with the numpy path to rounding (tested to 1e-6).

Conventions (where the definition is silent): a feature whose column has zero variance has IDS 0
with every feature, itself included; every other feature has IDS 1 with itself, in all norms. A
single transformed column with zero variance (``phi_0`` of a column taking values ``+-a``)
contributes correlation 0.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk

from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_path

NORMS = ("max", "2", "1")
BACKENDS = ("numpy", "torch")
FORMAT_VERSION = 2

# Cost model for choosing the product of one slice: a dense BLAS product of ``r`` rows costs
# about ``r * (K d)^2`` multiply-adds and runs ~300x faster per multiply-add than scipy's sparse
# product, which costs ``K^2 * sum(nnz per row ^ 2)`` (measured on a 2-core machine).
_DENSE_SPEEDUP = 300.0
# Default slice size: about 64 MiB of dense float64 transformed rows.
_SLICE_ELEMENTS = 1 << 23


def _check_params(terms: int, bandwidth: float) -> None:
    if int(terms) != terms or terms < 1:
        raise GenovocabError(f"IDS terms must be a positive integer, got {terms!r}")
    if not (bandwidth > 0 and math.isfinite(bandwidth)):
        raise GenovocabError(f"IDS bandwidth must be a positive number, got {bandwidth!r}")


def _check_norm(norm: str) -> str:
    norm = str(norm)
    if norm not in NORMS:
        raise GenovocabError(f"IDS norm must be one of {', '.join(NORMS)}, got {norm!r}")
    return norm


def transform_values(values: np.ndarray, terms: int, bandwidth: float) -> np.ndarray:
    """The shifted kernel features of ``values``: shape ``(terms,) + values.shape``, float64.

    Row ``k`` is ``exp(-B x^2) x^k / sqrt(k!)``, except row 0 which is ``exp(-B x^2) - 1`` (the
    shift that maps 0 to 0; it leaves every correlation unchanged).
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.empty((terms,) + x.shape, dtype=np.float64)
    g = np.exp(-bandwidth * x * x)
    out[0] = g - 1.0  # exact for x = 0; expm1 would differ from the reference only in rounding
    power = g
    for k in range(1, terms):
        power = power * x
        out[k] = power / math.sqrt(math.factorial(k))
    return out


def transform(chunk, terms: int = 6, bandwidth: float = 0.5):
    """Transformed matrix ``P`` (n x K*d, column ``k*d + j``) of a dense or sparse chunk.

    Sparse input gives CSR output with the same row pattern repeated ``K`` times; dense input
    gives a C-ordered float64 array.
    """
    if sp.issparse(chunk):
        csr = sp.csr_matrix(chunk)
        n, d = csr.shape
        nnz_row = np.diff(csr.indptr)
        vals = transform_values(csr.data, terms, bandwidth)  # (K, nnz)
        # Interleave per row: row r holds block k = 0..K-1 of its nonzeros, columns k*d + j.
        row_of = np.repeat(np.arange(n), nnz_row)
        start = np.repeat(csr.indptr[:-1], nnz_row)
        pos_in_row = np.arange(csr.nnz) - start
        new_indptr = csr.indptr * terms
        dest = (
            new_indptr[:-1][row_of][None, :]
            + np.arange(terms)[:, None] * nnz_row[row_of]
            + pos_in_row[None, :]
        )
        data = np.empty(csr.nnz * terms, dtype=np.float64)
        indices = np.empty(csr.nnz * terms, dtype=np.int64)
        data[dest.ravel()] = vals.ravel()
        indices[dest.ravel()] = (np.arange(terms)[:, None] * d + csr.indices[None, :]).ravel()
        return sp.csr_matrix((data, indices, new_indptr), shape=(n, terms * d))
    x = np.asarray(chunk, dtype=np.float64)
    if x.ndim != 2:
        raise GenovocabError(f"IDS input must be a 2-D matrix, got shape {x.shape}")
    n, d = x.shape
    out = np.empty((n, terms * d), dtype=np.float64)
    g = np.exp(-bandwidth * x * x)
    np.subtract(g, 1.0, out=out[:, :d])
    power = g
    for k in range(1, terms):
        np.multiply(power, x, out=power)
        np.multiply(power, 1.0 / math.sqrt(math.factorial(k)), out=out[:, k * d : (k + 1) * d])
    return out


def _aggregate(corr_abs_block, terms: int, d: int, norm: str) -> np.ndarray:
    """Aggregate |corr| (K*d x K*d, k-major) over the K x K (k, l) pairs of every feature pair."""
    out = np.zeros((d, d), dtype=np.float64)
    for k in range(terms):
        rows = corr_abs_block[k * d : (k + 1) * d]
        for l_ in range(terms):
            block = rows[:, l_ * d : (l_ + 1) * d]
            if norm == "max":
                np.maximum(out, block, out=out)
            elif norm == "2":
                out += block * block
            else:
                out += block
    if norm == "2":
        out = np.sqrt(out / (terms * terms))
    elif norm == "1":
        out /= terms * terms
    return out


class _TorchSums:
    """Gram matrix and column sums accumulated with torch (float64; GPU when present)."""

    def __init__(self, width: int, device: str | None):
        try:
            import torch
        except ImportError as exc:
            raise GenovocabError("IDS backend 'torch' needs PyTorch (pip install torch)") from exc
        self.torch = torch
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.S = torch.zeros((width, width), dtype=torch.float64, device=self.device)
        self.s = torch.zeros(width, dtype=torch.float64, device=self.device)

    def add(self, x: np.ndarray, terms: int, bandwidth: float) -> None:
        """Transform the dense rows ``x`` on the device (same shift as numpy) and add them."""
        torch = self.torch
        xt = torch.from_numpy(x).to(self.device)
        xt = xt[(xt != 0).any(dim=1)]
        if xt.shape[0] == 0:
            return
        g = torch.exp(-bandwidth * xt * xt)
        blocks = [g - 1.0]
        power = g
        for k in range(1, terms):
            power = power * xt
            blocks.append(power * (1.0 / math.sqrt(math.factorial(k))))
        p = torch.cat(blocks, dim=1)
        self.s += p.sum(dim=0)
        self.S.addmm_(p.T, p)

    def flush_into(self, S: np.ndarray, s: np.ndarray) -> None:
        """Add the device sums into ``S`` and ``s`` and reset them."""
        S += self.S.cpu().numpy()
        s += self.s.cpu().numpy()
        self.S.zero_()
        self.s.zero_()


class IDSAccumulator:
    """Streaming exact IDS: add chunks of rows (or other accumulators), then ask for the matrix.

    ``update`` accepts dense arrays or scipy sparse matrices with ``d`` columns; ``merge`` adds
    another accumulator's sums (same ``d``, ``terms``, ``bandwidth``); ``save``/``load`` keep
    the partial sums in an ``.npz`` file; ``result(norm)`` gives the d x d IDS matrix.
    """

    def __init__(
        self,
        d: int,
        terms: int = 6,
        bandwidth: float = 0.5,
        slice_rows: int | None = None,
        *,
        backend: str = "numpy",
        device: str | None = None,
    ):
        _check_params(terms, bandwidth)
        if int(d) != d or d < 1:
            raise GenovocabError(f"IDS needs at least one feature column, got d={d!r}")
        self.d = int(d)
        self.terms = int(terms)
        self.bandwidth = float(bandwidth)
        width = self.terms * self.d
        self.slice_rows = int(slice_rows) if slice_rows else max(1, _SLICE_ELEMENTS // width)
        self.n = 0
        self.s = np.zeros(width, dtype=np.float64)
        self._gram = np.zeros((width, width), dtype=np.float64)
        self._lower_stale = False  # the dense path updates the upper triangle only
        if backend not in BACKENDS:
            raise GenovocabError(
                f"IDS backend must be one of {', '.join(BACKENDS)}, got {backend!r}"
            )
        self.backend = backend
        self._torch = None
        if backend == "torch":
            self._torch = _TorchSums(width, device)

    def _flush(self) -> None:
        """Move sums held by the torch backend into the float64 numpy arrays."""
        if self._torch is not None:
            self._torch.flush_into(self._gram, self.s)

    @property
    def S(self) -> np.ndarray:
        """The transformed Gram matrix ``sum P^T P`` (``terms * d`` square, symmetric)."""
        self._flush()
        if self._lower_stale:
            _mirror_upper(self._gram)
            self._lower_stale = False
        return self._gram

    @S.setter
    def S(self, value: np.ndarray) -> None:
        self._gram = value
        self._lower_stale = False

    @property
    def width(self) -> int:
        """Number of transformed columns, ``terms * d``."""
        return self.terms * self.d

    def update(self, chunk) -> IDSAccumulator:
        """Add the rows of ``chunk`` (n x d, dense or sparse) to the sums; returns ``self``."""
        if chunk.ndim != 2 or chunk.shape[1] != self.d:
            raise GenovocabError(f"IDS chunk has shape {chunk.shape}, expected (rows, {self.d})")
        if self._torch is not None:
            for lo in range(0, chunk.shape[0], self.slice_rows):
                part = chunk[lo : lo + self.slice_rows]
                x = part.toarray() if sp.issparse(part) else np.asarray(part)
                x = np.asarray(x, dtype=np.float64)
                if not np.all(np.isfinite(x)):
                    raise GenovocabError("IDS input holds NaN or infinite values")
                self.n += x.shape[0]
                self._torch.add(x, self.terms, self.bandwidth)
            return self
        if sp.issparse(chunk):
            csr = sp.csr_matrix(chunk, dtype=np.float64, copy=True)
            csr.eliminate_zeros()
            csr.sort_indices()
            if csr.nnz and not np.all(np.isfinite(csr.data)):
                raise GenovocabError("IDS input holds NaN or infinite values")
            # Slices of bounded transformed size: about _SLICE_ELEMENTS stored values each.
            budget = max(1, _SLICE_ELEMENTS // self.terms)
            n_rows = csr.shape[0]
            lo = 0
            while lo < n_rows:
                hi = int(np.searchsorted(csr.indptr, csr.indptr[lo] + budget, side="right")) - 1
                hi = min(n_rows, max(hi, lo + 1))
                self._update_sparse(csr[lo:hi])
                lo = hi
        else:
            x = np.asarray(chunk, dtype=np.float64)
            if not np.all(np.isfinite(x)):
                raise GenovocabError("IDS input holds NaN or infinite values")
            for lo in range(0, x.shape[0], self.slice_rows):
                self._update_dense(x[lo : lo + self.slice_rows])
        return self

    def _update_sparse(self, csr: sp.csr_matrix) -> None:
        self.n += csr.shape[0]
        nnz_row = np.diff(csr.indptr)
        keep = nnz_row > 0
        if not keep.any():
            return  # all-zero rows map to all-zero transformed rows
        if not keep.all():
            csr = csr[keep]
            nnz_row = nnz_row[keep]
        rows = csr.shape[0]
        sparse_cost = self.terms**2 * float(np.dot(nnz_row, nnz_row)) * _DENSE_SPEEDUP
        dense_cost = rows * float(self.width) ** 2
        if sparse_cost < dense_cost:
            # One sparse product per pair k <= l of transformed blocks (each d x d): cheaper
            # than one product of the whole K*d-column matrix, and it uses the symmetry.
            d = self.d
            vals = transform_values(csr.data, self.terms, self.bandwidth)
            blocks = [
                sp.csr_matrix((vals[k], csr.indices, csr.indptr), shape=csr.shape)
                for k in range(self.terms)
            ]
            transposed = [b.T.tocsr() for b in blocks]
            for k in range(self.terms):
                self.s[k * d : (k + 1) * d] += np.bincount(
                    csr.indices, weights=vals[k], minlength=d
                )
                for l_ in range(k, self.terms):
                    gram = (transposed[k] @ blocks[l_]).toarray()
                    self._gram[k * d : (k + 1) * d, l_ * d : (l_ + 1) * d] += gram
                    if l_ != k:
                        self._gram[l_ * d : (l_ + 1) * d, k * d : (k + 1) * d] += gram.T
        else:
            for lo in range(0, rows, self.slice_rows):
                part = csr[lo : lo + self.slice_rows].toarray()
                self._add_dense(transform(part, self.terms, self.bandwidth))

    def _update_dense(self, x: np.ndarray) -> None:
        self.n += x.shape[0]
        nonzero = np.any(x != 0, axis=1)
        if not nonzero.any():
            return
        if not nonzero.all():
            x = x[nonzero]
        self._add_dense(transform(x, self.terms, self.bandwidth))

    def _add_dense(self, p: np.ndarray) -> None:
        self.s += p.sum(axis=0)
        # Symmetric rank-k update of the upper triangle in place: half the multiply-adds of
        # p.T @ p and no (K d)^2 temporary. Fortran views of both: BLAS copies neither.
        # _gram.T's lower triangle is _gram's upper one.
        dsyrk(1.0, p.T, beta=1.0, c=self._gram.T, trans=0, lower=1, overwrite_c=1)
        self._lower_stale = True

    def merge(self, other: IDSAccumulator) -> IDSAccumulator:
        """Add another accumulator's partial sums (same shape and parameters); returns ``self``."""
        if (other.d, other.terms, other.bandwidth) != (self.d, self.terms, self.bandwidth):
            raise GenovocabError(
                "cannot merge IDS partial sums with different parameters: "
                f"(d, terms, bandwidth) = {(self.d, self.terms, self.bandwidth)} vs "
                f"{(other.d, other.terms, other.bandwidth)}"
            )
        self._flush()
        other._flush()
        self.n += other.n
        self.s += other.s
        self._gram += other._gram  # upper triangles add up; the lower is mirrored on read
        self._lower_stale = self._lower_stale or other._lower_stale
        return self

    def save(self, path: str | os.PathLike) -> None:
        """Write the partial sums to ``path`` (``.npz``, uncompressed, atomically)."""
        self._flush()
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as handle:
                np.savez(
                    handle,
                    format_version=np.int64(FORMAT_VERSION),
                    d=np.int64(self.d),
                    terms=np.int64(self.terms),
                    bandwidth=np.float64(self.bandwidth),
                    n=np.int64(self.n),
                    s=self.s,
                    S_upper=upper_triangle(self._gram),
                )

    @classmethod
    def load(cls, path: str | os.PathLike) -> IDSAccumulator:
        """Read partial sums written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                if version != FORMAT_VERSION:
                    raise InputError(path, f"unsupported IDS partial-sum format {version}")
                acc = cls(int(data["d"]), int(data["terms"]), float(data["bandwidth"]))
                acc.n = int(data["n"])
                s, upper = data["s"], data["S_upper"]
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(path, f"not an IDS partial-sum file ({exc})") from exc
        w = acc.width
        if s.shape != acc.s.shape or upper.shape != (w * (w + 1) // 2,):
            raise InputError(
                path,
                f"IDS partial sums have shapes {s.shape}, {upper.shape}; "
                f"expected {acc.s.shape}, ({w * (w + 1) // 2},)",
            )
        acc.s = s.astype(np.float64, copy=False)
        acc.S = symmetric_from_upper(upper.astype(np.float64, copy=False), w)
        return acc

    def correlation(self) -> tuple[np.ndarray, np.ndarray]:
        """|Pearson correlation| of the transformed columns (K*d square) and the per-column
        zero-variance mask; zero-variance columns have correlation 0."""
        self._flush()
        if self.n < 2:
            raise GenovocabError(f"IDS needs at least 2 rows, got {self.n}")
        mean = self.s / self.n
        cov = self.S / self.n
        step = max(1, _SLICE_ELEMENTS // self.width)
        for a in range(0, self.width, step):  # in row blocks: no second (K d)^2 temporary
            cov[a : a + step] -= np.outer(mean[a : a + step], mean)
        var = np.diag(cov).copy()
        # Zero variance up to rounding of the sums: relative to the raw second moment.
        second = np.diag(self.S) / self.n
        zero = var <= 1e-12 * np.maximum(second, np.finfo(float).tiny)
        scale = np.where(zero, 0.0, 1.0 / np.sqrt(np.where(zero, 1.0, var)))
        cov *= scale[:, None]
        cov *= scale[None, :]
        np.abs(cov, out=cov)
        np.minimum(cov, 1.0, out=cov)
        return cov, zero

    def result(self, norm: str = "max") -> np.ndarray:
        """The d x d IDS matrix (float64, symmetric) under ``norm`` (``max``, ``2`` or ``1``)."""
        norm = _check_norm(norm)
        corr, zero_cols = self.correlation()
        out = _aggregate(corr, self.terms, self.d, norm)
        del corr
        zero_feature = zero_cols.reshape(self.terms, self.d).all(axis=0)
        out = 0.5 * (out + out.T)  # exact symmetry
        np.fill_diagonal(out, 1.0)
        out[zero_feature, :] = 0.0
        out[:, zero_feature] = 0.0
        return out


def ids(
    X,
    terms: int = 6,
    bandwidth: float = 0.5,
    norm: str = "max",
    *,
    backend: str = "numpy",
    device: str | None = None,
) -> np.ndarray:
    """IDS matrix (d x d, float64) of the columns of an in-memory matrix (dense or sparse).

    ``backend="torch"`` accumulates with PyTorch on ``device`` (default: CUDA when present).
    """
    norm = _check_norm(norm)
    acc = IDSAccumulator(X.shape[1], terms, bandwidth, backend=backend, device=device)
    acc.update(X)
    return acc.result(norm)


def allocate_sample(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """How many rows to draw from each part so that the parts together give ``size`` rows.

    Proportional to ``counts`` with the largest-remainder rule (ties by the parts' order), so
    the total is exactly ``min(size, sum(counts))`` and the split is deterministic.
    """
    names = list(counts)
    total = int(sum(int(counts[k]) for k in names))
    if size < 0:
        raise GenovocabError(f"sample size must be >= 0, got {size}")
    if size >= total:
        return {k: int(counts[k]) for k in names}
    quota = np.array([int(counts[k]) for k in names], dtype=np.float64) * size / total
    base = np.floor(quota).astype(np.int64)
    left = size - int(base.sum())
    order = np.lexsort((np.arange(len(names)), -(quota - base)))
    base[order[:left]] += 1
    return {k: int(v) for k, v in zip(names, base)}


def sample_rows(n: int, size: int, seed: int, part: int = 0) -> np.ndarray:
    """Sorted indices of ``size`` of ``n`` rows drawn without replacement, seeded by
    ``(seed, part)`` (``part`` = e.g. the chromosome's position, so parts differ)."""
    if size >= n:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng([int(seed), int(part)])
    return np.sort(rng.choice(n, size=size, replace=False)).astype(np.int64)


def load_features(path: str | os.PathLike) -> sp.csr_matrix:
    """A bin x feature matrix saved with ``scipy.sparse.save_npz``, as CSR."""
    try:
        matrix = sp.load_npz(path)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(path, f"not a scipy sparse .npz matrix ({exc})") from exc
    return sp.csr_matrix(matrix)


def upper_triangle(matrix: np.ndarray) -> np.ndarray:
    """The upper triangle (diagonal included) of a square matrix, row by row, as one vector.

    The transformed Gram matrix is symmetric, so a partial-sum file keeps only this half: at
    1,682 features x 6 terms that is 408 MB instead of 816 MB per file. Copied row by row, so
    no index arrays of the triangle's size are made."""
    w = matrix.shape[0]
    out = np.empty(w * (w + 1) // 2, dtype=matrix.dtype)
    pos = 0
    for i in range(w):
        out[pos : pos + w - i] = matrix[i, i:]
        pos += w - i
    return out


def _mirror_upper(matrix: np.ndarray, rows: int = 512) -> None:
    """Copy the upper triangle of a square matrix onto its lower one, in place, by row
    blocks (no temporary of the matrix's size)."""
    w = matrix.shape[0]
    for lo in range(0, w, rows):
        hi = min(w, lo + rows)
        matrix[hi:, lo:hi] = matrix[lo:hi, hi:].T
        block = matrix[lo:hi, lo:hi]
        block[...] = np.triu(block) + np.triu(block, 1).T


def symmetric_from_upper(upper: np.ndarray, width: int) -> np.ndarray:
    """The symmetric ``width`` x ``width`` matrix whose upper triangle :func:`upper_triangle`
    gave."""
    out = np.empty((width, width), dtype=upper.dtype)
    pos = 0
    for i in range(width):
        row = upper[pos : pos + width - i]
        out[i, i:] = row
        out[i:, i] = row
        pos += width - i
    return out


def reduce_partials(paths: list[str | os.PathLike]) -> IDSAccumulator:
    """Sum the partial-sum files (in the given order)."""
    if not paths:
        raise GenovocabError("no IDS partial sums to reduce")
    total = IDSAccumulator.load(paths[0])
    for path in paths[1:]:
        part = IDSAccumulator.load(path)
        try:
            total.merge(part)
        except GenovocabError as exc:
            raise InputError(path, str(exc)) from exc
    return total


def write_ids(path: str | os.PathLike, matrix: np.ndarray) -> None:
    """Write the IDS matrix as float32 ``.npy`` atomically."""
    with atomic_path(path, suffix=".npy") as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, np.asarray(matrix, dtype=np.float32))


def read_ids(path: str | os.PathLike) -> np.ndarray:
    """An IDS matrix written by :func:`write_ids` (square, float)."""
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a .npy matrix ({exc})") from exc
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InputError(path, f"IDS matrix must be square, got shape {matrix.shape}")
    return matrix


def bins_in(edges_path: str | os.PathLike) -> int:
    """Number of bins of a chromosome from its bin-edge file (edges - 1), read lazily."""
    try:
        edges = np.load(edges_path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(edges_path, f"not a .npy array ({exc})") from exc
    if edges.ndim != 1 or edges.size < 1:
        raise InputError(edges_path, f"bin edges must be a 1-D array, got shape {edges.shape}")
    return int(edges.size) - 1


def chromosome_partial(
    features: str | os.PathLike,
    chrom: str,
    *,
    terms: int = 6,
    bandwidth: float = 0.5,
    sample_size: int | None = None,
    bin_counts: Mapping[str, int] | None = None,
    seed: int = 0,
    chunk_rows: int = 1 << 18,
    backend: str = "numpy",
    block: tuple[int, int] = (0, 1),
) -> tuple[IDSAccumulator, int]:
    """IDS partial sums of one chromosome's bin x feature matrix; (sums, rows used).

    ``block = (b, n_blocks)`` restricts the sums to the b-th of ``n_blocks`` equal row ranges
    (:func:`block_rows`); the partial sums are additive, so the blocks of a chromosome merged
    (:meth:`IDSAccumulator.merge`) equal the whole chromosome's sums up to rounding, and one long
    chromosome becomes several short jobs. Sample mode draws the same rows whatever the blocks.

    The matrix is streamed from its ``.npz`` in blocks of ``chunk_rows`` bins. Exact mode
    (``sample_size`` None) uses every bin. Sample mode draws ``sample_size`` bins genome-wide:
    ``bin_counts`` (bins per chromosome, in the run's chromosome order) sets this chromosome's
    share by :func:`allocate_sample`, and the rows are drawn with :func:`sample_rows` seeded by
    ``(seed, position of chrom)``.
    """
    picked: np.ndarray | None = None
    if sample_size is not None:
        if bin_counts is None or chrom not in bin_counts:
            raise GenovocabError(f"sample mode needs the bin count of {chrom}")
        share = allocate_sample(bin_counts, int(sample_size))[chrom]
        picked = sample_rows(
            int(bin_counts[chrom]), share, seed, part=list(bin_counts).index(chrom)
        )
    r0, r1 = block_rows(npz_rows(features), *block)
    acc: IDSAccumulator | None = None
    seen = used = 0
    for lo, chunk in iter_csr_npz(features, rows=chunk_rows):
        if acc is None:
            acc = IDSAccumulator(chunk.shape[1], terms, bandwidth, backend=backend)
        seen = lo + chunk.shape[0]
        keep = np.arange(max(lo, r0), min(seen, r1), dtype=np.int64)
        if picked is not None:
            a, b = np.searchsorted(picked, [max(lo, r0), max(min(seen, r1), max(lo, r0))])
            keep = picked[a:b]
        if len(keep) == 0:
            continue
        if len(keep) < chunk.shape[0]:
            chunk = chunk[keep - lo]
        acc.update(chunk)
        used += chunk.shape[0]
    if picked is not None and seen != int(bin_counts[chrom]):
        raise InputError(
            features,
            f"matrix has {seen} rows but the bin edges of {chrom} give {bin_counts[chrom]} bins",
        )
    return acc, used


def block_rows(n_rows: int, block: int, n_blocks: int) -> tuple[int, int]:
    """Row range ``[lo, hi)`` of block ``block`` of ``n_blocks`` near-equal blocks of ``n_rows``."""
    if n_blocks < 1 or not 0 <= block < n_blocks:
        raise GenovocabError(f"block {block} of {n_blocks}: need 0 <= block < n_blocks")
    return n_rows * block // n_blocks, n_rows * (block + 1) // n_blocks


def chromosome_blocks(length_bp: int, block_bp: int) -> int:
    """How many IDS blocks a chromosome of ``length_bp`` gets (``block_bp`` bp each, >= 1)."""
    if block_bp < 1:
        raise GenovocabError(f"ids.block_bp must be >= 1, got {block_bp}")
    return max(1, -(-int(length_bp) // int(block_bp)))


def iter_csr_npz(path: str | os.PathLike, rows: int = 1 << 18):
    """Stream a CSR ``.npz`` (``scipy.sparse.save_npz``) in blocks of ``rows`` rows.

    Only ``indptr`` is read whole; ``data`` and ``indices`` are read sequentially from the
    archive (compressed or not), so memory is O(bins + block) instead of O(non-zeros).
    Yields ``(first_row, csr_block)``.
    """
    import zipfile

    from genovocab.npystream import read_npy_header

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(path, f"not a scipy sparse .npz matrix ({exc})") from exc
    with archive:
        names = set(archive.namelist())
        need = {"data.npy", "indices.npy", "indptr.npy", "format.npy", "shape.npy"}
        if not need <= names:
            raise InputError(
                path,
                "not a scipy sparse .npz matrix (members "
                f"{', '.join(sorted(need - names))} missing)",
            )
        with archive.open("format.npy") as handle:
            fmt = np.load(handle, allow_pickle=False).item()
        fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
        if fmt != "csr":
            raise InputError(path, f"expected a CSR matrix, got {fmt!r}")
        with archive.open("shape.npy") as handle:
            n_rows, n_cols = (int(v) for v in np.load(handle, allow_pickle=False))
        with archive.open("indptr.npy") as handle:
            indptr = np.load(handle, allow_pickle=False).astype(np.int64)
        if indptr.size != n_rows + 1:
            raise InputError(path, f"indptr has {indptr.size} entries for {n_rows} rows")
        with archive.open("data.npy") as data_f, archive.open("indices.npy") as idx_f:
            _, data_dtype = read_npy_header(data_f, path, "data.npy")
            _, idx_dtype = read_npy_header(idx_f, path, "indices.npy")

            def take(handle, dtype, count, member):
                raw = handle.read(count * dtype.itemsize)
                if len(raw) != count * dtype.itemsize:
                    raise InputError(path, f"{member} is truncated")
                return np.frombuffer(raw, dtype=dtype)

            for lo in range(0, max(n_rows, 1), rows):
                hi = min(n_rows, lo + rows)
                count = int(indptr[hi] - indptr[lo])
                data = take(data_f, data_dtype, count, "data.npy")
                indices = take(idx_f, idx_dtype, count, "indices.npy")
                block = sp.csr_matrix(
                    (data, indices, indptr[lo : hi + 1] - indptr[lo]), shape=(hi - lo, n_cols)
                )
                yield lo, block


def npz_rows(path: str | os.PathLike) -> int:
    """Row count of a ``save_npz`` matrix, read from its ``shape`` member only."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive, archive.open("shape.npy") as handle:
            return int(np.load(handle, allow_pickle=False)[0])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(path, f"not a scipy sparse .npz matrix ({exc})") from exc
