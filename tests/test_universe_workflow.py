"""The demo workflow builds and assesses its universe (method cc over the 8 of the 10 peak
samples that the evaluation does not hold out)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
import yaml

from genovocab.io import read_chrom_sizes
from genovocab.universe.build import build_universe
from genovocab.universe.inputs import read_peak_files

pytestmark = pytest.mark.workflow


def universe_samples(demo_run, config) -> list[str]:
    """The sheet's samples less the evaluation's held-out region sets (the documented default,
    evaluation.held_out_samples: null: every 5th sample)."""
    names = pd.read_csv(demo_run / config["samples"], sep="\t", comment="#")["name"].tolist()
    return [n for i, n in enumerate(names) if (i + 1) % 5]


def release(demo_run):
    config = yaml.safe_load((demo_run / "config/config.yaml").read_text())
    # the keys the demo config omits take the schema's defaults (as in the run)
    schema = yaml.safe_load((demo_run / "workflow/schemas/config.schema.yaml").read_text())
    defaults = {
        k: v.get("default") for k, v in schema["properties"]["universe"]["properties"].items()
    }
    config["universe"] = {**defaults, **(config.get("universe") or {})}
    rel = f"{config['release']['name']}-{config['release']['version']}"
    return config, demo_run / "results" / f"{rel}.work" / "universe"


def test_demo_universe_is_sorted_bed3_equal_to_library(demo_run):
    config, out = release(demo_run)
    sizes = read_chrom_sizes(demo_run / "resources" / config["genome"] / "genome/chrom.sizes")
    text = gzip.decompress((out / "universe.bed.gz").read_bytes()).decode()
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows and all(len(r) == 3 for r in rows)
    keys = [(list(sizes).index(c), int(s), int(e)) for c, s, e in rows]
    assert keys == sorted(set(keys))  # sorted by chrom.sizes order, start, end; no duplicates
    method = config["universe"]["method"]
    names = universe_samples(demo_run, config)
    assert len(names) == 8 and "sample05" not in names and "sample10" not in names
    files = [demo_run / "resources" / config["genome"] / "samples" / n for n in names]
    expected = build_universe(
        read_peak_files(files, sizes), method, window=config["universe"].get("window", 25)
    )
    assert [(c, int(s), int(e)) for c, s, e in rows] == list(
        expected[["chrom", "start", "end"]].itertuples(index=False, name=None)
    )


def test_demo_assessment_and_stats(demo_run):
    config, out = release(demo_run)
    table = pd.read_csv(out / "assessment.tsv", sep="\t")
    # assessed on the region sets it was built from (the held-out ones: evaluation/)
    n_samples = len(universe_samples(demo_run, config))
    assert len(table) == n_samples + 1 and table["file"].iloc[-1] == "(collection)"
    assert ((table["f10"] > 0.5) & (table["f10"] <= 1)).all()
    assert table["likelihood_hard"].iloc[-1] < 0
    stats = pd.read_csv(out / "stats.tsv", sep="\t")
    n = len(gzip.decompress((out / "universe.bed.gz").read_bytes()).splitlines())
    assert stats["regions"].iloc[0] == n and stats["method"].iloc[0] == config["universe"]["method"]


def test_demo_universe_loads_in_gtars(demo_run):
    tokenizers = pytest.importorskip("gtars.tokenizers")
    _, out = release(demo_run)
    n = len(gzip.decompress((out / "universe.bed.gz").read_bytes()).splitlines())
    tok = tokenizers.Tokenizer(str(out / "universe.bed.gz"))
    assert tok.vocab_size == n + 7  # regions then the 7 special tokens


def test_demo_comparison_table(demo_run):
    config, out = release(demo_run)
    compare = [
        m
        for m in config["universe"].get("compare_methods", [])
        if m != config["universe"]["method"]
    ]
    if not compare:
        pytest.skip("no compare_methods in the demo config")
    table = pd.read_csv(out / "comparison.tsv", sep="\t")
    assert table["method"].tolist() == [config["universe"]["method"], *compare]
    first = pd.read_csv(out / "assessment.tsv", sep="\t").iloc[-1]
    assert table["f10"].iloc[0] == pytest.approx(first["f10"])
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
