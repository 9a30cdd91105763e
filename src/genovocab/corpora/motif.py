"""The motif corpus: genome fragments of consecutive motif bins with per-bin targets.

Sequence-to-function training as in motif-aware tokenization (Davarmanesh et al.): the genome
is read as fragments of ``fragment_bins`` consecutive bins (1,250, ~20 kb) taken every
``stride_bins`` (500) bins along each chromosome; each bin carries its token id and its cluster
vector, and optionally one or more target tracks (bigWig, e.g. ATAC-seq) averaged over the bin.

* Fragments per chromosome of ``n`` bins: ``floor((n - F) / S) + 1`` when ``n >= F`` (else 0),
  starting at bins ``0, S, 2S, ...``. With ``keep_last`` a last, shorter fragment from the
  next stride start to the chromosome end is added when the full ones do not reach the end
  (and one fragment of all bins when ``n < F``); by default it is dropped.
* Splits by chromosome: ``validation`` and ``test`` lists, every other corpus chromosome is
  ``train`` (hg38 in the paper: chr15 validation, chr10 test, autosomes only).
* Targets: per bin the mean of the track's values over the bin's bases that have data
  (pyBigWig; bases without data are ignored, a bin without any gets ``missing``), then an
  optional per-track transform (``log1p``; ``zscore`` / ``log1p_zscore`` with the mean and
  standard deviation of the train split's bins, so held-out data do not leak into it).

The shards are streamed chromosome by chromosome (one chromosome's rows in memory, never a
split's: hg38 is tens of GB), with the package's shard names and card metadata.

Rows (one per fragment): ``id``, ``chrom``, ``start``, ``end`` (bp), ``first_bin``,
``bin_lengths``, ``input_ids``, ``cluster_indices`` / ``cluster_values`` (per bin the non-zero
clusters, as sparse lists) and ``targets`` (per bin one value per track). Parquet shards per
split plus a dataset card; Snakemake knows the shard names in advance.

Two layouts store those rows. ``full`` writes every column into the shards, so each bin's
cluster vector is stored ``fragment_bins / stride_bins`` times (2.5 with the paper's
fragments). ``reference`` (the default) writes ``id``, ``chrom``, ``start``, ``end``,
``first_bin``, ``n_bins`` and ``targets``: the per-bin token ids, lengths and cluster vectors
stay where the motif tokenizer stores them once (``motifs/bins/``), and :class:`MotifRows`
(a ``datasets`` transform) or :class:`MotifCollator` rebuild today's rows from them, with the
very function that writes the ``full`` shards (:func:`fragment_table`), so both layouts give
the same rows. The targets stay in the rows: they are the corpus's own data (4 bytes per bin
and track), and a row then loads with its label without the tokenizer.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from genovocab.corpora.card import CardInfo, split_card_metadata
from genovocab.corpora.shards import SplitShards, shard_names, write_card_and_stats
from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_dir
from genovocab.tables import finite_or_none

SPLITS = ("train", "validation", "test")
NORMALIZE = ("none", "zscore", "log1p", "log1p_zscore")
LAYOUTS = ("reference", "full")
FRAGMENTS_PER_TABLE = 256  # rows built at a time (and Parquet row group size)


@dataclass(frozen=True)
class Track:
    """One target track: a bigWig file and its per-track transform."""

    name: str
    path: str
    normalize: str = "none"


@dataclass(frozen=True)
class CorpusConfig:
    """Fragmenting, splits, targets and sharding of a motif corpus."""

    fragment_bins: int = 1250
    stride_bins: int = 500
    keep_last: bool = False
    chromosome_regex: str = r"^chr[0-9]+$"
    validation: tuple[str, ...] = ("chr15",)
    test: tuple[str, ...] = ("chr10",)
    tracks: tuple[Track, ...] = ()
    missing: float = 0.0
    n_shards: int = 1
    title: str | None = None
    layout: str = "reference"
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        if self.fragment_bins < 1 or self.stride_bins < 1:
            raise GenovocabError("fragment_bins and stride_bins must be >= 1")
        if self.layout not in LAYOUTS:
            raise GenovocabError(f"layout must be one of {', '.join(LAYOUTS)}, not {self.layout!r}")
        if self.n_shards < 1:
            raise GenovocabError("n_shards must be >= 1")
        both = set(self.validation) & set(self.test)
        if both:
            raise GenovocabError(f"chromosome(s) {sorted(both)} are in both validation and test")
        for t in self.tracks:
            if t.normalize not in NORMALIZE:
                raise GenovocabError(
                    f"target {t.name!r}: normalize must be one of "
                    f"{', '.join(NORMALIZE)}, not {t.normalize!r}"
                )


# --------------------------------------------------------------------------- fragments


def fragment_bounds(
    n_bins: int, fragment_bins: int, stride_bins: int, keep_last: bool = False
) -> np.ndarray:
    """(k, 2) int64 array of [first, last) bin indices of a chromosome's fragments."""
    n, f, s = int(n_bins), int(fragment_bins), int(stride_bins)
    n_full = (n - f) // s + 1 if n >= f else 0
    starts = np.arange(n_full, dtype=np.int64) * s
    bounds = np.stack([starts, starts + f], axis=1) if n_full else np.zeros((0, 2), np.int64)
    if keep_last and n > 0:
        reach = int(bounds[-1, 1]) if n_full else 0
        if reach < n:
            first = n_full * s if n_full else 0
            bounds = np.concatenate([bounds, np.array([[first, n]], dtype=np.int64)])
    return bounds


