"""SequenceTokenizer: G-gram matching vs brute force, HF-shaped outputs, loading."""

from __future__ import annotations

import random

import numpy as np
import pytest
from tokenizers import Tokenizer

from genovocab.errors import InputError
from genovocab.sequence import bpe, ggram
from genovocab.sequence.ggram import GgramParams, GgramVocab
from genovocab.tokenizers import SequenceTokenizer
from genovocab.tokenizers.sequence import GgramMatcher, matching_matrix  # noqa: F401


def brute_force(tokens, vocab: dict, min_len, max_len, cap=None):
    """Every start, every length (DNAZEN's loop order): (id, position, length)."""
    found = []
    for start in range(len(tokens)):
        for length in range(min_len, max_len + 1):
            if start + length > len(tokens):
                break
            gid = vocab.get(tuple(tokens[start : start + length]))
            if gid is not None:
                found.append((gid, start, length))
    return found if cap is None else found[:cap]


def random_vocab(rng, n, vocab_size, max_len=5):
    ngrams = set()
    while len(ngrams) < n:
        length = rng.randint(2, max_len)
        ngrams.add(tuple(rng.randrange(vocab_size) for _ in range(length)))
    ngrams = sorted(ngrams)
    rng.shuffle(ngrams)
    return GgramVocab(ngrams, np.ones(n, np.int64), np.zeros(n))


@pytest.mark.parametrize("seed", range(6))
def test_matcher_equals_brute_force(seed):
    rng = random.Random(seed)
    # 8192 ids: the sparse (binary search) prefix path instead of the dense table
    vocab_size = [6, 20, 4096, 8192, 4096, 8192][seed]
    max_len = 4 if vocab_size > 4096 else 5
    alphabet = min(vocab_size, 6)  # small alphabet so that G-grams occur, overlaps included
    v = random_vocab(rng, rng.randint(5, 60), alphabet, max_len)
    if (vocab_size - 1, 0) not in v.ngrams:
        v.ngrams[0] = (vocab_size - 1, 0)  # the largest id packs too
    matcher = GgramMatcher(v, vocab_size)
    assert (matcher.prefix_table is None) == (vocab_size > 4096)
    d = v.as_dict()
    seqs = [[rng.randrange(alphabet) for _ in range(rng.randint(0, 80))] for _ in range(30)]
    seqs.append([vocab_size - 1, 0, 1, vocab_size - 1, 0])
    cap = rng.choice([None, 3, 30])
    for s in seqs:
        assert matcher.match(s, cap) == brute_force(s, d, 2, max_len, cap)
    # the batched stream gives the same, per sequence
    ids = np.asarray([t for s in seqs for t in s], dtype=np.uint16)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])])
    m = matcher.match_stream(ids, offsets, cap)
    for i, s in enumerate(seqs):
        sel = m.seq == i
        got = list(zip(m.ngram_id[sel].tolist(), m.position[sel].tolist(), m.length[sel].tolist()))
        assert got == brute_force(s, d, 2, max_len, cap)


def test_matcher_errors():
    v = GgramVocab([(1, 9)], np.ones(1, np.int64), np.zeros(1))
    with pytest.raises(ValueError, match="token id outside the 8-token vocabulary"):
        GgramMatcher(v, 8)
    with pytest.raises(ValueError, match=r"G-gram \(1, 2\) is listed twice \(ids 1 and 3\)"):
        GgramMatcher(GgramVocab([(1, 2), (2, 3), (1, 2)], np.ones(3), np.zeros(3)), 8)
    m = GgramMatcher(v, 16)
    with pytest.raises(ValueError, match="not below 16"):
        m.match([1, 20])
    with pytest.raises(ValueError, match="offsets do not describe"):
        m.match_stream(np.array([1, 9]), np.array([0, 3]))


