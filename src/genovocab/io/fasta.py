"""FASTA access through pyfaidx: plain, BGZF or ordinary gzip.

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
from pathlib import Path

import pyfaidx

from genovocab.errors import InputError
from genovocab.fileutil import GZIP_MAGIC, atomic_path

ACCEPTED = "plain FASTA, BGZF (bgzip) or gzip FASTA"


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
        return pyfaidx.Fasta(os.fspath(target), sequence_always_upper=upper,
                             rebuild=False, as_raw=True)
    except pyfaidx.UnsupportedCompressionFormat as exc:
        raise InputError(path, f"cannot index this compressed FASTA ({exc})") from exc
    except ImportError as exc:  # BGZF needs Biopython
        raise InputError(path, f"BGZF FASTA needs Biopython (pip install biopython): "
                               f"{exc}") from exc
    except (pyfaidx.FastaIndexingError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"malformed FASTA: {exc}") from exc
