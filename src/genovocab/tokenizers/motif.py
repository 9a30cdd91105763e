"""Motif tokens for genome regions and for any DNA (motif-aware tokens, Davarmanesh et al.).

A motif tokenizer folder holds everything the motif stage learnt and every parameter it used:

* ``motif_tokenizer_config.json`` - scanning cut-offs, binning parameters, CpG mode, token
  threshold, vocabulary cut, the chromosomes and their bin counts, the file names;
* ``matrices.jaspar`` (the PFMs, byte-identical to the source), ``features.tsv``, ``ids.npy``
  (the IDS matrix), ``clusters.tsv``, ``cluster_summary.tsv``;
* ``vocab.tsv`` (the bounded motif vocabulary of ``motifs/vocabulary.py``: specials, then the
  kept value-ordered prefixes with their bins, support and motif names) and
  ``vocab_stats.json`` (size, coverage, what a token keeps, the Zipf fit, the paper's
  frequency-band diagnostic);
* ``bins/<chrom>.{edges,ids,indptr,indices,values}.npy``: per chromosome the bin edges, the
  token id of each bin and the bin x cluster matrix as raw CSR arrays, stored uncompressed so
  a region query memory-maps them and reads only the rows it needs;
* ``tokenizer_config.json`` + ``special_tokens_map.json`` (the shared tokenizer contract).

:class:`MotifTokenizer` reads that folder. Two paths:

* **genome regions** ``tok([("chr1", 10_000, 30_000)])``: the stored bins overlapping each
  region (``bin_starts``/``bin_ends`` in genome coordinates), their token ids and cluster
  vectors;
* **any DNA** ``tok.encode_dna("ACGT...")``: scan with the folder's matrices and JASPAR cut,
  compute coverage, smooth, call peaks, bin, featurise (with CpG dinucleotides when the folder
  used them), average into the folder's clusters, threshold and back off to the vocabulary's
  tokens - the motif stage's own library functions, applied to one sequence, so a bin with the
  same cluster vector gets the same token on both paths. Sites inside the sequence are those
  of the genome path; bin edges can differ within a few tens of bp of the ends (sites crossing
  them are missing) and where a peak's prominence reaches past them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import atomic_dir, write_text_atomic
from genovocab.npystream import link_or_copy, npy_max
from genovocab.tokenizers.base import SEQ, KeySpec, TokenizerBase, write_config_files

CONFIG_NAME = "motif_tokenizer_config.json"
FORMAT_VERSION = 2  # 2: the bounded vocabulary (value-ordered prefixes, back-off)
BIN_ARRAYS = ("edges", "ids", "indptr", "indices", "values")


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class MotifParams:
    """Every scanning, binning and token parameter of a motif tokenizer."""

    min_relative: int = 800
    max_pvalue: float = 0.05
    scan_window: int = 1_000_000
    site_source: str = "scan"
    sigma: float = 3.0
    peak_width: float = 5.0
    max_bin: int = 50
    trim_step: int = 25
    cpg: str = "none"
    token_threshold: float = 0.5
    vocab_size: int = 4096
    min_count: int = 5
    matrices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "scanning": {
                "min_relative": self.min_relative,
                "max_pvalue": self.max_pvalue,
                "scan_window": self.scan_window,
                "site_source": self.site_source,
                "matrices": list(self.matrices),
            },
            "binning": {
                "sigma": self.sigma,
                "peak_width": self.peak_width,
                "max_bin": self.max_bin,
                "trim_step": self.trim_step,
            },
            "features": {"cpg": self.cpg},
            "tokens": {
                "threshold": self.token_threshold,
                "rule": "backoff",
                "vocab_size": self.vocab_size,
                "min_count": self.min_count,
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MotifParams:
        s, b, f, t = (data.get(k, {}) for k in ("scanning", "binning", "features", "tokens"))
        return cls(
            int(s.get("min_relative", 800)),
            float(s.get("max_pvalue", 0.05)),
            int(s.get("scan_window", 1_000_000)),
            str(s.get("site_source", "scan")),
            float(b.get("sigma", 3.0)),
            float(b.get("peak_width", 5.0)),
            int(b.get("max_bin", 50)),
            int(b.get("trim_step", 25)),
            str(f.get("cpg", "none")),
            float(t.get("threshold", 0.5)),
            int(t.get("vocab_size", 4096)),
            int(t.get("min_count", 5)),
            tuple(s.get("matrices", ())),
        )


# --------------------------------------------------------------------------- folder writing


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array))


def write_tokenizer_folder(
    out_dir: str | os.PathLike,
    *,
    chroms: Sequence[str],
    chrom_sizes: Mapping[str, int],
    bins: Sequence[str | os.PathLike],
    cluster_features: Sequence[str | os.PathLike],
    tokens: Sequence[str | os.PathLike],
    token_vocab: str | os.PathLike,
    vocab_summary: str | os.PathLike | None = None,
    token_stats: Sequence[str | os.PathLike] = (),
    features: str | os.PathLike,
    ids: str | os.PathLike,
    clusters: str | os.PathLike,
    cluster_summary: str | os.PathLike,
    pfms: str | os.PathLike,
    params: MotifParams,
    model_max_length: int | None = None,
    plots: bool = True,
) -> dict[str, Any]:
    """Workflow step: build the motif tokenizer folder (atomically: all of it or nothing).

    ``bins``, ``cluster_features`` and ``tokens`` are the motif stage's per-chromosome files
    (same order as ``chroms``; ``cluster_features`` are prefixes of
    :func:`~genovocab.motifs.token_files.csr_array_paths`, hard-linked into ``bins/``, so memory
    does not grow with a chromosome's non-zeros); ``tokens`` hold ids of the full pattern vocabulary
    ``token_vocab`` (the motif vocabulary TSV, copied as ``vocab.tsv``); ``vocab_summary``
    (``zipf.json``) and the per-chromosome ``token_stats`` (what the tokens keep, the band
    diagnostic) are summed into ``vocab_stats.json``.
    Returns the vocabulary statistics.
    """
    from genovocab import tables
    from genovocab.motifs import token_files, vocabulary
    from genovocab.motifs.clustering import read_clusters, read_feature_table
    from genovocab.motifs.vocabulary import summary_markdown

    if not (len(chroms) == len(bins) == len(cluster_features) == len(tokens)):
        raise GenovocabError("one bins, cluster-features and tokens file per chromosome")
    trained = vocabulary.read_vocab(token_vocab)
    labels = read_clusters(clusters)
    feature_table = read_feature_table(features, d=labels.size)
    cluster_table = pd.read_csv(clusters, sep="\t", dtype=str, keep_default_na=False)
    names = vocabulary.cluster_motif_names(cluster_table.assign(cluster=labels))
    stats = vocab_statistics(vocab_summary, token_stats)
    stats["vocab_size"] = len(trained)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    chrom_rows = []
    with atomic_dir(out_dir, kind="motif-tokenizer") as tmp:
        (tmp / "bins").mkdir()
        for chrom, bin_path, cf_prefix, tok_path in zip(chroms, bins, cluster_features, tokens):
            edges = token_files.read_bin_edges(bin_path)
            raw = np.load(tok_path, allow_pickle=False)
            n_rows = token_files.csr_array_rows(cf_prefix)
            if not (raw.size == n_rows == edges.size - 1):
                raise InputError(
                    token_files.csr_array_paths(cf_prefix)["indptr"],
                    f"{chrom}: {n_rows} cluster rows, {raw.size} tokens, {edges.size - 1} bins",
                )
            if int(edges[-1]) != int(chrom_sizes[chrom]):
                raise InputError(
                    bin_path, f"bins end at {edges[-1]}, {chrom} is {chrom_sizes[chrom]} bp"
                )
            top = npy_max(token_files.csr_array_paths(cf_prefix)["indices"])
            if top is not None and top >= n_clusters:
                raise InputError(
                    token_files.csr_array_paths(cf_prefix)["indices"],
                    f"cluster {top} is not among the {n_clusters} clusters of {clusters}",
                )
            base = tmp / "bins" / chrom
            _save_npy(Path(f"{base}.edges.npy"), edges.astype(np.int64))
            if raw.size and (int(raw.min()) < 0 or int(raw.max()) >= len(trained)):
                raise InputError(
                    tok_path,
                    f"token ids {int(raw.min())}..{int(raw.max())} are "
                    f"outside the vocabulary (0..{len(trained) - 1})",
                )
            _save_npy(Path(f"{base}.ids.npy"), raw.astype(np.int32))
            for name, path in token_files.csr_array_paths(cf_prefix).items():
                link_or_copy(path, Path(f"{base}.{name}.npy"))
            chrom_rows.append(
                {"name": chrom, "length": int(edges[-1]), "n_bins": int(edges.size - 1)}
            )
        shutil.copyfile(pfms, tmp / "matrices.jaspar")
        for src, name in (
            (features, "features.tsv"),
            (clusters, "clusters.tsv"),
            (cluster_summary, "cluster_summary.tsv"),
            (ids, "ids.npy"),
        ):
            shutil.copyfile(src, tmp / name)
        vocabulary.write_vocab(tmp / "vocab.tsv", trained, names)
        tables.write_json(tmp / "vocab_stats.json", stats, indent=2)
        # the paragraph a release card includes (see docs/motif-vocabulary.md)
        write_text_atomic(tmp / "vocab_summary.md", summary_markdown(stats))
        config = {
            "format_version": FORMAT_VERSION,
            "tokenizer_class": "MotifTokenizer",
            **params.to_json(),
            "n_features": int(len(feature_table)),
            "n_clusters": n_clusters,
            "vocab_size": len(trained),
            "special_tokens": list(vocabulary.SPECIAL_TOKENS),
            "chromosomes": chrom_rows,
            "files": {
                "matrices": "matrices.jaspar",
                "features": "features.tsv",
                "ids": "ids.npy",
                "clusters": "clusters.tsv",
                "cluster_summary": "cluster_summary.tsv",
                "vocab": "vocab.tsv",
                "vocab_stats": "vocab_stats.json",
                "vocab_summary": "vocab_summary.md",
                "bins": "bins/{chrom}.{array}.npy",
            },
        }
        write_text_atomic(tmp / CONFIG_NAME, json.dumps(config, indent=2, sort_keys=True) + "\n")
        _write_contract_files(tmp, model_max_length)
        if plots:
            _token_map(tmp, chrom_rows, n_clusters, names, trained)
    return stats


def vocab_statistics(
    summary: str | os.PathLike | None, token_stats: Sequence[str | os.PathLike]
) -> dict[str, Any]:
    """``vocab_stats.json``: the vocabulary's figures (``zipf.json``) plus what the tokens keep,
    summed over the chromosomes' token statistics, and the paper's band diagnostic per
    chromosome."""
    stats: dict[str, Any] = {}
    if summary is not None:
        stats.update(json.loads(Path(summary).read_text(encoding="utf-8")))
    kept = active = kept_value = active_value = 0.0
    band = {}
    for path in token_stats:
        try:
            one = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(path, f"not a token statistics file ({exc})") from exc
        kept += one["kept_clusters"]
        active += one["active_clusters"]
        kept_value += one.get("kept_value", 0.0)
        active_value += one.get("active_value", 0.0)
        band[one["chrom"]] = one["diagnostic_band"]
    if token_stats:
        stats["fraction_active_clusters_kept"] = kept / active if active else None
        stats["fraction_active_value_kept"] = kept_value / active_value if active_value else None
        stats["diagnostic_band_per_chromosome"] = band
    return stats


def _token_map(
    folder: Path,
    chrom_rows: list[dict],
    n_clusters: int,
    names: list[str],
    trained,
    n_tokens: int = 100,
    max_points: int = 5000,
) -> None:
    """``token_map.png``: PCA of the cluster vectors of bins of the most frequent tokens."""
    from genovocab.motifs import token_plots, vocabulary

    nonempty = [i for i, p in enumerate(trained.patterns) if p]
    frequent = np.array([vocabulary.N_SPECIAL + i for i in nonempty[:n_tokens]], dtype=np.int32)
    blocks = []
    per_chrom = max(1, max_points // max(1, len(chrom_rows)))
    for k, row in enumerate(chrom_rows):
        base = folder / "bins" / row["name"]
        indptr = np.load(f"{base}.indptr.npy", allow_pickle=False)
        rows = token_plots.token_map_points(
            np.load(f"{base}.ids.npy", allow_pickle=False),
            np.diff(indptr) > 0,
            frequent,
            per_chrom,
            seed=k,
        )
        blocks.append(_csr_rows(base, indptr, rows, n_clusters))
    values = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n_clusters))
    token_plots.plot_token_map(
        folder / "token_map.png", values, token_plots.dominant_family(names, values)
    )


def _csr_rows(base: Path, indptr: np.ndarray, rows: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    """Rows ``rows`` of a chromosome's bin x cluster arrays (``<base>.indices/values.npy``),
    read row by row without a memory map: scattered rows through a map would bring the
    read-ahead of each into RSS (gigabytes for chr1's arrays)."""
    from genovocab.npystream import npy_pieces

    starts, stops = indptr[rows].astype(np.int64), indptr[rows + 1].astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(stops - starts)]).astype(np.int64)
    return sp.csr_matrix(
        (
            npy_pieces(f"{base}.values.npy", starts, stops),
            npy_pieces(f"{base}.indices.npy", starts, stops),
            ptr,
        ),
        shape=(rows.size, n_clusters),
    )


