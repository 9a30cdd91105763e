"""Foundation subcommands: ``download`` and ``prepare-genome``."""

from __future__ import annotations

import argparse

from genovocab.cli.types import non_negative_int, positive_float, positive_int
from genovocab.defaults import SCHEMA


def _download(args: argparse.Namespace) -> int:
    from genovocab.download import download

    download(args.url, args.out, args.sha256, timeout=args.timeout, retries=args.retries,
             expected_from="--sha256")
    return 0


def _prepare_genome(args: argparse.Namespace) -> int:
    from pathlib import Path

    from genovocab.fileutil import atomic_dir
    from genovocab.genome import prepare_genome

    # a folder of ours (marker) or a new one: the user's files in an existing folder (their
    # own chrom.sizes, their FASTA) are never overwritten; built aside, renamed into place
    with atomic_dir(args.out_dir, kind="prepare-genome", inputs=[args.fasta]) as tmp:
        prepared = prepare_genome(args.fasta, tmp, chromosomes=args.chromosome or None,
                                  chromosome_regex=args.regex, min_gap=args.min_gap)
    print(f"{len(prepared.sizes)} chromosome(s), {sum(prepared.sizes.values())} bp -> "
          f"{Path(args.out_dir) / prepared.fasta.name}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``download`` and ``prepare-genome``."""
    p = subparsers.add_parser("download", help="fetch a URL or path, verify sha256, atomically")
    p.add_argument("url", help="http(s)://, ftp://, file:// URL or local path")
    p.add_argument("--sha256", help="expected sha256 (hex); mismatch is an error")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--timeout", type=positive_float, default=60.0, help="seconds per connection")
    p.add_argument("--retries", type=non_negative_int, default=5,
                   help="retries on connection errors/5xx")
    p.set_defaults(func=_download)

    p = subparsers.add_parser("prepare-genome",
                              help="FASTA (gz or plain) -> indexed genome.fa, chrom.sizes, gaps")
    p.add_argument("fasta")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--chromosome", action="append", help="keep this chromosome (repeatable)")
    p.add_argument("--regex", default=SCHEMA["genome_prep.chromosome_regex"],
                   help="keep chromosomes matching (default: %(default)s, all)")
    p.add_argument("--min-gap", type=positive_int, default=SCHEMA["genome_prep.min_gap"],
                   help="shortest N run in gaps.bed (%(default)s)")
    p.set_defaults(func=_prepare_genome)
