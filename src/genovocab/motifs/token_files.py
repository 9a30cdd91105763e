"""Files of the motif-token stage: bin edges, CSR arrays, pattern files, the workflow steps.

* :func:`chromosome_cluster_features` (per chromosome): the bin x cluster matrix as three raw
  ``.npy`` arrays (what the motif tokenizer memory-maps) and the bins' distinct patterns;
* :func:`token_vocab_files` (genome-wide): the bounded motif vocabulary (``vocabulary.py``)
  built from the pattern files in a few streaming passes, the Zipf fit and the statistics;
* :func:`chromosome_tokens` (per chromosome): every bin's token id by back-off, and what the
  tokens keep of the bins.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_path
from genovocab.motifs.patterns import (
    PatternMerger,
    Patterns,
    active_patterns,
    cluster_features,
)
from genovocab.motifs.vocabulary import (
    DEFAULT_VOCAB_SIZE,
    N_SPECIAL,
    build_motif_vocab,
    cluster_motif_names,
    read_vocab,
    stream_statistics,
    write_vocab,
)
from genovocab.tables import write_json


def read_bin_edges(path: str | os.PathLike) -> np.ndarray:
    """Bin edges of one chromosome (int64 ``.npy``, strictly increasing)."""
    try:
        edges = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a .npy array ({exc})") from exc
    if edges.ndim != 1 or edges.size < 1 or not np.issubdtype(edges.dtype, np.integer):
        raise InputError(
            path, f"bin edges must be a 1-D integer array, got {edges.dtype} shape {edges.shape}"
        )
    bad = np.flatnonzero(np.diff(edges) <= 0)
    if bad.size:
        raise InputError(
            path,
            f"bin edges must increase strictly (edge {bad[0] + 1}: "
            f"{edges[bad[0] + 1]} after {edges[bad[0]]})",
        )
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
            return text[: -len(f".{name}.npy")]
    raise GenovocabError(f"{text}: not a CSR array file (<prefix>.indptr/indices/values.npy)")


def csr_array_rows(prefix: str | os.PathLike) -> int:
    """Rows of the CSR matrix at ``prefix`` (from the three headers, which must agree)."""
    from genovocab.npystream import npy_length

    paths = csr_array_paths(prefix)
    lengths = {name: npy_length(paths[name], dtype) for name, dtype in CSR_ARRAYS}
    if lengths["indices"] != lengths["values"]:
        raise InputError(
            paths["values"], f"{lengths['values']} values for {lengths['indices']} indices"
        )
    last = int(np.load(paths["indptr"], mmap_mode="r")[-1]) if lengths["indptr"] else -1
    if last != lengths["indices"]:
        raise InputError(
            paths["indptr"], f"ends at {last}, the matrix has {lengths['indices']} non-zeros"
        )
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


def chromosome_cluster_features(
    features_path: str | os.PathLike,
    clusters_path: str | os.PathLike,
    *,
    cluster_features_out: str | os.PathLike,
    patterns_out: str | os.PathLike,
    threshold: float = 0.5,
    chunk_rows: int = 1 << 18,
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
    remove_stale_temps(spill_of)  # removes the temporaries of patterns_out
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
                    raise InputError(
                        features_path,
                        f"matrix has {block.shape[1]} feature "
                        f"columns, {clusters_path} lists "
                        f"{labels.size} features",
                    )
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


def npz_members(path: str | os.PathLike) -> dict[str, tuple[int, np.dtype, tuple[int, ...]]]:
    """Per member of an uncompressed ``.npz``: (offset of its data in the file, dtype, shape),
    so a chunk of it can be read with one seek (no member is loaded whole)."""
    import struct
    import zipfile

    from genovocab.npystream import read_npy_header

    out = {}
    try:
        with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED:
                    raise InputError(path, f"{info.filename} is compressed (expected stored)")
                raw.seek(info.header_offset)
                head = raw.read(30)
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                start = info.header_offset + 30 + name_len + extra_len
                raw.seek(start)
                shape, dtype = read_npy_header(raw, path, info.filename)
                out[info.filename.removesuffix(".npy")] = (raw.tell(), np.dtype(dtype), shape)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(path, f"not a pattern file ({exc})") from exc
    return out


def _read_range(
    handle, member: tuple[int, np.dtype, tuple[int, ...]], lo: int, hi: int
) -> np.ndarray:
    offset, dtype, _ = member
    handle.seek(offset + lo * dtype.itemsize)
    out = np.fromfile(handle, dtype=dtype, count=hi - lo)
    if out.size != hi - lo:
        raise GenovocabError(f"{handle.name}: truncated member")
    return out


PATTERN_MEMBERS = ("indptr", "indices", "counts", "inverse")


def iter_pattern_chunks(path: str | os.PathLike, rows: int = 1 << 18):
    """The distinct patterns of a pattern file, ``rows`` at a time: (local ``indptr``, cluster
    ids strongest first, bins per pattern). Memory: one chunk."""
    members = npz_members(path)
    missing = [m for m in PATTERN_MEMBERS if m not in members]
    if missing:
        raise InputError(path, f"not a token pattern file (no {', '.join(missing)})")
    for name, dtype in (("indptr", np.int64), ("indices", np.int32), ("counts", np.int64)):
        if members[name][1] != np.dtype(dtype) or len(members[name][2]) != 1:
            raise InputError(
                path,
                f"{name}.npy is {members[name][1]} {members[name][2]}, "
                f"expected 1-D {np.dtype(dtype)}",
            )
    n = members["indptr"][2][0] - 1
    with open(path, "rb") as handle:
        for lo in range(0, max(n, 0), rows):
            hi = min(n, lo + rows)
            ptr = _read_range(handle, members["indptr"], lo, hi + 1).astype(np.int64)
            ids = _read_range(handle, members["indices"], int(ptr[0]), int(ptr[-1]))
            counts = _read_range(handle, members["counts"], lo, hi)
            yield ptr - ptr[0], ids, counts


def pattern_file_ids(path: str | os.PathLike) -> int:
    """Cluster ids in a pattern file's distinct patterns (from its header: nothing is read)."""
    member = npz_members(path).get("indices")
    if member is None or len(member[2]) != 1:
        raise InputError(path, "not a token pattern file (no 1-D indices.npy)")
    return int(member[2][0])


