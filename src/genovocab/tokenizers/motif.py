"""Motif tokens for genome regions and for any DNA (motif-aware tokens, Zhou et al.).

A motif tokenizer folder holds everything the motif stage learnt and every parameter it used:

* ``motif_tokenizer_config.json`` - scanning cut-offs, binning parameters, CpG mode, token
  threshold, vocabulary cut, the chromosomes and their bin counts, the file names;
* ``matrices.jaspar`` (the PFMs, byte-identical to the source), ``features.tsv``, ``ids.npy``
  (the IDS matrix), ``clusters.tsv``, ``cluster_summary.tsv``;
* ``vocab.tsv`` (the trained token vocabulary: specials, then the kept active-cluster patterns,
  with counts and motif names) and ``vocab_stats.json`` (sizes, Zipf fits);
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
  used them), average into the folder's clusters, threshold and map to token ids - the motif
  stage's own library functions, applied to one sequence. Sites inside the sequence are those
  of the genome path; bin edges can differ within a few tens of bp of the ends (sites crossing
  them are missing) and where a peak's prominence reaches past them.
"""

from __future__ import annotations

import json
import os
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

CONFIG_NAME = "motif_tokenizer_config.json"
FORMAT_VERSION = 1
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
    min_count: int = 5
    max_vocab: int | None = None
    matrices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "scanning": {"min_relative": self.min_relative, "max_pvalue": self.max_pvalue,
                         "scan_window": self.scan_window, "site_source": self.site_source,
                         "matrices": list(self.matrices)},
            "binning": {"sigma": self.sigma, "peak_width": self.peak_width,
                        "max_bin": self.max_bin, "trim_step": self.trim_step},
            "features": {"cpg": self.cpg},
            "tokens": {"threshold": self.token_threshold, "min_count": self.min_count,
                       "max_vocab": self.max_vocab},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MotifParams:
        s, b, f, t = (data.get(k, {}) for k in ("scanning", "binning", "features", "tokens"))
        return cls(int(s.get("min_relative", 800)), float(s.get("max_pvalue", 0.05)),
                   int(s.get("scan_window", 1_000_000)), str(s.get("site_source", "scan")),
                   float(b.get("sigma", 3.0)), float(b.get("peak_width", 5.0)),
                   int(b.get("max_bin", 50)), int(b.get("trim_step", 25)),
                   str(f.get("cpg", "none")), float(t.get("threshold", 0.5)),
                   int(t.get("min_count", 5)), t.get("max_vocab"),
                   tuple(s.get("matrices", ())))


# --------------------------------------------------------------------------- folder writing


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array))


