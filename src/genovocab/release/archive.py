"""The release archive: deterministic packing, and safe, bounded unpacking into a cache."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zlib import error as zlib_error

from genovocab.errors import InputError, OutputError
from genovocab.fileutil import (
    owner_is_gone,
    owner_tag,
    remove_stale_temps,
    sha256_file,
    tmp_name,
    with_path,
)
from genovocab.release import MANIFEST, SUMS, ReleaseError
from genovocab.release.parts import READ_BLOCK, source_date_epoch
from genovocab.release.verification import verify as verify_release

#: ``release.archive`` choices and their file suffixes (``none``: the folder is the release)
ARCHIVES = {"tar.gz": ".tar.gz", "tar": ".tar", "tar.zst": ".tar.zst", "none": ""}


#: the uncompressed tar stream is cut into pieces of this size, each compressed on its own
#: (a gzip member, in parallel): fixed cuts, so the bytes do not depend on the thread count
GZIP_PIECE = 8 << 20


GZIP_LEVEL = 6


#: zstd level of ``tar.zst`` (the zstd command line's default)
ZSTD_LEVEL = 3


def archive_path(release_dir: str | os.PathLike, archive: str) -> Path | None:
    """``<release folder><suffix>`` of an archive choice, or None for ``none``."""
    if archive not in ARCHIVES:
        raise InputError(
            None, f"release.archive must be one of {', '.join(ARCHIVES)}, not {archive!r}"
        )
    suffix = ARCHIVES[archive]
    root = Path(release_dir)
    return root.with_name(root.name + suffix) if suffix else None


def write_tarball(
    release_dir: str | os.PathLike,
    tar_path: str | os.PathLike,
    epoch: int | None = None,
    *,
    archive: str = "tar.gz",
    threads: int = 1,
) -> Path:
    """A deterministic archive of the release folder (top folder ``<name>-<version>/``):
    sorted entries, mtime ``epoch`` (default SOURCE_DATE_EPOCH or 0), uid/gid 0, no user
    names, modes 0644/0755, PAX format. ``archive``: ``tar.gz`` (gzip level 6 in independent
    members of :data:`GZIP_PIECE` input bytes each, compressed on ``threads`` threads; any
    gzip reader reads the concatenation, and the gzip headers have mtime 0 and no file
    name), ``tar`` (uncompressed; file bytes copied by the kernel where it can) or
    ``tar.zst`` (the ``zstandard`` module, or the ``zstd`` command). Same folder and choice,
    same bytes, whatever ``threads``."""
    if archive not in ARCHIVES or archive == "none":
        raise InputError(None, f"an archive must be one of tar.gz, tar, tar.zst, not {archive!r}")
    root = Path(release_dir)
    mtime = source_date_epoch() if epoch is None else epoch
    entries = sorted({p.relative_to(root).as_posix() for p in root.rglob("*")})
    tar_path = Path(tar_path)
    remove_stale_temps(tar_path)
    tmp = tar_path.with_name(tmp_name(tar_path))
    try:
        with tmp.open("wb") as raw:
            sink: _Sink
            if archive == "tar":
                sink = _Sink(raw)
            elif archive == "tar.gz":
                sink = _GzipSink(raw, max(1, int(threads)))
            else:
                sink = _zstd_sink(raw, max(1, int(threads)))
            try:
                _write_tar(root, entries, sink, mtime)
            except BaseException:
                sink.abort()
                raise
            sink.close()
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise with_path(exc, tar_path) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(tar_path)
    return tar_path


def write_archive(
    release_dir: str | os.PathLike, archive: str, *, threads: int = 1, epoch: int | None = None
) -> Path | None:
    """The release's archive beside its folder (:func:`archive_path`), or None for
    ``none``; an archive of another choice left by an earlier build is not touched."""
    path = archive_path(release_dir, archive)
    if path is None:
        return None
    return write_tarball(release_dir, path, epoch, archive=archive, threads=threads)


def _write_tar(root: Path, entries: list[str], sink: _Sink, mtime: int) -> None:
    """The tar stream of ``entries``, as :class:`tarfile.TarFile` writes it (PAX headers,
    512-byte blocks, two zero blocks and padding to a 10,240-byte record at the end), with
    the files' bytes handed to ``sink`` unread where it can copy them itself."""
    offset = 0
    for rel in [""] + entries:
        path = root / rel if rel else root
        info = tarfile.TarInfo(f"{root.name}/{rel}" if rel else root.name)
        info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
        if path.is_dir():
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            size = 0
        else:
            info.mode, info.size = 0o644, path.stat().st_size
            size = info.size
        header = info.tobuf(tarfile.PAX_FORMAT, tarfile.ENCODING, "surrogateescape")
        sink.write(header)
        offset += len(header)
        if size:
            sink.write_file(path, size)
            offset += size
            pad = -size % tarfile.BLOCKSIZE
            if pad:
                sink.write(bytes(pad))
                offset += pad
    end = tarfile.BLOCKSIZE * 2
    offset += end
    end += -offset % tarfile.RECORDSIZE
    sink.write(bytes(end))


