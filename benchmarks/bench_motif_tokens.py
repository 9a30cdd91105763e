"""Motif tokenizer throughput: genome regions from the stored bins, and DNA from scratch.

No published tool tokenizes regions or new DNA into motif tokens (the paper's code tokenizes
one genome in place), so the genome path is compared with the plain way of reading the motif
stage's files: load the chromosome's compressed bin x cluster ``.npz`` and its edges, then
slice (the baseline runs a few regions and is reported per region).

1. Genome path: one synthetic chromosome (default 25 Mbp, ~1.7 M bins of mean ~14.5 bp, hg38
   scale: 871 clusters, ~10 non-zero clusters per bin) in a tokenizer folder; random 20 kb
   regions; regions/s, bins/s and the peak RSS of the measuring process (a region query maps
   the arrays and reads only its rows, so RSS stays far below the chromosome's files).
   Peak RSS counts the mapped file pages a run touched: 2,000 random regions touch most of
   the chromosome's arrays, 50 regions only theirs. Vectors are asked for in the sparse (ELL)
   format; the dense one is (regions x bins x 871) float32, ~39 MB per batch of 8 regions.
2. DNA path: ``encode_dna`` bp/s on the demo genome's first chromosome (a slice) with the
   demo's 60 matrices, and on a shorter slice with 841 synthetic matrices (JASPAR 2022 CORE
   vertebrates' count, widths 6-21); the share of the time spent scanning.

Usage: ``python benchmarks/bench_motif_tokens.py [--quick] [--length BP]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks._common import measure, report  # noqa: E402

OUT = HERE / "out" / "motif_tokens"
DEMO = HERE.parent / "resources" / "demo"
N_CLUSTERS = 871
NNZ_PER_BIN = 10
REGION = 20_000


def make_folder(folder: Path, length: int, seed: int = 0) -> dict:
    """A tokenizer folder with one synthetic chromosome ``chrS``; returns its sizes."""
    import scipy.sparse as sp

    from genovocab.motifs.features import save_npz_deterministic
    from genovocab.motifs.vocabulary import SPECIAL_TOKENS, MotifVocab, write_vocab
    from genovocab.tokenizers.motif import CONFIG_NAME, FORMAT_VERSION, MotifParams

    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 25, size=length // 14 + 10)
    edges = np.concatenate([[0], np.cumsum(lengths)])
    edges = edges[edges < length]
    edges = np.concatenate([edges, [length]]).astype(np.int64)
    n = edges.size - 1
    counts = rng.poisson(NNZ_PER_BIN, size=n).clip(0, 40)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    cols = rng.integers(0, N_CLUSTERS, size=rows.size)
    key = np.unique(rows * N_CLUSTERS + cols)  # sorted, distinct columns within each row
    indices = (key % N_CLUSTERS).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(key // N_CLUSTERS, minlength=n))])
    indptr = indptr.astype(np.int64)
    values = rng.uniform(0.01, 1.0, size=indices.size).astype(np.float32)
    n_vocab = 2000
    ids = rng.integers(0, len(SPECIAL_TOKENS) + n_vocab, size=n).astype(np.int32)
    (folder / "bins").mkdir(parents=True, exist_ok=True)
    for name, arr in (
        ("edges", edges),
        ("ids", ids),
        ("indptr", indptr),
        ("indices", indices),
        ("values", values),
    ):
        np.save(folder / "bins" / f"chrS.{name}.npy", arr)
    # the empty token, then one token per cluster (a bounded vocabulary of n_vocab tokens)
    patterns = [()] + [(c,) for c in range(n_vocab - 1)]
    write_vocab(
        folder / "vocab.tsv",
        MotifVocab(patterns, np.arange(n_vocab, 0, -1), np.ones(n_vocab, dtype=np.int64)),
        [f"X{c}" for c in range(N_CLUSTERS)],
    )
    (folder / "clusters.tsv").write_text(
        "feature\tcluster\tmatrix_id\tname\tstrand\n"
        + "".join(f"{c}\t{c}\tMA{c:04d}.1\tX{c}\t+\n" for c in range(N_CLUSTERS))
    )
    config = {
        "format_version": FORMAT_VERSION,
        **MotifParams().to_json(),
        "n_features": N_CLUSTERS,
        "n_clusters": N_CLUSTERS,
        "vocab_size": len(SPECIAL_TOKENS) + n_vocab,
        "chromosomes": [{"name": "chrS", "length": int(length), "n_bins": int(n)}],
        "files": {"matrices": "matrices.jaspar"},
    }
    (folder / CONFIG_NAME).write_text(json.dumps(config))
    # the baseline's input: the motif stage's compressed per-chromosome files
    csr = sp.csr_matrix((values, indices, indptr), shape=(n, N_CLUSTERS))
    save_npz_deterministic(folder / "chrS.cluster_features.npz", csr, compress=True)
    np.save(folder / "chrS.bins.npy", edges)
    sizes = sum(
        (folder / "bins" / f"chrS.{a}.npy").stat().st_size
        for a in ("edges", "ids", "indptr", "indices", "values")
    )
    return {
        "bins": n,
        "nnz": int(indptr[-1]),
        "folder_mib": sizes / 2**20,
        "npz_mib": (folder / "chrS.cluster_features.npz").stat().st_size / 2**20,
    }


def regions_of(length: int, n: int, seed: int = 1) -> list[tuple[str, int, int]]:
    starts = np.random.default_rng(seed).integers(0, length - REGION, size=n)
    return [("chrS", int(s), int(s) + REGION) for s in starts]


def genome_path(folder: str, regions: list) -> int:
    from genovocab.tokenizers.motif import MotifTokenizer

    tok = MotifTokenizer.from_pretrained(folder)
    bins = 0
    for start in range(0, len(regions), 8):  # batches of 8 regions, sparse (ELL) vectors
        enc = tok(
            regions[start : start + 8], padding=True, return_tensors="np", cluster_format="sparse"
        )
        bins += int(enc["attention_mask"].sum())
    return bins


def baseline(folder: str, regions: list) -> int:
    """Per region: load the chromosome's compressed matrix and edges, then slice."""
    import scipy.sparse as sp

    bins = 0
    for chrom, start, end in regions:
        edges = np.load(Path(folder) / f"{chrom}.bins.npy")
        csr = sp.load_npz(Path(folder) / f"{chrom}.cluster_features.npz")
        i0 = int(np.searchsorted(edges, start, side="right")) - 1
        i1 = int(np.searchsorted(edges, end, side="left"))
        bins += csr[i0:i1].toarray().shape[0]
    return bins


