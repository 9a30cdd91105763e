"""DNABERT-2-style byte-pair encoding of DNA with Hugging Face ``tokenizers``
(docs/architecture.md).

The model is a plain BPE over the characters of the training lines (one window per line, no
pre-tokenizer splitting inside a line), ``[UNK]`` for anything unseen (N, IUPAC), specials
``[UNK] [CLS] [SEP] [PAD] [MASK]`` with ids 0..4 and the post-processor ``[CLS] $A [SEP]``.
The folder written by :func:`save_tokenizer_folder` (``tokenizer.json``,
``tokenizer_config.json``, ``special_tokens_map.json``) is what
``transformers.PreTrainedTokenizerFast.from_pretrained`` / ``AutoTokenizer`` load.
"""

from __future__ import annotations

import gzip
import logging
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import (
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)

from genovocab.errors import InputError
from genovocab.fileutil import atomic_dir, is_gzip
from genovocab.tokenizers.base import write_config_files

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ("[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]")
UNK, CLS, SEP, PAD, MASK = range(5)
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def new_tokenizer() -> Tokenizer:
    """An untrained BPE tokenizer with DNABERT-2's special tokens and template.

    Lower-case input is upper-cased by the normalizer; whitespace separates words (a training
    line is one word).
    """
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Replace(lower, lower.upper()) for lower in "acgtn"]
    )
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.Fuse()
    return tok


def set_n_runs(tok: Tokenizer, n_runs: str = "unk_run") -> None:
    """Make the tokenizer's normalizer apply the non-ACGT rule (in place).

    ``unk_run``: every maximal run of non-ACGT characters becomes one ``N`` (one ``[UNK]``);
    ``drop``: runs become a space, so the pieces on either side are separate words (no token
    spans a gap and nothing is emitted for the run); ``unk_base``: one ``[UNK]`` per base.
    The ``Fuse`` decoder is set too, so ``transformers`` decodes to DNA without spaces.
    Living in ``tokenizer.json``, the rule travels with the file to every loader.
    """
    steps = [normalizers.Replace(lower, lower.upper()) for lower in "acgtn"]
    if n_runs == "unk_run":
        steps.append(normalizers.Replace(Regex("[^ACGT]+"), "N"))
    elif n_runs == "drop":
        steps.append(normalizers.Replace(Regex("[^ACGT]+"), " "))
    elif n_runs != "unk_base":
        raise ValueError(f"n_runs must be unk_run, drop or unk_base, not {n_runs!r}")
    tok.normalizer = normalizers.Sequence(steps)
    tok.decoder = decoders.Fuse()


def _set_post_processor(tok: Tokenizer) -> None:
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )


def train_bpe(
    corpus_files: Sequence[str | os.PathLike],
    *,
    vocab_size: int = 4096,
    min_frequency: int = 2,
    show_progress: bool = False,
) -> Tokenizer:
    """Train the BPE on text files of one sequence per line; returns the tokenizer.

    Logs training time, peak RSS and the mean bp per token of the first file's lines.
    """
    files = [os.fspath(f) for f in corpus_files]
    for f in files:
        if not Path(f).is_file():
            raise InputError(f, "training text file does not exist")
        if Path(f).stat().st_size == 0:
            raise InputError(f, "training text file is empty")
        check_training_text(f)
    if vocab_size < len(SPECIAL_TOKENS) + 4:
        raise ValueError(f"vocab_size {vocab_size} is too small (specials + A, C, G, T)")
    tok = new_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        show_progress=show_progress,
    )
    t0 = time.perf_counter()
    tok.train(files, trainer)
    elapsed = time.perf_counter() - t0
    _set_post_processor(tok)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    log.info(
        "BPE trained on %s: %d tokens in %.1f s, peak RSS %.0f MiB",
        ", ".join(files),
        tok.get_vocab_size(),
        elapsed,
        peak,
    )
    return tok


STAT_LINES = 5000
"""Lines of the training text that :func:`build_bpe_folder` encodes for its bp-per-token figure."""


