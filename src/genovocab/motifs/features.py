"""Bin x feature matrices: how much of each (matrix, strand) feature's sites falls in each bin.

value(bin b, feature f) = sum over the sites s of f of |s intersect b| / |s| (half-open), so the
values of one site over the bins it spans sum to exactly 1 (float32 rounding aside). Features
are (matrix, strand) pairs in matrix-id order, ``+`` then ``-`` (feature ``2 i`` and ``2 i + 1``),
plus an optional CpG feature last (CpG dinucleotides or CpG islands as sites; they are features
only and do not take part in the coverage that places the bin edges).

The matrix is built from start-sorted site chunks against finished bin edges: each chunk's
(bin, feature, value) triplets come from ``searchsorted`` of site starts/ends into the edges;
rows that no later site can reach (below the bin of the chunk's last start) are summed into CSR
pieces (scipy's COO -> CSR), the rest carried over. Memory is proportional to sites in a chunk
plus the matrix itself, never chromosome length x features.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from genovocab.defaults import CPG_MODES
from genovocab.fileutil import atomic_path, write_text_atomic
from genovocab.motifs.sites import MatrixSet, Sites
from genovocab.npystream import npy_header

log = logging.getLogger(__name__)


def feature_table(matrix_set: MatrixSet, cpg: str = "none") -> list[tuple[int, str, str, str]]:
    """Rows (index, matrix_id, name, strand) of the feature table."""
    rows = []
    for i, (mid, name) in enumerate(zip(matrix_set.ids, matrix_set.names)):
        rows.append((2 * i, mid, name, "+"))
        rows.append((2 * i + 1, mid, name, "-"))
    if cpg not in CPG_MODES:
        raise ValueError(f"cpg must be one of {', '.join(CPG_MODES)}, not {cpg!r}")
    if cpg != "none":
        rows.append((2 * len(matrix_set.ids), "CpG", "CpG", "."))
    return rows


def write_feature_table(path: str | os.PathLike, matrix_set: MatrixSet, cpg: str = "none") -> None:
    """``features.tsv``: header ``index matrix_id name strand``, one row per feature."""
    lines = ["index\tmatrix_id\tname\tstrand"]
    lines += [f"{i}\t{m}\t{n}\t{s}" for i, m, n, s in feature_table(matrix_set, cpg)]
    write_text_atomic(path, "\n".join(lines) + "\n")


def site_triplets(sites: Sites, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bin row, feature column, value) of every (site, bin) overlap; value = overlap / length.

    Sites are short next to the chromosome, so they span few bins: the k-th bin of every site
    spanning more than k bins is handled in one vectorised step, k = 0, 1, ...
    """
    s = sites.start.astype(np.int64, copy=False)
    e = s + sites.length
    first = np.searchsorted(edges, s, side="right") - 1
    last = np.searchsorted(edges, e - 1, side="right") - 1
    if first.size and (first.min() < 0 or last.max() >= edges.size - 1):
        raise ValueError("site outside the binned chromosome")
    extra = last - first  # bins beyond the first
    rows, cols, vals = [first], [sites.feature], []
    inv_len = 1.0 / sites.length
    # k = 0: from the site start to the end of its first bin (or the site end)
    vals.append((np.minimum(e, edges[first + 1]) - s) * inv_len)
    k = 1
    idx = np.flatnonzero(extra >= 1)
    while idx.size:
        r = first[idx] + k
        lo = edges[r]
        hi = np.minimum(e[idx], edges[r + 1])
        rows.append(r)
        cols.append(sites.feature[idx])
        vals.append((hi - lo) * inv_len[idx])
        k += 1
        idx = idx[extra[idx] >= k]
    if len(rows) == 1:
        return rows[0], cols[0], vals[0]
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


