"""``genovocab init``: a starting configuration for your own genome, peaks and motifs."""

from __future__ import annotations

import argparse


def _init(args: argparse.Namespace) -> int:
    from genovocab.config_init import write_config

    config, sheet = write_config(
        args.out,
        genome=args.genome,
        peaks=args.peaks,
        jaspar=args.jaspar,
        ccres=args.ccres,
        genome_name=args.genome_name,
        release_name=args.name,
        force=args.force,
    )
    print(f"wrote {config}" + (f" and {sheet}" if sheet else ""))
    print(f"run it: snakemake --cores N --configfile {config}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``init``."""
    p = subparsers.add_parser(
        "init",
        help="write a commented config (and sample sheet) for your own data",
        description="Write a config for your own data: every local file is pinned by its "
        "sha256, chromosomes and held-out splits are chosen from the FASTA, and "
        "the result is checked against the workflow's schema. Keys it does not "
        "write take the schema's defaults (config/README.md).",
    )
    p.add_argument("--genome", required=True, help="genome FASTA (gz or plain): path or URL")
    p.add_argument(
        "--peaks",
        required=True,
        help="a folder of peak files (BED/narrowPeak, gz or not) or a sample sheet",
    )
    p.add_argument("--jaspar", required=True, help="JASPAR-format matrix file: path or URL")
    p.add_argument("--ccres", help="optional cCRE registry (BED): path or URL")
    p.add_argument("--genome-name", help="genome name (default: from the FASTA file name)")
    p.add_argument("--name", help="release name (default: genovocab-<genome name>)")
    p.add_argument(
        "--out",
        default="my_config.yaml",
        help="config to write (default: my_config.yaml); a peak folder also gives "
        "<out stem>.samples.tsv beside it",
    )
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.set_defaults(func=_init)