def synthetic_matrices(n: int, seed: int = 2):
    from genovocab.io.jaspar import Matrix

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        w = int(rng.integers(6, 22))
        counts = rng.dirichlet(np.full(4, 0.4), size=w).T * 100
        out.append(Matrix(f"MS{i:04d}.1", f"S{i}", np.round(counts)))
    return out


def dna_path(sequence: str, n_matrices: int) -> tuple[int, float, float, float]:
    """(bins, scan s, other s, wall s) of encode_dna on ``sequence``, after a warm-up call
    on its first 2 kb (imports and MOODS set-up are not counted)."""
    from genovocab.io.jaspar import read_matrices
    from genovocab.motifs.vocabulary import MotifVocab
    from genovocab.tokenizers.motif import DnaEncoder, MotifParams

    matrices = (
        read_matrices(DEMO / "jaspar2022_demo.jaspar")
        if n_matrices == 0
        else synthetic_matrices(n_matrices)
    )
    n_features = 2 * len(matrices) + 1
    # every feature its own cluster; a vocabulary of the empty token and one per cluster, so
    # the back-off walks one level for every bin with an active cluster
    vocab = MotifVocab(
        [()] + [(c,) for c in range(n_features)],
        np.arange(n_features + 1, 0, -1),
        np.zeros(n_features + 1, dtype=np.int64),
    )
    encoder = DnaEncoder(
        matrices, MotifParams(cpg="dinucleotide"), np.arange(n_features), n_features, vocab
    )
    encoder.encode(sequence[:2000])
    encoder.timings = {"scan": 0.0, "rest": 0.0}
    t0 = time.perf_counter()
    bins = encoder.encode(sequence)
    wall = time.perf_counter() - t0
    return len(bins), encoder.timings["scan"], encoder.timings["rest"], wall