def split_of(chrom: str, config: CorpusConfig) -> str:
    if chrom in config.validation:
        return "validation"
    if chrom in config.test:
        return "test"
    return "train"


def corpus_chromosomes(chroms: Sequence[str], config: CorpusConfig) -> list[str]:
    """The chromosomes of the corpus: those matching the regex, in the tokenizer's order."""
    pattern = re.compile(config.chromosome_regex)
    return [c for c in chroms if pattern.search(c)]


# --------------------------------------------------------------------------- targets


def bin_means(bigwig, chrom: str, edges: np.ndarray, block_bp: int = 1 << 22) -> np.ndarray:
    """Per bin the mean of the track over the bin's bases with data (NaN when none).

    ``bigwig`` is an open ``pyBigWig`` file. Read block by block (``block_bp`` bases, cut at
    bin edges), so memory does not grow with the chromosome.
    """
    edges = np.asarray(edges, dtype=np.int64)
    n_bins = edges.size - 1
    out = np.full(n_bins, np.nan, dtype=np.float64)
    sizes = bigwig.chroms()
    if chrom not in sizes or n_bins <= 0:
        return out
    b0 = 0
    while b0 < n_bins:
        target = edges[b0] + block_bp
        b1 = max(b0 + 1, int(np.searchsorted(edges, target, side="right")) - 1)
        b1 = min(b1, n_bins)
        lo, hi = int(edges[b0]), int(edges[b1])
        top = min(hi, int(sizes[chrom]))
        vals = np.full(hi - lo, np.nan, dtype=np.float64)
        if top > lo:
            vals[: top - lo] = np.asarray(
                bigwig.values(chrom, lo, top, numpy=True), dtype=np.float64
            )
        ok = ~np.isnan(vals)
        csum = np.concatenate([[0.0], np.cumsum(np.where(ok, vals, 0.0))])
        ccnt = np.concatenate([[0], np.cumsum(ok)])
        rel = edges[b0 : b1 + 1] - lo
        total = csum[rel[1:]] - csum[rel[:-1]]
        count = ccnt[rel[1:]] - ccnt[rel[:-1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[b0:b1] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        b0 = b1
    return out


def _transform(values: np.ndarray, normalize: str) -> np.ndarray:
    if normalize.startswith("log1p"):
        return np.log1p(np.maximum(values, 0.0))
    return values


def normalize_track(
    values: np.ndarray, normalize: str, mean: float, std: float, missing: float
) -> np.ndarray:
    """The stored target of raw per-bin means (NaN -> ``missing`` after the transform)."""
    out = _transform(values, normalize)
    if normalize.endswith("zscore"):
        out = (out - mean) / (std if std > 0 else 1.0)
    return np.where(np.isnan(out), missing, out).astype(np.float32)


# --------------------------------------------------------------------------- rows


def _take_ranges(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated bin indices of the fragments and the per-fragment offsets."""
    lengths = bounds[:, 1] - bounds[:, 0]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    idx = np.repeat(bounds[:, 0] - offsets[:-1], lengths) + np.arange(int(offsets[-1]))
    return idx.astype(np.int64), offsets


def fragment_table(chrom: str, arrays, bounds: np.ndarray, targets: np.ndarray | None) -> pa.Table:
    """The rows of one chromosome's fragments (vectorised, no per-bin Python objects).

    ``arrays`` has ``edges, ids, indptr, indices, values`` (the tokenizer folder's arrays);
    ``targets`` is (n_bins, n_tracks) float32 or None.
    """
    edges = np.asarray(arrays.edges)
    idx, offsets = _take_ranges(bounds)
    off32 = pa.array(offsets.astype(np.int32))
    lengths = (edges[idx + 1] - edges[idx]).astype(np.int32)
    ids = np.asarray(arrays.ids)[idx].astype(np.int32)
    indptr = np.asarray(arrays.indptr)
    nnz = (indptr[idx + 1] - indptr[idx]).astype(np.int64)
    inner = np.concatenate([[0], np.cumsum(nnz)]).astype(np.int64)
    pos = np.repeat(indptr[idx] - inner[:-1], nnz) + np.arange(int(inner[-1]))
    c_idx = np.asarray(arrays.indices)[pos].astype(np.int32)
    c_val = np.asarray(arrays.values)[pos].astype(np.float32)
    inner_off = pa.array(inner.astype(np.int64), type=pa.int64())
    cluster_indices = pa.LargeListArray.from_arrays(inner_off, pa.array(c_idx))
    cluster_values = pa.LargeListArray.from_arrays(inner_off, pa.array(c_val))
    columns = {
        **_coordinate_columns(chrom, edges, bounds),
        "bin_lengths": pa.ListArray.from_arrays(off32, pa.array(lengths)),
        "input_ids": pa.ListArray.from_arrays(off32, pa.array(ids)),
        "cluster_indices": pa.ListArray.from_arrays(off32, cluster_indices),
        "cluster_values": pa.ListArray.from_arrays(off32, cluster_values),
    }
    if targets is not None:
        columns["targets"] = _targets_column(targets, idx, off32)
    return pa.table(columns)


def _coordinate_columns(chrom: str, edges: np.ndarray, bounds: np.ndarray) -> dict[str, pa.Array]:
    """The columns both layouts start with: ``id``, ``chrom``, ``start``, ``end`` (bp, from
    the bin edges) and ``first_bin`` of each fragment."""
    starts = edges[bounds[:, 0]]
    ends = edges[bounds[:, 1]]
    return {
        "id": pa.array(
            [f"{chrom}:{s}-{e}" for s, e in zip(starts.tolist(), ends.tolist())], type=pa.string()
        ),
        "chrom": pa.array([chrom] * len(bounds), type=pa.string()),
        "start": pa.array(starts.astype(np.int64)),
        "end": pa.array(ends.astype(np.int64)),
        "first_bin": pa.array(bounds[:, 0].astype(np.int64)),
    }


def _targets_column(targets: np.ndarray, idx: np.ndarray, off32: pa.Array) -> pa.Array:
    t = np.ascontiguousarray(targets[idx], dtype=np.float32)
    fixed = pa.FixedSizeListArray.from_arrays(pa.array(t.ravel()), t.shape[1])
    return pa.ListArray.from_arrays(off32, fixed)


def reference_table(chrom: str, arrays, bounds: np.ndarray, targets: np.ndarray | None) -> pa.Table:
    """The ``reference`` rows of one chromosome's fragments: coordinates, ``first_bin``,
    ``n_bins`` and the targets; the per-bin columns stay in the tokenizer's bins."""
    columns = {
        **_coordinate_columns(chrom, np.asarray(arrays.edges), bounds),
        "n_bins": pa.array((bounds[:, 1] - bounds[:, 0]).astype(np.int32)),
    }
    if targets is not None:
        idx, offsets = _take_ranges(bounds)
        columns["targets"] = _targets_column(targets, idx, pa.array(offsets.astype(np.int32)))
    return pa.table(columns)


def is_reference(names: Sequence[str]) -> bool:
    """True for the columns of ``reference`` rows (``n_bins``, no cluster vectors)."""
    return "n_bins" in names and "cluster_values" not in names


class MotifRows:
    """Rebuild full corpus rows from ``reference`` rows and the motif tokenizer's bins.

    Called on a batch, it takes it as ``datasets`` hands it to a transform (column -> list)
    and returns the ``full`` layout's columns in its order, made by :func:`fragment_table`
    from the tokenizer's memory-mapped arrays (only the rows' bins are read):
    ``datasets.load_dataset("parquet", data_dir=...).with_transform(MotifRows(tok))`` gives
    the rows the ``full`` layout stores. Rows whose coordinates do not match the tokenizer's
    bin edges (a corpus of another tokenizer) raise :class:`GenovocabError`.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def table(self, batch: Mapping[str, Sequence[Any]]) -> pa.Table:
        """The full rows of a reference batch, as one Arrow table."""
        chroms = list(batch["chrom"])
        first = np.asarray(batch["first_bin"], dtype=np.int64)
        n = np.asarray(batch["n_bins"], dtype=np.int64)
        pieces = []
        k = 0
        while k < len(chroms):  # runs of one chromosome (shards are chromosome-ordered)
            j = k
            while j < len(chroms) and chroms[j] == chroms[k]:
                j += 1
            arrays = self.tokenizer.genome.arrays(chroms[k])
            bounds = np.stack([first[k:j], first[k:j] + n[k:j]], axis=1)
            if len(bounds) and (
                int(bounds[:, 1].max()) >= len(arrays.edges) or int(bounds[:, 0].min()) < 0
            ):
                raise GenovocabError(
                    f"corpus rows of {chroms[k]} name bins beyond the "
                    f"tokenizer's {len(arrays.edges) - 1}: another tokenizer"
                )
            table = fragment_table(chroms[k], arrays, bounds, None)
            want_start = np.asarray(batch["start"][k:j], dtype=np.int64)
            want_end = np.asarray(batch["end"][k:j], dtype=np.int64)
            if not (
                np.array_equal(table.column("start").to_numpy(), want_start)
                and np.array_equal(table.column("end").to_numpy(), want_end)
            ):
                raise GenovocabError(
                    f"corpus rows of {chroms[k]} do not match the "
                    "tokenizer's bin edges: a corpus of another tokenizer"
                )
            pieces.append(table)
            k = j
        if not pieces:
            return fragment_table(
                "x", _Empty(self.tokenizer.n_clusters), np.zeros((0, 2), np.int64), None
            )
        return pa.concat_tables(pieces)

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list]:
        out = self.table(batch).to_pydict()
        if "targets" in batch:
            out["targets"] = list(batch["targets"])
        return out


def load_motif_corpus(folder: str | os.PathLike, tokenizer, split: str | None = None):
    """The corpus folder's splits (or one ``split``) as ``datasets`` objects giving full rows
    whatever the layout (``reference`` shards get :class:`MotifRows` as their transform)."""
    import datasets

    data = os.path.join(os.fspath(folder), "data")
    ds = datasets.load_dataset("parquet", data_dir=data, split=split)
    names = ds.column_names if split is not None else next(iter(ds.values())).column_names
    return ds.with_transform(MotifRows(tokenizer)) if is_reference(names) else ds


# --------------------------------------------------------------------------- writing


def _open_tracks(config: CorpusConfig):
    import pyBigWig

    handles = []
    for t in config.tracks:
        try:
            bw = pyBigWig.open(os.fspath(t.path))
        except RuntimeError as exc:
            raise InputError(t.path, f"target {t.name!r}: not a readable bigWig ({exc})") from exc
        if bw is None or not bw.isBigWig():
            raise InputError(t.path, f"target {t.name!r}: not a bigWig file")
        handles.append(bw)
    return handles


def build_motif_corpus(
    tokenizer_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    config: CorpusConfig,
    *,
    name: str = "motif_fragments",
    plot: bool = True,
) -> dict[str, Any]:
    """Write the motif corpus of a motif tokenizer folder into ``out_dir`` (atomically).

    Returns the statistics the card shows (rows and bins per split, track statistics).
    Memory holds one chromosome's targets at a time: the per-bin means are computed once, kept
    on disk beside the shards being written (:class:`_SpilledTargets`) and read back per
    chromosome for the track statistics, the rows and the plot.
    """
    from genovocab.tokenizers.motif import MotifTokenizer

    config.check()
    tok = MotifTokenizer.from_pretrained(tokenizer_dir)
    chroms = corpus_chromosomes(list(tok.genome.lengths), config)
    unknown = sorted((set(config.validation) | set(config.test)) - set(chroms))
    if unknown:
        raise GenovocabError(
            f"split chromosome(s) {unknown} are not corpus chromosomes ({', '.join(chroms)})"
        )
    bounds = {
        c: fragment_bounds(
            tok.genome.n_bins(c), config.fragment_bins, config.stride_bins, config.keep_last
        )
        for c in chroms
    }
    handles = _open_tracks(config)
    make_rows = reference_table if config.layout == "reference" else fragment_table
    with atomic_dir(out_dir, kind="corpus") as tmp:
        try:
            raw = _SpilledTargets.write(tmp / ".targets", tok, chroms, handles)
        finally:
            for bw in handles:
                bw.close()
        track_stats = _track_statistics(raw, config)
        stats: dict[str, Any] = {"splits": {}, "tracks": track_stats, "layout": config.layout}
        (tmp / "data").mkdir()
        for split in SPLITS:
            members = [c for c in chroms if split_of(c, config) == split]
            n_rows = sum(len(bounds[c]) for c in members)
            shards = SplitShards(
                tmp, split, config.n_shards, n_rows, row_group_size=FRAGMENTS_PER_TABLE
            )
            n_bins = 0
            for chrom in members:
                targets = _targets(raw[chrom], config, track_stats)
                n_bins += int((bounds[chrom][:, 1] - bounds[chrom][:, 0]).sum())
                for c0 in range(0, len(bounds[chrom]), FRAGMENTS_PER_TABLE):
                    shards.write(
                        make_rows(
                            chrom,
                            tok.genome.arrays(chrom),
                            bounds[chrom][c0 : c0 + FRAGMENTS_PER_TABLE],
                            targets,
                        )
                    )
                tok.genome.release(chrom)  # one chromosome's mapped bins resident at a time
            # a split without rows: the schema of empty rows (the card shows the last split's)
            schema = shards.schema
            if schema is None:
                schema = make_rows(
                    "x",
                    _Empty(tok.n_clusters),
                    np.zeros((0, 2), np.int64),
                    np.zeros((1, len(config.tracks)), np.float32) if config.tracks else None,
                ).schema
            shards.close(schema)
            stats["splits"][split] = {
                "chromosomes": members,
                "rows": n_rows,
                "bins": n_bins,
                "num_bytes": shards.nbytes,  # Arrow bytes, the card's dataset_info num_bytes
            }
        stats["bytes"] = int(sum(p.stat().st_size for p in (tmp / "data").iterdir()))
        write_card_and_stats(
            tmp, corpus_card(name, tok, config, stats, schema), finite_or_none(stats)
        )
        if plot:
            plot_target_track(tmp / "target_track.png", tok, config, raw, track_stats, bounds)
        shutil.rmtree(tmp / ".targets")
    return stats


def _targets(
    raw: np.ndarray | None, config: CorpusConfig, track_stats: Mapping[str, Mapping[str, float]]
) -> np.ndarray | None:
    """One chromosome's stored targets (n_bins, n_tracks) float32 from its raw bin means."""
    if raw is None:
        return None
    return np.column_stack(
        [
            normalize_track(
                raw[:, k],
                t.normalize,
                track_stats[t.name]["mean"],
                track_stats[t.name]["std"],
                config.missing,
            )
            for k, t in enumerate(config.tracks)
        ]
    )


class _SpilledTargets(Mapping[str, "np.ndarray | None"]):
    """Chromosome -> its raw per-bin target means, (n_bins, n_tracks) float32 (NaN: no data),
    kept on disk (one ``.npy`` a chromosome) and read back whole on each look-up, so memory
    holds one chromosome's, never the genome's (~0.8 GB per track at hg38's ~195 M bins).
    Without tracks every chromosome maps to None."""

    def __init__(self, folder: Path, chroms: Sequence[str], n_tracks: int):
        self.folder = folder
        self.files = {c: folder / f"{i:05d}.npy" for i, c in enumerate(chroms)}
        self.n_tracks = n_tracks

    @classmethod
    def write(cls, folder: Path, tok, chroms: Sequence[str], handles) -> _SpilledTargets:
        """Compute each chromosome's bin means of every track (open bigWigs) and store them."""
        folder.mkdir()
        out = cls(folder, chroms, len(handles))
        for c in chroms if handles else ():
            edges = np.asarray(tok.genome.arrays(c).edges)
            means = np.stack([bin_means(bw, c, edges) for bw in handles], axis=1)
            np.save(out.files[c], means.astype(np.float32))
            del edges
            tok.genome.release(c)
        return out

    def __getitem__(self, chrom: str) -> np.ndarray | None:
        return np.load(self.files[chrom]) if self.n_tracks else None

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


@dataclass
class _Empty:
    n_clusters: int
    edges: np.ndarray = field(default_factory=lambda: np.zeros(2, np.int64))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int32))
    indptr: np.ndarray = field(default_factory=lambda: np.zeros(2, np.int64))
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


def _track_statistics(
    raw: Mapping[str, np.ndarray | None], config: CorpusConfig
) -> dict[str, dict[str, float]]:
    """Per track: mean and std (of the transformed values) over the train split's bins with
    data, and the share of bins without data.

    Read one chromosome at a time (``raw`` may be :class:`_SpilledTargets`); the mean and std
    are those numpy gives on the concatenated train values, bit for bit
    (:func:`_concatenated_sum`), so the stored targets do not depend on how they were read.
    """
    train = [c for c in raw if split_of(c, config) == "train"]
    position = {c: i for i, c in enumerate(train)}
    n_tracks = len(config.tracks)
    missing = np.zeros(n_tracks, dtype=np.int64)
    n_bins = 0
    lengths = np.zeros((n_tracks, len(train)), dtype=np.int64)  # train values with data
    for c in raw:
        values = raw[c]
        if values is None or not n_tracks:
            continue
        n_bins += len(values)
        missing += np.isnan(values).sum(axis=0)
        if c in position:
            for k, t in enumerate(config.tracks):
                lengths[k, position[c]] = _train_values(values, k, t.normalize).size
    out = {}
    for k, t in enumerate(config.tracks):
        mean, std = _mean_std(
            lengths[k], lambda i, k=k, t=t: _train_values(raw[train[i]], k, t.normalize)
        )
        out[t.name] = {
            "source": os.path.basename(os.fspath(t.path)),
            "normalize": t.normalize,
            "mean": mean,
            "std": std,
            "fraction_bins_missing": int(missing[k]) / n_bins if n_bins else 0.0,
        }
    return out


def _mean_std(lengths: Sequence[int], piece: Callable[[int], np.ndarray]) -> tuple[float, float]:
    """numpy's ``mean()`` and ``std()`` of the concatenated float64 pieces (0.0 and 1.0 when
    there are none), one or two pieces in memory: the sum, then the sum of squared
    deviations from the mean (numpy's ``_var``), each by :func:`_concatenated_sum`."""
    n = int(np.sum(lengths))
    if not n:
        return 0.0, 1.0
    mean = _concatenated_sum(lengths, piece) / n

    def squares(i: int) -> np.ndarray:
        d = piece(i) - mean
        return d * d

    return mean, float(np.sqrt(_concatenated_sum(lengths, squares) / n))


def _train_values(raw: np.ndarray, k: int, normalize: str) -> np.ndarray:
    """Track ``k``'s transformed values of one chromosome's bins with data (float64)."""
    values = _transform(raw[:, k].astype(np.float64), normalize)
    return values[~np.isnan(values)]


PAIRWISE_BLOCK = 128  # numpy's pairwise summation: largest block summed by 8 accumulators


def _concatenated_sum(lengths: Sequence[int], piece: Callable[[int], np.ndarray]) -> float:
    """``np.add.reduce(np.concatenate(pieces))`` of float64 pieces, without the concatenation.

    numpy sums a contiguous float64 array pairwise: ``n <= 128`` values in one block, longer
    runs halved at ``n2 = n // 2 - (n // 2) % 8``, the whole added to 0.0. A subtree inside one
    piece is numpy's sum of that slice (``initial=-0.0`` adds nothing, not even a zero's sign);
    only the subtrees across a boundary between pieces are split here (a few dozen per
    boundary), so the result is numpy's on the concatenation, bit for bit, with one or two
    pieces (``piece(i)``, of ``lengths[i]`` values) in memory.
    """
    offsets = np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64))])
    cache: dict[int, np.ndarray] = {}

    def get(i: int) -> np.ndarray:
        if i not in cache:
            if len(cache) >= 2:  # pieces are visited in order
                cache.pop(min(cache))
            cache[i] = piece(i)
        return cache[i]

    def span(lo: int, hi: int) -> np.ndarray:
        """Values lo:hi of the concatenation (a block: at most 128)."""
        parts = []
        i = int(np.searchsorted(offsets, lo, side="right")) - 1
        while lo < hi:
            end = min(hi, int(offsets[i + 1]))
            if end > lo:
                parts.append(get(i)[lo - offsets[i] : end - offsets[i]])
                lo = end
            i += 1
        return np.concatenate(parts)

    def tree(lo: int, n: int) -> float:
        i = int(np.searchsorted(offsets, lo, side="right")) - 1
        if lo + n <= offsets[i + 1]:
            start = lo - int(offsets[i])
            return float(np.add.reduce(get(i)[start : start + n], initial=-0.0))
        if n <= PAIRWISE_BLOCK:
            return float(np.add.reduce(span(lo, lo + n), initial=-0.0))
        n2 = n // 2
        n2 -= n2 % 8
        return tree(lo, n2) + tree(lo + n2, n - n2)

    total = int(offsets[-1])
    return 0.0 + tree(0, total) if total else 0.0


