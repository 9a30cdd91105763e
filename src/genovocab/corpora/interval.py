"""Interval corpora: a sample sheet of BED files -> one document per file -> Parquet shards.

Columns: ``id``, ``input_ids`` (list<int32>: universe ids of the regions each of the file's
regions overlaps, :class:`~genovocab.tokenizers.IntervalTokenizer`), ``n_regions`` (regions
read), ``n_tokens``, ``n_unknown`` (regions with no hit), the typed sheet metadata
(:mod:`genovocab.corpora.metadata`), optionally ``label`` (class ids of a sheet column) and
``text`` (chosen metadata as one string). Documents are split by a sheet column or a seeded
fraction (:mod:`genovocab.corpora.splits`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from genovocab.corpora import card as _card
from genovocab.corpora import metadata as _meta
from genovocab.corpora import splits as _splits
from genovocab.corpora.shards import write_split_corpus
from genovocab.corpora.tables import list_array
from genovocab.defaults import SCHEMA, schema_group

CORPUS_COLUMNS = ("id", "input_ids", "n_regions", "n_tokens", "n_unknown", "split", "label", "text")


def corpus_table(
    tokenizer: Any,
    documents: Sequence[tuple[str, Any]],
    metadata: pd.DataFrame | None = None,
    *,
    dtypes: Mapping[str, str] | None = None,
    label: str | None = None,
    text_columns: Sequence[str] | None = None,
    source: str = "<sample sheet>",
) -> tuple[pa.Table, dict[str, Any], dict[str, list[str]]]:
    """Tokenize documents into one table (row per document), statistics and class names.

    ``documents``: ``(id, regions)`` pairs in output order (regions: a BED path or anything
    the tokenizer takes). ``metadata`` rows follow ``documents``; ``label`` names the metadata
    column that becomes ``label``; ``text_columns`` build ``text``.
    """
    ids_col, n_regions, n_tokens, n_unknown = [], [], [], []
    used = np.zeros(tokenizer.n_regions, dtype=bool)
    for _, regions in documents:
        ids, n_reg, n_unk = tokenizer.encode_with_counts(regions)
        ids_col.append(ids.astype(np.int32))
        used[ids[ids < tokenizer.n_regions]] = True
        n_regions.append(n_reg)
        n_tokens.append(len(ids))
        n_unknown.append(n_unk)
    flat = np.concatenate(ids_col) if ids_col else np.zeros(0, dtype=np.int32)
    columns: dict[str, pa.Array] = {
        "id": pa.array([str(d[0]) for d in documents], type=pa.string()),
        "input_ids": list_array(flat, np.asarray(n_tokens, dtype=np.int64)),
        "n_regions": pa.array(n_regions, type=pa.int64()),
        "n_tokens": pa.array(n_tokens, type=pa.int64()),
        "n_unknown": pa.array(n_unknown, type=pa.int64()),
    }
    class_names: dict[str, list[str]] = {}
    if metadata is not None:
        if len(metadata) != len(documents):
            raise ValueError(f"metadata has {len(metadata)} rows for {len(documents)} documents")
        for name in metadata.columns:
            if name in CORPUS_COLUMNS:
                raise ValueError(f"metadata column {name!r} clashes with a corpus column")
        if label is not None:
            if label not in metadata.columns:
                raise ValueError(f"label column {label!r} is not a metadata column")
            columns["label"], class_names["label"] = _meta.label_column(
                metadata[label].tolist(), source=source
            )
        if text_columns:
            columns["text"] = _meta.text_column(metadata, text_columns)
        columns.update(_meta.typed_metadata(metadata, dtypes, source))
    elif label is not None or text_columns:
        raise ValueError("label and text columns need metadata")
    table = pa.table(columns)
    total_regions = int(sum(n_regions))
    stats: dict[str, Any] = {
        "documents": len(documents),
        "regions": total_regions,
        "tokens": int(sum(n_tokens)),
        "unknown_regions": int(sum(n_unknown)),
        "unknown_rate": round(sum(n_unknown) / total_regions, 6) if total_regions else 0.0,
        "vocabulary_regions": tokenizer.n_regions,
        "vocab_size": tokenizer.vocab_size,
        "vocabulary_used": int(used.sum()),
        "vocabulary_coverage": round(float(used.mean()), 6) if len(used) else 0.0,
        "mean_tokens_per_document": round(sum(n_tokens) / len(documents), 3) if documents else 0.0,
    }
    stats.update({f"tokenizer_{k}": v for k, v in tokenizer.options().items()})
    return table, stats, class_names


COLUMN_DOCS = {
    "id": "document (sample) name",
    "input_ids": "universe region ids of the regions the document's regions overlap",
    "n_regions": "regions read from the document",
    "n_tokens": "length of `input_ids`",
    "n_unknown": "regions overlapping no universe region",
    "label": "class id (names in `dataset_info`)",
    "text": "chosen metadata as `key: value; ...`",
}

CARD_TAGS = ["biology", "genomics", "genomic-intervals"]
#: the card's text unless the config gives one (``{last}``: the last region id)
DESCRIPTION = (
    "Each row is one BED file tokenized against the interval vocabulary (universe): "
    "`input_ids` are the ids of the universe regions each of its regions overlaps "
    "(ids 0..{last} are regions in universe order, then "
    "`<unk> <pad> <mask> <cls> <eos> <bos> <sep>`)."
)


def write_interval_corpus(
    tokenizer: Any,
    documents: Sequence[tuple[str, Any]],
    out_dir: str | os.PathLike,
    *,
    n_shards: int,
    metadata: pd.DataFrame | None = None,
    splits: Mapping[str, Any] | None = None,
    dtypes: Mapping[str, str] | None = None,
    label: str | None = None,
    text_columns: Sequence[str] | None = None,
    title: str = "Interval corpus",
    description: str = "",
    license: str = "other",
    extra_stats: Mapping[str, Any] | None = None,
    source: str = "<sample sheet>",
) -> tuple[list[Path], dict[str, Any]]:
    """Tokenize ``documents``, split them (``splits`` config: :func:`splits.assign`, a
    ``column`` being a metadata column) and write shards + card; returns paths and stats."""
    column = None
    if splits and "column" in splits:
        if metadata is None or splits["column"] not in metadata.columns:
            raise ValueError(f"splits.column {splits['column']!r} is not a sheet column")
        column = metadata[splits["column"]].tolist()
        metadata = metadata.drop(columns=[splits["column"]])
    labels = _splits.assign(splits, len(documents), sheet_column=column, source=source)
    table, stats, class_names = corpus_table(
        tokenizer,
        documents,
        metadata,
        dtypes=dtypes,
        label=label,
        text_columns=text_columns,
        source=source,
    )
    info = _card.CardInfo(
        title,
        description or DESCRIPTION.format(last=tokenizer.n_regions - 1),
        license,
        CARD_TAGS,
        class_names=class_names,
        column_docs=COLUMN_DOCS,
    )
    declared = _splits.declared_splits(splits, column)
    paths = write_split_corpus(
        table, labels, declared, out_dir, info, n_shards=n_shards, stats=stats, extra=extra_stats
    )
    return paths, stats


CORPUS_TOKENIZER_DEFAULTS: dict[str, Any] = schema_group("corpora.*.tokenizer")
FRAGMENT_DEFAULTS: dict[str, Any] = schema_group("corpora.*.fragment_options")


def resolve_corpus_config(
    name: str, entry: Mapping[str, Any] | None, default_samples: str, release_name: str
) -> dict[str, Any]:
    """One ``corpora.<name>`` interval entry with every default filled in (the workflow's
    view): ``samples``, ``n_shards``, ``title``, ``tokenizer`` options, ``splits``,
    ``dtypes``, ``label``, ``text_columns``, ``license``; ``fragments`` (a source name: a
    fragments corpus, one document per cell) and its ``fragment_options``."""
    entry = dict(entry or {})
    tokenizer = dict(CORPUS_TOKENIZER_DEFAULTS, **(entry.get("tokenizer") or {}))
    return {
        "samples": entry.get("samples") or default_samples,
        "n_shards": int(entry.get("n_shards") or SCHEMA["corpora.*.n_shards"]),
        "title": entry.get("title") or f"{release_name} interval corpus '{name}'",
        "tokenizer": tokenizer,
        "splits": entry.get("splits") or None,
        "dtypes": dict(entry.get("dtypes") or {}),
        "label": entry.get("label") or None,
        "text_columns": list(entry.get("text_columns") or []),
        "license": entry.get("license") or SCHEMA["corpora.*.license"],
        "fragments": entry.get("fragments") or None,
        "fragment_options": dict(FRAGMENT_DEFAULTS, **(entry.get("fragment_options") or {})),
    }