def write_tokenizer_folder(out_dir: str | os.PathLike, *, chroms: Sequence[str],
                           chrom_sizes: Mapping[str, int], bins: Sequence[str | os.PathLike],
                           cluster_features: Sequence[str | os.PathLike],
                           tokens: Sequence[str | os.PathLike], token_vocab: str | os.PathLike,
                           features: str | os.PathLike, ids: str | os.PathLike,
                           clusters: str | os.PathLike, cluster_summary: str | os.PathLike,
                           pfms: str | os.PathLike, params: MotifParams,
                           model_max_length: int | None = None,
                           plots: bool = True) -> dict[str, Any]:
    """Workflow step: build the motif tokenizer folder (atomically: all of it or nothing).

    ``bins``, ``cluster_features`` and ``tokens`` are the motif stage's per-chromosome files
    (same order as ``chroms``); ``tokens`` hold ids of the full pattern vocabulary
    ``token_vocab``, which the trained vocabulary (``params.min_count``/``max_vocab``) remaps.
    Returns the vocabulary statistics.
    """
    from genovocab.motifs import tokens as tk
    from genovocab.motifs.clustering import read_clusters, read_feature_table

    if not (len(chroms) == len(bins) == len(cluster_features) == len(tokens)):
        raise GenovocabError("one bins, cluster-features and tokens file per chromosome")
    full = tk.read_token_vocab(token_vocab)
    trained = tk.train_vocab(full, params.min_count, params.max_vocab)
    lookup = tk.id_lookup(full, trained)
    labels = read_clusters(clusters)
    feature_table = read_feature_table(features, d=labels.size)
    cluster_table = pd.read_csv(clusters, sep="\t", dtype=str, keep_default_na=False)
    names = tk.cluster_motif_names(cluster_table.assign(cluster=labels))
    stats = tk.vocab_statistics(full, trained)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    chrom_rows = []
    with atomic_dir(out_dir) as tmp:
        (tmp / "bins").mkdir()
        for chrom, bin_path, cf_path, tok_path in zip(chroms, bins, cluster_features, tokens):
            edges = tk.read_bin_edges(bin_path)
            raw = np.load(tok_path, allow_pickle=False)
            cf = sp.load_npz(cf_path).tocsr()
            if not (raw.size == cf.shape[0] == edges.size - 1):
                raise InputError(cf_path, f"{chrom}: {cf.shape[0]} cluster rows, "
                                          f"{raw.size} tokens, {edges.size - 1} bins")
            if cf.shape[1] != n_clusters:
                raise InputError(cf_path, f"{cf.shape[1]} cluster columns, {clusters} has "
                                          f"{n_clusters} clusters")
            if int(edges[-1]) != int(chrom_sizes[chrom]):
                raise InputError(bin_path, f"bins end at {edges[-1]}, {chrom} is "
                                           f"{chrom_sizes[chrom]} bp")
            cf.sort_indices()
            base = tmp / "bins" / chrom
            _save_npy(Path(f"{base}.edges.npy"), edges.astype(np.int64))
            _save_npy(Path(f"{base}.ids.npy"), lookup[raw].astype(np.int32))
            _save_npy(Path(f"{base}.indptr.npy"), cf.indptr.astype(np.int64))
            _save_npy(Path(f"{base}.indices.npy"), cf.indices.astype(np.int32))
            _save_npy(Path(f"{base}.values.npy"), cf.data.astype(np.float32))
            chrom_rows.append({"name": chrom, "length": int(edges[-1]),
                               "n_bins": int(edges.size - 1)})
        shutil.copyfile(pfms, tmp / "matrices.jaspar")
        for src, name in ((features, "features.tsv"), (clusters, "clusters.tsv"),
                          (cluster_summary, "cluster_summary.tsv"), (ids, "ids.npy")):
            shutil.copyfile(src, tmp / name)
        tk.write_trained_vocab(tmp / "vocab.tsv", trained, names)
        tk.write_json(tmp / "vocab_stats.json", stats)
        config = {
            "format_version": FORMAT_VERSION,
            "tokenizer_class": "MotifTokenizer",
            **params.to_json(),
            "n_features": int(len(feature_table)),
            "n_clusters": n_clusters,
            "vocab_size": len(trained),
            "special_tokens": list(tk.SPECIAL_TOKENS),
            "chromosomes": chrom_rows,
            "files": {"matrices": "matrices.jaspar", "features": "features.tsv",
                      "ids": "ids.npy", "clusters": "clusters.tsv",
                      "cluster_summary": "cluster_summary.tsv", "vocab": "vocab.tsv",
                      "vocab_stats": "vocab_stats.json",
                      "bins": "bins/{chrom}.{array}.npy"},
        }
        write_text_atomic(tmp / CONFIG_NAME, json.dumps(config, indent=2, sort_keys=True) + "\n")
        _write_contract_files(tmp, model_max_length)
        if plots:
            tk.plot_zipf_kept(tmp / "zipf_kept.png", full.counts, trained.counts, stats)
            _token_map(tmp, chrom_rows, n_clusters, names, trained)
    return stats


