"""Position frequency matrices (PFMs) in JASPAR and MEME format.

Both readers return :class:`Matrix` objects sorted by matrix id (plain string order, which
for JASPAR ids such as ``MA0079.5 < MA0139.1`` is also numeric order); every later stage relies
on that order (feature ``2 * i`` is matrix ``i`` on ``+``, ``2 * i + 1`` on ``-``).

* JASPAR: a header ``>MA0139.1 CTCF`` then four rows ``A [ 87 167 ... ]`` in A, C, G, T order
  (brackets and the letter are optional; rows must then come in A, C, G, T order).
* MEME (minimal MEME format, version 4): ``MOTIF <id> [<name>]`` followed by a
  ``letter-probability matrix: alength= 4 w= W nsites= N`` line and W rows of 4 probabilities.
  Counts are probabilities x ``nsites`` (20 when the line gives no ``nsites``, the MEME default),
  so that the pseudocount rule sqrt(N)/4 of :mod:`genovocab.motifs.sites` sees the same N.

Malformed input raises :class:`~genovocab.errors.InputError` naming the file, the line and
the problem.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from genovocab.errors import InputError
from genovocab.fileutil import read_bytes

BASES = "ACGT"
MEME_DEFAULT_NSITES = 20
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Matrix:
    """One PFM: ``counts`` is a float64 array of shape (4, width), rows A, C, G, T."""

    matrix_id: str
    name: str
    counts: np.ndarray

    @property
    def width(self) -> int:
        return int(self.counts.shape[1])


def _read(path: str | os.PathLike) -> bytes:
    """The file's bytes (gunzipped); a truncated or corrupt gzip stream names the file."""
    try:
        return read_bytes(path)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(path, f"truncated or corrupt gzip data ({exc})") from None


def _lines(path: str | os.PathLike) -> list[str]:
    try:
        text = _read(path).decode("utf-8-sig")  # a BOM is no character of the first line
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _numbers(fields: Iterable[str], path, line: int, what: str) -> list[float]:
    values = []
    for field in fields:
        if not _NUMBER.match(field):
            raise InputError(path, f"{what}: {field!r} is not a number", line)
        value = float(field)
        if not math.isfinite(value):
            raise InputError(path, f"{what}: {field!r} is not a finite number", line)
        if value < 0:
            raise InputError(path, f"{what}: negative value {field}", line)
        values.append(value)
    return values


def _finish(matrices: list[Matrix], path, kind: str, lines: list[int]) -> list[Matrix]:
    """Sorted matrices; ``lines`` holds each one's header line (a repeated id names both)."""
    if not matrices:
        raise InputError(path, f"no {kind} matrices found")
    seen: dict[str, int] = {}
    for m, line in zip(matrices, lines):
        if m.matrix_id in seen:
            raise InputError(
                path,
                f"matrix id {m.matrix_id} appears more than once (first "
                f"on line {seen[m.matrix_id]})",
                line,
            )
        seen[m.matrix_id] = line
    return sorted(matrices, key=lambda m: m.matrix_id)


def _check_columns(counts: np.ndarray, path, line: int, matrix_id: str) -> None:
    empty = np.flatnonzero(counts.sum(axis=0) <= 0)
    if empty.size:
        raise InputError(
            path, f"matrix {matrix_id}: column {int(empty[0]) + 1} has no counts", line
        )


def read_jaspar(path: str | os.PathLike) -> list[Matrix]:
    """Matrices of a JASPAR-format file, sorted by matrix id."""
    lines = _lines(path)
    matrices: list[Matrix] = []
    header_lines: list[int] = []
    i = 0
    n = len(lines)
    while i < n:
        raw = lines[i].strip()
        if not raw or raw.startswith("#"):
            i += 1
            continue
        if not raw.startswith(">"):
            raise InputError(path, f"expected a '>ID NAME' header, found {raw[:40]!r}", i + 1)
        header_line = i + 1
        parts = raw[1:].split(None, 1)
        if not parts:
            raise InputError(path, "header has no matrix id", header_line)
        matrix_id = parts[0]
        name = parts[1].strip() if len(parts) > 1 else matrix_id
        rows: list[list[float]] = []
        i += 1
        while len(rows) < 4:
            if i >= n or lines[i].strip().startswith(">") or not lines[i].strip():
                raise InputError(
                    path,
                    f"matrix {matrix_id} has {len(rows)} rows, expected 4 (A, C, G, T)",
                    min(i + 1, n),
                )
            row = lines[i].strip()
            letter = BASES[len(rows)]
            if row[0].isalpha():
                if row[0].upper() != letter:
                    raise InputError(
                        path, f"matrix {matrix_id}: expected row {letter}, found {row[0]!r}", i + 1
                    )
                row = row[1:].strip()
            row = row.replace("[", " ").replace("]", " ")
            values = _numbers(row.split(), path, i + 1, f"matrix {matrix_id} row {letter}")
            if not values:
                raise InputError(path, f"matrix {matrix_id} row {letter} is empty", i + 1)
            if rows and len(values) != len(rows[0]):
                raise InputError(
                    path,
                    f"matrix {matrix_id} row {letter} has {len(values)} "
                    f"columns, row A has {len(rows[0])}",
                    i + 1,
                )
            rows.append(values)
            i += 1
        counts = np.array(rows, dtype=np.float64)
        _check_columns(counts, path, header_line, matrix_id)
        matrices.append(Matrix(matrix_id, name, counts))
        header_lines.append(header_line)
    return _finish(matrices, path, "JASPAR", header_lines)