def test_matching_matrix_by_hand():
    mat = matching_matrix(6, [1, 2, 0], [3, 2, 0], [1, 1, 0])
    assert mat.shape == (6, 3)
    assert mat[:, 0].tolist() == [0, 1, 1, 1, 0, 0]
    assert mat[:, 1].tolist() == [0, 0, 1, 1, 0, 0]
    assert mat[:, 2].tolist() == [0] * 6


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small BPE on random-ish DNA with repeats, its G-grams, and the saved folders."""
    rng = random.Random(7)
    motifs = ["TATAAAAG", "GGGCGGGGC", "CCAATCA", "TTGACTCAT"]
    lines = []
    for _ in range(400):
        parts = [
            rng.choice(motifs)
            if rng.random() < 0.3
            else "".join(rng.choice("ACGT") for _ in range(rng.randint(3, 12)))
            for _ in range(40)
        ]
        lines.append("".join(parts))
    root = tmp_path_factory.mktemp("bpe")
    (root / "train.txt").write_text("\n".join(lines) + "\n")
    tok = bpe.train_bpe([root / "train.txt"], vocab_size=300)
    bpe.save_tokenizer_folder(tok, root / "bpe", model_max_length=64)
    ids, offsets = bpe.encode_ids(tok, lines)
    v = ggram.extract_ggrams(
        ids,
        offsets,
        vocab_size=tok.get_vocab_size(),
        params=GgramParams(min_pmi=1.0, min_token_count=3, min_ngram_freq=3),
    )
    ggram.write_vocab(v, tok, root / "ggram", max_ngram_count=30, plot=False)
    return root, tok, v, lines


def test_bpe_layout_specials_and_template(trained):
    root, tok, _, lines = trained
    loaded = Tokenizer.from_file(str(root / "bpe" / "tokenizer.json"))
    assert [loaded.id_to_token(i) for i in range(5)] == list(bpe.SPECIAL_TOKENS)
    enc = loaded.encode(lines[0])
    assert enc.ids[0] == 1 and enc.ids[-1] == 2  # [CLS] ... [SEP]
    assert enc.ids == tok.encode(lines[0]).ids
    assert "".join(enc.tokens[1:-1]) == lines[0]
    assert loaded.encode(lines[0].lower()).ids == enc.ids  # lower case normalised
    assert loaded.encode("ACGNNT").tokens[1:-1].count("[UNK]") >= 1
    for name in bpe.TOKENIZER_FILES:
        assert (root / "bpe" / name).is_file()


def test_bpe_rebuild_is_byte_identical(trained, tmp_path):
    root, _, _, _ = trained
    tok2 = bpe.train_bpe([root / "train.txt"], vocab_size=300)
    bpe.save_tokenizer_folder(tok2, tmp_path / "again", model_max_length=64)
    for name in bpe.TOKENIZER_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (root / "bpe" / name).read_bytes()


def test_build_bpe_folder_is_the_one_bpe_step(trained, tmp_path, monkeypatch):
    """CLI and workflow call build_bpe_folder: it gives the same folder as train + save, and its
    bp-per-token figure is the plain mean over the first STAT_LINES lines."""
    root, _, _, _ = trained
    monkeypatch.setattr(bpe, "STAT_LINES", 3)
    tok, bp_per_token = bpe.build_bpe_folder(
        [root / "train.txt"], tmp_path / "built", vocab_size=300, model_max_length=64
    )
    for name in bpe.TOKENIZER_FILES:
        assert (tmp_path / "built" / name).read_bytes() == (root / "bpe" / name).read_bytes()
    first = [
        line.strip().upper()
        for line in (root / "train.txt").read_text().splitlines()
        if line.strip()
    ][:3]
    n_tokens = sum(len(tok.encode(line, add_special_tokens=False).ids) for line in first)
    assert bp_per_token == pytest.approx(sum(map(len, first)) / n_tokens)


def test_transformers_loads_folder_when_installed(trained):
    transformers = pytest.importorskip("transformers")
    root, tok, _, lines = trained
    fast = transformers.AutoTokenizer.from_pretrained(str(root / "bpe"))
    assert fast(lines[1])["input_ids"] == tok.encode(lines[1]).ids
    assert fast.pad_token_id == 3 and fast.mask_token_id == 4


def test_tokenizer_rows_are_distinct_ggrams_with_union(trained):
    root, tok, v, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    assert len(v) > 5 and st.ngram_vocab_size == len(v) + 1
    assert st.model_max_length == 64 and st.max_ngrams == 30
    out = st(lines[:20], max_ngrams=5, return_ngram_positions=True, truncation=True)
    d = v.as_dict()
    for i, line in enumerate(lines[:20]):
        content = tok.encode(line, add_special_tokens=False).ids[:62]
        assert out["input_ids"][i] == [1, *content, 2]
        occ = brute_force(content, d, 2, 5)
        rows: list[int] = []
        for g, _, _ in occ:
            if g not in rows:
                rows.append(g)
        rows = rows[:5]
        assert out["ngram_input_ids"][i] == (rows or [0])
        assert out["ngram_attention_mask"][i] == ([1] * len(rows) or [0])
        for r, g in enumerate(rows):
            cover = {p + 1 + k for gg, p, n in occ if gg == g for k in range(n)}
            assert out["ngram_attention_match"][i][r] == [
                1 if j in cover else 0 for j in range(len(content) + 2)
            ]
            first = next((p, n) for gg, p, n in occ if gg == g)
            assert (out["ngram_positions"][i][r], out["ngram_lengths"][i][r]) == (
                first[0] + 1,
                first[1],
            )
    assert any(len(x) == 5 for x in out["ngram_input_ids"])  # the cap was reached somewhere
    st2 = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram" / "ngram.json")
    assert (
        st2(lines[:5], max_ngrams=5)["ngram_input_ids"]
        == st(lines[:5], max_ngrams=5)["ngram_input_ids"]
    )


def test_padding_truncation_and_single(trained):
    root, tok, v, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    batch = [lines[0][:40], lines[1][:200]]
    out = st(
        batch,
        padding="max_length",
        truncation=True,
        max_length=24,
        max_ngrams=4,
        return_tensors="np",
    )
    assert out["input_ids"].shape == (2, 24) and out["ngram_input_ids"].shape == (2, 4)
    assert out["ngram_attention_match"].shape == (2, 4, 24)
    content = tok.encode(batch[1], add_special_tokens=False).ids[:22]
    assert out["input_ids"][1].tolist() == [1, *content, 2]
    n0 = len(tok.encode(batch[0], add_special_tokens=False).ids)
    assert out["attention_mask"][0].tolist() == [1] * (n0 + 2) + [0] * (22 - n0)
    assert (out["input_ids"][0][n0 + 2 :] == 3).all()
    assert out["ngram_attention_match"][:, :, 0].sum() == 0  # [CLS] column
    longest = st(batch, padding=True)
    assert len(longest["input_ids"][0]) == len(longest["input_ids"][1])
    one = st(lines[2][:50], add_special_tokens=False)
    assert one["input_ids"] == tok.encode(lines[2][:50], add_special_tokens=False).ids
    assert st.decode(st.encode(lines[3])) == lines[3]
    assert st.batch_decode(out["input_ids"])[1] == st.decode(out["input_ids"][1])
    with pytest.raises(ValueError, match="padding=True"):
        st(batch, return_tensors="np")
    with pytest.raises(ValueError, match="padding must be"):
        st(batch, padding="sideways")
    # token-id input (a corpus row) gives the same as the DNA
    ids = tok.encode(lines[4], add_special_tokens=False).ids
    assert st(ids, truncation=True) == st(lines[4], truncation=True)


def test_n_runs_counts_by_hand(trained):
    root, tok, _, _ = trained
    dna = "ACGT" + "N" * 50 + "acgt" + "NRN" + "TTGA" + "nnnn"
    for mode, n_unk in (("unk_run", 3), ("unk_base", 57), ("drop", 0)):
        st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram", n_runs=mode)
        ids = st(dna, add_special_tokens=False).input_ids
        assert ids.count(st.unk_token_id) == n_unk, mode
        assert st.decode(ids).replace("[UNK]", "") == "ACGTACGTTTGA"
    # drop: the pieces are tokenized separately (no token spans the gap)
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram", n_runs="drop")
    pieces = [tok.encode(p, add_special_tokens=False).ids for p in ("ACGT", "ACGT", "TTGA")]
    assert st(dna, add_special_tokens=False).input_ids == [t for p in pieces for t in p]
    with pytest.raises(ValueError, match="n_runs"):
        SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram", n_runs="keep")


def test_transformers_decodes_without_spaces_and_keeps_n_runs(trained, tmp_path):
    transformers = pytest.importorskip("transformers")
    root, _, _, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    st.save_pretrained(tmp_path / "f")
    fast = transformers.AutoTokenizer.from_pretrained(str(tmp_path / "f"))
    ids = fast(lines[0])["input_ids"]
    assert fast.decode(ids, skip_special_tokens=True) == lines[0]
    dna = "ACGT" + "N" * 20 + "ACGT"
    assert fast(dna)["input_ids"] == st(dna).input_ids
    assert fast(dna)["input_ids"].count(0) == 1


def test_collators_and_dataloader(trained):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    root, _, _, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    feats = [st(x[:150], truncation=True) for x in lines[:6]]
    pad = transformers.DataCollatorWithPadding(st)
    loader = torch.utils.data.DataLoader(feats, batch_size=3, collate_fn=pad)
    batch = next(iter(loader))
    direct = st([x[:150] for x in lines[:3]], padding=True, truncation=True, return_tensors="pt")
    for key in direct:
        assert torch.equal(batch[key], direct[key]), key
    # corpus rows (ids without specials) through pad() give the same layout
    rows = [
        {"input_ids": st.encode(x[:150], add_special_tokens=False), "label": 1} for x in lines[:3]
    ]
    from_rows = st.pad(rows, return_tensors="pt")
    for key in direct:
        assert torch.equal(from_rows[key], direct[key]), key
    assert from_rows["label"].tolist() == [1, 1, 1]
    mlm = transformers.DataCollatorForLanguageModeling(st, mlm_probability=0.2, seed=0)
    out = mlm([{"input_ids": f["input_ids"]} for f in feats[:3]])
    assert out["labels"].shape == out["input_ids"].shape


@pytest.mark.parametrize("seed", range(4))
def test_whole_ngram_masking_property(trained, seed):
    from genovocab.tokenizers.collators import NgramMaskingCollator

    root, _, _, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    feats = [st(x, truncation=True) for x in lines[:16]]
    coll = NgramMaskingCollator(st, mlm_probability=0.15, seed=seed, return_tensors="np")
    before = st.pad(feats, return_tensors="np")
    out = coll(feats)
    masked = out["labels"] != -100
    assert masked.any()
    assert (out["labels"][masked] == before["input_ids"][masked]).all()
    special = np.isin(before["input_ids"], [1, 2, 3])
    assert not (masked & special).any()
    match = before["ngram_attention_match"].astype(bool)
    for b in range(len(feats)):
        kept = [g for g in out["ngram_input_ids"][b].tolist() if g]
        dropped = []
        for r, g in enumerate(before["ngram_input_ids"][b].tolist()):
            if not g:
                continue
            cover = match[b, r]
            if (cover & masked[b]).any():
                assert (masked[b][cover]).all()  # a touched G-gram is masked whole
                dropped.append(g)
        expected = [g for g in before["ngram_input_ids"][b].tolist() if g and g not in dropped]
        assert kept == expected  # untouched rows stay, in order, at the front
        n = len(kept)
        assert out["ngram_attention_mask"][b].tolist() == [1] * n + [0] * (
            len(out["ngram_attention_mask"][b]) - n
        )
    # 80/10/10: about 80% of masked positions hold [MASK]
    big = NgramMaskingCollator(
        st, mlm_probability=0.5, seed=seed, return_tensors="np", whole_ngram_masking=False
    )(feats * 4)
    m = big["labels"] != -100
    share = float((big["input_ids"][m] == st.mask_token_id).mean())
    assert 0.74 < share < 0.86


def test_save_pretrained_roundtrip(trained, tmp_path):
    root, _, v, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram", max_ngrams=7)
    st.save_pretrained(tmp_path / "both")
    back = SequenceTokenizer.from_pretrained(tmp_path / "both")
    assert back.ggrams.ngrams == v.ngrams and back.max_ngrams == 7
    assert back(lines[:4]) == st(lines[:4])
    via_json = SequenceTokenizer.from_pretrained(
        tmp_path / "both", tmp_path / "both" / "ngram.json"
    )
    assert via_json.max_ngrams == 7 and via_json(lines[:4]) == st(lines[:4])


def test_loading_errors(tmp_path):
    with pytest.raises(InputError, match="tokenizer.json not found"):
        SequenceTokenizer.from_pretrained(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(InputError, match="not a tokenizers JSON file"):
        bpe.load_tokenizer(tmp_path)


def test_train_bpe_errors(tmp_path):
    with pytest.raises(InputError, match="training text file does not exist"):
        bpe.train_bpe([tmp_path / "missing.txt"])
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputError, match="training text file is empty"):
        bpe.train_bpe([tmp_path / "empty.txt"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"padding": "max_length", "truncation": True, "max_length": 40},
        {"padding": True, "truncation": True, "max_ngrams": 3, "return_ngram_positions": True},
        {"padding": True, "pad_to_multiple_of": 8, "max_length": 30},
        {"padding": "max_length", "max_length": 20, "truncation": True, "max_ngrams": 0},
    ],
)
def test_dense_path_equals_generic_path(trained, kwargs):
    root, _, _, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    batch = [lines[0][:120], lines[1][:10], "", lines[2][:300]]
    fast = st(batch, return_tensors="np", **kwargs)
    generic = st(batch, **kwargs)  # lists: the per-item path
    assert set(fast) == set(generic)
    for key in generic:
        assert fast[key].tolist() == generic[key], key


def test_padded_tensors_take_the_whole_batch_path(trained, monkeypatch):
    """``TokenizerBase.__call__`` hands padded tensors with special tokens to the sequence
    tokenizer's whole-batch path (``_padded_call``): the per-item path is not run, and the
    result is the per-item path's."""
    root, _, _, lines = trained
    st = SequenceTokenizer.from_pretrained(root / "bpe", root / "ggram")
    batch = [lines[0][:120], lines[1][:10]]
    options = {"padding": True, "max_ngrams": 2, "return_ngram_positions": True}
    generic = st(batch, **options)

    def per_item(*args, **kwargs):
        raise AssertionError("the per-item path was taken")

    monkeypatch.setattr(st, "_encode_batch", per_item)
    fast = st(batch, return_tensors="np", **options)
    assert set(fast) == set(generic) and "ngram_positions" in fast
    for key in generic:
        assert fast[key].tolist() == generic[key], key
    assert fast["ngram_input_ids"].shape[1] <= 2
    with pytest.raises(AssertionError, match="per-item path"):
        st(batch, return_tensors="np", padding=True, return_length=True)
    with pytest.raises(TypeError, match="max_ngramz"):
        st(batch, return_tensors="np", padding=True, max_ngramz=2)
