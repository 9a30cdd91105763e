"""``genovocab scan-motifs`` and ``genovocab bin-motifs``."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from genovocab.cli.types import per_mille, positive_float, positive_int, probability

log = logging.getLogger(__name__)


def _scan(args: argparse.Namespace) -> int:
    from genovocab.io.fasta import open_fasta
    from genovocab.io.jaspar import read_matrices, select_matrices
    from genovocab.motifs.sites import MatrixSet, MotifScanner, write_sites_tsv

    matrices = select_matrices(read_matrices(args.pfms), args.matrix, args.pfms)
    fa = open_fasta(args.genome)
    chroms = args.chrom or list(fa.keys())
    scanner = MotifScanner(matrices, min_relative=args.min_relative, max_pvalue=args.max_pvalue)
    mset = MatrixSet.from_matrices(matrices)

    def per_chrom():
        for chrom in chroms:
            seq = str(fa[chrom][:])
            yield chrom, scanner.scan_chromosome(seq, progress=not args.quiet, label=chrom)

    n = write_sites_tsv(args.out, per_chrom(), mset)
    log.info("%d sites of %d matrices on %d chromosome(s) -> %s", n, len(matrices), len(chroms),
             args.out)
    return 0


def _bin(args: argparse.Namespace) -> int:
    import numpy as np

    from genovocab.io import read_bed, read_chrom_sizes
    from genovocab.io.jaspar import read_matrices
    from genovocab.motifs.features import write_feature_table
    from genovocab.motifs.run import BinParams, bin_chromosome
    from genovocab.motifs.sites import (
        MatrixSet,
        Sites,
        is_parquet,
        read_sites_tsv,
        site_file_info,
        write_site_file,
    )
    from genovocab.motifs.stats import gather_stats

    sizes = read_chrom_sizes(args.chrom_sizes)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = BinParams(args.sigma, args.width, args.max_bin, args.trim_step)
    mset = MatrixSet.from_matrices(read_matrices(args.pfms)) if args.pfms else None
    islands = None
    if args.cpg == "islands":
        if not args.cpg_islands:
            raise SystemExit("--cpg islands needs --cpg-islands BED")
        iv = read_bed(args.cpg_islands, sizes, unknown_chroms="drop")
        islands = {c: (iv.starts[r], iv.ends[r]) for c, r in iv.rows_by_chrom().items()}
    if args.cpg == "dinucleotide" and not args.genome:
        raise SystemExit("--cpg dinucleotide needs --genome FA")
    with tempfile.TemporaryDirectory(dir=out, prefix=".sites.") as tmp:
        site_files: dict[str, str] = {}
        tsvs = [p for p in args.sites if not is_parquet(p)]
        for p in args.sites:
            if is_parquet(p):
                m, chrom, _, _ = site_file_info(p)
                if mset is None:
                    mset = m
                elif m != mset:
                    from genovocab.errors import InputError

                    raise InputError(p, "site file matrices differ from the others")
                site_files[chrom] = os.fspath(p)
        if tsvs:
            mset, per = read_sites_tsv(tsvs, mset)
            for chrom, sites in per.items():
                if chrom not in sizes:
                    from genovocab.errors import InputError

                    raise InputError(tsvs[0], f"chromosome {chrom} is not in {args.chrom_sizes}")
                path = os.path.join(tmp, f"{chrom}.parquet")
                write_site_file(path, [sites], mset, chrom, sizes[chrom])
                site_files[chrom] = path
        if mset is None:
            raise SystemExit("no sites given")
        stats = []
        for chrom, length in sizes.items():
            path = site_files.get(chrom)
            if path is None:
                path = os.path.join(tmp, f"{chrom}.parquet")
                write_site_file(path, [Sites.empty()], mset, chrom, length)
            stats.append(bin_chromosome(
                path, chrom, length, out_bins=out / f"{chrom}.bins.npy",
                out_features=out / f"{chrom}.features.npz", params=params, cpg=args.cpg,
                genome=args.genome,
                islands=(islands or {}).get(chrom, (np.zeros(0), np.zeros(0)))
                if args.cpg == "islands" else None))
    from genovocab.motifs.features import feature_table

    write_feature_table(out / "features.tsv", mset, args.cpg)
    row = gather_stats(stats, feature_table(mset, args.cpg), out / "stats.tsv",
                       out / "sites_per_feature.tsv", out / "bin_lengths.png")
    log.info("%d bins over %d chromosome(s), mean %.2f bp -> %s", row["bins"], len(sizes),
             row["mean_bin_length"], out)
    return 0


def register(subparsers) -> None:
    """Add ``scan-motifs`` and ``bin-motifs``."""
    p = subparsers.add_parser(
        "scan-motifs", help="scan a genome with JASPAR PFMs (both strands, JASPAR's cut)",
        description="Scan a FASTA with PFMs (JASPAR or MEME format) using MOODS: relative score "
                    ">= 0.8 and p < 0.05, log-odds with pseudocount sqrt(N)/4 and a uniform "
                    "background; writes BED6+2 sites (chrom, start, end, matrix id, relative "
                    "score x1000, strand, TF name, -log10(p) x100).")
    p.add_argument("--genome", required=True,
                   help="FASTA: plain, BGZF or gzip (indexed on first use)")
    p.add_argument("--pfms", required=True, help="matrices, JASPAR or MEME format")
    p.add_argument("--matrix", action="append", default=[], metavar="ID",
                   help="scan only this matrix id (repeatable; default: all)")
    p.add_argument("--chrom", action="append", default=[], help="only this chromosome "
                   "(repeatable; default: all in FASTA order)")
    p.add_argument("--min-relative", type=per_mille, default=800, help="relative score x1000 cut")
    p.add_argument("--max-pvalue", type=probability, default=0.05, help="p-value cut (strict)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="sites TSV (.gz for gzip)")
    p.set_defaults(func=_scan)

    b = subparsers.add_parser(
        "bin-motifs", help="motif coverage, peak bins and bin x feature matrices",
        description="Per chromosome: coverage of the sites, Gaussian smoothing, find_peaks, "
                    "half-prominence bin edges, trimming of long bins; writes <chrom>.bins.npy, "
                    "<chrom>.features.npz (CSR float32), features.tsv, stats.tsv, "
                    "sites_per_feature.tsv and bin_lengths.png into the output folder.")
    b.add_argument("--sites", nargs="+", required=True,
                   help="site files: BED6+2 TSV (gzip or not) or genovocab Parquet site files")
    b.add_argument("--chrom-sizes", required=True, help="chromosomes to bin and their lengths")
    b.add_argument("--out-dir", required=True)
    b.add_argument("--pfms", help="matrix file fixing the feature list (default: the matrix "
                                  "ids found in the sites)")
    b.add_argument("--sigma", type=positive_float, default=3.0, help="Gaussian sigma (bp)")
    b.add_argument("--width", type=positive_float, default=5.0, help="find_peaks minimum width")
    b.add_argument("--max-bin", type=positive_int, default=50, help="longest bin kept as is (bp)")
    b.add_argument("--trim-step", type=positive_int, default=25,
                   help="long bins are cut every N bp")
    b.add_argument("--cpg", choices=["none", "dinucleotide", "islands"], default="none",
                   help="add a CpG feature (last)")
    b.add_argument("--genome", help="FASTA (plain, BGZF or gzip), for --cpg dinucleotide")
    b.add_argument("--cpg-islands", help="BED of CpG islands, for --cpg islands")
    b.set_defaults(func=_bin)
