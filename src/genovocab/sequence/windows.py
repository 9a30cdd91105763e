"""Genome windows and region sequences: the text of BPE training, G-gram statistics and
sequence corpora.

Genome sequence is upper-cased and split at every base that is not A, C, G or T (N runs and
IUPAC codes alike are gaps, as DNAZEN and DNABERT-2 train on gap-free sequence), so no window
ever spans a gap. Windows tile each
gap-free segment from its start; a deterministic, seeded subset of them forms the training
sample when a total size is configured (hg38: sample, never the whole genome).
"""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from genovocab.defaults import WINDOWS_SEED
from genovocab.errors import InputError
from genovocab.fileutil import atomic_path, open_text
from genovocab.regions import acgt_runs

if TYPE_CHECKING:
    from genovocab.regions import Regions

__all__ = [
    "Window",
    "acgt_segments",
    "genome_windows",
    "iter_genome_windows",
    "read_document_regions",
    "read_lines",
    "region_sequences",
    "reverse_complement",
    "tile_segments",
    "write_lines",
    "write_training_text",
]

log = logging.getLogger(__name__)

_COMPLEMENT = bytes.maketrans(b"ACGTacgt", b"TGCAtgca")


@dataclass(frozen=True)
class Window:
    """A gap-free piece of a chromosome: 0-based half-open ``[start, end)`` and its sequence."""

    chrom: str
    start: int
    end: int
    seq: str


