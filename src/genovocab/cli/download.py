"""``genovocab download``: fetch a URL or path, verify its sha256, write it atomically (the
workflow's download rules use the same function)."""

from __future__ import annotations

import argparse

from genovocab.cli.types import non_negative_int, positive_float


def _download(args: argparse.Namespace) -> int:
    from genovocab.download import download

    download(
        args.url,
        args.out,
        args.sha256,
        timeout=args.timeout,
        retries=args.retries,
        expected_from="--sha256",
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``download``."""
    p = subparsers.add_parser("download", help="fetch a URL or path, verify sha256, atomically")
    p.add_argument("url", help="http(s)://, ftp://, file:// URL or local path")
    p.add_argument("--sha256", help="expected sha256 (hex); mismatch is an error")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--timeout", type=positive_float, default=60.0, help="seconds per connection")
    p.add_argument(
        "--retries", type=non_negative_int, default=5, help="retries on connection errors/5xx"
    )
    p.set_defaults(func=_download)
