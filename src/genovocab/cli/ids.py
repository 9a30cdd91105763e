"""``genovocab ids`` and ``genovocab cluster-motifs``: IDS matrix and motif clusters."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from genovocab.cli.types import fraction, non_negative_int, positive_float, positive_int
from genovocab.defaults import IDS_BACKENDS, IDS_NORMS, LINKAGE_METHODS, SCHEMA

log = logging.getLogger(__name__)


def _ids(args: argparse.Namespace) -> int:
    import time

    from genovocab.motifs.ids import chromosome_partial, npz_rows, write_ids

    t0 = time.perf_counter()
    names = [str(p) for p in args.features]
    counts = {name: npz_rows(name) for name in names} if args.sample else None
    total = None
    for name in names:
        part, used = chromosome_partial(
            name,
            name,
            terms=args.terms,
            bandwidth=args.bandwidth,
            sample_size=args.sample,
            bin_counts=counts,
            seed=args.seed,
            backend=args.backend,
        )
        log.info("%s: %d bins", name, used)
        total = part if total is None else total.merge(part)
    write_ids(args.out, total.result(args.norm))
    log.info(
        "IDS (%s) of %d features over %d bins -> %s in %.1f s",
        args.norm,
        total.d,
        total.n,
        args.out,
        time.perf_counter() - t0,
    )
    return 0


def _cluster(args: argparse.Namespace) -> int:
    from genovocab.motifs.clustering import cluster_files

    summary = args.summary or Path(args.out).with_name(Path(args.out).stem + "_summary.tsv")
    clustering = cluster_files(
        args.ids,
        args.labels,
        clusters_out=args.out,
        summary_out=summary,
        heatmap_out=args.heatmap,
        threshold=args.threshold,
        n_clusters=args.clusters,
        method=args.method,
    )
    log.info(
        "%d features -> %d clusters -> %s", clustering.labels.size, clustering.n_clusters, args.out
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``ids`` and ``cluster-motifs``."""
    p = subparsers.add_parser(
        "ids",
        help="InterDependence Score matrix of bin x feature matrices (.npz, CSR)",
        description="Exact streaming IDS over one or more bin x feature CSR .npz files (e.g. "
        "one per chromosome), or over a seeded random subsample of their bins.",
    )
    p.add_argument(
        "--features",
        nargs="+",
        required=True,
        type=Path,
        help="bin x feature matrices (scipy save_npz, CSR, same columns)",
    )
    p.add_argument(
        "--terms",
        type=positive_int,
        default=SCHEMA["ids.terms"],
        help="kernel terms K (%(default)s)",
    )
    p.add_argument(
        "--bandwidth",
        type=positive_float,
        default=SCHEMA["ids.bandwidth"],
        help="kernel bandwidth B (%(default)s)",
    )
    p.add_argument(
        "--norm",
        choices=IDS_NORMS,
        default=SCHEMA["ids.norm"],
        help="aggregation over term pairs (default max)",
    )
    p.add_argument(
        "--sample",
        type=positive_int,
        default=None,
        help="use this many random bins over all files (default: all bins)",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=SCHEMA["ids.seed"],
        help="sample seed (%(default)s)",
    )
    p.add_argument(
        "--backend",
        choices=IDS_BACKENDS,
        default=SCHEMA["ids.backend"],
        help="numpy (CPU, default) or torch (GPU when present; needs PyTorch)",
    )
    p.add_argument("--out", required=True, type=Path, help="ids.npy (float32 d x d)")
    p.set_defaults(func=_ids)

    c = subparsers.add_parser(
        "cluster-motifs",
        help="hierarchical clustering of motif features on 1 - IDS",
        description="Cluster the features of an IDS matrix; writes clusters.tsv (feature, "
        "cluster, matrix_id, name, strand) and a cluster summary.",
    )
    c.add_argument("--ids", required=True, type=Path, help="ids.npy")
    c.add_argument(
        "--labels", required=True, type=Path, help="features.tsv (index, matrix_id, name, strand)"
    )
    cut = c.add_mutually_exclusive_group()
    cut.add_argument(
        "--threshold",
        type=fraction,
        default=SCHEMA["ids.threshold"],
        help="cut at this 1 - IDS distance (default 0.5)",
    )
    cut.add_argument(
        "--clusters", type=positive_int, default=None, help="cut into this many clusters"
    )
    c.add_argument(
        "--method",
        default=SCHEMA["ids.linkage"],
        choices=LINKAGE_METHODS,
        help="linkage method (default average)",
    )
    c.add_argument("--out", required=True, type=Path, help="clusters.tsv")
    c.add_argument(
        "--summary",
        type=Path,
        default=None,
        help="cluster summary TSV (default: <out stem>_summary.tsv)",
    )
    c.add_argument("--heatmap", type=Path, default=None, help="optional IDS heatmap PNG")
    c.set_defaults(func=_cluster)
