"""Which split (train / validation / test) each document belongs to.

Three ways, all deterministic: a sample-sheet column naming the split of each row; a seeded
fraction (a permutation drawn from ``numpy.random.default_rng(seed)`` over the documents in
sheet order; ``round(fraction * n)`` documents per split); or, for genome corpora, by
chromosome (``{"validation": ["chr8"], "test": ["chr9"]}``; every other chromosome is train),
so no validation window shares sequence with a training window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genovocab.corpora.shards import SPLITS
from genovocab.errors import InputError


def by_column(
    values: Sequence[Any], source: str = "<sample sheet>", column: str = "split"
) -> np.ndarray:
    """The sheet column's split names (empty = train); anything else is an error."""
    out = np.empty(len(values), dtype=object)
    for row, value in enumerate(values):
        name = (
            "train"
            if value is None
            or (isinstance(value, float) and np.isnan(value))
            or str(value).strip() == ""
            else str(value).strip()
        )
        if name not in SPLITS:
            raise InputError(
                source, f"column {column!r}: split {value!r} is not one of {list(SPLITS)}", row + 2
            )
        out[row] = name
    return out


def by_fraction(n: int, fractions: Mapping[str, float], seed: int = 0) -> np.ndarray:
    """``n`` documents split at random (seeded) into ``fractions`` (the rest is train)."""
    bad = sorted(set(fractions) - {"validation", "test"})
    if bad:
        raise ValueError(f"split fractions are for 'validation' and 'test', not {bad}")
    total = sum(float(f) for f in fractions.values())
    if any(float(f) < 0 for f in fractions.values()) or total > 1:
        raise ValueError(f"split fractions must be >= 0 and sum to at most 1, got {fractions}")
    out = np.full(n, "train", dtype=object)
    order = np.random.default_rng(seed).permutation(n)
    start = 0
    for name in ("validation", "test"):
        count = int(round(float(fractions.get(name, 0.0)) * n))
        out[order[start : start + count]] = name
        start += count
    return out


def by_chromosome(chroms: Sequence[str], held_out: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Split of each document by its chromosome (``held_out``: split -> chromosomes)."""
    owner: dict[str, str] = {}
    for split, names in held_out.items():
        if split not in ("validation", "test"):
            raise ValueError(f"chromosome splits are 'validation' and 'test', not {split!r}")
        for chrom in names:
            if chrom in owner:
                raise ValueError(f"chromosome {chrom!r} is in both {owner[chrom]!r} and {split!r}")
            owner[str(chrom)] = split
    return np.asarray([owner.get(str(c), "train") for c in chroms], dtype=object)


def assign(
    config: Mapping[str, Any] | None,
    n: int,
    *,
    sheet_column: Sequence[Any] | None = None,
    chroms: Sequence[str] | None = None,
    source: str = "<sample sheet>",
) -> np.ndarray:
    """Split labels from a corpus ``splits`` config entry.

    ``{"column": "split"}`` (needs ``sheet_column``), ``{"fraction": {"validation": 0.1},
    "seed": 0}``, ``{"validation": [chroms], "test": [chroms]}`` (needs ``chroms``) or
    ``None`` (everything is train).
    """
    if not config:
        return np.full(n, "train", dtype=object)
    config = dict(config)
    if "column" in config:
        if sheet_column is None:
            raise InputError(source, f"splits.column {config['column']!r} is not a column")
        return by_column(sheet_column, source, config["column"])
    if "fraction" in config:
        return by_fraction(n, config["fraction"], int(config.get("seed", 0)))
    if chroms is None:
        raise ValueError("chromosome splits need documents with a chromosome")
    return by_chromosome(chroms, {k: v for k, v in config.items() if k != "seed"})


def declared_splits(
    config: Mapping[str, Any] | None, column_values: Sequence[Any] | None = None
) -> list[str]:
    """The splits a config produces (train first), known before any data is read, so the
    workflow can declare the shard files. A column split declares the splits named in it."""
    if not config:
        return ["train"]
    if "column" in config:
        names = set(by_column(column_values or []).tolist()) | {"train"}
    elif "fraction" in config:
        names = {"train"} | {k for k, v in config["fraction"].items() if float(v) > 0}
    else:
        names = {"train"} | {k for k, v in config.items() if k != "seed" and v}
    return [s for s in SPLITS if s in names]
