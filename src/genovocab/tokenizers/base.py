"""One tokenizer contract for the interval, sequence and motif tokenizers.

Hugging Face ``transformers`` resolves padding and truncation in one base class and pads in
one place; every call returns the same ``BatchEncoding``. :class:`TokenizerBase` does the same
for our tokenizers, so their outputs go straight into training code:
``transformers.DataCollatorWithPadding(tok)``, ``DataCollatorForLanguageModeling(tok)`` and a
torch ``DataLoader`` with either as ``collate_fn`` work with no glue.

A subclass implements only

* its vocabulary: :meth:`get_vocab` (and, when a dict lookup is too slow or too big,
  :meth:`_convert_token_to_id` / :meth:`_convert_id_to_token`);
* how one call's input splits into items: :meth:`_split_batch`;
* encoding items into per-item dicts of arrays, *without* special tokens and with at most
  ``max_tokens`` positions: :meth:`_encode_batch`;
* optionally, extra output keys with their own pad rules (:class:`KeySpec`): a key is laid out
  along named axes; ``"seq"`` is the token axis (padded, truncated and given special-token slots
  by the base), other names are the subclass's own axes (e.g. ``"ngram"`` for G-gram rows,
  padded to :meth:`_axis_target`), ``None`` a fixed trailing width (e.g. a cluster vector per
  position);
* optionally, a special-token template (:meth:`_special_template`, e.g. ``[CLS] $A [SEP]``);
* optionally, a shortcut for a common kind of call, with the generic path's result:
  :meth:`_plain_call` (no padding, truncation, tensors or extra outputs: one short document
  per call) and :meth:`_padded_call` (padded tensors with special tokens, a whole batch in
  array operations).

The base owns the ``__call__`` signature (transformers' options), so a shortcut never restates
it. The base then resolves ``padding`` / ``truncation`` / ``max_length`` once
(:meth:`_resolve_options`), adds special tokens once (:meth:`_add_special_tokens`) and pads once
(:meth:`_pad_items`), for ``__call__`` and :meth:`pad` alike.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genovocab.errors import InputError

# what transformers uses for "no limit"
VERY_LARGE_INTEGER = int(1e30)
SEQ = "seq"
SPECIAL_TOKEN_NAMES = (
    "unk_token",
    "pad_token",
    "mask_token",
    "cls_token",
    "sep_token",
    "bos_token",
    "eos_token",
)
CONFIG_FILE = "tokenizer_config.json"
SPECIAL_TOKENS_FILE = "special_tokens_map.json"


# ---------------------------------------------------------------------- BatchEncoding
def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is an optional extra
        raise ImportError("return_tensors='pt' needs torch (pip install torch)") from exc
    return torch


def _is_numeric_array(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf"


def _as_array(key: str, value: Any) -> np.ndarray:
    """A value as one numpy array, or a clear error for ragged values."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):  # torch tensor
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        shapes = {v.shape for v in value}
        if len(shapes) > 1:
            raise ValueError(
                f"cannot make a tensor of {key!r}: its rows have different "
                f"lengths {sorted(s[0] for s in shapes if s)[:5]}...; use "
                "padding=True"
            )
        return np.stack(value)
    try:
        return np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"cannot make a tensor of {key!r}: its rows have different lengths; use padding=True"
        ) from exc


def write_config_files(
    directory: str | os.PathLike,
    config: Mapping[str, Any],
    special_tokens: Mapping[str, Any],
    *,
    sort_keys: bool = True,
) -> list[Path]:
    """Write ``tokenizer_config.json`` and ``special_tokens_map.json`` into ``directory``: the
    one writer of these files for every tokenizer folder. Sorted keys give byte-identical files
    for the same tokenizer; ``sort_keys=False`` keeps the given order (the BPE folder keeps
    Hugging Face's)."""
    from genovocab.fileutil import write_text_atomic

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / CONFIG_FILE, directory / SPECIAL_TOKENS_FILE]
    for path, content in zip(paths, (config, special_tokens)):
        write_text_atomic(path, json.dumps(content, indent=2, sort_keys=sort_keys) + "\n")
    return paths


