"""DNA tokenizer: DNABERT-2-style BPE plus G-gram matching, DNAZEN's layout (Mao et al.).

``SequenceTokenizer`` wraps the BPE ``tokenizer.json`` (Hugging Face ``tokenizers``) and a
G-gram vocabulary, on the shared contract of :mod:`genovocab.tokenizers.base`. For the same
BPE and ``ngram.json`` it returns exactly what DNAZEN's ``NgramTokenizer`` returns:

* ``input_ids``, ``attention_mask``: ``[CLS] tokens [SEP]``, tokens truncated to
  ``max_length - 2`` *before* matching;
* ``ngram_input_ids``: one row per *distinct* vocabulary G-gram found in the (truncated)
  tokens, ordered by its first position (then by the length of that first occurrence), capped
  at ``max_ngram_count`` (``max_ngrams``, default 30) rows;
* ``ngram_attention_match``: rows x sequence positions, 1 at every position any occurrence of
  the row's G-gram covers (the union; ``[CLS]`` offset included, specials and padding 0);
* ``ngram_attention_mask``: 1 for real rows.

Padding as DNAZEN: ``padding="max_length"`` pads the rows to ``max_ngram_count``; without
padding a sequence with no G-gram gets one padding row (so the matrix is never empty);
``padding=True`` pads rows to the batch's longest. ``return_ngram_positions=True`` adds our
sparse ``ngram_positions`` / ``ngram_lengths`` (first occurrence of each row).

Non-ACGT bases (``n_runs``): ``unk_run`` (default) gives one ``[UNK]`` per maximal run of
non-ACGT bases, ``drop`` removes the runs (the pieces on either side are tokenized
separately, so no token spans a gap), ``unk_base`` gives one ``[UNK]`` per base (plain BPE).
The rule is a normalizer of the wrapped ``tokenizer.json``, so ``transformers`` loading the
saved folder tokenizes identically; a ``Fuse`` decoder makes it decode DNA without spaces.

Matching is vectorised: windows of ``L`` token ids are packed into int64 keys (see
:mod:`genovocab.sequence.ggram`) and looked up in the sorted vocabulary keys of that length
with one ``searchsorted`` per length over a whole batch.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genovocab.errors import InputError
from genovocab.sequence import bpe as _bpe
from genovocab.sequence.ggram import (
    PAD_NGRAM_ID,
    GgramVocab,
    boundary_pair_keys,
    check_offsets,
    key_bits,
    pack,
    read_ngram_json,
    read_vocab_tsv,
    window_keys,
)
from genovocab.tokenizers.base import (
    SEQ,
    BatchEncoding,
    KeySpec,
    Options,
    TokenizerBase,
    _items_of,
    _to_numpy_or_value,
    write_config_files,
)

# vocabularies up to 4096 tokens look first token pairs up in a dense V*V table (16 MiB)
DENSE_PREFIX_MAX = 1 << 24


@dataclass
class Matches:
    """G-gram occurrences in a token stream: parallel arrays in (sequence, position) order."""

    seq: np.ndarray  # sequence index
    position: np.ndarray  # first token, relative to its sequence
    length: np.ndarray  # tokens
    ngram_id: np.ndarray  # vocabulary id (1..n)


class GgramMatcher:
    """Finds every vocabulary G-gram in token-id sequences (vectorised)."""

    def __init__(self, vocab: GgramVocab, vocab_size: int):
        too_big = [ng for ng in vocab.ngrams if max(ng) >= vocab_size]
        if too_big:
            raise ValueError(
                f"G-gram {too_big[0]} has a token id outside the {vocab_size}-token vocabulary"
            )
        seen: dict[tuple[int, ...], int] = {}
        for i, ng in enumerate(vocab.ngrams, 1):
            if ng in seen:
                raise ValueError(f"G-gram {ng} is listed twice (ids {seen[ng]} and {i})")
            seen[ng] = i
        lengths = sorted({len(ng) for ng in vocab.ngrams})
        self.lengths = lengths
        self.max_len = max(lengths) if lengths else 2
        self.vocab_size = vocab_size
        self.bits = key_bits(vocab_size, self.max_len)
        self.keys: dict[int, np.ndarray] = {}
        self.ids: dict[int, np.ndarray] = {}
        for length in lengths:
            members = [
                (pack(ng, self.bits), i + 1)
                for i, ng in enumerate(vocab.ngrams)
                if len(ng) == length
            ]
            members.sort()
            self.keys[length] = np.asarray([k for k, _ in members], dtype=np.int64)
            self.ids[length] = np.asarray([g for _, g in members], dtype=np.int64)
        # first token pair of the G-grams -> bit (length - 2) set for each length present
        flags: dict[int, int] = {}
        for ng in vocab.ngrams:
            key = ng[0] * vocab_size + ng[1]
            flags[key] = flags.get(key, 0) | (1 << (len(ng) - 2))
        self.prefixes = np.asarray(sorted(flags), dtype=np.int64)
        self.prefix_flags = np.asarray([flags[k] for k in sorted(flags)], dtype=np.uint16)
        self.prefix_table = None
        if vocab_size * vocab_size <= DENSE_PREFIX_MAX:
            self.prefix_table = np.zeros(vocab_size * vocab_size, dtype=np.uint16)
            self.prefix_table[self.prefixes] = self.prefix_flags

    def match_stream(
        self, ids: np.ndarray, offsets: np.ndarray, max_ngrams: int | None = None
    ) -> Matches:
        """All occurrences in the concatenated sequences (``offsets`` as in ggram).

        A table of the G-grams' first token pairs (a bit per G-gram length) picks the
        positions where a G-gram of each length can start; only those windows are packed and
        looked up (binary search in the sorted keys of that length).
        """
        ids = np.asarray(ids)
        offsets = np.asarray(offsets, dtype=np.int64)
        check_offsets(offsets, len(ids))
        empty = np.zeros(0, dtype=np.int64)
        if not self.lengths or len(ids) < 2:
            return Matches(empty, empty, empty, empty)
        if len(ids) and int(ids.max()) >= self.vocab_size:
            raise ValueError(f"token id {int(ids.max())} is not below {self.vocab_size}")
        pkeys = boundary_pair_keys(ids, self.vocab_size)
        if self.prefix_table is not None:
            flags = self.prefix_table[pkeys]
        else:
            idx = np.searchsorted(self.prefixes, pkeys)
            idx[idx == len(self.prefixes)] = 0
            flags = np.where(self.prefixes[idx] == pkeys, self.prefix_flags[idx], 0)
        cand = np.flatnonzero(flags)
        flags = flags[cand]
        lengths = np.diff(offsets)
        seq_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        room = offsets[seq_of[cand] + 1] - cand  # tokens from the candidate to its sequence end
        pos_parts, len_parts, id_parts = [], [], []
        for length in self.lengths:
            keys = self.keys[length]
            pos = cand[((flags & (1 << (length - 2))) != 0) & (room >= length)]
            wkeys = window_keys(ids, pos, length, self.bits)
            idx = np.searchsorted(keys, wkeys)
            idx[idx == len(keys)] = 0
            hit = keys[idx] == wkeys
            pos_parts.append(pos[hit])
            len_parts.append(np.full(int(hit.sum()), length, dtype=np.int64))
            id_parts.append(self.ids[length][idx[hit]])
        pos = np.concatenate(pos_parts).astype(np.int64)
        lens = np.concatenate(len_parts)
        gids = np.concatenate(id_parts)
        order = np.argsort(pos * 64 + lens)  # (position, length) pairs are unique
        pos, lens, gids = pos[order], lens[order], gids[order]
        seq = seq_of[pos]
        if max_ngrams is not None and len(pos):
            first = np.searchsorted(seq, seq, side="left")
            keep = (np.arange(len(seq)) - first) < max_ngrams
            pos, lens, gids, seq = pos[keep], lens[keep], gids[keep], seq[keep]
        return Matches(seq, pos - offsets[seq], lens, gids)

    def match(
        self, token_ids: Sequence[int], max_ngrams: int | None = None
    ) -> list[tuple[int, int, int]]:
        """``(ngram_id, position, length)`` of every G-gram in one token sequence."""
        arr = np.asarray(token_ids, dtype=np.int64)
        m = self.match_stream(arr, np.array([0, len(arr)]), max_ngrams)
        return list(zip(m.ngram_id.tolist(), m.position.tolist(), m.length.tolist()))


N_RUNS = ("unk_run", "drop", "unk_base")
_NON_ACGT = re.compile(r"[^ACGTacgt]+")
NGRAM = "ngram"


def distinct_rows(
    m: Matches, n_seqs: int, cap: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DNAZEN's rows from occurrences (in (sequence, position, length) order).

    Returns, per occurrence, its row in its sequence (-1 when the row is past ``cap``), and per
    row: sequence index and the occurrence index of its first occurrence. A row is one
    distinct G-gram; rows are ordered by first occurrence.
    """
    if not len(m.seq):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    width = int(m.ngram_id.max()) + 1
    key = m.seq * width + m.ngram_id
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # rows by first occurrence
    rank_of_unique = np.empty(len(first), dtype=np.int64)
    row_seq = m.seq[first[order]]
    start = np.searchsorted(row_seq, np.arange(n_seqs))
    rank_in_seq = np.arange(len(order)) - start[row_seq]
    rank_of_unique[order] = rank_in_seq
    occ_row = rank_of_unique[inverse.ravel()]
    keep_rows = np.ones(len(order), dtype=bool) if cap is None else rank_in_seq < cap
    if cap is not None:
        occ_row = np.where(occ_row < cap, occ_row, -1)
    return occ_row, row_seq[keep_rows], first[order][keep_rows]


