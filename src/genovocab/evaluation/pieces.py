"""The held-out DNA as gap-free pieces, read a block at a time.

Every tokenization is measured on the same pieces, so gaps are handled alike: a region
(a chromosome or ``chrom:start-end``) is cut on a fixed grid of ``window`` bp (positions
``start, start + window, ...``) and each grid window is split at every base that is not
A/C/G/T (N runs, IUPAC codes): a piece is a maximal A/C/G/T run inside one grid window. No
token ever spans a gap or a grid line. The grid does not depend on how many bases are read at a
time (``block_windows`` grid windows per block), so the pieces, and every figure, do not either,
and memory is one block whatever the chromosome's length.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from genovocab.errors import GenovocabError
from genovocab.regions import acgt_runs

__all__ = ["Block", "Region", "iter_blocks", "parse_region"]

_REGION = re.compile(r"^([^:\s]+)(?::([0-9,]+)-([0-9,]+))?$")


@dataclass(frozen=True)
class Region:
    """Half-open ``[start, end)`` of one chromosome (``end`` None: to its end)."""

    chrom: str
    start: int = 0
    end: int | None = None

    def __str__(self) -> str:
        return (
            self.chrom
            if (self.start == 0 and self.end is None)
            else f"{self.chrom}:{self.start}-{self.end}"
        )


def parse_region(text: str) -> Region:
    """``chr1`` or ``chr1:1,000,000-2,000,000`` (0-based, half-open)."""
    m = _REGION.match(str(text).strip())
    if not m:
        raise GenovocabError(f"{text!r} is not a chromosome or chrom:start-end")
    if m.group(2) is None:
        return Region(m.group(1))
    start, end = (int(g.replace(",", "")) for g in m.group(2, 3))
    if end <= start:
        raise GenovocabError(f"{text!r}: end must be above start")
    return Region(m.group(1), start, end)


@dataclass
class Block:
    """Pieces of one block: genome coordinates (sorted, disjoint) and their DNA."""

    chrom: str
    index: int  # block number within its region (seeds the shuffle)
    starts: np.ndarray
    ends: np.ndarray
    seqs: list[str]

    @property
    def bp(self) -> int:
        return int((self.ends - self.starts).sum())


def iter_blocks(
    fasta,
    regions: Sequence[Region],
    chrom_sizes: Mapping[str, int],
    *,
    window: int = 10_000,
    block_windows: int = 100,
    max_bp: int | None = None,
) -> Iterator[Block]:
    """Blocks of pieces of ``regions`` from an open FASTA (``genovocab.io.fasta.open_fasta``),
    upper case; stops after ``max_bp`` bases of pieces when given (a whole grid window more at
    most)."""
    if window < 1:
        raise GenovocabError(f"window must be positive, not {window}")
    seen = 0
    for region in regions:
        if region.chrom not in chrom_sizes:
            raise GenovocabError(
                f"held-out chromosome {region.chrom!r} is not in the genome "
                f"({', '.join(list(chrom_sizes)[:10])})"
            )
        size = int(chrom_sizes[region.chrom])
        end = size if region.end is None else min(int(region.end), size)
        step = window * block_windows
        for index, a in enumerate(range(region.start, end, step)):
            b = min(end, a + step)
            text = str(fasta[region.chrom][a:b]).upper()
            starts, ends, seqs = [], [], []
            for w in range(0, b - a, window):
                part = text[w : w + window]
                rs, re_ = acgt_runs(part)
                for s, e in zip(rs.tolist(), re_.tolist()):
                    starts.append(a + w + s)
                    ends.append(a + w + e)
                    seqs.append(part[s:e])
            block = Block(
                region.chrom,
                index,
                np.asarray(starts, dtype=np.int64),
                np.asarray(ends, dtype=np.int64),
                seqs,
            )
            if block.seqs:
                yield block
            seen += block.bp
            if max_bp is not None and seen >= max_bp:
                return


def chrom_sizes_of(fasta) -> dict[str, int]:
    """Chromosome lengths of an open pyfaidx FASTA."""
    return {name: len(fasta[name]) for name in fasta.keys()}


def fasta_path(path: str | os.PathLike):
    """Open a FASTA the way the rest of the library does."""
    from genovocab.io.fasta import open_fasta

    return open_fasta(path)
