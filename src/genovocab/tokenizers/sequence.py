"""DNA tokenizer: DNABERT-2-style BPE plus DNAZEN G-gram matching (docs/architecture.md).

``SequenceTokenizer`` wraps the BPE ``tokenizer.json`` (Hugging Face ``tokenizers``) and a
G-gram vocabulary. Calling it on DNA strings gives, like a Hugging Face tokenizer,
``input_ids`` and ``attention_mask`` (``[CLS] $A [SEP]``, padding and truncation on request),
and in addition every vocabulary G-gram present in the (truncated) token sequence:
``ngram_ids``, ``ngram_positions`` (index of the G-gram's first token in ``input_ids``),
``ngram_lengths`` and ``ngram_attention_mask``. Overlapping G-grams are all reported, in
position order (then length ascending), capped at ``max_ngrams`` per sequence (default 30).
On request, the token x G-gram matching matrix (``ngram_matching_matrix``; 1 where token
``i`` lies inside G-gram ``j``).

Matching is vectorised: windows of ``L`` token ids are packed into int64 keys (see
:mod:`genovocab.sequence.ggram`) and looked up in the sorted vocabulary keys of that length
with one ``searchsorted`` per length over a whole batch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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

# vocabularies up to 4096 tokens look first token pairs up in a dense V*V table (16 MiB)
DENSE_PREFIX_MAX = 1 << 24


@dataclass
class Matches:
    """G-gram occurrences in a token stream: parallel arrays in (sequence, position) order."""

    seq: np.ndarray        # sequence index
    position: np.ndarray   # first token, relative to its sequence
    length: np.ndarray     # tokens
    ngram_id: np.ndarray   # vocabulary id (1..n)


class GgramMatcher:
    """Finds every vocabulary G-gram in token-id sequences (vectorised)."""

    def __init__(self, vocab: GgramVocab, vocab_size: int):
        too_big = [ng for ng in vocab.ngrams if max(ng) >= vocab_size]
        if too_big:
            raise ValueError(f"G-gram {too_big[0]} has a token id outside the "
                             f"{vocab_size}-token vocabulary")
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
            members = [(pack(ng, self.bits), i + 1) for i, ng in enumerate(vocab.ngrams)
                       if len(ng) == length]
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

    def match_stream(self, ids: np.ndarray, offsets: np.ndarray,
                     max_ngrams: int | None = None) -> Matches:
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

    def match(self, token_ids: Sequence[int], max_ngrams: int | None = None
              ) -> list[tuple[int, int, int]]:
        """``(ngram_id, position, length)`` of every G-gram in one token sequence."""
        arr = np.asarray(token_ids, dtype=np.int64)
        m = self.match_stream(arr, np.array([0, len(arr)]), max_ngrams)
        return list(zip(m.ngram_id.tolist(), m.position.tolist(), m.length.tolist()))


class SequenceTokenizer:
    """BPE + G-gram tokenizer for DNA with a Hugging Face-shaped API."""

    def __init__(self, tokenizer, ggrams: GgramVocab | None = None, *, max_ngrams: int = 30,
                 model_max_length: int = 512):
        self.tokenizer = tokenizer
        self.ggrams = ggrams or GgramVocab([], np.zeros(0, np.int64), np.zeros(0))
        self.max_ngrams = max_ngrams
        self.model_max_length = model_max_length
        self.matcher = GgramMatcher(self.ggrams, tokenizer.get_vocab_size())
        vocab = tokenizer.get_vocab()
        for name in _bpe.SPECIAL_TOKENS:
            if name not in vocab:
                raise ValueError(f"tokenizer lacks the special token {name}")
        self.unk_token_id = vocab["[UNK]"]
        self.cls_token_id = vocab["[CLS]"]
        self.sep_token_id = vocab["[SEP]"]
        self.pad_token_id = vocab["[PAD]"]
        self.mask_token_id = vocab["[MASK]"]
        self.all_special_ids = sorted({self.unk_token_id, self.cls_token_id, self.sep_token_id,
                                       self.pad_token_id, self.mask_token_id})

    @classmethod
    def from_pretrained(cls, bpe_dir: str | os.PathLike,
                        ggram_path: str | os.PathLike | None = None, **kwargs
                        ) -> SequenceTokenizer:
        """Load the BPE folder (``tokenizer.json``) and a G-gram vocabulary.

        ``ggram_path`` is a ``vocab.tsv``, an ``ngram.json`` or a folder holding either (the
        TSV is preferred); ``None`` looks for them in ``bpe_dir``. ``max_ngrams`` defaults to
        ``max_ngram_count`` of the ``ngram.json`` used or lying beside the ``vocab.tsv``.
        """
        tok = _bpe.load_tokenizer(bpe_dir)
        config = Path(bpe_dir) / "tokenizer_config.json"
        if config.is_file() and "model_max_length" not in kwargs:
            import json

            kwargs["model_max_length"] = int(json.loads(config.read_text()).get(
                "model_max_length", 512))
        path = Path(ggram_path) if ggram_path is not None else Path(bpe_dir)
        vocab = None
        if path.is_dir():
            if (path / "vocab.tsv").is_file():
                path = path / "vocab.tsv"
            elif (path / "ngram.json").is_file():
                path = path / "ngram.json"
            elif ggram_path is not None:
                raise InputError(path, "no vocab.tsv or ngram.json in this folder")
        if path.is_file() and path.name.endswith(".json"):
            import json

            vocab = read_ngram_json(path, tok)
            kwargs.setdefault("max_ngrams", int(json.loads(path.read_text()).get(
                "max_ngram_count", 30)))
        elif path.is_file():
            vocab = read_vocab_tsv(path)
            sibling = path.parent / "ngram.json"
            if sibling.is_file() and "max_ngrams" not in kwargs:
                import json

                kwargs["max_ngrams"] = int(json.loads(sibling.read_text()).get(
                    "max_ngram_count", 30))
        elif ggram_path is not None:
            raise InputError(path, "G-gram vocabulary not found")
        return cls(tok, vocab, **kwargs)

    def save_pretrained(self, out_dir: str | os.PathLike) -> Path:
        """Write the BPE files plus ``vocab.tsv`` and ``ngram.json`` into one folder that
        :meth:`from_pretrained` (and ``transformers.AutoTokenizer``, for the BPE) loads."""
        from genovocab.fileutil import write_text_atomic
        from genovocab.sequence.ggram import ngram_json, vocab_tsv

        out = _bpe.save_tokenizer_folder(self.tokenizer, out_dir,
                                         model_max_length=self.model_max_length)
        write_text_atomic(out / "vocab.tsv", vocab_tsv(self.ggrams, self.tokenizer))
        write_text_atomic(out / "ngram.json", ngram_json(self.ggrams, self.tokenizer,
                                                         self.max_ngrams))
        return out

    # ------------------------------------------------------------------ basic API
    @property
    def vocab_size(self) -> int:
        """Number of BPE tokens (specials included)."""
        return self.tokenizer.get_vocab_size()

    @property
    def ngram_vocab_size(self) -> int:
        """Number of G-gram ids including the padding id 0."""
        return len(self.ggrams) + 1

    def __len__(self) -> int:
        return self.vocab_size

    def encode(self, sequence: str, add_special_tokens: bool = True) -> list[int]:
        """Token ids of one DNA string."""
        return self.tokenizer.encode(sequence, add_special_tokens=add_special_tokens).ids

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """DNA string of token ids (tokens concatenated; specials dropped by default)."""
        specials = set(self.all_special_ids) if skip_special_tokens else set()
        return "".join(self.tokenizer.id_to_token(int(i)) for i in ids if int(i) not in specials)

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """Token strings of ids."""
        return [self.tokenizer.id_to_token(int(i)) for i in ids]

    def ngram_tokens(self, ngram_id: int) -> tuple[int, ...]:
        """Token ids of a G-gram id (1..n)."""
        return self.ggrams.ngrams[ngram_id - 1]

    # ------------------------------------------------------------------ batch call
    def __call__(self, sequences: str | Sequence[str], *, add_special_tokens: bool = True,
                 padding: bool | str = False, truncation: bool = False,
                 max_length: int | None = None, max_ngrams: int | None = None,
                 return_matching_matrix: bool = False, return_tensors: str | None = None
                 ) -> dict[str, object]:
        """Tokenize one DNA string or a batch, with G-grams (module doc).

        ``padding``: ``False``, ``True``/``"longest"`` (to the longest in the batch) or
        ``"max_length"`` (to ``max_length``; G-gram fields to ``max_ngrams``). ``truncation``
        keeps the first ``max_length`` ids (specials included; default ``model_max_length``).
        ``return_tensors="np"`` gives numpy arrays (needs equal lengths, i.e. padding).
        """
        single = isinstance(sequences, str)
        batch = [sequences] if single else list(sequences)
        cap = self.max_ngrams if max_ngrams is None else max_ngrams
        if padding is True:
            padding = "longest"
        if padding not in (False, "longest", "max_length", "do_not_pad"):
            raise ValueError(f"unknown padding {padding!r}")
        if padding == "do_not_pad":
            padding = False
        limit = max_length if max_length is not None else self.model_max_length
        n_special = 2 if add_special_tokens else 0
        encs = self.tokenizer.encode_batch(batch, add_special_tokens=False)
        contents = [enc.ids for enc in encs]
        if truncation:
            keep = max(0, limit - n_special)
            contents = [ids[:keep] for ids in contents]
        lengths = np.asarray([len(c) for c in contents], dtype=np.int64)
        offsets = np.zeros(len(contents) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.fromiter((t for c in contents for t in c), dtype=np.int64,
                           count=int(offsets[-1]))
        m = self.matcher.match_stream(flat, offsets, cap)
        bounds = np.searchsorted(m.seq, np.arange(len(batch) + 1))
        shift = 1 if add_special_tokens else 0

        input_ids, ngram_ids, ngram_pos, ngram_len = [], [], [], []
        for i, c in enumerate(contents):
            ids = [self.cls_token_id, *c, self.sep_token_id] if add_special_tokens else list(c)
            input_ids.append(ids)
            a, b = bounds[i], bounds[i + 1]
            ngram_ids.append(m.ngram_id[a:b].tolist())
            ngram_pos.append((m.position[a:b] + shift).tolist())
            ngram_len.append(m.length[a:b].tolist())
        attention = [[1] * len(ids) for ids in input_ids]
        ngram_mask = [[1] * len(g) for g in ngram_ids]
        if padding:
            width = limit if padding == "max_length" else max((len(x) for x in input_ids),
                                                              default=0)
            gwidth = cap if padding == "max_length" else max((len(g) for g in ngram_ids),
                                                            default=0)
            for i in range(len(batch)):
                extra = max(0, width - len(input_ids[i]))
                input_ids[i] = input_ids[i] + [self.pad_token_id] * extra
                attention[i] = attention[i] + [0] * extra
                gextra = max(0, gwidth - len(ngram_ids[i]))
                ngram_ids[i] = ngram_ids[i] + [PAD_NGRAM_ID] * gextra
                ngram_pos[i] = ngram_pos[i] + [0] * gextra
                ngram_len[i] = ngram_len[i] + [0] * gextra
                ngram_mask[i] = ngram_mask[i] + [0] * gextra
        out: dict[str, object] = {
            "input_ids": input_ids, "attention_mask": attention, "ngram_ids": ngram_ids,
            "ngram_positions": ngram_pos, "ngram_lengths": ngram_len,
            "ngram_attention_mask": ngram_mask,
        }
        if return_matching_matrix:
            out["ngram_matching_matrix"] = [
                matching_matrix(len(input_ids[i]), ngram_pos[i], ngram_len[i], ngram_mask[i])
                for i in range(len(batch))]
        if return_tensors == "np":
            try:
                out = {k: np.asarray(v) if k == "ngram_matching_matrix" else
                       np.asarray(v, dtype=np.int64) for k, v in out.items()}
            except ValueError as exc:
                raise ValueError("return_tensors='np' needs padding (unequal lengths)") from exc
        elif return_tensors is not None:
            raise ValueError(f"unsupported return_tensors {return_tensors!r} (only 'np')")
        if single:
            out = {k: v[0] for k, v in out.items()}
        return out


def matching_matrix(n_tokens: int, positions: Sequence[int], lengths: Sequence[int],
                    mask: Sequence[int] | None = None) -> np.ndarray:
    """Dense ``n_tokens x n_ngrams`` int8 matrix: 1 where token i lies in G-gram j."""
    mat = np.zeros((n_tokens, len(positions)), dtype=np.int8)
    for j, (p, n) in enumerate(zip(positions, lengths)):
        if mask is None or mask[j]:
            mat[p:min(n_tokens, p + n), j] = 1
    return mat
