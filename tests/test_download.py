"""Downloads against a real HTTP server on 127.0.0.1 (a thread), and file:// sources."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from genovocab.download import download
from genovocab.errors import ChecksumError, DownloadError

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(BaseHTTPRequestHandler):
    """Serves PAYLOAD with behaviour chosen by path; counts requests per path."""

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send_body(self, start: int, status: int) -> None:
        body = PAYLOAD[start:]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        state = self.server.state
        state["requests"].append((self.path, self.headers.get("Range")))
        count = sum(1 for p, _ in state["requests"] if p == self.path)
        if self.path == "/ok":
            self._send_body(0, 200)
        elif self.path == "/drop":
            if count == 1:  # promise the whole body, send half, hang up
                self.send_response(200)
                self.send_header("Content-Length", str(len(PAYLOAD)))
                self.end_headers()
                self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            start = int(self.headers["Range"].split("=")[1].rstrip("-"))
            self._send_body(start, 206)
        elif self.path == "/flaky":
            if count <= 2:
                self.send_error(500, "temporary failure")
                return
            self._send_body(0, 200)
        else:
            self.send_error(404, "Not Found")


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.state = {"requests": []}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_normal_download(server, tmp_path):
    _, base = server
    out = download(f"{base}/ok", tmp_path / "f.bin", DIGEST, backoff=0.01)
    assert out.read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == ["f.bin"]


def test_dropped_connection_resumes_with_range(server, tmp_path):
    httpd, base = server
    out = download(f"{base}/drop", tmp_path / "f.bin", DIGEST, backoff=0.01)
    assert out.read_bytes() == PAYLOAD
    ranges = [r for p, r in httpd.state["requests"] if p == "/drop"]
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1].startswith("bytes=")
    resumed_from = int(ranges[1].split("=")[1].rstrip("-"))
    assert 0 < resumed_from < len(PAYLOAD)
    assert leftovers(tmp_path) == ["f.bin"]


def test_two_server_errors_then_success(server, tmp_path):
    httpd, base = server
    out = download(f"{base}/flaky", tmp_path / "f.bin", DIGEST, backoff=0.01)
    assert out.read_bytes() == PAYLOAD
    assert [p for p, _ in httpd.state["requests"]].count("/flaky") == 3


def test_404_is_a_clear_error_and_leaves_nothing(server, tmp_path):
    httpd, base = server
    with pytest.raises(DownloadError, match=r"HTTP 404 .*missing\.bed"):
        download(f"{base}/missing.bed", tmp_path / "f.bin", backoff=0.01)
    assert leftovers(tmp_path) == []
    assert len(httpd.state["requests"]) == 1  # a 404 is not retried


def test_wrong_sha256_names_both_digests_and_leaves_nothing(server, tmp_path):
    _, base = server
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        download(f"{base}/ok", tmp_path / "f.bin", wrong, name="genome", backoff=0.01)
    message = str(info.value)
    assert wrong in message and DIGEST in message and "genome" in message
    assert leftovers(tmp_path) == []


def test_a_mismatch_says_where_the_expected_digest_came_from(tmp_path):
    from genovocab.download import expected_origin

    src = tmp_path / "genome.fa"
    src.write_bytes(b">chr1\nACGT\n")
    assert expected_origin("genome") == "the configuration key sources.genome.sha256"
    assert expected_origin("samples/s1") == "the sha256 column of sample 's1' in its sample sheet"
    with pytest.raises(ChecksumError) as info:
        download(
            str(src),
            tmp_path / "out" / "genome",
            "0" * 64,
            name="genome",
            expected_from=expected_origin("genome"),
        )
    assert "(expected digest from the configuration key sources.genome.sha256)" in str(info.value)
    assert not (tmp_path / "out" / "genome").exists()


def test_retries_exhausted_is_an_error(tmp_path):
    # a port with no server: connection refused on every attempt
    with pytest.raises(DownloadError, match="giving up"):
        download("http://127.0.0.1:9/none", tmp_path / "f.bin", retries=2, backoff=0.001)
    assert leftovers(tmp_path) == []


def test_file_url_and_plain_path(tmp_path):
    src = tmp_path / "src" / "data.bin"
    src.parent.mkdir()
    src.write_bytes(PAYLOAD)
    out1 = download(f"file://{src}", tmp_path / "out" / "a.bin", DIGEST)
    assert out1.read_bytes() == PAYLOAD
    out2 = download("src/data.bin", tmp_path / "out" / "b.bin", DIGEST, base_dir=tmp_path)
    assert out2.read_bytes() == PAYLOAD
    out3 = download("file://src/data.bin", tmp_path / "out" / "c.bin", base_dir=tmp_path)
    assert out3.read_bytes() == PAYLOAD


def test_missing_local_file_is_an_error(tmp_path):
    with pytest.raises(DownloadError, match="no such file"):
        download(f"file://{tmp_path}/absent.bed", tmp_path / "f.bin")
    assert leftovers(tmp_path) == []


def test_unsupported_scheme(tmp_path):
    with pytest.raises(DownloadError, match="unsupported URL scheme 'gopher'"):
        download("gopher://example.org/x", tmp_path / "f.bin")
