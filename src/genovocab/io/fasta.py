"""FASTA access through pyfaidx (plain or bgzip-compressed, indexed on first use)."""

from __future__ import annotations

import os

import pyfaidx

from genovocab.errors import InputError


def open_fasta(path: str | os.PathLike, *, upper: bool = True) -> pyfaidx.Fasta:
    """Open an indexed FASTA; sequences come back upper-cased unless ``upper=False``.

    Plain FASTA and BGZF are accepted (pyfaidx builds the ``.fai`` when missing); an ordinary
    gzip file cannot be indexed and gives an :class:`InputError` that says to prepare it first.
    """
    try:
        return pyfaidx.Fasta(os.fspath(path), sequence_always_upper=upper,
                             rebuild=False, as_raw=True)
    except pyfaidx.UnsupportedCompressionFormat as exc:
        raise InputError(path, "gzip FASTA is not BGZF; run genovocab's genome preparation "
                               "(or bgzip) first") from exc
    except pyfaidx.FastaIndexingError as exc:
        raise InputError(path, f"malformed FASTA: {exc}") from exc