class FeatureAccumulator:
    """Builds one chromosome's CSR (float32) from start-sorted site chunks.

    Finished rows go to in-memory pieces, or, with ``spill_dir``, to two temporary files
    (column indices int32, values float32) so that memory does not grow with the number of
    non-zeros: :meth:`write_npz` then streams them into the ``.npz`` without loading them.
    """

    def __init__(
        self, edges: np.ndarray, n_features: int, spill_dir: str | os.PathLike | None = None
    ):
        self.edges = np.asarray(edges, dtype=np.int64)
        self.n_bins = int(self.edges.size - 1)
        self.n_features = int(n_features)
        self._counts: list[np.ndarray] = []  # per-row nnz of finished rows
        self._indices: list[np.ndarray] = []
        self._data: list[np.ndarray] = []
        self._spill = None
        if spill_dir is not None:
            self._spill = (
                tempfile.TemporaryFile(dir=spill_dir, prefix=".indices."),
                tempfile.TemporaryFile(dir=spill_dir, prefix=".data."),
            )
        self.nnz = 0
        self._done_rows = 0  # rows [0, _done_rows) are final
        self._carry = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
        self._last_start = -1
        self._finished = False
        self.sites_per_feature = np.zeros(self.n_features, dtype=np.int64)

    def add(self, sites: Sites) -> None:
        """Add a chunk; its starts must not precede the previous chunk's last start."""
        if len(sites) == 0:
            return
        if sites.start[0] < self._last_start or np.any(np.diff(sites.start) < 0):
            raise ValueError("site chunks must be sorted by start")
        if sites.feature.max() >= self.n_features or sites.feature.min() < 0:
            raise ValueError(f"feature index outside 0..{self.n_features - 1}")
        self._last_start = int(sites.start[-1])
        self.sites_per_feature += np.bincount(sites.feature, minlength=self.n_features)
        r, c, v = site_triplets(sites, self.edges)
        cr, cc, cv = self._carry
        if cr.size:
            r, c, v = np.concatenate([cr, r]), np.concatenate([cc, c]), np.concatenate([cv, v])
        frontier = int(np.searchsorted(self.edges, self._last_start, side="right") - 1)
        done = r < frontier
        self._carry = (r[~done], c[~done], v[~done])
        self._flush(r[done], c[done], v[done], frontier)

    def _flush(self, r: np.ndarray, c: np.ndarray, v: np.ndarray, upto: int) -> None:
        """Finish rows [_done_rows, upto) from triplets whose rows all lie in that range."""
        n_rows = upto - self._done_rows
        if n_rows <= 0:
            return
        block = sp.coo_matrix(
            (v, (r - self._done_rows, c)), shape=(n_rows, self.n_features)
        ).tocsr()
        block.sum_duplicates()
        block.sort_indices()
        self._counts.append(np.diff(block.indptr).astype(np.int32))
        indices = block.indices.astype(np.int32)
        data = block.data.astype(np.float32)
        self.nnz += int(indices.size)
        if self._spill is not None:
            indices.tofile(self._spill[0])
            data.tofile(self._spill[1])
        else:
            self._indices.append(indices)
            self._data.append(data)
        self._done_rows = upto

    def _close_rows(self) -> np.ndarray:
        """Finish every remaining row; the CSR ``indptr``."""
        if self._finished:
            raise RuntimeError("accumulator already finished")
        self._finished = True
        r, c, v = self._carry
        self._carry = (r[:0], c[:0], v[:0])
        self._flush(r, c, v, self.n_bins)
        idx_dtype = np.int64 if self.nnz >= 2**31 - 1 else np.int32
        indptr = np.zeros(self.n_bins + 1, dtype=idx_dtype)
        if self._counts:
            np.cumsum(np.concatenate(self._counts), out=indptr[1:], dtype=idx_dtype)
        self._counts = []
        return indptr

    def finish(self) -> sp.csr_matrix:
        """The finished (n_bins x n_features) CSR matrix in memory."""
        indptr = self._close_rows()
        if self._spill is not None:
            arrays = []
            for handle, dtype in zip(self._spill, (np.int32, np.float32)):
                handle.seek(0)
                arrays.append(np.fromfile(handle, dtype=dtype))
                handle.close()
            indices, data = arrays
        else:
            indices = np.empty(self.nnz, dtype=np.int32)
            data = np.empty(self.nnz, dtype=np.float32)
            pos = 0
            while self._indices:  # free the pieces while copying
                ind = self._indices.pop(0)
                dat = self._data.pop(0)
                indices[pos : pos + ind.size] = ind
                data[pos : pos + dat.size] = dat
                pos += ind.size
        return sp.csr_matrix(
            (data, indices, indptr), shape=(self.n_bins, self.n_features), copy=False
        )

    def write_npz(self, path: str | os.PathLike, compress: bool = True) -> int:
        """Write the finished matrix as ``.npz`` (see :func:`save_npz_deterministic`).

        With spilled pieces the values are streamed from the temporary files; returns nnz.
        """
        if self._spill is None:
            save_npz_deterministic(path, self.finish(), compress=compress)
            return int(self.nnz)
        indptr = self._close_rows()
        try:
            sources = [
                ("indices", np.dtype(np.int32), (self.nnz,), _file_chunks(self._spill[0])),
                ("indptr", indptr.dtype, indptr.shape, iter([indptr])),
                ("format", None, None, iter([np.array(b"csr")])),
                (
                    "shape",
                    np.dtype(np.int64),
                    (2,),
                    iter([np.array((self.n_bins, self.n_features), dtype=np.int64)]),
                ),
                ("data", np.dtype(np.float32), (self.nnz,), _file_chunks(self._spill[1])),
            ]
            _write_npz_sources(path, sources, compress)
        finally:
            for handle in self._spill:
                handle.close()
        return int(self.nnz)


