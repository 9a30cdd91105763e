"""PMI G-gram extraction: the paper's worked example, a plain-Python reference, files."""

from __future__ import annotations

import gzip
import json
import math
import random

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.sequence import ggram
from genovocab.sequence.ggram import GgramParams, extract_ggrams


# ----------------------------------------------------------------- plain-Python reference
def reference_extract(seqs, min_pmi=2.0, min_token_count=5, min_ngram_freq=5, min_len=2, max_len=5):
    """DNAZEN's G-grams with loops and dicts; returns [(tuple, recount)] in vocab order."""
    uni, pairs = {}, {}
    n = 0
    for s in seqs:
        for i, t in enumerate(s):
            uni[t] = uni.get(t, 0) + 1
            n += 1
            if i + 1 < len(s):
                pairs[(t, s[i + 1])] = pairs.get((t, s[i + 1]), 0) + 1

    def kept(a, b):
        c = pairs[(a, b)]
        # PMI = log2 N + log2 c(ab) - log2 c(a) - log2 c(b) >= min_pmi, tested exactly
        return c >= min_token_count and n * c >= 2**min_pmi * uni[a] * uni[b]

    cands = {}
    for s in seqs:
        runs, cur = [], [s[0]] if s else []
        for i in range(1, len(s)):
            if kept(s[i - 1], s[i]):
                cur.append(s[i])
            else:
                runs.append(cur)
                cur = [s[i]]
        if cur:
            runs.append(cur)  # the last run counts too
        for run in runs:
            for k in range(0, len(run), max_len):
                piece = tuple(run[k : k + max_len])
                if len(piece) >= max(2, min_len):
                    cands[piece] = cands.get(piece, 0) + 1
    survivors = [c for c, f in cands.items() if f >= min_ngram_freq]
    # recount: every window of every survivor length, anywhere in a sequence (overlaps count)
    recount = dict.fromkeys(survivors, 0)
    for length in sorted({len(g) for g in survivors}):
        for s in seqs:
            for i in range(len(s) - length + 1):
                window = tuple(s[i : i + length])
                if window in recount:
                    recount[window] += 1
    out = [(g, c) for g, c in recount.items() if c >= min_ngram_freq]
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


def to_stream(seqs):
    ids = np.asarray([t for s in seqs for t in s], dtype=np.uint16)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(np.int64)
    return ids, offsets


def ours(seqs, vocab_size, **kw):
    ids, offsets = to_stream(seqs)
    v = extract_ggrams(ids, offsets, vocab_size=vocab_size, params=GgramParams(**kw))
    return v, list(zip(v.ngrams, v.frequency.tolist()))


def markov_corpus(rng, n_seqs, vocab, length_range, sticky=0.6):
    """Random sequences with some strongly associated successors (so G-grams exist)."""
    succ = {t: rng.randrange(vocab) for t in range(vocab)}
    seqs = []
    for _ in range(n_seqs):
        n = rng.randint(*length_range)
        s = [rng.randrange(vocab)]
        while len(s) < n:
            s.append(succ[s[-1]] if rng.random() < sticky else rng.randrange(vocab))
        seqs.append(s)
    return seqs


# ----------------------------------------------------------------- the paper's worked example
def test_paper_worked_example():
    """ATA / CGGT / TGTA / GGTT / AGGA with PMIs 0.7, 1.3, 1.1, 0.1 at threshold 1.

    Token ids: ATA=0, CGGT=1, TGTA=2, GGTT=3, AGGA=4. The example sequence 6 times, plus
    single-token sequences (never paired) so that the unigram counts are 75, 49, 49, 57, 98 and
    N = 1000 (filler token 5): PMI(x, y) = log2(1000 * 6 / (c_x c_y)) = 0.707, 1.321, 1.103,
    0.103.
    """
    counts = {0: 75, 1: 49, 2: 49, 3: 57, 4: 98}
    pair = 6
    n = 1000
    filler = n - sum(counts.values())
    pmi = [
        math.log2(n * pair / (counts[a] * counts[b])) for a, b in [(0, 1), (1, 2), (2, 3), (3, 4)]
    ]
    assert [round(p, 1) for p in pmi] == [0.7, 1.3, 1.1, 0.1]
    seqs = [[0, 1, 2, 3, 4] for _ in range(pair)]
    for t, c in counts.items():
        seqs += [[t] for _ in range(c - pair)]
    seqs += [[5] for _ in range(filler)]
    assert sum(len(s) for s in seqs) == n
    v, got = ours(seqs, 8, min_pmi=1.0, min_token_count=1, min_ngram_freq=1)
    assert got == [((1, 2, 3), 6)]  # CGGT TGTA GGTT
    assert v.min_pmi[0] == pytest.approx(min(pmi[1], pmi[2]))
    assert v.stats["boundaries"] == 24 and v.stats["boundaries_kept"] == 12
    assert got == reference_extract(seqs, min_pmi=1.0, min_token_count=1, min_ngram_freq=1)


