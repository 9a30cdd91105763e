"""Typed metadata columns, labels and text for corpora.

Sample-sheet metadata arrives as strings. Each column gets a type, declared (``int``,
``float``, ``bool``, ``string``) or inferred: ``int`` when every non-empty value is an integer,
else ``float`` when every one is a number, else ``bool`` when every one is true/false/yes/no,
else ``string``; empty cells become nulls. A label column (e.g. the cCRE class) becomes an
``int64`` ``label`` with its class names (sorted, so the same classes give the same ids); a
``text`` column joins chosen columns as ``"key: value; ..."`` (text-to-region training pairs,
as in text-to-BED retrieval models).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from genovocab.errors import InputError

TYPES = ("int", "float", "bool", "string")
_TRUE = {"true", "yes", "1", "t", "y"}
_FALSE = {"false", "no", "0", "f", "n"}
_ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "string": pa.string()}


def _cells(values: Sequence[Any]) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        else:
            s = str(v).strip()
            out.append(s if s else None)
    return out


def _parses_as(text: str, kind: type) -> bool:
    """True when ``kind(text)`` (int or float) accepts the text."""
    try:
        kind(text)
    except ValueError:
        return False
    return True


def infer_type(values: Sequence[Any]) -> str:
    """``int``, ``float``, ``bool`` or ``string`` (module doc)."""
    cells = [c for c in _cells(values) if c is not None]
    if not cells:
        return "string"
    if all(_parses_as(c, int) for c in cells):
        return "int"
    if all(_parses_as(c, float) for c in cells):
        return "float"
    if all(c.lower() in _TRUE | _FALSE for c in cells):
        return "bool"
    return "string"


def typed_column(
    values: Sequence[Any], dtype: str, source: str = "<sample sheet>", column: str = "?"
) -> pa.Array:
    """One metadata column as an Arrow array of ``dtype`` (bad cells: error with row)."""
    if dtype not in TYPES:
        raise ValueError(f"column {column!r}: type must be one of {TYPES}, not {dtype!r}")
    out: list[Any] = []
    for row, cell in enumerate(_cells(values)):
        if cell is None:
            out.append(None)
            continue
        try:
            if dtype == "int":
                out.append(int(cell))
            elif dtype == "float":
                out.append(float(cell))
            elif dtype == "bool":
                low = cell.lower()
                if low not in _TRUE | _FALSE:
                    raise ValueError(cell)
                out.append(low in _TRUE)
            else:
                out.append(cell)
        except ValueError as exc:
            raise InputError(
                source, f"column {column!r}: {cell!r} is not a {dtype}", row + 2
            ) from exc
    return pa.array(out, type=_ARROW[dtype])


def typed_metadata(
    frame: pd.DataFrame | Mapping[str, Sequence[Any]],
    dtypes: Mapping[str, str] | None = None,
    source: str = "<sample sheet>",
) -> dict[str, pa.Array]:
    """Every column typed (declared in ``dtypes``, else inferred), in column order."""
    frame = pd.DataFrame(frame)
    dtypes = dict(dtypes or {})
    unknown = sorted(set(dtypes) - set(map(str, frame.columns)))
    if unknown:
        raise InputError(source, f"metadata types given for missing column(s) {unknown}")
    out = {}
    for name in frame.columns:
        values = frame[name].tolist()
        dtype = dtypes.get(str(name)) or infer_type(values)
        out[str(name)] = typed_column(values, dtype, source, str(name))
    return out


def label_column(
    values: Sequence[Any], names: Sequence[str] | None = None, source: str = "<input>"
) -> tuple[pa.Array, list[str]]:
    """Class labels as ids into ``names`` (default: the sorted distinct values)."""
    cells = _cells(values)
    if names is None:
        names = sorted({c for c in cells if c is not None})
    index = {n: i for i, n in enumerate(names)}
    ids = []
    for row, c in enumerate(cells):
        if c is None:
            ids.append(None)
        elif c not in index:
            raise InputError(source, f"label {c!r} is not one of {list(names)}", row + 1)
        else:
            ids.append(index[c])
    return pa.array(ids, type=pa.int64()), list(names)


def text_column(
    frame: pd.DataFrame | Mapping[str, Sequence[Any]], columns: Sequence[str]
) -> pa.Array:
    """``"col: value; col: value"`` per row from the chosen columns (empty cells skipped)."""
    frame = pd.DataFrame(frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"text column(s) {missing} are not metadata columns")
    cells = {c: _cells(frame[c].tolist()) for c in columns}
    rows = []
    for i in range(len(frame)):
        parts = [f"{c}: {cells[c][i]}" for c in columns if cells[c][i] is not None]
        rows.append("; ".join(parts))
    return pa.array(rows, type=pa.string())
