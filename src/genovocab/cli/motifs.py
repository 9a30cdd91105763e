"""``genovocab scan-motifs``, ``genovocab bin-motifs`` and ``genovocab motif-tokenize``."""

from __future__ import annotations

import argparse
import logging

from genovocab.cli.types import per_mille, positive_float, positive_int, probability
from genovocab.defaults import CPG_MODES, MOTIF_BINNING, SCHEMA

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
    log.info(
        "%d sites of %d matrices on %d chromosome(s) -> %s", n, len(matrices), len(chroms), args.out
    )
    return 0


def _bin(args: argparse.Namespace) -> int:
    from genovocab.io import read_chrom_sizes
    from genovocab.io.jaspar import read_matrices
    from genovocab.motifs.sites import MatrixSet
    from genovocab.motifs.steps import BinParams, bin_genome

    if args.cpg == "islands" and not args.cpg_islands:
        raise SystemExit("--cpg islands needs --cpg-islands FILE")
    if args.cpg == "dinucleotide" and not args.genome:
        raise SystemExit("--cpg dinucleotide needs --genome FA")
    from genovocab.fileutil import atomic_dir

    sizes = read_chrom_sizes(args.chrom_sizes)
    mset = MatrixSet.from_matrices(read_matrices(args.pfms)) if args.pfms else None
    inputs = [*args.sites, args.chrom_sizes, args.pfms, args.genome, args.cpg_islands]
    # a folder of ours (marker) or a new one; built aside and renamed into place
    with atomic_dir(args.out_dir, kind="bin-motifs", inputs=[i for i in inputs if i]) as tmp:
        row = bin_genome(
            args.sites,
            sizes,
            tmp,
            params=BinParams(args.sigma, args.width, args.max_bin, args.trim_step),
            cpg=args.cpg,
            genome=args.genome,
            cpg_islands=args.cpg_islands,
            matrix_set=mset,
        )
    log.info(
        "%d bins over %d chromosome(s), mean %.2f bp -> %s",
        row["bins"],
        len(sizes),
        row["mean_bin_length"],
        args.out_dir,
    )
    return 0


