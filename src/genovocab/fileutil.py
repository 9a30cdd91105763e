"""Small file helpers: atomic writes, deterministic gzip, transparent decompression.

Every output is written to a temporary sibling and renamed into place, so a failure never
leaves a partial file at the output path. Temporary and backup names are recognisable and
carry their owner (``.<name>.genovocab-tmp-<host>-<pid>-<random>``), so a rerun removes what a
killed run left but never the live temporary of another process writing the same output.
Output folders carry a marker file (``.genovocab-output``, holding the output's kind); a folder
without it is the user's and is never replaced. Gzip output has mtime 0 and no file name so that the
same content always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import io
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from genovocab.errors import InputError, OutputError

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
    """Open a plain or gzip text file for reading (universal newlines, so CRLF reads as LF;
    a leading UTF-8 byte-order mark is dropped, so a first ``#`` line stays a comment)."""
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline=None)
    return open(path, encoding="utf-8-sig", newline=None)


def tsv_chunks(path: str | os.PathLike, chunk_rows: int, skiprows: int = 0, **options: Any):
    """A headerless tab-separated file (plain or gzip, by magic bytes) as pandas frames of
    ``chunk_rows`` rows each, read by pandas' C parser with no NA detection (every value as
    written); ``options`` (``names``, ``dtype``, ``quoting``, ...) go to ``pandas.read_csv``.
    The one fast reader of the large tables (fragments files, motif site tracks)."""
    import pandas as pd

    return pd.read_csv(
        path,
        sep="\t",
        header=None,
        skiprows=skiprows,
        chunksize=chunk_rows,
        compression="gzip" if is_gzip(path) else None,
        na_filter=False,
        engine="c",
        **options,
    )


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


#: an owner tag: 8 hex digits of the host name's hash, then the process id
_OWNER = re.compile(r"^(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{8}")
#: temporaries of another host (whose processes we cannot see) count as stale after this long
FOREIGN_STALE_S = 7 * 24 * 3600


