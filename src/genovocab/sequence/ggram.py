"""PMI G-gram extraction over a BPE token stream (DNAZEN; docs/architecture.md).

The token stream is a flat array of token ids plus sequence offsets (sequence ``i`` is
``ids[offsets[i]:offsets[i+1]]``). Everything is vectorised with numpy; a G-gram of ``L``
token ids of ``bits`` bits each is packed into one int64 key, so equal-length G-grams compare,
sort and look up as integers (the key order is the token-id tuple order).

The algorithm, exactly:

1. Count unigrams and adjacent pairs *within* sequences (never across sequences; gaps were
   already split into separate sequences). ``N`` = total number of tokens.
2. ``PMI(a, b) = log2 N + log2 c(ab) - log2 c(a) - log2 c(b)``. A boundary between adjacent
   tokens is *kept* when ``c(ab) >= min_token_count`` and ``PMI >= min_pmi``; every other
   boundary (and every sequence end) is a delimiter. The threshold test is evaluated in the
   exact equivalent form ``N * c(ab) >= 2**min_pmi * c(a) * c(b)``, so no rounding of the
   logarithms can flip a pair that sits exactly on the threshold.
3. Split each sequence at the delimiters into maximal runs. A run is cut from its start into
   pieces of ``max_len`` tokens (the last piece shorter); every piece with at least
   ``min_len`` (>= 2) tokens is a candidate occurrence. The last run of a sequence counts like
   any other.
4. Distinct candidates seen fewer than ``min_ngram_freq`` times are dropped. Each survivor is
   recounted as the number of its occurrences as a contiguous token run anywhere in the corpus
   (within sequences, overlapping occurrences all count) and kept when that count is still
   ``>= min_ngram_freq``.
5. Vocabulary ids 1, 2, ... by descending recount, ties by the token-id tuple ascending;
   id 0 is padding.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from genovocab.errors import InputError
from genovocab.fileutil import open_text, write_text_atomic

log = logging.getLogger(__name__)

PAD_NGRAM_ID = 0
PAD_NGRAM = "<PAD>"


@dataclass
class GgramParams:
    """Thresholds of the extraction (defaults: the paper's PMI threshold 2, lengths 2..5)."""

    min_pmi: float = 2.0
    min_token_count: int = 5
    min_ngram_freq: int = 5
    min_len: int = 2
    max_len: int = 5

    def check(self) -> None:
        """Raise ValueError on inconsistent thresholds."""
        if self.min_len < 2:
            raise ValueError("min_len must be at least 2 (single tokens are not G-grams)")
        if self.max_len < self.min_len:
            raise ValueError("max_len must be at least min_len")
        if self.min_token_count < 1 or self.min_ngram_freq < 1:
            raise ValueError("min_token_count and min_ngram_freq must be at least 1")


@dataclass
class GgramVocab:
    """G-grams (``ngrams[i]`` has vocabulary id ``i + 1``), their recounts and min PMI."""

    ngrams: list[tuple[int, ...]]
    frequency: np.ndarray
    min_pmi: np.ndarray
    params: GgramParams = field(default_factory=GgramParams)
    stats: dict[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ngrams)

    def as_dict(self) -> dict[tuple[int, ...], int]:
        """``{token-id tuple: vocabulary id}``."""
        return {ng: i + 1 for i, ng in enumerate(self.ngrams)}


def key_bits(vocab_size: int, max_len: int) -> int:
    """Bits per token id in a packed key; raises when ``max_len`` ids do not fit in 63 bits."""
    bits = max(1, int(vocab_size - 1).bit_length())
    if bits * max_len > 63:
        raise ValueError(
            f"{max_len} token ids of a {vocab_size}-token vocabulary do not pack "
            f"into an int64 key ({bits} bits each); use max_len <= {63 // bits} "
            "or a smaller vocabulary"
        )
    return bits


def pack(ngram: Sequence[int], bits: int) -> int:
    """The int64 key of one token-id tuple."""
    key = 0
    for t in ngram:
        key = (key << bits) | int(t)
    return key


def unpack(key: int, length: int, bits: int) -> tuple[int, ...]:
    """Inverse of :func:`pack`."""
    mask = (1 << bits) - 1
    return tuple((int(key) >> (bits * (length - 1 - j))) & mask for j in range(length))


def window_keys(ids: np.ndarray, starts: np.ndarray, length: int, bits: int) -> np.ndarray:
    """Packed keys of the ``length``-token windows starting at ``starts`` (all in bounds)."""
    key = ids[starts].astype(np.int64)
    for j in range(1, length):
        key = (key << bits) | ids[starts + j].astype(np.int64)
    return key


def unpack_keys(keys: np.ndarray, length: int, bits: int) -> np.ndarray:
    """``(len(keys), length)`` int64 matrix of the token ids packed in ``keys``."""
    shifts = bits * np.arange(length - 1, -1, -1, dtype=np.int64)
    return (keys[:, None] >> shifts[None, :]) & np.int64((1 << bits) - 1)


def check_offsets(offsets: np.ndarray, n_tokens: int) -> None:
    """Raise ValueError unless ``offsets`` run from 0 to ``n_tokens`` without decreasing."""
    if (
        len(offsets) == 0
        or offsets[0] != 0
        or offsets[-1] != n_tokens
        or (np.diff(offsets) < 0).any()
    ):
        raise ValueError("offsets do not describe the token array")


def boundary_valid(offsets: np.ndarray, n_tokens: int) -> np.ndarray:
    """``valid[i]``: tokens ``i`` and ``i + 1`` belong to the same sequence."""
    valid = np.ones(max(0, n_tokens - 1), dtype=bool)
    inner = offsets[1:-1]
    inner = inner[(inner > 0) & (inner < n_tokens)]
    valid[inner - 1] = False
    return valid


def boundary_pair_keys(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """``ids[i] * vocab_size + ids[i + 1]`` for every boundary (int32 when it fits)."""
    dtype = np.int32 if vocab_size * vocab_size < 2**31 else np.int64
    return ids[:-1].astype(dtype) * dtype(vocab_size) + ids[1:].astype(dtype)


# vocabularies up to 4096 tokens mark kept pair types in a dense V*V table (16 MiB)
DENSE_PAIRS_MAX = 1 << 24


def group_pairs(
    pair_keys: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort boundaries by pair key: ``(types, counts, order_positions, group_sizes)``.

    ``types`` are the sorted distinct keys with their ``counts``; ``order_positions`` lists the
    boundary positions grouped by type (in ``types`` order), so a per-type value ``x`` maps
    back with ``out[order_positions] = np.repeat(x, counts)``. One int64 sort of
    ``key << 32 | position`` (vectorised sorts are far faster than hashing or binary search).
    """
    if len(positions) and int(positions[-1]) >= 2**32:
        order = np.argsort(pair_keys, kind="stable")
        keys_sorted = pair_keys[order].astype(np.int64)
        pos_sorted = positions[order]
    else:
        packed = pair_keys.astype(np.int64) << 32
        packed |= positions
        packed.sort()
        keys_sorted = packed >> 32
        pos_sorted = packed & np.int64(0xFFFFFFFF)
    if len(keys_sorted) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    first = np.flatnonzero(np.concatenate(([True], keys_sorted[1:] != keys_sorted[:-1])))
    counts = np.diff(np.append(first, len(keys_sorted)))
    return keys_sorted[first], counts.astype(np.int64), pos_sorted, counts


def kept_pair_types(
    pair_keys: np.ndarray,
    pair_counts: np.ndarray,
    unigram: np.ndarray,
    n_tokens: int,
    vocab_size: int,
    params: GgramParams,
) -> np.ndarray:
    """Boolean per pair type: count >= min_token_count and PMI >= min_pmi.

    ``PMI >= t`` is tested as ``N * c(ab) >= 2**t * c(a) * c(b)``: in integers (exact) when
    ``t`` is a whole number, in float64 otherwise.
    """
    nc = np.int64(n_tokens) * pair_counts.astype(np.int64)
    ab = unigram[pair_keys // vocab_size] * unigram[pair_keys % vocab_size]
    t = params.min_pmi
    if float(t).is_integer() and abs(t) <= 60:
        t = int(t)
        bound = float(max(int(nc.max(initial=0)), int(ab.max(initial=0)))) * float(1 << abs(t))
        if bound < 2.0**62:
            lhs, rhs = (nc, ab * np.int64(1 << t)) if t >= 0 else (nc * np.int64(1 << -t), ab)
        else:  # would overflow int64: exact Python integers
            scale = 1 << abs(t)
            nco, abo = nc.astype(object), ab.astype(object)
            lhs, rhs = (nco, abo * scale) if t >= 0 else (nco * scale, abo)
        ok = np.asarray(lhs >= rhs, dtype=bool)
    else:
        ok = nc.astype(np.float64) >= (2.0**t) * ab.astype(np.float64)
    return ok & (pair_counts >= params.min_token_count)


def pair_pmi(
    a: np.ndarray,
    b: np.ndarray,
    types: np.ndarray,
    counts: np.ndarray,
    unigram: np.ndarray,
    n_tokens: int,
    vocab_size: int,
) -> np.ndarray:
    """PMI (log2) of observed pairs ``(a, b)`` (elementwise)."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float64)
    c = counts[np.searchsorted(types, a * vocab_size + b)]
    return (
        np.log2(float(n_tokens))
        + np.log2(c.astype(np.float64))
        - np.log2(unigram[a].astype(np.float64))
        - np.log2(unigram[b].astype(np.float64))
    )


def maximal_runs(kept_boundary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` (token positions, end exclusive) of the maximal runs of two or more
    tokens joined by kept boundaries: the stretches of True in ``kept_boundary``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], kept_boundary, [False])).view(np.int8)))
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64) + 1


def _expand(starts: np.ndarray, counts: np.ndarray, step: int) -> np.ndarray:
    """``starts[r] + step * k`` for k in range(counts[r]), for every r, concatenated."""
    total = int(counts.sum())
    k = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + step * k


def candidate_pieces(
    run_starts: np.ndarray, run_ends: np.ndarray, params: GgramParams
) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of all candidate occurrences (step 3 of the module doc)."""
    run_len = run_ends - run_starts
    multi = run_len >= params.min_len
    run_starts, run_ends, run_len = run_starts[multi], run_ends[multi], run_len[multi]
    n_pieces = (run_len + params.max_len - 1) // params.max_len
    piece_start = _expand(run_starts, n_pieces, params.max_len)
    piece_len = np.minimum(params.max_len, np.repeat(run_ends, n_pieces) - piece_start)
    keep = piece_len >= params.min_len
    return piece_start[keep], piece_len[keep]


def extract_ggrams(
    ids: np.ndarray, offsets: np.ndarray, *, vocab_size: int, params: GgramParams | None = None
) -> GgramVocab:
    """Run the whole extraction (module doc) on a token stream; returns the vocabulary.

    The recount scans only windows inside the maximal runs: every adjacent pair of a
    candidate is a kept pair *type* (kept-ness depends only on the two token ids), so every
    occurrence of a candidate anywhere in the corpus (within a sequence) lies inside a maximal
    run. This gives exactly the count over all windows at a fraction of the cost. Counting is
    by sorting (window keys sorted once, survivors located with two binary searches).
    """
    params = params or GgramParams()
    params.check()
    ids = np.asarray(ids)
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(ids)
    check_offsets(offsets, n)
    if n and int(ids.max()) >= vocab_size:
        raise ValueError(f"token id {int(ids.max())} is not below vocab_size {vocab_size}")
    bits = key_bits(vocab_size, params.max_len)
    unigram = np.bincount(ids, minlength=vocab_size).astype(np.int64)
    valid = boundary_valid(offsets, n)
    pkeys = boundary_pair_keys(ids, vocab_size)
    if vocab_size * vocab_size <= DENSE_PAIRS_MAX:
        # sort the keys once for the types and counts, then a dense V*V table of kept types
        ordered = np.sort(pkeys[valid])
        first = (
            np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
            if len(ordered)
            else np.zeros(0, dtype=np.int64)
        )
        types = ordered[first].astype(np.int64)
        counts = np.diff(np.append(first, len(ordered))).astype(np.int64)
        del ordered, first
        kept_t = kept_pair_types(types, counts, unigram, n, vocab_size, params)
        table = np.zeros(vocab_size * vocab_size, dtype=bool)
        table[types[kept_t]] = True
        kept_boundary = table[pkeys]
        kept_boundary &= valid
        del table
    else:
        positions = np.flatnonzero(valid)
        types, counts, grouped_pos, sizes = group_pairs(pkeys[valid], positions)
        kept_t = kept_pair_types(types, counts, unigram, n, vocab_size, params)
        kept_boundary = np.zeros(max(0, n - 1), dtype=bool)
        kept_boundary[grouped_pos] = np.repeat(kept_t, sizes)
        del grouped_pos, positions
    del pkeys
    run_starts, run_ends = maximal_runs(kept_boundary)
    piece_start, piece_len = candidate_pieces(run_starts, run_ends, params)
    stats: dict[str, object] = {
        "sequences": int(len(offsets) - 1),
        "tokens": int(n),
        "boundaries": int(valid.sum()),
        "boundaries_kept": int(kept_boundary.sum()),
        "share_boundaries_cut": round(
            1.0 - float(kept_boundary.sum()) / max(1, int(valid.sum())), 6
        ),
        "pair_types": int(len(types)),
        "pair_types_kept": int(kept_t.sum()),
        "candidate_occurrences": int(len(piece_start)),
    }
    mats, freqs, lens = [], [], []
    inside = kept_boundary
    for length in range(2, params.max_len + 1):
        # windows of this length whose boundaries are all kept, i.e. inside a maximal run
        inside = inside[:-1] & kept_boundary[length - 2 :] if length > 2 else kept_boundary
        if length < params.min_len:
            continue
        starts = piece_start[piece_len == length]
        keys, cand_counts = np.unique(window_keys(ids, starts, length, bits), return_counts=True)
        survivors = keys[cand_counts >= params.min_ngram_freq]
        recount = np.zeros(len(survivors), dtype=np.int64)
        if len(survivors):
            wkeys = window_keys(ids, np.flatnonzero(inside), length, bits)
            wkeys.sort()
            recount = (
                np.searchsorted(wkeys, survivors, side="right")
                - np.searchsorted(wkeys, survivors, side="left")
            ).astype(np.int64)
        final = recount >= params.min_ngram_freq
        stats[f"len{length}_candidate_occurrences"] = int(len(starts))
        stats[f"len{length}_distinct_candidates"] = int(len(keys))
        stats[f"len{length}_after_first_filter"] = int(len(survivors))
        stats[f"len{length}_in_vocabulary"] = int(final.sum())
        mat = np.full((int(final.sum()), params.max_len), -1, dtype=np.int64)
        mat[:, :length] = unpack_keys(survivors[final], length, bits)
        mats.append(mat)
        freqs.append(recount[final])
        lens.append(np.full(int(final.sum()), length, dtype=np.int64))
    mat = np.concatenate(mats)
    freq = np.concatenate(freqs)
    length_of = np.concatenate(lens)
    # descending frequency, then the token-id tuple ascending (-1 padding: prefixes first)
    order = np.lexsort([mat[:, j] for j in range(params.max_len - 1, -1, -1)] + [-freq])
    mat, freq, length_of = mat[order], freq[order], length_of[order]
    a, b = mat[:, :-1], mat[:, 1:]
    has = b >= 0
    pmi = np.full(a.shape, np.inf)
    pmi[has] = pair_pmi(a[has], b[has], types, counts, unigram, n, vocab_size)
    min_pmi = pmi.min(axis=1) if len(mat) else np.zeros(0)
    ngrams = [tuple(row[:k]) for row, k in zip(mat.tolist(), length_of.tolist())]
    stats["vocabulary_size"] = len(ngrams)
    log.info(
        "G-grams: %d tokens, %d sequences, %.1f%% boundaries cut, %d candidates, %d G-grams",
        n,
        len(offsets) - 1,
        100 * float(stats["share_boundaries_cut"]),
        len(piece_start),
        len(ngrams),
    )
    return GgramVocab(ngrams, freq, min_pmi, params, stats)


# ---------------------------------------------------------------- files


def token_strings(tokenizer, ngram: Sequence[int]) -> list[str]:
    """Token strings of a G-gram under a ``tokenizers.Tokenizer``."""
    return [tokenizer.id_to_token(int(t)) for t in ngram]


def vocab_tsv(vocab: GgramVocab, tokenizer) -> str:
    """``vocab.tsv``: id, token_ids (space-separated), tokens, dna, frequency, min_pmi."""
    lines = ["id\ttoken_ids\ttokens\tdna\tfrequency\tmin_pmi"]
    for i, (ng, freq, mp) in enumerate(
        zip(vocab.ngrams, vocab.frequency.tolist(), vocab.min_pmi.tolist()), 1
    ):
        toks = token_strings(tokenizer, ng)
        lines.append(
            f"{i}\t{' '.join(map(str, ng))}\t{' '.join(toks)}\t{''.join(toks)}\t{freq}\t{mp:.6f}"
        )
    return "\n".join(lines) + "\n"


def ngram_json(vocab: GgramVocab, tokenizer, max_ngram_count: int = 30) -> str:
    """``ngram.json`` in DNAZEN's layout (``vocab`` keyed by space-joined token strings)."""
    data = {
        "min_ngram_len": vocab.params.min_len,
        "max_ngram_len": vocab.params.max_len,
        "max_ngram_count": max_ngram_count,
        "pad_ngram_id": PAD_NGRAM_ID,
        "pad_ngram": PAD_NGRAM,
        "ngram_size": len(vocab) + 1,
        "vocab": {
            " ".join(token_strings(tokenizer, ng)): i for i, ng in enumerate(vocab.ngrams, 1)
        },
    }
    return json.dumps(data, indent=1) + "\n"


def stats_tsv(vocab: GgramVocab) -> str:
    """``stats.tsv``: statistic and value, parameters first."""
    rows = [(f"param_{k}", v) for k, v in vars(vocab.params).items()]
    rows += list(vocab.stats.items())
    return "statistic\tvalue\n" + "".join(f"{k}\t{v}\n" for k, v in rows)


def write_vocab(
    vocab: GgramVocab,
    tokenizer,
    out_dir: str | os.PathLike,
    *,
    max_ngram_count: int = 30,
    plot: bool = True,
) -> dict[str, Path]:
    """Write ``vocab.tsv``, ``ngram.json``, ``stats.tsv`` (and ``ggram_lengths.png``)."""
    out = Path(out_dir)
    paths = {
        "vocab": out / "vocab.tsv",
        "ngram_json": out / "ngram.json",
        "stats": out / "stats.tsv",
    }
    write_text_atomic(paths["vocab"], vocab_tsv(vocab, tokenizer))
    write_text_atomic(paths["ngram_json"], ngram_json(vocab, tokenizer, max_ngram_count))
    write_text_atomic(paths["stats"], stats_tsv(vocab))
    if plot:
        paths["plot"] = out / "ggram_lengths.png"
        plot_vocab(vocab, paths["plot"])
    return paths


def plot_vocab(vocab: GgramVocab, path: str | os.PathLike) -> None:
    """Two panels: G-grams per length, and rank-frequency of the recounts (log-log)."""
    from genovocab.plotting import pyplot, save_png

    plt = pyplot()
    lengths = np.asarray([len(ng) for ng in vocab.ngrams], dtype=np.int64)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    span = np.arange(vocab.params.min_len, vocab.params.max_len + 1)
    ax1.bar(span, [int((lengths == k).sum()) for k in span], color="#4477aa")
    ax1.set_xlabel("G-gram length (tokens)")
    ax1.set_ylabel("G-grams in vocabulary (log)")
    ax1.set_yscale("log")
    ax1.set_xticks(span)
    if len(vocab):
        ax2.loglog(np.arange(1, len(vocab) + 1), vocab.frequency, color="#aa3377")
    ax2.set_xlabel("rank")
    ax2.set_ylabel("corpus frequency (recount)")
    fig.suptitle(f"{len(vocab)} G-grams (min PMI {vocab.params.min_pmi:g})")
    fig.tight_layout()
    save_png(fig, path, dpi=100)


def read_vocab_tsv(path: str | os.PathLike) -> GgramVocab:
    """A vocabulary from ``vocab.tsv`` (ids must be 1..n in order)."""
    ngrams, freqs, pmis = [], [], []
    with open_text(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:2] != ["id", "token_ids"]:
            raise InputError(
                path, "not a G-gram vocab.tsv (header must start id, token_ids)", line=1
            )
        col = {name: i for i, name in enumerate(header)}
        for number, line in enumerate(handle, 2):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            try:
                gid = int(parts[0])
                ng = tuple(int(t) for t in parts[1].split())
            except (ValueError, IndexError) as exc:
                raise InputError(path, f"bad G-gram row: {exc}", line=number) from exc
            if gid != len(ngrams) + 1:
                raise InputError(path, f"ids must be 1, 2, ... in order; found {gid}", line=number)
            if len(ng) < 2:
                raise InputError(path, "a G-gram needs at least 2 token ids", line=number)
            ngrams.append(ng)
            freqs.append(int(parts[col["frequency"]]) if "frequency" in col else 0)
            pmis.append(float(parts[col["min_pmi"]]) if "min_pmi" in col else math.nan)
    lens = [len(n) for n in ngrams] or [2]
    params = GgramParams(min_len=min(lens), max_len=max(max(lens), min(lens)))
    return GgramVocab(ngrams, np.asarray(freqs, np.int64), np.asarray(pmis), params)


def read_ngram_json(path: str | os.PathLike, tokenizer) -> GgramVocab:
    """A vocabulary from DNAZEN's ``ngram.json`` (token strings mapped through ``tokenizer``)."""
    with open_text(path) as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if "vocab" not in data:
        raise InputError(path, "no 'vocab' key: not an ngram.json")
    items = sorted(data["vocab"].items(), key=lambda kv: kv[1])
    ngrams = []
    for text, gid in items:
        ids = []
        for t in text.split(" "):
            tid = tokenizer.token_to_id(t)
            if tid is None:
                raise InputError(
                    path,
                    f"G-gram {text!r} (id {gid}) has token {t!r} not in the tokenizer vocabulary",
                )
            ids.append(tid)
        ngrams.append(tuple(ids))
    if [gid for _, gid in items] != list(range(1, len(items) + 1)):
        raise InputError(path, "G-gram ids must be 1..n")
    params = GgramParams(
        min_len=int(data.get("min_ngram_len", 2)), max_len=int(data.get("max_ngram_len", 5))
    )
    return GgramVocab(ngrams, np.zeros(len(ngrams), np.int64), np.full(len(ngrams), np.nan), params)