def _write_contract_files(folder: Path, model_max_length: int | None) -> None:
    """``tokenizer_config.json`` and ``special_tokens_map.json`` of the shared contract."""
    specials = {
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "cls_token": "<cls>",
        "sep_token": "<sep>",
        "mask_token": "<mask>",
    }
    config: dict[str, Any] = {
        "tokenizer_class": "MotifTokenizer",
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        **specials,
    }
    if model_max_length:
        config["model_max_length"] = int(model_max_length)
    write_config_files(folder, config, specials)


# --------------------------------------------------------------------------- genome path


@dataclass
class Bins:
    """Bins of one region or sequence: coordinates, token ids, cluster vectors (CSR)."""

    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    ids: np.ndarray  # int32
    clusters: sp.csr_matrix  # float32, n_bins x n_clusters
    chrom: str | None = None

    def __len__(self) -> int:
        return int(self.starts.size)


@dataclass
class _ChromArrays:
    edges: np.ndarray
    ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray


@dataclass
class GenomeBins:
    """The folder's per-chromosome arrays, memory-mapped on first use of a chromosome."""

    folder: Path
    lengths: dict[str, int]
    n_clusters: int
    _open: dict[str, _ChromArrays] = field(default_factory=dict)

    def arrays(self, chrom: str) -> _ChromArrays:
        if chrom not in self.lengths:
            raise GenovocabError(
                f"chromosome {chrom!r} is not in the motif tokenizer ({', '.join(self.lengths)})"
            )
        if chrom not in self._open:
            loaded = []
            for name in BIN_ARRAYS:
                path = self.folder / "bins" / f"{chrom}.{name}.npy"
                try:
                    loaded.append(np.load(path, mmap_mode="r", allow_pickle=False))
                except (OSError, ValueError) as exc:
                    raise InputError(path, f"cannot read the bin array ({exc})") from exc
            self._open[chrom] = _ChromArrays(*loaded)
        return self._open[chrom]

    def release(self, chrom: str) -> None:
        """Drop a chromosome's memory maps (mapped again on next use): a pass over the genome
        that releases each chromosome when done keeps one chromosome's pages resident (in
        RSS), not every chromosome's."""
        self._open.pop(chrom, None)

    def region(self, chrom: str, start: int, end: int) -> Bins:
        """The stored bins overlapping ``[start, end)`` (reads only those rows)."""
        length = self.lengths.get(chrom)
        a = self.arrays(chrom)
        if not 0 <= start < end <= int(length):
            raise GenovocabError(
                f"region {chrom}:{start}-{end} is not inside {chrom} (0-{length}) or is empty"
            )
        i0 = int(np.searchsorted(a.edges, start, side="right")) - 1
        i1 = int(np.searchsorted(a.edges, end, side="left"))
        return self.bin_range(chrom, i0, i1)

    def bin_range(self, chrom: str, first: int, last: int) -> Bins:
        """Bins ``first .. last - 1`` of ``chrom`` by index."""
        a = self.arrays(chrom)
        ptr = np.asarray(a.indptr[first : last + 1], dtype=np.int64)
        lo, hi = int(ptr[0]), int(ptr[-1])
        cf = sp.csr_matrix(
            (np.array(a.values[lo:hi]), np.array(a.indices[lo:hi]), ptr - lo),
            shape=(last - first, self.n_clusters),
        )
        edges = np.array(a.edges[first : last + 1], dtype=np.int64)
        ids = np.array(a.ids[first:last], dtype=np.int32)
        return Bins(edges[:-1].copy(), edges[1:].copy(), ids, cf, chrom)

    def n_bins(self, chrom: str) -> int:
        return int(self.arrays(chrom).ids.shape[0])


