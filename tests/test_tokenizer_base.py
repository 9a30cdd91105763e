"""The shared tokenizer contract, on a toy subclass with the kinds of extra keys real
tokenizers have: a per-position float vector and a 2-D (rows x positions) match matrix."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from genovocab.tokenizers.base import BatchEncoding, KeySpec, TokenizerBase


class ToyTokenizer(TokenizerBase):
    """Letters a..e are ids 5..9; specials 0..4. ``vec``: 2 floats per position (id, -id);
    ``rows`` x positions ``match``: one row per distinct letter, 1 where it occurs."""

    default_special_tokens = {
        "unk_token": "[UNK]",
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "mask_token": "[MASK]",
    }

    def get_vocab(self):
        vocab = {t: i for i, t in enumerate(["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"])}
        vocab.update({c: 5 + i for i, c in enumerate("abcde")})
        return vocab

    def _split_batch(self, inputs):
        return ([inputs], False) if isinstance(inputs, str) else (list(inputs), True)

    def key_specs(self):
        specs = super().key_specs()
        specs["vec"] = KeySpec(axes=("seq", None), pad_value=0.0, dtype="float32")
        specs["match"] = KeySpec(axes=("row", "seq"), pad_value=0)
        return specs

    def _special_template(self):
        return [self.cls_token_id], [self.sep_token_id]

    def _axis_target(self, axis, sizes, options):
        if axis == "row" and options.padding == "max_length":
            return 3
        return super()._axis_target(axis, sizes, options)

    def _encode_batch(self, items, max_tokens):
        out = []
        for text in items:
            text = text[:max_tokens] if max_tokens is not None else text
            ids = np.asarray([self.convert_tokens_to_ids(c) for c in text], dtype=np.int64)
            letters = sorted(set(text))
            match = np.asarray(
                [[int(c == m) for c in text] for m in letters], dtype=np.int64
            ).reshape(len(letters), len(text))
            vec = np.stack([ids, -ids], axis=1).astype(np.float32).reshape(len(text), 2)
            out.append({"input_ids": ids, "vec": vec, "match": match})
        return out

    def convert_tokens_to_string(self, tokens):
        return "".join(tokens)


@pytest.fixture
def tok():
    return ToyTokenizer(model_max_length=6)


def test_single_item_lists_with_specials(tok):
    enc = tok("abca")
    assert isinstance(enc, BatchEncoding)
    assert enc.input_ids == [1, 5, 6, 7, 5, 2]
    assert enc["attention_mask"] == [1] * 6
    assert enc.vec == [[0, 0], [5, -5], [6, -6], [7, -7], [5, -5], [0, 0]]
    # rows a, b, c; [CLS]/[SEP] columns are 0
    assert enc.match == [[0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0]]
    assert tok("ab", add_special_tokens=False).input_ids == [5, 6]


def test_padding_longest_and_multiple(tok):
    enc = tok(["ab", "abcd"], padding=True, return_tensors="np")
    assert enc.input_ids.tolist() == [[1, 5, 6, 2, 3, 3], [1, 5, 6, 7, 8, 2]]
    assert enc.attention_mask.tolist() == [[1, 1, 1, 1, 0, 0], [1] * 6]
    assert enc.match.shape == (2, 4, 6)
    assert enc.match[0, 2:].sum() == 0  # padded rows
    assert enc.vec.dtype == np.float32 and enc.vec.shape == (2, 6, 2)
    enc = tok(["ab"], padding=True, pad_to_multiple_of=8, return_tensors="np")
    assert enc.input_ids.shape == (1, 8)


def test_padding_max_length_and_truncation(tok):
    enc = tok(["abcdeabcde", "a"], padding="max_length", truncation=True, return_tensors="np")
    assert enc.input_ids.tolist() == [[1, 5, 6, 7, 8, 2], [1, 5, 2, 3, 3, 3]]
    assert enc.match.shape == (2, 4, 6)  # 4 distinct letters in row 0 > axis target 3
    enc = tok(["a"], padding="max_length", max_length=4, return_tensors="np")
    assert enc.input_ids.tolist() == [[1, 5, 2, 3]] and enc.match.shape == (1, 3, 4)
    # max_length without truncation= truncates (transformers does too)
    assert tok("abcde", max_length=4).input_ids == [1, 5, 6, 2]
    assert len(tok("abcdeabcde", truncation=False).input_ids) == 12
    with pytest.raises(ValueError, match="padding"):
        tok("a", padding="sideways")


def test_left_padding_and_truncation_side():
    tok = ToyTokenizer(model_max_length=5, padding_side="left", truncation_side="left")
    enc = tok(["a", "abc"], padding=True, return_tensors="np")
    assert enc.input_ids.tolist() == [[3, 3, 1, 5, 2], [1, 5, 6, 7, 2]]
    assert enc.attention_mask.tolist() == [[0, 0, 1, 1, 1], [1] * 5]


def test_ragged_tensors_are_a_clear_error(tok):
    with pytest.raises(ValueError, match="padding=True"):
        tok(["a", "abc"], return_tensors="np")


def test_pad_takes_lists_of_dicts_and_dicts_of_lists(tok):
    feats = [tok("ab"), tok("abcd")]
    padded = tok.pad(feats, return_tensors="np")
    direct = tok(["ab", "abcd"], padding=True, return_tensors="np")
    for key in direct:
        np.testing.assert_array_equal(padded[key], direct[key])
    batch = tok(["ab", "abcd"])
    again = tok.pad(batch, padding="max_length", max_length=8)
    assert again["input_ids"][0] == [1, 5, 6, 2, 3, 3, 3, 3]
    one = tok.pad(tok("ab"), padding="max_length", max_length=5)
    assert one["input_ids"] == [1, 5, 6, 2, 3]
    # extra keys without a pad rule pass through (e.g. a dataset's label column)
    feats = [dict(tok("ab"), label=1), dict(tok("abc"), label=0)]
    out = tok.pad(feats, return_tensors="np")
    assert out["label"].tolist() == [1, 0]


def test_vocab_helpers(tok):
    assert len(tok) == tok.vocab_size == 10
    assert tok.pad_token_id == 3 and tok.mask_token == "[MASK]" and tok.mask_token_id == 4
    assert tok.convert_tokens_to_ids(["a", "zz"]) == [5, 0]
    assert tok.convert_ids_to_tokens([1, 5, 9]) == ["[CLS]", "a", "e"]
    assert tok.convert_ids_to_tokens(6) == "b"
    assert tok.get_special_tokens_mask([1, 5, 2, 3], already_has_special_tokens=True) == [
        1,
        0,
        1,
        1,
    ]
    assert tok.get_special_tokens_mask([5, 6]) == [1, 0, 0, 1]
    assert tok.batch_decode(np.array([[1, 5, 6, 2]]), skip_special_tokens=True) == ["ab"]
    assert sorted(tok.all_special_ids) == [0, 1, 2, 3, 4]
    assert tok("ab", return_special_tokens_mask=True)["special_tokens_mask"] == [1, 0, 0, 1]


def test_batch_encoding_pickles_and_has_data(tok):
    enc = tok(["ab"], padding=True, return_tensors="np")
    back = pickle.loads(pickle.dumps(enc))
    assert back.input_ids.tolist() == enc.input_ids.tolist()
    assert set(enc.data) == {"input_ids", "attention_mask", "vec", "match"}


def test_torch_collators_and_dataloader(tok):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    enc = tok(["ab", "abcd"], padding=True, return_tensors="pt").to("cpu")
    assert enc.input_ids.dtype == torch.int64 and enc.vec.dtype == torch.float32
    features = [tok(t) for t in ["ab", "abcd", "e"]]
    collator = transformers.DataCollatorWithPadding(tok)
    loader = torch.utils.data.DataLoader(features, batch_size=3, collate_fn=collator)
    batch = next(iter(loader))
    assert batch["input_ids"].tolist() == [
        [1, 5, 6, 2, 3, 3],
        [1, 5, 6, 7, 8, 2],
        [1, 9, 2, 3, 3, 3],
    ]
    assert batch["match"].shape == (3, 4, 6)
    mlm = transformers.DataCollatorForLanguageModeling(tok, mlm_probability=0.5, seed=0)
    plain = [{"input_ids": f["input_ids"], "attention_mask": f["attention_mask"]} for f in features]
    out = mlm(plain)
    labels, inputs = out["labels"], out["input_ids"]
    # specials and padding never masked; masked positions keep the original id in labels
    special = torch.tensor(
        [
            tok.get_special_tokens_mask(r, already_has_special_tokens=True)
            for r in batch["input_ids"].tolist()
        ],
        dtype=torch.bool,
    )
    assert (labels[special] == -100).all()
    changed = inputs != batch["input_ids"]
    assert (labels[changed] == batch["input_ids"][changed]).all()
