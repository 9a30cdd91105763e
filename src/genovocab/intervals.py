"""Moved to :mod:`genovocab.overlap` (the overlap index); this name stays for old imports."""

from genovocab.overlap import BedRegions, Universe, overlap_pairs, read_regions  # noqa: F401
