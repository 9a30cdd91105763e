"""Consensus universe: the interval vocabulary (geniml 0.8.4 is the reference; the stage is
described in docs/architecture.md).

- :mod:`.inputs`: peak files -> :class:`~.inputs.PeakSet`; the ``ccre`` registry;
- :mod:`.coverage`: per-chromosome core/start/end tracks, bigWig export for geniml;
- :mod:`.methods`: ``union``, ``cc``, ``ccf``, ``ml``, ``hmm`` on one chromosome;
- :mod:`.model`: the binomial likelihood model;
- :mod:`.build`: a chromosome or the whole genome;
- :mod:`.assess`: F10, boundary distances, RBS, likelihood;
- :mod:`.files`: BED3 vocabulary, BED9 flexible universe, intermediate TSV, stats (read and
  written side by side).

Example::

    from genovocab.io import read_chrom_sizes
    from genovocab.universe import build_universe, read_peak_files, write_universe_bed3

    sizes = read_chrom_sizes("chrom.sizes")
    peaks = read_peak_files(["a.bed", "b.bed"], sizes)
    universe = build_universe(peaks, "cc")
    write_universe_bed3("universe.bed.gz", universe, list(sizes))
"""

from genovocab.universe.assess import assess_universe
from genovocab.universe.build import build_chromosome, build_universe
from genovocab.universe.files import (
    read_universe_bed,
    write_universe_bed3,
    write_universe_bed9,
)
from genovocab.universe.inputs import PeakSet, ccre_universe, read_peak_files
from genovocab.universe.methods import FLEXIBLE_METHODS, METHODS

__all__ = [
    "FLEXIBLE_METHODS",
    "METHODS",
    "PeakSet",
    "assess_universe",
    "build_chromosome",
    "build_universe",
    "ccre_universe",
    "read_peak_files",
    "read_universe_bed",
    "write_universe_bed3",
    "write_universe_bed9",
]