class _Sink:
    """Where the tar stream goes: here straight into the file (``tar``)."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data: bytes) -> None:
        self.raw.write(data)

    def write_file(self, path: Path, size: int) -> None:
        """``size`` bytes of ``path`` (a file that changed size meanwhile is an error)."""
        self.raw.flush()
        with path.open("rb") as src:
            done = 0
            copy = getattr(os, "copy_file_range", None)
            while copy is not None and done < size:
                try:
                    n = copy(src.fileno(), self.raw.fileno(), size - done)
                except OSError as exc:
                    if done or exc.errno not in (
                        errno.EXDEV,
                        errno.ENOSYS,
                        errno.EINVAL,
                        errno.EOPNOTSUPP,
                    ):
                        raise
                    break
                if n == 0:
                    break
                done += n
            if done and done < size:
                raise InputError(path, "changed size while it was archived")
            if done:
                self.raw.seek(0, os.SEEK_END)  # copy_file_range moved the file offset
                return
            for block in _blocks(src, size, path):
                self.raw.write(block)

    def close(self) -> None:
        self.raw.flush()

    def abort(self) -> None:
        pass


def _blocks(handle, size: int, path: Path, block: int = READ_BLOCK):
    """The first ``size`` bytes of an open file in blocks; too few is an error."""
    left = size
    while left:
        data = handle.read(min(block, left))
        if not data:
            raise InputError(path, "changed size while it was archived")
        left -= len(data)
        yield data


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One gzip member of ``data`` (RFC 1952): mtime 0, no file name, OS byte 255 and the
    extra flags Python's :mod:`gzip` writes; its deflate stream is zlib's at ``level``."""
    import struct
    import zlib

    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    xfl = 2 if level == 9 else 4 if level == 1 else 0
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes([xfl, 255])
    tail = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return head + body + tail


class _Pieces(_Sink):
    """Collects the stream into pieces of ``piece`` bytes (the last one shorter) and
    compresses them on ``threads`` threads, writing the results in order; at most
    ``threads + 1`` pieces are in flight, so memory stays ~``2 * (threads + 2) * piece``."""

    def __init__(self, raw, threads: int, piece: int):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        super().__init__(raw)
        self.piece = piece
        self.buffer = bytearray()
        self.pending: deque = deque()
        self.limit = threads + 1
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def compress(self, data: bytes) -> bytes:
        raise NotImplementedError

    def _submit(self, data: bytes) -> None:
        self.pending.append(self.pool.submit(self.compress, data))
        while len(self.pending) > self.limit:
            self.raw.write(self.pending.popleft().result())

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= self.piece:
            self._submit(bytes(self.buffer[: self.piece]))
            del self.buffer[: self.piece]

    def write_file(self, path: Path, size: int) -> None:
        with path.open("rb") as src:
            left = size
            while left:
                want = min(left, self.piece - len(self.buffer))
                data = src.read(want)
                if len(data) != want:
                    raise InputError(path, "changed size while it was archived")
                left -= want
                if not self.buffer and want == self.piece:
                    self._submit(data)
                else:
                    self.write(data)

    def close(self) -> None:
        if self.buffer:
            self._submit(bytes(self.buffer))
            self.buffer = bytearray()
        while self.pending:
            self.raw.write(self.pending.popleft().result())
        self.pool.shutdown()
        self.raw.flush()

    def abort(self) -> None:
        for future in self.pending:
            future.cancel()
        self.pool.shutdown()