def _token_map(folder: Path, chrom_rows: list[dict], n_clusters: int, names: list[str],
               trained, n_tokens: int = 100, max_points: int = 5000) -> None:
    """``token_map.png``: PCA of the cluster vectors of bins of the most frequent tokens."""
    from genovocab.motifs import tokens as tk

    nonempty = [i for i, p in enumerate(trained.patterns) if p]
    frequent = np.array([tk.N_SPECIAL + i for i in nonempty[:n_tokens]], dtype=np.int32)
    store = GenomeBins(folder, {r["name"]: r["length"] for r in chrom_rows}, n_clusters)
    blocks = []
    per_chrom = max(1, max_points // max(1, len(chrom_rows)))
    for k, row in enumerate(chrom_rows):
        a = store.arrays(row["name"])
        rows = tk.token_map_points(np.asarray(a.ids), np.diff(np.asarray(a.indptr)) > 0,
                                   frequent, per_chrom, seed=k)
        blocks.extend(store.bin_range(row["name"], int(r), int(r) + 1).clusters for r in rows)
    values = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n_clusters))
    tk.plot_token_map(folder / "token_map.png", values, tk.dominant_family(names, values))


def _write_contract_files(folder: Path, model_max_length: int | None) -> None:
    """``tokenizer_config.json`` and ``special_tokens_map.json`` of the shared contract."""
    specials = {"pad_token": "<pad>", "unk_token": "<unk>", "cls_token": "<cls>",
                "sep_token": "<sep>", "mask_token": "<mask>"}
    config: dict[str, Any] = {"tokenizer_class": "MotifTokenizer",
                              "model_input_names": ["input_ids", "attention_mask"],
                              "padding_side": "right", "truncation_side": "right", **specials}
    if model_max_length:
        config["model_max_length"] = int(model_max_length)
    write_text_atomic(folder / "tokenizer_config.json",
                      json.dumps(config, indent=2, sort_keys=True) + "\n")
    write_text_atomic(folder / "special_tokens_map.json",
                      json.dumps(specials, indent=2, sort_keys=True) + "\n")


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
            raise GenovocabError(f"chromosome {chrom!r} is not in the motif tokenizer "
                                 f"({', '.join(self.lengths)})")
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

    def region(self, chrom: str, start: int, end: int) -> Bins:
        """The stored bins overlapping ``[start, end)`` (reads only those rows)."""
        length = self.lengths.get(chrom)
        a = self.arrays(chrom)
        if not 0 <= start < end <= int(length):
            raise GenovocabError(f"region {chrom}:{start}-{end} is not inside {chrom} "
                                 f"(0-{length}) or is empty")
        i0 = int(np.searchsorted(a.edges, start, side="right")) - 1
        i1 = int(np.searchsorted(a.edges, end, side="left"))
        ptr = np.asarray(a.indptr[i0:i1 + 1], dtype=np.int64)
        lo, hi = int(ptr[0]), int(ptr[-1])
        cf = sp.csr_matrix((np.array(a.values[lo:hi]), np.array(a.indices[lo:hi]), ptr - lo),
                           shape=(i1 - i0, self.n_clusters))
        edges = np.array(a.edges[i0:i1 + 1], dtype=np.int64)
        return Bins(edges[:-1], edges[1:], np.array(a.ids[i0:i1], dtype=np.int32), cf, chrom)

    def bin_range(self, chrom: str, first: int, last: int) -> Bins:
        """Bins ``first .. last - 1`` of ``chrom`` by index."""
        a = self.arrays(chrom)
        ptr = np.asarray(a.indptr[first:last + 1], dtype=np.int64)
        lo, hi = int(ptr[0]), int(ptr[-1])
        cf = sp.csr_matrix((np.array(a.values[lo:hi]), np.array(a.indices[lo:hi]), ptr - lo),
                           shape=(last - first, self.n_clusters))
        edges = np.array(a.edges[first:last + 1], dtype=np.int64)
        return Bins(edges[:-1], edges[1:], np.array(a.ids[first:last], dtype=np.int32), cf,
                    chrom)

    def n_bins(self, chrom: str) -> int:
        return int(self.arrays(chrom).ids.shape[0])


