"""The one shard writer: tokenized corpora as Hugging Face-style Parquet shards + card.

Layout::

    <out_dir>/data/<split>-00000-of-000NN.parquet   (zstd; one row per document)
    <out_dir>/README.md                              (dataset card: :mod:`genovocab.corpora.card`)
    <out_dir>/stats.json                             (corpus statistics)

Each split's rows are cut into ``n_shards`` contiguous, nearly equal parts in the order given,
so the file names are known before the data is (Snakemake declares them as outputs): a split
with fewer rows than shards still gets every file (with the schema and no rows). The same rows
give byte-identical files. The folder is built beside ``out_dir`` and renamed into place, so a
failure leaves no partial corpus.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from genovocab.corpora.card import CardInfo, dataset_card
from genovocab.fileutil import atomic_dir

SPLITS = ("train", "validation", "test")


def shard_names(n_shards: int, split: str = "train") -> list[str]:
    """File names of one split's shards, relative to the corpus folder (``data/...``)."""
    width = max(5, len(str(n_shards)))
    return [f"data/{split}-{i:0{width}d}-of-{n_shards:0{width}d}.parquet" for i in range(n_shards)]


def corpus_files(n_shards: int, splits: Sequence[str] = ("train",)) -> list[str]:
    """Every file of a corpus folder (shards of each split, ``README.md``, ``stats.json``)."""
    names = [n for split in splits for n in shard_names(n_shards, split)]
    return names + ["README.md", "stats.json"]


def split_tables(
    table: pa.Table, split: Sequence[str] | np.ndarray, order: Sequence[str] = SPLITS
) -> dict[str, pa.Table]:
    """Rows of ``table`` grouped by their split name (row order kept within a split)."""
    labels = np.asarray(split, dtype=object)
    if len(labels) != table.num_rows:
        raise ValueError(f"{len(labels)} split labels for {table.num_rows} rows")
    unknown = sorted(set(labels.tolist()) - set(order))
    if unknown:
        raise ValueError(f"unknown split(s) {unknown}; expected some of {list(order)}")
    return {
        name: table.take(pa.array(np.flatnonzero(labels == name)))
        for name in order
        if (labels == name).any() or name == "train"
    }


def write_corpus(
    tables: Mapping[str, pa.Table] | pa.Table,
    out_dir: str | os.PathLike,
    *,
    n_shards: int,
    card: str,
    stats: Mapping[str, object] | None = None,
    splits: Sequence[str] | None = None,
) -> list[Path]:
    """Write the split tables (``{"train": t, ...}`` or one table = train) as ``n_shards``
    Parquet files per split, plus the card text and ``stats.json``; returns the shard paths.

    ``splits`` lists the splits to write even when empty (the declared outputs); a split
    missing from ``tables`` is written with the schema of the first table and no rows.
    """
    if n_shards < 1:
        raise ValueError("n_shards must be at least 1")
    if isinstance(tables, pa.Table):
        tables = {"train": tables}
    names = list(splits) if splits is not None else list(tables)
    extra = sorted(set(tables) - set(names))
    if extra:
        raise ValueError(f"split(s) {extra} are not in the declared splits {names}")
    schema = next(iter(tables.values())).schema
    paths: list[Path] = []
    with atomic_dir(out_dir, kind="corpus") as tmp:
        (tmp / "data").mkdir()
        for split in names:
            table = tables.get(split)
            if table is None:
                table = schema.empty_table()
            bounds = np.linspace(0, table.num_rows, n_shards + 1).round().astype(int)
            for i, name in enumerate(shard_names(n_shards, split)):
                part = table.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i]))
                pq.write_table(
                    part, tmp / name, compression="zstd", use_dictionary=True, write_statistics=True
                )
                paths.append(Path(out_dir) / name)
        (tmp / "README.md").write_text(card, encoding="utf-8")
        (tmp / "stats.json").write_text(
            json.dumps(dict(stats or {}), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    return paths


def write_split_corpus(
    table: pa.Table,
    split: Sequence[str] | np.ndarray,
    declared: Sequence[str],
    out_dir: str | os.PathLike,
    info: CardInfo,
    *,
    n_shards: int,
    stats: dict[str, object],
    extra: Mapping[str, object] | None = None,
) -> list[Path]:
    """Write one tokenized table as a corpus of the ``declared`` splits (``split``: each row's
    split name) with the card ``info`` describes; returns the shard paths.

    Every declared split is written, an empty one with the table's schema. ``stats`` gains
    ``documents_<split>`` for each, then the ``extra`` statistics (in that order: the card
    lists them so); it is what ``stats.json`` and the card hold.
    """
    grouped = split_tables(table, split, declared)
    tables = {name: grouped.get(name, table.schema.empty_table()) for name in declared}
    stats.update({f"documents_{name}": t.num_rows for name, t in tables.items()})
    stats.update(extra or {})
    card = dataset_card(tables, info, stats, n_shards)
    return write_corpus(tables, out_dir, n_shards=n_shards, card=card, stats=stats, splits=declared)
