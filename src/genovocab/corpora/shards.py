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
            shards = SplitShards(tmp, split, n_shards, table.num_rows, empty_row_group=True)
            shards.write(table)
            shards.close(schema)
            paths += [Path(out_dir) / name for name in shard_names(n_shards, split)]
        write_card_and_stats(tmp, card, stats)
    return paths


class SplitShards:
    """One split's rows streamed into its ``n_shards`` Parquet files (zstd, dictionary
    encoding, column statistics), for corpora too large to hold as one table.

    ``n_rows`` (the split's row count, known before its rows are made) sets the cuts, as for
    :func:`write_corpus`: shard ``k`` gets rows ``cuts[k]:cuts[k + 1]`` of
    ``np.linspace(0, n_rows, n_shards + 1).round()``. Tables given to :meth:`write` are the
    next rows in order; each one's part in a shard is appended to it (one row group per part
    of at most ``row_group_size`` rows; ``None``: pyarrow's default), so one table may be cut
    across shards and a shard built from many tables. :meth:`close` writes every shard that
    got no rows with the schema only. ``empty_row_group``: such a shard holds one empty row
    group (what ``pyarrow.parquet.write_table`` writes for an empty table; the interval and
    sequence corpora) instead of none (the motif corpus); both read as no rows, and each
    corpus keeps its bytes.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        split: str,
        n_shards: int,
        n_rows: int,
        *,
        row_group_size: int | None = None,
        empty_row_group: bool = False,
    ):
        if n_shards < 1:
            raise ValueError("n_shards must be at least 1")
        self.paths = [Path(folder) / name for name in shard_names(n_shards, split)]
        self.cuts = np.linspace(0, n_rows, n_shards + 1).round().astype(int)
        self.row_group_size = row_group_size
        self.empty_row_group = empty_row_group
        self.schema: pa.Schema | None = None  # of the first table written
        self.rows = 0
        self.nbytes = 0  # Arrow bytes of the rows written (the card's ``num_bytes``)
        self._writers: list[pq.ParquetWriter | None] = [None] * n_shards

    def _open(self, k: int, schema: pa.Schema) -> pq.ParquetWriter:
        if self._writers[k] is None:
            self._writers[k] = pq.ParquetWriter(
                self.paths[k],
                schema,
                compression="zstd",
                use_dictionary=True,
                write_statistics=True,
            )
        return self._writers[k]

    def write(self, table: pa.Table) -> None:
        """Append ``table``'s rows (the split's next ones) to the shards they fall in."""
        if self.schema is None:
            self.schema = table.schema
        for k in range(len(self.paths)):
            lo = max(int(self.cuts[k]), self.rows)
            hi = min(int(self.cuts[k + 1]), self.rows + table.num_rows)
            if lo < hi:
                self._open(k, table.schema).write_table(
                    table.slice(lo - self.rows, hi - lo), row_group_size=self.row_group_size
                )
        self.rows += table.num_rows
        self.nbytes += table.nbytes

    def close(self, schema: pa.Schema | None = None) -> list[Path]:
        """Finish every shard (those without rows get ``schema``, else the written one's);
        returns the shard paths."""
        schema = self.schema if self.schema is not None else schema
        if schema is None:
            raise ValueError("a split without rows needs the schema of its shards")
        for k, writer in enumerate(self._writers):
            if writer is None:
                writer = self._open(k, schema)
                if self.empty_row_group:
                    writer.write_table(schema.empty_table(), row_group_size=self.row_group_size)
            writer.close()
        return list(self.paths)


def write_card_and_stats(
    folder: str | os.PathLike, card: str, stats: Mapping[str, object] | None = None
) -> None:
    """A corpus folder's ``README.md`` (the card text) and ``stats.json`` (sorted keys)."""
    (Path(folder) / "README.md").write_text(card, encoding="utf-8")
    (Path(folder) / "stats.json").write_text(
        json.dumps(dict(stats or {}), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


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