def _file_chunks(handle, size: int = 1 << 26) -> Iterator[bytes]:
    handle.flush()
    handle.seek(0)
    while True:
        block = handle.read(size)
        if not block:
            return
        yield block


def feature_matrix(chunks: Iterable[Sites], edges: np.ndarray, n_features: int) -> sp.csr_matrix:
    """The bin x feature CSR (float32) of start-sorted site chunks against ``edges``."""
    acc = FeatureAccumulator(edges, n_features)
    for chunk in chunks:
        acc.add(chunk)
    return acc.finish()


# --------------------------------------------------------------------------- CpG sites


def cpg_dinucleotide_sites(seq: str, feature: int, window: int = 1 << 22) -> Iterator[Sites]:
    """Every ``CG`` of ``seq`` (case-insensitive) as a 2 bp site of ``feature``, in order."""
    n = len(seq)
    for w0 in range(0, n, window):
        piece = seq[w0 : min(n, w0 + window + 1)].upper().encode("ascii", errors="replace")
        arr = np.frombuffer(piece, dtype=np.uint8)
        pos = np.flatnonzero((arr[:-1] == ord("C")) & (arr[1:] == ord("G")))
        pos = pos[pos < window]
        k = pos.size
        yield Sites(
            pos.astype(np.int64) + w0,
            np.full(k, 2, np.int64),
            np.full(k, feature, np.int64),
            np.zeros(k, np.int64),
            np.zeros(k, np.int64),
        )


def interval_sites(starts: np.ndarray, ends: np.ndarray, feature: int) -> Sites:
    """Intervals (e.g. CpG islands) as sorted sites of ``feature``."""
    s = np.asarray(starts, dtype=np.int64)
    e = np.asarray(ends, dtype=np.int64)
    k = s.size
    return Sites(
        s, e - s, np.full(k, feature, np.int64), np.zeros(k, np.int64), np.zeros(k, np.int64)
    ).sorted()


# --------------------------------------------------------------------------- files

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def save_npz_deterministic(
    path: str | os.PathLike, matrix: sp.csr_matrix, compress: bool = True
) -> None:
    """Save a CSR matrix in ``scipy.sparse.save_npz``'s layout, byte-for-byte reproducible.

    ``save_npz`` stamps the current time into the zip entries; this writer uses a fixed date
    (1980-01-01) and fixed entry order, streams each array without copying, and writes to a
    temporary file that is renamed into place. ``scipy.sparse.load_npz`` reads the result.
    """
    matrix = matrix.tocsr()
    arrays = [
        ("indices", np.ascontiguousarray(matrix.indices)),
        ("indptr", np.ascontiguousarray(matrix.indptr)),
        ("format", np.array(b"csr")),
        ("shape", np.array(matrix.shape, dtype=np.int64)),
        ("data", np.ascontiguousarray(matrix.data)),
    ]
    _write_npz_sources(path, [(name, None, None, iter([arr])) for name, arr in arrays], compress)


