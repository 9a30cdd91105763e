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
    "COVERAGE_METHODS",
    "CPG_MODES",
    "FLEXIBLE_METHODS",
    "IDS_BACKENDS",
    "IDS_NORMS",
    "LINKAGE_METHODS",
    "MOTIF_BINNING",
    "MOTIF_SOURCES",
    "SCHEMA",
    "UNIVERSE_METHODS",
    "WINDOWS_SEED",
    "schema_group",
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
MOTIF_BINNING = {
    "sigma": 3.0,
    "peak_width": 5.0,
    "max_bin": 50,
    "trim_step": 25,
    "chunk_sites": 1 << 22,
}
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

#: The schema defaults the library and the CLI use, by dotted config key (a test checks each
#: against ``workflow/schemas/config.schema.yaml`` and every CLI default against this table).
SCHEMA: dict[str, object] = {
    "genome_prep.chromosome_regex": ".*",
    "genome_prep.min_gap": 1,
    "universe.window": 25,
    "universe.merge": 0,
    "universe.filter_size": 0,
    "corpora.*.n_shards": 1,
    "corpora.*.tokenizer.unknown": "drop",
    "corpora.*.tokenizer.order": "query",
    "corpora.*.tokenizer.dedupe": False,
    "corpora.*.tokenizer.min_overlap": 1,
    "corpora.*.tokenizer.min_query_fraction": 0.0,
    "corpora.*.tokenizer.min_region_fraction": 0.0,
    "corpora.*.fragment_options.dedupe": False,
    "corpora.*.fragment_options.unknown": "drop",
    "corpora.*.fragment_options.min_fragments": 1,
    "corpora.*.fragment_options.whitelist": None,
    "corpora.*.fragment_options.h5ad": False,
    "corpora.*.license": "other",
    "motifs.sites.min_relative": 800,
    "motifs.sites.max_pvalue": 0.05,
    "motifs.cpg": "none",
    "ids.terms": 6,
    "ids.bandwidth": 0.5,
    "ids.norm": "max",
    "ids.seed": 0,
    "ids.backend": "numpy",
    "ids.linkage": "average",
    "ids.threshold": 0.5,
    "sequence.windows.length": 1000,
    "sequence.windows.min_length": 100,
    "sequence.windows.seed": WINDOWS_SEED,
    "sequence.bpe.vocab_size": 4096,
    "sequence.bpe.min_frequency": 2,
    "sequence.bpe.model_max_length": 512,
    "sequence.ggram.min_pmi": 2.0,
    "sequence.ggram.min_token_count": 5,
    "sequence.ggram.min_ngram_freq": 5,
    "sequence.ggram.min_len": 2,
    "sequence.ggram.max_len": 5,
    "sequence.ggram.max_ngrams": 30,
    "sequence.corpus.max_ngrams": 0,
    "sequence.corpus.n_shards": 1,
    "evaluation.k": 6,
    "evaluation.window": 10_000,
    "evaluation.extra_bpe_sizes": [],
    "evaluation.train_max_bp": 10_000_000,
    "evaluation.motif_control_max_bp": 2_000_000,
    "evaluation.seed": 0,
    "evaluation.band": [500, 1_000_000],
}


def schema_group(prefix: str) -> dict[str, object]:
    """The :data:`SCHEMA` defaults under ``prefix`` (e.g. ``"corpora.*.tokenizer"``), keyed by
    the rest of their name."""
    start = prefix + "."
    return {key[len(start) :]: value for key, value in SCHEMA.items() if key.startswith(start)}
