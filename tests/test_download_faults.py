"""Download faults from a fault-injecting HTTP server on 127.0.0.1 (a thread; every test is
bounded by small timeouts/deadlines and the server stops with the fixture)."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from genovocab.download import fetch, read_lock, retry_after_seconds
from genovocab.errors import ChecksumError, DownloadError

PAYLOAD = bytes(range(256)) * 256  # 64 KiB
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()
FAST = {"backoff": 0.01, "timeout": 2.0, "deadline": 10.0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _count(self) -> int:
        state = self.server.state
        state["requests"].append(
            (self.path, self.headers.get("Range"), self.headers.get("If-Range"))
        )
        return sum(1 for r in state["requests"] if r[0] == self.path)

    def _offset(self) -> int:
        value = self.headers.get("Range")
        return int(value.split("=")[1].rstrip("-")) if value else 0

    def _whole(self, body=PAYLOAD, length=True, extra=()):
        self.send_response(200)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"v1"')
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802, C901
        count = self._count()
        path = self.path
        if path == "/ok":
            self._whole()
        elif path == "/wrong-range":  # 1st: half then hang up; then a 206 from the wrong byte
            if count == 1:
                self.send_response(200)
                self.send_header("Content-Length", str(len(PAYLOAD)))
                self.end_headers()
                self.wfile.write(PAYLOAD[:1000])
                return
            if self.headers.get("Range"):
                self.send_response(206)
                self.send_header("Content-Range", f"bytes 0-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
                self.send_header("Content-Length", str(len(PAYLOAD)))
                self.end_headers()
                self.wfile.write(PAYLOAD)
                return
            self._whole()
        elif path == "/no-length-short":  # close-delimited body cut short
            self._whole(PAYLOAD[:5000], length=False)
        elif path == "/no-length":
            self._whole(length=False)
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            for i in range(200):
                if self.server.stop.is_set():
                    return
                self.wfile.write(PAYLOAD[i : i + 1])
                self.wfile.flush()
                time.sleep(0.2)
        elif path == "/retry-after":
            if count == 1:
                self.send_response(503)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._whole()
        elif path == "/retry-after-long":
            self.send_response(429)
            self.send_header("Retry-After", "3600")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/garbage-status":
            self.wfile.write(b"SPAM 12 eggs\r\n\r\n")
        elif path == "/bad-length":
            self.send_response(200)
            self.send_header("Content-Length", "abc")
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif path == "/progress-drops":  # 8 KiB per connection, then hang up
            start = self._offset()
            chunk = PAYLOAD[start : start + 8192]
            if start:
                self.send_response(206)
                self.send_header(
                    "Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}"
                )
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD) - start))
            self.end_headers()
            self.wfile.write(chunk)
        elif path == "/always-500":
            self.send_error(500, "down")
        elif path == "/changed":
            body = self.server.state.get("body", PAYLOAD)
            self._whole(body)
        elif path == "/resume":  # honours Range; slow so that a process can be killed mid-way
            start = self._offset()
            body = PAYLOAD[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header(
                    "Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}"
                )
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"v1"')
            self.end_headers()
            for i in range(0, len(body), 4096):
                if self.server.stop.is_set():
                    return
                self.wfile.write(body[i : i + 4096])
                self.wfile.flush()
                if not start:
                    time.sleep(0.3)
        else:
            self.send_error(404)


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.state = {"requests": []}
    httpd.stop = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_206_from_the_wrong_offset_restarts_not_appends(server, tmp_path):
    _, base = server
    out = fetch(f"{base}/wrong-range", tmp_path / "f", **FAST)
    assert (tmp_path / "f").read_bytes() == PAYLOAD and out.sha256 == DIGEST


def test_early_end_without_length_and_no_digest_is_an_error(server, tmp_path):
    _, base = server
    with pytest.raises(DownloadError, match="no Content-Length"):
        fetch(f"{base}/no-length-short", tmp_path / "f", **FAST)
    assert names(tmp_path) == []


def test_unknown_length_confirmed_by_sha256_is_accepted(server, tmp_path):
    _, base = server
    fetch(f"{base}/no-length", tmp_path / "f", DIGEST, **FAST)
    assert (tmp_path / "f").read_bytes() == PAYLOAD


def test_trickle_is_a_stall_and_the_deadline_stops_it(server, tmp_path):
    _, base = server
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match="giving up"):
        fetch(
            f"{base}/trickle",
            tmp_path / "f",
            retries=1,
            backoff=0.01,
            timeout=2,
            deadline=6,
            stall_window=1.0,
            min_rate=100,
        )
    assert time.monotonic() - t0 < 10
    assert not (tmp_path / "f").exists()


def test_retry_after_is_honoured(server, tmp_path):
    _, base = server
    slept = []
    fetch(f"{base}/retry-after", tmp_path / "f", DIGEST, sleep=slept.append, **FAST)
    assert slept == [1.0]


def test_retry_after_beyond_the_deadline_gives_up_at_once(server, tmp_path):
    _, base = server
    slept = []
    with pytest.raises(DownloadError, match="retry in 3600 s"):
        fetch(f"{base}/retry-after-long", tmp_path / "f", sleep=slept.append, **FAST)
    assert slept == []


def test_retry_after_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_backoff_is_capped(server, tmp_path):
    _, base = server
    slept = []
    with pytest.raises(DownloadError, match="after 7 attempts"):
        fetch(
            f"{base}/always-500",
            tmp_path / "f",
            retries=6,
            backoff=1.0,
            max_backoff=4.0,
            sleep=slept.append,
            timeout=2,
            deadline=100,
        )
    assert slept == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_garbage_status_line_is_an_error_not_a_traceback(server, tmp_path):
    _, base = server
    with pytest.raises(DownloadError, match="BadStatusLine"):
        fetch(f"{base}/garbage-status", tmp_path / "f", retries=1, **FAST)
    assert names(tmp_path) == []


def test_invalid_content_length_is_an_error(server, tmp_path):
    _, base = server
    with pytest.raises(DownloadError, match="invalid Content-Length 'abc'"):
        fetch(f"{base}/bad-length", tmp_path / "f", **FAST)


def test_attempts_reset_when_a_retry_makes_progress(server, tmp_path):
    httpd, base = server
    # 8 drops with retries=2: only possible because each retry made progress
    fetch(f"{base}/progress-drops", tmp_path / "f", DIGEST, retries=2, **FAST)
    assert (tmp_path / "f").read_bytes() == PAYLOAD
    assert sum(1 for r in httpd.state["requests"] if r[0] == "/progress-drops") == 8


def test_lock_records_then_detects_a_changed_upstream_file(server, tmp_path):
    httpd, base = server
    lock = tmp_path / "sources.lock.tsv"
    fetch(f"{base}/changed", tmp_path / "f", name="ccres", lock=lock, **FAST)
    rows = read_lock(lock)
    assert rows["ccres"]["sha256"] == DIGEST and rows["ccres"]["bytes"] == str(len(PAYLOAD))
    assert lock.read_text().splitlines()[0] == "name\turl\tsha256\tbytes\tdate"
    httpd.state["body"] = PAYLOAD[::-1]
    new = hashlib.sha256(PAYLOAD[::-1]).hexdigest()
    with pytest.raises(ChecksumError) as info:
        fetch(f"{base}/changed", tmp_path / "f2", name="ccres", lock=lock, **FAST)
    assert "ccres" in str(info.value) and DIGEST in str(info.value) and new in str(info.value)
    assert not (tmp_path / "f2").exists()


def test_pin_strict_refuses_an_unpinned_source_before_downloading(server, tmp_path):
    httpd, base = server
    with pytest.raises(DownloadError, match="not pinned"):
        fetch(
            f"{base}/ok",
            tmp_path / "f",
            name="genome",
            pin="strict",
            lock=tmp_path / "l.tsv",
            **FAST,
        )
    assert httpd.state["requests"] == []
    fetch(f"{base}/ok", tmp_path / "f", DIGEST, name="genome", pin="strict", **FAST)


def test_lock_rows_sorted_and_concurrent_writers_do_not_corrupt(server, tmp_path):
    _, base = server
    lock = tmp_path / "sources.lock.tsv"
    threads = [
        threading.Thread(
            target=fetch,
            args=(f"{base}/ok", tmp_path / f"f{i}"),
            kwargs={"name": f"s{i}", "lock": lock, **FAST},
        )
        for i in (3, 1, 2, 0)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(read_lock(lock)) == ["s0", "s1", "s2", "s3"]
    assert [line.split("\t")[0] for line in lock.read_text().splitlines()[1:]] == [
        "s0",
        "s1",
        "s2",
        "s3",
    ]


def test_sigterm_keeps_the_part_and_a_new_process_resumes(server, tmp_path):
    httpd, base = server
    code = (
        "import sys; from genovocab.download import fetch; "
        f"fetch({base + '/resume'!r}, {str(tmp_path / 'f')!r}, timeout=5, deadline=60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    part = tmp_path / ".f.genovocab-part"
    for _ in range(100):
        if part.exists() and part.stat().st_size >= 8192:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 128 + signal.SIGTERM
    size = part.stat().st_size
    assert 0 < size < len(PAYLOAD)
    meta = json.loads((tmp_path / ".f.genovocab-part.json").read_text())
    assert meta == {"url": f"{base}/resume", "validator": '"v1"'}
    assert not any(".genovocab-tmp-" in n for n in names(tmp_path))
    fetch(f"{base}/resume", tmp_path / "f", DIGEST, **FAST)
    assert (tmp_path / "f").read_bytes() == PAYLOAD
    last = [r for r in httpd.state["requests"] if r[0] == "/resume"][-1]
    assert last[1] == f"bytes={size}-" and last[2] == '"v1"'
    assert names(tmp_path) == ["f"]


def test_connection_refused_is_bounded(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match="after 3 attempts"):
        fetch(f"http://127.0.0.1:{port}/x", tmp_path / "f", retries=2, **FAST)
