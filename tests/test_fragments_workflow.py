"""A fragments corpus in the workflow: a `sources` fragments file -> per-cell shards + h5ad."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest

from tests.conftest import run_snakemake


@pytest.mark.workflow
def test_fragments_corpus_rule(demo_run, tmp_path):
    work = tmp_path / "w"
    shutil.copytree(demo_run, work, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    out = next((work / "results").glob("genovocab-demo-*.work"))
    universe = gzip.decompress((out / "universe" / "universe.bed.gz").read_bytes()).decode()
    regions = [line.split("\t")[:3] for line in universe.splitlines()][:40]
    lines = ["# demo fragments"]
    for i, (chrom, start, _end) in enumerate(regions):
        s = int(start)
        for cell in range(1 + i % 3):
            lines.append(f"{chrom}\t{s + cell}\t{s + cell + 30}\tC{cell}-1\t1")
    lines.append("chrZ\t0\t10\tC0-1\t1")
    frag = work / "frags.tsv.gz"
    frag.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    digest = hashlib.sha256(frag.read_bytes()).hexdigest()
    (work / "extra.yaml").write_text(
        "sources:\n"
        "  cells:\n"
        f"    url: file://{frag}\n"
        f"    sha256: {digest}\n"
        "corpora:\n"
        "  cells:\n"
        "    fragments: cells\n"
        "    fragment_options: {dedupe: true, min_fragments: 2, h5ad: true}\n"
        "  peaks: {n_shards: 2}\n"
    )
    configs = ["--configfile", "config/config.yaml", "extra.yaml"]
    proc = run_snakemake(work, "--cores", "2", *configs)
    if proc.returncode != 0:
        pytest.fail(proc.stderr[-4000:])
    corpus = out / "corpora" / "cells"
    rows = pq.read_table(corpus / "data").to_pylist()
    n = Counter(line.split("\t")[3] for line in lines[1:])
    assert [r["barcode"] for r in rows] == sorted(b for b, k in n.items() if k >= 2)
    assert all(sum(r["counts"]) <= r["n_fragments"] for r in rows)
    assert (corpus / "README.md").is_file()
    anndata = pytest.importorskip("anndata")
    assert anndata.read_h5ad(corpus / "cells.h5ad").n_obs == len(rows)
