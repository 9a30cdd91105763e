"""Universe subcommands: ``universe`` (build) and ``assess-universe``."""

from __future__ import annotations

import argparse
import sys

from genovocab.cli.types import non_negative_int, positive_int
from genovocab.defaults import FLEXIBLE_METHODS, SCHEMA, UNIVERSE_METHODS


def _build(args: argparse.Namespace) -> int:
    from genovocab.errors import GenovocabError
    from genovocab.io import read_chrom_sizes
    from genovocab.universe.build import build_universe
    from genovocab.universe.coverage import peakset_coverage, write_bigwigs
    from genovocab.universe.files import write_universe_files
    from genovocab.universe.inputs import ccre_universe, read_peak_files

    sizes = read_chrom_sizes(args.chrom_sizes)
    if args.method == "ccre":
        if len(args.files) != 1:
            raise GenovocabError("method ccre takes exactly one file: the registry BED")
        universe = ccre_universe(args.files[0], sizes)
    else:
        peaks = read_peak_files(args.files, sizes)
        universe = build_universe(
            peaks,
            args.method,
            cutoff=args.cutoff,
            window=args.window,
            merge=args.merge,
            filter_size=args.filter_size,
            hmm_normalize=not args.no_hmm_normalize,
        )
        if args.bigwig_prefix:
            write_bigwigs(
                args.bigwig_prefix,
                (peakset_coverage(peaks, c, args.window) for c in peaks.chroms),
                sizes,
            )
    flexible = args.method in FLEXIBLE_METHODS
    n = write_universe_files(
        universe,
        args.method,
        sizes,
        bed3=args.bed3_out if flexible else args.out,
        bed9=args.out if flexible else None,
        stats=args.stats_out,
    )
    print(f"{args.method}: {n} region(s) -> {args.out}", file=sys.stderr)
    return 0


def _assess(args: argparse.Namespace) -> int:
    from genovocab.io import read_chrom_sizes
    from genovocab.universe.assess import assess_universe
    from genovocab.universe.files import read_universe_bed
    from genovocab.universe.inputs import read_peak_files

    sizes = read_chrom_sizes(args.chrom_sizes)
    universe = read_universe_bed(args.universe, sizes)
    peaks = read_peak_files(args.files, sizes)
    table = assess_universe(universe, peaks, window=args.window)
    sys.stdout.write(table.to_csv(sep="\t", index=False, lineterminator="\n"))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``universe`` and ``assess-universe``."""
    p = subparsers.add_parser(
        "universe",
        help="build a consensus universe from BED files (geniml methods)",
        description="Build a universe: BED3 for ccre/union/cc, BED9 (columns 1-3 = outer "
        "flexible edges, thickStart/thickEnd = core) for ccf/ml/hmm.",
    )
    p.add_argument("files", nargs="+", help="peak BED files (for ccre: the registry BED)")
    p.add_argument("--method", required=True, choices=UNIVERSE_METHODS)
    p.add_argument("--chrom-sizes", required=True, help="chrom.sizes of the genome")
    p.add_argument(
        "--cutoff",
        type=positive_int,
        default=None,
        help="cc: core coverage cutoff (default: maximum-likelihood cutoff)",
    )
    p.add_argument(
        "--window",
        type=positive_int,
        default=SCHEMA["universe.window"],
        help="start/end smoothing half-width, bp",
    )
    p.add_argument(
        "--merge",
        type=non_negative_int,
        default=SCHEMA["universe.merge"],
        help="cc: merge regions closer than this",
    )
    p.add_argument(
        "--filter-size",
        type=non_negative_int,
        default=SCHEMA["universe.filter_size"],
        help="cc: drop regions shorter",
    )
    p.add_argument(
        "--no-hmm-normalize",
        action="store_true",
        help="hmm: decode raw counts (default: geniml's quantile normalisation)",
    )
    p.add_argument("--bigwig-prefix", help="also write {prefix}_start/_core/_end.bw coverage")
    p.add_argument("--out", required=True, help="output BED (.gz: deterministic gzip)")
    p.add_argument(
        "--bed3-out",
        help="flexible methods: also write the BED3 interval vocabulary "
        "(outer edges), as the workflow's universe.bed.gz",
    )
    p.add_argument("--stats-out", help="also write the one-row stats TSV (as the workflow does)")
    p.set_defaults(func=_build)

    p = subparsers.add_parser(
        "assess-universe", help="F10, boundary distances, RBS, likelihood (TSV to stdout)"
    )
    p.add_argument("files", nargs="+", help="the peak BED files the universe should represent")
    p.add_argument("--universe", required=True, help="universe BED3 or BED9 (flexible)")
    p.add_argument("--chrom-sizes", required=True)
    p.add_argument(
        "--window",
        type=positive_int,
        default=SCHEMA["universe.window"],
        help="start/end smoothing half-width, bp",
    )
    p.set_defaults(func=_assess)