_MEME_INFO = re.compile(r"letter-probability matrix:(.*)$", re.IGNORECASE)


def read_meme(path: str | os.PathLike) -> list[Matrix]:
    """Matrices of a minimal-MEME-format file, sorted by matrix id."""
    lines = _lines(path)
    if not any(line.startswith("MEME version") for line in lines[:50]):
        raise InputError(path, "not a MEME file: no 'MEME version' line", 1)
    for k, line in enumerate(lines):
        if line.startswith("ALPHABET") and "ACGT" not in line.replace(" ", ""):
            raise InputError(
                path, f"only the DNA alphabet ACGT is supported: {line.strip()}", k + 1
            )
    matrices: list[Matrix] = []
    header_lines: list[int] = []
    i, n = 0, len(lines)
    while i < n:
        raw = lines[i].strip()
        if not raw.startswith("MOTIF"):
            i += 1
            continue
        header_line = i + 1
        parts = raw.split()
        if len(parts) < 2:
            raise InputError(path, "MOTIF line has no matrix id", header_line)
        matrix_id = parts[1]
        name = " ".join(parts[2:]) or matrix_id
        i += 1
        while i < n and not _MEME_INFO.search(lines[i]):
            if lines[i].strip().startswith("MOTIF"):
                break
            i += 1
        if i >= n or not _MEME_INFO.search(lines[i]):
            raise InputError(
                path, f"motif {matrix_id} has no 'letter-probability matrix' line", header_line
            )
        info_line = i + 1
        info = _MEME_INFO.search(lines[i]).group(1)
        keys = dict(re.findall(r"(\w+)\s*=\s*(\S+)", info))
        try:
            width = int(keys["w"])
            alength = int(keys.get("alength", 4))
            nsites = float(keys.get("nsites", MEME_DEFAULT_NSITES))
        except (KeyError, ValueError) as exc:
            raise InputError(
                path,
                f"motif {matrix_id}: bad letter-probability line ({lines[i].strip()!r})",
                info_line,
            ) from exc
        if alength != 4:
            raise InputError(path, f"motif {matrix_id}: alength={alength}, expected 4", info_line)
        if width < 1 or nsites <= 0:
            raise InputError(path, f"motif {matrix_id}: w and nsites must be positive", info_line)
        rows = []
        i += 1
        while len(rows) < width:
            if i >= n:
                raise InputError(path, f"motif {matrix_id} has {len(rows)} rows, w= {width}", n)
            row = lines[i].strip()
            if not row:
                i += 1
                continue
            if row.startswith(("MOTIF", "URL", "letter")):
                raise InputError(path, f"motif {matrix_id} has {len(rows)} rows, w= {width}", i + 1)
            values = _numbers(row.split(), path, i + 1, f"motif {matrix_id}")
            if len(values) != 4:
                raise InputError(
                    path, f"motif {matrix_id}: row has {len(values)} values, expected 4", i + 1
                )
            if abs(sum(values) - 1.0) > 0.02:
                raise InputError(
                    path,
                    f"motif {matrix_id}: probabilities sum to {sum(values):.4f}, expected 1",
                    i + 1,
                )
            rows.append(values)
            i += 1
        counts = np.array(rows, dtype=np.float64).T * nsites
        matrices.append(Matrix(matrix_id, name, counts))
        header_lines.append(header_line)
    return _finish(matrices, path, "MEME", header_lines)


def read_matrices(path: str | os.PathLike) -> list[Matrix]:
    """JASPAR or MEME matrices, the format sniffed from the content; sorted by matrix id."""
    head = _read(path)[:4096].decode("utf-8", errors="replace")
    if "MEME version" in head:
        return read_meme(path)
    return read_jaspar(path)


def select_matrices(
    matrices: list[Matrix], ids: Iterable[str] | None, path: str | os.PathLike | None = None
) -> list[Matrix]:
    """The matrices whose id is in ``ids`` (all when ``ids`` is empty/None); unknown ids fail."""
    wanted = list(ids or [])
    if not wanted:
        return list(matrices)
    known = {m.matrix_id for m in matrices}
    missing = sorted(set(wanted) - known)
    if missing:
        raise InputError(path, f"matrix ids not in the file: {', '.join(missing)}")
    keep = set(wanted)
    return [m for m in matrices if m.matrix_id in keep]


def write_jaspar(path: str | os.PathLike, matrices: Iterable[Matrix]) -> None:
    """Write matrices in JASPAR format (integers when every count is integral)."""
    from genovocab.fileutil import write_text_atomic

    out = []
    for m in sorted(matrices, key=lambda m: m.matrix_id):
        out.append(f">{m.matrix_id}\t{m.name}")
        for letter, row in zip(BASES, m.counts):
            cells = " ".join(f"{int(v):6d}" if float(v).is_integer() else f"{v:.2f}" for v in row)
            out.append(f"{letter}  [ {cells} ]")
    write_text_atomic(path, "\n".join(out) + "\n")