def _write_npz_sources(path, sources, compress: bool) -> None:
    """Zip of ``.npy`` entries; each source is (name, dtype, shape, iterator of arrays/bytes).

    dtype/shape None: taken from the single array the iterator yields.
    """
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for name, dtype, shape, chunks in sources:
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = method
            info.external_attr = 0o600 << 16
            with zf.open(info, "w", force_zip64=True) as out:
                first = next(chunks, None)
                if dtype is None:
                    dtype, shape = first.dtype, first.shape
                out.write(npy_header(dtype, shape))
                if first is not None:
                    _write_chunk(out, first)
                for chunk in chunks:
                    _write_chunk(out, chunk)


def _write_chunk(out, chunk) -> None:
    if isinstance(chunk, np.ndarray):
        mv = (
            memoryview(chunk.reshape(-1).view(np.uint8))
            if chunk.ndim
            else memoryview(chunk.tobytes())
        )
    else:
        mv = memoryview(chunk)
    step = 1 << 26
    for k in range(0, len(mv), step):
        out.write(mv[k : k + step])


def save_bins(path: str | os.PathLike, edges: np.ndarray) -> None:
    """Bin edges as an int64 ``.npy`` (deterministic, atomic)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, np.asarray(edges, dtype=np.int64))


def sites_per_feature_total(accs: Sequence[FeatureAccumulator]) -> np.ndarray:
    """Sum of the accumulators' per-feature site counts."""
    return np.sum([a.sites_per_feature for a in accs], axis=0)


def bin_and_featurize(site_chunks, length: int, n_features: int, **options: Any):
    """Coverage -> bins -> features for one chromosome, in memory: :func:`bin_and_accumulate`
    (same arguments) with the accumulator finished. Returns (BinResult, CSR matrix, sites per
    feature)."""
    result, acc = bin_and_accumulate(site_chunks, length, n_features, **options)
    counts = acc.sites_per_feature.copy()
    return result, acc.finish(), counts


def binning_options(params: Any) -> dict[str, Any]:
    """The binning keywords of :func:`bin_and_accumulate` from a parameter record with the
    config's names (``sigma``, ``peak_width``, ``max_bin``, ``trim_step``: the workflow's
    ``BinParams``, the motif tokenizer's parameters), so every caller translates them alike."""
    return {
        "sigma": params.sigma,
        "width": params.peak_width,
        "max_bin": params.max_bin,
        "trim_step": params.trim_step,
    }


def bin_and_accumulate(
    site_chunks,
    length: int,
    n_features: int,
    *,
    sigma: float = 3.0,
    width: float = 5.0,
    max_bin: int = 50,
    trim_step: int = 25,
    extra_chunks=None,
    spill_dir: str | os.PathLike | None = None,
):
    """Coverage -> bins -> features for one chromosome, streaming the sites twice; returns
    (BinResult, the filled :class:`FeatureAccumulator`: call its ``finish`` or ``write_npz``).

    ``site_chunks`` and ``extra_chunks`` (CpG sites, features only) are callables returning a
    fresh iterator of start-sorted :class:`Sites` chunks; with ``spill_dir`` the non-zeros go
    to disk."""
    from genovocab.motifs.binning import bin_edges_smoothed, coverage, smooth_coverage
    from genovocab.motifs.sites import merge_sorted_chunks

    # no name keeps the int coverage alive once it is smoothed (peak memory ~12 bytes/bp)
    smooth = smooth_coverage(coverage(site_chunks(), length), sigma)
    result = bin_edges_smoothed(smooth, width=width, max_bin=max_bin, trim_step=trim_step)
    del smooth
    stream = (
        site_chunks()
        if extra_chunks is None
        else merge_sorted_chunks([site_chunks(), extra_chunks()])
    )
    acc = FeatureAccumulator(result.edges, n_features, spill_dir=spill_dir)
    for chunk in stream:
        acc.add(chunk)
    return result, acc