# --------------------------------------------------------------------------- DNA path


class DnaEncoder:
    """Scan -> coverage -> bins -> features -> clusters -> token ids, for one sequence."""

    def __init__(self, matrices, params: MotifParams, labels: np.ndarray, n_features: int, vocab):
        from genovocab.motifs.sites import MotifScanner

        self.params = params
        self.scanner = MotifScanner(matrices, params.min_relative, params.max_pvalue)
        self.n_motif = 2 * len(self.scanner.matrices)
        self.n_features = int(n_features)
        self.labels = np.asarray(labels)
        self.vocab = vocab
        self.timings = {"scan": 0.0, "rest": 0.0}

    def scan(self, seq: str):
        """The sites of ``seq`` (upper-cased), window by window like the genome scan."""
        from genovocab.motifs.sites import Sites

        return Sites.concat(list(self.scanner.scan_chromosome(seq, self.params.scan_window)))

    def encode(self, seq: str, offset: int = 0) -> Bins:
        import time

        from genovocab.motifs.features import (
            bin_and_accumulate,
            binning_options,
            cpg_dinucleotide_sites,
        )
        from genovocab.motifs.patterns import active_patterns, cluster_features

        if not isinstance(seq, str):
            raise GenovocabError(f"encode_dna takes a DNA string, not {type(seq).__name__}")
        seq = seq.upper()
        if len(seq) == 0:
            z = np.zeros(0, dtype=np.int64)
            return Bins(
                z,
                z.copy(),
                np.zeros(0, np.int32),
                sp.csr_matrix((0, int(self.labels.max()) + 1), dtype=np.float32),
            )
        t0 = time.perf_counter()
        sites = self.scan(seq)
        t1 = time.perf_counter()
        extra = None
        if self.params.cpg == "dinucleotide":

            def extra():
                return cpg_dinucleotide_sites(seq, self.n_motif)

        p = self.params
        result, acc = bin_and_accumulate(
            lambda: iter([sites]),
            len(seq),
            self.n_features,
            extra_chunks=extra,
            **binning_options(p),  # the workflow's binning, from the same parameter names
        )
        cf = cluster_features(acc.finish(), self.labels)
        patterns = active_patterns(cf, p.token_threshold)
        local = self.vocab.token_ids(patterns.indptr, patterns.indices)  # back-off
        ids = local[patterns.inverse] if len(patterns) else np.zeros(0, dtype=np.int32)
        edges = result.edges + int(offset)
        self.timings["scan"] += t1 - t0
        self.timings["rest"] += time.perf_counter() - t1
        return Bins(edges[:-1].copy(), edges[1:].copy(), ids, cf)


