"""Untrusted release tarballs: bounds checked before anything is written, no modes beyond
0644/0755 and no owners, verification before the cache folder is visible, no partial folder
left behind by a failure or a killed process."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from genovocab.errors import InputError
from genovocab.fileutil import host_tag
from genovocab.release import (
    MAX_MEMBERS,
    ReleaseError,
    clean_partials,
    load_release,
    unpack_tarball,
    write_tarball,
)

from .test_release import mini_release

SRC = Path(__file__).resolve().parents[1] / "src"


def cache_entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def retar(release: Path, out: Path, edit=None) -> Path:
    """The release folder as a tarball, each member passed through ``edit(info)`` first."""
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in [release, *sorted(release.rglob("*"))]:
            info = tar.gettarinfo(
                str(path),
                arcname=f"{release.name}/{path.relative_to(release).as_posix()}".rstrip("/."),
            )
            if path == release:
                info.name = release.name
            if edit is not None:
                edit(info)
            if info.isfile():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    return out


@pytest.fixture
def release(tmp_path) -> Path:
    return mini_release(tmp_path / "build")


def test_setuid_member_and_owners_are_dropped(tmp_path, release):
    """A setuid, group-writable member owned by uid 1234 unpacks 0644, owned by us."""

    def hostile(info: tarfile.TarInfo) -> None:
        info.uid, info.gid, info.uname, info.gname = 1234, 1234, "evil", "evil"
        info.mode = 0o6777 if info.isfile() else 0o7777

    tar = retar(release, tmp_path / "setuid.tar.gz", hostile)
    with tarfile.open(tar) as t:  # the archive really carries them
        assert {m.mode for m in t.getmembers() if m.isfile()} == {0o6777}
    rel = load_release(tar, cache_dir=tmp_path / "cache")
    for path in [rel.path, *rel.path.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path
        assert path.stat().st_uid == os.getuid()
    assert rel.load_corpus("toy").num_rows == 2


def test_links_and_devices_are_refused_before_writing(tmp_path, release):
    for kind, edit in (
        (
            "link",
            lambda i: (setattr(i, "type", tarfile.SYMTYPE), setattr(i, "linkname", "/etc/passwd")),
        ),
        ("device or special file", lambda i: setattr(i, "type", tarfile.CHRTYPE)),
    ):

        def hostile(info, edit=edit):
            if info.name.endswith("provenance/software.tsv"):
                edit(info)
                info.size = 0

        tar = retar(release, tmp_path / f"{kind[:4]}.tar.gz", hostile)
        with pytest.raises(InputError, match=f"software.tsv'?: a {kind}"):
            unpack_tarball(tar, tmp_path / "cache")
        assert cache_entries(tmp_path / "cache") == []


def many_members(path: Path, n: int) -> Path:
    """A tarball of one folder and ``n`` empty files (headers patched from one template)."""
    template = bytearray(tarfile.TarInfo("rel-1/f0").tobuf(tarfile.GNU_FORMAT))
    blank = template[:148] + b" " * 8 + template[156:]
    base = sum(blank) - sum(blank[:100])
    top = tarfile.TarInfo("rel-1")
    top.type, top.mode = tarfile.DIRTYPE, 0o755
    chunks = [top.tobuf(tarfile.GNU_FORMAT)]
    for i in range(n):
        name = f"rel-1/f{i}".encode().ljust(100, b"\0")
        header = bytearray(blank)
        header[:100] = name
        header[148:156] = b"%06o\0 " % (base + sum(name))
        chunks.append(bytes(header))
    chunks.append(b"\0" * 1024)
    path.write_bytes(gzip.compress(b"".join(chunks), compresslevel=1))
    return path


def test_200000_members_refused_before_writing(tmp_path):
    tar = many_members(tmp_path / "many.tar.gz", 200_000)
    with tarfile.open(tar) as t:  # a well-formed archive: the headers are right
        assert sum(1 for _ in zip(range(3), t)) == 3
    with pytest.raises(InputError, match=f"more than {MAX_MEMBERS:,} members"):
        unpack_tarball(tar, tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == []


def bomb(path: Path, expanded: int, sums_first: bool) -> Path:
    """A ~1 KB per 64 MiB tarball: one member of ``expanded`` zero bytes (concatenated gzip
    members of zeros), optionally after a SHA256SUMS that does not list it."""
    with path.open("wb") as out:
        if sums_first:
            data = b"0" * 64 + b"  README.md\n"
            info = tarfile.TarInfo("rel-1/SHA256SUMS")
            info.size = len(data)
            out.write(
                gzip.compress(info.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (-len(data) % 512))
            )
        info = tarfile.TarInfo("rel-1/big.bin")
        info.size = expanded
        out.write(gzip.compress(info.tobuf(tarfile.GNU_FORMAT)))
        block = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
        for _ in range(expanded // (64 << 20)):
            out.write(block)
        out.write(gzip.compress(b"\0" * 1024))
    return path


def test_small_archive_expanding_past_the_cap(tmp_path, monkeypatch):
    tar = bomb(tmp_path / "bomb.tar.gz", 2 << 30, sums_first=False)
    assert tar.stat().st_size < 3 << 20  # ~2 MB on disk, 2 GiB unpacked
    monkeypatch.setenv("GENOVOCAB_UNPACK_MAX_BYTES", str(1 << 30))
    with pytest.raises(InputError, match="unpacks to more than 1,073,741,824 bytes"):
        unpack_tarball(tar, tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == []
    monkeypatch.delenv("GENOVOCAB_UNPACK_MAX_BYTES")
    # under the hard cap, a file its own SHA256SUMS does not list is refused unwritten
    tar = bomb(tmp_path / "bomb2.tar.gz", 2 << 30, sums_first=True)
    with pytest.raises(ReleaseError, match="big.bin: extra file not in SHA256SUMS"):
        unpack_tarball(tar, tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == []


def test_truncated_archive(tmp_path, release):
    good = write_tarball(release, tmp_path / "good.tar.gz")
    data = good.read_bytes()
    for cut in (len(data) // 2, len(data) - 20, 100):
        bad = tmp_path / f"cut{cut}.tar.gz"
        bad.write_bytes(data[:cut])
        with pytest.raises(InputError, match=rf"cut{cut}.tar.gz: truncated or corrupt archive"):
            load_release(bad, cache_dir=tmp_path / "cache")
        assert cache_entries(tmp_path / "cache") == []


def test_unlisted_or_resized_member_refused_before_writing(tmp_path, release):
    (release / "intervals" / "evil.sh").write_text("#!/bin/sh\n")
    tar = write_tarball(release, tmp_path / "extra.tar.gz")
    with pytest.raises(ReleaseError, match="intervals/evil.sh: extra file not in SHA256SUMS"):
        unpack_tarball(tar, tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == []


def test_tampered_content_never_becomes_visible(tmp_path, release):
    shard = next((release / "corpora" / "toy" / "data").glob("*.parquet"))
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    shard.write_bytes(bytes(data))
    tar = write_tarball(release, tmp_path / "flip.tar.gz")
    with pytest.raises(
        ReleaseError, match="corpora/toy/data/train-00000-of-00001.parquet: changed"
    ):
        load_release(tar, cache_dir=tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == []


KILLED = """
import sys, time
import genovocab.release.archive as r
def stall(path, sha256=None):
    print("unpacked", flush=True)
    time.sleep(120)
