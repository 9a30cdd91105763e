"""Genome preparation: downloaded FASTA -> indexed plain FASTA, chrom.sizes, N-gap BED.

The FASTA is read as a stream (plain or gzip, LF or CRLF), one chromosome at a time, checked
(headers, IUPAC letters, duplicate or empty records) and the selected chromosomes are written as
a plain FASTA of 60-column lines that pyfaidx indexes. Case is kept (soft-masking carries
information); consumers upper-case when they tokenize. N runs become ``gaps.bed`` so that later
stages never join or tokenize across them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyfaidx

from genovocab.errors import InputError
from genovocab.fileutil import atomic_path, write_text_atomic
from genovocab.io.chromsizes import write_chrom_sizes
from genovocab.io.fasta import iter_fasta
from genovocab.regions import n_runs

log = logging.getLogger(__name__)

LINE_WIDTH = 60


def select_chromosomes(
    names: list[str], listed: list[str] | None, regex: str | None, path: str | os.PathLike
) -> list[str]:
    """Chromosomes to keep, in FASTA order: the listed ones (all must exist) or regex matches."""
    if listed:
        missing = [c for c in listed if c not in names]
        if missing:
            raise InputError(
                path,
                f"chromosome(s) {', '.join(missing)} listed in the config are "
                f"not in the FASTA (it has: {', '.join(names[:10])}"
                f"{' ...' if len(names) > 10 else ''})",
            )
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
    if not Path(fasta_in).is_file():
        raise InputError(
            fasta_in, "no such file" if not Path(fasta_in).exists() else "is not a file"
        )
    if min_gap < 1:
        raise InputError(None, f"min_gap must be at least 1, got {min_gap}")
    out = Path(out_dir)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _prepare(fasta_in, out, chromosomes, chromosome_regex, min_gap)
    except BaseException:
        if created:  # leave no empty output folder behind a failure
            with contextlib.suppress(OSError):
                out.rmdir()
        raise


def _prepare(fasta_in, out: Path, chromosomes, chromosome_regex, min_gap) -> PreparedGenome:
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
            handle.write(
                b"\n".join(seq[i : i + LINE_WIDTH] for i in range(0, len(seq), LINE_WIDTH)) + b"\n"
            )
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
