"""The interval tokenizer: a BED file (or regions in memory) becomes a list of region ids.

Vocabulary (gtars' layout, on purpose: a model trained with gtars on a published universe
keeps its embedding rows): the universe regions in the *file's line order*, ids ``0..N-1``;
a duplicate line keeps the id of its first appearance and takes no id of its own (gtars'
``get_vocab`` does the same); then ``<unk> <pad> <mask> <cls> <eos> <bos> <sep>`` as ids
``N..N+6``. A query region becomes the ids of every universe region it overlaps by at least
1 bp (the pairs of ``bedtools intersect -wa -wb``), in query order and, within one query, in
genomic order of the regions (as gtars). A document with no token at all becomes ``[<unk>]``
(gtars) or stays empty (``empty_document="empty"``). A universe file that is not
position-sorted gets a warning: its ids are still file order, but gtars 0.10 returns wrong
tokens on such files, so models trained with it on them will not match.

The API is the shared contract (:mod:`genovocab.tokenizers.base`): ``tok(regions)`` returns a
:class:`~genovocab.tokenizers.base.BatchEncoding` with ``input_ids`` and ``attention_mask``;
``pad``, ``encode``, ``decode``, ``batch_decode``, ``tokenize``, special tokens, padding,
truncation, tensors and batches.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np

from genovocab.errors import InputError
from genovocab.overlap import Universe, overlap_pairs, read_regions
from genovocab.regions import Regions
from genovocab.tokenizers.base import BatchEncoding, TokenizerBase

SPECIAL_TOKENS = ("<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>", "<sep>")
_SPECIAL_NAMES = ("unk", "pad", "mask", "cls", "eos", "bos", "sep")
UNIVERSE_FILE = "universe.bed.gz"
CONFIG_FILE = "tokenizer_config.json"
GTARS_CONFIG = "tokenizer.toml"
_TOKEN_RE = re.compile(r"^(.+):(\d+)-(\d+)$")
_CHROM_COLUMNS = ("chrom", "chr", "chromosome", "seqname", "seqnames", "contig")

#: a document of at most this many regions takes the per-call path (:meth:`_small_ids`)
SMALL_DOCUMENT = 64
#: ... unless its regions have more candidate universe rows than this in all
_SMALL_CANDIDATES = 512

Unknown = Literal["drop", "unk"]


def _span(lo: int, hi: int) -> int:
    return hi - lo if hi > lo else 0


DuplicateRows = Literal["merge", "per_row"]
Order = Literal["query", "genomic"]
EmptyDocument = Literal["unk", "empty"]


def _bad_coordinate(value: Any) -> bool:
    """True unless ``value`` is a non-negative integer (or an integer-valued float)."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        return True
    if isinstance(value, (int, np.integer)):
        return value < 0
    if isinstance(value, (float, np.floating)):
        return not (math.isfinite(value) and float(value).is_integer() and value >= 0)
    return True


def _coordinates(values: Any, source: str, what: str) -> np.ndarray:
    """Start or end values as int64, checked in full: any non-integer, NaN, string or
    negative value anywhere is an error naming the source, the row (1-based) and the value."""
    if isinstance(values, np.ndarray):
        arr = values
    elif set(map(type, values)) <= {int}:  # the common case, checked in C (map, set)
        arr = np.fromiter(values, dtype=np.int64, count=len(values))
    else:  # never let numpy coerce strings or bools: check every value as given
        arr = np.empty(len(values), dtype=object)
        arr[:] = list(values)
    if arr.dtype.kind in "iu":
        bad = np.flatnonzero(arr < 0)
    elif arr.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.floor(arr)) | (arr < 0))
    else:
        flat = arr.ravel().tolist()
        bad = np.asarray([i for i, v in enumerate(flat) if _bad_coordinate(v)], dtype=np.int64)
        if not len(bad):
            arr = np.asarray(flat, dtype=np.int64)
    if len(bad):
        row = int(bad[0])
        value = arr.ravel()[row]
        if isinstance(value, np.generic):
            value = value.item()
        raise InputError(source, f"{what} {value!r} is not a non-negative integer", row + 1)
    return arr.astype(np.int64, copy=False)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_region(item: Any) -> bool:
    """A single region: ``(chrom, start, end, ...)`` or an object with ``chr/start/end``."""
    if isinstance(item, (tuple, list)):
        return (
            len(item) >= 3
            and isinstance(item[0], str)
            and not isinstance(item[1], (list, tuple))
            and not isinstance(item[2], (list, tuple))
        )
    return hasattr(item, "chr") and hasattr(item, "start") and hasattr(item, "end")