class _GzipSink(_Pieces):
    """``tar.gz``: one gzip member per piece (:func:`gzip_member`)."""

    def __init__(self, raw, threads: int, piece: int | None = None):
        super().__init__(raw, threads, piece or GZIP_PIECE)

    def compress(self, data: bytes) -> bytes:
        return gzip_member(data)


class _ZstdCommand(_Sink):
    """``tar.zst`` through the ``zstd`` command (``-T<threads>``: its multi-threaded output
    is the same for every thread count)."""

    def __init__(self, raw, threads: int, program: str):
        import subprocess

        super().__init__(raw)
        self.proc = subprocess.Popen(
            [program, "-q", f"-{ZSTD_LEVEL}", f"-T{threads}", "-c"],
            stdin=subprocess.PIPE,
            stdout=raw,
        )

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def write_file(self, path: Path, size: int) -> None:
        with path.open("rb") as src:
            for block in _blocks(src, size, path):
                self.write(block)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise OutputError(self.raw.name, f"zstd failed (exit status {self.proc.returncode})")

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _zstd_sink(raw, threads: int) -> _Sink:
    program = shutil.which("zstd")
    if program is None:
        raise InputError(
            None,
            "release.archive tar.zst needs the zstd command "
            "(Debian: apt-get install zstd); choose tar.gz, tar or none",
        )
    return _ZstdCommand(raw, threads, program)


#: hard bounds on an archive before anything is written (``GENOVOCAB_UNPACK_MAX_MEMBERS``
#: and ``GENOVOCAB_UNPACK_MAX_BYTES`` change them)
MAX_MEMBERS = 100_000


MAX_BYTES = 64 << 30


#: the largest manifest or SHA256SUMS read into memory while checking an archive
MAX_INDEX_BYTES = 256 << 20


PARTIAL_TAG = ".partial-"


def _cache_root() -> Path:
    base = os.environ.get("GENOVOCAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "genovocab"
    )
    return Path(base) / "releases"


def _limit(value: int | None, env: str, default: int) -> int:
    if value is not None:
        return int(value)
    text = os.environ.get(env, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise InputError(None, f"{env} must be a whole number, not {text!r}")
    return int(text)


def clean_partials(cache: Path) -> list[Path]:
    """Remove unpack folders (``<digest>.partial-<owner>``) whose process is gone (killed
    mid-unpack); a live unpack's folder stays. Returns what was removed."""
    removed = []
    if not cache.is_dir():
        return removed
    for entry in sorted(cache.iterdir()):
        head, sep, tag = entry.name.partition(PARTIAL_TAG)
        if not sep or len(head) != 64:
            continue
        gone = owner_is_gone(tag, entry) if not tag.isdigit() else not _pid_alive(int(tag))
        if gone:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _pid_alive(pid: int) -> bool:
    from genovocab.fileutil import pid_alive

    return pid_alive(pid)


@dataclass
class _Plan:
    """What the first pass over an archive found: its members and index files."""

    top: str = ""
    members: list[tuple[str, bool, int]] = field(default_factory=list)  # (name, is_dir, size)
    total: int = 0
    sums: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] | None = None
    seen: set[str] = field(default_factory=set)


def _read_mode(tar_path: Path) -> str:
    """``tarfile`` mode of a release archive: ``.tar`` uncompressed, else gzip."""
    return "r:" if tar_path.name.endswith(".tar") else "r:gz"


def _safe_name(tar_path: Path, member: tarfile.TarInfo) -> str:
    name = member.name
    parts = Path(name).parts
    if (
        name.startswith("/")
        or not parts
        or ".." in parts
        or "\\" in name
        or any(ord(c) < 32 for c in name)
    ):
        raise InputError(
            tar_path, f"unsafe tar entry {name!r} (absolute or outside the release folder)"
        )
    if not (member.isfile() or member.isdir()):
        kind = "link" if member.issym() or member.islnk() else "device or special file"
        raise InputError(
            tar_path, f"unsafe tar entry {name!r}: a {kind}; a release holds only files and folders"
        )
    return "/".join(parts)