# ----------------------------------------------------------------- hand-computed edge cases
def test_long_run_cut_into_max_len_pieces_and_last_run_counts():
    # one token type repeated with a perfect successor chain 0->1->...->11: every boundary kept
    chain = list(range(12))
    seqs = [chain] * 3 + [[20], [21], [22], [23]]
    v, got = ours(seqs, 32, min_pmi=0.0, min_token_count=1, min_ngram_freq=1)
    # run of 12 -> pieces (0..4), (5..9), (10, 11); all recounted 3 times
    assert set(v.ngrams) == {(0, 1, 2, 3, 4), (5, 6, 7, 8, 9), (10, 11)}
    assert got == [((0, 1, 2, 3, 4), 3), ((5, 6, 7, 8, 9), 3), ((10, 11), 3)]
    # a last piece shorter than min_len is dropped
    _, got3 = ours(seqs, 32, min_pmi=0.0, min_token_count=1, min_ngram_freq=1, min_len=3)
    assert got3 == [((0, 1, 2, 3, 4), 3), ((5, 6, 7, 8, 9), 3)]


def test_pairs_never_cross_sequences():
    # (1, 2) is adjacent only across a sequence boundary: never a pair, never a G-gram
    seqs = [[0, 1], [2, 3]] * 10
    v, got = ours(seqs, 8, min_pmi=0.0, min_token_count=1, min_ngram_freq=1)
    assert v.stats["boundaries"] == 20
    assert got == [((0, 1), 10), ((2, 3), 10)]


def test_recount_counts_overlapping_occurrences():
    # candidates (7, 7) arise from runs; recount counts every overlapping occurrence
    seqs = [[7, 7, 7]] * 4 + [[1], [2], [3], [4], [5], [6]] * 3
    ref = reference_extract(seqs, min_pmi=0.0, min_token_count=1, min_ngram_freq=1)
    _, got = ours(seqs, 8, min_pmi=0.0, min_token_count=1, min_ngram_freq=1)
    assert got == ref == [((7, 7, 7), 4)]
    # with max_len 2 the run of 3 gives one piece (7, 7) per sequence: recount 8 (overlaps)
    _, got2 = ours(seqs, 8, min_pmi=0.0, min_token_count=1, min_ngram_freq=1, max_len=2)
    assert got2 == [((7, 7), 8)]


def test_ties_broken_by_token_ids_and_ids_start_at_one():
    seqs = [[3, 4], [1, 2], [5, 6, 7]] * 5 + [[9]] * 20
    v, got = ours(seqs, 16, min_pmi=1.0, min_token_count=1, min_ngram_freq=1)
    assert got == [((1, 2), 5), ((3, 4), 5), ((5, 6, 7), 5)]
    assert v.as_dict() == {(1, 2): 1, (3, 4): 2, (5, 6, 7): 3}


# ----------------------------------------------------------------- reference equality
@pytest.mark.parametrize("seed", range(8))
def test_matches_reference_on_random_corpora(seed):
    rng = random.Random(seed)
    vocab = rng.choice([12, 40, 200])
    seqs = markov_corpus(rng, rng.randint(20, 120), vocab, (0, 60), sticky=rng.random())
    kw = dict(
        min_pmi=rng.choice([0.0, 1.0, 2.0, 1.5, -1.0]),
        min_token_count=rng.randint(1, 4),
        min_ngram_freq=rng.randint(1, 4),
        min_len=rng.choice([2, 2, 3]),
        max_len=rng.choice([3, 4, 5]),
    )
    if kw["max_len"] < kw["min_len"]:
        kw["max_len"] = kw["min_len"]
    _, got = ours(seqs, vocab, **kw)
    ref = reference_extract(seqs, **kw)
    assert got == ref
    assert len(ref) > 0 or seed > 3


