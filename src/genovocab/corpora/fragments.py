"""Fragments corpora (scATAC): a 10x ``fragments.tsv.gz`` -> one document per cell barcode.

Input: tab-separated ``chrom, start, end, barcode, count`` (``#`` header lines at the top; the
count column, read pairs behind a fragment, is checked but not used). Each fragment is
overlapped with the universe (:class:`~genovocab.tokenizers.IntervalTokenizer`); a cell's
document is the ids of the regions its fragments overlap, in genomic order of the regions:
once per overlapping fragment (a multiset, as gtars' ``tokenize_fragment_file``), or once per
region with ``dedupe`` (then ``counts`` holds how many of the cell's fragments hit it).
``unknown="unk"`` adds one ``<unk>`` per fragment that hits nothing (what gtars does).
Cells with fewer than ``min_fragments`` fragments, or not in ``whitelist``, are dropped.

Streaming: the file is read in chunks of ``chunk_lines`` lines; each chunk is tokenized in one
vectorised call and reduced to (cell, region, hits) triples, merged into the running totals,
so memory is bounded by cells x distinct regions per cell, never by the file size. Rows are
written sorted by barcode (deterministic). Bad lines raise an error naming file and line.
Optionally an AnnData ``.h5ad`` (cells x regions, counts) is written (``anndata`` extra).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from genovocab.corpora.tables import list_array
from genovocab.errors import InputError
from genovocab.fileutil import is_gzip, open_text, tsv_chunks
from genovocab.overlap import overlap_pairs
from genovocab.regions import Regions

CHUNK_LINES = 65_536  # ~1 MiB blocks: pyarrow's reader holds ~50 MiB less than with 4 MiB


@dataclass
class FragmentCounts:
    """Per-cell totals: sorted ``barcodes``, fragments per cell, and (cell, token id, hits)
    triples sorted by cell then genomic position of the region (``<unk>`` last)."""

    barcodes: list[str]
    n_fragments: np.ndarray
    cell: np.ndarray
    token: np.ndarray
    hits: np.ndarray


def _header_lines(path: str | os.PathLike) -> int:
    n = 0
    with open_text(path) as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            n += 1
    return n


def _chunks(path: str | os.PathLike, chunk_lines: int) -> Iterator[tuple[int, Any]]:
    """``(first line number, pandas frame of 5 string columns)`` per chunk."""
    import pandas as pd

    skip = _header_lines(path)
    reader = tsv_chunks(path, chunk_lines, skip, dtype=str, quoting=csv.QUOTE_NONE)
    line = skip + 1
    try:
        for frame in reader:
            yield line, frame
            line += len(frame)
    except pd.errors.ParserError as exc:
        raise InputError(path, f"malformed fragments file ({exc})") from exc
    except pd.errors.EmptyDataError:
        return


def _check(
    path: str | os.PathLike, first_line: int, frame: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import pandas as pd

    if frame.shape[1] < 5:
        raise InputError(
            path,
            f"a fragment line needs 5 tab-separated columns (chrom, start, "
            f"end, barcode, count), found {frame.shape[1]}",
            first_line,
        )
    empty = np.zeros(len(frame), dtype=bool)
    for col in range(5):
        empty |= frame[col].to_numpy() == ""
    if empty.any():  # short lines are padded with empty fields by the reader
        i = int(np.flatnonzero(empty)[0])
        raise InputError(
            path,
            "a fragment line needs 5 tab-separated columns (chrom, start, "
            "end, barcode, count), some are missing or empty",
            first_line + i,
        )
    parsed = []
    for col, name in ((1, "start"), (2, "end"), (4, "count")):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = (
            ~np.isfinite(values.to_numpy(dtype=float))
            | (values.to_numpy(dtype=float) < 0)
            | (values.to_numpy(dtype=float) % 1 != 0)
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                path, f"{name} {frame[col].iloc[i]!r} is not a non-negative integer", first_line + i
            )
        parsed.append(values.to_numpy(dtype=np.int64))
    starts, ends, _ = parsed
    bad = np.flatnonzero(ends <= starts)
    if len(bad):
        i = int(bad[0])
        raise InputError(
            path, f"end {ends[i]} is not greater than start {starts[i]}", first_line + i
        )
    return frame[0].to_numpy(dtype=object), starts, ends, frame[3].to_numpy(dtype=object)


def _inflate(path: str | os.PathLike, block_bytes: int, put: Any, stop: Any) -> None:
    """Producer of :func:`_text_blocks`: whole lines of ``path`` in blocks of about
    ``block_bytes``, gzip (every member) inflated here, then ``None``; an error is put as
    itself. Runs on its own thread: ``zlib`` and file reads release the GIL, so inflating
    overlaps with the parsing, overlap and grouping of the previous block."""
    import zlib

    try:
        gz = is_gzip(path)
        inflater = zlib.decompressobj(wbits=31) if gz else None
        rest = b""
        with open(path, "rb") as handle:
            while not stop.is_set():
                raw = handle.read(block_bytes // 4 if gz else block_bytes)
                if not raw:
                    break
                if inflater is not None:
                    out = [inflater.decompress(raw)]
                    while inflater.eof and inflater.unused_data.lstrip(b"\0"):
                        tail = inflater.unused_data.lstrip(b"\0")
                        inflater = zlib.decompressobj(wbits=31)  # the next member
                        out.append(inflater.decompress(tail))
                    raw = b"".join(out)
                text = rest + raw if rest else raw
                cut = text.rfind(b"\n") + 1
                if len(text) < block_bytes and not cut:
                    rest = text
                    continue
                rest = text[cut:]
                if cut:
                    put(text[:cut])
        if inflater is not None and not inflater.eof:
            raise EOFError("truncated gzip data")
        if rest:
            put(rest)
    except (OSError, EOFError, zlib.error) as exc:
        put(exc)
    finally:
        put(None)


def _text_blocks(path: str | os.PathLike, block_bytes: int) -> Iterator[bytes]:
    """Blocks of whole lines of a plain or gzip file, inflated on a second thread."""
    import queue
    import threading

    blocks: queue.Queue = queue.Queue(maxsize=2)  # bounded: memory stays a few blocks
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                blocks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    worker = threading.Thread(target=_inflate, args=(path, block_bytes, put, stop), daemon=True)
    worker.start()
    try:
        while True:
            item = blocks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise pa.ArrowInvalid(f"unreadable: {item}")  # the careful reader names it
            yield item
    finally:
        stop.set()
        worker.join()


def _fast_chunks(
    path: str | os.PathLike, chunk_lines: int
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list, list]]:
    """Blocks of whole lines (:func:`_text_blocks`: inflated on a second thread) parsed by
    pyarrow's CSV reader (typed, dictionary-encoded names): ``(first line, chrom codes,
    starts, ends, barcode codes, chrom names, barcode names)`` per block. Raises
    ``pa.ArrowInvalid`` on a malformed file (the careful reader then names the line)."""
    import pyarrow.csv as pacsv

    skip = _header_lines(path)
    names = ["chrom", "start", "end", "barcode", "count"]
    parse = pacsv.ParseOptions(delimiter="\t", quote_char=False)
    convert = pacsv.ConvertOptions(
        column_types={
            "chrom": pa.dictionary(pa.int32(), pa.string()),
            "start": pa.int64(),
            "end": pa.int64(),
            "barcode": pa.dictionary(pa.int32(), pa.string()),
            "count": pa.int64(),
        },
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    line = skip + 1
    for text in _text_blocks(path, max(1 << 20, chunk_lines * 16)):
        if skip:  # the header lines at the top of the first block(s): one slice
            at = 0
            while skip and at < len(text):
                at = text.find(b"\n", at) + 1 or len(text)
                skip -= 1
            text = text[at:]
            if not text:
                continue
        batch = pacsv.read_csv(
            pa.py_buffer(text),
            read_options=pacsv.ReadOptions(
                column_names=names, block_size=len(text) + 1, use_threads=False
            ),
            parse_options=parse,
            convert_options=convert,
        ).combine_chunks()
        n = batch.num_rows
        chrom, barcode = batch.column(0).chunk(0), batch.column(3).chunk(0)
        starts = batch.column(1).chunk(0).to_numpy()
        ends = batch.column(2).chunk(0).to_numpy()
        counts = batch.column(4).chunk(0).to_numpy()
        bad = (starts < 0) | (ends <= starts) | (counts < 0)
        ch_names, bc_names = chrom.dictionary.to_pylist(), barcode.dictionary.to_pylist()
        if np.any(bad) or "" in ch_names or "" in bc_names:
            raise pa.ArrowInvalid("bad values")  # the careful reader locates them
        yield (
            line,
            chrom.indices.to_numpy(),
            starts,
            ends,
            barcode.indices.to_numpy(),
            ch_names,
            bc_names,
        )
        line += n


def _careful_chunks(path: str | os.PathLike, chunk_lines: int):
    """The pandas reader with per-line checks (same output as :func:`_fast_chunks`)."""
    import pandas as pd

    for first_line, frame in _chunks(path, chunk_lines):
        chroms, starts, ends, barcodes = _check(path, first_line, frame)
        ch_codes, ch_uniques = pd.factorize(chroms, sort=False)
        bc_codes, bc_uniques = pd.factorize(barcodes, sort=False)
        yield (
            first_line,
            ch_codes,
            starts,
            ends,
            bc_codes,
            [str(c) for c in ch_uniques],
            [str(b) for b in bc_uniques],
        )


def _blocks(path: str | os.PathLike, chunk_lines: int):
    """Fast blocks when the file is clean; otherwise the careful reader, which raises the
    located error (nothing is yielded twice: a bad file is read again from the start only
    to find the line, and the error always comes)."""
    fast = _fast_chunks(path, chunk_lines)
    buffered = []
    try:
        for block in fast:
            buffered.append(block)
            if len(buffered) > 1:
                yield buffered.pop(0)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        import zlib

        try:
            for _ in _careful_chunks(path, chunk_lines):
                pass
        except (EOFError, OSError, zlib.error) as exc:  # truncated or corrupt gzip
            raise InputError(path, f"corrupt or truncated gzip data ({exc})") from None
        raise InputError(path, "malformed fragments file") from None
    yield from buffered


#: (cell, row) keys and their hit counts travel packed in one int64, ``key << _HIT_BITS |
#: hits``, so merging is one ``np.sort`` (no argsort, no lexsort) and a run sum
_HIT_BITS = 24
_HIT_MASK = (1 << _HIT_BITS) - 1


def _merge_packed(packed: np.ndarray, runs: bool = False) -> np.ndarray:
    """Sum the hits of equal keys in packed ``key << _HIT_BITS | hits`` values; sorted by
    key. ``runs``: ``packed`` is a few sorted runs end to end (merged parts), which numpy's
    stable sort (timsort) merges in a fraction of a quicksort's time. A sum that would not
    fit the hit bits raises OverflowError."""
    if len(packed) < 2:
        return packed
    packed.sort(kind="stable" if runs else "quicksort")  # in place: the callers' own array
    keys = packed >> _HIT_BITS
    heads = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    if len(heads) == len(packed):
        return packed
    hits = np.add.reduceat(packed & _HIT_MASK, heads)
    if int(hits.max()) > _HIT_MASK:
        raise OverflowError("more hits of one cell on one region than the packed form holds")
    return (keys[heads] << _HIT_BITS) | hits


def count_fragments(
    tokenizer: Any,
    path: str | os.PathLike,
    *,
    unknown: str = "drop",
    whitelist: Iterable[str] | None = None,
    min_fragments: int = 1,
    chunk_lines: int = CHUNK_LINES,
) -> FragmentCounts:
    """Stream a fragments file into per-cell region hit counts (module doc).

    Per block: the fragments' universe rows (one vectorised overlap call), packed with their
    cell into ``(cell * (rows + 1) + row) << 24 | hits`` and merged (sorted, equal keys
    summed) into the running totals now and then, so memory follows the distinct (cell,
    region) pairs, not the file."""
    if unknown not in ("drop", "unk"):
        raise ValueError(f"unknown must be 'drop' or 'unk', not {unknown!r}")
    keep = None if whitelist is None else set(whitelist)
    universe = tokenizer.universe
    n_rows = len(universe)
    width = n_rows + 1  # sorted universe rows, then <unk>
    codes: dict[str, int] = {}
    frag_counts = np.zeros(0, dtype=np.int64)
    parts: list[np.ndarray] = []
    n_parts = 0  # values in parts
    n_merged = 0  # values in parts[0] after the last merge
    for _, ch_codes, starts, ends, bc_codes, ch_names, bc_names in _blocks(path, chunk_lines):
        if keep is not None:
            allowed = np.fromiter((b in keep for b in bc_names), dtype=bool, count=len(bc_names))
            mask = allowed[bc_codes]
            ch_codes, starts, ends, bc_codes = (
                ch_codes[mask],
                starts[mask],
                ends[mask],
                bc_codes[mask],
            )
        if not len(starts):
            continue
        local = np.fromiter(
            (codes.setdefault(b, len(codes)) for b in bc_names), dtype=np.int64, count=len(bc_names)
        )
        if len(codes) * width >= 1 << (62 - _HIT_BITS):
            raise ValueError(
                f"{len(codes)} cells x {width} regions are too many for the "
                "packed (cell, region) keys"
            )
        cells = local[bc_codes]
        frag_counts = np.concatenate(
            [frag_counts, np.zeros(len(codes) - len(frag_counts), np.int64)]
        )
        frag_counts += np.bincount(cells, minlength=len(codes))
        regions = Regions(
            chroms=list(ch_names), chrom_index=ch_codes.astype(np.int32), starts=starts, ends=ends
        )
        q_idx, rows = overlap_pairs(universe, regions)
        packed = cells[q_idx] * width
        packed += rows
        if unknown == "unk":
            missed = np.ones(len(starts), dtype=bool)
            missed[q_idx] = False
            packed = np.concatenate([packed, cells[missed] * width + n_rows])
        packed <<= _HIT_BITS
        packed |= 1
        parts.append(_merge_packed(packed))
        n_parts += len(parts[-1])
        if n_parts > 2 * n_merged + 1_000_000:  # merge now and then: bounded memory
            parts = [_merge_packed(np.concatenate(parts), runs=True)]
            n_parts = n_merged = len(parts[0])
    packed = _merge_packed(np.concatenate(parts), runs=True) if parts else np.zeros(0, np.int64)
    del parts
    # cells sorted by barcode; filter by min_fragments
    names = list(codes)
    order = sorted(range(len(names)), key=names.__getitem__)
    n_frag = frag_counts
    kept = [c for c in order if n_frag[c] >= min_fragments]
    new_code = np.full(len(names), -1, dtype=np.int64)
    new_code[kept] = np.arange(len(kept))
    # renumber the cells in place (key = cell * width + row): one sorted run per cell,
    # which timsort merges into barcode order
    cell = new_code[(packed >> _HIT_BITS) // width]
    if len(kept) < len(names):
        packed, cell = packed[cell >= 0], cell[cell >= 0]
    packed += (cell - (packed >> _HIT_BITS) // width) * (width << _HIT_BITS)
    del cell
    packed.sort(kind="stable")
    hits = packed & _HIT_MASK
    packed >>= _HIT_BITS
    cell, row = np.divmod(packed, width)
    del packed
    row_to_id = np.append(
        universe.ids if universe.ids is not None else np.arange(n_rows), tokenizer.unk_token_id
    )
    return FragmentCounts(
        barcodes=[names[c] for c in kept],
        n_fragments=n_frag[kept],
        cell=cell,
        token=row_to_id[row],
        hits=hits,
    )


def fragments_table(
    counts: FragmentCounts, *, dedupe: bool = False, with_counts: bool = True
) -> pa.Table:
    """One row per cell: ``barcode``, ``input_ids`` (module doc), ``counts`` (with
    ``dedupe``), ``n_fragments``, ``n_tokens``."""
    n_cells = len(counts.barcodes)
    if dedupe:
        per_cell = np.bincount(counts.cell, minlength=n_cells)
        ids = counts.token
    else:
        ids = np.repeat(counts.token, counts.hits)
        per_cell = np.bincount(counts.cell, weights=counts.hits, minlength=n_cells).astype(np.int64)
    columns: dict[str, pa.Array] = {
        "barcode": pa.array(counts.barcodes, pa.string()),
        "input_ids": list_array(ids, per_cell),
    }
    if dedupe and with_counts:
        columns["counts"] = list_array(counts.hits, per_cell)
    columns["n_fragments"] = pa.array(counts.n_fragments, pa.int64())
    columns["n_tokens"] = pa.array(per_cell.astype(np.int64), pa.int64())
    return pa.table(columns)


def write_h5ad(counts: FragmentCounts, tokenizer: Any, path: str | os.PathLike) -> Path:
    """Cells x regions count matrix (CSR) as AnnData ``.h5ad`` (obs: barcodes and fragment
    counts; var: region tokens in id order). ``<unk>`` hits are left out."""
    try:
        import anndata
    except ImportError as exc:  # pragma: no cover - optional extra
        raise ImportError("writing .h5ad needs anndata (pip install 'genovocab[anndata]')") from exc
    import pandas as pd
    import scipy.sparse as sp

    from genovocab.fileutil import atomic_path

    real = counts.token < tokenizer.n_regions
    mat = sp.csr_matrix(
        (counts.hits[real].astype(np.float32), (counts.cell[real], counts.token[real])),
        shape=(len(counts.barcodes), tokenizer.n_regions),
    )
    obs = pd.DataFrame(
        {"n_fragments": counts.n_fragments}, index=pd.Index(counts.barcodes, name="barcode")
    )
    var = pd.DataFrame(
        index=pd.Index(
            tokenizer.convert_ids_to_tokens(list(range(tokenizer.n_regions))), name="region"
        )
    )
    adata = anndata.AnnData(X=mat, obs=obs, var=var)
    with atomic_path(path, suffix=".h5ad") as tmp:
        adata.write_h5ad(tmp)
    return Path(path)


def write_fragments_corpus(
    tokenizer: Any,
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    n_shards: int = 1,
    dedupe: bool = False,
    unknown: str = "drop",
    min_fragments: int = 1,
    whitelist: Iterable[str] | None = None,
    h5ad: str | os.PathLike | None = None,
    title: str = "Fragments corpus",
    license: str = "other",
    chunk_lines: int = CHUNK_LINES,
) -> tuple[list[Path], dict[str, Any]]:
    """Stream ``path`` into a corpus folder (shards + card), optionally an ``.h5ad``."""
    from genovocab.corpora import card as _card
    from genovocab.corpora.shards import write_corpus

    counts = count_fragments(
        tokenizer,
        path,
        unknown=unknown,
        whitelist=whitelist,
        min_fragments=min_fragments,
        chunk_lines=chunk_lines,
    )
    table = fragments_table(counts, dedupe=dedupe)
    stats: dict[str, Any] = {
        "cells": len(counts.barcodes),
        "fragments": int(counts.n_fragments.sum()),
        "tokens": int(table.column("n_tokens").to_numpy().sum()) if table.num_rows else 0,
        "regions_used": int(len(np.unique(counts.token[counts.token < tokenizer.n_regions]))),
        "vocabulary_regions": tokenizer.n_regions,
        "dedupe": dedupe,
        "unknown": unknown,
        "min_fragments": min_fragments,
        "whitelist": whitelist is not None,
    }
    info = _card.CardInfo(
        title=title,
        license=license,
        tags=["biology", "genomics", "single-cell", "scATAC"],
        description=(
            "Each row is one cell barcode of a fragments file: `input_ids` are the universe "
            "region ids its fragments overlap, in genomic order ("
            + (
                "each region once; `counts`: fragments hitting it"
                if dedupe
                else "once per overlapping fragment"
            )
            + "); `n_fragments`: the cell's fragments."
        ),
        column_docs={
            "barcode": "cell barcode",
            "n_fragments": "fragments of the cell",
            "n_tokens": "length of `input_ids`",
        },
    )
    tables = {"train": table}
    card = _card.dataset_card(tables, info, stats, n_shards)
    paths = write_corpus(tables, out_dir, n_shards=n_shards, card=card, stats=stats)
    if h5ad is not None:
        write_h5ad(counts, tokenizer, h5ad)
    return paths, stats
