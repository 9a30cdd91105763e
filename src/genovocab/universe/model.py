"""The binomial likelihood model of a coverage track (geniml ``lh``), per chromosome and track.

For a track with values c(x) over a chromosome of length L built from N files, with
C = sum of c(x): row i of the table is

    [log10((N - i) / (N * L - C) + 1e-10),  log10(i / C + 1e-10)]

(the log-likelihood of a base with value i being background, resp. part of the universe), for
every value i present in the track; rows of absent values are 0 and never read. The arithmetic
is geniml's, including its unsigned types: ``N - i`` is computed in ``uint16``, so a value above
N (more region starts within the window than files, possible for the start/end tracks) wraps
around exactly as in geniml.
"""

from __future__ import annotations

import numpy as np

from genovocab.universe.coverage import value_counts


def binomial_model(
    track: np.ndarray | None,
    n_files: int,
    counts: np.ndarray | None = None,
    size: int | None = None,
) -> np.ndarray:
    """The ``(max + 1, 2)`` float64 table of :mod:`this module <genovocab.universe.model>`, from a
    dense track, or from its value ``counts`` (index = value) and chromosome ``size``."""
    if counts is None:
        track = np.asarray(track, dtype=np.uint16)
        counts = value_counts(track)
    if size is None:
        size = len(track)
    possible = n_files * size
    values = np.flatnonzero(counts).astype(np.uint16)  # == np.unique(track), without a sort
    total = np.uint64(
        int(np.dot(counts.astype(np.uint64), np.arange(len(counts), dtype=np.uint64)))
    )
    table = np.zeros((int(values.max()) + 1 if len(values) else 1, 2))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        background = np.log10((n_files - values) / (possible - total) + 1e-10)
        covered = np.log10((values / total) + 1e-10)
    table[values, 0] = background
    table[values, 1] = covered
    return table