def read_patterns(path: str | os.PathLike) -> Patterns:
    """A whole pattern file (one chromosome's patterns: the per-chromosome jobs)."""
    return Patterns.load(path)


def token_vocab_files(
    pattern_paths: Sequence[str | os.PathLike],
    edge_paths: Sequence[str | os.PathLike],
    *,
    vocab_out: str | os.PathLike,
    zipf_out: str | os.PathLike,
    plot_out: str | os.PathLike | None = None,
    clusters: str | os.PathLike | None = None,
    size: int = DEFAULT_VOCAB_SIZE,
    min_count: int = 1,
    chunk_rows: int = 1 << 18,
    census: bool = True,
    census_shards: int | None = None,
    log=None,
) -> dict:
    """Workflow step (gather): the bounded motif vocabulary (``token_vocab.tsv``, the layout of
    a tokenizer's ``vocab.tsv``), its token stream's figures (``zipf.json``) and plot.

    The pattern files (one per chromosome) are streamed ``chunk_rows`` patterns at a time, once
    per level of the vocabulary and twice more (:func:`build_motif_vocab`): memory is the kept
    tokens, one level's candidates and one chunk, whatever the genome. ``clusters``
    (``clusters.tsv``) names the motifs of each token. ``census``: also count every distinct
    active set (``pattern_counts.py``: shard files beside ``vocab_out``, removed after; by
    default one shard per ~16 M cluster ids, so a shard's memory does not grow with the
    genome) for the figures of the patterns themselves and the paper's band.
    """
    from genovocab.motifs.clustering import read_clusters

    if len(pattern_paths) != len(edge_paths):
        raise GenovocabError("one pattern file and one bin-edge file per chromosome")

    n_bins = bp = 0
    for pattern_path, edge_path in zip(pattern_paths, edge_paths):
        edges = read_bin_edges(edge_path)
        n_bins += edges.size - 1
        bp += int(edges[-1] - edges[0])
        rows = npz_members(pattern_path).get("inverse", (0, None, (-1,)))[2][0]
        if rows != edges.size - 1:
            raise InputError(pattern_path, f"{rows} bins, but {edge_path} gives {edges.size - 1}")

    def chunks():
        for path in pattern_paths:
            yield from iter_pattern_chunks(path, chunk_rows)

    vocab = build_motif_vocab(chunks, size, min_count, log=log)
    active = kept = backed = 0.0
    for indptr, indices, counts in chunks():
        nodes = vocab.assign(indptr, indices)
        n_active = np.diff(indptr)
        w = counts.astype(np.float64)
        active += float((n_active * w).sum())
        kept += float((vocab.sizes[nodes] * w).sum())
        backed += float(w[(vocab.sizes[nodes] == 0) & (n_active > 0)].sum())
    stream = stream_statistics(vocab.token_counts(), len(vocab))
    if stream["n_bins"] != n_bins:
        raise InputError(
            edge_paths[0],
            f"the pattern files count {stream['n_bins']} bins, the bin edges {n_bins}",
        )
    summary = {
        "rule": "backoff",
        "vocab_size": len(vocab),
        "requested_vocab_size": int(size),
        "min_count": int(min_count),
        "n_bins": n_bins,
        "total_bp": bp,
        "mean_bin_length": bp / n_bins if n_bins else float("nan"),
        "mean_active_clusters_per_bin": active / n_bins if n_bins else float("nan"),
        "fraction_active_clusters_kept": kept / active if active else float("nan"),
        "fraction_bins_backed_to_empty": backed / n_bins if n_bins else float("nan"),
        "zipf": stream["zipf"],
        "tokens_used": stream["tokens_used"],
        "top_token_share": stream["top_token_share"],
        "unk_share": stream["unk_share"],
    }
    if census:  # every distinct active set, counted hash-sharded on disk (a diagnostic)
        from genovocab.motifs.pattern_counts import set_census

        summary["patterns"] = set_census(
            chunks,
            n_shards=census_shards,
            work_dir=Path(vocab_out).parent,
            total_ids=sum(pattern_file_ids(path) for path in pattern_paths),
        )
    names = None
    if clusters is not None:
        import pandas as pd

        labels = read_clusters(clusters)
        table = pd.read_csv(clusters, sep="\t", dtype=str, keep_default_na=False)
        names = cluster_motif_names(table.assign(cluster=labels))
    write_vocab(vocab_out, vocab, names)
    write_json(zipf_out, summary, indent=2)
    if plot_out is not None:
        from genovocab.motifs.token_plots import plot_zipf

        plot_zipf(
            plot_out, vocab.counts, summary["zipf"], title=f"Motif tokens ({len(vocab):,} ids)"
        )
    return summary


