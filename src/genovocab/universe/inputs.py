"""Reading the inputs of a universe: peak files (one per sample) and a registry such as cCREs."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genovocab.io.bed import read_bed
from genovocab.regions import Regions, RegionsView
from genovocab.tables import read_npz, write_npz

__all__ = ["PeakSet", "ccre_universe", "read_peak_files"]

log = logging.getLogger(__name__)


@dataclass
class PeakSet(RegionsView):
    """All regions of N files on one genome: a :class:`~genovocab.regions.Regions` (chromosomes
    in the chrom.sizes order) plus the 0-based file number of each region.

    Regions keep file order within a file; ``names`` are the files' sample names. ``chroms``
    (the chrom.sizes order), ``chrom_index``, ``starts`` and ``ends`` read through to
    ``regions`` (:class:`~genovocab.regions.RegionsView`).
    """

    regions: Regions
    sizes: np.ndarray
    file: np.ndarray
    names: list[str]

    @property
    def chrom(self) -> np.ndarray:
        """Chromosome index of each region (into :attr:`chroms`; ``chrom_index``)."""
        return self.regions.chrom_index

    @property
    def n_files(self) -> int:
        return len(self.names)

    def on_chrom(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(file, start, end) arrays of the regions on chromosome ``name``."""
        sel = self.chrom == self.chroms.index(name)
        return self.file[sel], self.starts[sel], self.ends[sel]

    def save(self, path: str | os.PathLike) -> None:
        """Store as an uncompressed ``.npz`` (fast to reload in per-chromosome jobs)."""
        write_npz(
            path,
            chroms=np.asarray(self.chroms),
            sizes=self.sizes,
            n_files=np.int64(self.n_files),
            file_index=self.file,
            chrom=self.chrom,
            starts=self.starts,
            ends=self.ends,
            names=np.asarray(self.names),
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> PeakSet:
        """Reload what :meth:`save` wrote."""
        z = read_npz(path)
        regions = Regions([str(c) for c in z["chroms"]], z["chrom"], z["starts"], z["ends"])
        return cls(
            regions=regions,
            sizes=z["sizes"],
            file=z["file_index"],
            names=[str(n) for n in z["names"]],
        )


def read_peak_files(paths: Sequence[str | os.PathLike], chrom_sizes: Mapping[str, int]) -> PeakSet:
    """Read N BED-like files; regions on chromosomes absent from ``chrom_sizes`` are dropped with a
    warning (each file must still hold at least one region on a known chromosome).

    Malformed lines, ends beyond a chromosome and empty files are :class:`InputError` naming the
    file and line.
    """
    per_file = [
        read_bed(path, chrom_sizes, unknown_chroms="drop").with_chrom_order(chrom_sizes)
        for path in paths
    ]

    def cat(parts: list[np.ndarray], dt) -> np.ndarray:
        return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt)

    regions = Regions(
        list(chrom_sizes),
        cat([r.chrom_index for r in per_file], np.int32),
        cat([r.starts for r in per_file], np.int64),
        cat([r.ends for r in per_file], np.int64),
    )
    files = [np.full(len(r), number, dtype=np.int32) for number, r in enumerate(per_file)]
    peaks = PeakSet(
        regions=regions,
        sizes=np.array(list(chrom_sizes.values()), dtype=np.int64),
        file=cat(files, np.int32),
        names=[os.path.basename(os.fspath(p)) for p in paths],
    )
    log.info("read %d region(s) from %d file(s)", len(regions), len(paths))
    return peaks


def ccre_universe(path: str | os.PathLike, chrom_sizes: Mapping[str, int]) -> pd.DataFrame:
    """The ``ccre`` method: a downloaded registry (ENCODE cCREs V3 6-column or V4 BED9+1, any BED)
    as the universe, its columns 1-3 only; chromosomes outside ``chrom_sizes`` are dropped."""
    return read_bed(path, chrom_sizes, unknown_chroms="drop").to_frame()