r.verify_release = stall
r.unpack_tarball(sys.argv[1], sys.argv[2])
"""


def test_kill_mid_unpack_is_cleaned_on_next_load(tmp_path, release):
    tar = write_tarball(release, tmp_path / "r.tar.gz")
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(tar), str(cache)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout.readline().strip() == "unpacked"
        partial = cache_entries(cache)
        assert len(partial) == 1 and f".partial-{host_tag()}-{proc.pid}-" in partial[0]
        # a live unpack's folder is not touched by another process's clean-up
        assert clean_partials(cache) == [] and cache_entries(cache) == partial
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert cache_entries(cache) == partial  # the kill left it
    rel = load_release(tar, cache_dir=cache)  # the next load removes it and unpacks
    digest = partial[0].split(".partial-")[0]
    assert cache_entries(cache) == [digest] and rel.path.parent == cache / digest
    assert rel.load_corpus("toy").num_rows == 2


def test_legacy_partial_of_a_dead_pid_is_cleaned(tmp_path):
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    stale = cache / f"{'a' * 64}.partial-{proc.pid}"
    (stale / "rel-1").mkdir(parents=True)
    live = cache / f"{'b' * 64}.partial-{os.getpid()}"
    live.mkdir()
    user = cache / "notes"
    user.mkdir()
    assert clean_partials(cache) == [stale]
    assert cache_entries(cache) == sorted([live.name, "notes"])