# --------------------------------------------------------------------------- agreement


def bp_agreement(genome: Bins, dna: Bins, margin: int = 100, atol: float = 1e-6) -> tuple[int, int]:
    """(agreeing bp, compared bp): bases at least ``margin`` bp from both ends of the DNA
    whose bin (start, end) and cluster vector are the same in both encodings."""
    lo, hi = int(dna.starts[0]) + margin, int(dna.ends[-1]) - margin
    if hi <= lo:
        return 0, 0
    pos = np.arange(lo, hi, dtype=np.int64)
    di = np.searchsorted(dna.ends, pos, side="right")
    # bins that agree as a whole (same edges, same vector), then the bases they cover
    same_bin = np.zeros(len(dna), dtype=bool)
    gmap = {(int(s), int(e)): k for k, (s, e) in enumerate(zip(genome.starts, genome.ends))}
    g = genome.clusters.tocsr()
    d = dna.clusters.tocsr()
    for k, (s, e) in enumerate(zip(dna.starts.tolist(), dna.ends.tolist())):
        j = gmap.get((s, e))
        if j is None:
            continue
        diff = g[j] - d[k]
        same_bin[k] = diff.nnz == 0 or float(np.abs(diff.data).max()) <= atol
    return int(same_bin[di].sum()), int(pos.size)


