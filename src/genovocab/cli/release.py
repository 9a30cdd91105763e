"""``genovocab release verify PATH [--sha256 DIGEST]`` and ``genovocab release info PATH``."""

from __future__ import annotations

import argparse
import re
import sys


def _digest(text: str) -> str:
    value = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise argparse.ArgumentTypeError(f"not a sha256 (64 hex digits): {text!r}")
    return value


def _verify(args: argparse.Namespace) -> int:
    from genovocab.release import ReleaseError, load_release

    try:
        release = load_release(args.path, verify=True, sha256=args.sha256)
    except ReleaseError as exc:
        print(
            f"genovocab release verify: error: {exc.path}: {len(exc.problems)} problem(s)",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    n = sum(1 for line in (release.path / "SHA256SUMS").open() if line.strip())
    pinned = " (the pinned one)" if args.sha256 else ""
    print(f"{release.name}: OK ({n} files match SHA256SUMS and release.json)")
    print(f"release digest {release.digest}{pinned}")
    return 0


def _info(args: argparse.Namespace) -> int:
    from genovocab.release import load_release

    print(load_release(args.path, verify=not args.no_verify).info())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``release verify`` and ``release info``."""
    parser = subparsers.add_parser("release", help="verify or describe a release")
    sub = parser.add_subparsers(dest="release_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "verify",
        help="check every file against SHA256SUMS and the manifest "
        "(exit 1 and the list of bad files)",
    )
    p.add_argument("path", help="release folder or .tar.gz")
    p.add_argument(
        "--sha256",
        type=_digest,
        metavar="DIGEST",
        help="the release digest to expect (sha256 of release.json, as the card, "
        "`release info` and `verify` print it): any other release fails",
    )
    p.set_defaults(func=_verify)
    p = sub.add_parser("info", help="vocabularies, sizes, genome, sources, software, digest")
    p.add_argument("path", help="release folder or .tar.gz")
    p.add_argument("--no-verify", action="store_true", help="skip the checksum verification")
    p.set_defaults(func=_info)