def corpus_card(
    name: str, tok, config: CorpusConfig, stats: Mapping[str, Any], schema: pa.Schema
) -> str:
    """The dataset card: Hugging Face YAML header (configs, features, splits) and a
    description. Written from the statistics, so the shards never have to be in memory."""
    import yaml

    info = CardInfo(
        title=config.title or name,
        license="other",
        tags=["biology", "genomics", "motif-tokens", "sequence-to-function"],
        task_categories=["other"],
    )
    counts = {s: (stats["splits"][s]["rows"], stats["splits"][s]["num_bytes"]) for s in SPLITS}
    meta = split_card_metadata(schema, counts, info)
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    split_rows = "\n".join(
        f"| {s} | {', '.join(v['chromosomes']) or '-'} | {v['rows']} | {v['bins']} |"
        for s, v in stats["splits"].items()
    )
    track_rows = (
        "\n".join(
            f"| {n} | {v['source']} | {v['normalize']} | {v['mean']:.4g} | {v['std']:.4g} | "
            f"{100 * v['fraction_bins_missing']:.2f} % |"
            for n, v in stats["tracks"].items()
        )
        or "| (none) | | | | | |"
    )
    last = (
        "kept (a shorter last fragment reaches each chromosome end)"
        if config.keep_last
        else "dropped (bins after the last full fragment are in no row of their own)"
    )
    return (
        f"---\n{header}---"
        + f"""

# {config.title or name}

Motif-token fragments of the genome for sequence-to-function models (motif-aware tokens,
Davarmanesh et al.): each row is {config.fragment_bins} consecutive motif bins of one chromosome,
fragments start every {config.stride_bins} bins; the last, shorter window is {last}.
Each bin carries its token id (`input_ids`, the motif tokenizer's vocabulary of
{tok.vocab_size} ids), its cluster vector ({tok.n_clusters} motif clusters) as sparse lists
(`cluster_indices`, `cluster_values`) and its length (`bin_lengths`, bp).
{_layout_text(config.layout)}
`targets` holds per bin one value per track, in this order: {
            ", ".join(stats["tracks"]) or "none"
        }: the mean of the bigWig over the bin's bases with data (bases without data ignored;
a bin without any gets {config.missing}), transformed as below (`zscore` uses the train split's
mean and standard deviation).

## Splits (by chromosome)

| split | chromosomes | rows | bins (with overlaps) |
|---|---|---|---|
{split_rows}

## Targets

| track | source | normalize | mean | std | bins without data |
|---|---|---|---|---|---|
{track_rows}

## Columns

| column | type | meaning |
|---|---|---|
| `id` | string | `chrom:start-end` |
| `chrom`, `start`, `end` | string, int64 | fragment coordinates (0-based, half-open) |
| `first_bin` | int64 | index of the first bin on its chromosome |
{_columns_text(config.layout)}{TARGETS_ROW}

{_loading_text(config.layout)}
Shards: {config.n_shards} per split; {stats["bytes"] / 1e6:.2f} MB in all.
"""
    )