def acgt_segments(seq: str, min_length: int = 1) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` runs of A/C/G/T in ``seq`` (upper case), at least ``min_length``.

    Any other character (N, IUPAC codes, lower case: callers upper-case first) is a gap.
    """
    starts, ends = acgt_runs(seq, max(1, min_length))
    return list(zip(starts.tolist(), ends.tolist()))


def tile_segments(
    segments: Iterable[tuple[int, int]], window: int, min_window: int
) -> Iterator[tuple[int, int]]:
    """Cut each segment into consecutive windows of ``window`` bp from its start.

    The shorter last piece of a segment is kept when it has at least ``min_window`` bp.
    """
    if window < 1:
        raise ValueError("window must be at least 1 bp")
    for start, end in segments:
        for s in range(start, end, window):
            e = min(s + window, end)
            if e - s >= min_window:
                yield s, e


def iter_genome_windows(
    fasta_path: str | os.PathLike,
    chroms: Sequence[str],
    *,
    window: int = 1000,
    min_window: int = 100,
    total_bp: int | None = None,
    seed: int = WINDOWS_SEED,
) -> Iterator[Window]:
    """Deterministic sample of gap-free genome windows, in chromosome then position order.

    Every chromosome in ``chroms`` is tiled (see :func:`tile_segments`); when ``total_bp`` is
    given and smaller than the tiled total, windows are drawn without replacement with a
    ``numpy`` generator seeded by ``seed`` until ``total_bp`` is reached, then put back in genome
    order. The same FASTA, chromosomes and parameters always give the same windows. Windows
    are yielded one chromosome at a time (only one chromosome's sequence is held).
    """
    from genovocab.io.fasta import open_fasta

    fasta = open_fasta(fasta_path)
    parts: list[np.ndarray] = []  # (chrom index, start, end) rows
    for ci, chrom in enumerate(chroms):
        if chrom not in fasta:
            raise InputError(fasta_path, f"chromosome {chrom!r} is not in the FASTA")
        tiles = list(
            tile_segments(acgt_segments(str(fasta[chrom][:]), min_window), window, min_window)
        )
        if tiles:
            rows = np.empty((len(tiles), 3), dtype=np.int64)
            rows[:, 0] = ci
            rows[:, 1:] = np.asarray(tiles, dtype=np.int64)
            parts.append(rows)
    if not parts:
        raise InputError(
            fasta_path,
            f"no gap-free window of at least {min_window} bp in the selected chromosomes",
        )
    arr = np.concatenate(parts)
    lengths = arr[:, 2] - arr[:, 1]
    if total_bp is not None and total_bp < int(lengths.sum()):
        order = np.random.default_rng(seed).permutation(len(arr))
        take = int(np.searchsorted(np.cumsum(lengths[order]), total_bp)) + 1
        arr = arr[np.sort(order[:take])]
    current = -1
    seq = ""
    for ci, s, e in arr.tolist():
        if ci != current:
            current = ci
            seq = str(fasta[chroms[ci]][:])
        yield Window(chroms[ci], s, e, seq[s:e])
    fasta.close()


def genome_windows(fasta_path: str | os.PathLike, chroms: Sequence[str], **kwargs) -> list[Window]:
    """:func:`iter_genome_windows` as a list."""
    out = list(iter_genome_windows(fasta_path, chroms, **kwargs))
    log.info(
        "%d windows, %d bp, from %d chromosomes",
        len(out),
        sum(w.end - w.start for w in out),
        len(chroms),
    )
    return out


def reverse_complement(seq: str) -> str:
    """Reverse complement of an A/C/G/T string."""
    return seq.translate(_COMPLEMENT)[::-1]


def write_lines(path: str | os.PathLike, sequences: Iterable[str]) -> int:
    """Stream one sequence per line into ``path`` atomically (deterministic gzip when the name
    ends .gz); returns the line count."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "wb") as raw:
        handle = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            if str(path).endswith(".gz")
            else raw
        )
        try:
            for line in sequences:
                handle.write(line.encode("ascii") + b"\n")
                count += 1
        finally:
            if handle is not raw:
                handle.close()
    return count


def write_training_text(
    path: str | os.PathLike, windows: Iterable[Window], *, reverse_complements: bool = False
) -> tuple[int, int, int]:
    """One window per line, each optionally followed by its reverse complement.

    Returns ``(lines, windows, bp of the windows)``; ``windows`` may be a generator.
    """
    stats = [0, 0]

    def lines() -> Iterator[str]:
        for w in windows:
            stats[0] += 1
            stats[1] += w.end - w.start
            yield w.seq
            if reverse_complements:
                yield reverse_complement(w.seq)

    n = write_lines(path, lines())
    return n, stats[0], stats[1]


def read_lines(path: str | os.PathLike, limit: int | None = None) -> list[str]:
    """Sequences of a one-per-line text file (plain or gzip), upper-cased; blank lines skipped;
    the first ``limit`` sequences only when given.

    A line with characters other than letters is an :class:`InputError` naming the line.
    """
    out = []
    with open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            if not text:
                continue
            if not text.isalpha() or not text.isascii():
                raise InputError(
                    path, "a sequence line must hold only letters (A, C, G, T, N, ...)", line=number
                )
            out.append(text.upper())
            if limit is not None and len(out) >= limit:
                break
    return out


def read_document_regions(
    bed_path: str | os.PathLike, chrom_sizes: Mapping[str, int] | None = None
) -> Regions:
    """The regions of a BED file that become sequence documents, with their extra columns:
    file order, regions on chromosomes absent from ``chrom_sizes`` (when given) dropped. The
    one reader of :func:`region_sequences` and of the corpus's region labels, so both keep the
    same regions."""
    from genovocab.io import read_bed

    return read_bed(
        bed_path,
        chrom_sizes,
        unknown_chroms="drop" if chrom_sizes else "keep",
        allow_empty=True,
        keep_columns=True,
    )


def region_sequences(
    fasta_path: str | os.PathLike,
    bed_path: str | os.PathLike,
    chrom_sizes: dict[str, int] | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Sequences of the regions of a BED file, upper-cased, in file order.

    Returns ``(chroms, starts, ends, names, sequences)`` as lists/arrays (``names``: the BED
    name column when there is one, else ``chrom:start-end``); regions on chromosomes
    absent from ``chrom_sizes`` (when given) are dropped. Non-ACGT bases stay in the sequence
    (the BPE tokenizer maps them to ``[UNK]``).
    """
    from genovocab.io.fasta import open_fasta

    iv = read_document_regions(bed_path, chrom_sizes)
    fasta = open_fasta(fasta_path)
    chrom_names = [iv.chroms[i] for i in iv.chrom_index.tolist()]
    seqs = []
    cache: dict[str, str] = {}
    for chrom, s, e, line in zip(
        chrom_names, iv.starts.tolist(), iv.ends.tolist(), iv.line_numbers.tolist()
    ):
        if chrom not in cache:
            if chrom not in fasta:
                raise InputError(
                    bed_path, f"chromosome {chrom!r} is not in {fasta_path}", line=int(line)
                )
            cache = {chrom: str(fasta[chrom][:])}
        seq = cache[chrom]
        if e > len(seq):
            raise InputError(
                bed_path, f"end {e} is past the end of {chrom} ({len(seq)} bp)", line=int(line)
            )
        seqs.append(seq[s:e])
    fasta.close()
    if iv.columns is not None and iv.columns.shape[1] > 0:
        names = [str(x) for x in iv.columns.iloc[:, 0].tolist()]
    else:
        names = [
            f"{c}:{s}-{e}" for c, s, e in zip(chrom_names, iv.starts.tolist(), iv.ends.tolist())
        ]
    return chrom_names, iv.starts, iv.ends, np.asarray(names, dtype=object), seqs
