"""IDS partial sums scattered by (chromosome, block of bins): the blocks merged equal the whole."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from genovocab.errors import GenovocabError
from genovocab.motifs.ids import (
    IDSAccumulator,
    block_rows,
    chromosome_blocks,
    chromosome_partial,
    ids,
)


@pytest.fixture()
def features(tmp_path):
    rng = np.random.default_rng(3)
    dense = rng.random((1000, 7)) * (rng.random((1000, 7)) < 0.3)
    path = tmp_path / "chrA.features.npz"
    sp.save_npz(path, sp.csr_matrix(dense), compressed=True)
    return path, dense


def test_block_rows_cover_every_row_once():
    spans = [block_rows(10, b, 3) for b in range(3)]
    assert spans == [(0, 3), (3, 6), (6, 10)]
    assert chromosome_blocks(248_956_422, 25_000_000) == 10
    assert chromosome_blocks(1, 25_000_000) == 1
    with pytest.raises(GenovocabError):
        block_rows(10, 3, 3)


@pytest.mark.parametrize("n_blocks", [1, 2, 3, 7])
def test_blocks_merged_equal_the_whole_chromosome(features, n_blocks):
    path, dense = features
    merged: IDSAccumulator | None = None
    rows = 0
    for b in range(n_blocks):
        acc, used = chromosome_partial(path, "chrA", block=(b, n_blocks), chunk_rows=128)
        rows += used
        merged = acc if merged is None else merged.merge(acc)
    assert rows == 1000
    assert np.allclose(merged.result(), ids(dense), rtol=1e-10, atol=1e-12)


def test_sample_mode_draws_the_same_rows_whatever_the_blocks(features):
    path, _ = features
    counts = {"chrA": 1000, "chrB": 3000}
    whole, used = chromosome_partial(path, "chrA", sample_size=400, bin_counts=counts, seed=5)
    parts = [
        chromosome_partial(path, "chrA", sample_size=400, bin_counts=counts, seed=5, block=(b, 4))
        for b in range(4)
    ]
    assert sum(u for _, u in parts) == used == 100
    merged = parts[0][0]
    for acc, _ in parts[1:]:
        merged.merge(acc)
    assert np.allclose(merged.result(), whole.result(), rtol=1e-10, atol=1e-12)


@pytest.mark.workflow
def test_sample_mode_is_one_partial_job_per_chromosome(demo_run, tmp_path):
    """Sample mode sums each chromosome's share of the sample in one job, whatever
    ``ids.block_bp`` (a block job would read the chromosome's whole matrix for a few rows)."""
    import re

    import yaml

    from tests.conftest import run_snakemake

    config = yaml.safe_load((demo_run / "config" / "config.yaml").read_text())
    # exact would have many blocks at this block_bp
    config.setdefault("ids", {}).update(mode="sample", sample_size=500, block_bp=1000)
    path = tmp_path / "sample.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    dry = run_snakemake(demo_run, "-n", "--configfile", str(path))
    assert dry.returncode == 0, dry.stderr[-3000:]
    partials = set(re.findall(r"ids/partials/([^\s/,]+)\.(\d+)-of-(\d+)\.npz", dry.stdout))
    sizes = next(demo_run.glob("resources/*/genome/chrom.sizes")).read_text().splitlines()
    chroms = [line.split("\t")[0] for line in sizes if line.strip()]
    # IDS is trained without the evaluation's held-out chromosome (the demo's test split)
    from genovocab.evaluation.holdout import training_chromosomes

    trained = training_chromosomes(config["motifs"]["corpus"]["splits"]["test"], chroms)
    assert {c for c, _, _ in partials} == set(trained) and len(trained) < len(chroms)
    assert {(b, n) for _, b, n in partials} == {("0", "1")}