def build_bpe_folder(
    corpus_files: Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    vocab_size: int = 4096,
    min_frequency: int = 2,
    model_max_length: int = 512,
) -> tuple[Tokenizer, float]:
    """The one BPE step of CLI and workflow: train on ``corpus_files``, save the tokenizer folder
    in ``out_dir``, and return the tokenizer with its mean bp per token over the first
    :data:`STAT_LINES` lines of the first file (logged)."""
    from genovocab.sequence.windows import read_lines

    tok = train_bpe(corpus_files, vocab_size=vocab_size, min_frequency=min_frequency)
    save_tokenizer_folder(tok, out_dir, model_max_length=model_max_length)
    sample = read_lines(corpus_files[0], limit=STAT_LINES)
    ids, _ = encode_ids(tok, sample)
    bp_per_token = mean_bp_per_token(sample, len(ids))
    log.info(
        "tokenizer (%d tokens) in %s; mean %.3f bp per token over %d training lines",
        tok.get_vocab_size(),
        out_dir,
        bp_per_token,
        len(sample),
    )
    return tok, bp_per_token


def tokenizer_config(model_max_length: int) -> dict:
    """``tokenizer_config.json`` content for ``PreTrainedTokenizerFast``."""
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model_max_length,
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        **special_tokens_map(),
    }


def check_training_text(path: str | os.PathLike) -> None:
    """Refuse a training text that is not UTF-8 lines of letters, naming the line.

    Streams the file once before training, so a bad corpus fails before anything is written
    (the trainer itself only says "stream did not contain valid UTF-8").
    """
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise InputError(path, f"not UTF-8 text ({exc.reason})", line=number) from exc
            if text and not (text.isascii() and text.isalpha()):
                raise InputError(
                    path, "a training line must hold only letters (A, C, G, T, N, ...)", line=number
                )


def special_tokens_map() -> dict:
    """``special_tokens_map.json`` content (Hugging Face key names)."""
    return {
        "unk_token": "[UNK]",
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "mask_token": "[MASK]",
    }


def save_tokenizer_folder(
    tok: Tokenizer, out_dir: str | os.PathLike, *, model_max_length: int = 512
) -> Path:
    """Write the three tokenizer files into ``out_dir`` atomically (the folder is replaced)."""
    if tok.decoder is None:
        tok.decoder = decoders.Fuse()
    with atomic_dir(out_dir, kind="bpe-tokenizer") as tmp:
        # pretty=True gives stable, sorted-by-id JSON; the same model gives the same bytes
        tok.save(str(tmp / "tokenizer.json"), pretty=True)
        write_config_files(
            tmp, tokenizer_config(model_max_length), special_tokens_map(), sort_keys=False
        )
    return Path(out_dir)


def load_tokenizer(path: str | os.PathLike) -> Tokenizer:
    """A tokenizer from a folder holding ``tokenizer.json`` or from the file itself."""
    p = Path(path)
    if p.is_dir():
        p = p / "tokenizer.json"
    if not p.is_file():
        raise InputError(p, "tokenizer.json not found")
    try:
        return Tokenizer.from_file(str(p))
    except Exception as exc:  # the Rust side raises plain Exception subclasses
        raise InputError(p, f"not a tokenizers JSON file: {exc}") from exc


def encode_ids(
    tok: Tokenizer, sequences: Sequence[str], *, batch_size: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of every sequence without specials, concatenated, plus offsets.

    Returns ``(ids, offsets)``: ``ids`` uint16 (uint32 when the vocabulary is larger than
    65,536), ``offsets`` int64 of length ``len(sequences) + 1`` so sequence ``i`` is
    ``ids[offsets[i]:offsets[i + 1]]``. Batches use the Rust tokenizer's parallelism.
    """
    dtype = np.uint16 if tok.get_vocab_size() <= 65536 else np.uint32
    parts: list[np.ndarray] = []
    lengths = np.zeros(len(sequences), dtype=np.int64)
    for b in range(0, len(sequences), batch_size):
        batch = tok.encode_batch(list(sequences[b : b + batch_size]), add_special_tokens=False)
        for j, enc in enumerate(batch):
            arr = np.asarray(enc.ids, dtype=dtype)
            lengths[b + j] = len(arr)
            parts.append(arr)
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return ids, offsets


def mean_bp_per_token(sequences: Sequence[str], n_tokens: int) -> float:
    """Mean base pairs per token of an encoding."""
    return sum(len(s) for s in sequences) / max(1, n_tokens)


def save_token_stream(path: str | os.PathLike, ids: np.ndarray, offsets: np.ndarray) -> None:
    """Write ids + offsets as an uncompressed ``.npz`` atomically."""
    from genovocab.fileutil import atomic_path

    with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as handle:
        np.savez(handle, ids=ids, offsets=offsets)


def load_token_stream(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, offsets)`` written by :func:`save_token_stream`."""
    with np.load(path) as data:
        return data["ids"], data["offsets"]