def _tokenize(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from genovocab.errors import GenovocabError, InputError
    from genovocab.fileutil import atomic_path
    from genovocab.io import read_bed
    from genovocab.tokenizers.motif import MotifTokenizer, encodings_table, read_fasta_records

    tok = MotifTokenizer.from_pretrained(args.tokenizer)
    if args.regions:
        iv = read_bed(args.regions, tok.genome.lengths, unknown_chroms="error")
        regions = [
            (iv.chroms[int(c)], int(s), int(e))
            for c, s, e in zip(iv.chrom_index, iv.starts, iv.ends)
        ]
        bins = []
        for (chrom, start, end), line in zip(regions, iv.line_numbers.tolist()):
            try:
                bins.append(tok.region_bins(chrom, start, end))
            except GenovocabError as exc:  # located by file and line
                raise InputError(args.regions, str(exc), int(line)) from exc
        table = encodings_table(tok, [f"{c}:{s}-{e}" for c, s, e in regions], bins, regions)
    else:
        records = read_fasta_records(args.fasta)
        bins = [tok.dna_bins(seq) for _, seq in records]
        table = encodings_table(tok, [name for name, _ in records], bins)
    with atomic_path(args.out, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")
    log.info(
        "%d %s -> %d bins -> %s",
        table.num_rows,
        "regions" if args.regions else "sequences",
        sum(len(b) for b in bins),
        args.out,
    )
    return 0


def register(subparsers) -> None:
    """Add ``scan-motifs``, ``bin-motifs`` and ``motif-tokenize``."""
    p = subparsers.add_parser(
        "scan-motifs",
        help="scan a genome with JASPAR PFMs (both strands, JASPAR's cut)",
        description="Scan a FASTA with PFMs (JASPAR or MEME format) using MOODS: relative score "
        ">= 0.8 and p < 0.05, log-odds with pseudocount sqrt(N)/4 and a uniform "
        "background; writes BED6+2 sites (chrom, start, end, matrix id, relative "
        "score x1000, strand, TF name, -log10(p) x100).",
    )
    p.add_argument(
        "--genome", required=True, help="FASTA: plain, BGZF or gzip (indexed on first use)"
    )
    p.add_argument("--pfms", required=True, help="matrices, JASPAR or MEME format")
    p.add_argument(
        "--matrix",
        action="append",
        default=[],
        metavar="ID",
        help="scan only this matrix id (repeatable; default: all)",
    )
    p.add_argument(
        "--chrom",
        action="append",
        default=[],
        help="only this chromosome (repeatable; default: all in FASTA order)",
    )
    p.add_argument(
        "--min-relative",
        type=per_mille,
        default=SCHEMA["motifs.sites.min_relative"],
        help="relative score x1000 cut (%(default)s)",
    )
    p.add_argument(
        "--max-pvalue",
        type=probability,
        default=SCHEMA["motifs.sites.max_pvalue"],
        help="p-value cut, strict (%(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="sites TSV (.gz for gzip)")
    p.set_defaults(func=_scan)

    b = subparsers.add_parser(
        "bin-motifs",
        help="motif coverage, peak bins and bin x feature matrices",
        description="Per chromosome: coverage of the sites, Gaussian smoothing, find_peaks, "
        "half-prominence bin edges, trimming of long bins; writes <chrom>.bins.npy, "
        "<chrom>.features.npz (CSR float32), features.tsv, stats.tsv, "
        "sites_per_feature.tsv and bin_lengths.png into the output folder.",
    )
    b.add_argument(
        "--sites",
        nargs="+",
        required=True,
        help="site files: BED6+2 TSV (gzip or not) or genovocab Parquet site files",
    )
    b.add_argument("--chrom-sizes", required=True, help="chromosomes to bin and their lengths")
    b.add_argument("--out-dir", required=True)
    b.add_argument(
        "--pfms",
        help="matrix file fixing the feature list (default: the matrix ids found in the sites)",
    )
    b.add_argument(
        "--sigma", type=positive_float, default=MOTIF_BINNING["sigma"], help="Gaussian sigma (bp)"
    )
    b.add_argument(
        "--width",
        type=positive_float,
        default=MOTIF_BINNING["peak_width"],
        help="find_peaks minimum width",
    )
    b.add_argument(
        "--max-bin",
        type=positive_int,
        default=MOTIF_BINNING["max_bin"],
        help="longest bin kept as is (bp)",
    )
    b.add_argument(
        "--trim-step",
        type=positive_int,
        default=MOTIF_BINNING["trim_step"],
        help="long bins are cut every N bp",
    )
    b.add_argument(
        "--cpg",
        choices=CPG_MODES,
        default=SCHEMA["motifs.cpg"],
        help="add a CpG feature, last (%(default)s)",
    )
    b.add_argument("--genome", help="FASTA (plain, BGZF or gzip), for --cpg dinucleotide")
    b.add_argument(
        "--cpg-islands", help="CpG islands, BED or UCSC cpgIslandExt table, for --cpg islands"
    )
    b.set_defaults(func=_bin)

    t = subparsers.add_parser(
        "motif-tokenize",
        help="motif tokens of BED regions or FASTA sequences",
        description="Tokenize genome regions (the stored bins of a motif tokenizer folder) or "
        "any DNA (scanned, binned and clustered with the folder's matrices and "
        "parameters) into a Parquet file: one row per region or sequence with "
        "input_ids, bin_starts, bin_ends, cluster_indices and cluster_values.",
    )
    source = t.add_mutually_exclusive_group(required=True)
    source.add_argument("--regions", help="BED file of genome regions")
    source.add_argument("--fasta", help="FASTA of DNA sequences (plain or gzip)")
    t.add_argument(
        "--tokenizer",
        required=True,
        help="motif tokenizer folder (a release's motifs/ or <results>/motifs/tokenizer)",
    )
    t.add_argument("--out", required=True, help="output Parquet file")
    t.set_defaults(func=_tokenize)
