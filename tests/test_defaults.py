"""Defaults are defined once: the config schema. The library's and the CLI's defaults come from
:data:`genovocab.defaults.SCHEMA`; these tests check that table against the schema and every
CLI default against the table (a new CLI option must be classified here)."""

from __future__ import annotations

import argparse
import functools

import pytest
import yaml

from genovocab import defaults
from genovocab.cli import build_parser
from tests.conftest import REPO

SCHEMA_FILE = REPO / "workflow" / "schemas" / "config.schema.yaml"

#: (subcommand, argparse dest) -> the config key whose default it takes.
CLI_CONFIG_KEYS = {
    ("prepare-genome", "regex"): "genome_prep.chromosome_regex",
    ("prepare-genome", "min_gap"): "genome_prep.min_gap",
    ("tokenize-fragments", "unknown"): "corpora.*.fragment_options.unknown",
    ("tokenize-fragments", "min_fragments"): "corpora.*.fragment_options.min_fragments",
    ("tokenize-fragments", "n_shards"): "corpora.*.n_shards",
    ("tokenize-intervals", "unknown"): "corpora.*.tokenizer.unknown",
    ("tokenize-intervals", "order"): "corpora.*.tokenizer.order",
    ("tokenize-intervals", "min_overlap"): "corpora.*.tokenizer.min_overlap",
    ("tokenize-intervals", "min_query_fraction"): "corpora.*.tokenizer.min_query_fraction",
    ("tokenize-intervals", "min_region_fraction"): "corpora.*.tokenizer.min_region_fraction",
    ("tokenize-intervals", "n_shards"): "corpora.*.n_shards",
    ("universe", "window"): "universe.window",
    ("universe", "merge"): "universe.merge",
    ("universe", "filter_size"): "universe.filter_size",
    ("assess-universe", "window"): "universe.window",
    ("scan-motifs", "matrix"): "motifs.matrices",
    ("scan-motifs", "min_relative"): "motifs.sites.min_relative",
    ("scan-motifs", "max_pvalue"): "motifs.sites.max_pvalue",
    ("bin-motifs", "sigma"): "motifs.binning.sigma",
    ("bin-motifs", "width"): "motifs.binning.peak_width",
    ("bin-motifs", "max_bin"): "motifs.binning.max_bin",
    ("bin-motifs", "trim_step"): "motifs.binning.trim_step",
    ("bin-motifs", "cpg"): "motifs.cpg",
    ("ids", "terms"): "ids.terms",
    ("ids", "bandwidth"): "ids.bandwidth",
    ("ids", "norm"): "ids.norm",
    ("ids", "seed"): "ids.seed",
    ("ids", "backend"): "ids.backend",
    ("cluster-motifs", "threshold"): "ids.threshold",
    ("cluster-motifs", "method"): "ids.linkage",
    ("sample-windows", "window"): "sequence.windows.length",
    ("sample-windows", "min_window"): "sequence.windows.min_length",
    ("sample-windows", "seed"): "sequence.windows.seed",
    ("train-bpe", "vocab_size"): "sequence.bpe.vocab_size",
    ("train-bpe", "min_frequency"): "sequence.bpe.min_frequency",
    ("train-bpe", "model_max_length"): "sequence.bpe.model_max_length",
    ("ggram", "min_pmi"): "sequence.ggram.min_pmi",
    ("ggram", "min_token_count"): "sequence.ggram.min_token_count",
    ("ggram", "min_ngram_freq"): "sequence.ggram.min_ngram_freq",
    ("ggram", "min_len"): "sequence.ggram.min_len",
    ("ggram", "max_len"): "sequence.ggram.max_len",
    ("ggram", "max_ngrams"): "sequence.ggram.max_ngrams",
    ("tokenize-sequences", "max_ngrams"): "sequence.corpus.max_ngrams",
    ("tokenize-sequences", "n_shards"): "sequence.corpus.n_shards",
    ("evaluate", "k"): "evaluation.k",
    ("evaluate", "window"): "evaluation.window",
    ("evaluate", "extra_bpe_sizes"): "evaluation.extra_bpe_sizes",
    ("evaluate", "train_max_bp"): "evaluation.train_max_bp",
    ("evaluate", "motif_control_max_bp"): "evaluation.motif_control_max_bp",
    ("evaluate", "seed"): "evaluation.seed",
    ("evaluate", "band"): "evaluation.band",
}

#: CLI options with a default and no config counterpart (what only a command line needs).
CLI_ONLY = {
    ("init", "out"),
    ("download", "timeout"),
    ("download", "retries"),
    ("tokenize-fragments", "title"),
    ("tokenize-intervals", "title"),
    ("tokenize-intervals", "empty_document"),
    ("tokenize-intervals", "format"),
    ("tokenize-sequences", "n_runs"),
    ("tokenize-sequences", "title"),
    ("scan-motifs", "chrom"),
}


@functools.cache
def _schema() -> dict:
    return yaml.safe_load(SCHEMA_FILE.read_text())


def schema_default(key: str):
    """The schema's default of a dotted key; ``*`` steps into ``additionalProperties``."""
    node = _schema()
    for part in key.split("."):
        node = node["additionalProperties"] if part == "*" else node["properties"][part]
    if "default" not in node:
        raise KeyError(f"{key} has no default in the schema")
    return node["default"]


@functools.cache
def cli_defaults() -> dict[tuple[str, str], object]:
    """Every (subcommand, dest) of the CLI whose default is a value."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, command in sub.choices.items():
        for action in command._actions:
            if action.default in (None, argparse.SUPPRESS) or isinstance(
                action, argparse._StoreTrueAction | argparse._StoreFalseAction
            ):
                continue
            found[(name, action.dest)] = action.default
    return found


@pytest.mark.parametrize("key", sorted(defaults.SCHEMA))
def test_library_table_matches_the_schema(key):
    assert defaults.SCHEMA[key] == schema_default(key)


def test_every_cli_default_is_classified():
    found = set(cli_defaults())
    assert found - set(CLI_CONFIG_KEYS) - CLI_ONLY == set()
    assert set(CLI_CONFIG_KEYS) - found == set()  # the table names no option that is gone


@pytest.mark.parametrize("option", sorted(CLI_CONFIG_KEYS), ids="/".join)
def test_cli_default_is_the_schema_default(option):
    default = cli_defaults()[option]
    expected = schema_default(CLI_CONFIG_KEYS[option])
    assert default == expected and type(default) in (type(expected), float), (default, expected)


def test_demo_config_holds_only_what_differs_from_the_schema():
    """config/config.yaml sets a value only where the demo needs another than the default."""
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    restated = []

    def walk(node, key):
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, f"{key}.{name}" if key else name)
            return
        try:
            default = schema_default(
                key if not key.startswith("corpora.") else "corpora.*." + key.split(".", 2)[2]
            )
        except KeyError:
            return  # no default: the demo must set it (genome, release name, sources)
        if node == default:
            restated.append(key)

    walk(demo, "")
    assert restated == []