TARGETS_ROW = "| `targets` | list<fixed_size_list<float32>> | per bin, one value per track |"


def _layout_text(layout: str) -> str:
    if layout == "full":
        return (
            "Every row stores all of it (layout `full`): overlapping fragments repeat "
            "their shared bins."
        )
    return (
        "The shards store each fragment by reference (layout `reference`): `chrom`, "
        "`first_bin` and `n_bins` name its bins, whose token ids, lengths and cluster "
        "vectors the motif tokenizer stores once (`motifs/bins/` of the release); they are "
        "read from there when rows are loaded, and the shards keep only the targets."
    )


def _columns_text(layout: str) -> str:
    if layout == "full":
        return (
            "| `bin_lengths` | list<int32> | bp per bin |\n"
            "| `input_ids` | list<int32> | token id per bin |\n"
            "| `cluster_indices` | list<large_list<int32>> | non-zero clusters per bin |\n"
            "| `cluster_values` | list<large_list<float32>> | their values |\n"
        )
    return (
        "| `n_bins` | int32 | bins of the fragment |\n"
        "| `bin_lengths`, `input_ids`, `cluster_indices`, `cluster_values` | (loaded) | "
        "from `motifs/bins/` when rows are loaded: bp, token id, non-zero clusters and "
        "their values per bin |\n"
    )