def _plan(tar_path: Path, max_members: int, max_bytes: int, free_bytes: int) -> _Plan:
    """Read every member header (no file is written): bounds, names, types, one top folder,
    SHA256SUMS and the manifest."""
    plan = _Plan()
    with tarfile.open(tar_path, _read_mode(tar_path)) as tar:
        for member in tar:
            if len(plan.members) >= max_members:
                raise InputError(
                    tar_path,
                    f"more than {max_members:,} members; refusing to "
                    "unpack (GENOVOCAB_UNPACK_MAX_MEMBERS raises the "
                    "bound)",
                )
            name = _safe_name(tar_path, member)
            top = name.split("/")[0]
            if plan.top and top != plan.top:
                raise InputError(
                    tar_path,
                    "a release tarball holds exactly one top folder "
                    f"(found {plan.top!r} and {top!r})",
                )
            plan.top = top
            size = member.size if member.isfile() else 0
            plan.total += size
            if plan.total > max_bytes:
                raise InputError(
                    tar_path,
                    f"unpacks to more than {max_bytes:,} bytes; "
                    "refusing to unpack (GENOVOCAB_UNPACK_MAX_BYTES "
                    "raises the bound)",
                )
            if plan.total > free_bytes:
                raise OutputError(
                    tar_path,
                    f"unpacks to more than the {free_bytes:,} bytes "
                    "free on the cache's disk; refusing to unpack",
                )
            rel_name = name.partition("/")[2]
            if plan.sums and member.isfile() and rel_name not in plan.sums and rel_name != SUMS:
                # SHA256SUMS came first: an unlisted file is refused before reading it
                raise ReleaseError(
                    tar_path, [f"{rel_name}: extra file not in {SUMS}; nothing unpacked"]
                )
            if name in plan.seen:
                raise InputError(tar_path, f"tar entry {name!r} appears twice")
            plan.seen.add(name)
            plan.members.append((name, member.isdir(), size))
            rel = name.partition("/")[2]
            if member.isfile() and rel in (SUMS, MANIFEST):
                if size > MAX_INDEX_BYTES:
                    raise InputError(tar_path, f"{name}: {size:,} bytes; not a release index")
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if rel == SUMS:
                    for line in data.decode("utf-8", errors="replace").splitlines():
                        digest, sep, path = line.partition("  ")
                        if sep and len(digest) == 64:
                            plan.sums[path] = digest
                else:
                    try:
                        plan.manifest = json.loads(data.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError):
                        raise InputError(tar_path, f"{name}: not valid JSON") from None
        # to the end of the gzip stream: a cut trailer (CRC-32, length) is an error too
        while tar.fileobj is not None and tar.fileobj.read(1 << 20):
            pass
    if not plan.top:
        raise InputError(tar_path, "empty archive: no release folder")
    _check_plan(tar_path, plan)
    return plan


def _check_plan(tar_path: Path, plan: _Plan) -> None:
    """Every file must be one SHA256SUMS (and the manifest, when it lists files) names, with
    the size the manifest gives: nothing unlisted is ever written."""
    if not plan.sums:
        raise InputError(tar_path, f"no {SUMS} in the release folder; not a release")
    files = (plan.manifest or {}).get("files") if isinstance(plan.manifest, dict) else None
    for name, is_dir, size in plan.members:
        rel = name.partition("/")[2]
        if is_dir or rel in (SUMS, ""):
            continue
        if rel not in plan.sums:
            raise ReleaseError(tar_path, [f"{rel}: extra file not in {SUMS}; nothing unpacked"])
        if isinstance(files, dict) and rel != MANIFEST:
            entry = files.get(rel)
            if not isinstance(entry, dict):
                raise ReleaseError(
                    tar_path, [f"{rel}: extra file not in {MANIFEST}; nothing unpacked"]
                )
            if "bytes" in entry and int(entry["bytes"]) != size:
                raise ReleaseError(
                    tar_path,
                    [
                        f"{rel}: changed ({size:,} bytes, {MANIFEST} "
                        f"lists {int(entry['bytes']):,}); nothing "
                        "unpacked"
                    ],
                )


