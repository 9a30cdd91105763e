"""FASTA reading, the one place of it: a checked stream of records (:func:`iter_fasta`, one
record in memory at a time) and random access through pyfaidx (:func:`open_fasta`: plain, BGZF
or ordinary gzip).

Plain FASTA and BGZF (``bgzip``) are indexed in place by pyfaidx (``.fai``, and ``.gzi`` for
BGZF, which needs Biopython). An ordinary gzip file cannot be indexed, so it is decompressed
once into a cache folder (``$GENOVOCAB_CACHE`` or ``~/.cache/genovocab``) keyed by the file's
path, size and modification time, and the plain copy is opened instead.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyfaidx

from genovocab.errors import InputError
from genovocab.fileutil import GZIP_MAGIC, atomic_path

ACCEPTED = "plain FASTA, BGZF (bgzip) or gzip FASTA"

IUPAC = b"ACGTNRYKMSWBDHVUacgtnrykmswbdhvu"
_ALLOWED = np.zeros(256, dtype=bool)
_ALLOWED[np.frombuffer(IUPAC, dtype=np.uint8)] = True


@dataclass
class Record:
    """One FASTA record: name (first word of the header), sequence bytes, header line number."""

    name: str
    sequence: bytes
    line: int


def _open_binary(path: str | os.PathLike):
    with open(path, "rb") as handle:
        magic = handle.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else open(path, "rb")


def iter_fasta(path: str | os.PathLike) -> Iterator[Record]:
    """Yield checked FASTA records one at a time (memory: one chromosome).

    Errors name the file and line: text before the first header, an empty name, a duplicated
    name, a record with no sequence, a character that is not an IUPAC nucleotide code.
    """
    seen: set[str] = set()
    name: str | None = None
    header_line = 0
    chunks: list[bytes] = []
    first_line_of_chunk: list[int] = []
    try:
        with _open_binary(path) as handle:
            number = 0
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip(b"\r\n")
                if line.startswith(b">"):
                    if name is not None:
                        yield _finish(path, name, header_line, chunks, first_line_of_chunk)
                    try:
                        name = (
                            line[1:].split(maxsplit=1)[0].decode("utf-8")
                            if line[1:].strip()
                            else ""
                        )
                    except UnicodeDecodeError:
                        raise InputError(path, "FASTA header is not UTF-8 text", number) from None
                    if not name:
                        raise InputError(path, "FASTA header without a sequence name", number)
                    if name in seen:
                        raise InputError(path, f"sequence name {name!r} appears twice", number)
                    seen.add(name)
                    header_line = number
                    chunks, first_line_of_chunk = [], []
                elif line.strip():
                    if name is None:
                        raise InputError(
                            path,
                            "sequence data before the first '>' header (not a FASTA file?)",
                            number,
                        )
                    chunks.append(line.strip())
                    first_line_of_chunk.append(number)
            if name is None:
                raise InputError(path, "no FASTA records found (empty file?)")
            yield _finish(path, name, header_line, chunks, first_line_of_chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, f"corrupt or truncated gzip data: {exc}") from exc


def _finish(path, name: str, header_line: int, chunks: list[bytes], lines: list[int]) -> Record:
    sequence = b"".join(chunks)
    if not sequence:
        raise InputError(path, f"sequence {name!r} is empty", header_line)
    codes = np.frombuffer(sequence, dtype=np.uint8)
    bad = ~_ALLOWED[codes]
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        ends = np.cumsum([len(c) for c in chunks])
        which = int(np.searchsorted(ends, pos, side="right"))
        raise InputError(
            path,
            f"invalid character {chr(codes[pos])!r} in sequence {name!r} "
            "(not an IUPAC nucleotide code)",
            lines[which],
        )
    return Record(name, sequence, header_line)


def gzip_kind(path: str | os.PathLike) -> str:
    """``"bgzf"``, ``"gzip"`` or ``"plain"``, from the first bytes (the name is not trusted)."""
    with open(path, "rb") as handle:
        head = handle.read(18)
    if head[:2] != GZIP_MAGIC:
        return "plain"
    # BGZF: FEXTRA flag set and a 'BC' extra subfield (SAM spec, section 4.1)
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def cache_dir() -> Path:
    """Where decompressed copies of ordinary gzip FASTA files go."""
    root = os.environ.get("GENOVOCAB_CACHE") or os.path.join(Path.home(), ".cache", "genovocab")
    return Path(root) / "fasta"


def plain_copy(path: str | os.PathLike) -> Path:
    """A decompressed copy of gzip FASTA ``path``, made once and reused while it is unchanged."""
    source = Path(path).resolve()
    stat = source.stat()
    key = hashlib.sha256(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    target = cache_dir() / f"{key[:24]}.fa"
    if target.is_file():
        return target
    try:
        with atomic_path(target) as tmp, gzip.open(source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, f"corrupt or truncated gzip data: {exc}") from exc
    return target


def open_fasta(path: str | os.PathLike, *, upper: bool = True) -> pyfaidx.Fasta:
    """Open an indexed FASTA; sequences come back upper-cased unless ``upper=False``.

    Accepts plain FASTA, BGZF and ordinary gzip (see the module docstring); errors name the
    file: a missing file, a folder, a malformed FASTA.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(path, "no such FASTA file" if not source.exists() else "is not a file")
    kind = gzip_kind(source)
    target = plain_copy(source) if kind == "gzip" else source
    try:
        return pyfaidx.Fasta(
            os.fspath(target), sequence_always_upper=upper, rebuild=False, as_raw=True
        )
    except pyfaidx.UnsupportedCompressionFormat as exc:
        raise InputError(path, f"cannot index this compressed FASTA ({exc})") from exc
    except ImportError as exc:  # BGZF needs Biopython
        raise InputError(
            path, f"BGZF FASTA needs Biopython (pip install biopython): {exc}"
        ) from exc
    except (pyfaidx.FastaIndexingError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"malformed FASTA: {exc}") from exc


def fasta_names(path: str | os.PathLike) -> list[str]:
    """Sequence names of a (gzipped) FASTA: from its ``.fai`` index when present, else the
    ``>`` lines (the file is read once, the sequence is not kept)."""
    from genovocab.fileutil import open_text

    fai = Path(f"{path}.fai")
    if fai.is_file():
        with open(fai, encoding="utf-8") as handle:
            return [line.split("\t", 1)[0] for line in handle if line.strip()]
    names = []
    with open_text(path) as handle:
        for line in handle:
            if line.startswith(">"):
                names.append(line[1:].split(maxsplit=1)[0] if line[1:].strip() else "")
    if not names:
        raise InputError(path, "no FASTA header ('>name') found: is this a FASTA file?", 1)
    return names