# --------------------------------------------------------------------------- the tokenizer


class Dna(str):
    """A DNA string given to :class:`MotifTokenizer` (so it is never read as a region)."""


_REGION = re.compile(r"^([^:\s]+):([0-9,]+)-([0-9,]+)$")


def _is_region(item: Any) -> bool:
    return (
        isinstance(item, (tuple, list))
        and len(item) == 3
        and isinstance(item[0], str)
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in item[1:])
    )


def parse_region(item: Any) -> tuple[str, int, int]:
    """``(chrom, start, end)`` from a tuple or a ``chrom:start-end`` string (0-based, half-open)."""
    if _is_region(item):
        return str(item[0]), int(item[1]), int(item[2])
    if isinstance(item, str) and not isinstance(item, Dna):
        m = _REGION.match(item.strip())
        if m:
            return m.group(1), int(m.group(2).replace(",", "")), int(m.group(3).replace(",", ""))
    raise GenovocabError(f"not a region (chrom, start, end) or 'chrom:start-end': {item!r}")


class MotifTokenizer(TokenizerBase):
    """Motif tokens of genome regions (stored bins) and of any DNA (scanned on the fly).

    ``tok([("chr1", 10_000, 30_000)])`` or ``tok("chr1:10000-30000")`` returns per region the
    bins overlapping it: ``input_ids``, ``bin_starts``/``bin_ends`` (genome coordinates),
    ``cluster_values`` and, in the sparse format, ``cluster_indices``.
    ``tok.encode_dna("ACGT...")`` returns the same keys for a DNA sequence (coordinates
    relative to the sequence).

    Cluster vectors: ``cluster_format="dense"`` gives ``cluster_values`` of shape
    (bins, clusters) float32; ``"sparse"`` gives per bin ``k`` slots of ``cluster_indices``
    (``-1`` = unused) and ``cluster_values`` (0 there), ``k`` the most non-zero clusters of a
    bin in the item (in the batch when padded). The default is dense with ``return_tensors``,
    sparse without. Special tokens: none by default (one position per bin, aligned with
    per-bin targets); ``add_cls_sep=True`` puts ``<cls>`` before and ``<sep>`` after.
    """

    default_special_tokens = {
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "cls_token": "<cls>",
        "sep_token": "<sep>",
        "mask_token": "<mask>",
    }

    def __init__(
        self, folder: str | os.PathLike, *, add_cls_sep: bool = False, **kwargs: Any
    ) -> None:
        from genovocab.motifs import vocabulary
        from genovocab.motifs.clustering import read_clusters

        self.folder = Path(folder)
        config_path = self.folder / CONFIG_NAME
        try:
            self.config = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(config_path, "no motif tokenizer config in this folder") from exc
        except json.JSONDecodeError as exc:
            raise InputError(config_path, f"invalid JSON: {exc.msg}", exc.lineno) from exc
        if self.config.get("format_version") != FORMAT_VERSION:
            raise InputError(
                config_path,
                f"format_version {self.config.get('format_version')} is not {FORMAT_VERSION}",
            )
        super().__init__(name_or_path=str(folder), **kwargs)
        self.params = MotifParams.from_json(self.config)
        self.vocab = vocabulary.read_vocab(self.folder / "vocab.tsv")
        self.labels = read_clusters(self.folder / "clusters.tsv")
        self.n_clusters = int(self.config["n_clusters"])
        self.n_features = int(self.config["n_features"])
        if len(self.vocab) != int(self.config["vocab_size"]):
            raise InputError(
                self.folder / "vocab.tsv",
                f"{len(self.vocab)} ids, the config says {self.config['vocab_size']}",
            )
        self.add_cls_sep = bool(add_cls_sep)
        self.genome = GenomeBins(
            self.folder,
            {c["name"]: int(c["length"]) for c in self.config["chromosomes"]},
            self.n_clusters,
        )
        self._tokens = self.vocab.tokens()
        self._dna: DnaEncoder | None = None
        self._format: str | None = None

    # ---------------------------------------------------------------- loading / saving
    @classmethod
    def from_pretrained(cls, directory: str | os.PathLike, **kwargs: Any) -> MotifTokenizer:
        """Load a motif tokenizer folder (the motif stage's, or a release's ``motifs/``)."""
        options = cls.common_options(cls.read_config(directory, required=False))
        options.pop("special_tokens", None)
        options.update(kwargs)
        return cls(directory, **options)

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> tuple[str, ...]:
        """Copy the folder to ``save_directory`` (contract files rewritten)."""
        target = Path(save_directory)
        if target.resolve() != self.folder.resolve():
            shutil.copytree(self.folder, target, dirs_exist_ok=True)
        paths = self._write_config(target, {"add_cls_sep": self.add_cls_sep})
        return tuple(str(p) for p in [target / CONFIG_NAME, *paths])

    def config_dict(self) -> dict[str, Any]:
        config = super().config_dict()
        config["add_cls_sep"] = self.add_cls_sep
        return config

    # ---------------------------------------------------------------- vocabulary
    def get_vocab(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self._tokens)}

    @property
    def vocab_size(self) -> int:
        return len(self._tokens)

    def _convert_id_to_token(self, index: int) -> str:
        if not 0 <= index < len(self._tokens):
            raise ValueError(
                f"token id {index} is outside the vocabulary (0..{len(self._tokens) - 1})"
            )
        return self._tokens[index]

    def cluster_names(self) -> list[str]:
        """Per cluster, its motif names (``/`` between members)."""
        from genovocab.motifs.vocabulary import cluster_motif_names

        table = pd.read_csv(
            self.folder / "clusters.tsv", sep="\t", dtype=str, keep_default_na=False
        )
        return cluster_motif_names(table.assign(cluster=self.labels))

    def __repr__(self) -> str:
        return (
            f"MotifTokenizer({str(self.folder)!r}, vocab_size={self.vocab_size}, "
            f"clusters={self.n_clusters}, chromosomes={len(self.genome.lengths)})"
        )

    # ---------------------------------------------------------------- low-level encoders
    def region_bins(self, chrom: str, start: int, end: int) -> Bins:
        """The stored bins overlapping a region (memory-mapped reads)."""
        return self.genome.region(chrom, int(start), int(end))

    @property
    def dna_encoder(self) -> DnaEncoder:
        if self._dna is None:
            from genovocab.io.jaspar import read_matrices, select_matrices

            pfms = self.folder / self.config["files"]["matrices"]
            matrices = select_matrices(
                read_matrices(pfms), list(self.params.matrices) or None, pfms
            )
            self._dna = DnaEncoder(matrices, self.params, self.labels, self.n_features, self.vocab)
        return self._dna

    def dna_bins(self, sequence: str) -> Bins:
        """Scan, bin, featurise and tokenize one DNA sequence."""
        return self.dna_encoder.encode(str(sequence))

    def encode_dna(self, sequences: str | Sequence[str], **kwargs: Any):
        """``tok(...)`` for DNA: one sequence or a list (same options as ``__call__``)."""
        if isinstance(sequences, str):
            return self(Dna(sequences), **kwargs)
        return self([Dna(s) for s in sequences], **kwargs)

    # ---------------------------------------------------------------- contract hooks
    def __call__(
        self,
        inputs: Any,
        *,
        cluster_format: str | None = None,
        return_tensors: str | None = None,
        **kwargs: Any,
    ):
        """Tokenize regions (or :class:`Dna`); see the class docstring for the keys."""
        if cluster_format not in (None, "dense", "sparse"):
            raise ValueError(f"cluster_format must be 'dense' or 'sparse', not {cluster_format!r}")
        self._format = cluster_format or ("dense" if return_tensors else "sparse")
        try:
            return super().__call__(inputs, return_tensors=return_tensors, **kwargs)
        finally:
            self._format = None

    def _split_batch(self, inputs: Any) -> tuple[list[Any], bool]:
        if isinstance(inputs, str) or _is_region(inputs):
            return [inputs], False
        if isinstance(inputs, pd.DataFrame):
            cols = list(inputs.columns[:3])
            return list(
                zip(
                    inputs[cols[0]].astype(str),
                    inputs[cols[1]].astype(int),
                    inputs[cols[2]].astype(int),
                )
            ), True
        return list(inputs), True

    def _special_template(self) -> tuple[list[int], list[int]]:
        if self.add_cls_sep:
            return [self.cls_token_id], [self.sep_token_id]
        return [], []

    def key_specs(self) -> dict[str, KeySpec]:
        specs = super().key_specs()
        specs["bin_starts"] = KeySpec(pad_value=-1, special_value=-1)
        specs["bin_ends"] = KeySpec(pad_value=-1, special_value=-1)
        specs["cluster_values"] = KeySpec(
            axes=(SEQ, "clusters"), pad_value=0.0, special_value=0.0, dtype="float32"
        )
        specs["cluster_indices"] = KeySpec(
            axes=(SEQ, "clusters"), pad_value=-1, special_value=-1, dtype="int32"
        )
        specs["targets"] = KeySpec(
            axes=(SEQ, None), pad_value=0.0, special_value=0.0, dtype="float32"
        )
        return specs

    def _encode_batch(
        self, items: list[Any], max_tokens: int | None
    ) -> list[dict[str, np.ndarray]]:
        fmt = self._format or "sparse"
        out = []
        for item in items:
            bins = (
                self.dna_bins(item)
                if isinstance(item, Dna)
                else self.region_bins(*parse_region(item))
            )
            n = len(bins) if max_tokens is None else min(len(bins), max_tokens)
            if self.truncation_side == "left" and n < len(bins):
                keep = slice(len(bins) - n, len(bins))
            else:
                keep = slice(0, n)
            cf = bins.clusters[keep]
            enc = {
                "input_ids": bins.ids[keep].astype(np.int64),
                "bin_starts": bins.starts[keep],
                "bin_ends": bins.ends[keep],
            }
            if fmt == "dense":
                enc["cluster_values"] = cf.toarray().astype(np.float32)
            else:
                enc["cluster_indices"], enc["cluster_values"] = ell(cf)
            out.append(enc)
        return out


