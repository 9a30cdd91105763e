"""The ``genovocab`` command line.

Each stage contributes its subcommands from its own module in this package: the module
defines ``register(subparsers)``, which adds parsers whose ``func`` attribute takes the parsed
arguments and returns an exit code. New modules are listed in ``SUBCOMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from genovocab import __version__
from genovocab.errors import GenovocabError

SUBCOMMAND_MODULES = (
    "genovocab.cli.foundation",
    "genovocab.cli.intervals",
    "genovocab.cli.universe",
    "genovocab.cli.motifs",
    "genovocab.cli.ids",
    "genovocab.cli.sequence",
    "genovocab.cli.release",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available stage's subcommands."""
    parser = argparse.ArgumentParser(
        prog="genovocab",
        description="Vocabularies for machine learning on the genome: interval universes, "
                    "motif-aware bins, BPE + PMI G-grams, tokenized corpora.")
    parser.add_argument("--version", action="version", version=f"genovocab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # stage not built yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except GenovocabError as exc:
        print(f"genovocab {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
