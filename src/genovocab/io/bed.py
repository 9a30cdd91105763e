"""The BED reader every stage uses; it returns :class:`~genovocab.regions.Regions` with
line numbers (and columns 4.. when asked).

Reads BED3..BED12, narrowPeak and the cCRE layouts, plain or gzip (detected by magic bytes),
LF or CRLF, skipping ``track``/``browser``/``#`` lines. Coordinates are checked (integers,
0 <= start <= end, known chromosome and end within its size when chromosome sizes are given);
every error names the file, the line number and the problem. Zero-length intervals are
counted and skipped with a warning.

A well-formed file takes the fast path (pyarrow's multithreaded CSV parser, or pandas' C parser
when extra columns are kept; vectorised checks); a file with header or blank lines inside goes
through pandas with a line map, and only when that fails is the file re-read line by line, which
finds and names the first bad line.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from genovocab.errors import InputError
from genovocab.fileutil import is_gzip, read_bytes
from genovocab.regions import Regions

log = logging.getLogger(__name__)

HEADER_PREFIXES = (b"#", b"track", b"browser")
_HEADER_TEXT = ("#", "track", "browser", "\ufeff")
UnknownPolicy = Literal["error", "drop", "keep"]
_BLANK_OR_COMMENT = np.frombuffer(b"#\n\r", dtype=np.uint8)
_TRACK_OR_BROWSER = np.frombuffer(b"tb", dtype=np.uint8)


def _leading_header_lines(data: bytes) -> tuple[int, int]:
    """Count header lines at the top of the file; return (count, byte offset after them)."""
    count = 0
    offset = 0
    while offset < len(data):
        nl = data.find(b"\n", offset)
        line = data[offset:] if nl < 0 else data[offset:nl]
        if not line.startswith(HEADER_PREFIXES):
            break
        count += 1
        offset = len(data) if nl < 0 else nl + 1
    return count, offset


def _needs_slow_path(body: bytes) -> bool:
    """True when the body has header or blank lines the fast path cannot map to line numbers.

    Vectorised: only lines whose first bytes could start ``#``, ``track``, ``browser`` or a
    blank line are looked at one by one.
    """
    arr = np.frombuffer(body, dtype=np.uint8)
    starts = np.flatnonzero(arr == 10) + 1
    starts = np.concatenate([[0], starts[starts < len(arr)]])
    first = arr[starts]
    second = arr[np.minimum(starts + 1, len(arr) - 1)]
    maybe = np.isin(first, _BLANK_OR_COMMENT) | (
        np.isin(first, _TRACK_OR_BROWSER) & (second == ord("r"))
    )
    for pos in np.flatnonzero(maybe)[:10_000]:
        at = int(starts[pos])
        line = body[at : at + 8]
        if line.startswith(HEADER_PREFIXES):
            return True
        if line.startswith((b"\n", b"\r\n")) and body[at:].strip():
            return True  # a blank line followed by more data
    return bool(maybe.sum() > 10_000)


def _fast_parse(
    body: bytes, keep_columns: bool
) -> tuple[pd.Series, np.ndarray, np.ndarray, pd.DataFrame | None]:
    frame = pd.read_csv(
        io.BytesIO(body),
        sep="\t",
        header=None,
        engine="c",
        dtype={0: object, 1: np.int64, 2: np.int64},
        usecols=None if keep_columns else [0, 1, 2],
        na_filter=False,
        quoting=3,
        skip_blank_lines=False,
    )
    if frame.shape[1] < 3:
        raise ValueError("too few columns")
    extra = None
    if keep_columns and frame.shape[1] > 3:
        extra = frame.iloc[:, 3:].astype(str)
        extra.columns = [f"col{i + 1}" for i in range(3, frame.shape[1])]
    return (frame[0], frame[1].to_numpy(np.int64), frame[2].to_numpy(np.int64), extra)


def _arrow_column(column) -> np.ndarray:
    """A chunked Arrow column without nulls as one numpy array (zero-copy when possible)."""
    import pyarrow as pa

    array = column.chunk(0) if column.num_chunks == 1 else pa.concat_arrays(column.chunks)
    return array.to_numpy(zero_copy_only=False)


def _arrow_parse(source, size: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None:
    """Parse well-formed BED bytes with pyarrow's multithreaded CSV reader; None if unusual.

    Returns (chromosomes in first-appearance order, per-row codes, starts, ends). Anything
    this path does not fully understand (header, comment or blank lines anywhere, ragged
    columns, non-integer coordinates, empty names) gives None, and the caller falls back to
    the pandas and line-by-line paths, whose messages name the line.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            source,
            # blocks of a quarter of the file (256 KiB..4 MiB): small files still use threads
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True,
                block_size=int(min(4 << 20, max(256 << 10, size // 4))),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=["f0", "f1", "f2"],
                column_types={
                    "f0": pa.dictionary(pa.int32(), pa.string()),
                    "f1": pa.int64(),
                    "f2": pa.int64(),
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, KeyError):
        return None
    if table.num_columns != 3 or table.num_rows == 0:
        return None
    chrom_col = table.column(0).unify_dictionaries()
    # after unification every chunk shares one dictionary
    names = [name.rstrip("\r") for name in chrom_col.chunk(0).dictionary.to_pylist()]
    if any(not name or name.startswith(_HEADER_TEXT) for name in names) or len(set(names)) != len(
        names
    ):
        return None
    codes = _arrow_column(
        pa.chunked_array([chunk.indices for chunk in chrom_col.chunks], type=pa.int32())
    )
    if codes[0] != 0 or (codes[1:] > np.maximum.accumulate(codes)[:-1] + 1).any():
        # not in first-appearance order: renumber (rare)
        _, first = np.unique(codes, return_index=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        codes = rank[codes]
        names = [names[i] for i in order]
    return (
        names,
        codes.astype(np.int32, copy=False),
        _arrow_column(table.column(1)),
        _arrow_column(table.column(2)),
    )


def _arrow_read(path: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None:
    """The pyarrow fast path on a file: memory-mapped when plain, decompressed when gzip."""
    import pyarrow as pa

    if is_gzip(path):
        data = read_bytes(path)
        return _arrow_parse(pa.BufferReader(data), len(data)) if data.strip() else None
    size = os.path.getsize(path)
    if size == 0:
        return None
    with pa.memory_map(path) as source:
        return _arrow_parse(source, size)


_ASCII_INT = re.compile(r"-?[0-9]+")
_INT64_MAX = (1 << 63) - 1


def _parse_int(text: str, path: str, line: int, what: str) -> int:
    # ASCII digits only: str.isdigit() also takes superscripts ('1²'), which int() refuses
    text = text.strip()
    if not _ASCII_INT.fullmatch(text):
        raise InputError(path, f"{what} {text!r} is not an integer", line)
    value = int(text)
    if abs(value) > _INT64_MAX:
        raise InputError(path, f"{what} {text} is beyond the 64-bit integer range", line)
    return value


def _slow_parse(data: bytes, path: str, keep_columns: bool):
    """Line-by-line parser: exact line numbers for every row and for the first bad line."""
    chroms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    lines: list[int] = []
    extras: list[list[str]] = []
    text = data.decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            hint = " (columns must be tab-separated)" if " " in line else ""
            raise InputError(
                path,
                f"expected at least 3 tab-separated columns (chrom, start, "
                f"end), found {len(fields)}{hint}",
                number,
            )
        if not fields[0]:
            raise InputError(path, "empty chromosome name", number)
        chroms.append(fields[0])
        starts.append(_parse_int(fields[1], path, number, "start"))
        ends.append(_parse_int(fields[2], path, number, "end"))
        lines.append(number)
        if keep_columns:
            extras.append(fields[3:])
    extra = None
    if keep_columns and extras and max(len(e) for e in extras):
        width = max(len(e) for e in extras)
        extra = pd.DataFrame(
            [e + [""] * (width - len(e)) for e in extras],
            columns=[f"col{i + 4}" for i in range(width)],
        )
    return (
        pd.Series(chroms, dtype=object),
        np.asarray(starts, dtype=np.int64),
        np.asarray(ends, dtype=np.int64),
        np.asarray(lines, dtype=np.int64),
        extra,
    )


def read_bed(
    path: str | os.PathLike,
    chrom_sizes: Mapping[str, int] | None = None,
    *,
    unknown_chroms: UnknownPolicy = "error",
    allow_empty: bool = False,
    require_sorted: bool = False,
    keep_columns: bool = False,
) -> Regions:
    """Read and check a BED-like file into :class:`~genovocab.regions.Regions`, in file order,
    with each row's 1-based ``line_numbers`` and, with ``keep_columns``, ``columns`` 4.. as
    strings.

    ``chrom_sizes`` (optional) makes unknown chromosomes an error (``unknown_chroms="error"``),
    drops them with a warning (``"drop"``) or keeps them (``"keep"``), and checks ends against
    chromosome sizes. ``require_sorted`` demands each chromosome in one block with
    non-decreasing starts. ``allow_empty`` accepts a file with no interval.
    """
    path_str = os.fspath(path)
    try:
        parsed = None if keep_columns else _arrow_read(path_str)
    except OSError as exc:
        raise InputError(path_str, f"cannot read file: {exc.strerror or exc}") from exc
    except (EOFError, ValueError) as exc:  # truncated or corrupt gzip
        raise InputError(path_str, f"corrupt gzip data: {exc}") from exc
    if parsed is not None:  # a well-formed file: no header or blank lines, rows = lines
        chroms, codes, starts, ends = parsed
        result = Regions(
            chroms=chroms,
            chrom_index=codes,
            starts=starts,
            ends=ends,
            line_numbers=np.arange(1, len(starts) + 1, dtype=np.int64),
            path=path_str,
        )
        return _finish(result, chrom_sizes, unknown_chroms, allow_empty, require_sorted)
    try:
        data = read_bytes(path_str)
    except OSError as exc:
        raise InputError(path_str, f"cannot read file: {exc.strerror or exc}") from exc
    except (EOFError, ValueError) as exc:  # truncated or corrupt gzip
        raise InputError(path_str, f"corrupt gzip data: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM is no line: a '#' line may follow
        data = data[3:]
    n_header, offset = _leading_header_lines(data)
    body = data[offset:]
    if not body or body.isspace():
        if allow_empty:
            return Regions.empty(path_str)
        raise InputError(path_str, "file is empty: no intervals found")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    line_numbers = None
    try:
        if _needs_slow_path(body):
            raise ValueError("header or blank lines inside the file")
        chrom_col, starts, ends, extra = _fast_parse(body, keep_columns)
        if (chrom_col == "").any():  # na_filter=False: every value is a str
            raise ValueError("empty chromosome")
        line_numbers = np.arange(1, len(starts) + 1, dtype=np.int64) + n_header
    except (ValueError, pd.errors.ParserError, TypeError, OverflowError):
        chrom_col, starts, ends, line_numbers, extra = _slow_parse(data, path_str, keep_columns)
    codes, uniques = pd.factorize(chrom_col, sort=False)
    chroms = [str(c) for c in uniques]
    result = Regions(
        chroms=chroms,
        chrom_index=codes.astype(np.int32),
        starts=starts,
        ends=ends,
        line_numbers=line_numbers,
        path=path_str,
        columns=extra,
    )
    return _finish(result, chrom_sizes, unknown_chroms, allow_empty, require_sorted)


def _finish(
    result: Regions,
    chrom_sizes: Mapping[str, int] | None,
    unknown_chroms: UnknownPolicy,
    allow_empty: bool,
    require_sorted: bool,
) -> Regions:
    """Checks shared by every parsing path: coordinates, chromosomes, zero length, order."""
    _check_coordinates(result)
    if chrom_sizes is not None:
        result = _check_chromosomes(result, chrom_sizes, unknown_chroms)
    result = _drop_zero_length(result)
    if len(result) == 0 and not allow_empty:
        raise InputError(
            result.path, "no intervals left (all were zero-length or on unknown chromosomes)"
        )
    if require_sorted:
        check_sorted(result)
    return result


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_coordinates(iv: Regions) -> None:
    bad = iv.starts < 0
    if bad.any():
        i = _first(bad)
        raise InputError(iv.path, f"negative start {iv.starts[i]}", int(iv.line_numbers[i]))
    bad = iv.ends < iv.starts
    if bad.any():
        i = _first(bad)
        raise InputError(
            iv.path,
            f"start {iv.starts[i]} is greater than end {iv.ends[i]}",
            int(iv.line_numbers[i]),
        )


def _subset(iv: Regions, keep: np.ndarray) -> Regions:
    """Rows ``keep`` of ``iv``; chromosomes left without rows are removed from ``chroms``."""
    return iv.take(keep).without_unused_chroms()


def _check_chromosomes(
    iv: Regions, chrom_sizes: Mapping[str, int], policy: UnknownPolicy
) -> Regions:
    known = np.array([c in chrom_sizes for c in iv.chroms], dtype=bool)
    if len(known) and not known.all():
        unknown_rows = ~known[iv.chrom_index]
        names = sorted({iv.chroms[i] for i in np.flatnonzero(~known)})
        if policy == "error":
            i = _first(unknown_rows)
            raise InputError(
                iv.path,
                f"unknown chromosome {iv.chroms[iv.chrom_index[i]]!r} "
                "(not in the genome's chromosome sizes)",
                int(iv.line_numbers[i]),
            )
        if policy == "drop":
            n = int(unknown_rows.sum())
            log.warning(
                "%s: dropped %d interval(s) on chromosomes not in the genome: %s",
                iv.path,
                n,
                ", ".join(names),
            )
            iv = _subset(iv, ~unknown_rows)
            iv.n_unknown_chrom = n
    sizes = np.array(
        [chrom_sizes.get(c, np.iinfo(np.int64).max) for c in iv.chroms], dtype=np.int64
    )
    if len(iv):
        beyond = iv.ends > sizes[iv.chrom_index]
        if beyond.any():
            i = _first(beyond)
            chrom = iv.chroms[iv.chrom_index[i]]
            raise InputError(
                iv.path,
                f"end {iv.ends[i]} is beyond the end of {chrom} ({chrom_sizes[chrom]} bp)",
                int(iv.line_numbers[i]),
            )
    return iv


def _drop_zero_length(iv: Regions) -> Regions:
    zero = iv.starts == iv.ends
    if not zero.any():
        return iv
    n = int(zero.sum())
    log.warning(
        "%s: skipped %d zero-length interval(s) (first at line %d)",
        iv.path,
        n,
        int(iv.line_numbers[_first(zero)]),
    )
    kept = _subset(iv, ~zero)
    kept.n_zero_length = iv.n_zero_length + n
    return kept


def check_sorted(iv: Regions) -> None:
    """Raise :class:`InputError` unless each chromosome is one block with non-decreasing starts."""
    if len(iv) < 2:
        return
    change = np.flatnonzero(iv.chrom_index[1:] != iv.chrom_index[:-1]) + 1
    block_chroms = iv.chrom_index[np.concatenate([[0], change])]
    if len(np.unique(block_chroms)) != len(block_chroms):
        seen: set[int] = set()
        for pos, c in zip(np.concatenate([[0], change]), block_chroms):
            if int(c) in seen:
                raise InputError(
                    iv.path,
                    f"file is not sorted: {iv.chroms[c]} appears again after other chromosomes",
                    int(iv.line_numbers[pos]),
                )
            seen.add(int(c))
    same = iv.chrom_index[1:] == iv.chrom_index[:-1]
    down = same & (iv.starts[1:] < iv.starts[:-1])
    if down.any():
        i = _first(down) + 1
        raise InputError(
            iv.path,
            f"file is not sorted: start {iv.starts[i]} comes after start {iv.starts[i - 1]}",
            int(iv.line_numbers[i]),
        )


def sort_dedupe_bed3(
    chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray, chrom_order: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort intervals by (chromosome in ``chrom_order``, start, end) and drop exact duplicates.

    ``chroms`` holds names; a name missing from ``chrom_order`` is an error (ValueError).
    Returns (chrom names, starts, ends) as arrays.
    """
    regions = Regions.from_arrays(chroms, starts, ends, chrom_order).sorted(dedupe=True)
    return regions.names(), regions.starts, regions.ends


def write_bed3(
    path: str | os.PathLike, chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> None:
    """Write BED3 (tab-separated, no header) atomically, in the order given.

    A name ending ``.gz`` is gzipped deterministically (mtime 0), so equal input gives equal
    bytes. Use :func:`sort_dedupe_bed3` first for a sorted, deduplicated universe.
    """
    from genovocab.fileutil import write_bytes_atomic

    frame = pd.DataFrame(
        {
            "chrom": np.asarray(chroms, dtype=object),
            "start": np.asarray(starts, dtype=np.int64),
            "end": np.asarray(ends, dtype=np.int64),
        }
    )
    text = frame.to_csv(sep="\t", header=False, index=False, lineterminator="\n")
    write_bytes_atomic(path, text.encode("utf-8"))
