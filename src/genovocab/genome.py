"""Genome preparation: downloaded FASTA -> indexed plain FASTA, chrom.sizes, N-gap BED.

The FASTA is read as a stream (plain or gzip, LF or CRLF), one chromosome at a time, checked
(headers, IUPAC letters, duplicate or empty records) and the selected chromosomes are written as
a plain FASTA of 60-column lines that pyfaidx indexes. Case is kept (soft-masking carries
information); consumers upper-case when they tokenize. N runs become ``gaps.bed`` so that later
stages never join or tokenize across them.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyfaidx

from genovocab.errors import InputError
from genovocab.fileutil import GZIP_MAGIC, atomic_path, write_text_atomic
from genovocab.io.chromsizes import write_chrom_sizes
from genovocab.regions import n_runs

log = logging.getLogger(__name__)

LINE_WIDTH = 60
IUPAC = b"ACGTNRYKMSWBDHVUacgtnrykmswbdhvu"
_ALLOWED = np.zeros(256, dtype=bool)
_ALLOWED[np.frombuffer(IUPAC, dtype=np.uint8)] = True


@dataclass
class Record:
    """One FASTA record: name (first word of the header), sequence bytes, header line number."""

    name: str
    sequence: bytes
    line: int


def _open_binary(path: str | os.PathLike):
    with open(path, "rb") as handle:
        magic = handle.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else open(path, "rb")


def iter_fasta(path: str | os.PathLike) -> Iterator[Record]:
    """Yield checked FASTA records one at a time (memory: one chromosome).

    Errors name the file and line: text before the first header, an empty name, a duplicated
    name, a record with no sequence, a character that is not an IUPAC nucleotide code.
    """
    seen: set[str] = set()
    name: str | None = None
    header_line = 0
    chunks: list[bytes] = []
    first_line_of_chunk: list[int] = []
    try:
        with _open_binary(path) as handle:
            number = 0
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip(b"\r\n")
                if line.startswith(b">"):
                    if name is not None:
                        yield _finish(path, name, header_line, chunks, first_line_of_chunk)
                    name = line[1:].split(maxsplit=1)[0].decode() if line[1:].strip() else ""
                    if not name:
                        raise InputError(path, "FASTA header without a sequence name", number)
                    if name in seen:
                        raise InputError(path, f"sequence name {name!r} appears twice", number)
                    seen.add(name)
                    header_line = number
                    chunks, first_line_of_chunk = [], []
                elif line.strip():
                    if name is None:
                        raise InputError(path, "sequence data before the first '>' header "
                                               "(not a FASTA file?)", number)
                    chunks.append(line.strip())
                    first_line_of_chunk.append(number)
            if name is None:
                raise InputError(path, "no FASTA records found (empty file?)")
            yield _finish(path, name, header_line, chunks, first_line_of_chunk)
    except (EOFError, gzip.BadGzipFile) as exc:
        raise InputError(path, f"corrupt gzip data: {exc}") from exc


def _finish(path, name: str, header_line: int, chunks: list[bytes],
            lines: list[int]) -> Record:
    sequence = b"".join(chunks)
    if not sequence:
        raise InputError(path, f"sequence {name!r} is empty", header_line)
    codes = np.frombuffer(sequence, dtype=np.uint8)
    bad = ~_ALLOWED[codes]
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        ends = np.cumsum([len(c) for c in chunks])
        which = int(np.searchsorted(ends, pos, side="right"))
        raise InputError(path, f"invalid character {chr(codes[pos])!r} in sequence {name!r} "
                               "(not an IUPAC nucleotide code)", lines[which])
    return Record(name, sequence, header_line)


def select_chromosomes(names: list[str], listed: list[str] | None, regex: str | None,
                       path: str | os.PathLike) -> list[str]:
    """Chromosomes to keep, in FASTA order: the listed ones (all must exist) or regex matches."""
    if listed:
        missing = [c for c in listed if c not in names]
        if missing:
            raise InputError(path, f"chromosome(s) {', '.join(missing)} listed in the config are "
                                   f"not in the FASTA (it has: {', '.join(names[:10])}"
                                   f"{' ...' if len(names) > 10 else ''})")
        wanted = set(listed)
        return [c for c in names if c in wanted]
    pattern = re.compile(regex or ".*")
    chosen = [c for c in names if pattern.fullmatch(c)]
    if not chosen:
        raise InputError(path, f"no chromosome matches the regex {regex!r}")
    return chosen


@dataclass
class PreparedGenome:
    """Paths and sizes written by :func:`prepare_genome`."""

    fasta: Path
    chrom_sizes: Path
    gaps: Path
    sizes: dict[str, int]


def prepare_genome(
    fasta_in: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    chromosomes: list[str] | None = None,
    chromosome_regex: str | None = None,
    min_gap: int = 1,
) -> PreparedGenome:
    """Write ``genome.fa`` (+ ``.fai``), ``chrom.sizes`` and ``gaps.bed`` into ``out_dir``.

    Only the selected chromosomes are written, in FASTA order. All three files appear only
    when the whole FASTA was read without error.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fasta_out = out / "genome.fa"
    sizes: dict[str, int] = {}
    all_names: list[str] = []
    gap_lines: list[str] = []
    wanted = set(chromosomes or [])
    pattern = None if chromosomes else re.compile(chromosome_regex or ".*")
    with atomic_path(fasta_out) as tmp, open(tmp, "wb") as handle:
        for record in iter_fasta(fasta_in):
            all_names.append(record.name)
            keep = record.name in wanted if chromosomes else bool(pattern.fullmatch(record.name))
            if not keep:
                continue
            sizes[record.name] = len(record.sequence)
            handle.write(b">" + record.name.encode() + b"\n")
            seq = record.sequence
            handle.write(b"\n".join(seq[i:i + LINE_WIDTH]
                                    for i in range(0, len(seq), LINE_WIDTH)) + b"\n")
            starts, ends = n_runs(seq, min_gap)
            gap_lines.extend(f"{record.name}\t{s}\t{e}\n" for s, e in zip(starts, ends))
            log.info("%s: %d bp, %d N run(s)", record.name, len(seq), len(starts))
        # validate the selection before the FASTA is renamed into place
        select_chromosomes(all_names, chromosomes, chromosome_regex, fasta_in)
    index = Path(f"{fasta_out}.fai")
    index.unlink(missing_ok=True)
    pyfaidx.Faidx(str(fasta_out))
    write_chrom_sizes(out / "chrom.sizes", sizes)
    write_text_atomic(out / "gaps.bed", "".join(gap_lines))
    return PreparedGenome(fasta_out, out / "chrom.sizes", out / "gaps.bed", sizes)
