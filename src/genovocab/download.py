"""One download function for every source: http(s), ftp, ``file://`` and local paths.

Remote bytes stream into a resumable partial file beside the output
(``.<name>.genovocab-part``, with its URL and the server's validator in
``.<name>.genovocab-part.json``), so a retry, and a later process, resumes with a ``Range``
request (``If-Range`` guards against a changed file). Every reply is checked: a ``206`` must
start at the requested offset (``Content-Range``), a body must reach its ``Content-Length``,
a body of unknown length is accepted only when a sha256 (configured or locked) confirms it.
Each file has an overall deadline and a minimum-progress rule (a trickle is a stall);
retries back off exponentially up to a cap, honour ``Retry-After``, and the attempt counter
restarts when a retry made progress. The sha256 is checked before the file is renamed into
place, so a failed or mismatching download never leaves a file at the output path.

The sources lock (``sources.lock.tsv``: name, url, sha256, bytes, date) pins sources without a
configured sha256: the first download records the digest, later downloads must match it.
``pin="strict"`` refuses a source pinned neither way before anything is fetched.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import email.utils
import fcntl
import http.client
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from genovocab.errors import ChecksumError, DownloadError, InputError
from genovocab.fileutil import (
    apply_umask_mode,
    atomic_path,
    remove_stale_temps,
    sha256_file,
    write_text_atomic,
)

log = logging.getLogger(__name__)

CHUNK = 1 << 20
USER_AGENT = "genovocab-download/1.0"
PART_TAG = ".genovocab-part"
PIN_MODES = ("lock", "strict")
LOCK_COLUMNS = ("name", "url", "sha256", "bytes", "date")
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    socket.timeout,
    http.client.HTTPException,
    urllib.error.URLError,
)
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$")


@dataclass(frozen=True)
class SourceRecord:
    """What was downloaded: the source's name and URL, the file's sha256 and size."""

    name: str
    url: str
    sha256: str
    bytes: int

    def sidecar_json(self) -> str:
        """The ``X.source.json`` text: sorted keys, no date, so identical bytes give it."""
        return (
            json.dumps(
                {"bytes": self.bytes, "name": self.name, "sha256": self.sha256, "url": self.url},
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )


class _Stalled(Exception):
    """Fewer bytes than the minimum-progress rule asks for arrived in one window."""


class _Restart(Exception):
    """The reply does not continue the partial file; it was discarded."""


def local_path(url: str, base_dir: str | os.PathLike | None = None) -> Path | None:
    """The local file a ``file://`` URL or a plain path names, else None.

    ``file:///abs/path`` is absolute; ``file://rel/path`` (not a standard form, accepted for
    portable configs) and plain relative paths are taken relative to ``base_dir`` (default: the
    working directory).
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme in ("http", "https", "ftp"):
        return None
    if parsed.scheme == "file":
        raw = urllib.parse.unquote(parsed.netloc + parsed.path)
    elif parsed.scheme == "" or len(parsed.scheme) == 1:  # a path (or a Windows drive letter)
        raw = url
    else:
        raise DownloadError(f"unsupported URL scheme {parsed.scheme!r} in {url}")
    path = Path(raw)
    if not path.is_absolute():
        path = Path(base_dir or os.getcwd()) / path
    return path


