"""Sequence vocabulary subcommands: ``sample-windows``, ``train-bpe``, ``ggram``,
``tokenize-sequences``."""

from __future__ import annotations

import argparse
import logging

from genovocab.cli.types import finite_float, non_negative_int, positive_int
from genovocab.defaults import SCHEMA

log = logging.getLogger(__name__)


def run_sample_windows(args: argparse.Namespace) -> int:
    """Genome -> gap-free windows, one per line."""
    from genovocab.io import read_chrom_sizes
    from genovocab.sequence.windows import iter_genome_windows, write_training_text

    if args.chrom_sizes:
        chroms = list(read_chrom_sizes(args.chrom_sizes))
    else:
        from genovocab.io.fasta import open_fasta

        with open_fasta(args.fasta) as fasta:
            chroms = list(fasta.keys())
    windows = iter_genome_windows(
        args.fasta,
        chroms,
        window=args.window,
        min_window=args.min_window,
        total_bp=args.total_bp,
        seed=args.seed,
    )
    n, n_windows, bp = write_training_text(
        args.out, windows, reverse_complements=args.reverse_complements
    )
    log.info("wrote %d lines (%d windows, %d bp) to %s", n, n_windows, bp, args.out)
    return 0


def run_train_bpe(args: argparse.Namespace) -> int:
    """Train the BPE and save the tokenizer folder."""
    from genovocab.sequence.bpe import build_bpe_folder

    build_bpe_folder(
        args.corpus,
        args.out,
        vocab_size=args.vocab_size,
        min_frequency=args.min_frequency,
        model_max_length=args.model_max_length,
    )
    return 0


def run_ggram(args: argparse.Namespace) -> int:
    """Tokenize a text corpus and extract the G-gram vocabulary."""
    from genovocab.fileutil import check_files_owned
    from genovocab.sequence.bpe import encode_ids, load_tokenizer
    from genovocab.sequence.ggram import GgramParams, extract_ggrams, write_vocab
    from genovocab.sequence.windows import read_lines

    # into a genovocab folder (the BPE tokenizer's) or a new one; never over a user's files
    check_files_owned(args.out, ("vocab.tsv", "ngram.json", "stats.tsv", "ggram_lengths.png"))
    tok = load_tokenizer(args.tokenizer)
    seqs = [s for path in args.corpus for s in read_lines(path)]
    ids, offsets = encode_ids(tok, seqs)
    params = GgramParams(
        min_pmi=args.min_pmi,
        min_token_count=args.min_token_count,
        min_ngram_freq=args.min_ngram_freq,
        min_len=args.min_len,
        max_len=args.max_len,
    )
    try:
        vocab = extract_ggrams(ids, offsets, vocab_size=tok.get_vocab_size(), params=params)
    except ValueError as exc:
        raise SystemExit(f"genovocab ggram: error: {exc}") from exc
    paths = write_vocab(
        vocab, tok, args.out, max_ngram_count=args.max_ngrams, plot=not args.no_plot
    )
    log.info("%d G-grams -> %s", len(vocab), ", ".join(str(p) for p in paths.values()))
    return 0


def run_tokenize_sequences(args: argparse.Namespace) -> int:
    """DNA documents -> Parquet shards with BPE ids and G-gram matches."""
    from genovocab.corpora.sequence import region_labels, write_sequence_corpus
    from genovocab.sequence.windows import read_lines, region_sequences
    from genovocab.tokenizers import SequenceTokenizer

    st = SequenceTokenizer.from_pretrained(args.tokenizer, args.ggram, n_runs=args.n_runs)
    coords = None
    labels = None
    splits = {
        k: v for k, v in (("validation", args.validation_chroms), ("test", args.test_chroms)) if v
    }
    if args.bed:
        if not args.fasta:
            raise SystemExit("genovocab tokenize-sequences: error: --bed needs --fasta")
        chroms, starts, ends, ids, seqs = region_sequences(args.fasta, args.bed)
        coords = (chroms, starts, ends)
        ids = list(ids)
        if args.label_column:
            labels = region_labels(args.bed, args.label_column)
    else:
        if args.label_column or splits:
            raise SystemExit(
                "genovocab tokenize-sequences: error: --label-column and "
                "chromosome splits need --bed"
            )
        seqs = read_lines(args.sequences)
        ids = [str(i) for i in range(len(seqs))]
    max_ngrams = args.max_ngrams if args.max_ngrams and args.max_ngrams > 0 else None
    paths, stats = write_sequence_corpus(
        st,
        ids,
        seqs,
        args.out,
        n_shards=args.n_shards,
        max_ngrams=max_ngrams,
        coordinates=coords,
        labels=labels,
        splits=splits or None,
        title=args.title,
    )
    log.info(
        "wrote %d shard(s) to %s: %d documents, %d tokens, %d G-gram matches",
        len(paths),
        args.out,
        stats["documents"],
        stats["tokens"],
        stats["ngram_matches"],
    )
    return 0