class BatchEncoding(dict):
    """The output of every tokenizer call: a dict with attribute access.

    ``enc.input_ids`` is ``enc["input_ids"]``; :meth:`convert_to_tensors` turns numeric values
    into numpy arrays or torch tensors; :meth:`to` moves torch tensors to a device (what
    ``transformers.Trainer`` and training loops call).
    """

    def __init__(
        self, data: Mapping[str, Any] | None = None, tensor_type: str | None = None
    ) -> None:
        # dict.update, not super().__init__: a third of the cost (every call makes one)
        if data is not None:
            dict.update(self, data)
        if tensor_type is not None:
            self.convert_to_tensors(tensor_type)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __getstate__(self) -> dict[str, Any]:
        return dict(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.update(state)

    @property
    def data(self) -> dict[str, Any]:
        """The plain dict (as ``transformers.BatchEncoding.data``)."""
        return dict(self)

    def convert_to_tensors(self, tensor_type: str | None) -> BatchEncoding:
        """Numeric values as ``"np"`` arrays or ``"pt"`` tensors (in place); string values
        (ids, barcodes) stay lists. Ragged values are an error that says to pad."""
        if tensor_type is None:
            return self
        if tensor_type not in ("np", "pt"):
            raise ValueError(f"return_tensors must be None, 'np' or 'pt', not {tensor_type!r}")
        torch = _torch() if tensor_type == "pt" else None
        for key, value in list(self.items()):
            if torch is not None and isinstance(value, torch.Tensor):
                continue
            arr = _as_array(key, value)
            if not _is_numeric_array(arr):
                if arr.dtype == object:
                    raise ValueError(
                        f"cannot make a tensor of {key!r}: its rows have different "
                        "lengths; use padding=True"
                    )
                continue
            if torch is not None:
                self[key] = torch.from_numpy(np.ascontiguousarray(arr))
            else:
                self[key] = arr
        return self

    def to(self, device: Any) -> BatchEncoding:
        """Move every torch tensor to ``device`` (other values are left as they are)."""
        for key, value in self.items():
            if hasattr(value, "to") and hasattr(value, "device"):
                self[key] = value.to(device)
        return self


# ---------------------------------------------------------------------- pad rules
@dataclass(frozen=True)
class KeySpec:
    """How one output key is laid out and padded.

    ``axes``: one name per array dimension after the batch one: ``"seq"`` (token positions),
    another name (the subclass's own axis, sized by :meth:`TokenizerBase._axis_target`) or
    ``None`` (fixed width, never padded). ``pad_value`` fills padding; ``special_value`` fills
    the special-token slots on the ``"seq"`` axis (``None``: the special token ids themselves,
    which is what ``input_ids`` wants).
    """

    axes: tuple[str | None, ...] = (SEQ,)
    pad_value: float = 0
    special_value: float | None = 0
    dtype: str = "int64"


# ---------------------------------------------------------------------- the base class
@dataclass(frozen=True)
class Options:
    """One call's resolved options."""

    padding: str | None  # None (no padding), "longest" or "max_length"
    pad_length: int | None  # target of "max_length"
    max_tokens: int | None  # truncation limit, special tokens included (None: none)
    pad_to_multiple_of: int | None


class TokenizerBase:
    """A Hugging Face-shaped tokenizer (module doc: what a subclass implements)."""

    model_input_names: list[str] = ["input_ids", "attention_mask"]
    padding_side: str = "right"
    truncation_side: str = "right"
    is_fast = False
    #: the names of ``special_tokens_map`` keys this tokenizer defines and their strings
    default_special_tokens: dict[str, str] = {}

    def __init__(
        self,
        *,
        model_max_length: int | None = None,
        padding_side: str | None = None,
        truncation_side: str | None = None,
        special_tokens: Mapping[str, str | None] | None = None,
        name_or_path: str = "",
    ) -> None:
        self.model_max_length = int(model_max_length) if model_max_length else VERY_LARGE_INTEGER
        if padding_side is not None:
            if padding_side not in ("right", "left"):
                raise ValueError(f"padding_side must be 'right' or 'left', not {padding_side!r}")
            self.padding_side = padding_side
        if truncation_side is not None:
            if truncation_side not in ("right", "left"):
                raise ValueError(
                    f"truncation_side must be 'right' or 'left', not {truncation_side!r}"
                )
            self.truncation_side = truncation_side
        tokens = dict(self.default_special_tokens)
        tokens.update(special_tokens or {})
        unknown = sorted(set(tokens) - set(SPECIAL_TOKEN_NAMES))
        if unknown:
            raise ValueError(f"unknown special token name(s) {unknown}")
        self._special_tokens: dict[str, str | None] = tokens
        self.name_or_path = name_or_path
        self.deprecation_warnings: dict[str, bool] = {}
        self._vocab_cache: dict[str, int] | None = None
        self._inv_cache: dict[int, str] | None = None

    # ---------------------------------------------------------------- subclass hooks
    def get_vocab(self) -> dict[str, int]:
        """``{token: id}`` over the whole vocabulary, special tokens included."""
        raise NotImplementedError

    @property
    def vocab_size(self) -> int:
        """Number of ids (special tokens included)."""
        return len(self.get_vocab())

    def _split_batch(self, inputs: Any) -> tuple[list[Any], bool]:
        """``(items, is_batched)`` of one call's input."""
        if isinstance(inputs, (list, tuple)):
            return list(inputs), True
        return [inputs], False

    def _encode_batch(
        self, items: list[Any], max_tokens: int | None
    ) -> list[dict[str, np.ndarray]]:
        """Per item, ``{"input_ids": 1-D array, extra keys...}`` without special tokens and
        with at most ``max_tokens`` positions (``None``: no limit)."""
        raise NotImplementedError

    def key_specs(self) -> dict[str, KeySpec]:
        """Layout and pad rule of every key the tokenizer returns (``input_ids``,
        ``attention_mask``, ``special_tokens_mask`` and the subclass's extra keys)."""
        return {
            "input_ids": KeySpec(pad_value=self._pad_id_or_zero(), special_value=None),
            "attention_mask": KeySpec(pad_value=0, special_value=1),
            "special_tokens_mask": KeySpec(pad_value=1, special_value=1),
            "token_type_ids": KeySpec(pad_value=0, special_value=0),
        }

    def _special_template(self) -> tuple[list[int], list[int]]:
        """Ids put before and after each item when ``add_special_tokens`` (none by default)."""
        return [], []

    def _axis_target(self, axis: str, sizes: list[int], options: Options) -> int:
        """Padded size of a subclass axis (default: the longest in the batch)."""
        return max(sizes, default=0)

    # ---------------------------------------------------------------- vocabulary
    def __len__(self) -> int:
        return self.vocab_size

    def _vocab(self) -> dict[str, int]:
        if self._vocab_cache is None:
            self._vocab_cache = self.get_vocab()
        return self._vocab_cache

    def _convert_token_to_id(self, token: str) -> int | None:
        return self._vocab().get(token)

    def _convert_id_to_token(self, index: int) -> str:
        if self._inv_cache is None:
            self._inv_cache = {i: t for t, i in self._vocab().items()}
        try:
            return self._inv_cache[index]
        except KeyError as exc:
            raise ValueError(
                f"token id {index} is outside the vocabulary (0..{self.vocab_size - 1})"
            ) from exc

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> int | list[int]:
        """Id(s) of token string(s); an unknown token maps to ``unk_token_id``."""
        single = isinstance(tokens, str)
        unk = self.unk_token_id
        out = []
        for token in [tokens] if single else tokens:
            found = self._convert_token_to_id(token)
            if found is None:
                if unk is None:
                    raise KeyError(f"token {token!r} is not in the vocabulary")
                found = unk
            out.append(found)
        return out[0] if single else out

    def convert_ids_to_tokens(
        self, ids: int | Sequence[int], skip_special_tokens: bool = False
    ) -> str | list[str]:
        """Token string(s) of id(s)."""
        if isinstance(ids, (int, np.integer)) and not isinstance(ids, bool):
            return self._convert_id_to_token(int(ids))
        specials = set(self.all_special_ids) if skip_special_tokens else set()
        return [self._convert_id_to_token(int(i)) for i in _flat_ids(ids) if int(i) not in specials]

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        """The text of token strings (space-joined by default; DNA tokenizers concatenate)."""
        return " ".join(tokens)

    # ---------------------------------------------------------------- special tokens
    @property
    def special_tokens_map(self) -> dict[str, str]:
        return {k: v for k, v in self._special_tokens.items() if v is not None}

    @property
    def all_special_tokens(self) -> list[str]:
        seen: list[str] = []
        for name in self._special_tokens:
            token = self._special_tokens.get(name)
            if token is not None and token not in seen:
                seen.append(token)
        return seen

    @property
    def all_special_ids(self) -> list[int]:
        return [self.convert_tokens_to_ids(t) for t in self.all_special_tokens]

    def _special_token(self, name: str) -> str | None:
        return self._special_tokens.get(name)

    def _special_id(self, name: str) -> int | None:
        token = self._special_tokens.get(name)
        if token is None:
            return None
        found = self._convert_token_to_id(token)
        if found is None:
            raise ValueError(f"special token {token!r} ({name}) is not in the vocabulary")
        return found

    unk_token = property(lambda self: self._special_token("unk_token"))
    pad_token = property(lambda self: self._special_token("pad_token"))
    mask_token = property(lambda self: self._special_token("mask_token"))
    cls_token = property(lambda self: self._special_token("cls_token"))
    sep_token = property(lambda self: self._special_token("sep_token"))
    bos_token = property(lambda self: self._special_token("bos_token"))
    eos_token = property(lambda self: self._special_token("eos_token"))
    unk_token_id = property(lambda self: self._special_id("unk_token"))
    pad_token_id = property(lambda self: self._special_id("pad_token"))
    mask_token_id = property(lambda self: self._special_id("mask_token"))
    cls_token_id = property(lambda self: self._special_id("cls_token"))
    sep_token_id = property(lambda self: self._special_id("sep_token"))
    bos_token_id = property(lambda self: self._special_id("bos_token"))
    eos_token_id = property(lambda self: self._special_id("eos_token"))

    def _pad_id_or_zero(self) -> int:
        pad = self.pad_token_id
        return 0 if pad is None else pad

    def num_special_tokens_to_add(self, pair: bool = False) -> int:
        """Special tokens one item gets with ``add_special_tokens=True``."""
        if pair:
            raise NotImplementedError("sequence pairs are not supported")
        prefix, suffix = self._special_template()
        return len(prefix) + len(suffix)

    def build_inputs_with_special_tokens(
        self, token_ids_0: list[int], token_ids_1: list[int] | None = None
    ) -> list[int]:
        """``prefix + ids + suffix`` (the special-token template)."""
        if token_ids_1 is not None:
            raise NotImplementedError("sequence pairs are not supported")
        prefix, suffix = self._special_template()
        return [*prefix, *token_ids_0, *suffix]

    def get_special_tokens_mask(
        self,
        token_ids_0: Sequence[int],
        token_ids_1: Sequence[int] | None = None,
        already_has_special_tokens: bool = False,
    ) -> list[int]:
        """1 for a special token, 0 for a content token (transformers' signature: with
        ``already_has_special_tokens`` the ids are checked, else the template is laid out)."""
        if token_ids_1 is not None:
            raise NotImplementedError("sequence pairs are not supported")
        if already_has_special_tokens:
            specials = set(self.all_special_ids)
            return [1 if int(i) in specials else 0 for i in _flat_ids(token_ids_0)]
        prefix, suffix = self._special_template()
        return [1] * len(prefix) + [0] * len(token_ids_0) + [1] * len(suffix)

    # ---------------------------------------------------------------- decoding
    def decode(self, token_ids: Any, skip_special_tokens: bool = False, **kwargs: Any) -> str:
        """The text of one id sequence (:meth:`convert_tokens_to_string`)."""
        return self.convert_tokens_to_string(
            self.convert_ids_to_tokens(_flat_ids(token_ids), skip_special_tokens)
        )

    def batch_decode(
        self, sequences: Any, skip_special_tokens: bool | None = None, **kwargs: Any
    ) -> list[str]:
        """:meth:`decode` of each row (lists, a 2-D array or a tensor); ``None`` keeps
        :meth:`decode`'s default."""
        if hasattr(sequences, "tolist"):
            sequences = sequences.tolist()
        if skip_special_tokens is not None:
            kwargs["skip_special_tokens"] = skip_special_tokens
        return [self.decode(s, **kwargs) for s in sequences]

    # ---------------------------------------------------------------- options
    def _resolve_options(
        self, padding: Any, truncation: Any, max_length: int | None, pad_to_multiple_of: int | None
    ) -> Options:
        """transformers' rules, once: ``padding`` True/"longest" pads to the longest item,
        "max_length" to ``max_length`` (default ``model_max_length``); ``truncation`` True or a
        strategy name cuts to ``max_length`` (default ``model_max_length``); a ``max_length``
        with ``truncation=None`` truncates too (transformers does, with a warning)."""
        if padding in (True, "longest", "longest_first"):
            pad = "longest"
        elif padding in (False, None, "do_not_pad"):
            pad = None
        elif padding == "max_length":
            pad = "max_length"
        else:
            raise ValueError(
                f"padding must be False, True, 'longest', 'max_length' or "
                f"'do_not_pad', not {padding!r}"
            )
        if max_length is not None and (
            not isinstance(max_length, (int, np.integer))
            or isinstance(max_length, bool)
            or max_length < 0
        ):
            raise ValueError(f"max_length must be a non-negative integer, not {max_length!r}")
        if truncation is None:
            truncate = max_length is not None
        elif truncation in (True, "longest_first", "only_first"):
            truncate = True
        elif truncation in (False, "do_not_truncate"):
            truncate = False
        else:
            raise ValueError(
                f"truncation must be True, False or 'longest_first', not {truncation!r}"
            )
        limit = max_length if max_length is not None else self.model_max_length
        if truncate and limit >= VERY_LARGE_INTEGER:
            limit_tokens = None
        else:
            limit_tokens = int(limit) if truncate else None
        pad_length = None
        if pad == "max_length":
            if limit >= VERY_LARGE_INTEGER:
                raise ValueError("padding='max_length' needs max_length (or a model_max_length)")
            pad_length = int(limit)
        if pad_to_multiple_of is not None and (
            not isinstance(pad_to_multiple_of, int) or pad_to_multiple_of < 1
        ):
            raise ValueError(
                f"pad_to_multiple_of must be a positive integer, not {pad_to_multiple_of!r}"
            )
        return Options(pad, pad_length, limit_tokens, pad_to_multiple_of)

    # ---------------------------------------------------------------- calling
    def __call__(
        self,
        inputs: Any,
        *,
        add_special_tokens: bool = True,
        padding: bool | str = False,
        truncation: bool | str | None = None,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        return_tensors: str | None = None,
        return_attention_mask: bool | None = None,
        return_special_tokens_mask: bool = False,
        return_length: bool = False,
        **kwargs: Any,
    ) -> BatchEncoding:
        """Tokenize one item or a batch into a :class:`BatchEncoding`.

        A single item without ``return_tensors`` gives flat lists; with it, a batch of one.
        Subclass keyword options (``kwargs``) go to :meth:`_call_options`. With no padding,
        truncation, tensors, extra outputs or subclass options, :meth:`_plain_call` may answer
        first; padded tensors with special tokens may come from :meth:`_padded_call`.
        """
        if (
            padding is False
            and truncation is None
            and max_length is None
            and return_tensors is None
            and not return_special_tokens_mask
            and not return_length
            and not kwargs
        ):
            out = self._plain_call(inputs, add_special_tokens, return_attention_mask)
            if out is not None:
                return out
        options = self._resolve_options(padding, truncation, max_length, pad_to_multiple_of)
        with self._call_options(**kwargs):
            items, batched = self._split_batch(inputs)
            if (
                return_tensors is not None
                and add_special_tokens
                and not return_special_tokens_mask
                and not return_length
                and options.padding is not None
            ):
                out = self._padded_call(
                    items, options, self._want_attention_mask(return_attention_mask)
                )
                if out is not None:  # a single item with tensors is a batch of one
                    return out.convert_to_tensors(return_tensors)
            n_special = self.num_special_tokens_to_add() if add_special_tokens else 0
            budget = None if options.max_tokens is None else max(0, options.max_tokens - n_special)
            encoded = self._encode_batch(items, budget)
        specs = self.key_specs()
        if budget is not None:
            encoded = [self._truncate(e, budget, specs) for e in encoded]
        if add_special_tokens and n_special:
            encoded = [self._add_special_tokens(e, specs) for e in encoded]
        want_mask = self._want_attention_mask(return_attention_mask)
        for e in encoded:
            n = len(e["input_ids"])
            if want_mask and "attention_mask" not in e:
                e["attention_mask"] = np.ones(n, dtype=np.int64)
            if return_special_tokens_mask:
                e["special_tokens_mask"] = np.asarray(
                    self.get_special_tokens_mask(e["input_ids"], already_has_special_tokens=True),
                    dtype=np.int64,
                )
            if return_length:
                e["length"] = n
        out = self._pad_items(encoded, options, specs, want_mask)
        if not batched and return_tensors is None:
            out = BatchEncoding({k: v[0] for k, v in out.items()})
        return _finish(out, return_tensors)

    def encode(self, inputs: Any, add_special_tokens: bool = True, **kwargs: Any) -> list:
        """``input_ids`` of one item (list) or a batch (list of lists)."""
        kwargs.pop("return_tensors", None)
        return self(inputs, add_special_tokens=add_special_tokens, **kwargs)["input_ids"]

    def _plain_call(
        self, inputs: Any, add_special_tokens: bool, return_attention_mask: bool | None
    ) -> BatchEncoding | None:
        """The output of a call with the default options (``padding=False``, no truncation,
        ``max_length`` or tensors, no special-tokens mask, length or subclass options), when a
        subclass can give it faster than the generic path: ``input_ids`` (and
        ``attention_mask``, per ``return_attention_mask``, None meaning
        :attr:`model_input_names`) as flat lists for one item. None (the default) leaves the
        call to the generic path, which must give the same result."""
        return None

    def _padded_call(
        self, items: list[Any], options: Options, want_mask: bool
    ) -> BatchEncoding | None:
        """The padded output (numpy arrays, one row per item, special tokens added, padded per
        ``options``) of ``items`` when a subclass can build it for the whole batch at once;
        runs inside :meth:`_call_options`. None (the default) leaves the call to the generic
        path, which must give the same result."""
        return None

    def _call_options(self, **kwargs: Any):
        """A context in which per-call subclass options apply (none by default)."""
        if kwargs:
            raise TypeError(f"unexpected keyword argument(s) {sorted(kwargs)}")
        return _Nothing()

    def _want_attention_mask(self, return_attention_mask: bool | None) -> bool:
        if return_attention_mask is None:
            return "attention_mask" in self.model_input_names
        return bool(return_attention_mask)

    def _truncate(
        self, item: dict[str, Any], budget: int, specs: Mapping[str, KeySpec]
    ) -> dict[str, Any]:
        n = len(item["input_ids"])
        if n <= budget:
            return item
        cut = slice(0, budget) if self.truncation_side == "right" else slice(n - budget, n)

        def truncate(key: str, value: Any, spec: KeySpec) -> np.ndarray:
            arr = np.asarray(value)
            index = [slice(None)] * arr.ndim
            index[spec.axes.index(SEQ)] = cut
            return arr[tuple(index)]

        return _map_sequence_keys(item, specs, truncate)

    def _add_special_tokens(
        self, item: dict[str, Any], specs: Mapping[str, KeySpec]
    ) -> dict[str, Any]:
        prefix, suffix = self._special_template()

        def add_specials(key: str, value: Any, spec: KeySpec) -> np.ndarray:
            arr = np.asarray(value, dtype=spec.dtype)
            axis = spec.axes.index(SEQ)
            if spec.special_value is None:
                if arr.ndim != 1:
                    raise ValueError(f"{key!r}: special token ids need a 1-D key")
                return np.concatenate(
                    [np.asarray(prefix, dtype=arr.dtype), arr, np.asarray(suffix, dtype=arr.dtype)]
                )
            parts = []
            for count in (len(prefix), None, len(suffix)):
                if count is None:
                    parts.append(arr)
                    continue
                shape = list(arr.shape)
                shape[axis] = count
                parts.append(np.full(shape, spec.special_value, dtype=arr.dtype))
            return np.concatenate(parts, axis=axis)

        return _map_sequence_keys(item, specs, add_specials)

    # ---------------------------------------------------------------- padding
    def pad(
        self,
        encoded_inputs: Any,
        padding: bool | str = True,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        padding_side: str | None = None,
        return_attention_mask: bool | None = None,
        return_tensors: str | None = None,
        verbose: bool = True,
    ) -> BatchEncoding:
        """Pad a batch (transformers' signature): a list of per-item dicts (what data
        collators pass), a dict of batched lists, or one item's dict. Values may be lists,
        numpy arrays or torch tensors; keys without a pad rule are stacked as they are."""
        options = self._resolve_options(padding, False, max_length, pad_to_multiple_of)
        items, batched = _items_of(encoded_inputs)
        if not items:
            return _finish(BatchEncoding({}), return_tensors)
        if "input_ids" not in items[0]:
            raise ValueError(f"pad() needs 'input_ids' in every item; got keys {sorted(items[0])}")
        specs = self.key_specs()
        want_mask = self._want_attention_mask(return_attention_mask)
        items = [{k: _to_numpy_or_value(v) for k, v in it.items()} for it in items]
        for it in items:
            if want_mask and "attention_mask" not in it:
                it["attention_mask"] = np.ones(len(it["input_ids"]), dtype=np.int64)
        side = self.padding_side
        if padding_side is not None:
            side = padding_side
        out = self._pad_items(items, options, specs, want_mask, side)
        if not batched and return_tensors is None:
            out = BatchEncoding({k: v[0] for k, v in out.items()})
        return _finish(out, return_tensors)

    def _pad_items(
        self,
        items: list[dict[str, Any]],
        options: Options,
        specs: Mapping[str, KeySpec],
        want_mask: bool,
        padding_side: str | None = None,
    ) -> BatchEncoding:
        """The one padding routine: every key with a pad rule to its axes' targets."""
        side = padding_side or self.padding_side
        keys = list(items[0]) if items else []
        if not want_mask and "attention_mask" in keys:
            keys.remove("attention_mask")
        for it in items[1:]:
            if set(it) - {"attention_mask"} != set(keys) - {"attention_mask"}:
                raise ValueError(f"items have different keys: {sorted(keys)} vs {sorted(it)}")
        if options.padding is None:
            return BatchEncoding({k: [it[k] for it in items] for k in keys})
        targets: dict[str, int] = {}
        seq_lengths = [len(it["input_ids"]) for it in items]
        if options.padding == "max_length":
            width = max(options.pad_length or 0, max(seq_lengths, default=0))
        else:
            width = max(seq_lengths, default=0)
        if options.pad_to_multiple_of:
            m = options.pad_to_multiple_of
            width = -(-width // m) * m
        targets[SEQ] = width
        out: dict[str, Any] = {}
        for key in keys:
            spec = specs.get(key)
            values = [it[key] for it in items]
            if spec is None:
                out[key] = values
                continue
            arrays = [np.asarray(v, dtype=spec.dtype) for v in values]
            for a in arrays:
                if a.ndim != len(spec.axes):
                    raise ValueError(
                        f"{key!r} has {a.ndim} dimension(s) per item, expected "
                        f"{len(spec.axes)} ({spec.axes})"
                    )
            shape = [len(arrays)]
            for d, axis in enumerate(spec.axes):
                sizes = [a.shape[d] for a in arrays]
                if axis is None:
                    if len(set(sizes)) > 1:
                        raise ValueError(
                            f"{key!r}: fixed dimension {d} differs between items "
                            f"({sorted(set(sizes))})"
                        )
                    shape.append(sizes[0] if sizes else 0)
                    continue
                if axis not in targets:
                    targets[axis] = self._axis_target(axis, sizes, options)
                shape.append(max(targets[axis], max(sizes, default=0)))
            block = np.full(shape, spec.pad_value, dtype=spec.dtype)
            for row, a in enumerate(arrays):
                index: list[slice | int] = [row]
                for d, axis in enumerate(spec.axes):
                    size, full = a.shape[d], shape[d + 1]
                    if axis == SEQ and side == "left":
                        index.append(slice(full - size, full))
                    else:
                        index.append(slice(0, size))
                block[tuple(index)] = a
            out[key] = block
        return BatchEncoding(out)

    # ---------------------------------------------------------------- save / load
    def config_dict(self) -> dict[str, Any]:
        """The keys every ``tokenizer_config.json`` gets (subclasses add their own)."""
        config: dict[str, Any] = {
            "tokenizer_class": type(self).__name__,
            "model_input_names": list(self.model_input_names),
            "padding_side": self.padding_side,
            "truncation_side": self.truncation_side,
        }
        if self.model_max_length < VERY_LARGE_INTEGER:
            config["model_max_length"] = self.model_max_length
        config.update(self.special_tokens_map)
        return config

    def _write_config(
        self, directory: str | os.PathLike, extra: Mapping[str, Any] | None = None
    ) -> list[Path]:
        """Write ``tokenizer_config.json`` and ``special_tokens_map.json`` (sorted keys, so
        the same tokenizer gives byte-identical files)."""
        config = self.config_dict()
        config.update(extra or {})
        return write_config_files(directory, config, self.special_tokens_map)

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> tuple[str, ...]:
        """Write the tokenizer folder; returns the paths written (as transformers does)."""
        raise NotImplementedError

    @classmethod
    def from_pretrained(cls, directory: str | os.PathLike, **kwargs: Any) -> TokenizerBase:
        """Load a folder written by :meth:`save_pretrained`."""
        raise NotImplementedError

    @staticmethod
    def read_config(directory: str | os.PathLike, required: bool = True) -> dict[str, Any]:
        """``tokenizer_config.json`` of a folder (``{}`` when absent and not required)."""
        path = Path(directory) / CONFIG_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            if not required:
                return {}
            raise InputError(path, "no tokenizer_config.json in this folder") from exc
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON: {exc.msg}", exc.lineno) from exc

    @staticmethod
    def common_options(config: Mapping[str, Any]) -> dict[str, Any]:
        """The base keyword arguments stored in a ``tokenizer_config.json``."""
        out: dict[str, Any] = {}
        for key in ("model_max_length", "padding_side", "truncation_side"):
            if key in config:
                out[key] = config[key]
        specials = {k: config[k] for k in SPECIAL_TOKEN_NAMES if isinstance(config.get(k), str)}
        if specials:
            out["special_tokens"] = specials
        return out


# ---------------------------------------------------------------------- helpers
class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _flat_ids(ids: Any) -> list[int]:
    if hasattr(ids, "tolist"):
        ids = ids.tolist()
    if isinstance(ids, (int, np.integer)):
        return [int(ids)]
    return list(ids)


def _to_numpy_or_value(value: Any) -> Any:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value


def _map_sequence_keys(
    item: dict[str, Any], specs: Mapping[str, KeySpec], fn: Callable[[str, Any, KeySpec], Any]
) -> dict[str, Any]:
    """``fn(key, value, spec)`` applied to each key of ``item`` that has a sequence axis; keys
    without one (no spec, or a spec without ``SEQ``) pass through unchanged."""
    out = {}
    for key, value in item.items():
        spec = specs.get(key)
        out[key] = value if spec is None or SEQ not in spec.axes else fn(key, value, spec)
    return out


def _items_of(encoded: Any) -> tuple[list[dict[str, Any]], bool]:
    """``pad()`` input as a list of per-item dicts, and whether it was a batch."""
    if isinstance(encoded, Mapping):
        ids = encoded.get("input_ids")
        if ids is None:
            raise ValueError("pad() needs 'input_ids'")
        first = ids[0] if len(ids) else None
        is_batch = first is not None and (
            isinstance(first, (list, tuple, np.ndarray))
            or hasattr(first, "shape")
            and len(first.shape) > 0
        )
        if not is_batch:
            return [dict(encoded)], False
        n = len(ids)
        return [{k: v[i] for k, v in encoded.items()} for i in range(n)], True
    if isinstance(encoded, Iterable):
        items = [dict(e) for e in encoded]
        return items, True
    raise TypeError(f"pad() takes dicts of lists or a list of dicts, not {type(encoded).__name__}")


def _finish(out: BatchEncoding, return_tensors: str | None) -> BatchEncoding:
    if return_tensors is None:
        for key, value in out.items():
            if isinstance(value, np.ndarray):
                out[key] = value.tolist()
            elif isinstance(value, list):
                out[key] = [v.tolist() if isinstance(v, np.ndarray) else v for v in value]
        return out
    return out.convert_to_tensors(return_tensors)