def _is_frame(item: Any) -> bool:
    """A pandas DataFrame (without importing pandas: if it is not imported, it is not one)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(item, pd.DataFrame)


def _is_arrow_table(item: Any) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(item, (pa.Table, pa.RecordBatch))


def _is_column_triple(item: Any) -> bool:
    """``(chroms, starts, ends)`` as three arrays (numpy, pyarrow, pandas) of equal length."""
    return (
        isinstance(item, tuple)
        and len(item) == 3
        and all(
            hasattr(c, "__len__") and not isinstance(c, (str, bytes, list, tuple)) for c in item
        )
    )


def _is_document(item: Any) -> bool:
    """One document: a BED path, a table (DataFrame, pyarrow, a mapping of columns), three
    column arrays, or a sequence of regions."""
    if (
        isinstance(item, (str, os.PathLike, Mapping))
        or _is_frame(item)
        or _is_arrow_table(item)
        or _is_column_triple(item)
    ):
        return True
    if isinstance(item, (list, tuple)):
        return len(item) == 0 or _is_region(item[0])
    return False


def _factorize(values: Any, source: str) -> tuple[np.ndarray, list[str]]:
    """Chromosome codes (int32) and names of one column (the order of the names does not
    matter: they are mapped to the universe's ranks by name).

    Regions usually come grouped by chromosome, so names are compared with their neighbour
    (one vectorised pass) and looked up once per run; many runs fall back to one dict
    lookup per row. A missing or non-string name is an error naming the row (1-based)."""
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(values, (pa.Array, pa.ChunkedArray)):
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not pa.types.is_dictionary(values.type):
            values = values.dictionary_encode()
        if values.null_count:
            row = int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
            raise InputError(source, "missing chromosome name", row + 1)
        if not (
            pa.types.is_string(values.dictionary.type)
            or pa.types.is_large_string(values.dictionary.type)
        ):
            value = values.dictionary[0].as_py() if len(values.dictionary) else None
            raise InputError(source, f"chromosome {value!r} is not a string", 1)
        codes = values.indices.to_numpy(zero_copy_only=False).astype(np.int32)
        return codes, [str(n) for n in values.dictionary.to_pylist()]
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "OU" and len(values):
            raise InputError(source, f"chromosome {values[:1].tolist()[0]!r} is not a string", 1)
        seq = values.tolist() if values.dtype.kind == "U" else values
    else:
        seq = values if isinstance(values, (list, tuple)) else list(values)
    n = len(seq)
    if n == 0:
        return np.zeros(0, dtype=np.int32), []
    if isinstance(seq, np.ndarray):
        different = seq[1:] != seq[:-1]
    else:  # a Python list: compare neighbours without building an object array
        different = np.fromiter(
            map(operator.ne, itertools.islice(seq, 1, None), seq), dtype=bool, count=n - 1
        )
    heads = np.flatnonzero(np.concatenate(([True], different)))
    names: dict[Any, int] = {}
    if len(heads) <= max(64, n // 8):
        run_codes = np.fromiter(
            (names.setdefault(seq[i], len(names)) for i in heads.tolist()),
            dtype=np.int32,
            count=len(heads),
        )
        codes = np.repeat(run_codes, np.diff(np.append(heads, n)))
    else:
        codes = np.fromiter((names.setdefault(v, len(names)) for v in seq), dtype=np.int32, count=n)
    uniques = list(names)
    bad = [i for i, c in enumerate(uniques) if not isinstance(c, str)]
    if bad:
        row = int(np.flatnonzero(codes == bad[0])[0])
        value = uniques[bad[0]]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise InputError(source, "missing chromosome name", row + 1)
        raise InputError(source, f"chromosome {value!r} is not a string", row + 1)
    return codes, uniques


def _column_values(values: Any) -> Any:
    """A pyarrow or pandas column as numpy (nulls become NaN, which the check rejects)."""
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.to_numpy(zero_copy_only=False)
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        return values.to_numpy()
    return values


def _from_columns(chroms: Any, starts: Any, ends: Any, source: str) -> Regions:
    """In-memory regions as :class:`~genovocab.regions.Regions`, checked like a BED file
    (row = 1-based)."""
    codes, uniques = _factorize(chroms, source)
    starts = _coordinates(_column_values(starts), source, "start")
    ends = _coordinates(_column_values(ends), source, "end")
    if not len(codes) == len(starts) == len(ends):
        raise InputError(
            source,
            f"chrom, start and end have different lengths "
            f"({len(codes)}, {len(starts)}, {len(ends)})",
        )
    bad = np.flatnonzero(ends < starts)
    if len(bad):
        raise InputError(
            source, f"start {starts[bad[0]]} is greater than end {ends[bad[0]]}", int(bad[0]) + 1
        )
    keep = ends > starts  # zero-length regions are skipped, as the BED reader does
    n_zero = int(len(keep) - np.count_nonzero(keep))
    if n_zero:
        codes, starts, ends = codes[keep], starts[keep], ends[keep]
    return Regions(
        chroms=[str(c) for c in uniques],
        chrom_index=codes,
        starts=starts,
        ends=ends,
        path=source,
        n_zero_length=n_zero,
    )


def _table_columns(names: Sequence[Any], source: str) -> tuple[Any, Any, Any]:
    """The chrom, start and end column names of a table (by name, else the first three)."""
    lower = {str(c).lower(): c for c in names}
    chrom_col = next((lower[c] for c in _CHROM_COLUMNS if c in lower), None)
    if chrom_col is not None and "start" in lower and "end" in lower:
        return chrom_col, lower["start"], lower["end"]
    if len(names) >= 3:
        return names[0], names[1], names[2]
    raise InputError(
        source, "needs chrom, start and end columns (or at least three columns in that order)"
    )


def _frame_regions(frame: Any) -> Regions:
    c, s, e = _table_columns(list(frame.columns), "<DataFrame>")
    return _from_columns(
        frame[c].to_numpy(dtype=object), frame[s].to_numpy(), frame[e].to_numpy(), "<DataFrame>"
    )


def to_regions(document: Any) -> Regions:
    """One document as arrays: a BED path; a pandas DataFrame, pyarrow Table or mapping of
    columns (``chrom``/``start``/``end``, else the first three); three column arrays
    ``(chroms, starts, ends)``; or regions as tuples or objects with ``.chr/.start/.end``."""
    if isinstance(document, (str, os.PathLike)):
        return read_regions(document, allow_empty=True)
    if _is_frame(document):
        return _frame_regions(document)
    if _is_arrow_table(document):
        c, s, e = _table_columns(list(document.schema.names), "<table>")
        return _from_columns(document.column(c), document.column(s), document.column(e), "<table>")
    if isinstance(document, Mapping):
        c, s, e = _table_columns(list(document), "<columns>")
        return _from_columns(document[c], document[s], document[e], "<columns>")
    if _is_column_triple(document):
        return _from_columns(*document, "<columns>")
    if isinstance(document, (list, tuple)):
        if len(document) == 0:
            return _from_columns([], [], [], "<regions>")
        first = document[0]
        try:
            if isinstance(first, (tuple, list)):
                chroms = list(map(itemgetter(0), document))
                starts = list(map(itemgetter(1), document))
                ends = list(map(itemgetter(2), document))
            else:
                chroms = [r.chr for r in document]
                starts = [r.start for r in document]
                ends = [r.end for r in document]
        except (IndexError, TypeError, AttributeError) as exc:
            raise InputError(
                "<regions>",
                f"each region must be (chrom, start, end) with integer start and end ({exc})",
            ) from exc
        return _from_columns(chroms, starts, ends, "<regions>")
    raise TypeError(
        f"cannot tokenize {type(document).__name__}: give a BED path, a "
        "DataFrame or pyarrow Table, (chroms, starts, ends) arrays, a list of "
        "(chrom, start, end), or a list of those"
    )


def _small_document(inputs: Any) -> Sequence[Any] | None:
    """The regions of a call's input when it is one region tuple or one short list of
    region tuples (one document); None otherwise."""
    kind = type(inputs)
    if kind is tuple:
        if len(inputs) >= 3 and type(inputs[0]) is str:
            return (inputs,)
        return None
    if kind is list and 0 < len(inputs) <= SMALL_DOCUMENT:
        first = inputs[0]
        if type(first) in (tuple, list) and len(first) >= 3 and type(first[0]) is str:
            return inputs
    return None


class IntervalTokenizer(TokenizerBase):
    """Tokenize genomic regions against a universe (see the module docstring for the layout).

    Options: ``unknown`` ``"drop"`` (default, as gtars) or ``"unk"`` (one ``<unk>`` for each
    query with no hit); ``order`` ``"query"`` (default, gtars' order: query order, genomic
    order within a query) or ``"genomic"`` (the whole document in genomic order of the
    regions, ``<unk>`` last); ``dedupe`` (keep only the first occurrence of each id);
    ``empty_document`` ``"unk"`` (default, as gtars: ``[<unk>]``) or ``"empty"``;
    ``min_overlap`` (bp), ``min_query_fraction`` and ``min_region_fraction``;
    ``duplicate_rows``: a universe region listed on several lines has one id (its first
    line's); ``"merge"`` (default) gives one token per distinct region a query overlaps,
    ``"per_row"`` one per universe line, as gtars and ``bedtools intersect`` do.

    One document of at most :data:`SMALL_DOCUMENT` ``(chrom, start, end)`` tuples (the
    ``Dataset.__getitem__`` case) takes a per-call path in plain Python over the same
    index (:meth:`_small_ids`), with the same ids as the vectorised path.
    """

    default_special_tokens = {
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "cls_token": "<cls>",
        "eos_token": "<eos>",
        "bos_token": "<bos>",
        "sep_token": "<sep>",
    }
    #: chromosome lengths the regions are checked against (the release's tokenizer sets them)
    chrom_sizes: Mapping[str, int] | None = None
    #: a subclass overrides :meth:`_encode` (e.g. to check regions): set per class
    _checks_in_encode = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._checks_in_encode = cls._encode is not IntervalTokenizer._encode

    def __init__(
        self,
        universe: Universe,
        *,
        unknown: Unknown = "drop",
        order: Order = "query",
        dedupe: bool = False,
        min_overlap: int = 1,
        min_query_fraction: float = 0.0,
        min_region_fraction: float = 0.0,
        empty_document: EmptyDocument = "unk",
        duplicate_rows: DuplicateRows = "merge",
        model_max_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(model_max_length=model_max_length, **kwargs)
        if unknown not in ("drop", "unk"):
            raise ValueError(f"unknown must be 'drop' or 'unk', not {unknown!r}")
        if order not in ("query", "genomic"):
            raise ValueError(f"order must be 'query' or 'genomic', not {order!r}")
        if empty_document not in ("unk", "empty"):
            raise ValueError(f"empty_document must be 'unk' or 'empty', not {empty_document!r}")
        if duplicate_rows not in ("merge", "per_row"):
            raise ValueError(f"duplicate_rows must be 'merge' or 'per_row', not {duplicate_rows!r}")
        if not _is_int(min_overlap) or min_overlap < 1:
            raise ValueError(f"min_overlap must be an integer >= 1, not {min_overlap!r}")
        for name, value in (
            ("min_query_fraction", min_query_fraction),
            ("min_region_fraction", min_region_fraction),
        ):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        self.universe = universe
        self.unknown = unknown
        self.order = order
        self.dedupe = bool(dedupe)
        self.empty_document = empty_document
        self.min_overlap = int(min_overlap)
        self.min_query_fraction = float(min_query_fraction)
        self.min_region_fraction = float(min_region_fraction)
        self.duplicate_rows = duplicate_rows
        self._repeat = universe.multiplicity if duplicate_rows == "per_row" else None
        self._filtered = (
            self.min_overlap > 1 or self.min_query_fraction > 0 or self.min_region_fraction > 0
        )
        # default tokenization options: a hit list is the document (see _small_ids)
        # (one sublist, rows are ids, ends non-decreasing: the candidates are the hits)
        subs = universe._sublists
        self._simple = (
            not self._filtered
            and unknown == "drop"
            and order == "query"
            and not dedupe
            and (duplicate_rows == "merge" or universe.multiplicity is None)
            and universe.ids_identity
            and len(subs) == 1
            and subs[0].is_identity
            and subs[0].ends_monotonic
        )
        n = len(universe)
        ids = universe.ids if universe.ids is not None else np.arange(n, dtype=np.int64)
        self._row_to_id = np.append(ids, n).astype(np.int64)  # row n = <unk>
        self._id_to_row = universe.rows if universe.rows is not None else np.arange(n)
        self._vocab: dict[str, int] | None = None
        self._unk_id = n  # <unk> is the first special token
        # the per-call path needs only the default options of __call__ and no template
        self._plain_template = self._special_template() == ([], [])

    # ------------------------------------------------------------------ loading / saving
    @classmethod
    def from_bed(
        cls,
        path: str | os.PathLike,
        chrom_sizes: Mapping[str, int] | str | os.PathLike | None = None,
        **options: Any,
    ) -> IntervalTokenizer:
        """A tokenizer whose vocabulary is the regions of a BED file (any layout), ids in
        the file's line order; warns when the file is not position-sorted."""
        if chrom_sizes is not None and not isinstance(chrom_sizes, Mapping):
            from genovocab.io import read_chrom_sizes

            chrom_sizes = read_chrom_sizes(chrom_sizes)
        universe = Universe.from_bed(path, chrom_sizes)
        if not universe.file_sorted:
            warnings.warn(
                f"{os.fspath(path)}: the universe is not position-sorted; token ids follow "
                "its line order (as gtars), but gtars 0.10 returns wrong tokens on unsorted "
                "universes, so sort it (sort -k1,1 -k2,2n -k3,3n) before training with gtars",
                UserWarning,
                stacklevel=2,
            )
        if universe.n_duplicates and options.get("duplicate_rows", "merge") == "merge":
            n_regions = int((universe.multiplicity > 1).sum())
            warnings.warn(
                f"{os.fspath(path)}: {universe.n_duplicates} duplicate row(s) (of "
                f"{n_regions} region(s) listed more than once); each region has one id (its "
                "first line's) and a query overlapping it gets one token, where gtars and "
                "bedtools give one per row: pass duplicate_rows='per_row' to do the same",
                UserWarning,
                stacklevel=2,
            )
        options.setdefault("name_or_path", os.fspath(path))
        return cls(universe, **options)

    @classmethod
    def from_pretrained(cls, directory: str | os.PathLike, **overrides: Any) -> IntervalTokenizer:
        """Load what :meth:`save_pretrained` wrote; keyword arguments override saved options."""
        directory = Path(directory)
        config_path = directory / CONFIG_FILE
        config = cls.read_config(directory)
        if config.get("tokenizer_class") != cls.__name__:
            raise InputError(
                config_path,
                f"tokenizer_class is {config.get('tokenizer_class')!r}, expected {cls.__name__!r}",
            )
        options = dict(config.get("options", {}))
        options.update(
            {k: v for k, v in cls.common_options(config).items() if k != "special_tokens"}
        )
        options.update(overrides)
        tok = cls.from_bed(directory / config.get("universe_file", UNIVERSE_FILE), **options)
        if len(tok.universe) != config.get("n_regions", len(tok.universe)):
            raise InputError(
                config_path,
                f"n_regions is {config['n_regions']} but the universe "
                f"file has {len(tok.universe)} regions",
            )
        return tok

    def options(self) -> dict[str, Any]:
        """The tokenization options (what ``tokenizer_config.json`` stores)."""
        return {
            "unknown": self.unknown,
            "order": self.order,
            "dedupe": self.dedupe,
            "empty_document": self.empty_document,
            "min_overlap": self.min_overlap,
            "min_query_fraction": self.min_query_fraction,
            "min_region_fraction": self.min_region_fraction,
            "duplicate_rows": self.duplicate_rows,
        }

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> tuple[str, ...]:
        """Write ``universe.bed.gz`` (BED3, one line per id in id order, so gtars' ids are
        ours), ``tokenizer_config.json``, ``special_tokens_map.json`` and gtars'
        ``tokenizer.toml`` into one folder; returns the paths."""
        directory = Path(save_directory)
        directory.mkdir(parents=True, exist_ok=True)
        universe_path = directory / UNIVERSE_FILE
        from genovocab.fileutil import write_text_atomic
        from genovocab.io.bed import write_bed3

        u = self.universe
        rows = self._id_to_row
        if self._repeat is not None:  # keep the duplicate lines, next to their first
            rows = np.repeat(rows, self._repeat[rows])
        write_bed3(universe_path, u.names()[rows], u.starts[rows], u.ends[rows])
        extra = {
            "universe_file": UNIVERSE_FILE,
            "n_regions": len(u),
            "vocab_size": self.vocab_size,
            "chromosomes": list(u.chroms),
            "options": self.options(),
            "special_token_ids": {
                f"{n}_token_id": len(u) + i for i, n in enumerate(_SPECIAL_NAMES)
            },
        }
        paths = self._write_config(directory, extra)

        write_text_atomic(directory / GTARS_CONFIG, f'universe = "{UNIVERSE_FILE}"\n')
        return tuple(str(p) for p in [universe_path, *paths, directory / GTARS_CONFIG])

    # ------------------------------------------------------------------ vocabulary
    @property
    def n_regions(self) -> int:
        """Number of universe regions (ids ``0..n_regions-1``)."""
        return len(self.universe)

    @property
    def vocab_size(self) -> int:
        return len(self.universe) + len(SPECIAL_TOKENS)

    def __repr__(self) -> str:
        return (
            f"IntervalTokenizer({self.n_regions} regions, vocab_size={self.vocab_size}, "
            f"unknown={self.unknown!r}, order={self.order!r}, dedupe={self.dedupe})"
        )

    def _region_tokens(self, ids: np.ndarray) -> list[str]:
        u = self.universe
        rows = self._id_to_row[np.asarray(ids, dtype=np.int64)]
        chroms = u.chroms
        ci, st, en = u.chrom_index[rows].tolist(), u.starts[rows].tolist(), u.ends[rows].tolist()
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

    def _convert_token_to_id(self, token: str) -> int | None:
        if token in SPECIAL_TOKENS:
            return self.n_regions + SPECIAL_TOKENS.index(token)
        match = _TOKEN_RE.match(token)
        if match:
            found = self.universe.find(match.group(1), int(match.group(2)), int(match.group(3)))
            if found >= 0:
                return found
        return None

    def _convert_id_to_token(self, index: int) -> str:
        return self.convert_ids_to_tokens([index])[0]

    def convert_ids_to_tokens(
        self, ids: int | Sequence[int], skip_special_tokens: bool = False
    ) -> str | list[str]:
        """Token string(s) of id(s); an id outside the vocabulary is an error."""
        single = _is_int(ids)
        arr = np.atleast_1d(np.asarray(ids, dtype=np.int64)).ravel()
        bad = (arr < 0) | (arr >= self.vocab_size)
        if bad.any():
            raise ValueError(
                f"token id {int(arr[bad][0])} is outside the vocabulary (0..{self.vocab_size - 1})"
            )
        if skip_special_tokens:
            arr = arr[arr < self.n_regions]
        special = arr >= self.n_regions
        out = [""] * len(arr)
        region_pos = np.flatnonzero(~special)
        for p, token in zip(region_pos.tolist(), self._region_tokens(arr[region_pos])):
            out[p] = token
        for p in np.flatnonzero(special).tolist():
            out[p] = SPECIAL_TOKENS[int(arr[p]) - self.n_regions]
        return out[0] if single else out

    # ------------------------------------------------------------------ tokenizing
    def encode_regions(self, regions: Regions) -> np.ndarray:
        """Token ids (int64 array) of one document given as
        :class:`~genovocab.regions.Regions`."""
        return self._encode(regions, count_unknown=False)[0]

    def encode_with_counts(self, regions: Any) -> tuple[np.ndarray, int, int]:
        """Ids of one document, its number of regions and of regions with no hit."""
        if not isinstance(regions, Regions):
            regions = to_regions(regions)
        ids, n_unknown = self._encode(regions, count_unknown=True)
        return ids, len(regions), n_unknown

    def _encode(self, regions: Regions, count_unknown: bool) -> tuple[np.ndarray, int]:
        q_idx, rows = overlap_pairs(
            self.universe,
            regions,
            min_overlap=self.min_overlap,
            min_query_fraction=self.min_query_fraction,
            min_region_fraction=self.min_region_fraction,
        )
        if self._repeat is not None:  # one token per universe line (duplicates adjacent)
            repeat = self._repeat[rows]
            q_idx, rows = np.repeat(q_idx, repeat), np.repeat(rows, repeat)
        n_unknown = -1
        n = len(regions)
        if self.unknown == "unk" or count_unknown:
            hits = np.bincount(q_idx, minlength=n) if len(q_idx) else np.zeros(n, np.int64)
            missing = hits == 0
            n_unknown = int(missing.sum())
            if self.unknown == "unk" and n_unknown:
                width = np.where(missing, 1, hits)
                first = np.cumsum(width) - width  # output offset of each query
                out = np.full(int(width.sum()), self.n_regions, dtype=np.int64)  # <unk> row
                rank = np.arange(len(q_idx)) - (np.cumsum(hits) - hits)[q_idx]
                out[first[q_idx] + rank] = rows
                rows = out
        if self.order == "genomic":
            rows = np.sort(rows, kind="stable")
        ids = self._row_to_id[rows]
        if self.dedupe and len(ids):
            _, first = np.unique(ids, return_index=True)
            ids = ids[np.sort(first)]
        if not len(ids) and self.empty_document == "unk":
            ids = np.asarray([self.unk_token_id], dtype=np.int64)
        return ids, n_unknown

    # ------------------------------------------------------------------ per-call path
    def _small_ids(self, regions: Sequence[Any]) -> list[int] | None:
        """Ids of a short document of ``(chrom, start, end, ...)`` tuples (or lists) with
        ``int`` coordinates, computed in plain Python over the universe's index: the same
        ids as :meth:`_encode` (tested on randomized regions), without building arrays of
        the input. None for anything else (other types, a bad coordinate, a region beyond its
        chromosome with ``chrom_sizes``, a document with many candidate regions): the
        vectorised path then handles it or raises the located error.

        With the default options on a sorted, non-nested universe (``self._simple``) rows are
        ids and the candidates of a query are its hits, so a query is two binary searches and
        a range."""
        if len(regions) > SMALL_DOCUMENT:
            return None
        # a subclass that checks regions in _encode keeps this path only if the check is
        # the chromosome-length one, done here too (the release's tokenizer sets chrom_sizes)
        sizes = self.chrom_sizes
        if sizes is None and self._checks_in_encode:
            return None
        keys = self._query_keys(regions, sizes)
        if keys is None:
            return None
        q_start, q_end = keys
        if self._simple:
            sub = self.universe._sublists[0]
            n = len(q_start)
            if n == 1:  # scalar searches: no arrays to build
                lo = int(sub.padded_max_end_keys.searchsorted(q_start[0], "right")) - 1
                hi = int(sub.start_keys.searchsorted(q_end[0], "left"))
                if hi - lo > _SMALL_CANDIDATES:
                    return None
                ids = list(range(lo, hi))
            elif n:
                los = (
                    sub.padded_max_end_keys.searchsorted(np.array(q_start, dtype=np.int64), "right")
                    - 1
                ).tolist()
                his = sub.start_keys.searchsorted(np.array(q_end, dtype=np.int64), "left").tolist()
                if sum(map(_span, los, his)) > _SMALL_CANDIDATES:
                    return None
                ids = [r for a, b in zip(los, his) for r in range(a, b)]
            else:
                ids = []
            return ids if ids or self.empty_document == "empty" else [self.unk_token_id]
        u = self.universe
        n = len(q_start)
        hits: list[list[int]] = [[] for _ in range(n)]
        if n:
            if n == 1:  # scalar searches: no arrays to build
                qs, qe = q_start[0], q_end[0]
            else:
                qs = np.array(q_start, dtype=np.int64)
                qe = np.array(q_end, dtype=np.int64)
            several = len(u._sublists) > 1
            for sub in u._sublists:
                if not len(sub.ids):
                    continue
                # hi: regions starting before the query end; lo: first whose running
                # maximum end passes the query start (as Universe._pairs)
                hi = sub.start_keys.searchsorted(qe, "left")
                lo = sub.padded_max_end_keys.searchsorted(qs, "right") - 1
                if n == 1:
                    his, los = [int(hi)], [int(lo)]
                else:
                    his, los = hi.tolist(), lo.tolist()
                if sum(map(_span, los, his)) > _SMALL_CANDIDATES:
                    return None
                for q, (a, b) in enumerate(zip(los, his)):
                    if a >= b:
                        continue
                    rows = range(a, b) if sub.is_identity else sub.ids[a:b].tolist()
                    if not sub.ends_monotonic:
                        key = q_start[q]
                        rows = [r for r, k in zip(rows, sub.end_keys[a:b].tolist()) if k > key]
                    hits[q].extend(rows)
            if several:
                for h in hits:
                    h.sort()
            if self._filtered:  # (start, end) of each query (zero-length ones were skipped)
                q_raw = [(r[1], r[2]) for r in regions if r[1] != r[2]]
                hits = [self._kept(h, *q_raw[q]) for q, h in enumerate(hits)]
        repeat = self._repeat
        unk_row = self.n_regions
        rows_out: list[int] = []
        for h in hits:
            if h:
                if repeat is None:
                    rows_out.extend(h)
                else:
                    for r in h:
                        rows_out.extend([r] * int(repeat[r]))
            elif self.unknown == "unk":
                rows_out.append(unk_row)
        if self.order == "genomic":
            rows_out.sort()
        if u.ids_identity or not rows_out:
            ids = rows_out  # row == id, and row N is <unk>
        else:
            ids = self._row_to_id[np.array(rows_out, dtype=np.int64)].tolist()
        if self.dedupe and len(ids) > 1:
            ids = list(dict.fromkeys(ids))
        if not ids and self.empty_document == "unk":
            ids = [self.unk_token_id]
        return ids

    def _query_keys(
        self, regions: Sequence[Any], sizes: Mapping[str, int] | None
    ) -> tuple[list[int], list[int]] | None:
        """Start and end keys (``rank << shift | position``, as the universe's index; -1 for a
        chromosome not in the universe) of the regions of a short document, zero-length
        regions skipped as the BED reader skips them. None when a region is not a tuple or
        list of a ``str`` and two ``int``, has a bad coordinate or ends beyond its chromosome
        in ``sizes``: the vectorised path then handles it or raises the located error."""
        u = self.universe
        rank_of = u._rank.get
        shift = u.shift
        limit = (1 << shift) - 1
        q_start: list[int] = []
        q_end: list[int] = []
        for region in regions:
            kind = type(region)
            if (kind is not tuple and kind is not list) or len(region) < 3:
                return None
            chrom, start, end = region[0], region[1], region[2]
            if (
                type(start) is not int
                or type(end) is not int
                or type(chrom) is not str
                or not 0 <= start <= end
            ):
                return None
            if sizes is not None and end > sizes.get(chrom, end):
                return None  # beyond the chromosome: the checked path raises the error
            if start == end:
                continue  # zero-length: skipped
            rank = rank_of(chrom)
            if rank is None:
                q_start.append(-1)
                q_end.append(-1)
                continue
            if end > limit:  # past the key width: clamped (every region ends before it)
                start, end = min(start, limit), limit
            base = rank << shift
            q_start.append(base | start)
            q_end.append(base | end)
        return q_start, q_end

    def _kept(self, rows: list[int], start: int, end: int) -> list[int]:
        """``rows`` that pass ``min_overlap`` and the overlap fractions for query
        ``[start, end)`` (the same comparisons as :meth:`Universe.overlaps`)."""
        u = self.universe
        out = []
        for r in rows:
            us, ue = int(u.starts[r]), int(u.ends[r])
            shared = min(end, ue) - max(start, us)
            if shared < self.min_overlap:
                continue
            if self.min_query_fraction > 0 and not shared >= self.min_query_fraction * (
                end - start
            ):
                continue
            if self.min_region_fraction > 0 and not shared >= self.min_region_fraction * (ue - us):
                continue
            out.append(r)
        return out

    def _plain_call(
        self, inputs: Any, add_special_tokens: bool, return_attention_mask: bool | None
    ) -> BatchEncoding | None:
        """The per-call path of :meth:`TokenizerBase.__call__` with the default options: one
        short document (:func:`_small_document`, :meth:`_small_ids`) when the template adds
        no special tokens; None for anything else (the generic path)."""
        if not self._plain_template:
            return None
        regions = _small_document(inputs)
        ids = None if regions is None else self._small_ids(regions)
        if ids is None:
            return None
        if return_attention_mask is False or (
            return_attention_mask is None and "attention_mask" not in self.model_input_names
        ):
            return BatchEncoding({"input_ids": ids})
        return BatchEncoding({"input_ids": ids, "attention_mask": [1] * len(ids)})

    def _document_ids(self, document: Any) -> np.ndarray:
        """Ids of one document: the per-call path when it applies, else the vectorised one."""
        if type(document) is list and 0 < len(document) <= SMALL_DOCUMENT:
            ids = self._small_ids(document)
            if ids is not None:
                return np.array(ids, dtype=np.int64)
        return self.encode_regions(to_regions(document))

    def _split_batch(self, regions: Any) -> tuple[list[Any], bool]:
        if _is_document(regions) or _is_region(regions) and not isinstance(regions, list):
            if isinstance(regions, tuple) and _is_region(regions):
                return [[regions]], False
            return [regions], False
        if isinstance(regions, (list, tuple)) and all(_is_document(d) for d in regions):
            return list(regions), True
        raise TypeError(
            "cannot tokenize this input: give a BED path, a DataFrame, a list of "
            "(chrom, start, end), or a list of those (a batch)"
        )

    def _encode_batch(
        self, items: list[Any], max_tokens: int | None
    ) -> list[dict[str, np.ndarray]]:
        out = []
        for d in items:
            ids = self._document_ids(d)
            out.append({"input_ids": ids if max_tokens is None else ids[:max_tokens]})
        return out

    def encode(
        self, regions: Any, add_special_tokens: bool = True, **kwargs: Any
    ) -> list[int] | list[list[int]]:
        """Token ids of one document (list) or of a batch of documents (list of lists)."""
        kwargs.pop("return_tensors", None)
        return self(regions, add_special_tokens=add_special_tokens, **kwargs)["input_ids"]

    def tokenize(self, regions: Any) -> list[str] | list[list[str]]:
        """Token strings (``chrom:start-end``, ``<unk>``) of one document or a batch."""
        regions_small = _small_document(regions)
        ids = None if regions_small is None else self._small_ids(regions_small)
        if ids is not None:
            return self._small_tokens(ids)
        docs, batched = self._split_batch(regions)
        out = [self.convert_ids_to_tokens(self._document_ids(d).tolist()) for d in docs]
        return out if batched else out[0]

    def _small_tokens(self, ids: list[int]) -> list[str]:
        """Token strings of a few ids (valid ones: the per-call path made them)."""
        u = self.universe
        n = self.n_regions
        regions = [i for i in ids if i < n]
        if len(regions) > 2:  # a few fancy-indexing calls, then Python ints
            rows = np.array(regions, dtype=np.int64)
            if not u.ids_identity:
                rows = self._id_to_row[rows]
            found = iter(
                zip(u.chrom_index[rows].tolist(), u.starts[rows].tolist(), u.ends[rows].tolist())
            )
        else:
            found = iter(
                [
                    (int(u.chrom_index[r]), int(u.starts[r]), int(u.ends[r]))
                    for r in (i if u.ids_identity else int(self._id_to_row[i]) for i in regions)
                ]
            )
        chroms = u.chroms
        out = []
        for i in ids:
            if i >= n:
                out.append(SPECIAL_TOKENS[i - n])
            else:
                c, st, en = next(found)
                out.append(f"{chroms[c]}:{st}-{en}")
        return out