@pytest.mark.parametrize("vocab_size, max_len", [(16, 5), (8192, 4)])
@pytest.mark.parametrize("seqs", [[], [[3]], [[], []], [[1], [2]], [[1, 2]]])
def test_degenerate_corpora(seqs, vocab_size, max_len):
    v, got = ours(
        seqs, vocab_size, min_pmi=0.0, min_token_count=1, min_ngram_freq=1, max_len=max_len
    )
    assert got == reference_extract(
        seqs, min_pmi=0.0, min_token_count=1, min_ngram_freq=1, max_len=max_len
    )
    assert v.stats["boundaries"] == sum(max(0, len(s) - 1) for s in seqs)


def test_pmi_threshold_is_exact_even_beyond_int64():
    """N * c(ab) >= 2**t * c(a) * c(b) with products past 2**62 (exact Python integers)."""
    keys = np.array([0 * 4 + 1, 2 * 4 + 3], dtype=np.int64)  # pairs (0, 1) and (2, 3)
    counts = np.array([5 * 10**8, 5 * 10**8], dtype=np.int64)
    unigram = np.array([2 * 10**9, 2 * 10**9, 10**9, 10**9], dtype=np.int64)
    n = 10**10  # N*c = 5e18; c(a)c(b) = 4e18 and 1e18
    keep = ggram.kept_pair_types(keys, counts, unigram, n, 4, GgramParams(min_pmi=0.0))
    assert keep.tolist() == [True, True]
    keep = ggram.kept_pair_types(keys, counts, unigram, n, 4, GgramParams(min_pmi=1.0))
    assert keep.tolist() == [False, True]  # 5e18 < 8e18; 5e18 >= 2e18
    keep = ggram.kept_pair_types(keys, counts, unigram, n, 4, GgramParams(min_pmi=2.0))
    assert keep.tolist() == [False, True]  # 5e18 >= 4e18
    keep = ggram.kept_pair_types(
        keys, counts, unigram, n, 4, GgramParams(min_pmi=2.0, min_token_count=10**9)
    )
    assert keep.tolist() == [False, False]


def test_matches_reference_with_a_large_vocabulary():
    """8192 token ids (13-bit keys, max_len 4): same answer as the reference."""
    rng = random.Random(11)
    seqs = markov_corpus(rng, 150, 8192, (5, 60), sticky=0.7)
    seqs = [[t % 40 + 8150 if i % 3 else t for i, t in enumerate(s)] for s in seqs]
    kw = dict(min_pmi=1.0, min_token_count=2, min_ngram_freq=2, max_len=4)
    _, got = ours(seqs, 8192, **kw)
    assert got == reference_extract(seqs, **kw) and len(got) > 0


@pytest.mark.realdata
def test_matches_reference_on_real_bpe_tokens(real_data, tmp_path):
    """BPE (4096) tokens of the real 2 Mbp of hg19 chr1: ours == the reference, exactly."""
    from genovocab.sequence import bpe, windows

    path = real_data / "misc" / "hg19_chr1_1-2000000.fa.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with gzip.open(path, "rt") as handle:
        seq = "".join(line.strip() for line in handle if not line.startswith(">"))
    pieces = [
        seq[s:e] for s, e in windows.tile_segments(windows.acgt_segments(seq, 100), 1000, 100)
    ]
    windows.write_lines(tmp_path / "train.txt", pieces)
    tok = bpe.train_bpe([tmp_path / "train.txt"], vocab_size=4096)
    ids, offsets = bpe.encode_ids(tok, pieces)
    seqs = [ids[offsets[i] : offsets[i + 1]].tolist() for i in range(len(pieces))]
    kw = dict(min_pmi=2.0, min_token_count=5, min_ngram_freq=5)
    v = extract_ggrams(ids, offsets, vocab_size=tok.get_vocab_size(), params=GgramParams(**kw))
    ref = reference_extract(seqs, **kw)
    assert list(zip(v.ngrams, v.frequency.tolist())) == ref
    assert len(ref) > 1000