def host_tag() -> str:
    """8 hex digits naming this host (temporaries on a shared file system carry it)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def owner_tag() -> str:
    """``<host>-<pid>-<random>``: unique per process and call, and says who owns the name."""
    return f"{host_tag()}-{os.getpid()}-{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists on this host (a zombie counts as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def owner_is_gone(tag: str, entry: Path | None = None) -> bool:
    """True when the owner named by ``tag`` (:func:`owner_tag`) can no longer use its name: a
    dead process of this host, or (other hosts) a name untouched for :data:`FOREIGN_STALE_S`.
    A tag that is not an owner tag is not ours to judge: False."""
    match = _OWNER.match(tag)
    if not match:
        return False
    if match.group("host") == host_tag():
        return not pid_alive(int(match.group("pid")))
    try:
        age = time.time() - (entry.lstat().st_mtime if entry is not None else 0)
    except OSError:
        return False
    return entry is not None and age > FOREIGN_STALE_S


def tmp_name(target: Path, suffix: str = "") -> str:
    """A temporary name beside ``target`` owned by this process:
    ``.<name>.genovocab-tmp-<host>-<pid>-<random><suffix>``."""
    return f".{target.name}{TMP_TAG}{owner_tag()}{suffix}"


def old_name(target: Path) -> str:
    """A backup name beside ``target`` owned by this process (never ``<name>.old``, which
    is a name a user could own)."""
    return f".{target.name}{OLD_TAG}{owner_tag()}"


#: temporaries of versions that did not record their owner (8 hex digits, then a suffix)
_UNOWNED = re.compile(r"^[0-9a-f]{8}(\.[A-Za-z0-9]+)?$")


def _is_stale_temp(entry: Path, name: str) -> bool:
    for tag in (TMP_TAG, OLD_TAG):
        prefix = f".{name}{tag}"
        if entry.name.startswith(prefix):
            rest = entry.name[len(prefix) :]
            if _OWNER.match(rest):
                return owner_is_gone(rest, entry)
            return bool(_UNOWNED.match(rest))  # an earlier version's name, never live now
    legacy = _LEGACY_TMP.match(entry.name)  # names of earlier versions (mkstemp + ".tmp")
    return bool(legacy and legacy.group("name") == name)


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Remove temporary files/folders a killed earlier run left beside ``path``; returns them.

    Only names this module creates for ``path`` (``.<name>.genovocab-tmp-*``,
    ``.<name>.genovocab-old-*``) are touched, so no user file can match, and of those only
    the ones whose owning process is gone: a concurrent writer's live temporary stays.
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


def with_path(exc: OSError, path: str | os.PathLike) -> OSError:
    """``exc`` with ``filename`` set to ``path`` when it has none (a full disk's ENOSPC from
    ``write`` names no file): the one-line error then says where."""
    if exc.filename is None and exc.errno is not None:
        new = type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno), os.fspath(path))
        return new
    return exc


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
            record_digest(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
            raise with_path(exc, target) from exc
        raise
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
        raise OutputError(
            target, "is the working directory or one of its parents; give a new folder name"
        )
    if resolved == Path.home().resolve() or resolved == Path(resolved.anchor):
        raise OutputError(target, "is the home or root folder; give a new folder name")
    for item in inputs:
        source = Path(item).resolve()
        if source == resolved or resolved in source.parents:
            raise OutputError(target, f"contains the input {item}; give another folder")


def check_output_folder(
    path: str | os.PathLike, kind: str, inputs: Iterable[str | os.PathLike] = ()
) -> None:
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
        raise OutputError(
            target,
            "exists, is not empty and was not written by genovocab "
            f"(no {MARKER} file); refusing to replace it",
        )
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    found = lines[0].strip() if lines else ""
    if found != kind:
        raise OutputError(
            target, f"holds a genovocab {found!r} output, not {kind!r}; refusing to replace it"
        )


def check_files_owned(folder: str | os.PathLike, names: Iterable[str]) -> None:
    """Raise :class:`OutputError` when writing ``names`` into ``folder`` would overwrite a
    user's file: any of them exists and the folder carries no genovocab marker."""
    target = Path(folder)
    if not target.is_dir() or (target / MARKER).is_file():
        return
    found = [n for n in names if (target / n).exists() or (target / n).is_symlink()]
    if found:
        raise OutputError(
            target,
            f"already holds {', '.join(found)} and was not written by "
            f"genovocab (no {MARKER} file); refusing to overwrite them",
        )


