"""Sequence corpora: DNA documents -> BPE ids + G-gram matches -> Parquet shards
(docs/architecture.md).

One row per document (a BED region, or a window of the genome, or a line of text):
``id``, ``input_ids`` (list<int32>: BPE ids *without* ``[CLS]``/``[SEP]``; a collator adds
them), ``ngram_ids``, ``ngram_positions`` (first token, an index into ``input_ids``),
``ngram_lengths`` (all list<int32>; every vocabulary G-gram present, overlaps allowed, in
position order, optionally capped), and ``n_bp`` / ``n_tokens`` / ``n_ngrams`` plus, for
genomic documents, ``chrom``, ``start``, ``end``. Same layout and card as the interval corpora
(:func:`genovocab.shards.write_shards`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from genovocab.sequence.bpe import encode_ids
from genovocab.tokenizers.sequence import SequenceTokenizer


def _lists(values: np.ndarray, counts: np.ndarray) -> pa.ListArray:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if offsets[-1] < 2**31:
        return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32), pa.int32()),
                                        pa.array(values.astype(np.int32), pa.int32()))
    return pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()),
                                         pa.array(values.astype(np.int32), pa.int32()))


def sequence_table(tokenizer: SequenceTokenizer, ids: Sequence[str], sequences: Sequence[str],
                   *, max_ngrams: int | None = None,
                   coordinates: tuple[Sequence[str], np.ndarray, np.ndarray] | None = None
                   ) -> tuple[pa.Table, dict[str, Any]]:
    """Tokenize ``sequences`` (batched, Rust-parallel) and match G-grams; table + statistics."""
    if len(ids) != len(sequences):
        raise ValueError("ids and sequences differ in length")
    tok_ids, offsets = encode_ids(tokenizer.tokenizer, sequences)
    m = tokenizer.matcher.match_stream(tok_ids, offsets, max_ngrams)
    n_tokens = np.diff(offsets)
    n_ngrams = np.bincount(m.seq, minlength=len(sequences)).astype(np.int64)
    columns: dict[str, pa.Array] = {"id": pa.array([str(i) for i in ids], pa.string())}
    if coordinates is not None:
        chroms, starts, ends = coordinates
        columns["chrom"] = pa.array(list(chroms), pa.string())
        columns["start"] = pa.array(np.asarray(starts, np.int64), pa.int64())
        columns["end"] = pa.array(np.asarray(ends, np.int64), pa.int64())
    columns["input_ids"] = _lists(tok_ids, n_tokens)
    columns["ngram_ids"] = _lists(m.ngram_id, n_ngrams)
    columns["ngram_positions"] = _lists(m.position, n_ngrams)
    columns["ngram_lengths"] = _lists(m.length, n_ngrams)
    n_bp = np.asarray([len(s) for s in sequences], dtype=np.int64)
    columns["n_bp"] = pa.array(n_bp, pa.int64())
    columns["n_tokens"] = pa.array(n_tokens, pa.int64())
    columns["n_ngrams"] = pa.array(n_ngrams, pa.int64())
    table = pa.table(columns)
    total_tokens = int(n_tokens.sum())
    used = np.unique(m.ngram_id)
    stats: dict[str, Any] = {
        "documents": len(sequences),
        "bp": int(n_bp.sum()),
        "tokens": total_tokens,
        "mean_bp_per_token": round(float(n_bp.sum()) / max(1, total_tokens), 4),
        "unk_tokens": int((tok_ids == tokenizer.unk_token_id).sum()),
        "ngram_matches": int(len(m.ngram_id)),
        "mean_ngrams_per_document": round(len(m.ngram_id) / max(1, len(sequences)), 3),
        "ngram_vocabulary_used": int(len(used)),
        "bpe_vocab_size": tokenizer.vocab_size,
        "ngram_vocab_size": tokenizer.ngram_vocab_size,
        "max_ngrams": max_ngrams if max_ngrams is not None else "none",
    }
    return table, stats


def write_sequence_corpus(tokenizer: SequenceTokenizer, ids: Sequence[str],
                          sequences: Sequence[str], out_dir: str | os.PathLike, *,
                          n_shards: int, max_ngrams: int | None = None,
                          coordinates: tuple[Sequence[str], np.ndarray, np.ndarray] | None = None,
                          title: str = "Sequence corpus", description: str = "",
                          extra_stats: Mapping[str, Any] | None = None
                          ) -> tuple[list[Path], dict[str, Any]]:
    """Tokenize and write the shards + card; returns shard paths and statistics."""
    from genovocab.shards import write_shards

    table, stats = sequence_table(tokenizer, ids, sequences, max_ngrams=max_ngrams,
                                  coordinates=coordinates)
    stats.update(extra_stats or {})
    text = description or (
        "Each row is one DNA sequence tokenized with the release's BPE (`bpe/tokenizer.json`): "
        "`input_ids` are BPE ids without `[CLS]`/`[SEP]` (ids 0..4 are `[UNK] [CLS] [SEP] "
        "[PAD] [MASK]`). `ngram_ids` are the G-gram ids (`ggram/vocab.tsv`, 1..n; 0 is "
        "padding) of every vocabulary G-gram present, overlaps allowed, in position order; "
        "`ngram_positions` index the G-gram's first token in `input_ids` and `ngram_lengths` "
        "count its tokens.")
    paths = write_shards(table, out_dir, n_shards=n_shards, title=title, description=text,
                         stats=stats)
    return paths, stats