def _extract(tar_path: Path, plan: _Plan, dest: Path) -> None:
    """Write the planned members under ``dest``: folders 0755, files 0644, no owners, no
    other modes; each file's sha256 checked against SHA256SUMS as it is written."""
    expected = iter(plan.members)
    with tarfile.open(tar_path, _read_mode(tar_path)) as tar:
        for member in tar:
            name, is_dir, size = next(expected, ("", False, -1))
            if (
                _safe_name(tar_path, member) != name
                or member.isdir() != is_dir
                or (member.isfile() and member.size != size)
            ):
                raise InputError(tar_path, "the archive changed while it was unpacked")
            target = dest / name
            if is_dir:
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                os.chmod(target, 0o755)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            digest = hashlib.sha256()
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(target, flags, 0o644)
                with os.fdopen(fd, "wb") as out:
                    while handle is not None and (block := handle.read(1 << 20)):
                        digest.update(block)
                        out.write(block)
            except OSError as exc:  # a full disk's write(2) names no file
                raise with_path(exc, target) from exc
            os.chmod(target, 0o644)
            rel = name.partition("/")[2]
            want = plan.sums.get(rel)
            if want is not None and digest.hexdigest() != want:
                raise ReleaseError(
                    tar_path,
                    [f"{rel}: changed (expected sha256 {want}, found {digest.hexdigest()})"],
                )
    for root, dirs, _ in os.walk(dest):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)


def unpack_tarball(
    tar_path: str | os.PathLike,
    cache_dir: str | os.PathLike | None = None,
    *,
    max_members: int | None = None,
    max_bytes: int | None = None,
) -> Path:
    """Unpack a release tarball once into ``cache_dir/<tarball sha256>/`` (default
    ``$GENOVOCAB_CACHE`` or ``~/.cache/genovocab``); returns the release folder inside.

    The archive is untrusted. A first pass reads only its headers and index files and refuses
    (naming the archive) more than ``max_members`` members or ``max_bytes`` bytes, more bytes
    than the disk has free, links, devices, absolute or escaping names, several top folders
    and files SHA256SUMS or the manifest do not list. The second pass writes files 0644 and
    folders 0755 (no setuid, no owners) into ``<digest>.partial-<owner>/``, checking each
    file's digest as it goes; the whole release is verified before the folder is renamed to
    its visible name. Any failure removes the partial folder; one left by a killed process
    is removed by the next call.
    """
    tar_path = Path(tar_path)
    if not tar_path.is_file():
        raise InputError(tar_path, "no such file" if not tar_path.exists() else "is not a file")
    members_cap = _limit(max_members, "GENOVOCAB_UNPACK_MAX_MEMBERS", MAX_MEMBERS)
    bytes_cap = _limit(max_bytes, "GENOVOCAB_UNPACK_MAX_BYTES", MAX_BYTES)
    digest = sha256_file(tar_path)
    cache = Path(cache_dir) if cache_dir is not None else _cache_root()
    target = cache / digest
    clean_partials(cache)
    if not target.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            plan = _plan(tar_path, members_cap, bytes_cap, shutil.disk_usage(cache).free)
        except (tarfile.TarError, EOFError, OSError, zlib_error) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise
            raise InputError(tar_path, f"truncated or corrupt archive: {exc}") from None
        tmp = cache / f"{digest}{PARTIAL_TAG}{owner_tag()}"
        tmp.mkdir()
        try:
            try:
                _extract(tar_path, plan, tmp)
            except (tarfile.TarError, EOFError, zlib_error) as exc:
                raise InputError(tar_path, f"truncated or corrupt archive: {exc}") from None
            problems = verify_release(tmp / plan.top)
            if problems:
                raise ReleaseError(tar_path, problems)
            try:
                os.rename(tmp, target)
            except OSError as exc:  # another process unpacked it first
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    folders = [p for p in target.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise InputError(tar_path, "a release tarball holds exactly one top folder")
    return folders[0]
