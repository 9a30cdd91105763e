"""Small tables and records written by every stage: TSV with a header, JSON, ``.npz`` arrays.

One writer per format, each atomic (a job never leaves half a file) and deterministic (the
same data gives the same bytes, so a rerun changes nothing); each reader sits beside its
writer.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from genovocab.fileutil import atomic_path, write_text_atomic

__all__ = ["finite_or_none", "read_npz", "write_json", "write_npz", "write_tsv"]


def write_tsv(
    path: str | os.PathLike,
    frame: pd.DataFrame,
    *,
    float_format: str | None = None,
    na_rep: str = "",
) -> None:
    """A TSV with header, no index, ``\\n`` line ends, written atomically (gzip for ``.gz``).

    Floats are written in full ``repr`` precision by default (reruns match bit for bit, and
    intermediates lose nothing); ``float_format`` (e.g. ``"%.6g"``) for tables meant to be read.
    """
    text = frame.to_csv(
        sep="\t", index=False, lineterminator="\n", float_format=float_format, na_rep=na_rep
    )
    write_text_atomic(path, text)


def finite_or_none(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, inf) replaced by None, for JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    return value


def write_json(
    path: str | os.PathLike, data: Mapping[str, Any], *, indent: int | None = None
) -> None:
    """JSON with sorted keys, NaN/inf written as ``null`` (valid JSON), a final newline."""
    write_text_atomic(
        path, json.dumps(finite_or_none(dict(data)), indent=indent, sort_keys=True) + "\n"
    )


def write_npz(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    """Arrays into an uncompressed ``.npz``, atomically (fast to reload in per-chromosome jobs)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` written by :func:`write_npz` (no pickled objects)."""
    with np.load(path, allow_pickle=False) as z:
        return {name: z[name] for name in z.files}