# --------------------------------------------------------------------------- DNA path


class DnaEncoder:
    """Scan -> coverage -> bins -> features -> clusters -> token ids, for one sequence."""

    def __init__(self, matrices, params: MotifParams, labels: np.ndarray, n_features: int,
                 vocab_index: Mapping[tuple[int, ...], int], unk_id: int):
        from genovocab.motifs.sites import MotifScanner

        self.params = params
        self.scanner = MotifScanner(matrices, params.min_relative, params.max_pvalue)
        self.n_motif = 2 * len(self.scanner.matrices)
        self.n_features = int(n_features)
        self.labels = np.asarray(labels)
        self.vocab_index = dict(vocab_index)
        self.unk_id = int(unk_id)
        self.timings = {"scan": 0.0, "rest": 0.0}

    def scan(self, seq: str):
        """The sites of ``seq`` (upper-cased), window by window like the genome scan."""
        from genovocab.motifs.sites import Sites

        return Sites.concat(list(self.scanner.scan_chromosome(seq, self.params.scan_window)))

    def encode(self, seq: str, offset: int = 0) -> Bins:
        import time

        from genovocab.motifs.features import bin_and_accumulate, cpg_dinucleotide_sites
        from genovocab.motifs.tokens import active_patterns, cluster_features

        if not isinstance(seq, str):
            raise GenovocabError(f"encode_dna takes a DNA string, not {type(seq).__name__}")
        seq = seq.upper()
        if len(seq) == 0:
            z = np.zeros(0, dtype=np.int64)
            return Bins(z, z.copy(), np.zeros(0, np.int32),
                        sp.csr_matrix((0, int(self.labels.max()) + 1), dtype=np.float32))
        t0 = time.perf_counter()
        sites = self.scan(seq)
        t1 = time.perf_counter()
        extra = None
        if self.params.cpg == "dinucleotide":
            def extra():
                return cpg_dinucleotide_sites(seq, self.n_motif)
        p = self.params
        result, acc = bin_and_accumulate(lambda: iter([sites]), len(seq), self.n_features,
                                         sigma=p.sigma, width=p.peak_width, max_bin=p.max_bin,
                                         trim_step=p.trim_step, extra_chunks=extra)
        cf = cluster_features(acc.finish(), self.labels)
        patterns = active_patterns(cf, p.token_threshold)
        local = np.array([self.vocab_index.get(patterns.pattern(i), self.unk_id)
                          for i in range(len(patterns))], dtype=np.int32)
        ids = local[patterns.inverse] if len(patterns) else np.zeros(0, dtype=np.int32)
        edges = result.edges + int(offset)
        self.timings["scan"] += t1 - t0
        self.timings["rest"] += time.perf_counter() - t1
        return Bins(edges[:-1], edges[1:], ids, cf)


# --------------------------------------------------------------------------- agreement


def bp_agreement(genome: Bins, dna: Bins, margin: int = 100, atol: float = 1e-6
                 ) -> tuple[int, int]:
    """(agreeing bp, compared bp): bases at least ``margin`` bp from both ends of the DNA
    whose bin (start, end) and cluster vector are the same in both encodings."""
    lo, hi = int(dna.starts[0]) + margin, int(dna.ends[-1]) - margin
    if hi <= lo:
        return 0, 0
    pos = np.arange(lo, hi, dtype=np.int64)
    gi = np.searchsorted(genome.ends, pos, side="right")
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
        diff = (g[j] - d[k])
        same_bin[k] = diff.nnz == 0 or float(np.abs(diff.data).max()) <= atol
    del gi
    return int(same_bin[di].sum()), int(pos.size)