# ----------------------------------------------------------------- packing and errors
def test_pack_roundtrip_and_key_order_is_tuple_order():
    bits = ggram.key_bits(4096, 5)
    assert bits == 12
    a, b = (4095, 0, 17, 3, 4095), (4095, 1, 0, 0, 0)
    assert ggram.unpack(ggram.pack(a, bits), 5, bits) == a
    assert (ggram.pack(a, bits) < ggram.pack(b, bits)) == (a < b)


def test_too_large_vocabulary_for_packing():
    with pytest.raises(ValueError, match="do not pack into an int64 key"):
        ggram.key_bits(8192, 5)


def test_bad_params_and_ids():
    with pytest.raises(ValueError, match="min_len must be at least 2"):
        extract_ggrams(
            np.zeros(3, np.uint16), np.array([0, 3]), vocab_size=4, params=GgramParams(min_len=1)
        )
    with pytest.raises(ValueError, match="not below vocab_size"):
        extract_ggrams(np.array([9], np.uint16), np.array([0, 1]), vocab_size=4)
    with pytest.raises(ValueError, match="offsets do not describe"):
        extract_ggrams(np.zeros(3, np.uint16), np.array([0, 2]), vocab_size=4)


class _FakeTok:
    def __init__(self, vocab):
        self.vocab = vocab
        self.inv = {v: k for k, v in vocab.items()}

    def id_to_token(self, i):
        return self.inv[i]

    def token_to_id(self, t):
        return self.vocab.get(t)


def test_files_roundtrip(tmp_path):
    tok = _FakeTok({"[UNK]": 0, "A": 1, "CG": 2, "TTA": 3, "G": 4})
    seqs = [[1, 2, 3], [2, 3, 4]] * 6 + [[4]] * 30
    v, _ = ours(seqs, 5, min_pmi=1.0, min_token_count=2, min_ngram_freq=2)
    paths = ggram.write_vocab(v, tok, tmp_path, max_ngram_count=7)
    lines = paths["vocab"].read_text().splitlines()
    assert lines[0] == "id\ttoken_ids\ttokens\tdna\tfrequency\tmin_pmi"
    row = lines[1].split("\t")
    assert row[:5] == ["1", "2 3", "CG TTA", "CGTTA", "12"]
    data = json.loads(paths["ngram_json"].read_text())
    assert data["vocab"]["CG TTA"] == 1 and data["pad_ngram_id"] == 0
    assert data["max_ngram_count"] == 7 and data["ngram_size"] == len(v) + 1
    back = ggram.read_vocab_tsv(paths["vocab"])
    assert back.ngrams == v.ngrams and back.frequency.tolist() == v.frequency.tolist()
    assert ggram.read_ngram_json(paths["ngram_json"], tok).ngrams == v.ngrams
    assert "share_boundaries_cut" in paths["stats"].read_text()
    assert paths["plot"].read_bytes()[:4] == b"\x89PNG"


def test_bad_vocab_files(tmp_path):
    bad = tmp_path / "vocab.tsv"
    bad.write_text("id\ttoken_ids\n1\t3 4\n3\t5 6\n")
    with pytest.raises(InputError, match=r"vocab.tsv, line 3: ids must be 1, 2, ... in order"):
        ggram.read_vocab_tsv(bad)
    bad.write_text("foo\tbar\n")
    with pytest.raises(InputError, match="line 1: not a G-gram vocab.tsv"):
        ggram.read_vocab_tsv(bad)
    bad.write_text("id\ttoken_ids\n1\t3 x\n")
    with pytest.raises(InputError, match="line 2: bad G-gram row"):
        ggram.read_vocab_tsv(bad)
    js = tmp_path / "ngram.json"
    js.write_text('{"vocab": {"A ZZ": 1}}')
    with pytest.raises(InputError, match="token 'ZZ' not in the tokenizer vocabulary"):
        ggram.read_ngram_json(js, _FakeTok({"A": 1}))
