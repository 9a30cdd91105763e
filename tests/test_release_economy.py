"""Release economy: files linked into the release (and what a later rebuild does to them),
each file hashed once, archives of every choice byte-identical whatever the thread count and
equal to what Python's tarfile writes."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

import genovocab.release.archive as release_archive
import genovocab.release.parts as release_parts
from genovocab import fileutil
from genovocab.fileutil import write_bytes_atomic
from genovocab.release import (
    archive_path,
    build_release,
    load_release,
    place_file,
    verify,
    write_archive,
    write_tarball,
)

from .test_release import mini_release


def stage_release(
    tmp: Path, *, link: bool = True, threads: int = 1, name: str = "rel"
) -> tuple[Path, Path]:
    """A release of one large array (2 MiB, linked) and one small table (copied)."""
    stage = tmp / "stage"
    stage.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    np.save(stage / "values.npy", rng.random(1 << 18).astype(np.float64))  # 2 MiB + header
    (stage / "small.tsv").write_text("a\tb\n1\t2\n")
    (stage / "chrom.sizes").write_text("chr1\t100\n")
    return build(tmp, stage, link=link, threads=threads, name=name), stage


def build(
    tmp: Path, stage: Path, *, link: bool = True, threads: int = 1, name: str = "rel"
) -> Path:
    big = stage / "values.npy"
    return build_release(
        tmp / f"{name}-1",
        parts={"motifs/values.npy": big, "motifs/small.tsv": stage / "small.tsv"},
        config={"genome": "toy", "release": {"name": name, "version": "1"}},
        chrom_sizes=stage / "chrom.sizes",
        sources=[],
        software=[("python", "3")],
        threads=threads,
        link=link,
    )


def reference_tar(root: Path, mtime: int) -> bytes:
    """The uncompressed archive as Python's tarfile writes it (the earlier implementation)."""
    buffer = io.BytesIO()
    entries = sorted({p.relative_to(root).as_posix() for p in root.rglob("*")})
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in [""] + entries:
            path = root / rel if rel else root
            info = tarfile.TarInfo(f"{root.name}/{rel}" if rel else root.name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode, info.size = 0o644, path.stat().st_size
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
    return buffer.getvalue()


# ---------------------------------------------------------------------- links
def test_large_files_are_linked_small_ones_copied(tmp_path):
    mode = stat.S_IMODE(os.stat(tmp_path).st_mode)
    rel, stage = stage_release(tmp_path)
    big, small = rel / "motifs" / "values.npy", rel / "motifs" / "small.tsv"
    assert os.path.samefile(big, stage / "values.npy")
    assert not os.path.samefile(small, stage / "small.tsv")
    # permissions untouched: Snakemake refuses to rerun a job whose output is read-only
    assert stat.S_IMODE(os.stat(stage / "values.npy").st_mode) & 0o200
    assert stat.S_IMODE(os.stat(tmp_path).st_mode) == mode
    assert verify(rel) == []


def test_no_links_when_switched_off(tmp_path):
    rel, stage = stage_release(tmp_path, link=False)
    assert not os.path.samefile(rel / "motifs" / "values.npy", stage / "values.npy")


def test_rebuilt_work_file_leaves_the_release_alone(tmp_path):
    """A rerun of the job that wrote the work file renames a new file over it (as every
    genovocab writer does, and as Snakemake does after removing the old output): the
    release keeps its bytes and stays valid; the next build packages the new ones."""
    rel, stage = stage_release(tmp_path)
    before = (rel / "motifs" / "values.npy").read_bytes()
    write_bytes_atomic(stage / "values.npy", b"\x93NUMPY rebuilt, other bytes" * 50_000)
    assert (rel / "motifs" / "values.npy").read_bytes() == before
    assert verify(rel) == []
    # Snakemake's way: remove the output, then the job writes it anew
    (stage / "values.npy").unlink()
    np.save(stage / "values.npy", np.arange(1 << 18, dtype=np.int64))
    assert (rel / "motifs" / "values.npy").read_bytes() == before
    assert verify(rel) == []


def test_in_place_write_through_a_link_is_reported(tmp_path):
    """What a link cannot prevent (another program writing into the work file itself) it
    does not hide: verify names the file, and the next build refuses the changed file."""
    from genovocab.errors import InputError
    from genovocab.fileutil import record_digest

    rel, stage = stage_release(tmp_path)
    target = stage / "values.npy"
    record_digest(target)  # as atomic_path does for every output
    with target.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\xff\xfe")
    assert any(p.startswith("motifs/values.npy: changed") for p in verify(rel))
    if fileutil.recorded_digest(target) is not None:  # user xattrs on this file system
        with pytest.raises(InputError, match="changed since the job that made it wrote it"):
            build(tmp_path, stage)


def test_place_file_falls_back_to_a_copy(tmp_path, monkeypatch):
    src = tmp_path / "a.bin"
    src.write_bytes(os.urandom(2 << 20))

    def no_link(*_args, **_kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(release_parts.os, "link", no_link)
    how = place_file(src, tmp_path / "out" / "a.bin")
    assert how in ("reflink", "copy")
    assert (tmp_path / "out" / "a.bin").read_bytes() == src.read_bytes()
    assert not os.path.samefile(src, tmp_path / "out" / "a.bin")


def test_each_part_file_is_hashed_once(tmp_path, monkeypatch):
    calls: dict[str, int] = {}
    real = fileutil.sha256_file

    def counting(path, *args, **kwargs):
        calls[os.fspath(path)] = calls.get(os.fspath(path), 0) + 1
        return real(path, *args, **kwargs)

    import importlib

    for name in ("parts", "card", "build", "digest", "verification", "archive"):
        module = importlib.import_module(f"genovocab.release.{name}")
        if hasattr(module, "sha256_file"):
            monkeypatch.setattr(module, "sha256_file", counting)
    rel, stage = stage_release(tmp_path, threads=2)
    for name in ("values.npy", "small.tsv"):
        hashed = (
            calls.get(os.fspath(stage / name), 0)
            + calls.get(os.fspath(rel / "motifs" / name), 0)
            + calls.get(os.fspath(rel.parent / fileutil.tmp_name(rel) / "motifs" / name), 0)
        )
        assert sum(n for p, n in calls.items() if p.endswith(f"/{name}")) == hashed == 1, name


def test_threads_do_not_change_the_release(tmp_path):
    a, _ = stage_release(tmp_path / "a", threads=1)
    b, _ = stage_release(tmp_path / "b", threads=3)
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


# ---------------------------------------------------------------------- archives
def test_tar_equals_pythons_tarfile_and_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    rel = mini_release(tmp_path)
    tar = write_archive(rel, "tar")
    assert tar == archive_path(rel, "tar") == tmp_path / "rel-1.tar"
    assert tar.read_bytes() == reference_tar(rel, 1234)
    loaded = load_release(tar, cache_dir=tmp_path / "cache")
    assert loaded.manifest == load_release(rel).manifest
    assert write_archive(rel, "none") is None


def test_tar_gz_is_members_of_the_tar_stream_and_thread_independent(tmp_path, monkeypatch):
    """Pieces of 64 KiB (so several members): gunzip gives the tar stream byte for byte,
    tarfile and the gzip command read it, and 1 or 3 threads write the same bytes."""
    monkeypatch.setattr(release_archive, "GZIP_PIECE", 64 << 10)
    rel, _ = stage_release(tmp_path)
    one = write_tarball(rel, tmp_path / "one.tar.gz", 0, threads=1).read_bytes()
    three = write_tarball(rel, tmp_path / "three.tar.gz", 0, threads=3).read_bytes()
    assert one == three
    members = one.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
    expected = reference_tar(rel, 0)
    assert members >= len(expected) // (64 << 10)
    assert gzip.decompress(one) == expected
    if shutil.which("gzip"):
        out = subprocess.run(
            ["gzip", "-dc", str(tmp_path / "one.tar.gz")], check=True, capture_output=True
        ).stdout
        assert out == expected
    assert load_release(tmp_path / "one.tar.gz", cache_dir=tmp_path / "c").name == "rel-1"


def test_gzip_member_is_what_gzip_writes():
    data = b"ACGT" * 10_000 + bytes(range(256))
    member = release_archive.gzip_member(data)
    assert gzip.decompress(member) == data
    # Python's gzip at the same level, mtime 0, no name: the same bytes
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=6, mtime=0) as handle:
        handle.write(data)
    assert member == buffer.getvalue()


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd command")
def test_tar_zst_is_the_tar_stream_and_thread_independent(tmp_path):
    rel, _ = stage_release(tmp_path)
    one = write_tarball(rel, tmp_path / "a.tar.zst", 0, archive="tar.zst", threads=1)
    two = write_tarball(rel, tmp_path / "b.tar.zst", 0, archive="tar.zst", threads=2)
    assert one.read_bytes() == two.read_bytes()
    out = subprocess.run(["zstd", "-dc", str(one)], check=True, capture_output=True).stdout
    assert out == reference_tar(rel, 0)
    from genovocab.errors import InputError

    with pytest.raises(
        InputError,
        match=r"a.tar.zst: a .tar.zst release is opened as its "
        "folder",
    ):
        load_release(one, cache_dir=tmp_path / "cache")


def test_unknown_archive_is_refused(tmp_path):
    rel = mini_release(tmp_path)
    with pytest.raises(Exception, match="release.archive must be one of"):
        write_archive(rel, "zip")