def kept_value(
    prefix: str | os.PathLike, token_sizes: np.ndarray, threshold: float, chunk_rows: int = 1 << 16
) -> tuple[float, float]:
    """(value kept, active value) summed over the bins of the CSR arrays at ``prefix``: a bin
    keeps the values of its ``token_sizes[bin]`` strongest active clusters (the ones its token
    names). The values are read ``chunk_rows`` bins at a time with plain reads (a memory map
    of chr1's 6.9 GB of values would end the pass with all of it in RSS)."""
    from genovocab.npystream import npy_chunks

    paths = csr_array_paths(prefix)
    indptr = np.load(paths["indptr"], allow_pickle=False).astype(np.int64, copy=False)
    n = indptr.size - 1
    chunks = range(0, n, chunk_rows)
    sizes = (indptr[min(n, lo + chunk_rows)] - indptr[lo] for lo in chunks)
    kept = total = 0.0
    for lo, values in zip(chunks, npy_chunks(paths["values"], sizes)):
        hi = min(n, lo + chunk_rows)
        ptr = indptr[lo : hi + 1]
        vals = values.astype(np.float64)
        rows = np.repeat(np.arange(hi - lo), np.diff(ptr))
        act = vals >= threshold
        vals, rows = vals[act], rows[act]
        order = np.lexsort((-vals, rows))
        vals, rows = vals[order], rows[order]
        firsts = np.searchsorted(rows, np.arange(hi - lo))
        rank = np.arange(rows.size) - firsts[rows]
        keep = rank < token_sizes[lo:hi][rows]
        kept += float(vals[keep].sum())
        total += float(vals.sum())
    return kept, total


