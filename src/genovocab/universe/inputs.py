"""Reading the inputs of a universe: peak files (one per sample) and a registry such as cCREs."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genovocab.io.bed import read_bed
from genovocab.regions import Regions
from genovocab.tables import read_npz, write_npz

__all__ = ["PeakSet", "ccre_universe", "read_peak_files"]

log = logging.getLogger(__name__)


@dataclass
class PeakSet:
    """All regions of N files on one genome, as flat arrays.

    ``chrom[i]`` indexes ``chroms`` (the chrom.sizes order), ``file[i]`` is the 0-based file
    number. Regions keep file order within a file.
    """

    chroms: list[str]
    sizes: np.ndarray
    n_files: int
    file: np.ndarray
    chrom: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    names: list[str]

    def on_chrom(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(file, start, end) arrays of the regions on chromosome ``name``."""
        sel = self.chrom == self.chroms.index(name)
        return self.file[sel], self.starts[sel], self.ends[sel]

    def save(self, path: str | os.PathLike) -> None:
        """Store as an uncompressed ``.npz`` (fast to reload in per-chromosome jobs)."""
        write_npz(path, chroms=np.asarray(self.chroms), sizes=self.sizes,
                  n_files=np.int64(self.n_files), file_index=self.file, chrom=self.chrom,
                  starts=self.starts, ends=self.ends, names=np.asarray(self.names))

    @classmethod
    def load(cls, path: str | os.PathLike) -> PeakSet:
        """Reload what :meth:`save` wrote."""
        z = read_npz(path)
        return cls(chroms=[str(c) for c in z["chroms"]], sizes=z["sizes"],
                   n_files=int(z["n_files"]), file=z["file_index"], chrom=z["chrom"],
                   starts=z["starts"], ends=z["ends"], names=[str(n) for n in z["names"]])


def read_peak_files(paths: Sequence[str | os.PathLike],
                    chrom_sizes: Mapping[str, int]) -> PeakSet:
    """Read N BED-like files; regions on chromosomes absent from ``chrom_sizes`` are dropped with a
    warning (each file must still hold at least one region on a known chromosome).

    Malformed lines, ends beyond a chromosome and empty files are :class:`InputError` naming the
    file and line.
    """
    order = {c: i for i, c in enumerate(chrom_sizes)}
    files, chroms, starts, ends = [], [], [], []
    for number, path in enumerate(paths):
        iv = read_bed(path, chrom_sizes, unknown_chroms="drop")
        rank = np.array([order[c] for c in iv.chroms], dtype=np.int32)
        files.append(np.full(len(iv), number, dtype=np.int32))
        chroms.append(rank[iv.chrom_index] if len(iv) else np.zeros(0, np.int32))
        starts.append(iv.starts)
        ends.append(iv.ends)

    def cat(parts: list[np.ndarray], dt) -> np.ndarray:
        return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt)

    peaks = PeakSet(chroms=list(chrom_sizes), sizes=np.array(list(chrom_sizes.values()),
                                                             dtype=np.int64),
                    n_files=len(paths), file=cat(files, np.int32), chrom=cat(chroms, np.int32),
                    starts=cat(starts, np.int64), ends=cat(ends, np.int64),
                    names=[os.path.basename(os.fspath(p)) for p in paths])
    log.info("read %d region(s) from %d file(s)", len(peaks.starts), len(paths))
    return peaks


def ccre_universe(path: str | os.PathLike, chrom_sizes: Mapping[str, int]) -> pd.DataFrame:
    """The ``ccre`` method: a downloaded registry (ENCODE cCREs V3 6-column or V4 BED9+1, any BED)
    as the universe, its columns 1-3 only; chromosomes outside ``chrom_sizes`` are dropped."""
    return Regions.from_bed(path, chrom_sizes, unknown_chroms="drop").to_frame()