def swap_folder_in(
    tmp: Path, target: Path, check: Callable[[Path], None], writer: str = "writer"
) -> None:
    """Rename the finished folder ``tmp`` onto ``target``: rename-old-aside, rename-new-in,
    remove-old, so at no time is there a half-written folder at ``target``.

    ``check(target)`` runs first and raises unless ``target`` is (still) ours to replace:
    something may have appeared there while ``tmp`` was being written. The folder there is
    renamed to a backup name of this process and removed once ``tmp`` is in place. When
    another ``writer`` of the same output renamed its folder in between our two renames,
    theirs stays: the backup is removed and :class:`OutputError` says so (``tmp`` is the
    caller's to remove).
    """
    check(target)
    old = None
    if target.exists():
        old = target.parent / old_name(target)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise OutputError(
            target,
            f"another {writer} finished at the same time; kept its result, discarded this one",
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(
    path: str | os.PathLike, check: Callable[[Path], None], writer: str = "writer"
) -> Iterator[Path]:
    """Yield a new temporary folder beside ``path``; when the block ends without error it
    replaces ``path`` (:func:`swap_folder_in`, with the same ``check`` and ``writer``).

    ``check(path)`` runs first, before anything is written; stale temporaries of ``path``
    from a killed run are removed. On any error the temporary folder is removed and ``path``
    is untouched; an ``OSError`` inside the temporary folder names the file under ``path``
    (what the user asked for), not the temporary name.
    """
    target = Path(path)
    check(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    tmp = target.parent / tmp_name(target)
    tmp.mkdir()
    try:
        yield tmp
        swap_folder_in(tmp, target, check, writer)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        name = os.fspath(exc.filename) if exc.filename is not None else ""
        if exc.errno is not None and name.startswith(os.fspath(tmp)):
            shown = os.fspath(target) + name[len(os.fspath(tmp)) :]
            raise type(exc)(exc.errno, exc.strerror, shown) from exc
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def atomic_dir(
    path: str | os.PathLike, kind: str = "folder", inputs: Iterable[str | os.PathLike] = ()
) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only on success.

    ``path`` is checked first and again just before the swap (:func:`check_output_folder`):
    a folder that is not a previous output of the same ``kind`` is never removed. The new
    folder gets a marker file naming ``kind`` and the digest of every file, and the umask's
    modes; the staging and the swap are :func:`staged_folder`'s.
    """

    def check(target: Path) -> None:
        check_output_folder(target, kind, inputs)

    with staged_folder(path, check, writer=f"writer of this {kind} output") as tmp:
        yield tmp
        # the marker names the kind, then the digest of every file (checked when packaged)
        digests = "".join(f"{sha256_file(tmp / rel)}  {rel}\n" for rel in _folder_files(tmp))
        (tmp / MARKER).write_text(kind + "\n" + digests, encoding="utf-8")
        for entry in [tmp, *tmp.rglob("*")]:
            if not entry.is_symlink():
                apply_umask_mode(entry)


#: the extended attribute holding the sha256 an output had when its job renamed it into place
DIGEST_XATTR = "user.genovocab.sha256"


def record_digest(path: str | os.PathLike) -> None:
    """Record ``path``'s sha256 in its extended attribute :data:`DIGEST_XATTR` (kept by the
    rename into place, so whoever packages the output can tell a byte changed since); a file
    system without user attributes records nothing."""
    if not hasattr(os, "setxattr"):
        return
    try:
        os.setxattr(path, DIGEST_XATTR, sha256_file(path).encode("ascii"))
    except OSError:
        pass


def recorded_digest(path: str | os.PathLike) -> str | None:
    """The sha256 :func:`record_digest` stored with ``path``, or its folder's marker lists for
    it (:func:`atomic_dir`), else None."""
    if hasattr(os, "getxattr"):
        try:
            return os.getxattr(path, DIGEST_XATTR).decode("ascii")
        except OSError:
            pass
    file = Path(path)
    for depth, folder in enumerate(file.parents):  # the nearest folder with a marker
        if depth >= MARKER_SEARCH_DEPTH:
            break
        if (folder / MARKER).is_file():
            return folder_digests(folder).get(file.relative_to(folder).as_posix())
    return None


#: how many folders up :func:`recorded_digest` looks for an :func:`atomic_dir` marker
MARKER_SEARCH_DEPTH = 4


def _folder_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and p.name != MARKER
    )


def folder_digests(folder: str | os.PathLike) -> dict[str, str]:
    """``{relative path: sha256}`` that :func:`atomic_dir` wrote into ``folder``'s marker when
    it renamed the folder into place (empty for a folder without one)."""
    marker = Path(folder) / MARKER
    if not marker.is_file():
        return {}
    out = {}
    for line in marker.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
        digest, sep, rel = line.partition("  ")
        if sep and len(digest) == 64:
            out[rel] = digest
    return out


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip (mtime 0, no embedded file name)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buffer, compresslevel=level, mtime=0
    ) as handle:
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


def read_yaml(path: str | os.PathLike) -> Any:
    """A YAML file; a syntax error (a tab in the indentation, ...) names file and line."""
    import yaml

    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            path, f"not valid YAML: {problem}", None if mark is None else mark.line + 1
        ) from None
