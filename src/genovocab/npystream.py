"""Arrays written while they are computed, with the bytes ``numpy.save`` / ``numpy.savez`` give.

A chromosome's bin x cluster matrix and its token patterns can be larger than a job's memory
(chr1 at hg38 site density: ~1.7e9 non-zeros), so they are written block by block:

- :func:`appending_npy` writes a 1-D ``.npy`` whose length is known only at the end. numpy
  leaves room in every header for the length to grow by 21 digits, so the header written first
  (length 0) is overwritten in place by the final one, of the same size.
- :func:`write_npz` assembles an ``.npz`` (stored, not compressed, like ``numpy.savez``) from
  in-memory arrays and finished ``.npy`` files, copying the files in chunks.

Both go through :func:`genovocab.fileutil.atomic_path`: nothing is left at the output path when
a job fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from genovocab.errors import InputError
from genovocab.fileutil import atomic_path

COPY_BYTES = 1 << 24


def npy_header(dtype: np.dtype, shape: int | tuple[int, ...]) -> bytes:
    """The header ``numpy.save`` writes for a C-order array of ``shape`` (an int: 1-D)."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(map(int, shape))
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer,
        {
            "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
            "fortran_order": False,
            "shape": shape,
        },
    )
    return buffer.getvalue()


def read_npy_header(
    handle, path: str | os.PathLike, member: str
) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from the header of the ``.npy`` stream ``handle`` (left at its data);
    ``member`` names it in errors."""
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    else:
        raise InputError(path, f"{member}: unsupported .npy version {version}")
    if fortran and len(shape) > 1:
        raise InputError(path, f"{member}: Fortran-ordered arrays are not supported")
    return shape, dtype


class NpyAppender:
    """A 1-D ``.npy`` file open for appending; :meth:`finish` writes the final header."""

    def __init__(self, handle, dtype: np.dtype) -> None:
        self.handle = handle
        self.dtype = np.dtype(dtype)
        self.length = 0
        self._header_size = len(npy_header(self.dtype, 0))
        handle.write(npy_header(self.dtype, 0))

    def append(self, values: np.ndarray) -> None:
        """Append ``values`` (cast to the file's dtype)."""
        array = np.ascontiguousarray(values, dtype=self.dtype).ravel()
        self.handle.write(memoryview(array).cast("B"))
        self.length += array.size

    def read(self, positions: np.ndarray) -> np.ndarray:
        """Items already appended, at ``positions`` (a memory map; only their pages are read)."""
        self.handle.flush()
        if not positions.size:
            return np.zeros(0, dtype=self.dtype)
        mapped = np.memmap(
            self.handle.name,
            dtype=self.dtype,
            mode="r",
            offset=self._header_size,
            shape=(self.length,),
        )
        values = np.array(mapped[positions])
        del mapped
        return values

    def finish(self) -> None:
        """Overwrite the placeholder header with the final length."""
        header = npy_header(self.dtype, self.length)
        if len(header) != self._header_size:  # numpy reserves 21 digits; cannot happen
            raise RuntimeError(f"npy header grew from {self._header_size} to {len(header)} B")
        self.handle.flush()
        self.handle.seek(0)
        self.handle.write(header)
        self.handle.seek(0, os.SEEK_END)


@contextlib.contextmanager
def appending_npy(path: str | os.PathLike, dtype: np.dtype) -> Iterator[NpyAppender]:
    """Yield an :class:`NpyAppender` whose file is renamed onto ``path`` on success."""
    with atomic_path(path, suffix=".npy") as tmp, open(tmp, "wb") as handle:
        writer = NpyAppender(handle, dtype)
        yield writer
        writer.finish()


def write_npz(
    path: str | os.PathLike, members: Sequence[tuple[str, np.ndarray | str | os.PathLike]]
) -> None:
    """``numpy.savez(path, **members)`` (same bytes), atomically; a member given as a path to a
    finished ``.npy`` file is copied in chunks instead of being loaded."""
    with atomic_path(path, suffix=".npz") as tmp:
        with zipfile.ZipFile(
            tmp, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True
        ) as archive:
            for name, value in members:
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    if isinstance(value, np.ndarray):
                        np.lib.format.write_array(member, value, allow_pickle=False)
                    else:
                        with open(value, "rb") as source:
                            shutil.copyfileobj(source, member, COPY_BYTES)


def npy_length(path: str | os.PathLike, dtype: np.dtype) -> int:
    """Length of a 1-D ``.npy`` file of ``dtype``, read from its header alone."""
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a .npy array ({exc})") from exc
    if array.ndim != 1 or array.dtype != np.dtype(dtype):
        raise InputError(
            path, f"expected a 1-D {np.dtype(dtype)} array, got {array.dtype} shape {array.shape}"
        )
    length = int(array.shape[0])
    del array
    return length


def npy_chunks(path: str | os.PathLike, sizes: Iterable[int]) -> Iterator[np.ndarray]:
    """Consecutive pieces of a 1-D ``.npy`` file, ``sizes`` items each, read with plain reads
    (no memory map: a pass over a multi-GB array keeps one piece in the process, where a
    map's touched pages would all count in its RSS)."""
    with open(path, "rb") as handle:
        _, dtype = read_npy_header(handle, path, Path(path).name)
        for size in sizes:
            yield np.fromfile(handle, dtype=dtype, count=int(size))


def npy_pieces(path: str | os.PathLike, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Items ``starts[k]:stops[k]`` of a 1-D ``.npy`` file for every k, concatenated, read
    with seeks and plain reads: a few scattered rows of a multi-GB array without the map's
    read-ahead (which would bring megabytes per row into RSS)."""
    with open(path, "rb") as handle:
        _, dtype = read_npy_header(handle, path, Path(path).name)
        data = handle.tell()
        pieces = []
        for lo, hi in zip(np.asarray(starts).tolist(), np.asarray(stops).tolist()):
            handle.seek(data + lo * dtype.itemsize)
            pieces.append(np.fromfile(handle, dtype=dtype, count=hi - lo))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=dtype)


def npy_max(path: str | os.PathLike, chunk: int = 1 << 24) -> int | None:
    """Largest value of a 1-D integer ``.npy`` file, read ``chunk`` items at a time (no memory
    map: the file's pages do not stay in the process); ``None`` when it is empty."""
    top = None
    with open(path, "rb") as handle:
        shape, dtype = read_npy_header(handle, path, Path(path).name)
        for _ in range(0, int(np.prod(shape)), chunk):
            values = np.fromfile(handle, dtype=dtype, count=chunk)
            if values.size:
                top = int(values.max()) if top is None else max(top, int(values.max()))
    return top


def link_or_copy(source: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Hard-link ``source`` to ``dest`` (no second copy on disk), else copy it.

    Safe for our outputs: they are only ever replaced by renaming a new file over them, never
    rewritten in place, so the link keeps the old bytes.
    """
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, Path(dest))
