"""The real motif bins every motif-vocabulary benchmark reads: hg19 chr1:1-2,000,000 scanned with
all 841 JASPAR 2022 CORE vertebrate matrices, binned, IDS (three norms), clustered, and turned
into the bin x cluster matrix, with the project's defaults. Each step's output is cached under
``benchmarks/out/motif_real/`` (git-ignored) and reused: the scan takes minutes on 2 cores.

``python benchmarks/motif_real.py`` prepares the cache and prints the clustering calibration
(clusters per feature for the three IDS norms at the default cut and at the cut that gives the
paper's ratio).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

OUT = HERE / "out" / "motif_real"
from benchmarks._common import real_data_dir  # noqa: E402

REAL = real_data_dir()
FASTA = REAL / "misc" / "hg19_chr1_1-2000000.fa.gz"
PFMS = REAL / "jaspar2022" / "JASPAR2022_CORE_vertebrates_nr.jaspar"
CHROM = "chr1"
SPLIT = 1_000_000  # vocabulary from bins starting before, measured on bins starting after
PAPER_FEATURES, PAPER_CLUSTERS = 1682, 871


def available() -> bool:
    """The real data ($GENOVOCAB_REAL_DATA) is present."""
    return FASTA.exists() and PFMS.exists()


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fasta() -> Path:
    path = OUT / "hg19_chr1_2M.fa"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.decompress(FASTA.read_bytes()))
        tmp.rename(path)
    return path


def sequence() -> str:
    """The 2 Mbp (upper case)."""
    from genovocab.io.fasta import open_fasta

    return str(open_fasta(fasta())[CHROM][:])


def sites() -> Path:
    from genovocab.motifs.steps import load_matrix_set, scan_to_site_file

    path = OUT / "sites.parquet"
    if not path.exists():
        matrices, _ = load_matrix_set(PFMS)
        _log(f"scanning 2 Mbp with {len(matrices)} matrices (minutes)")
        n = scan_to_site_file(fasta(), CHROM, matrices, OUT / "sites.tmp.parquet", progress=False)
        (OUT / "sites.tmp.parquet").rename(path)
        _log(f"{n:,} sites")
    return path


def bins() -> tuple[Path, Path, Path]:
    """(bin edges .npy, bin x feature .npz, features.tsv)."""
    from genovocab.motifs.features import write_feature_table
    from genovocab.motifs.steps import bin_chromosome, load_matrix_set

    edges, feats, table = OUT / "bins.npy", OUT / "features.npz", OUT / "features.tsv"
    if not (edges.exists() and feats.exists() and table.exists()):
        src = sites()
        _, mset = load_matrix_set(PFMS)
        length = len(sequence())
        _log("binning")
        bin_chromosome(src, CHROM, length, out_bins=edges, out_features=feats)
        write_feature_table(table, mset)
    return edges, feats, table


def ids_matrix(norm: str = "max") -> Path:
    """The exact IDS matrix for ``norm`` (all three norms from one pass of sums)."""
    from genovocab.motifs.ids import chromosome_partial, write_ids

    path = OUT / f"ids_{norm}.npy"
    if not path.exists():
        _, feats, _ = bins()
        _log("IDS sums (exact)")
        acc, _ = chromosome_partial(feats, CHROM)
        for n in ("max", "2", "1"):
            write_ids(OUT / f"ids_{n}.npy", acc.result(n))
        _log("IDS done")
    return path


def clusters(norm: str = "max", threshold: float = 0.5) -> Path:
    """``clusters.tsv`` of the default cut (``threshold`` on 1 - IDS, average linkage)."""
    from genovocab.motifs.clustering import cluster_files

    path = OUT / f"clusters_{norm}_{threshold}.tsv"
    if not path.exists():
        _, _, table = bins()
        cluster_files(
            ids_matrix(norm),
            table,
            clusters_out=path,
            summary_out=OUT / f"cluster_summary_{norm}_{threshold}.tsv",
            threshold=threshold,
        )
    return path


def cluster_matrix(norm: str = "max", threshold: float = 0.5):
    """(bin edges, bin x cluster CSR float32, cluster motif names) of the default clustering."""
    import pandas as pd
    import scipy.sparse as sp

    from genovocab.motifs.clustering import read_clusters
    from genovocab.motifs.patterns import cluster_features
    from genovocab.motifs.vocabulary import cluster_motif_names

    edges_path, feats, _ = bins()
    cpath = clusters(norm, threshold)
    labels = read_clusters(cpath)
    cache = OUT / f"cluster_features_{norm}_{threshold}.npz"
    if cache.exists():
        cf = sp.load_npz(cache).tocsr()
    else:
        cf = cluster_features(sp.load_npz(feats), labels)
        sp.save_npz(cache, cf)
    names = cluster_motif_names(
        pd.read_csv(cpath, sep="\t", dtype=str, keep_default_na=False).assign(cluster=labels)
    )
    return np.load(edges_path), cf, names


def calibration() -> list[dict]:
    """Clusters per feature for the three norms: at the default cut (0.5) and at the cut whose
    count is nearest the paper's ratio (871 of 1,682)."""
    from genovocab.motifs.clustering import cluster_ids
    from genovocab.motifs.ids import read_ids

    cache = OUT / "calibration.json"
    if cache.exists():
        return json.loads(cache.read_text())
    rows = []
    for norm in ("max", "2", "1"):
        matrix = read_ids(ids_matrix(norm)).astype(np.float64)
        d = matrix.shape[0]
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            k = int(cluster_ids(matrix, threshold=threshold).labels.max()) + 1
            rows.append(
                {
                    "norm": norm,
                    "threshold": threshold,
                    "features": d,
                    "clusters": k,
                    "per_feature": k / d,
                }
            )
    cache.write_text(json.dumps(rows, indent=1))
    return rows


def main() -> None:
    if not available():
        print(f"skipped: {FASTA} or {PFMS} absent")
        return
    edges, cf, names = cluster_matrix()
    _log(
        f"{cf.shape[0]:,} bins, {cf.shape[1]} clusters, {cf.nnz / cf.shape[0]:.1f} "
        "non-zero clusters per bin"
    )
    print(
        f"paper: {PAPER_CLUSTERS} clusters of {PAPER_FEATURES} features "
        f"({PAPER_CLUSTERS / PAPER_FEATURES:.2f} per feature)"
    )
    for row in calibration():
        print(
            f"norm {row['norm']:>3}  cut {row['threshold']:.1f}: {row['clusters']:5d} "
            f"clusters of {row['features']} features ({row['per_feature']:.2f} per feature)"
        )


if __name__ == "__main__":
    main()