def _loading_text(layout: str) -> str:
    collate = (
        "batch rows for a model with `genovocab.tokenizers.collators.MotifCollator("
        "MotifTokenizer.from_pretrained(<motifs folder>))`"
    )
    if layout == "full":
        return (
            'Load with `datasets.load_dataset("parquet", data_dir="<this folder>/data")` '
            "(splits from the file names) or `pyarrow.parquet.read_table`; " + collate + "."
        )
    return (
        "Load the full rows with `genovocab.load_release(<release>).load_corpus(<name>)` "
        "or `genovocab.corpora.motif.load_motif_corpus(<this folder>, tokenizer)`; "
        '`datasets.load_dataset("parquet", data_dir="<this folder>/data")` gives '
        "the stored rows, and `.with_transform(MotifRows(tokenizer))` the full ones; "
        + collate
        + " (it takes either)."
    )


# --------------------------------------------------------------------------- collation


# --------------------------------------------------------------------------- plot


def plot_target_track(
    path: str | os.PathLike,
    tok,
    config: CorpusConfig,
    raw: Mapping[str, np.ndarray | None],
    track_stats,
    bounds,
    max_bins: int = 1250,
) -> None:
    """PNG: along one fragment (the validation fragment whose first target varies most, or
    the first fragment), the per-bin target against the motif coverage (sum of the bin's
    cluster values per bp) and the number of active clusters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from genovocab.fileutil import atomic_path

    chroms = [c for c in bounds if len(bounds[c])]
    if not chroms:
        return
    pick = [c for c in chroms if split_of(c, config) == "validation"] or chroms
    best = None
    for c in pick:
        values = raw[c]  # once per chromosome: ``raw`` may read it from disk
        for b0, b1 in bounds[c].tolist():
            score = (
                float(np.nanstd(values[b0:b1, 0]))
                if values is not None and np.any(~np.isnan(values[b0:b1, 0]))
                else 0.0
            )
            if best is None or score > best[0]:
                best = (score, c, b0, min(b1, b0 + max_bins))
    _, chrom, b0, b1 = best
    values = raw[chrom]
    bins = tok.genome.bin_range(chrom, b0, b1)
    mid = (bins.starts + bins.ends) / 2
    density = np.asarray(bins.clusters.sum(axis=1)).ravel() / (bins.ends - bins.starts)
    active = np.diff((bins.clusters >= tok.params.token_threshold).tocsr().indptr)
    fig, axes = plt.subplots(3 if values is not None else 2, 1, figsize=(10, 6), sharex=True)
    k = 0
    if values is not None:
        for j, t in enumerate(config.tracks):
            axes[0].step(mid, values[b0:b1, j], where="mid", linewidth=0.8, label=t.name)
        axes[0].set_ylabel("target (bin mean)")
        axes[0].legend(fontsize=8)
        k = 1
    axes[k].step(mid, density, where="mid", linewidth=0.8, color="tab:green")
    axes[k].set_ylabel("motif coverage\n(cluster sum / bp)")
    axes[k + 1].step(mid, active, where="mid", linewidth=0.8, color="tab:purple")
    axes[k + 1].set_ylabel("active clusters")
    axes[-1].set_xlabel(f"{chrom} position (bp)")
    axes[0].set_title(f"{chrom}:{int(bins.starts[0])}-{int(bins.ends[-1])}, {len(bins)} bins")
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)


def config_from_mapping(entry: Mapping[str, Any], track_paths: Mapping[str, str]) -> CorpusConfig:
    """A :class:`CorpusConfig` from the workflow's ``motifs.corpus`` mapping; ``track_paths``
    maps each target name to its local bigWig."""
    splits = entry.get("splits", {}) or {}
    tracks = tuple(
        Track(n, os.fspath(track_paths[n]), str(spec.get("normalize", "none")))
        for n, spec in (entry.get("targets", {}) or {}).items()
    )
    return CorpusConfig(
        fragment_bins=int(entry.get("fragment_bins", 1250)),
        stride_bins=int(entry.get("stride_bins", 500)),
        keep_last=bool(entry.get("keep_last", False)),
        chromosome_regex=str(entry.get("chromosome_regex", r"^chr[0-9]+$")),
        validation=tuple(splits.get("validation", ["chr15"])),
        test=tuple(splits.get("test", ["chr10"])),
        tracks=tracks,
        missing=float(entry.get("missing", 0.0)),
        n_shards=int(entry.get("n_shards", 1)),
        title=entry.get("title"),
        layout=str(entry.get("layout", "reference")),
    )


def corpus_shards(entry: Mapping[str, Any]) -> list[str]:
    """Shard paths (relative to the corpus folder) a config will produce."""
    return [p for split in SPLITS for p in shard_names(int(entry.get("n_shards", 1)), split)]
