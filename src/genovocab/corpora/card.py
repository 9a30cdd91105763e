"""The one dataset-card writer: Hugging Face YAML metadata + a Markdown body.

The YAML header carries what the Hub reads: ``configs`` (data files per split), ``license``,
``tags``, ``task_categories``, ``size_categories``, ``pretty_name`` and ``dataset_info``
(``features`` with their types, derived from the Arrow schema; class labels with their names;
``splits`` with row and byte counts). ``huggingface_hub.DatasetCard`` parses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import yaml

SIZE_BUCKETS = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)


@dataclass
class CardInfo:
    """What a corpus says about itself (the rest comes from its tables)."""

    title: str
    description: str = ""
    license: str = "other"
    tags: list[str] = field(default_factory=lambda: ["biology", "genomics"])
    task_categories: list[str] = field(default_factory=lambda: ["fill-mask"])
    class_names: Mapping[str, Sequence[str]] = field(default_factory=dict)
    column_docs: Mapping[str, str] = field(default_factory=dict)


#: what a card says when its licence is ``other``: the Hub wants an id-form name and a link to
#: a file in the folder; the release writes that ``LICENSE.md`` (each source's terms)
PER_SOURCE_LICENSE = {"license_name": "per-source-terms", "license_link": "LICENSE.md"}


def license_metadata(license_id: str) -> dict[str, str]:
    """The card's licence keys: a Hub licence id, plus name and link when it is ``other``."""
    if license_id == "other":
        return {"license": "other", **PER_SOURCE_LICENSE}
    return {"license": license_id}


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket of ``n`` rows."""
    for limit, name in SIZE_BUCKETS:
        if n < limit:
            return name
    return "n>1B"


def _arrow_dtype(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_dictionary(t):
        return _arrow_dtype(t.value_type)
    if pa.types.is_floating(t):
        return {16: "float16", 32: "float32", 64: "float64"}[t.bit_width]
    return str(t)  # int8 .. int64, uint8 .. uint64


def feature_type(t: pa.DataType) -> dict[str, Any]:
    """``{"dtype": ...}`` or ``{"sequence": ...}`` for one Arrow type (datasets' YAML form)."""
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        inner = feature_type(t.value_type)
        return {"sequence": inner.get("dtype", inner)}
    return {"dtype": _arrow_dtype(t)}


def features(
    schema: pa.Schema, class_names: Mapping[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """``dataset_info.features`` of a schema; columns in ``class_names`` are class labels."""
    out = []
    for f in schema:
        names = (class_names or {}).get(f.name)
        if names is not None:
            out.append(
                {
                    "name": f.name,
                    "dtype": {
                        "class_label": {"names": {str(i): str(n) for i, n in enumerate(names)}}
                    },
                }
            )
        else:
            out.append({"name": f.name, **feature_type(f.type)})
    return out


def card_metadata(tables: Mapping[str, pa.Table], info: CardInfo) -> dict[str, Any]:
    """The YAML header of a corpus with these split tables."""
    schema = next(iter(tables.values())).schema
    counts = {s: (t.num_rows, int(t.nbytes)) for s, t in tables.items()}
    return split_card_metadata(schema, counts, info)


def split_card_metadata(
    schema: pa.Schema, counts: Mapping[str, tuple[int, int]], info: CardInfo
) -> dict[str, Any]:
    """The YAML header from the schema and each split's ``(rows, Arrow bytes)``: what a corpus
    streamed to its shards (never whole in memory) knows of its splits."""
    return {
        "pretty_name": info.title,
        **license_metadata(info.license),
        "tags": list(info.tags),
        "task_categories": list(info.task_categories),
        "size_categories": [size_category(sum(rows for rows, _ in counts.values()))],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in counts],
            }
        ],
        "dataset_info": {
            "features": features(schema, info.class_names),
            "splits": [
                {"name": s, "num_bytes": nbytes, "num_examples": rows}
                for s, (rows, nbytes) in counts.items()
            ],
        },
    }


def dataset_card(
    tables: Mapping[str, pa.Table],
    info: CardInfo,
    stats: Mapping[str, object] | None = None,
    n_shards: int = 1,
) -> str:
    """The whole ``README.md``: YAML header, description, columns, splits, statistics."""
    meta = yaml.safe_dump(card_metadata(tables, info), sort_keys=False, allow_unicode=True)
    schema = next(iter(tables.values())).schema
    cols = "\n".join(
        f"| `{f.name}` | `{f.type}` | {info.column_docs.get(f.name, '')} |" for f in schema
    )
    splits = "\n".join(f"| {s} | {t.num_rows} | {n_shards} |" for s, t in tables.items())
    stat_rows = "\n".join(f"| {k} | {v} |" for k, v in (stats or {}).items())
    return (
        f"---\n{meta}---\n\n# {info.title}\n\n{info.description.strip()}\n\n"
        "## Columns\n\n| column | type | meaning |\n|---|---|---|\n"
        f"{cols}\n\n"
        "## Splits\n\n| split | documents | shards |\n|---|---|---|\n"
        f"{splits}\n\n"
        "## Statistics\n\n| statistic | value |\n|---|---|\n"
        f"{stat_rows}\n\n"
        'Load with `datasets.load_dataset("<this folder>")` (the `configs` above name the '
        "splits) or `pyarrow.parquet.read_table`.\n"
    )