def register(subparsers) -> None:
    """Add the sequence subcommands."""
    p = subparsers.add_parser(
        "sample-windows",
        help="gap-free genome windows, one per line (BPE training text)",
        description="Tile the genome into gap-free windows (split at every non-ACGT base) and "
        "optionally draw a seeded sample of them; one window per line.",
    )
    p.add_argument("--fasta", required=True, help="FASTA: plain, BGZF or gzip")
    p.add_argument("--chrom-sizes", help="chromosomes to use, in order (default: all)")
    p.add_argument(
        "--window",
        type=positive_int,
        default=SCHEMA["sequence.windows.length"],
        help="window length in bp (%(default)s)",
    )
    p.add_argument(
        "--min-window",
        type=positive_int,
        default=SCHEMA["sequence.windows.min_length"],
        help="drop windows and gap-free pieces shorter than this (100)",
    )
    p.add_argument(
        "--total-bp",
        type=positive_int,
        default=None,
        help="sample windows up to this many bp (default: all)",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=SCHEMA["sequence.windows.seed"],
        help="sampling seed (%(default)s)",
    )
    p.add_argument(
        "--reverse-complements",
        action="store_true",
        help="also write each window's reverse complement",
    )
    p.add_argument("--out", required=True, help="output text file (.gz: gzip)")
    p.set_defaults(func=run_sample_windows)

    p = subparsers.add_parser(
        "train-bpe",
        help="train a DNABERT-2-style BPE tokenizer",
        description="Train a BPE (Hugging Face tokenizers) on text of one sequence per line; "
        "writes tokenizer.json, tokenizer_config.json, special_tokens_map.json.",
    )
    p.add_argument(
        "--corpus",
        required=True,
        nargs="+",
        metavar="TXT",
        help="training text file(s), one sequence per line",
    )
    p.add_argument(
        "--vocab-size",
        type=positive_int,
        default=SCHEMA["sequence.bpe.vocab_size"],
        help="vocabulary size (%(default)s)",
    )
    p.add_argument(
        "--min-frequency",
        type=positive_int,
        default=SCHEMA["sequence.bpe.min_frequency"],
        help="minimum pair frequency (2)",
    )
    p.add_argument(
        "--model-max-length",
        type=positive_int,
        default=SCHEMA["sequence.bpe.model_max_length"],
        help="model_max_length in tokenizer_config.json (512)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run_train_bpe)

    p = subparsers.add_parser(
        "ggram",
        help="extract the PMI G-gram vocabulary (DNAZEN)",
        description="Tokenize a corpus with the BPE (no specials) and extract G-grams: runs of "
        "min-len..max-len tokens whose adjacent pairs have PMI >= min-pmi. Writes "
        "vocab.tsv (id, token_ids, tokens, dna, frequency, min_pmi), ngram.json "
        "(DNAZEN layout), stats.tsv and ggram_lengths.png.",
    )
    p.add_argument("--tokenizer", required=True, metavar="DIR", help="BPE folder")
    p.add_argument(
        "--corpus",
        required=True,
        nargs="+",
        metavar="TXT",
        help="text file(s), one sequence per line",
    )
    p.add_argument(
        "--min-pmi",
        type=finite_float,
        default=SCHEMA["sequence.ggram.min_pmi"],
        help="PMI threshold in log2 (%(default)s)",
    )
    p.add_argument(
        "--min-token-count",
        type=positive_int,
        default=SCHEMA["sequence.ggram.min_token_count"],
        help="minimum count of an adjacent pair (5)",
    )
    p.add_argument(
        "--min-ngram-freq",
        type=positive_int,
        default=SCHEMA["sequence.ggram.min_ngram_freq"],
        help="minimum G-gram frequency, before and after the recount (5)",
    )
    p.add_argument(
        "--min-len",
        type=positive_int,
        default=SCHEMA["sequence.ggram.min_len"],
        help="shortest G-gram in tokens (%(default)s)",
    )
    p.add_argument(
        "--max-len",
        type=positive_int,
        default=SCHEMA["sequence.ggram.max_len"],
        help="longest G-gram in tokens (%(default)s)",
    )
    p.add_argument(
        "--max-ngrams",
        type=positive_int,
        default=SCHEMA["sequence.ggram.max_ngrams"],
        help="max_ngram_count written to ngram.json (30)",
    )
    p.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=run_ggram)

    p = subparsers.add_parser(
        "tokenize-sequences",
        help="DNA sequences -> Parquet shards with BPE ids and G-grams",
        description="Tokenize DNA documents (lines of a text file, or BED regions of a FASTA) "
        "with the BPE and match the G-gram vocabulary; writes Parquet shards and "
        "a dataset card.",
    )
    p.add_argument("--tokenizer", required=True, metavar="DIR", help="BPE folder")
    p.add_argument(
        "--ggram", required=True, metavar="PATH", help="G-gram folder, vocab.tsv or ngram.json"
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sequences", metavar="TXT", help="one sequence per line")
    src.add_argument("--bed", metavar="BED", help="regions (with --fasta)")
    p.add_argument("--fasta", help="FASTA (plain, BGZF or gzip) for --bed")
    p.add_argument(
        "--max-ngrams",
        type=non_negative_int,
        default=SCHEMA["sequence.corpus.max_ngrams"],
        help="keep at most this many G-grams per document (0: all)",
    )
    p.add_argument(
        "--n-runs",
        choices=("unk_run", "drop", "unk_base"),
        default="unk_run",
        help="non-ACGT runs: one [UNK] per run (default), dropped, or one [UNK] per base",
    )
    p.add_argument(
        "--label-column",
        metavar="N|last",
        help="BED column (1-based, or 'last') holding a class label, e.g. the "
        "cCRE class; becomes the `label` column",
    )
    p.add_argument(
        "--validation-chroms",
        nargs="+",
        metavar="CHROM",
        help="documents on these chromosomes form the validation split",
    )
    p.add_argument(
        "--test-chroms",
        nargs="+",
        metavar="CHROM",
        help="documents on these chromosomes form the test split",
    )
    p.add_argument(
        "--n-shards",
        type=positive_int,
        default=SCHEMA["sequence.corpus.n_shards"],
        help="number of shards per split (%(default)s)",
    )
    p.add_argument("--title", default="Sequence corpus", help="dataset card title")
    p.add_argument("--out", required=True, metavar="DIR", help="output corpus folder")
    p.set_defaults(func=run_tokenize_sequences)
