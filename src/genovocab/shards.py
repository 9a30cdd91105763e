"""Tokenized corpora as Hugging Face-style Parquet shards with a dataset card.

Layout (docs/architecture.md)::

    <out_dir>/data/<split>-00000-of-000NN.parquet   (zstd; one row per document)
    <out_dir>/README.md                              (dataset card, YAML ``configs`` header)

Rows are split into ``n_shards`` contiguous, nearly equal parts in the order given, so the
shard count (and hence the file names) is known before the data is: Snakemake can declare
them as outputs. The same rows give byte-identical files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from genovocab.fileutil import atomic_dir


def shard_names(n_shards: int, split: str = "train") -> list[str]:
    """File names of the shards, relative to the corpus folder (``data/...``)."""
    width = max(5, len(str(n_shards)))
    return [f"data/{split}-{i:0{width}d}-of-{n_shards:0{width}d}.parquet"
            for i in range(n_shards)]


def _card(table: pa.Table, n_shards: int, split: str, title: str,
          stats: Mapping[str, object], description: str) -> str:
    fields = "\n".join(f"| `{f.name}` | `{f.type}` |" for f in table.schema)
    stat_rows = "\n".join(f"| {k} | {v} |" for k, v in stats.items())
    return (
        "---\n"
        "configs:\n"
        "- config_name: default\n"
        "  data_files:\n"
        f"  - split: {split}\n"
        f"    path: data/{split}-*.parquet\n"
        "---\n\n"
        f"# {title}\n\n{description.strip()}\n\n"
        f"Documents: {table.num_rows}; shards: {n_shards} (`data/{split}-*.parquet`, zstd).\n\n"
        "## Columns\n\n| column | type |\n|---|---|\n"
        f"{fields}\n\n"
        "## Statistics\n\n| statistic | value |\n|---|---|\n"
        f"{stat_rows}\n\n"
        "Load with `datasets.load_dataset(\"parquet\", data_dir=\"<this folder>/data\")` or "
        "`pyarrow.parquet.read_table`.\n"
    )


def write_shards(
    table: pa.Table,
    out_dir: str | os.PathLike,
    *,
    n_shards: int,
    split: str = "train",
    title: str = "Tokenized corpus",
    description: str = "",
    stats: Mapping[str, object] | None = None,
) -> list[Path]:
    """Write ``table`` as ``n_shards`` Parquet files plus ``README.md`` into ``out_dir``.

    The folder is built beside ``out_dir`` and renamed into place, so a failure leaves no
    partial corpus. Returns the shard paths. Empty shards (fewer rows than shards) are
    written with the schema and no rows.
    """
    if n_shards < 1:
        raise ValueError("n_shards must be at least 1")
    stats = dict(stats or {})
    bounds = np.linspace(0, table.num_rows, n_shards + 1).round().astype(int)
    names = shard_names(n_shards, split)
    with atomic_dir(out_dir) as tmp:
        (tmp / "data").mkdir()
        for i, name in enumerate(names):
            part = table.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i]))
            pq.write_table(part, tmp / name, compression="zstd", use_dictionary=True,
                           write_statistics=True)
        (tmp / "README.md").write_text(
            _card(table, n_shards, split, title, stats, description), encoding="utf-8")
        (tmp / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
    return [Path(out_dir) / name for name in names]