def ell(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """A CSR matrix as fixed-width rows: (indices, values), ``k`` = most non-zeros of a row;
    unused slots hold index -1 and value 0."""
    csr = sp.csr_matrix(matrix)
    counts = np.diff(csr.indptr)
    k = int(counts.max()) if counts.size else 0
    indices = np.full((csr.shape[0], k), -1, dtype=np.int32)
    values = np.zeros((csr.shape[0], k), dtype=np.float32)
    if csr.nnz:
        rows = np.repeat(np.arange(csr.shape[0]), counts)
        slots = np.arange(csr.nnz) - np.repeat(csr.indptr[:-1], counts)
        indices[rows, slots] = csr.indices
        values[rows, slots] = csr.data
    return indices, values


# --------------------------------------------------------------------------- batch output


def read_fasta_records(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(name, sequence) of every record of a plain or gzip FASTA, in file order, checked by
    :func:`genovocab.io.fasta.iter_fasta`."""
    from genovocab.io.fasta import iter_fasta

    return [(record.name, record.sequence.decode("ascii")) for record in iter_fasta(path)]


def encodings_table(
    tok: MotifTokenizer,
    names: Sequence[str],
    bins: Sequence[Bins],
    regions: Sequence[tuple[str, int, int]] | None = None,
):
    """A pyarrow table, one row per region or sequence: ``id`` (+ ``chrom, start, end``),
    ``input_ids``, ``bin_starts``, ``bin_ends``, ``cluster_indices``, ``cluster_values``
    (per bin the non-zero clusters, sparse lists)."""
    import pyarrow as pa

    def nested(b: Bins, field_name: str):
        csr = b.clusters
        arr = csr.indices if field_name == "indices" else csr.data
        return [arr[csr.indptr[i] : csr.indptr[i + 1]].tolist() for i in range(len(b))]

    columns: dict[str, Any] = {"id": pa.array(list(names), type=pa.string())}
    if regions is not None:
        columns["chrom"] = pa.array([r[0] for r in regions], type=pa.string())
        columns["start"] = pa.array([r[1] for r in regions], type=pa.int64())
        columns["end"] = pa.array([r[2] for r in regions], type=pa.int64())
    columns["input_ids"] = pa.array([b.ids.tolist() for b in bins], type=pa.list_(pa.int32()))
    columns["bin_starts"] = pa.array([b.starts.tolist() for b in bins], type=pa.list_(pa.int64()))
    columns["bin_ends"] = pa.array([b.ends.tolist() for b in bins], type=pa.list_(pa.int64()))
    columns["cluster_indices"] = pa.array(
        [nested(b, "indices") for b in bins], type=pa.list_(pa.list_(pa.int32()))
    )
    columns["cluster_values"] = pa.array(
        [nested(b, "values") for b in bins], type=pa.list_(pa.list_(pa.float32()))
    )
    return pa.table(columns)
