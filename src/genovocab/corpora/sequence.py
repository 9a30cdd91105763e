"""Sequence corpora: DNA documents -> BPE ids + G-gram occurrences -> Parquet shards.

One row per document (a BED region or a window of the genome): ``id``, ``chrom``/``start``/
``end`` (genomic documents), ``input_ids`` (list<int32>: BPE ids *without* ``[CLS]``/``[SEP]``;
the tokenizer's ``pad``/collators add nothing, :meth:`SequenceTokenizer.from_corpus_rows`
builds model inputs), ``ngram_ids`` / ``ngram_positions`` (index of the first token in
``input_ids``) / ``ngram_lengths`` (every vocabulary G-gram occurrence, overlaps allowed, in
position order, optionally capped), ``n_bp`` / ``n_tokens`` / ``n_ngrams``, ``label`` (class id,
e.g. the cCRE class) when the source has one. Genome corpora split by chromosome.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from genovocab.corpora import card as _card
from genovocab.corpora import metadata as _meta
from genovocab.corpora import splits as _splits
from genovocab.corpora.shards import write_split_corpus
from genovocab.corpora.tables import list_array

CARD_TAGS = ["biology", "genomics", "dna"]
#: the card's text unless the config gives one
DESCRIPTION = (
    "Each row is one DNA sequence tokenized with the release's BPE (`tokenizer.json`): "
    "`input_ids` are BPE ids without `[CLS]`/`[SEP]` (ids 0..4 are `[UNK] [CLS] [SEP] "
    "[PAD] [MASK]`). `ngram_ids` are the G-gram ids (1..n; 0 is padding) of every "
    "vocabulary G-gram occurrence, overlaps allowed, in position order; "
    "`ngram_positions` index the G-gram's first token in `input_ids` and "
    "`ngram_lengths` count its tokens. `SequenceTokenizer.pad` turns rows into DNAZEN "
    "model inputs."
)

COLUMN_DOCS = {
    "id": "document name (BED name column, or chrom:start-end)",
    "input_ids": "BPE ids without [CLS]/[SEP]",
    "ngram_ids": "G-gram ids (1..n; 0 is padding) of every G-gram occurrence",
    "ngram_positions": "first token of each occurrence (index into input_ids)",
    "ngram_lengths": "tokens of each occurrence",
    "label": "class id (names in `dataset_info`)",
}


def region_labels(
    bed_path: str | os.PathLike, column: int | str, chrom_sizes: Mapping[str, int] | None = None
) -> list[str]:
    """One BED column's values (1-based ``column``, or ``"last"``), for the regions
    :func:`genovocab.sequence.windows.region_sequences` keeps (both read them with
    :func:`~genovocab.sequence.windows.read_document_regions`). The cCRE class is column 10
    of ENCODE V4 (BED9+1) and column 6 of V3: ``"last"`` for both."""
    from genovocab.errors import InputError
    from genovocab.sequence.windows import read_document_regions

    iv = read_document_regions(bed_path, chrom_sizes)
    extra = iv.columns.shape[1] if iv.columns is not None else 0
    index = extra - 1 if column == "last" else int(column) - 4
    if not 0 <= index < extra:
        raise InputError(
            bed_path, f"label column {column} is not one of the file's extra columns 4..{3 + extra}"
        )
    return [str(x) for x in iv.columns.iloc[:, index].tolist()]


def sequence_table(
    tokenizer: Any,
    ids: Sequence[str],
    sequences: Sequence[str],
    *,
    max_ngrams: int | None = None,
    coordinates: tuple[Sequence[str], np.ndarray, np.ndarray] | None = None,
    labels: Sequence[Any] | None = None,
) -> tuple[pa.Table, dict[str, Any], dict[str, list[str]]]:
    """Tokenize ``sequences`` (batched), match G-grams; table, statistics, class names."""
    if len(ids) != len(sequences):
        raise ValueError("ids and sequences differ in length")
    tok_ids, offsets, n_unk_runs = tokenizer.encode_stream(sequences)
    m = tokenizer.matcher.match_stream(tok_ids, offsets, max_ngrams)
    n_tokens = np.diff(offsets)
    n_ngrams = np.bincount(m.seq, minlength=len(sequences)).astype(np.int64)
    columns: dict[str, pa.Array] = {"id": pa.array([str(i) for i in ids], pa.string())}
    if coordinates is not None:
        chroms, starts, ends = coordinates
        columns["chrom"] = pa.array(list(chroms), pa.string())
        columns["start"] = pa.array(np.asarray(starts, np.int64), pa.int64())
        columns["end"] = pa.array(np.asarray(ends, np.int64), pa.int64())
    columns["input_ids"] = list_array(tok_ids, n_tokens)
    columns["ngram_ids"] = list_array(m.ngram_id, n_ngrams)
    columns["ngram_positions"] = list_array(m.position, n_ngrams)
    columns["ngram_lengths"] = list_array(m.length, n_ngrams)
    n_bp = np.asarray([len(s) for s in sequences], dtype=np.int64)
    columns["n_bp"] = pa.array(n_bp, pa.int64())
    columns["n_tokens"] = pa.array(n_tokens, pa.int64())
    columns["n_ngrams"] = pa.array(n_ngrams, pa.int64())
    class_names: dict[str, list[str]] = {}
    if labels is not None:
        columns["label"], class_names["label"] = _meta.label_column(labels)
    table = pa.table(columns)
    total_tokens = int(n_tokens.sum())
    used = np.unique(m.ngram_id)
    stats: dict[str, Any] = {
        "documents": len(sequences),
        "bp": int(n_bp.sum()),
        "tokens": total_tokens,
        "mean_bp_per_token": round(float(n_bp.sum()) / max(1, total_tokens), 4),
        "unk_tokens": int((tok_ids == tokenizer.unk_token_id).sum()),
        "non_acgt_runs": int(n_unk_runs),
        "n_runs": tokenizer.n_runs,
        "ngram_matches": int(len(m.ngram_id)),
        "mean_ngrams_per_document": round(len(m.ngram_id) / max(1, len(sequences)), 3),
        "ngram_vocabulary_used": int(len(used)),
        "bpe_vocab_size": tokenizer.vocab_size,
        "ngram_vocab_size": tokenizer.ngram_vocab_size,
        "max_ngrams": max_ngrams if max_ngrams is not None else "none",
    }
    return table, stats, class_names


def write_sequence_corpus(
    tokenizer: Any,
    ids: Sequence[str],
    sequences: Sequence[str],
    out_dir: str | os.PathLike,
    *,
    n_shards: int,
    max_ngrams: int | None = None,
    coordinates: tuple[Sequence[str], np.ndarray, np.ndarray] | None = None,
    labels: Sequence[Any] | None = None,
    splits: Mapping[str, Sequence[str]] | None = None,
    title: str = "Sequence corpus",
    description: str = "",
    license: str = "other",
    extra_stats: Mapping[str, Any] | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Tokenize and write shards + card; ``splits`` by chromosome (``{"validation": [...],
    "test": [...]}``, needs ``coordinates``). Returns shard paths and statistics."""
    table, stats, class_names = sequence_table(
        tokenizer, ids, sequences, max_ngrams=max_ngrams, coordinates=coordinates, labels=labels
    )
    chroms = list(coordinates[0]) if coordinates is not None else None
    info = _card.CardInfo(
        title,
        description or DESCRIPTION,
        license,
        CARD_TAGS,
        ["fill-mask", "text-classification"] if labels is not None else ["fill-mask"],
        class_names=class_names,
        column_docs=COLUMN_DOCS,
    )
    split_of = _splits.assign(splits, len(ids), chroms=chroms)
    declared = _splits.declared_splits(splits)
    paths = write_split_corpus(
        table, split_of, declared, out_dir, info, n_shards=n_shards, stats=stats, extra=extra_stats
    )
    return paths, stats
