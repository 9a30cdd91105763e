"""What goes into a release: source records, software versions, and the checked copy of a stage
output (every file validated before it enters)."""

from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from genovocab._version import __version__
from genovocab.errors import InputError
from genovocab.fileutil import MARKER as _OUTPUT_MARKER
from genovocab.fileutil import folder_digests, recorded_digest, sha256_file
from genovocab.release import DEFAULT_EPOCH, SOFTWARE, SOURCE_SIDECAR


def source_date_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds convention) or :data:`DEFAULT_EPOCH`."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return int(value) if value else DEFAULT_EPOCH
    except ValueError as exc:
        raise InputError(None, f"SOURCE_DATE_EPOCH must be an integer, not {value!r}") from exc


def source_record(name: str, path: str | os.PathLike, url: str = "") -> dict[str, Any]:
    """``{name, url, sha256, bytes}`` of a downloaded file.

    Prefers the download step's sidecar ``<path>.source.json`` (what it verified); without
    one, the digest and size are computed from the file itself.
    """
    path = Path(path)
    sidecar = path.with_name(path.name + SOURCE_SIDECAR)
    if sidecar.is_file():
        rec = json.loads(sidecar.read_text(encoding="utf-8"))
        return {
            "name": name,
            "url": rec.get("url", url),
            "sha256": rec["sha256"],
            "bytes": int(rec["bytes"]),
        }
    return {"name": name, "url": url, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def software_versions(packages: Iterable[str] = SOFTWARE) -> list[tuple[str, str]]:
    """``(package, version)`` of Python and of every installed package of ``packages``."""
    rows = [("python", platform.python_version())]
    for name in packages:
        if name == "genovocab":
            rows.append((name, __version__))
            continue
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return rows


def release_files(root: Path) -> list[str]:
    """Every regular file under ``root`` as a sorted list of POSIX relative paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


#: Snakemake's and genovocab's markers in folder outputs: bookkeeping, not release content
SNAKEMAKE_MARKER = ".snakemake_timestamp"


OUTPUT_MARKER = _OUTPUT_MARKER


#: files at least this large enter a release by hard link (or reflink) instead of a copy;
#: smaller ones are copied (cheap, and a copy shares nothing with the work folder)
LINK_MIN_BYTES = 1 << 20


#: Linux ``FICLONE`` ioctl: a copy-on-write clone (btrfs, XFS, bcachefs, ...)
_FICLONE = 0x40049409


#: read size of the hashing and archiving passes
READ_BLOCK = 4 << 20


def _part_files(parts: Mapping[str, str | os.PathLike]) -> list[tuple[str, Path, str | None]]:
    """``(release path, stage file, recorded digest)`` of every file of ``parts``, sorted by
    release path; a folder part contributes its files (without the markers of Snakemake and
    :func:`~genovocab.fileutil.atomic_dir`), each with the digest its folder's marker lists."""
    out = {}
    for dest in sorted(parts):
        src = Path(parts[dest])
        if src.is_dir():
            digests = folder_digests(src)
            for rel in release_files(src):
                if Path(rel).name not in (SNAKEMAKE_MARKER, OUTPUT_MARKER):
                    out[f"{dest}/{rel}"] = (src / rel, digests.get(rel))
        else:
            out[dest] = (src, None)
    return [(rel, src, recorded) for rel, (src, recorded) in sorted(out.items())]


def _reflink(src: Path, dest: Path) -> bool:
    """A copy-on-write clone of ``src`` at ``dest`` where the file system has them."""
    import fcntl

    try:
        with open(src, "rb") as s, open(dest, "xb") as d:
            fcntl.ioctl(d.fileno(), _FICLONE, s.fileno())
        return True
    except OSError:
        dest.unlink(missing_ok=True)
        return False


def place_file(src: Path, dest: Path, link: bool = True) -> str:
    """Put ``src``'s bytes at ``dest`` (which must not exist): ``"link"`` (a hard link, no
    bytes written), ``"reflink"`` (a copy-on-write clone) or ``"copy"``; returns which.

    A hard link shares the file with the work folder. That is safe because no genovocab
    writer changes an existing file: each writes a temporary and renames it over the name
    (:func:`~genovocab.fileutil.atomic_path`, :func:`~genovocab.fileutil.atomic_dir`), and
    Snakemake removes a job's outputs before it reruns it, so a rebuild gives the work
    folder a new file and leaves the release's bytes alone. The permissions stay as they
    are: a read-only output would make Snakemake refuse to rerun its job
    (``ProtectedOutputException``). What a link cannot stop, a write into the file itself
    by another program, is not hidden: ``release verify`` names the file, and the next
    build refuses it (:func:`check_part`, against the digest its job recorded). Files
    smaller than :data:`LINK_MIN_BYTES`, and every file when ``link`` is false, are cloned
    or copied.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if link and src.stat().st_size >= LINK_MIN_BYTES:
        try:
            os.link(src, dest)
        except OSError:
            pass
        else:
            return "link"
    if _reflink(src, dest):
        return "reflink"
    shutil.copyfile(src, dest)
    return "copy"


def _hash_and_check(src: Path, recorded: str | None) -> str:
    """sha256 of a stage file (read once), validated by :func:`check_part`."""
    digest = sha256_file(src, READ_BLOCK)
    check_part(src, recorded, digest=digest)
    return digest


def _map_threads(func, items: list, threads: int) -> list:
    """``[func(*item) for item in items]``, on ``threads`` threads (hashlib, zlib and pyarrow
    release the GIL on large buffers); the first exception is raised, in order."""
    if threads <= 1 or len(items) <= 1:
        return [func(*item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(func, *item) for item in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def check_part(
    path: str | os.PathLike, recorded: str | None = None, *, digest: str | None = None
) -> None:
    """Raise :class:`InputError` naming ``path`` when a stage output is not what its job wrote.

    What goes into a release is checked as it is packaged, so a corrupted work file is
    reported here and never certified by the release's digests. The digest the job recorded
    (``recorded``: its folder's marker; else the file's own attribute, see
    :func:`~genovocab.fileutil.record_digest`) must match; and every file is decoded:
    Parquet files are read page
    by page (with page checksums where the writer stored them), ``.npz`` members are checked
    against their CRC-32, ``.npy`` headers against the file size, ``.gz`` streams against
    their CRC-32 and length, ``.json`` files parsed, ``.tsv``/``.txt``/``.md``/``.toml``
    decoded as UTF-8. Other files (plots) are taken as they are. ``digest`` is the file's
    sha256 when the caller has it already (so the file is hashed once).
    """
    path = Path(path)
    name = path.name
    recorded = recorded or recorded_digest(path)
    if recorded is not None:
        found = digest or sha256_file(path)
        if found != recorded:
            raise InputError(
                path,
                f"changed since the job that made it wrote it (sha256 "
                f"{found}, recorded {recorded}); not packaged: rerun "
                "that job",
            )
    try:
        if name.endswith(".parquet"):
            _check_parquet(path)
        elif name.endswith(".npz"):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
            if bad is not None:
                raise InputError(path, f"corrupt .npz: member {bad} fails its CRC-32 check")
        elif name.endswith(".npy"):
            array = np.load(path, mmap_mode="r", allow_pickle=False)
            end = int(getattr(array, "offset", 0)) + int(array.nbytes)
            del array
            size = path.stat().st_size
            if end != size:
                raise InputError(
                    path, f"corrupt .npy: header describes {end:,} bytes, the file has {size:,}"
                )
        elif name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass
        elif name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith((".tsv", ".txt", ".md", ".toml", ".yaml", ".bed", ".jaspar", ".sizes")):
            with path.open(encoding="utf-8") as handle:
                while handle.read(1 << 20):
                    pass
    except InputError:
        raise
    except OSError as exc:
        if exc.errno is not None and exc.filename is None:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        if exc.errno is not None:
            raise
        raise InputError(path, f"corrupt stage output, not packaged: {exc}") from exc
    except (ValueError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InputError(
            path, f"corrupt stage output, not packaged: {type(exc).__name__}: {exc}"
        ) from exc
    except Exception as exc:  # pyarrow's ArrowException and its kin
        if type(exc).__module__.split(".")[0] != "pyarrow":
            raise
        raise InputError(
            path, f"corrupt stage output, not packaged: {type(exc).__name__}: {exc}"
        ) from exc


def _check_parquet(path: Path) -> None:
    import pyarrow.parquet as pq

    # streamed (no pre-buffering, 1 MiB reads): a 200 MB column chunk costs ~140 MB, not 260
    options = {"pre_buffer": False, "buffer_size": 1 << 20}
    try:
        parquet = pq.ParquetFile(path, page_checksum_verification=True, **options)
    except TypeError:  # an older pyarrow without page checksums
        parquet = pq.ParquetFile(path, **options)
    rows = 0
    # small batches: memory stays flat whatever the row groups' size
    for batch in parquet.iter_batches(batch_size=4096, use_threads=False):
        batch.validate(full=True)
        rows += batch.num_rows
    if rows != parquet.metadata.num_rows:
        raise InputError(
            path,
            f"corrupt Parquet file: {rows:,} rows decoded, its footer says "
            f"{parquet.metadata.num_rows:,}",
        )
