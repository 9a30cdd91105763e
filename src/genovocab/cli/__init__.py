"""The ``genovocab`` command line.

Each stage contributes its subcommands from its own module in this package: the module
defines ``register(subparsers)``, which adds parsers whose ``func`` attribute takes the parsed
arguments and returns an exit code. New modules are listed in ``SUBCOMMAND_MODULES``.

Every expected failure (bad input, missing or unreadable files, decode errors, corrupt
archives, network errors) ends as one line ``genovocab <cmd>: error: ...`` and exit status 1;
usage errors are argparse's (exit 2); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import importlib
import logging
import os
import re
import sys
import zipfile
import zlib
from pathlib import Path

from genovocab import __version__
from genovocab.errors import GenovocabError, OutputError

SUBCOMMAND_MODULES = (
    "genovocab.cli.init",
    "genovocab.cli.download",
    "genovocab.cli.genome",
    "genovocab.cli.corpora",
    "genovocab.cli.universe",
    "genovocab.cli.motifs",
    "genovocab.cli.ids",
    "genovocab.cli.sequence",
    "genovocab.cli.release",
    "genovocab.cli.evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available stage's subcommands."""
    parser = argparse.ArgumentParser(
        prog="genovocab",
        description="Vocabularies for machine learning on the genome: interval universes, "
        "motif-aware bins, BPE + PMI G-grams, tokenized corpora.",
    )
    parser.add_argument("--version", action="version", version=f"genovocab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the Python traceback of an error (default: one line)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _path_values(args: argparse.Namespace, skip: set[str]) -> list[str]:
    """Every existing path among the parsed arguments (inputs), except the ``skip`` names."""
    found = []
    for key, value in vars(args).items():
        if key in skip or key == "func":
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and item not in ("", "-") and os.path.exists(item):
                found.append(item)
    return found


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output that is one of the inputs, or a folder holding one of them."""
    outs = {
        k: getattr(args, k)
        for k in ("out", "out_dir")
        if isinstance(getattr(args, k, None), str) and getattr(args, k) != "-"
    }
    if not outs:
        return
    inputs = _path_values(args, set(outs))
    for key, out in outs.items():
        target = Path(out).resolve()
        for item in inputs:
            source = Path(item).resolve()
            if source == target:
                raise OutputError(out, f"is also an input ({item}); give another output")
            if key == "out" and target in source.parents:
                raise OutputError(out, f"contains the input {item}; give another folder")


def describe_error(exc: BaseException) -> str:
    """The one-line message of an expected failure."""
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"input is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}): {exc.reason}"
        )
    if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
        return f"corrupt or truncated gzip data: {exc}"
    if isinstance(exc, http.client.HTTPException):
        return f"network error: {type(exc).__name__}: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        if not where and _OUTPUT_HINT.get("path"):  # write(2) on a full disk names no file
            where = f" (writing {_OUTPUT_HINT['path']})"
        return f"{exc.strerror}{where}"
    if isinstance(exc, zipfile.BadZipFile):
        found = _archive_name(exc)
        return f"{found + ': ' if found else ''}not a valid .npz/zip archive ({exc})"
    return str(exc) or type(exc).__name__


def _archive_name(exc: BaseException) -> str:
    """The file a ``zipfile.ZipFile`` was opening when it raised ``exc`` (from the traceback),
    or ''."""
    tb = exc.__traceback__
    name = ""
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, zipfile.ZipFile) and owner.filename:
            name = os.fspath(owner.filename)
        tb = tb.tb_next
    return name


def _os_error_text(exc: BaseException) -> str:
    """The message of an operating-system error that a compiled library (the Rust
    ``tokenizers``) raises as a plain ``Exception`` ending in ``(os error N)``; else ''."""
    text = str(exc)
    match = re.search(r"\(os error (\d+)\)", text)
    if type(exc) is not Exception or not match:
        return ""
    where = _OUTPUT_HINT.get("path")
    reason = os.strerror(int(match.group(1)))
    text = text if reason in text else f"{reason} ({text})"
    return text + (f": {where}" if where else "")


#: the output path of the running command, for errors that do not name one
_OUTPUT_HINT: dict[str, str] = {}


EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    GenovocabError,
    OSError,
    ValueError,
    EOFError,
    zlib.error,
    http.client.HTTPException,
    LookupError,
    zipfile.BadZipFile,
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    for key in ("out", "out_dir"):
        if isinstance(getattr(args, key, None), str):
            _OUTPUT_HINT["path"] = getattr(args, key)
    try:
        check_outputs(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"genovocab {args.command}: interrupted", file=sys.stderr)
        return 130
    except EXPECTED_ERRORS as exc:
        if args.debug:
            raise
        print(f"genovocab {args.command}: error: {describe_error(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a pyfaidx/pyarrow/... error type we do not list
        if not args.debug and _os_error_text(exc):  # a Rust library's I/O error (full disk)
            print(f"genovocab {args.command}: error: {_os_error_text(exc)}", file=sys.stderr)
            return 1
        if args.debug or type(exc).__module__.split(".")[0] in ("builtins", "genovocab"):
            raise
        print(
            f"genovocab {args.command}: error: {type(exc).__name__}: {describe_error(exc)}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