def chromosome_tokens(
    patterns_path: str | os.PathLike,
    vocab_path: str | os.PathLike,
    chrom: str,
    *,
    tokens_out: str | os.PathLike,
    stats_out: str | os.PathLike | None = None,
    cluster_features: str | os.PathLike | None = None,
    threshold: float = 0.5,
    band: tuple[int, int] = (500, 1_000_000),
) -> np.ndarray:
    """Workflow step (per chromosome): every bin's token id (int32 ``.npy``) by back-off from
    the chromosome's patterns and the vocabulary, and (``stats_out``) what the tokens keep:
    active clusters and (with the CSR arrays at ``cluster_features``) active value, plus the
    paper's frequency-band Zipf diagnostic over this chromosome's whole active sets.

    The patterns are read a chunk at a time and the per-bin pattern index is memory-mapped:
    memory is 4 B per distinct pattern, 4 B per bin and one chunk (plus the token ids' 8 B
    per bin while the kept value is summed)."""
    vocab = read_vocab(vocab_path)
    members = npz_members(patterns_path)
    if "inverse" not in members or members["inverse"][1] != np.dtype(np.int64):
        raise InputError(patterns_path, "not a token pattern file (no int64 inverse.npy)")
    ids = np.empty(members["indptr"][2][0] - 1, dtype=np.int32)
    sizes = np.zeros(len(vocab), dtype=np.int64)
    sizes[N_SPECIAL:] = vocab.sizes
    kept = active = lo = 0
    for indptr, indices, counts in iter_pattern_chunks(patterns_path):  # a chunk at a time
        hi = lo + indptr.size - 1
        ids[lo:hi] = vocab.token_ids(indptr, indices)
        kept += int((sizes[ids[lo:hi]] * counts).sum())
        active += int((np.diff(indptr) * counts).sum())
        lo = hi
    offset, _, shape = members["inverse"]
    inverse = np.memmap(patterns_path, dtype=np.int64, mode="r", offset=offset, shape=shape)
    tokens = ids[inverse] if ids.size else np.zeros(shape, dtype=np.int32)
    del inverse
    write_npy(tokens_out, tokens)
    if stats_out is not None:
        stats = {
            "chrom": chrom,
            "n_bins": int(tokens.size),
            "active_clusters": active,
            "kept_clusters": kept,
            "diagnostic_band": band_diagnostic(
                patterns_path, band, work_dir=Path(stats_out).parent
            ),
        }
        if cluster_features is not None:
            rows = csr_array_rows(cluster_features)
            if rows != tokens.size:
                raise InputError(
                    csr_array_paths(cluster_features)["indptr"],
                    f"{rows} bins, the patterns of {chrom} give {tokens.size}",
                )
            stats["kept_value"], stats["active_value"] = kept_value(
                cluster_features, sizes[tokens], threshold
            )
        write_json(stats_out, stats, indent=2)
    return tokens


def band_diagnostic(
    patterns_path: str | os.PathLike,
    band: tuple[int, int] = (500, 1_000_000),
    work_dir: str | os.PathLike | None = None,
) -> dict:
    """The paper's Zipf check on one chromosome: every distinct active *set* a token, only those
    seen ``band[0]..band[1]`` times (a diagnostic of the patterns, not the vocabulary). Counted
    hash-sharded (``pattern_counts.py``), so memory is one shard of the chromosome's patterns."""
    from genovocab.motifs.pattern_counts import set_census

    census = set_census(
        lambda: iter_pattern_chunks(patterns_path),
        work_dir=work_dir,
        band=band,
        total_ids=pattern_file_ids(patterns_path),
    )
    return {
        "band": list(band),
        "n_sets": census["n_sets"],
        "fraction_sets_seen_once": census["fraction_sets_seen_once"],
        "zipf_all_sets": census["zipf_all_sets"],
        "n_in_band": census["zipf_band"]["n_tokens"],
        "zipf": census["zipf_band"],
    }
