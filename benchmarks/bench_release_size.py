"""Release size: the motif bins and the motif corpus in both layouts at chr1 size, the
archives' compression of them, and what a smaller cluster-value type would cost in accuracy.

Input: the real motif bins of hg19 chr1:1-2,000,000 (``benchmarks/motif_real.py``: all 841
JASPAR 2022 CORE vertebrate matrices, the project's default binning and IDS clustering),
tiled end to end to chr1's 248,956,422 bp (each tile's bin edges shifted; token ids from a
hash of the bin's active clusters, as many distinct values as a 4,096-token vocabulary).
Measured at chr1 size: the tokenizer's ``bins/`` arrays (exact bytes), the ``reference``
corpus (Parquet, zstd, as the corpus job writes it). Measured on the first ``--full-share``
of chr1 and scaled to chr1 by bins: the ``full`` corpus (the earlier layout, whose shards
repeat each bin 2.5 times). gzip-6 and zstd-3 ratios are measured on 64 MiB of each array.
The hg38 figures scale chr1 by bins (187 M hg38 bins against chr1's; extrapolated).

The encoding check is on the real 2 Mbp itself: cluster values in float16 against float32
(the stored type): absolute and relative error and how many bins change their set of active
clusters (value >= the token threshold 0.5, which decides the token). uint8 over [0, 1] does
not apply: the values are sums of motif coverage, up to ~42.

Usage: python benchmarks/bench_release_size.py [--full-share 0.1] [--dir /tmp/...]
Writes ~5 GB under ``--dir`` and removes it.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

CHR1_BP = 248_956_422
HG38_BINS = 187e6  # docs/scale.md: hg38's bins at the real sequence's density
THRESHOLD = 0.5
FRAGMENT, STRIDE = 1250, 500
GB = 1e9


class Arrays:
    """The five per-chromosome arrays of a motif tokenizer's ``bins/`` (memory-mapped)."""

    def __init__(self, base: Path):
        self.edges, self.ids, self.indptr, self.indices, self.values = (
            np.load(f"{base}.{n}.npy", mmap_mode="r")
            for n in ("edges", "ids", "indptr", "indices", "values")
        )


def tile_chr1(out: Path, edges: np.ndarray, cf) -> tuple[Path, int]:
    """Write the real bins tiled to chr1 size as the tokenizer's five ``.npy`` arrays."""
    tile_bp = int(edges[-1])
    tiles = -(-CHR1_BP // tile_bp)
    n_tile = cf.shape[0]
    n = n_tile * tiles
    nnz = cf.nnz * tiles
    base = out / "chr1"
    mm = np.lib.format.open_memmap
    a_edges = mm(f"{base}.edges.npy", "w+", np.int64, (n + 1,))
    a_ids = mm(f"{base}.ids.npy", "w+", np.int32, (n,))
    a_ptr = mm(f"{base}.indptr.npy", "w+", np.int64, (n + 1,))
    a_idx = mm(f"{base}.indices.npy", "w+", np.int32, (nnz,))
    a_val = mm(f"{base}.values.npy", "w+", np.float32, (nnz,))
    active = cf.multiply(cf >= THRESHOLD).tocsr()
    active.eliminate_zeros()
    keys = np.array(
        [
            hash(tuple(active.indices[active.indptr[i] : active.indptr[i + 1]]))
            for i in range(n_tile)
        ],
        dtype=np.int64,
    )
    ids = (np.abs(keys) % 4096).astype(np.int32)
    a_edges[0] = a_ptr[0] = 0
    for t in range(tiles):
        b0 = t * n_tile
        a_edges[b0 + 1 : b0 + n_tile + 1] = edges[1:] + t * tile_bp
        a_ids[b0 : b0 + n_tile] = ids
        a_ptr[b0 + 1 : b0 + n_tile + 1] = cf.indptr[1:] + t * cf.nnz
        a_idx[t * cf.nnz : (t + 1) * cf.nnz] = cf.indices
        a_val[t * cf.nnz : (t + 1) * cf.nnz] = cf.data
    for a in (a_edges, a_ids, a_ptr, a_idx, a_val):
        a.flush()
    return base, n


def write_corpus(path: Path, arrays, n_bins: int, layout: str) -> tuple[int, int]:
    """The corpus shard of one chromosome's first ``n_bins`` bins, as the corpus job writes
    it; returns (bytes, rows)."""
    import pyarrow.parquet as pq

    from genovocab.corpora.motif import (
        FRAGMENTS_PER_TABLE,
        fragment_bounds,
        fragment_table,
        reference_table,
    )

    make = reference_table if layout == "reference" else fragment_table
    bounds = fragment_bounds(n_bins, FRAGMENT, STRIDE)
    writer = None
    for c0 in range(0, len(bounds), FRAGMENTS_PER_TABLE):
        table = make("chr1", arrays, bounds[c0 : c0 + FRAGMENTS_PER_TABLE], None)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=FRAGMENTS_PER_TABLE)
    writer.close()
    return path.stat().st_size, len(bounds)