def demo_sequence(length: int) -> str:
    text = gzip.decompress((DEMO / "genome.fa.gz").read_bytes()).decode()
    seq = "".join(text.split(">chr2")[0].splitlines()[1:]).upper()
    return seq[20_000 : 20_000 + length]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--length", type=int, default=25_000_000, help="synthetic chromosome bp")
    ap.add_argument("--regions", type=int, default=2000)
    ap.add_argument("--dna-bp", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="5 Mbp, 500 regions, 50 kb of DNA")
    args = ap.parse_args()
    if args.quick:
        args.length, args.regions, args.dna_bp = 5_000_000, 500, 50_000
    OUT.mkdir(parents=True, exist_ok=True)
    folder = OUT / f"folder_{args.length}"
    t0 = time.perf_counter()
    sizes = make_folder(folder, args.length)
    print(
        f"synthetic chrS: {args.length / 1e6:.1f} Mbp, {sizes['bins']} bins, "
        f"{sizes['nnz']} non-zeros; folder arrays {sizes['folder_mib']:.0f} MiB, "
        f"compressed npz {sizes['npz_mib']:.0f} MiB (built in {time.perf_counter() - t0:.0f} s)"
    )
    regions = regions_of(args.length, args.regions)
    ours = measure(genome_path, str(folder), regions)
    small = measure(genome_path, str(folder), regions[:50])
    few = regions[:5]
    base = measure(baseline, str(folder), few)
    per_ours = ours.seconds / len(regions)
    per_base = base.seconds / len(few)
    rows = [
        {
            "path": "genome, ours (mmap)",
            "regions": len(regions),
            "regions/s": f"{1 / per_ours:.0f}",
            "bins/s": f"{ours.result / ours.seconds:.3g}",
            "peak MiB": f"{ours.peak_mib:.0f}",
        },
        {
            "path": "genome, ours (mmap)",
            "regions": len(regions[:50]),
            "regions/s": f"{50 / small.seconds:.0f}",
            "bins/s": f"{small.result / small.seconds:.3g}",
            "peak MiB": f"{small.peak_mib:.0f}",
        },
        {
            "path": "genome, load npz + slice",
            "regions": len(few),
            "regions/s": f"{1 / per_base:.2f}",
            "bins/s": f"{base.result / base.seconds:.3g}",
            "peak MiB": f"{base.peak_mib:.0f}",
        },
    ]
    print(report(rows, ["path", "regions", "regions/s", "bins/s", "peak MiB"]))
    print(f"ratio (baseline s / ours s per region): {per_base / per_ours:.0f}x")
    dna_rows = []
    for n_matrices, bp in ((0, args.dna_bp), (841, max(10_000, args.dna_bp // 10))):
        seq = demo_sequence(bp)
        m = measure(dna_path, seq, n_matrices)
        bins, scan, rest, wall = m.result
        dna_rows.append(
            {
                "matrices": 60 if n_matrices == 0 else n_matrices,
                "bp": len(seq),
                "bins": bins,
                "bp/s": f"{len(seq) / wall:.3g}",
                "scan share": f"{100 * scan / (scan + rest):.0f} %",
                "peak MiB": f"{m.peak_mib:.0f}",
            }
        )
    print(report(dna_rows, ["matrices", "bp", "bins", "bp/s", "scan share", "peak MiB"]))
    print(f"cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
