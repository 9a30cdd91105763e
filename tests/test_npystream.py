"""Arrays written in pieces give the bytes numpy.save / numpy.savez give for the whole."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.npystream import (
    NpyAppender,
    appending_npy,
    link_or_copy,
    npy_chunks,
    npy_header,
    npy_length,
    npy_pieces,
    write_npz,
)


def saved_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.uint64])
@pytest.mark.parametrize("pieces", [[], [0], [5], [3, 0, 1000, 7]])
def test_appended_npy_equals_numpy_save(tmp_path, dtype, pieces):
    rng = np.random.default_rng(len(pieces))
    parts = [rng.integers(0, 1000, size=n).astype(dtype) for n in pieces]
    whole = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    with appending_npy(tmp_path / "a.npy", dtype) as writer:
        for part in parts:
            writer.append(part)
    assert (tmp_path / "a.npy").read_bytes() == saved_bytes(whole)
    assert npy_length(tmp_path / "a.npy", dtype) == whole.size


def test_header_size_does_not_depend_on_the_length():
    """numpy reserves room for 21 more digits, so the final header fits the placeholder's."""
    assert {len(npy_header(np.dtype(np.int32), n)) for n in (0, 9, 10**9, 10**15)} == {128}
    for n in (0, 9, 123_456):
        assert npy_header(np.dtype(np.float32), n) == saved_bytes(np.zeros(n, np.float32))[:128]


def test_failed_append_leaves_nothing(tmp_path):
    with pytest.raises(ZeroDivisionError), appending_npy(tmp_path / "a.npy", np.int32) as writer:
        writer.append(np.arange(4))
        raise ZeroDivisionError
    assert list(tmp_path.iterdir()) == []


def test_read_back_while_appending(tmp_path):
    with open(tmp_path / "s.npy", "w+b") as handle:
        writer = NpyAppender(handle, np.int32)
        writer.append(np.arange(10))
        assert writer.read(np.array([9, 0, 4])).tolist() == [9, 0, 4]
        writer.append(np.arange(100, 103))
        assert writer.read(np.array([12, 10])).tolist() == [102, 100]
        assert writer.read(np.zeros(0, dtype=np.int64)).size == 0


def test_write_npz_equals_numpy_savez(tmp_path):
    indices = np.arange(1000, dtype=np.int32) * 3
    with appending_npy(tmp_path / "indices.npy", np.int32) as writer:
        writer.append(indices[:400])
        writer.append(indices[400:])
    members = {
        "indptr": np.array([0, 2, 1000], dtype=np.int64),
        "indices": indices,
        "counts": np.array([5, 7], dtype=np.int64),
    }
    write_npz(
        tmp_path / "ours.npz",
        [
            ("indptr", members["indptr"]),
            ("indices", tmp_path / "indices.npy"),
            ("counts", members["counts"]),
        ],
    )
    with open(tmp_path / "numpy.npz", "wb") as handle:
        np.savez(handle, **members)
    assert (tmp_path / "ours.npz").read_bytes() == (tmp_path / "numpy.npz").read_bytes()


def test_npy_length_names_the_file(tmp_path):
    np.save(tmp_path / "m.npy", np.zeros((2, 2), dtype=np.int32))
    with pytest.raises(InputError, match=r"m.npy: expected a 1-D int32 array"):
        npy_length(tmp_path / "m.npy", np.int32)
    (tmp_path / "x.npy").write_text("no")
    with pytest.raises(InputError, match=r"x.npy: not a .npy array"):
        npy_length(tmp_path / "x.npy", np.int32)


def test_link_or_copy_shares_the_bytes(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3))
    link_or_copy(tmp_path / "a.npy", tmp_path / "b.npy")
    assert (tmp_path / "b.npy").read_bytes() == (tmp_path / "a.npy").read_bytes()
    assert os.stat(tmp_path / "b.npy").st_ino == os.stat(tmp_path / "a.npy").st_ino


def test_npy_max_reads_in_chunks(tmp_path):
    from genovocab.npystream import npy_max

    values = np.random.default_rng(3).integers(0, 10_000, size=1001).astype(np.int32)
    np.save(tmp_path / "v.npy", values)
    assert npy_max(tmp_path / "v.npy", chunk=100) == int(values.max())
    np.save(tmp_path / "e.npy", np.zeros(0, dtype=np.int32))
    assert npy_max(tmp_path / "e.npy") is None


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.int64])
def test_chunks_and_pieces_are_numpys_slices(tmp_path, dtype):
    rng = np.random.default_rng(3)
    array = rng.integers(-1000, 1000, 1_000).astype(dtype)
    np.save(tmp_path / "a.npy", array)
    sizes = [0, 7, 300, 1, 692]
    got = list(npy_chunks(tmp_path / "a.npy", sizes))
    cuts = np.cumsum([0, *sizes])
    assert [g.dtype for g in got] == [np.dtype(dtype)] * len(sizes)
    assert all(np.array_equal(g, array[a:b]) for g, a, b in zip(got, cuts[:-1], cuts[1:]))
    starts = np.array([990, 0, 500, 500, 37])
    stops = np.array([1000, 3, 500, 520, 38])
    want = np.concatenate([array[a:b] for a, b in zip(starts, stops)])
    assert np.array_equal(npy_pieces(tmp_path / "a.npy", starts, stops), want)
    assert npy_pieces(tmp_path / "a.npy", starts[:0], stops[:0]).dtype == np.dtype(dtype)
