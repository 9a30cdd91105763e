"""Small file helpers: atomic writes, deterministic gzip, transparent decompression.

Every output is written to a temporary sibling and renamed into place, so a failure never
leaves a partial file at the output path. Temporary names are recognisable
(``.<name>.genovocab-tmp-*``) so a rerun removes what a killed run left. Output folders carry a
marker file (``.genovocab-output``, holding the output's kind); a folder without it is the
user's and is never replaced. Gzip output has mtime 0 and no file name so that the
same content always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from genovocab.errors import OutputError

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (the name is not trusted)."""
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def read_bytes(path: str | os.PathLike) -> bytes:
    """Whole file content, gunzipped when it is gzip (by magic bytes, BGZF included)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == GZIP_MAGIC:
        data = gzip.decompress(data)
    return data


def open_text(path: str | os.PathLike) -> io.TextIOBase:
    """Open a plain or gzip text file for reading (universal newlines, so CRLF reads as LF)."""
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline=None)
    return open(path, encoding="utf-8", newline=None)


TMP_TAG = ".genovocab-tmp-"
OLD_TAG = ".genovocab-old-"
MARKER = ".genovocab-output"
_LEGACY_TMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}(\.[A-Za-z0-9]+)?\.tmp$")


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: the classic set-and-restore
    os.umask(mask)
    return mask


def apply_umask_mode(path: str | os.PathLike) -> None:
    """Give a file 0666 & ~umask and a folder 0777 & ~umask (mkstemp/mkdtemp create 0600/0700)."""
    base = 0o777 if os.path.isdir(path) else 0o666
    os.chmod(path, base & ~current_umask())


def tmp_name(target: Path, suffix: str = "") -> str:
    """A recognisable temporary name beside ``target``: ``.<name>.genovocab-tmp-XXXX<suffix>``."""
    return f".{target.name}{TMP_TAG}{secrets.token_hex(4)}{suffix}"


def _is_stale_temp(entry: Path, name: str) -> bool:
    own = entry.name.startswith(f".{name}{TMP_TAG}") or entry.name.startswith(f".{name}{OLD_TAG}")
    if own:
        return True
    legacy = _LEGACY_TMP.match(entry.name)  # names of earlier versions (mkstemp + ".tmp")
    return bool(legacy and legacy.group("name") == name)


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Remove temporary files/folders a killed earlier run left beside ``path``; returns them.

    Only names this module creates for ``path`` (``.<name>.genovocab-tmp-*``,
    ``.<name>.genovocab-old-*``) are touched, so no user file can match.
    """
    target = Path(path)
    if not target.parent.is_dir():
        return []
    removed = []
    for entry in sorted(target.parent.iterdir()):
        if entry.name.startswith(f".{target.name}.") and _is_stale_temp(entry, target.name):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
            removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    On any exception the temporary file (or directory) is removed and ``path`` is untouched.
    Stale temporaries of ``path`` from a killed run are removed first; the file gets the
    umask's mode (not mkstemp's 0600). ``path`` must not be an existing folder.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, "is a folder; give a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    tmp = target.parent / tmp_name(target, suffix)
    tmp.touch(exist_ok=False)
    try:
        yield tmp
        if tmp.exists():
            apply_umask_mode(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _refuse_unsafe_folder(target: Path, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Refuse output folders whose replacement would remove the user's files.

    The working directory or one of its parents, the home folder and the root are never
    outputs, nor a folder that is or contains one of ``inputs``.
    """
    resolved = target.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise OutputError(target, "is the working directory or one of its parents; "
                                  "give a new folder name")
    if resolved == Path.home().resolve() or resolved == Path(resolved.anchor):
        raise OutputError(target, "is the home or root folder; give a new folder name")
    for item in inputs:
        source = Path(item).resolve()
        if source == resolved or resolved in source.parents:
            raise OutputError(target, f"contains the input {item}; give another folder")


def check_output_folder(path: str | os.PathLike, kind: str,
                        inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Raise :class:`OutputError` unless ``path`` may be (re)built as a ``kind`` output.

    Allowed: a missing path, an empty folder, or a folder holding our marker file of the same
    ``kind`` (a previous output). Anything else is the user's and is left alone.
    """
    target = Path(path)
    _refuse_unsafe_folder(target, inputs)
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputError(target, "exists and is not a folder; refusing to replace it")
    if not any(entry.is_file() or entry.is_symlink() for entry in target.rglob("*")):
        return  # empty, or only empty folders (what a job's output cleanup leaves)
    marker = target / MARKER
    if not marker.is_file():
        raise OutputError(target, "exists, is not empty and was not written by genovocab "
                                  f"(no {MARKER} file); refusing to replace it")
    found = marker.read_text(encoding="utf-8", errors="replace").strip()
    if found != kind:
        raise OutputError(target, f"holds a genovocab {found!r} output, not {kind!r}; "
                                  "refusing to replace it")


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, kind: str = "folder",
               inputs: Iterable[str | os.PathLike] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only on success.

    ``path`` is checked first (:func:`check_output_folder`): a folder that is not a previous
    output of the same ``kind`` is never removed. The new folder gets a marker file naming
    ``kind``; the swap is rename-old-aside, rename-new-in, remove-old, so at no time is there
    a half-written folder at ``path``.
    """
    target = Path(path)
    check_output_folder(target, kind, inputs)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    tmp = target.parent / tmp_name(target)
    tmp.mkdir()
    try:
        yield tmp
        (tmp / MARKER).write_text(kind + "\n", encoding="utf-8")
        for entry in [tmp, *tmp.rglob("*")]:
            if not entry.is_symlink():
                apply_umask_mode(entry)
        check_output_folder(target, kind, inputs)  # nothing appeared meanwhile
        old = None
        if target.exists():
            old = target.parent / f".{target.name}{OLD_TAG}{secrets.token_hex(4)}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip (mtime 0, no embedded file name)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=level,
                       mtime=0) as handle:
        handle.write(data)
    return buffer.getvalue()


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; gzip deterministically when the name ends .gz."""
    if str(path).endswith(".gz"):
        data = gzip_bytes(data)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically (gzip when the name ends .gz)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
