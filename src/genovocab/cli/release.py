"""``genovocab release verify PATH`` and ``genovocab release info PATH``."""

from __future__ import annotations

import argparse
import sys


def _verify(args: argparse.Namespace) -> int:
    from genovocab.release import ReleaseError, load_release

    try:
        release = load_release(args.path, verify=True)
    except ReleaseError as exc:
        print(f"{exc.path}: {len(exc.problems)} bad files", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    n = sum(1 for line in (release.path / "SHA256SUMS").open() if line.strip())
    print(f"{release.name}: OK ({n} files match SHA256SUMS and release.json)")
    return 0


def _info(args: argparse.Namespace) -> int:
    from genovocab.release import load_release

    print(load_release(args.path, verify=not args.no_verify).info())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``release verify`` and ``release info``."""
    parser = subparsers.add_parser("release", help="verify or describe a release")
    sub = parser.add_subparsers(dest="release_command", metavar="ACTION", required=True)
    p = sub.add_parser("verify", help="check every file against SHA256SUMS and the manifest "
                                      "(exit 1 and the list of bad files)")
    p.add_argument("path", help="release folder or .tar.gz")
    p.set_defaults(func=_verify)
    p = sub.add_parser("info", help="vocabularies, sizes, genome, sources, software")
    p.add_argument("path", help="release folder or .tar.gz")
    p.add_argument("--no-verify", action="store_true", help="skip the checksum verification")
    p.set_defaults(func=_info)
