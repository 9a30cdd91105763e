"""Chromosome sizes files (``chrom.sizes``: name, tab, length; one chromosome per line)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from genovocab.errors import InputError
from genovocab.fileutil import open_text, write_text_atomic

_DIGITS = re.compile(r"[0-9]+")
_INT64_MAX = (1 << 63) - 1


def read_chrom_sizes(path: str | os.PathLike) -> dict[str, int]:
    """Read ``chrom.sizes`` into an ordered ``{name: length}``; file order is kept.

    Extra columns are ignored; ``#`` lines and blank lines are skipped. Duplicated names,
    non-integer or non-positive lengths are errors naming the line.
    """
    with open_text(path) as handle:
        return parse_chrom_sizes(handle, path)


def chrom_sizes_from_text(text: str, source: str | os.PathLike = "chrom.sizes") -> dict[str, int]:
    """:func:`read_chrom_sizes` of text already in memory (e.g. a release's copy); errors name
    ``source``."""
    return parse_chrom_sizes(text.splitlines(), source)


def parse_chrom_sizes(lines: Iterable[str], path: str | os.PathLike) -> dict[str, int]:
    """The checked ``{name: length}`` of chrom.sizes lines; errors name ``path`` and the line."""
    sizes: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 2:
            raise InputError(path, "expected 'name<TAB>length'", number)
        name, length = fields[0], fields[1].strip()
        # ASCII digits only (str.isdigit() takes '1²'), within the 64-bit range
        if not _DIGITS.fullmatch(length) or int(length) <= 0:
            raise InputError(path, f"length {length!r} of {name} is not a positive integer", number)
        if int(length) > _INT64_MAX:
            raise InputError(
                path, f"length {length} of {name} is beyond the 64-bit integer range", number
            )
        if name in sizes:
            raise InputError(path, f"chromosome {name!r} is listed twice", number)
        sizes[name] = int(length)
    if not sizes:
        raise InputError(path, "file is empty: no chromosomes")
    return sizes


def write_chrom_sizes(path: str | os.PathLike, sizes: dict[str, int]) -> None:
    """Write ``{name: length}`` as ``chrom.sizes`` (atomic)."""
    write_text_atomic(path, "".join(f"{name}\t{length}\n" for name, length in sizes.items()))
