"""One download function for every source: http(s), ftp, ``file://`` and local paths.

The bytes stream into a temporary file beside the output; on a dropped connection or a 5xx the
request is retried with exponential backoff, and an HTTP retry resumes the partial file with a
``Range`` request (when the server honours it). The sha256 is checked before the file is
renamed into place, so a failed or mismatching download never leaves a file at the output path.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from genovocab.errors import ChecksumError, DownloadError
from genovocab.fileutil import atomic_path, sha256_file

log = logging.getLogger(__name__)

CHUNK = 1 << 20
USER_AGENT = "genovocab-download/1.0"
TRANSIENT = (ConnectionError, TimeoutError, socket.timeout, http.client.IncompleteRead,
             http.client.RemoteDisconnected, urllib.error.URLError)


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


def _is_retryable_http(code: int) -> bool:
    return code >= 500 or code in (408, 429)


def _open(url: str, offset: int, timeout: float):
    headers = {"User-Agent": USER_AGENT}
    if offset and url.startswith(("http://", "https://")):
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (schemes checked)


def _fetch_remote(url: str, tmp: Path, timeout: float, retries: int, backoff: float,
                  sleep: Callable[[float], None]) -> None:
    """Stream ``url`` into ``tmp``, resuming with Range after a transient failure."""
    attempt = 0
    while True:
        offset = tmp.stat().st_size if tmp.exists() else 0
        try:
            with _open(url, offset, timeout) as response:
                status = getattr(response, "status", 200)
                if offset and status != 206:  # server ignored the Range: start over
                    log.info("%s: server does not resume; restarting from byte 0", url)
                    offset = 0
                mode = "ab" if offset else "wb"
                with open(tmp, mode) as handle:
                    shutil.copyfileobj(response, handle, CHUNK)
                expected = response.headers.get("Content-Length")
                if expected is not None and status in (200, 206):
                    got = tmp.stat().st_size - offset
                    if got < int(expected):
                        raise http.client.IncompleteRead(b"", int(expected) - got)
            return
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and offset:  # range past the end: the file was complete
                return
            if not _is_retryable_http(exc.code) or attempt >= retries:
                raise DownloadError(f"HTTP {exc.code} {exc.reason} for {url}") from exc
            reason = f"HTTP {exc.code}"
        except TRANSIENT as exc:
            if attempt >= retries:
                raise DownloadError(f"giving up on {url} after {attempt + 1} attempts: "
                                    f"{exc}") from exc
            reason = f"{type(exc).__name__}: {exc}"
        delay = backoff * (2 ** attempt)
        attempt += 1
        log.warning("%s: %s; retry %d/%d in %.1f s", url, reason, attempt, retries, delay)
        sleep(delay)


def download(
    url: str,
    out: str | os.PathLike,
    sha256: str | None = None,
    *,
    name: str | None = None,
    timeout: float = 60.0,
    retries: int = 5,
    backoff: float = 1.0,
    base_dir: str | os.PathLike | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Fetch ``url`` to ``out``, verifying ``sha256`` when given; returns the output path.

    Raises :class:`ChecksumError` (naming the source, expected and actual digests) or
    :class:`DownloadError`; in both cases nothing is left at ``out``.
    """
    out = Path(out)
    source = local_path(url, base_dir)
    if source is not None and not source.is_file():
        raise DownloadError(f"{url}: no such file {source}")
    with atomic_path(out) as tmp:
        tmp.unlink()  # start empty: the remote fetch appends when resuming
        if source is not None:
            shutil.copyfile(source, tmp)
        else:
            _fetch_remote(url, tmp, timeout, retries, backoff, sleep)
        actual = sha256_file(tmp)
        if sha256 and actual.lower() != sha256.lower():
            raise ChecksumError(url, sha256.lower(), actual, name=name)
    log.info("downloaded %s -> %s (%d bytes, sha256 %s)", url, out, out.stat().st_size, actual)
    return out

