"""Interval corpora subcommands: ``tokenize-intervals`` (BED files -> region token ids against a
universe) and ``tokenize-fragments`` (scATAC fragments -> one document per cell)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from genovocab.cli.types import fraction, positive_int
from genovocab.defaults import SCHEMA

log = logging.getLogger(__name__)


def add_tokenizer_options(parser: argparse.ArgumentParser) -> None:
    """The tokenizer options shared by the interval subcommands."""
    parser.add_argument(
        "--chrom-sizes",
        metavar="PATH",
        help="check the universe against this chrom.sizes (ids always follow "
        "the universe file's line order)",
    )
    parser.add_argument(
        "--unknown",
        choices=("drop", "unk"),
        default=SCHEMA["corpora.*.tokenizer.unknown"],
        help="a query region with no hit: dropped (default) or one <unk>",
    )
    parser.add_argument(
        "--order",
        choices=("query", "genomic"),
        default=SCHEMA["corpora.*.tokenizer.order"],
        help="token order: query order with genomic order inside a query "
        "(default, as gtars) or genomic order over the whole file",
    )
    parser.add_argument(
        "--empty-document",
        choices=("unk", "empty"),
        default="unk",
        help="a file with no token: [<unk>] (default, as gtars) or nothing",
    )
    parser.add_argument(
        "--dedupe", action="store_true", help="keep only the first occurrence of each token id"
    )
    parser.add_argument(
        "--min-overlap",
        type=positive_int,
        default=SCHEMA["corpora.*.tokenizer.min_overlap"],
        metavar="BP",
        help="minimum shared length in bp (default 1)",
    )
    parser.add_argument(
        "--min-query-fraction",
        type=fraction,
        default=SCHEMA["corpora.*.tokenizer.min_query_fraction"],
        metavar="F",
        help="minimum shared fraction of the query region (default 0)",
    )
    parser.add_argument(
        "--min-region-fraction",
        type=fraction,
        default=SCHEMA["corpora.*.tokenizer.min_region_fraction"],
        metavar="F",
        help="minimum shared fraction of the universe region (default 0)",
    )


def tokenizer_from_args(args: argparse.Namespace):
    from genovocab.tokenizers import IntervalTokenizer

    try:
        return IntervalTokenizer.from_bed(
            args.universe,
            chrom_sizes=args.chrom_sizes,
            unknown=args.unknown,
            order=args.order,
            dedupe=getattr(args, "dedupe_ids", args.dedupe),
            empty_document=args.empty_document,
            min_overlap=args.min_overlap,
            min_query_fraction=args.min_query_fraction,
            min_region_fraction=args.min_region_fraction,
        )
    except ValueError as exc:
        from genovocab.errors import GenovocabError

        if isinstance(exc, GenovocabError):
            raise
        raise SystemExit(f"genovocab tokenize-intervals: error: {exc}") from exc


def run_tokenize(args: argparse.Namespace) -> int:
    """Tokenize every query file; text lines (name TAB ids) or Parquet shards."""
    from genovocab.corpora.interval import write_interval_corpus
    from genovocab.fileutil import write_text_atomic

    tok = tokenizer_from_args(args)
    log.info("universe %s: %d regions, vocab_size %d", args.universe, tok.n_regions, tok.vocab_size)
    if args.format == "parquet":
        documents = [(q, q) for q in args.queries]
        paths, stats = write_interval_corpus(
            tok, documents, args.out, n_shards=args.n_shards, title=args.title
        )
        log.info(
            "wrote %d shard(s) to %s: %d documents, %d tokens",
            len(paths),
            args.out,
            stats["documents"],
            stats["tokens"],
        )
        return 0
    lines = []
    for query in args.queries:
        ids = tok.encode(query)
        lines.append(f"{query}\t{' '.join(map(str, ids))}\n")
    if args.out == "-":
        print("".join(lines), end="")
    else:
        write_text_atomic(args.out, "".join(lines))
    return 0


def register(subparsers) -> None:
    """Add ``tokenize-intervals`` and ``tokenize-fragments``."""
    register_fragments(subparsers)
    parser = subparsers.add_parser(
        "tokenize-intervals",
        help="tokenize BED files against an interval universe",
        description="Tokenize BED files against a universe (vocabulary) BED file. Text "
        "output: one line per query file: the file name as given, a tab, the "
        "space-separated token ids. Parquet output: a Hugging Face dataset folder "
        "(data/train-*.parquet + README.md card + stats.json), one row per file.",
    )
    parser.add_argument(
        "--universe",
        required=True,
        metavar="U.bed[.gz]",
        help="universe BED (any layout; duplicates are dropped)",
    )
    add_tokenizer_options(parser)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    parser.add_argument(
        "--n-shards",
        type=positive_int,
        default=SCHEMA["corpora.*.n_shards"],
        help="Parquet shards (default 1)",
    )
    parser.add_argument("--title", default="Interval corpus", help="dataset card title")
    parser.add_argument(
        "--out", required=True, help="output file (text; '-' = stdout) or folder (parquet)"
    )
    parser.add_argument(
        "queries", nargs="+", metavar="QUERY.bed", type=lambda p: os.fspath(Path(p))
    )
    parser.set_defaults(func=run_tokenize)


def run_tokenize_fragments(args: argparse.Namespace) -> int:
    """A fragments file -> one document per cell barcode (Parquet shards + card)."""
    from genovocab.corpora.fragments import write_fragments_corpus
    from genovocab.fileutil import open_text

    tok = tokenizer_from_args(args)
    whitelist = None
    if args.whitelist:
        with open_text(args.whitelist) as handle:
            whitelist = [line.strip() for line in handle if line.strip()]
    paths, stats = write_fragments_corpus(
        tok,
        args.fragments,
        args.out,
        n_shards=args.n_shards,
        dedupe=args.dedupe,
        unknown=args.unknown,
        min_fragments=args.min_fragments,
        whitelist=whitelist,
        h5ad=args.h5ad,
        title=args.title,
    )
    log.info(
        "wrote %d shard(s) to %s: %d cells, %d fragments, %d tokens",
        len(paths),
        args.out,
        stats["cells"],
        stats["fragments"],
        stats["tokens"],
    )
    return 0


def register_fragments(subparsers) -> None:
    """Add ``tokenize-fragments``."""
    parser = subparsers.add_parser(
        "tokenize-fragments",
        help="scATAC fragments -> one document per cell barcode",
        description="Tokenize a 10x fragments file (chrom, start, end, barcode, count; '#' "
        "headers) against a universe: each cell barcode becomes one document of "
        "the region ids its fragments overlap. Streams the file; writes a Hugging "
        "Face dataset folder and optionally an AnnData .h5ad (cells x regions).",
    )
    parser.add_argument("--universe", required=True, metavar="U.bed[.gz]")
    parser.add_argument("--fragments", required=True, metavar="fragments.tsv.gz")
    parser.add_argument("--chrom-sizes", metavar="PATH", help="check the universe against it")
    parser.add_argument(
        "--unknown",
        choices=("drop", "unk"),
        default=SCHEMA["corpora.*.fragment_options.unknown"],
        help="a fragment with no hit: dropped (default) or one <unk> (gtars)",
    )
    parser.add_argument(
        "--dedupe", action="store_true", help="each region once per cell, with a `counts` column"
    )
    parser.add_argument(
        "--min-fragments",
        type=positive_int,
        default=SCHEMA["corpora.*.fragment_options.min_fragments"],
        help="drop cells with fewer fragments (%(default)s)",
    )
    parser.add_argument("--whitelist", metavar="TXT", help="barcodes to keep, one per line")
    parser.add_argument("--h5ad", metavar="PATH", help="also write a cells x regions .h5ad")
    parser.add_argument(
        "--n-shards",
        type=positive_int,
        default=SCHEMA["corpora.*.n_shards"],
        help="Parquet shards (%(default)s)",
    )
    parser.add_argument("--title", default="Fragments corpus", help="dataset card title")
    parser.add_argument("--out", required=True, metavar="DIR", help="output corpus folder")
    parser.set_defaults(
        func=run_tokenize_fragments,
        order="query",
        dedupe_ids=False,
        empty_document="empty",
        min_overlap=1,
        min_query_fraction=0.0,
        min_region_fraction=0.0,
    )
