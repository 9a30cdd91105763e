"""SequenceTokenizer returns DNAZEN's NgramTokenizer output (Mao et al.), key for key.

``dnazen_reference`` is a plain re-typing of the algorithm of DNAZEN's
``NgramTokenizer._tokenize_and_match_ngrams`` (token strings, space-joined G-gram lookup,
one row per distinct G-gram with the union of its positions, rows by first position, cap,
padding to ``max_ngram_count`` or one padding row), checked on 200 real windows of hg19 chr1.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pytest

from genovocab.sequence import bpe, ggram
from genovocab.sequence.ggram import GgramParams
from genovocab.tokenizers import SequenceTokenizer


def dnazen_reference(
    tokens: list[str],
    ngram_vocab: dict[str, int],
    token_id: dict[str, int],
    max_seq_length: int,
    pad: bool,
    max_count: int,
    min_len: int = 2,
    max_len: int = 5,
) -> dict[str, list]:
    """DNAZEN's output for already-tokenized content (token strings), re-typed plainly."""
    tokens = tokens[: max_seq_length - 2]
    seq = ["[CLS]", *tokens, "[SEP]"]
    if pad and len(seq) < max_seq_length:
        seq = seq + ["[PAD]"] * (max_seq_length - len(seq))
    n = len(seq)
    input_ids = [token_id[t] for t in seq]
    attention_mask = [0 if t == "[PAD]" else 1 for t in seq]
    positions: dict[int, set[int]] = {}  # insertion order = first occurrence
    for start in range(len(tokens)):
        for length in range(min_len, max_len + 1):
            if start + length > len(tokens):
                break
            gid = ngram_vocab.get(" ".join(tokens[start : start + length]))
            if gid is not None:
                positions.setdefault(gid, set()).update(range(start + 1, start + length + 1))
    rows = sorted(positions, key=lambda g: min(positions[g]))[:max_count]
    match = [[1 if p in positions[g] else 0 for p in range(n)] for g in rows]
    ngram_ids = list(rows)
    n_pad = max_count - len(rows) if pad else (1 if not rows else 0)
    ngram_ids += [0] * max(0, n_pad)
    match += [[0] * n for _ in range(max(0, n_pad))]
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "ngram_input_ids": ngram_ids,
        "ngram_attention_match": match,
        "ngram_attention_mask": [1 if g != 0 else 0 for g in ngram_ids],
    }


def read_fasta_gz(path: Path) -> str:
    with gzip.open(path, "rt") as handle:
        return "".join(line.strip() for line in handle if not line.startswith(">")).upper()


@pytest.fixture(scope="module")
def real(tmp_path_factory, real_data):
    genome = read_fasta_gz(real_data / "misc/hg19_chr1_1-2000000.fa.gz")
    rng = random.Random(11)
    # BPE + G-grams trained on 300 kbp of gap-free 1 kbp lines
    lines = []
    while len(lines) < 300:
        s = rng.randrange(0, len(genome) - 1000)
        w = genome[s : s + 1000]
        if set(w) <= set("ACGT"):
            lines.append(w)
    root = tmp_path_factory.mktemp("dnazen")
    (root / "train.txt").write_text("\n".join(lines) + "\n")
    tok = bpe.train_bpe([root / "train.txt"], vocab_size=512)
    ids, offsets = bpe.encode_ids(tok, lines)
    vocab = ggram.extract_ggrams(
        ids,
        offsets,
        vocab_size=tok.get_vocab_size(),
        params=GgramParams(min_pmi=1.0, min_token_count=3, min_ngram_freq=3),
    )
    st = SequenceTokenizer(tok, vocab, max_ngrams=30, model_max_length=128)
    st.save_pretrained(root / "folder")
    # 200 windows of 600 bp anywhere (N runs included)
    windows = [
        genome[s : s + 600] for s in (rng.randrange(0, len(genome) - 600) for _ in range(200))
    ]
    return root, st, windows


def _reference_inputs(st, folder):
    import json

    data = json.loads((folder / "ngram.json").read_text())
    return data["vocab"], st.get_vocab(), data["max_ngram_count"]


@pytest.mark.parametrize("cap", [5, 30])
@pytest.mark.parametrize("pad", [False, True])
def test_equals_dnazen_on_real_windows(real, cap, pad):
    root, st, windows = real
    ngram_vocab, token_id, saved_cap = _reference_inputs(st, root / "folder")
    assert saved_cap == 30
    kwargs = {"padding": "max_length"} if pad else {}
    out = st(windows, truncation=True, max_length=128, max_ngrams=cap, **kwargs)
    n_rows_capped = 0
    for i, w in enumerate(windows):
        tokens = st.tokenizer.encode(w, add_special_tokens=False).tokens
        ref = dnazen_reference(tokens, ngram_vocab, token_id, 128, pad, cap)
        got = {k: out[k][i] for k in ref}
        assert got == ref, f"window {i}"
        n_rows_capped += sum(ref["ngram_attention_mask"]) == cap
    assert n_rows_capped > 0  # the cap binds on some windows
    if pad:
        arr = st(
            windows[:3],
            padding="max_length",
            truncation=True,
            max_length=128,
            max_ngrams=cap,
            return_tensors="np",
        )
        assert arr["ngram_attention_match"].shape == (3, cap, 128)


def test_loads_in_transformers_and_dnazen_layout(real):
    transformers = pytest.importorskip("transformers")
    root, st, windows = real
    fast = transformers.AutoTokenizer.from_pretrained(str(root / "folder"))
    for w in windows[:20]:
        assert fast(w)["input_ids"][:128] == st(w, truncation=False)["input_ids"][:128]
        ids = fast(w)["input_ids"]
        assert fast.decode(ids, skip_special_tokens=True) == st.decode(ids)
    acgt = next(w for w in windows if set(w) <= set("ACGT"))
    assert fast.decode(fast(acgt)["input_ids"], skip_special_tokens=True) == acgt
    back = SequenceTokenizer.from_pretrained(root / "folder")
    assert back.max_ngrams == 30 and back(windows[:5]) == st(windows[:5])
    assert sorted(p.name for p in (root / "folder").iterdir()) == [
        "ggram_vocab.tsv",
        "ngram.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert np.all(
        np.asarray(st(windows[:2], padding=True, return_tensors="np")["ngram_attention_mask"]).sum(
            axis=1
        )
        >= 0
    )