class SequenceTokenizer(TokenizerBase):
    """BPE + G-gram tokenizer for DNA (module doc); Hugging Face-shaped."""

    default_special_tokens = {
        "unk_token": "[UNK]",
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "mask_token": "[MASK]",
    }
    model_input_names = [
        "input_ids",
        "attention_mask",
        "ngram_input_ids",
        "ngram_attention_match",
        "ngram_attention_mask",
    ]

    def __init__(
        self,
        tokenizer,
        ggrams: GgramVocab | None = None,
        *,
        max_ngrams: int = 30,
        model_max_length: int = 512,
        n_runs: str = "unk_run",
        return_ngram_positions: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(model_max_length=model_max_length, **kwargs)
        if n_runs not in N_RUNS:
            raise ValueError(f"n_runs must be one of {N_RUNS}, not {n_runs!r}")
        if not isinstance(max_ngrams, int) or max_ngrams < 0:
            raise ValueError(f"max_ngrams must be a non-negative integer, not {max_ngrams!r}")
        self.tokenizer = tokenizer
        self.n_runs = n_runs
        _bpe.set_n_runs(tokenizer, n_runs)
        self.ggrams = ggrams or GgramVocab([], np.zeros(0, np.int64), np.zeros(0))
        self.max_ngrams = max_ngrams
        self.return_ngram_positions = bool(return_ngram_positions)
        self.matcher = GgramMatcher(self.ggrams, tokenizer.get_vocab_size())
        vocab = tokenizer.get_vocab()
        for name in _bpe.SPECIAL_TOKENS:
            if name not in vocab:
                raise ValueError(f"tokenizer lacks the special token {name}")

    # ---------------------------------------------------------------- vocabulary
    def get_vocab(self) -> dict[str, int]:
        return self.tokenizer.get_vocab()

    @property
    def vocab_size(self) -> int:
        """Number of BPE tokens (specials included)."""
        return self.tokenizer.get_vocab_size()

    @property
    def ngram_vocab_size(self) -> int:
        """Number of G-gram ids including the padding id 0."""
        return len(self.ggrams) + 1

    @property
    def max_ngram_count(self) -> int:
        """DNAZEN's name of the row cap."""
        return self.max_ngrams

    def _convert_token_to_id(self, token: str) -> int | None:
        return self.tokenizer.token_to_id(token)

    def _convert_id_to_token(self, index: int) -> str:
        token = self.tokenizer.id_to_token(index)
        if token is None:
            raise ValueError(
                f"token id {index} is outside the vocabulary (0..{self.vocab_size - 1})"
            )
        return token

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return "".join(tokens)

    def decode(self, token_ids: Any, skip_special_tokens: bool = True, **kwargs: Any) -> str:
        """DNA of token ids (tokens concatenated; specials dropped by default)."""
        return super().decode(token_ids, skip_special_tokens=skip_special_tokens)

    def ngram_tokens(self, ngram_id: int) -> tuple[int, ...]:
        """Token ids of a G-gram id (1..n)."""
        return self.ggrams.ngrams[ngram_id - 1]

    # ---------------------------------------------------------------- contract hooks
    def _split_batch(self, inputs: Any) -> tuple[list[Any], bool]:
        if isinstance(inputs, str):
            return [inputs], False
        if isinstance(inputs, np.ndarray) and inputs.ndim == 1:
            return [inputs], False
        items = list(inputs)
        if items and all(isinstance(x, (int, np.integer)) for x in items):
            return [items], False  # one sequence of token ids
        return items, True

    def _special_template(self) -> tuple[list[int], list[int]]:
        return [self.cls_token_id], [self.sep_token_id]

    def key_specs(self):
        specs = super().key_specs()
        specs["ngram_input_ids"] = KeySpec(axes=(NGRAM,), pad_value=PAD_NGRAM_ID)
        specs["ngram_attention_mask"] = KeySpec(axes=(NGRAM,), pad_value=0)
        specs["ngram_attention_match"] = KeySpec(axes=(NGRAM, SEQ), pad_value=0, special_value=0)
        specs["ngram_positions"] = KeySpec(axes=(NGRAM,), pad_value=0)
        specs["ngram_lengths"] = KeySpec(axes=(NGRAM,), pad_value=0)
        return specs

    def _axis_target(self, axis: str, sizes: list[int], options: Options) -> int:
        if axis == NGRAM:
            if options.padding == "max_length":
                return self._cap if self._cap is not None else max(sizes, default=1)
            return max(1, max(sizes, default=0))
        return super()._axis_target(axis, sizes, options)

    _cap: int | None = None

    def _call_options(
        self,
        max_ngrams: int | None = None,
        return_ngram_positions: bool | None = None,
        **kwargs: Any,
    ):
        """A call takes DNA (a string or a batch) or token-id sequences (a corpus row's
        ``input_ids`` without specials), with the options of :meth:`TokenizerBase.__call__`
        plus ``max_ngrams`` (row cap) and ``return_ngram_positions``."""
        if kwargs:
            raise TypeError(f"unexpected keyword argument(s) {sorted(kwargs)}")
        return _CallState(
            self,
            self.max_ngrams if max_ngrams is None else max_ngrams,
            self.return_ngram_positions
            if return_ngram_positions is None
            else bool(return_ngram_positions),
        )

    def _padded_call(
        self, items: list[Any], options: Options, want_mask: bool
    ) -> BatchEncoding | None:
        """The padded-tensor case in whole-batch array operations (no per-item work); the
        same result as the generic path (tested), which handles every other case."""
        if self.padding_side != "right" or self.truncation_side != "right":
            return None
        cap = self._cap
        want_pos = self._want_positions
        contents = self._content_ids(items)
        if options.max_tokens is not None:
            keep = max(0, options.max_tokens - 2)
            contents = [c[:keep] for c in contents]
        n = len(contents)
        lengths = np.asarray([len(c) for c in contents], dtype=np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.concatenate(contents) if n else np.zeros(0, np.int64)
        m = self.matcher.match_stream(flat, offsets)
        occ_row, row_seq, row_first = distinct_rows(m, n, cap)
        longest = int(lengths.max()) + 2 if n else 2
        width = (
            max(options.pad_length or 0, longest) if options.padding == "max_length" else longest
        )
        if options.pad_to_multiple_of:
            width = -(-width // options.pad_to_multiple_of) * options.pad_to_multiple_of
        per_seq = np.bincount(row_seq, minlength=n) if n else np.zeros(0, np.int64)
        most = int(per_seq.max()) if len(per_seq) else 0
        if options.padding == "max_length":
            rows = max(cap if cap is not None else most, most, 1)
        else:
            rows = max(1, most)
        seq_of = np.repeat(np.arange(n), lengths)
        col = np.arange(len(flat)) - offsets[seq_of] + 1
        ids = np.full((n, width), self.pad_token_id, dtype=np.int64)
        ids[seq_of, col] = flat
        ids[np.arange(n), 0] = self.cls_token_id
        ids[np.arange(n), lengths + 1] = self.sep_token_id
        out = BatchEncoding({"input_ids": ids})
        if want_mask:
            out["attention_mask"] = (np.arange(width)[None, :] < (lengths + 2)[:, None]).astype(
                np.int64
            )
        start = np.searchsorted(row_seq, np.arange(n))
        rank = np.arange(len(row_seq)) - start[row_seq] if n else np.zeros(0, np.int64)
        gids = np.zeros((n, rows), dtype=np.int64)
        gids[row_seq, rank] = m.ngram_id[row_first]
        out["ngram_input_ids"] = gids
        out["ngram_attention_mask"] = (gids != PAD_NGRAM_ID).astype(np.int64)
        match = np.zeros((n, rows, width), dtype=np.int64)
        kept = occ_row >= 0
        o_seq, o_row = m.seq[kept], occ_row[kept]
        o_pos, o_len = m.position[kept] + 1, m.length[kept]
        for k in range(int(o_len.max()) if len(o_len) else 0):
            sel = o_len > k
            match[o_seq[sel], o_row[sel], o_pos[sel] + k] = 1
        out["ngram_attention_match"] = match
        if want_pos:
            pos = np.zeros((n, rows), dtype=np.int64)
            lens = np.zeros((n, rows), dtype=np.int64)
            pos[row_seq, rank] = m.position[row_first] + 1
            lens[row_seq, rank] = m.length[row_first]
            out["ngram_positions"], out["ngram_lengths"] = pos, lens
        return out

    def pad(self, encoded_inputs: Any, *args: Any, **kwargs: Any) -> BatchEncoding:
        """transformers' ``pad``; corpus rows (``input_ids`` without specials and no G-gram
        matrix) are first laid out as the tokenizer's own output."""
        self._cap = self.max_ngrams
        items, _ = _items_of(encoded_inputs)
        if items and "ngram_attention_match" not in items[0] and "ngram_input_ids" not in items[0]:
            rows = [np.asarray(_to_numpy_or_value(it["input_ids"])) for it in items]
            enc = self(rows, padding=False, truncation=True)
            extras = [
                {k: v for k, v in it.items() if k not in enc and k not in _CORPUS_ONLY}
                for it in items
            ]
            encoded_inputs = [
                dict({k: enc[k][i] for k in enc}, **extras[i]) for i in range(len(items))
            ]
        return super().pad(encoded_inputs, *args, **kwargs)

    # ---------------------------------------------------------------- encoding
    def encode_stream(self, sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
        """Token ids of every sequence without specials (flat + offsets) and the number of
        non-ACGT runs in them (for the corpus statistics)."""
        ids, offsets = _bpe.encode_ids(self.tokenizer, sequences)
        n_runs = sum(len(_NON_ACGT.findall(s)) for s in sequences)
        return ids, offsets, n_runs

    def _content_ids(self, items: list[Any]) -> list[np.ndarray]:
        texts = [i for i, x in enumerate(items) if isinstance(x, str)]
        out: list[np.ndarray | None] = [None] * len(items)
        if texts:
            encs = self.tokenizer.encode_batch([items[i] for i in texts], add_special_tokens=False)
            for i, enc in zip(texts, encs):
                out[i] = np.asarray(enc.ids, dtype=np.int64)
        for i, x in enumerate(items):
            if out[i] is None:
                if isinstance(x, (bytes, dict)):
                    raise TypeError(
                        f"item {i}: give DNA strings or token-id sequences, not {type(x).__name__}"
                    )
                arr = np.asarray(_to_numpy_or_value(x), dtype=np.int64).ravel()
                if len(arr) and (arr.min() < 0 or arr.max() >= self.vocab_size):
                    raise ValueError(f"item {i}: token id outside 0..{self.vocab_size - 1}")
                out[i] = arr
        return out  # type: ignore[return-value]

    def _encode_batch(
        self, items: list[Any], max_tokens: int | None
    ) -> list[dict[str, np.ndarray]]:
        contents = self._content_ids(items)
        if max_tokens is not None:
            contents = [c[:max_tokens] for c in contents]
        lengths = np.asarray([len(c) for c in contents], dtype=np.int64)
        offsets = np.zeros(len(contents) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.concatenate(contents) if contents else np.zeros(0, np.int64)
        m = self.matcher.match_stream(flat, offsets)
        cap = self._cap if self._cap is not None else self.max_ngrams
        occ_row, row_seq, row_first = distinct_rows(m, len(contents), cap)
        row_bounds = np.searchsorted(row_seq, np.arange(len(contents) + 1))
        occ_bounds = np.searchsorted(m.seq, np.arange(len(contents) + 1))
        out = []
        want_pos = self._want_positions
        for i, c in enumerate(contents):
            a, b = row_bounds[i], row_bounds[i + 1]
            n_rows = int(b - a)
            first = row_first[a:b]
            gids = m.ngram_id[first]
            match = np.zeros((max(1, n_rows), len(c)), dtype=np.int64)
            oa, ob = occ_bounds[i], occ_bounds[i + 1]
            rows = occ_row[oa:ob]
            keep = rows >= 0
            rows, pos, lens = rows[keep], m.position[oa:ob][keep], m.length[oa:ob][keep]
            for k in range(int(lens.max()) if len(lens) else 0):
                sel = lens > k
                match[rows[sel], pos[sel] + k] = 1
            item = {"input_ids": c}
            if n_rows:
                item["ngram_input_ids"] = gids.astype(np.int64)
                item["ngram_attention_mask"] = np.ones(n_rows, dtype=np.int64)
            else:  # DNAZEN keeps one padding row
                item["ngram_input_ids"] = np.zeros(1, dtype=np.int64)
                item["ngram_attention_mask"] = np.zeros(1, dtype=np.int64)
            item["ngram_attention_match"] = match
            if want_pos:
                item["ngram_positions"] = (
                    m.position[first].astype(np.int64) if n_rows else np.zeros(1, np.int64)
                )
                item["ngram_lengths"] = (
                    m.length[first].astype(np.int64) if n_rows else np.zeros(1, np.int64)
                )
            out.append(item)
        return out

    _want_positions = False

    def _add_special_tokens(self, item, specs):
        out = super()._add_special_tokens(item, specs)
        if "ngram_positions" in out:
            real = np.asarray(out["ngram_attention_mask"]) > 0
            out["ngram_positions"] = np.where(real, out["ngram_positions"] + 1, 0)
        return out

    # ---------------------------------------------------------------- save / load
    @classmethod
    def from_pretrained(
        cls, bpe_dir: str | os.PathLike, ggram_path: str | os.PathLike | None = None, **kwargs: Any
    ) -> SequenceTokenizer:
        """Load a folder (``tokenizer.json`` + ``ngram.json`` / ``ggram_vocab.tsv`` /
        ``vocab.tsv``, ``tokenizer_config.json``), or the BPE folder plus a G-gram file.

        ``max_ngrams`` defaults to ``max_ngram_count`` of the ``ngram.json``; ``n_runs`` and
        ``model_max_length`` to the saved config.
        """
        tok = _bpe.load_tokenizer(bpe_dir)
        config = cls.read_config(bpe_dir, required=False) if Path(bpe_dir).is_dir() else {}
        if "model_max_length" in config:
            kwargs.setdefault("model_max_length", int(config["model_max_length"]))
        if config.get("n_runs") in N_RUNS:
            kwargs.setdefault("n_runs", config["n_runs"])
        path = Path(ggram_path) if ggram_path is not None else Path(bpe_dir)
        vocab = None
        if path.is_dir():
            for name in ("ggram_vocab.tsv", "vocab.tsv", "ngram.json"):
                if (path / name).is_file():
                    path = path / name
                    break
            else:
                if ggram_path is not None:
                    raise InputError(
                        path, "no ggram_vocab.tsv, vocab.tsv or ngram.json in this folder"
                    )
        if path.is_file() and path.name.endswith(".json"):
            vocab = read_ngram_json(path, tok)
            kwargs.setdefault(
                "max_ngrams", int(json.loads(path.read_text()).get("max_ngram_count", 30))
            )
        elif path.is_file():
            vocab = read_vocab_tsv(path)
            sibling = path.parent / "ngram.json"
            if sibling.is_file():
                kwargs.setdefault(
                    "max_ngrams", int(json.loads(sibling.read_text()).get("max_ngram_count", 30))
                )
        elif ggram_path is not None:
            raise InputError(path, "G-gram vocabulary not found")
        kwargs.setdefault("name_or_path", os.fspath(bpe_dir))
        return cls(tok, vocab, **kwargs)

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> tuple[str, ...]:
        """One folder that ``AutoTokenizer``, :meth:`from_pretrained` and DNAZEN's
        ``NgramTokenizer.from_pretrained`` all load: ``tokenizer.json`` (with the n-runs
        normalizer and the ``Fuse`` decoder), ``tokenizer_config.json``,
        ``special_tokens_map.json``, ``ngram.json`` and ``ggram_vocab.tsv``."""
        from genovocab.fileutil import write_text_atomic
        from genovocab.sequence.ggram import ngram_json, vocab_tsv

        out = Path(save_directory)
        out.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save(str(out / "tokenizer.json"), pretty=True)
        config = _bpe.tokenizer_config(self.model_max_length)
        config["n_runs"] = self.n_runs
        config["max_ngram_count"] = self.max_ngrams
        write_config_files(out, config, _bpe.special_tokens_map())
        write_text_atomic(
            out / "ngram.json", ngram_json(self.ggrams, self.tokenizer, self.max_ngrams)
        )
        write_text_atomic(out / "ggram_vocab.tsv", vocab_tsv(self.ggrams, self.tokenizer))
        return tuple(
            str(out / n)
            for n in (
                "tokenizer.json",
                "tokenizer_config.json",
                "special_tokens_map.json",
                "ngram.json",
                "ggram_vocab.tsv",
            )
        )


_CORPUS_ONLY = {
    "ngram_ids",
    "ngram_positions",
    "ngram_lengths",
    "n_bp",
    "n_tokens",
    "n_ngrams",
    "id",
    "chrom",
    "start",
    "end",
}


class _CallState:
    """Per-call options of :class:`SequenceTokenizer` (set on entry, restored on exit)."""

    def __init__(self, tok: SequenceTokenizer, cap: int, positions: bool) -> None:
        self.tok, self.cap, self.positions = tok, cap, positions

    def __enter__(self) -> None:
        self.saved = (self.tok._cap, self.tok._want_positions)
        self.tok._cap, self.tok._want_positions = self.cap, self.positions

    def __exit__(self, *exc: object) -> None:
        self.tok._want_positions = self.saved[1]


def matching_matrix(
    n_tokens: int,
    positions: Sequence[int],
    lengths: Sequence[int],
    mask: Sequence[int] | None = None,
) -> np.ndarray:
    """Dense ``n_tokens x n_ngrams`` int8 matrix: 1 where token i lies in G-gram j."""
    mat = np.zeros((n_tokens, len(positions)), dtype=np.int8)
    for j, (p, n) in enumerate(zip(positions, lengths)):
        if mask is None or mask[j]:
            mat[p : min(n_tokens, p + n), j] = 1
    return mat
