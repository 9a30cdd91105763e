"""The interval tokenizer: a BED file (or regions in memory) becomes a list of region ids.

Vocabulary (the gtars layout, so a gtars ``Tokenizer`` built from the same ``universe.bed.gz``
gives the same ids): the universe regions sorted by (chromosome, start, end), duplicates
removed, ids ``0..N-1``; then ``<unk> <pad> <mask> <cls> <eos> <bos> <sep>`` as ids
``N..N+6``. A query region becomes the ids of every universe region it overlaps by at least
1 bp (the pairs of ``bedtools intersect -wa -wb``), in query order and, within one query, in
id order. The API follows Hugging Face tokenizers: ``tok(regions)`` returns ``input_ids`` and
``attention_mask``; ``encode``, ``decode``, ``tokenize``, ``vocab_size``, special tokens,
padding, truncation and batches.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from genovocab.errors import InputError
from genovocab.fileutil import write_text_atomic
from genovocab.intervals import BedRegions, Universe, overlap_pairs, read_regions
from genovocab.io.bed import write_bed3

SPECIAL_TOKENS = ("<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>", "<sep>")
_SPECIAL_NAMES = ("unk", "pad", "mask", "cls", "eos", "bos", "sep")
UNIVERSE_FILE = "universe.bed.gz"
CONFIG_FILE = "tokenizer_config.json"
_TOKEN_RE = re.compile(r"^(.+):(\d+)-(\d+)$")
_CHROM_COLUMNS = ("chrom", "chr", "chromosome", "seqname", "seqnames", "contig")

Unknown = Literal["drop", "unk"]
Order = Literal["query", "genomic"]


class Encoding(dict):
    """``{"input_ids": ..., "attention_mask": ...}`` with attribute access (``enc.input_ids``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_region(item: Any) -> bool:
    """A single region: ``(chrom, start, end, ...)`` or an object with ``chr/start/end``."""
    if isinstance(item, (tuple, list)):
        return len(item) >= 3 and isinstance(item[0], str) and _is_int(item[1]) \
            and _is_int(item[2])
    return hasattr(item, "chr") and hasattr(item, "start") and hasattr(item, "end")


def _is_document(item: Any) -> bool:
    """One document: a BED path, a DataFrame, or a sequence of regions."""
    if isinstance(item, (str, os.PathLike, pd.DataFrame)):
        return True
    if isinstance(item, (list, tuple)):
        return len(item) == 0 or _is_region(item[0])
    return False


def _from_columns(chroms: Sequence[Any], starts: Any, ends: Any, source: str) -> BedRegions:
    """In-memory regions as :class:`BedRegions`, checked like a BED file (row = 1-based)."""
    codes, uniques = pd.factorize(pd.Series(chroms, dtype=object), sort=False)
    try:
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise InputError(source, f"start and end must be integers ({exc})") from exc
    if (codes < 0).any():
        raise InputError(source, "missing chromosome name", int(np.flatnonzero(codes < 0)[0]) + 1)
    bad = np.flatnonzero(starts < 0)
    if len(bad):
        raise InputError(source, f"negative start {starts[bad[0]]}", int(bad[0]) + 1)
    bad = np.flatnonzero(ends < starts)
    if len(bad):
        raise InputError(source, f"start {starts[bad[0]]} is greater than end {ends[bad[0]]}",
                         int(bad[0]) + 1)
    keep = ends > starts  # zero-length regions are skipped, as the BED reader does
    n_zero = int(len(keep) - keep.sum())
    if n_zero:
        codes, starts, ends = codes[keep], starts[keep], ends[keep]
    return BedRegions(chroms=[str(c) for c in uniques], chrom_index=codes.astype(np.int32),
                      starts=starts, ends=ends, path=source, n_zero_length=n_zero)


def _frame_regions(frame: pd.DataFrame) -> BedRegions:
    lower = {str(c).lower(): c for c in frame.columns}
    chrom_col = next((lower[c] for c in _CHROM_COLUMNS if c in lower), None)
    if chrom_col is not None and "start" in lower and "end" in lower:
        cols = [chrom_col, lower["start"], lower["end"]]
    elif frame.shape[1] >= 3:
        cols = list(frame.columns[:3])
    else:
        raise InputError("<DataFrame>", "needs chrom, start and end columns (or at least three "
                                         "columns in that order)")
    return _from_columns(frame[cols[0]].astype(str).to_numpy(dtype=object),
                         frame[cols[1]].to_numpy(), frame[cols[2]].to_numpy(), "<DataFrame>")


def to_regions(document: Any) -> BedRegions:
    """One document (BED path, DataFrame, regions as tuples or ``.chr/.start/.end``) as arrays."""
    if isinstance(document, (str, os.PathLike)):
        return read_regions(document, allow_empty=True)
    if isinstance(document, pd.DataFrame):
        return _frame_regions(document)
    if isinstance(document, (list, tuple)):
        if len(document) == 0:
            return _from_columns([], [], [], "<regions>")
        first = document[0]
        n = len(document)
        try:
            if isinstance(first, (tuple, list)):
                chroms = list(map(itemgetter(0), document))
                starts = np.fromiter(map(itemgetter(1), document), dtype=np.int64, count=n)
                ends = np.fromiter(map(itemgetter(2), document), dtype=np.int64, count=n)
            else:
                chroms = [r.chr for r in document]
                starts = np.fromiter((r.start for r in document), dtype=np.int64, count=n)
                ends = np.fromiter((r.end for r in document), dtype=np.int64, count=n)
        except (IndexError, TypeError, ValueError, AttributeError) as exc:
            raise InputError("<regions>", "each region must be (chrom, start, end) with "
                                          f"integer start and end ({exc})") from exc
        return _from_columns(chroms, starts, ends, "<regions>")
    raise TypeError(f"cannot tokenize {type(document).__name__}: give a BED path, a "
                    "DataFrame, a list of (chrom, start, end), or a list of those")


class IntervalTokenizer:
    """Tokenize genomic regions against a universe (see the module docstring for the layout).

    Options: ``unknown`` ``"drop"`` (default, as gtars) or ``"unk"`` (one ``<unk>`` for each
    query with no hit); ``order`` ``"query"`` (default: query order, ids ascending within a
    query) or ``"genomic"`` (ids ascending over the whole document, ``<unk>`` last);
    ``dedupe`` (keep only the first occurrence of each id); ``min_overlap`` (bp),
    ``min_query_fraction`` and ``min_region_fraction`` (shared bp over the query's / the
    region's length).
    """

    def __init__(self, universe: Universe, *, unknown: Unknown = "drop",
                 order: Order = "query", dedupe: bool = False, min_overlap: int = 1,
                 min_query_fraction: float = 0.0, min_region_fraction: float = 0.0) -> None:
        if unknown not in ("drop", "unk"):
            raise ValueError(f"unknown must be 'drop' or 'unk', not {unknown!r}")
        if order not in ("query", "genomic"):
            raise ValueError(f"order must be 'query' or 'genomic', not {order!r}")
        if not _is_int(min_overlap) or min_overlap < 1:
            raise ValueError(f"min_overlap must be an integer >= 1, not {min_overlap!r}")
        for name, value in (("min_query_fraction", min_query_fraction),
                            ("min_region_fraction", min_region_fraction)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        self.universe = universe
        self.unknown = unknown
        self.order = order
        self.dedupe = bool(dedupe)
        self.min_overlap = int(min_overlap)
        self.min_query_fraction = float(min_query_fraction)
        self.min_region_fraction = float(min_region_fraction)
        self._vocab: dict[str, int] | None = None

    # ------------------------------------------------------------------ loading / saving
    @classmethod
    def from_bed(cls, path: str | os.PathLike,
                 chrom_sizes: Mapping[str, int] | str | os.PathLike | None = None,
                 **options: Any) -> IntervalTokenizer:
        """A tokenizer whose vocabulary is the regions of a BED file (any layout).

        Chromosomes are ordered by first appearance in the file, or by ``chrom_sizes`` (a
        mapping or a chrom.sizes path) when given.
        """
        if chrom_sizes is not None and not isinstance(chrom_sizes, Mapping):
            from genovocab.io import read_chrom_sizes

            chrom_sizes = read_chrom_sizes(chrom_sizes)
        return cls(Universe.from_bed(path, chrom_sizes), **options)

    @classmethod
    def from_pretrained(cls, directory: str | os.PathLike, **overrides: Any
                        ) -> IntervalTokenizer:
        """Load what :meth:`save_pretrained` wrote; keyword arguments override saved options."""
        directory = Path(directory)
        config_path = directory / CONFIG_FILE
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(config_path, "no tokenizer_config.json in this folder") from exc
        except json.JSONDecodeError as exc:
            raise InputError(config_path, f"invalid JSON: {exc.msg}", exc.lineno) from exc
        if config.get("tokenizer_class") != cls.__name__:
            raise InputError(config_path, f"tokenizer_class is {config.get('tokenizer_class')!r}"
                                          f", expected {cls.__name__!r}")
        options = dict(config.get("options", {}))
        options.update(overrides)
        tok = cls.from_bed(directory / config.get("universe_file", UNIVERSE_FILE), **options)
        if len(tok.universe) != config.get("n_regions", len(tok.universe)):
            raise InputError(config_path, f"n_regions is {config['n_regions']} but the universe "
                                          f"file has {len(tok.universe)} regions")
        return tok

    def options(self) -> dict[str, Any]:
        """The tokenization options (what ``tokenizer_config.json`` stores)."""
        return {"unknown": self.unknown, "order": self.order, "dedupe": self.dedupe,
                "min_overlap": self.min_overlap, "min_query_fraction": self.min_query_fraction,
                "min_region_fraction": self.min_region_fraction}

    def save_pretrained(self, directory: str | os.PathLike) -> list[Path]:
        """Write ``universe.bed.gz`` (sorted, deduplicated BED3, loadable by gtars) and
        ``tokenizer_config.json`` into ``directory``; returns both paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        universe_path = directory / UNIVERSE_FILE
        u = self.universe
        write_bed3(universe_path, u.names(), u.starts, u.ends)
        config = {
            "tokenizer_class": type(self).__name__,
            "universe_file": UNIVERSE_FILE,
            "n_regions": len(u),
            "vocab_size": self.vocab_size,
            "chromosomes": list(u.chroms),
            "options": self.options(),
            "special_tokens": {f"{n}_token": t for n, t in zip(_SPECIAL_NAMES, SPECIAL_TOKENS)},
            "special_token_ids": {f"{n}_token_id": len(u) + i
                                  for i, n in enumerate(_SPECIAL_NAMES)},
        }
        config_path = directory / CONFIG_FILE
        write_text_atomic(config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")
        return [universe_path, config_path]

    # ------------------------------------------------------------------ vocabulary
    @property
    def n_regions(self) -> int:
        """Number of universe regions (ids ``0..n_regions-1``)."""
        return len(self.universe)

    @property
    def vocab_size(self) -> int:
        return len(self.universe) + len(SPECIAL_TOKENS)

    def __len__(self) -> int:
        return self.vocab_size

    def __repr__(self) -> str:
        return (f"IntervalTokenizer({self.n_regions} regions, vocab_size={self.vocab_size}, "
                f"unknown={self.unknown!r}, order={self.order!r}, dedupe={self.dedupe})")

    def _region_tokens(self, ids: np.ndarray) -> list[str]:
        u = self.universe
        chroms = u.chroms
        ci, st, en = u.chrom_index[ids].tolist(), u.starts[ids].tolist(), u.ends[ids].tolist()
        return [f"{chroms[c]}:{s}-{e}" for c, s, e in zip(ci, st, en)]

    def get_vocab(self) -> dict[str, int]:
        """``{token: id}`` for every region (``chrom:start-end``) and special token."""
        if self._vocab is None:
            tokens = self._region_tokens(np.arange(self.n_regions))
            vocab = dict(zip(tokens, range(len(tokens))))
            for i, token in enumerate(SPECIAL_TOKENS):
                vocab[token] = self.n_regions + i
            self._vocab = vocab
        return dict(self._vocab)

    # special tokens, as properties: unk_token, unk_token_id, pad_token, ...
    def _special_id(self, name: str) -> int:
        return self.n_regions + _SPECIAL_NAMES.index(name)

    unk_token = property(lambda self: "<unk>")
    pad_token = property(lambda self: "<pad>")
    mask_token = property(lambda self: "<mask>")
    cls_token = property(lambda self: "<cls>")
    eos_token = property(lambda self: "<eos>")
    bos_token = property(lambda self: "<bos>")
    sep_token = property(lambda self: "<sep>")
    unk_token_id = property(lambda self: self._special_id("unk"))
    pad_token_id = property(lambda self: self._special_id("pad"))
    mask_token_id = property(lambda self: self._special_id("mask"))
    cls_token_id = property(lambda self: self._special_id("cls"))
    eos_token_id = property(lambda self: self._special_id("eos"))
    bos_token_id = property(lambda self: self._special_id("bos"))
    sep_token_id = property(lambda self: self._special_id("sep"))

    @property
    def special_tokens_map(self) -> dict[str, str]:
        return {f"{n}_token": t for n, t in zip(_SPECIAL_NAMES, SPECIAL_TOKENS)}

    @property
    def all_special_tokens(self) -> list[str]:
        return list(SPECIAL_TOKENS)

    @property
    def all_special_ids(self) -> list[int]:
        return [self.n_regions + i for i in range(len(SPECIAL_TOKENS))]

    def convert_ids_to_tokens(self, ids: int | Sequence[int]) -> str | list[str]:
        """Token string(s) of id(s); an id outside the vocabulary is an error."""
        single = _is_int(ids)
        arr = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        bad = (arr < 0) | (arr >= self.vocab_size)
        if bad.any():
            raise ValueError(f"token id {int(arr[bad][0])} is outside the vocabulary "
                             f"(0..{self.vocab_size - 1})")
        special = arr >= self.n_regions
        out = [""] * len(arr)
        region_pos = np.flatnonzero(~special)
        for p, token in zip(region_pos.tolist(), self._region_tokens(arr[region_pos])):
            out[p] = token
        for p in np.flatnonzero(special).tolist():
            out[p] = SPECIAL_TOKENS[int(arr[p]) - self.n_regions]
        return out[0] if single else out

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> int | list[int]:
        """Id(s) of token string(s) (``chrom:start-end`` or a special token); a token not in
        the vocabulary maps to ``unk_token_id``."""
        single = isinstance(tokens, str)
        items = [tokens] if single else list(tokens)
        out = []
        for token in items:
            if token in SPECIAL_TOKENS:
                out.append(self.n_regions + SPECIAL_TOKENS.index(token))
                continue
            match = _TOKEN_RE.match(token)
            found = -1
            if match:
                found = self.universe.find(match.group(1), int(match.group(2)),
                                           int(match.group(3)))
            out.append(found if found >= 0 else self.unk_token_id)
        return out[0] if single else out

    def decode(self, ids: int | Sequence[int], skip_special_tokens: bool = False
               ) -> str | list[str]:
        """Token strings of ids (as gtars); ``skip_special_tokens`` drops ``<pad>`` etc."""
        if _is_int(ids):
            return self.convert_ids_to_tokens(ids)
        arr = np.asarray(ids, dtype=np.int64).ravel()
        if skip_special_tokens:
            arr = arr[arr < self.n_regions]
        return self.convert_ids_to_tokens(arr.tolist())

    # ------------------------------------------------------------------ tokenizing
    def encode_regions(self, regions: BedRegions) -> np.ndarray:
        """Token ids (int64 array) of one document given as :class:`BedRegions`."""
        return self._encode(regions, count_unknown=False)[0]

    def encode_with_counts(self, regions: Any) -> tuple[np.ndarray, int, int]:
        """Ids of one document, its number of regions and of regions with no hit."""
        if not isinstance(regions, BedRegions):
            regions = to_regions(regions)
        ids, n_unknown = self._encode(regions, count_unknown=True)
        return ids, len(regions), n_unknown

    def _encode(self, regions: BedRegions, count_unknown: bool) -> tuple[np.ndarray, int]:
        q_idx, ids = overlap_pairs(
            self.universe, regions, min_overlap=self.min_overlap,
            min_query_fraction=self.min_query_fraction,
            min_region_fraction=self.min_region_fraction)
        n_unknown = -1
        if self.unknown == "unk" or count_unknown:
            n = len(regions)
            hits = np.bincount(q_idx, minlength=n) if len(q_idx) else np.zeros(n, np.int64)
            missing = hits == 0
            n_unknown = int(missing.sum())
            if self.unknown == "unk" and n_unknown:
                width = np.where(missing, 1, hits)
                first = np.cumsum(width) - width  # output offset of each query
                out = np.full(int(width.sum()), self.unk_token_id, dtype=np.int64)
                rank = np.arange(len(q_idx)) - (np.cumsum(hits) - hits)[q_idx]
                out[first[q_idx] + rank] = ids
                ids = out
        if self.order == "genomic":
            ids = np.sort(ids, kind="stable")
        if self.dedupe and len(ids):
            _, first = np.unique(ids, return_index=True)
            ids = ids[np.sort(first)]
        return ids, n_unknown

    def _documents(self, regions: Any) -> tuple[list[Any], bool]:
        if _is_document(regions) or _is_region(regions) and not isinstance(regions, list):
            if isinstance(regions, tuple) and _is_region(regions):
                return [[regions]], False
            return [regions], False
        if isinstance(regions, (list, tuple)) and all(_is_document(d) for d in regions):
            return list(regions), True
        raise TypeError("cannot tokenize this input: give a BED path, a DataFrame, a list of "
                        "(chrom, start, end), or a list of those (a batch)")

    def encode(self, regions: Any) -> list[int] | list[list[int]]:
        """Token ids of one document (list) or of a batch of documents (list of lists)."""
        docs, batched = self._documents(regions)
        out = [self.encode_regions(to_regions(d)).tolist() for d in docs]
        return out if batched else out[0]

    def tokenize(self, regions: Any) -> list[str] | list[list[str]]:
        """Token strings (``chrom:start-end``, ``<unk>``) of one document or a batch."""
        docs, batched = self._documents(regions)
        out = [self.convert_ids_to_tokens(self.encode_regions(to_regions(d)).tolist())
               for d in docs]
        return out if batched else out[0]

    def __call__(self, regions: Any, padding: bool | str = False,
                 truncation: bool | str = False, max_length: int | None = None,
                 return_tensors: str | None = None) -> Encoding:
        """``{"input_ids", "attention_mask"}`` of one document or a batch of documents.

        ``padding``: False, True/``"longest"`` (to the longest document) or ``"max_length"``;
        pads on the right with ``pad_token_id`` (mask 0). ``truncation`` with ``max_length``
        cuts documents to that many tokens. ``return_tensors``: None (lists), ``"np"`` or
        ``"pt"`` (2-D, one row per document; documents must have equal lengths).
        """
        docs, batched = self._documents(regions)
        seqs = [self.encode_regions(to_regions(d)) for d in docs]
        if truncation not in (False, None, "do_not_truncate") and max_length is not None:
            seqs = [s[:max_length] for s in seqs]
        lengths = [len(s) for s in seqs]
        target = None
        if padding in (True, "longest"):
            target = max(lengths, default=0)
        elif padding == "max_length":
            if max_length is None:
                raise ValueError("padding='max_length' needs max_length")
            target = max_length
        elif padding not in (False, None, "do_not_pad"):
            raise ValueError(f"padding must be False, True, 'longest' or 'max_length', "
                             f"not {padding!r}")
        if return_tensors is not None:
            if return_tensors not in ("np", "pt"):
                raise ValueError(f"return_tensors must be 'np' or 'pt', not {return_tensors!r}")
            width = target if target is not None else (lengths[0] if lengths else 0)
            if target is None and len(set(lengths)) > 1:
                raise ValueError("documents have different lengths: use padding=True to "
                                 "return tensors")
            width = max(width, max(lengths, default=0))
            if len(seqs) == 1 and lengths[0] == width:
                ids = seqs[0].astype(np.int64, copy=False).reshape(1, width)
                mask = np.ones((1, width), dtype=np.int64)
            else:
                ids = np.full((len(seqs), width), self.pad_token_id, dtype=np.int64)
                mask = np.zeros(ids.shape, dtype=np.int64)
                for row, s in enumerate(seqs):
                    ids[row, :len(s)] = s
                    mask[row, :len(s)] = 1
            if return_tensors == "pt":
                import torch

                return Encoding(input_ids=torch.from_numpy(ids),
                                attention_mask=torch.from_numpy(mask))
            return Encoding(input_ids=ids, attention_mask=mask)
        input_ids, attention = [], []
        for s in seqs:
            row = s.tolist()
            pad = max(0, target - len(row)) if target is not None else 0
            input_ids.append(row + [self.pad_token_id] * pad)
            attention.append([1] * len(row) + [0] * pad)
        if not batched:
            return Encoding(input_ids=input_ids[0], attention_mask=attention[0])
        return Encoding(input_ids=input_ids, attention_mask=attention)