def ratios(path: Path, sample: int = 64 << 20) -> tuple[float, float]:
    """(gzip-6, zstd-3) compressed / raw of the first ``sample`` bytes of a file."""
    with path.open("rb") as handle:
        data = handle.read(sample)
    gz = len(gzip.compress(data, 6)) / len(data)
    zs = float("nan")
    if shutil.which("zstd"):
        out = subprocess.run(
            ["zstd", "-q", "-3", "-c"], input=data, check=True, capture_output=True
        ).stdout
        zs = len(out) / len(data)
    return gz, zs


def encoding_error(cf) -> dict:
    """float16 cluster values against float32 on the real bins."""
    v32 = cf.data.astype(np.float32)
    v16 = v32.astype(np.float16).astype(np.float32)
    err = np.abs(v16 - v32)
    rel = err / np.abs(v32)
    changed = (v32 >= THRESHOLD) != (v16 >= THRESHOLD)
    rows = np.repeat(np.arange(cf.shape[0]), np.diff(cf.indptr))
    return {
        "values": int(v32.size),
        "max_value": float(v32.max()),
        "max_abs": float(err.max()),
        "mean_abs": float(err.mean()),
        "max_rel": float(rel.max()),
        "mean_rel": float(rel.mean()),
        "values_crossing_threshold": int(changed.sum()),
        "bins_changing_active_set": int(np.unique(rows[changed]).size),
        "bins": int(cf.shape[0]),
    }


def main(argv: list[str] | None = None) -> None:
    from benchmarks import motif_real

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--full-share",
        type=float,
        default=0.1,
        help="share of chr1 for the full-layout corpus (scaled to chr1)",
    )
    ap.add_argument("--dir", default="/tmp/genovocab-bench-release-size")
    args = ap.parse_args(argv)
    if not motif_real.available() and not (motif_real.OUT / "bins.npy").exists():
        print("the real data (benchmarks/motif_real.py) is not available here")
        return
    edges, cf, _ = motif_real.cluster_matrix()
    cf = cf.tocsr().astype(np.float32)
    enc = encoding_error(cf)
    print("# float16 cluster values against float32, real hg19 chr1:1-2,000,000")
    for k, v in enc.items():
        print(f"  {k}: {v:.3g}" if isinstance(v, float) else f"  {k}: {v:,}")
    base_dir = Path(args.dir)
    shutil.rmtree(base_dir, ignore_errors=True)
    base_dir.mkdir(parents=True)
    try:
        t0 = time.perf_counter()
        base, n = tile_chr1(base_dir, edges, cf)
        arrays = Arrays(base)
        nnz = int(arrays.indptr[-1])
        print(
            f"\n# chr1-size bins: {n:,} bins, {nnz:,} non-zeros ({nnz / n:.1f} per bin), "
            f"tiled in {time.perf_counter() - t0:.0f} s"
        )
        sizes = {
            name: Path(f"{base}.{name}.npy").stat().st_size
            for name in ("edges", "ids", "indptr", "indices", "values")
        }
        bins_bytes = sum(sizes.values())
        gz = zs = 0.0
        for name, size in sizes.items():
            g, z = ratios(Path(f"{base}.{name}.npy"))
            gz += g * size
            zs += z * size
            print(f"  {name:8s} {size / GB:6.2f} GB  gzip-6 x{g:.3f}  zstd-3 x{z:.3f}")
        print(
            f"  bins/ arrays {bins_bytes / GB:.2f} GB ({bins_bytes / n:.1f} B per bin); "
            f"gzip-6 {gz / GB:.2f} GB, zstd-3 {zs / GB:.2f} GB"
        )
        t0 = time.perf_counter()
        ref_bytes, ref_rows = write_corpus(base_dir / "ref.parquet", arrays, n, "reference")
        print(
            f"  reference corpus: {ref_rows:,} rows, {ref_bytes / GB:.3f} GB "
            f"({ref_bytes / n:.2f} B per bin), {time.perf_counter() - t0:.0f} s"
        )
        part = int(n * args.full_share)
        t0 = time.perf_counter()
        full_part, full_rows = write_corpus(base_dir / "full.parquet", arrays, part, "full")
        full_bytes = full_part * n / part
        print(
            f"  full corpus: {full_rows:,} rows on {part:,} bins, {full_part / GB:.2f} GB "
            f"({full_part / part:.1f} B per bin) in {time.perf_counter() - t0:.0f} s; "
            f"chr1 {full_bytes / GB:.2f} GB (scaled)"
        )
        g_full, z_full = ratios(base_dir / "full.parquet")
        scale = HG38_BINS / n
        before_folder = bins_bytes + full_bytes
        before_tgz = gz + g_full * full_bytes
        after_folder = bins_bytes + ref_bytes
        print(f"\n# hg38 (x{scale:.2f} by bins; extrapolated), motif bins + motif corpus:")
        rows = [
            ("earlier: folder (full corpus) + tar.gz", before_folder + before_tgz),
            ("earlier: folder only", before_folder),
            ("now: folder (reference corpus), archive none", after_folder),
            ("now: + tar.zst", after_folder + zs + z_full * ref_bytes),
            ("now: + tar.gz", after_folder + gz + g_full * ref_bytes),
            ("now: + tar", 2 * after_folder),
        ]
        for label, value in rows:
            print(f"  {label:46s} {value * scale / GB:7.1f} GB")
        f16 = (bins_bytes - sizes["values"] / 2) * scale
        print(f"  now, float16 values (not the stored type)      {f16 / GB:7.1f} GB")
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