def check_sha256(value: str | None, name: str | None = None) -> str | None:
    """The lower-cased digest, None when empty; an error unless it is 64 hex digits."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not _SHA256.match(text):
        label = f"source {name!r}: " if name else ""
        raise DownloadError(f"{label}sha256 {text!r} is not 64 hexadecimal digits")
    return text.lower()


# --- the sources lock -----------------------------------------------------------------------


def read_lock(path: str | os.PathLike) -> dict[str, dict[str, str]]:
    """Rows of a sources lock by name ({} when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    rows: dict[str, dict[str, str]] = {}
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    header = next(reader, None)
    if header is None:
        return {}
    if tuple(header) != LOCK_COLUMNS:
        raise InputError(path, f"header must be {chr(9).join(LOCK_COLUMNS)!r}", 1)
    for number, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) != len(LOCK_COLUMNS):
            raise InputError(
                path,
                f"expected {len(LOCK_COLUMNS)} tab-separated fields, found {len(fields)}",
                number,
            )
        row = dict(zip(LOCK_COLUMNS, fields))
        if not _SHA256.match(row["sha256"]):
            raise InputError(path, f"sha256 {row['sha256']!r} is not 64 hex digits", number)
        rows[row["name"]] = row
    return rows


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive fcntl lock on a sibling file, held while the lock file is rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.flock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record_lock(path: str | os.PathLike, record: SourceRecord, date: str | None = None) -> None:
    """Add or update ``record`` in the lock (rows sorted by name; atomic rewrite under flock).

    A row that already holds the same url and digest is kept as it is (its date is the first
    download's).
    """
    path = Path(path)
    with _locked(path):
        rows = read_lock(path)
        old = rows.get(record.name)
        if old and old["url"] == record.url and old["sha256"] == record.sha256:
            return
        rows[record.name] = {
            "name": record.name,
            "url": record.url,
            "sha256": record.sha256,
            "bytes": str(record.bytes),
            "date": date or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        lines = ["\t".join(LOCK_COLUMNS)]
        lines += ["\t".join(rows[n][c] for c in LOCK_COLUMNS) for n in sorted(rows)]
        write_text_atomic(path, "\n".join(lines) + "\n")


# --- HTTP -----------------------------------------------------------------------------------


def _is_retryable_http(code: int) -> bool:
    return code >= 500 or code in (408, 429)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _content_length(url: str, headers) -> int | None:
    value = headers.get("Content-Length")
    if value is None:
        return None
    if not value.strip().isdigit():
        raise DownloadError(f"{url}: the server sent an invalid Content-Length {value!r}")
    return int(value)


def _validator(headers) -> str | None:
    """A strong ETag, else Last-Modified: what If-Range may carry."""
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("Last-Modified")


@dataclass
class _Limits:
    timeout: float
    deadline: float
    stall_window: float
    min_rate: float
    clock: Callable[[], float]
    started: float

    def left(self) -> float:
        return self.deadline - (self.clock() - self.started)


def _read_part_meta(meta: Path) -> dict:
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _attempt(url: str, part: Path, meta: Path, limits: _Limits) -> bool:
    """One request; appends to ``part``. True when the body's length was known (complete)."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    validator = _read_part_meta(meta).get("validator") if offset else None
    if offset and url.startswith(("http://", "https://")):
        headers["Range"] = f"bytes={offset}-"
        if validator:
            headers["If-Range"] = validator
    request = urllib.request.Request(url, headers=headers)
    timeout = max(0.001, min(limits.timeout, limits.left()))
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        status = getattr(response, "status", None) or 200
        length = _content_length(url, response.headers)
        if status == 206:
            found = _CONTENT_RANGE.match(response.headers.get("Content-Range", "").strip())
            if found is None or int(found.group(1)) != offset:
                part.unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                raise _Restart(
                    f"reply Content-Range {response.headers.get('Content-Range')!r} "
                    f"does not start at the requested byte {offset}"
                )
        elif offset:
            log.info("%s: server sent the whole file (no resume); restarting from byte 0", url)
            offset = 0
        if offset == 0:
            write_text_atomic(
                meta,
                json.dumps({"url": url, "validator": _validator(response.headers)}, sort_keys=True)
                + "\n",
            )
        chunked = response.headers.get("Transfer-Encoding", "").lower() == "chunked"
        read = getattr(response, "read1", None) or response.read
        got = 0
        window_start, window_bytes = limits.clock(), 0
        with open(part, "ab" if offset else "wb") as handle:
            while True:
                block = read(CHUNK)
                if not block:
                    break
                handle.write(block)
                got += len(block)
                window_bytes += len(block)
                now = limits.clock()
                if limits.left() <= 0:
                    raise TimeoutError(f"overall deadline of {limits.deadline:g} s reached")
                if now - window_start >= limits.stall_window:
                    rate = window_bytes / (now - window_start)
                    if rate < limits.min_rate:
                        raise _Stalled(
                            f"{rate:.1f} bytes/s over {now - window_start:.1f} s "
                            f"(minimum {limits.min_rate:g})"
                        )
                    window_start, window_bytes = now, 0
        if length is not None:
            if got < length:
                raise http.client.IncompleteRead(b"", length - got)
            return True
        return chunked  # http.client checks chunk framing; a close-delimited body is unknown


def _fetch_remote(
    url: str,
    part: Path,
    meta: Path,
    *,
    retries: int,
    backoff: float,
    max_backoff: float,
    limits: _Limits,
    sleep: Callable[[float], None],
) -> bool:
    """Fill ``part`` with ``url``'s bytes; True when complete by length, False when unknown."""
    attempt = 0
    while True:
        before = part.stat().st_size if part.exists() else 0
        retry_after = None
        try:
            return _attempt(url, part, meta, limits)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and before:  # range past the end: complete only if sizes agree
                total = (exc.headers.get("Content-Range") or "").rpartition("/")[2]
                if total.isdigit() and int(total) == before:
                    return True
                part.unlink(missing_ok=True)
                reason = f"HTTP 416 for a resume from byte {before}; restarting"
            elif not _is_retryable_http(exc.code):
                raise DownloadError(f"HTTP {exc.code} {exc.reason} for {url}") from exc
            else:
                reason = f"HTTP {exc.code}"
                retry_after = retry_after_seconds(exc.headers.get("Retry-After"))
        except _Restart as exc:
            reason = str(exc)
        except (_Stalled, *TRANSIENT) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        now_size = part.stat().st_size if part.exists() else 0
        if now_size > before:
            attempt = 0  # progress: a new run of attempts
        if limits.left() <= 0:
            raise DownloadError(
                f"giving up on {url}: overall deadline of {limits.deadline:g} s "
                f"reached ({now_size} bytes kept for a resume); last: {reason}"
            )
        if attempt >= retries:
            raise DownloadError(f"giving up on {url} after {attempt + 1} attempts: {reason}")
        delay = min(backoff * (2**attempt), max_backoff)
        if retry_after is not None:
            delay = max(delay, retry_after)
        if delay > limits.left():
            raise DownloadError(
                f"giving up on {url}: retry in {delay:g} s ({reason}) would pass "
                f"the overall deadline of {limits.deadline:g} s"
            )
        attempt += 1
        log.warning("%s: %s; retry %d/%d in %.1f s", url, reason, attempt, retries, delay)
        sleep(delay)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into SystemExit(143) so that cleanup runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _verify(
    record_sha: str,
    url: str,
    name: str,
    expected: str | None,
    locked: dict[str, str] | None,
    lock: Path | None,
    expected_from: str | None = None,
) -> None:
    if expected and record_sha != expected:
        raise ChecksumError(
            url,
            expected,
            record_sha,
            name=name,
            reason=f"expected digest from {expected_from}" if expected_from else None,
        )
    if locked and record_sha != locked["sha256"]:
        raise ChecksumError(
            url,
            locked["sha256"],
            record_sha,
            name=name,
            reason=f"the file changed upstream since {lock} recorded it on {locked['date']}",
        )


def expected_origin(name: str) -> str:
    """Where the workflow took a source's expected sha256 from, for error messages: the
    config key ``sources.<name>.sha256``, or the ``sha256`` column of a sample sheet."""
    if name.startswith("samples/"):
        return f"the sha256 column of sample {name.split('/', 1)[1]!r} in its sample sheet"
    return f"the configuration key sources.{name}.sha256"


def fetch(
    url: str,
    out: str | os.PathLike,
    sha256: str | None = None,
    *,
    name: str | None = None,
    lock: str | os.PathLike | None = None,
    pin: str = "lock",
    timeout: float = 60.0,
    retries: int = 5,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    deadline: float = 6 * 3600.0,
    stall_window: float = 60.0,
    min_rate: float = 1024.0,
    base_dir: str | os.PathLike | None = None,
    expected_from: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SourceRecord:
    """Fetch ``url`` to ``out``, verified by ``sha256`` and/or the sources ``lock``.

    ``expected_from`` says where ``sha256`` came from (a config key, ``--sha256``); a
    mismatch names it. ``timeout`` bounds each connect/read, ``deadline`` the whole file; a
    window of ``stall_window`` s averaging under ``min_rate`` bytes/s is a stall (retried). Raises
    :class:`ChecksumError` (naming the source, expected and actual digests) or
    :class:`DownloadError`; in both cases nothing is left at ``out``.
    """
    out = Path(out)
    name = name or out.name
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise DownloadError(f"retries must be an integer >= 0, got {retries!r}")
    for label, value in (
        ("timeout", timeout),
        ("deadline", deadline),
        ("stall_window", stall_window),
    ):
        if not value > 0:
            raise DownloadError(f"{label} must be > 0 seconds, got {value!r}")
    if pin not in PIN_MODES:
        raise DownloadError(f"pin must be one of {', '.join(PIN_MODES)}, got {pin!r}")
    expected = check_sha256(sha256, name)
    lock = Path(lock) if lock else None
    locked = read_lock(lock).get(name) if lock else None
    if locked and locked["url"] != url:
        log.warning(
            "source %r: url changed from %s to %s; the lock row will be replaced",
            name,
            locked["url"],
            url,
        )
        locked = None
    if pin == "strict" and not expected and not locked:
        raise DownloadError(
            f"source {name!r} ({url}) is not pinned: pin: strict needs its "
            f"sha256 in the config" + (f" or a row in {lock}" if lock else "")
        )
    source = local_path(url, base_dir)
    if source is not None and not source.is_file():
        raise DownloadError(f"{url}: no such file {source}")
    if out.is_dir():
        raise DownloadError(f"output {out} is a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    with _sigterm_exits():
        if source is not None:
            with atomic_path(out) as tmp:
                shutil.copyfile(source, tmp)
                actual = sha256_file(tmp)
                _verify(actual, url, name, expected, locked, lock, expected_from)
        else:
            part = out.parent / f".{out.name}{PART_TAG}"
            meta = out.parent / f".{out.name}{PART_TAG}.json"
            if part.exists() and _read_part_meta(meta).get("url") != url:
                part.unlink()  # a partial file of another URL
            if part.exists():
                log.info("%s: resuming the partial file at byte %d", url, part.stat().st_size)
            limits = _Limits(timeout, deadline, stall_window, min_rate, clock, clock())
            known = _fetch_remote(
                url,
                part,
                meta,
                retries=retries,
                backoff=backoff,
                max_backoff=max_backoff,
                limits=limits,
                sleep=sleep,
            )
            actual = sha256_file(part)
            try:
                if not known and not (expected or locked):
                    raise DownloadError(
                        f"{url}: the server sent no Content-Length, so a cut-off body cannot "
                        "be told from a complete one; give the source's sha256 to accept it"
                    )
                _verify(actual, url, name, expected, locked, lock, expected_from)
            except DownloadError:
                part.unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                raise
            apply_umask_mode(part)
            os.replace(part, out)
            meta.unlink(missing_ok=True)
    record = SourceRecord(name=name, url=url, sha256=actual, bytes=out.stat().st_size)
    if lock:
        record_lock(lock, record)
    log.info("downloaded %s -> %s (%d bytes, sha256 %s)", url, out, record.bytes, actual)
    return record


def download(url: str, out: str | os.PathLike, sha256: str | None = None, **kwargs) -> Path:
    """:func:`fetch` returning the output path (the keyword arguments are the same)."""
    fetch(url, out, sha256, **kwargs)
    return Path(out)


def write_sidecar(out: str | os.PathLike, record: SourceRecord) -> Path:
    """Write ``<out>.source.json`` (deterministic: sorted keys, no date); returns its path."""
    path = Path(f"{os.fspath(out)}.source.json")
    write_text_atomic(path, record.sidecar_json())
    return path


def local_fingerprint(url: str, base_dir: str | os.PathLike | None = None) -> str:
    """``size:mtime_ns`` of a local source ("" for a remote or missing one).

    Put into a rule's params, it makes the download rerun when a local file is edited, even
    when no sha256 is configured.
    """
    try:
        path = local_path(url, base_dir)
    except DownloadError:
        return ""
    if path is None or not path.is_file():
        return ""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"
