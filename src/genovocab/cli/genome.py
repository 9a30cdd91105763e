"""``genovocab prepare-genome``: FASTA -> indexed genome.fa, chrom.sizes and N gaps (the
workflow's genome rule uses the same step)."""

from __future__ import annotations

import argparse

from genovocab.cli.types import positive_int
from genovocab.defaults import SCHEMA


def _prepare_genome(args: argparse.Namespace) -> int:
    from pathlib import Path

    from genovocab.fileutil import atomic_dir
    from genovocab.genome import prepare_genome

    # a folder of ours (marker) or a new one: the user's files in an existing folder (their
    # own chrom.sizes, their FASTA) are never overwritten; built aside, renamed into place
    with atomic_dir(args.out_dir, kind="prepare-genome", inputs=[args.fasta]) as tmp:
        prepared = prepare_genome(
            args.fasta,
            tmp,
            chromosomes=args.chromosome or None,
            chromosome_regex=args.regex,
            min_gap=args.min_gap,
        )
    print(
        f"{len(prepared.sizes)} chromosome(s), {sum(prepared.sizes.values())} bp -> "
        f"{Path(args.out_dir) / prepared.fasta.name}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``prepare-genome``."""
    p = subparsers.add_parser(
        "prepare-genome", help="FASTA (gz or plain) -> indexed genome.fa, chrom.sizes, gaps"
    )
    p.add_argument("fasta")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--chromosome", action="append", help="keep this chromosome (repeatable)")
    p.add_argument(
        "--regex",
        default=SCHEMA["genome_prep.chromosome_regex"],
        help="keep chromosomes matching (default: %(default)s, all)",
    )
    p.add_argument(
        "--min-gap",
        type=positive_int,
        default=SCHEMA["genome_prep.min_gap"],
        help="shortest N run in gaps.bed (%(default)s)",
    )
    p.set_defaults(func=_prepare_genome)
