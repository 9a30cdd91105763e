"""Enumerations and library defaults, defined once.

The config schema (``workflow/schemas/config.schema.yaml``) is the one place of the workflow's
defaults; the library's keyword defaults and the CLI's ``argparse`` defaults take theirs from
this module, and a test (``tests/test_config_matrix.py``) checks that both agree with the schema.
The enumerations (universe methods, motif sources, CpG modes, IDS norms) are imported by the
library, the CLI and the rules (wildcard constraints). This module imports nothing, so the
Snakefile can read it cheaply.
"""

from __future__ import annotations

__all__ = [
    "COVERAGE_METHODS", "CPG_MODES", "FLEXIBLE_METHODS", "IDS_BACKENDS", "IDS_NORMS",
    "LINKAGE_METHODS", "MOTIF_BINNING", "MOTIF_SOURCES", "UNIVERSE_METHODS", "WINDOWS_SEED",
]

#: Universe construction methods: a registry (``ccre``) or one of geniml's coverage methods.
UNIVERSE_METHODS = ("ccre", "union", "cc", "ccf", "ml", "hmm")
#: The methods computed from the samples' coverage (scattered per chromosome).
COVERAGE_METHODS = UNIVERSE_METHODS[1:]
#: The methods whose universe has a core (BED9: thickStart/thickEnd).
FLEXIBLE_METHODS = ("ccf", "ml", "hmm")

#: Where motif sites come from: our MOODS scan, JASPAR per-matrix tracks, or the JASPAR bigBed.
MOTIF_SOURCES = ("scan", "tracks", "bigbed")
#: Peak binning of motif coverage (``motifs.binning``; motif-aware tokenization's values).
MOTIF_BINNING = {"sigma": 3.0, "peak_width": 5.0, "max_bin": 50, "trim_step": 25,
                 "chunk_sites": 1 << 22}
#: The optional CpG feature of the bin x feature matrix.
CPG_MODES = ("none", "dinucleotide", "islands")

#: Aggregation of the IDS over kernel term pairs.
IDS_NORMS = ("max", "2", "1")
#: Array backends of the IDS accumulator.
IDS_BACKENDS = ("numpy", "torch")
#: scipy linkage methods offered for motif clustering.
LINKAGE_METHODS = ("single", "complete", "average", "weighted")

#: Seed of the sampled genome windows (BPE training text); the schema's ``sequence.windows.seed``.
WINDOWS_SEED = 13
