"""Motif sites: one format for every source (JASPAR tracks, the UCSC bigBed, genome scanning).

Interchange format (CLI, tests): a BED6+2 TSV, plain or gzip, no header::

    chrom  start  end  matrix_id  rel_score_x1000  strand  tf_name  neglog10p_x100

Pipeline format: one compact Parquet file per chromosome (:func:`write_site_file`) with the
columns ``start`` (int32), ``length`` (uint8), ``feature`` (uint16: ``2 * matrix_index`` for
``+``, ``+ 1`` for ``-``, ``matrix_index`` into the sorted matrix ids stored in the file's
metadata), ``score`` (uint16, relative score x1000) and ``neglog10p`` (uint16, -log10(p) x100),
sorted by (start, feature, length); zstd; small row groups, so that binning can stream it.

Scanning reproduces the JASPAR 2022 genome tracks (which were made with PWMScan):
log-odds matrix ``round(100 * log2(((count + sqrt(N)/4) / (N + sqrt(N))) / 0.25))`` (an integer
matrix in 1/100 bits; N = column sum, i.e. number of sites; pseudocount sqrt(N)/4 per base;
uniform background 0.25), relative score = ``floor(1000 * (s - min) / (max - min))`` of the
integer scores, p-value = exact P(S >= s) under the uniform background (integer scores make the
score distribution exact), kept when relative score >= 0.8 and p < 0.05. These choices give
the 30 real MA0139.1 sites of the hg38 track exactly (coordinates, strand, relative score).
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from genovocab.errors import InputError
from genovocab.fileutil import atomic_path, is_gzip, open_text, tsv_chunks
from genovocab.io.jaspar import Matrix
from genovocab.regions import acgt_runs

log = logging.getLogger(__name__)

SCALE = 100  # log-odds in 1/100 bits
MIN_RELATIVE = 800  # relative score x1000
MAX_PVALUE = 0.05
ROW_GROUP = 1 << 20
SITE_SCHEMA = pa.schema(
    [
        ("start", pa.int32()),
        ("length", pa.uint8()),
        ("feature", pa.uint16()),
        ("score", pa.uint16()),
        ("neglog10p", pa.uint16()),
    ]
)
_MATRIX_ID = re.compile(r"(MA\d{4}\.\d+)")


# --------------------------------------------------------------------------- site arrays


@dataclass
class Sites:
    """Sites of one chromosome as numpy arrays (one row per site)."""

    start: np.ndarray  # int64
    length: np.ndarray  # int64
    feature: np.ndarray  # int64
    score: np.ndarray  # int64
    neglog10p: np.ndarray  # int64

    def __len__(self) -> int:
        return int(self.start.shape[0])

    @classmethod
    def empty(cls) -> Sites:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), z.copy(), z.copy(), z.copy())

    @classmethod
    def concat(cls, parts: Sequence[Sites]) -> Sites:
        if not parts:
            return cls.empty()
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("start", "length", "feature", "score", "neglog10p")
            )
        )

    def sorted(self) -> Sites:
        """Sorted by (start, feature, length); the order every writer uses."""
        order = np.lexsort((self.length, self.feature, self.start))
        return self.take(order)

    def take(self, index: np.ndarray) -> Sites:
        return Sites(
            self.start[index],
            self.length[index],
            self.feature[index],
            self.score[index],
            self.neglog10p[index],
        )

    @property
    def end(self) -> np.ndarray:
        return self.start + self.length


@dataclass(frozen=True)
class MatrixSet:
    """The sorted matrix ids and names that define the feature indices."""

    ids: tuple[str, ...]
    names: tuple[str, ...]

    @classmethod
    def from_matrices(cls, matrices: Iterable[Matrix]) -> MatrixSet:
        ms = sorted(matrices, key=lambda m: m.matrix_id)
        return cls(tuple(m.matrix_id for m in ms), tuple(m.name for m in ms))

    def index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.ids)}

    def to_json(self) -> str:
        return json.dumps({"ids": list(self.ids), "names": list(self.names)})

    @classmethod
    def from_json(cls, text: str) -> MatrixSet:
        d = json.loads(text)
        return cls(tuple(d["ids"]), tuple(d["names"]))


# --------------------------------------------------------------------------- scoring


@dataclass
class Scorer:
    """Integer log-odds matrix of one PFM plus what turns a score into JASPAR's numbers."""

    matrix: Matrix
    log_odds: np.ndarray  # int64 (4, w), forward strand
    min_score: int
    max_score: int
    threshold: int  # smallest integer score kept (relative >= cut and p < max_pvalue)
    _lo: int
    _sf: np.ndarray  # P(S >= _lo + k)

    def relative(self, scores: np.ndarray) -> np.ndarray:
        """floor(1000 * (s - min) / (max - min)) for integer scores."""
        span = self.max_score - self.min_score
        return (1000 * (np.asarray(scores, dtype=np.int64) - self.min_score)) // max(span, 1)

    def pvalue(self, scores: np.ndarray) -> np.ndarray:
        k = np.clip(np.asarray(scores, dtype=np.int64) - self._lo, 0, self._sf.size - 1)
        return self._sf[k]

    def neglog10p(self, scores: np.ndarray) -> np.ndarray:
        """floor(100 * -log10(p)), capped to the uint16 range."""
        p = np.maximum(self.pvalue(scores), 1e-300)
        return np.clip(np.floor(-np.log10(p) * 100 + 1e-9), 0, 65535).astype(np.int64)


def integer_log_odds(counts: np.ndarray) -> np.ndarray:
    """round(100 * log2(p / 0.25)), p = (count + sqrt(N)/4) / (N + sqrt(N)), per column N."""
    n = counts.sum(axis=0)
    pseudo = np.sqrt(n) / 4.0
    prob = (counts + pseudo) / (n + 4.0 * pseudo)
    return np.round(np.log2(prob / 0.25) * SCALE).astype(np.int64)


def score_survival(log_odds: np.ndarray) -> tuple[int, np.ndarray]:
    """(lo, sf): sf[k] = P(score >= lo + k) for a uniform random sequence (exact)."""
    dist = np.ones(1, dtype=np.float64)
    lo = 0
    for col in log_odds.T:
        cmin = int(col.min())
        new = np.zeros(dist.size + int(col.max()) - cmin, dtype=np.float64)
        for v in col:
            off = int(v) - cmin
            new[off : off + dist.size] += dist * 0.25
        dist = new
        lo += cmin
    sf = np.cumsum(dist[::-1])[::-1]
    return lo, sf


def make_scorer(
    matrix: Matrix, min_relative: int = MIN_RELATIVE, max_pvalue: float = MAX_PVALUE
) -> Scorer:
    """The :class:`Scorer` of ``matrix`` with the JASPAR cut (relative >= 0.8, p < 0.05)."""
    lod = integer_log_odds(matrix.counts)
    mn = int(lod.min(axis=0).sum())
    mx = int(lod.max(axis=0).sum())
    span = max(mx - mn, 1)
    # smallest s with 1000 * (s - mn) >= min_relative * span
    t_rel = mn + -((-min_relative * span) // 1000)
    lo, sf = score_survival(lod)
    below = np.flatnonzero(sf < max_pvalue)
    t_p = lo + int(below[0]) if below.size else mx + 1
    return Scorer(matrix, lod, mn, mx, max(t_rel, t_p), lo, sf)


# --------------------------------------------------------------------------- scanning

_PAD = "A" * 64  # MOODS drops hits near the end of a sequence; padding + a filter fixes it


class MotifScanner:
    """Scans sequences with both strands of a set of matrices (MOODS), JASPAR's cut applied."""

    def __init__(
        self,
        matrices: Sequence[Matrix],
        min_relative: int = MIN_RELATIVE,
        max_pvalue: float = MAX_PVALUE,
    ):
        import MOODS.scan

        self.matrices = sorted(matrices, key=lambda m: m.matrix_id)
        self.scorers = [make_scorer(m, min_relative, max_pvalue) for m in self.matrices]
        self.max_width = max(m.width for m in self.matrices)
        mats, thresholds = [], []
        for sc in self.scorers:
            fwd = sc.log_odds.astype(np.float64)
            rev = fwd[::-1, ::-1]  # reverse complement: rows ACGT -> TGCA, columns reversed
            for lod in (fwd, rev):
                mats.append([list(map(float, row)) for row in lod])
                thresholds.append(sc.threshold - 0.5)  # scores are integers
        self._scanner = MOODS.scan.Scanner(7)
        self._scanner.set_motifs(mats, [0.25] * 4, thresholds)

    def scan(self, seq: str, offset: int = 0) -> Sites:
        """Sites in ``seq`` (upper case; non-ACGT never inside a site), coordinates + offset."""
        parts = []
        for s0, s1 in zip(*(a.tolist() for a in acgt_runs(seq))):
            if s1 - s0 < 1:
                continue
            results = self._scanner.scan(seq[s0:s1] + _PAD)
            for k, hits in enumerate(results):
                if not hits:
                    continue
                sc = self.scorers[k // 2]
                w = sc.matrix.width
                pos = np.fromiter((h.pos for h in hits), dtype=np.int64, count=len(hits))
                raw = np.fromiter((h.score for h in hits), dtype=np.float64, count=len(hits))
                keep = pos + w <= s1 - s0
                if not keep.all():
                    pos, raw = pos[keep], raw[keep]
                score = np.rint(raw).astype(np.int64)
                keep = score >= sc.threshold
                pos, score = pos[keep], score[keep]
                if pos.size == 0:
                    continue
                n = pos.size
                parts.append(
                    Sites(
                        pos + s0 + offset,
                        np.full(n, w, dtype=np.int64),
                        np.full(n, k, dtype=np.int64),
                        sc.relative(score),
                        sc.neglog10p(score),
                    )
                )
        return Sites.concat(parts).sorted()

    def scan_chromosome(
        self,
        seq: str,
        window: int = 1 << 20,
        progress: bool = False,
        label: str = "",
        progress_file=None,
    ) -> Iterator[Sites]:
        """Sorted chunks of the sites of a whole chromosome, window by window.

        Each window is extended by ``max_width - 1`` bases so that sites crossing a window
        boundary are found once (in the window holding their start).
        """
        n = len(seq)
        starts = range(0, n, window)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(
                total=n,
                unit="bp",
                unit_scale=True,
                desc=f"scan {label}".strip(),
                mininterval=5.0,
                file=progress_file,
            )
        for w0 in starts:
            w1 = min(n, w0 + window)
            chunk = self.scan(seq[w0 : min(n, w1 + self.max_width - 1)], offset=w0)
            if len(chunk):
                chunk = chunk.take(np.flatnonzero(chunk.start < w1))
            if bar is not None:
                bar.update(w1 - w0)
            yield chunk
        if bar is not None:
            bar.close()


# --------------------------------------------------------------------------- compact files


def write_site_file(
    path: str | os.PathLike,
    chunks: Iterable[Sites],
    matrix_set: MatrixSet,
    chrom: str,
    chrom_length: int | None = None,
    row_group_size: int = ROW_GROUP,
) -> int:
    """Write sorted site chunks (each sorted, chunks in start order) to a Parquet file.

    Returns the number of sites; the file appears atomically. Raises when the chunks are not in
    start order (the streaming binning relies on it).
    """
    meta = {
        b"genovocab.matrices": matrix_set.to_json().encode(),
        b"genovocab.chrom": chrom.encode(),
        b"genovocab.chrom_length": str(chrom_length or "").encode(),
    }
    schema = SITE_SCHEMA.with_metadata(meta)
    total = 0
    last = -1
    with atomic_path(path) as tmp:
        writer = pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=True)
        try:
            for chunk in chunks:
                if len(chunk) == 0:
                    continue
                if chunk.start[0] < last or np.any(np.diff(chunk.start) < 0):
                    raise ValueError(f"{path}: site chunks are not in start order")
                if chunk.length.max() > 255 or chunk.length.min() < 1:
                    raise ValueError(f"{path}: site lengths must be 1..255")
                last = int(chunk.start[-1])
                table = pa.table(
                    {
                        "start": pa.array(chunk.start.astype(np.int32)),
                        "length": pa.array(chunk.length.astype(np.uint8)),
                        "feature": pa.array(chunk.feature.astype(np.uint16)),
                        "score": pa.array(np.clip(chunk.score, 0, 65535).astype(np.uint16)),
                        "neglog10p": pa.array(np.clip(chunk.neglog10p, 0, 65535).astype(np.uint16)),
                    },
                    schema=schema,
                )
                writer.write_table(table, row_group_size=row_group_size)
                total += len(chunk)
        finally:
            writer.close()
    return total


def site_file_info(path: str | os.PathLike) -> tuple[MatrixSet, str, int | None, int]:
    """(matrix set, chromosome, chromosome length or None, number of sites) of a site file."""
    pf = pq.ParquetFile(path)
    meta = pf.schema_arrow.metadata or {}
    if b"genovocab.matrices" not in meta:
        raise InputError(path, "not a genovocab site file (no matrix metadata)")
    length = meta.get(b"genovocab.chrom_length", b"").decode()
    return (
        MatrixSet.from_json(meta[b"genovocab.matrices"].decode()),
        meta.get(b"genovocab.chrom", b"").decode(),
        int(length) if length else None,
        pf.metadata.num_rows,
    )


def iter_site_file(
    path: str | os.PathLike, batch_size: int = 1 << 22, scores: bool = True
) -> Iterator[Sites]:
    """Stream a site file in sorted chunks of about ``batch_size`` rows (whole row groups).

    ``start`` comes back as int64; the other columns keep their compact dtypes (uint8/uint16).
    With ``scores=False`` the two score columns are not read (zero-filled read-only views).
    Row groups are read one at a time: ``ParquetFile.iter_batches`` reads ahead and its
    memory grows with the file.
    """
    pf = pq.ParquetFile(path)
    columns = None if scores else ["start", "length", "feature"]
    pending: list[pa.Table] = []
    rows = 0

    def emit() -> Sites:
        table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
        n = table.num_rows
        start = table.column("start").to_numpy().astype(np.int64)
        length = table.column("length").to_numpy()
        feature = table.column("feature").to_numpy()
        if scores:
            score, nlp = table.column("score").to_numpy(), table.column("neglog10p").to_numpy()
        else:
            score = nlp = np.broadcast_to(np.uint16(0), (n,))
        return Sites(start, length, feature, score, nlp)

    for i in range(pf.num_row_groups):
        table = pf.read_row_group(i, columns=columns)
        if table.num_rows == 0:
            continue
        pending.append(table)
        rows += table.num_rows
        if rows >= batch_size:
            yield emit()
            pending, rows = [], 0
    if pending:
        yield emit()


def read_site_file(path: str | os.PathLike) -> Sites:
    """A whole site file in memory (small files, tests)."""
    return Sites.concat(list(iter_site_file(path)))


def merge_sorted_chunks(
    streams: Sequence[Iterable[Sites]], window: int = 1 << 20
) -> Iterator[Sites]:
    """Merge several start-sorted chunk streams into one, window by window (bounded memory)."""
    iters = [iter(s) for s in streams]
    buffers: list[list[Sites]] = [[] for _ in iters]
    done = [False] * len(iters)
    high = [-1] * len(iters)  # largest start buffered per stream
    lo = 0
    while True:
        hi = lo + window
        for k, it in enumerate(iters):
            while not done[k] and high[k] < hi:
                try:
                    chunk = next(it)
                except StopIteration:
                    done[k] = True
                    break
                if len(chunk):
                    buffers[k].append(chunk)
                    high[k] = int(chunk.start[-1])
        pieces = []
        for k in range(len(iters)):
            if not buffers[k]:
                continue
            merged = Sites.concat(buffers[k])
            cut = int(np.searchsorted(merged.start, hi, side="left"))
            pieces.append(merged.take(np.arange(cut)))
            rest = merged.take(np.arange(cut, len(merged)))
            buffers[k] = [rest] if len(rest) else []
        out = Sites.concat(pieces)
        if len(out):
            yield out.sorted()
        if all(done) and not any(buffers):
            return
        lo = hi


# --------------------------------------------------------------------------- TSV (BED6+2)


def format_sites_tsv(chrom: str, sites: Sites, matrix_set: MatrixSet) -> str:
    """BED6+2 lines of ``sites`` (one chromosome)."""
    if len(sites) == 0:
        return ""
    ids = np.array(matrix_set.ids, dtype=object)
    names = np.array(matrix_set.names, dtype=object)
    m = sites.feature // 2
    strand = np.where(sites.feature % 2 == 0, "+", "-")
    cols = [
        np.full(len(sites), chrom, dtype=object),
        sites.start.astype(str),
        sites.end.astype(str),
        ids[m],
        sites.score.astype(str),
        strand,
        names[m],
        sites.neglog10p.astype(str),
    ]
    lines = ["\t".join(row) for row in zip(*cols)]
    return "\n".join(lines) + "\n"


def write_sites_tsv(
    path: str | os.PathLike, per_chrom: Iterable[tuple[str, Iterable[Sites]]], matrix_set: MatrixSet
) -> int:
    """Write BED6+2 TSV (gzip with mtime 0 when the name ends in .gz), atomically."""
    total = 0
    with atomic_path(path) as tmp:
        if str(path).endswith(".gz"):
            raw = open(tmp, "wb")
            handle = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        else:
            raw = None
            handle = open(tmp, "wb")
        try:
            for chrom, chunks in per_chrom:
                for chunk in chunks:
                    handle.write(format_sites_tsv(chrom, chunk, matrix_set).encode())
                    total += len(chunk)
        finally:
            handle.close()
            if raw is not None:
                raw.close()
    return total


def _site_fields(
    path, lineno: int, line: str, f: list[str], nlp_col: int, strand_col: int
) -> tuple[int, int, int, int]:
    """(start, end, score, -log10 p) of one site line, checked: integers, ``0 <= start < end``,
    length <= 255, strand ``+``/``-``; anything else is an :class:`InputError` at ``lineno``."""
    try:
        start, end, score, nlp = int(f[1]), int(f[2]), int(f[4]), int(f[nlp_col])
    except ValueError as exc:
        raise InputError(
            path, f"start, end, score and -log10(p) must be integers: {line[:80]!r}", lineno
        ) from exc
    if not 0 <= start < end or end - start > 255:
        raise InputError(
            path,
            f"bad site coordinates {start}-{end} (need 0 <= start < end, length <= 255)",
            lineno,
        )
    if f[strand_col] not in ("+", "-"):
        raise InputError(path, f"strand must be + or -, found {f[strand_col]!r}", lineno)
    return start, end, score, nlp


def read_sites_tsv(
    paths: Sequence[str | os.PathLike], matrix_set: MatrixSet | None = None
) -> tuple[MatrixSet, dict[str, Sites]]:
    """Read BED6+2 site files into sorted per-chromosome :class:`Sites`.

    The feature indices follow ``matrix_set`` (unknown matrix ids are an error) or, when it is
    None, the sorted matrix ids found in the files (names from column 7).
    """
    rows: dict[str, list[tuple[int, int, str, int, int, int]]] = {}
    names: dict[str, str] = {}
    for path in paths:
        with open_text(path) as handle:
            for lineno, line in enumerate(handle, 1):
                line = line.rstrip("\n")
                if not line or line.startswith(("#", "track", "browser")):
                    continue
                f = line.split("\t")
                if len(f) < 8:
                    raise InputError(
                        path, f"expected 8 tab-separated columns (BED6+2), found {len(f)}", lineno
                    )
                start, end, score, nlp = _site_fields(path, lineno, line, f, 7, 5)
                if matrix_set is not None and f[3] not in matrix_set.ids:
                    raise InputError(path, f"matrix id {f[3]} is not among the matrices", lineno)
                names.setdefault(f[3], f[6])
                rows.setdefault(f[0], []).append(
                    (start, end - start, f[3], int(f[5] == "-"), score, nlp)
                )
    if matrix_set is None:
        ids = sorted(names)
        matrix_set = MatrixSet(tuple(ids), tuple(names[i] for i in ids))
    index = matrix_set.index()
    out = {}
    for chrom, rs in rows.items():
        out[chrom] = Sites(
            np.array([r[0] for r in rs], dtype=np.int64),
            np.array([r[1] for r in rs], dtype=np.int64),
            np.array([2 * index[r[2]] + r[3] for r in rs], dtype=np.int64),
            np.array([r[4] for r in rs], dtype=np.int64),
            np.array([r[5] for r in rs], dtype=np.int64),
        ).sorted()
    return matrix_set, out


# --------------------------------------------------------------------------- JASPAR tracks


def track_matrix_id(path: str | os.PathLike) -> str:
    """The matrix id in a track file name (``MA0139.1.tsv.gz``, ``..._MA0139.1_CTCF...``)."""
    m = _MATRIX_ID.search(os.path.basename(os.fspath(path)))
    if not m:
        raise InputError(path, "track file name holds no JASPAR matrix id (MA....x)")
    return m.group(1)


class _SlowPath(Exception):
    """The fast track parser met something it cannot judge; the line parser will name it."""


def read_track(
    path: str | os.PathLike,
    feature_base: int,
    chrom_sizes: dict[str, int] | None = None,
    min_score: int = MIN_RELATIVE,
    chunk_rows: int = 1 << 22,
) -> dict[str, Sites]:
    """One JASPAR per-matrix track (7 columns: chrom, start, end, TF, rel x1000, -log10p x100,
    strand; an optional header line) as sorted per-chromosome sites of matrix ``feature_base//2``.

    Rows below ``min_score`` are dropped; chromosomes not in ``chrom_sizes`` (when given) are
    skipped (tracks cover alt/random contigs the run may not select). Valid files take a fast
    path (pandas' C parser, in chunks, vectorised checks); otherwise the file is re-read line by
    line, which names the first bad line.
    """
    try:
        return _read_track_fast(path, feature_base, chrom_sizes, min_score, chunk_rows)
    except _SlowPath:
        return _read_track_slow(path, feature_base, chrom_sizes, min_score)


def _read_track_fast(
    path, feature_base: int, chrom_sizes, min_score: int, chunk_rows: int
) -> dict[str, Sites]:
    import pandas as pd

    with open_text(path) as handle:
        first = handle.readline().rstrip("\n").split("\t")
    skip = 1 if len(first) < 2 or not first[1].strip().isdigit() else 0
    names = ["chrom", "start", "end", "name", "score", "nlp", "strand"]
    parts: dict[str, list[Sites]] = {}
    try:
        reader = tsv_chunks(
            path,
            chunk_rows,
            skip,
            names=names,
            dtype={
                "chrom": str,
                "start": np.int64,
                "end": np.int64,
                "name": str,
                "score": np.int64,
                "nlp": np.int64,
                "strand": str,
            },
        )
        for df in reader:
            start = df["start"].to_numpy()
            end = df["end"].to_numpy()
            strand = df["strand"].to_numpy()
            chrom = df["chrom"].to_numpy()
            plus, minus = strand == "+", strand == "-"
            length = end - start
            if (
                (start < 0).any()
                or (length < 1).any()
                or (length > 255).any()
                or not (plus | minus).all()
            ):
                raise _SlowPath
            keep = df["score"].to_numpy() >= min_score
            if chrom_sizes is not None:
                size = pd.Series(chrom).map(chrom_sizes).to_numpy(dtype=np.float64)
                known = ~np.isnan(size)
                if (end[known] > size[known]).any():
                    raise _SlowPath
                keep &= known
            if not keep.all():
                df, start, length, minus, chrom = (
                    df[keep],
                    start[keep],
                    length[keep],
                    minus[keep],
                    chrom[keep],
                )
            score = df["score"].to_numpy()
            nlp = df["nlp"].to_numpy()
            for c in pd.unique(chrom):
                sel = chrom == c
                parts.setdefault(c, []).append(
                    Sites(
                        start[sel],
                        length[sel].astype(np.uint8),
                        (feature_base + minus[sel]).astype(np.uint16),
                        np.clip(score[sel], 0, 65535).astype(np.uint16),
                        np.clip(nlp[sel], 0, 65535).astype(np.uint16),
                    )
                )
    except (ValueError, pd.errors.ParserError) as exc:
        raise _SlowPath from exc
    return {c: Sites.concat(v).sorted() for c, v in parts.items()}


def _read_track_slow(path, feature_base: int, chrom_sizes, min_score: int) -> dict[str, Sites]:
    per: dict[str, tuple[list, list, list, list, list]] = {}
    with open_text(path) as handle:
        for lineno, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            f = line.split("\t")
            if lineno == 1 and (len(f) < 2 or not f[1].strip().isdigit()):
                continue  # header
            if len(f) != 7:
                raise InputError(
                    path,
                    f"expected 7 tab-separated columns (chrom, start, end, "
                    f"name, score, -log10p, strand), found {len(f)}",
                    lineno,
                )
            start, end, score, nlp = _site_fields(path, lineno, line, f, 5, 6)
            if chrom_sizes is not None:
                size = chrom_sizes.get(f[0])
                if size is None:
                    continue
                if end > size:
                    raise InputError(path, f"site end {end} beyond {f[0]} length {size}", lineno)
            if score < min_score:
                continue
            lists = per.setdefault(f[0], ([], [], [], [], []))
            lists[0].append(start)
            lists[1].append(end - start)
            lists[2].append(feature_base + (f[6] == "-"))
            lists[3].append(score)
            lists[4].append(nlp)
    return {
        c: Sites(*(np.array(v, dtype=np.int64) for v in lists)).sorted() for c, lists in per.items()
    }


# --------------------------------------------------------------------------- bigBed


def iter_bigbed(
    path: str | os.PathLike,
    chrom: str,
    matrix_set: MatrixSet,
    min_score: int = 0,
    window: int = 1 << 20,
) -> Iterator[Sites]:
    """Sites of ``chrom`` from a JASPAR bigBed (UCSC ``JASPAR2022.bb``), streamed by window.

    Entries are BED6+: name = matrix id (or TF name with the id in an extra field), score =
    scaled -log10(p) (0..1000). Only entries of matrices in ``matrix_set`` with score >=
    ``min_score`` are kept; the relative score is not in the bigBed and is stored as 0, the
    bigBed score goes to ``neglog10p``. An entry belongs to the window holding its start.
    """
    import pyBigWig

    try:
        bb = pyBigWig.open(os.fspath(path))
    except RuntimeError as exc:
        raise InputError(path, f"not a bigBed file ({exc})") from exc
    if bb is None or not bb.isBigBed():
        raise InputError(path, "not a bigBed file")
    try:
        size = bb.chroms().get(chrom)
        if size is None:
            return
        import pandas as pd

        index = matrix_set.index()
        by_name = {n: i for i, n in reversed(list(enumerate(matrix_set.names)))}
        for w0 in range(0, size, window):
            w1 = min(size, w0 + window)
            entries = [x for x in (bb.entries(chrom, w0, w1) or []) if x[0] >= w0]
            if not entries:
                continue  # (entries starting before w0 belong to the previous window)
            n = len(entries)
            st = np.fromiter((x[0] for x in entries), dtype=np.int64, count=n)
            en = np.fromiter((x[1] for x in entries), dtype=np.int64, count=n)
            rest = pd.Series([x[2] for x in entries]).str.split("\t", expand=True)
            if rest.shape[1] < 3 or rest[2].isna().any():
                k = int(np.flatnonzero(rest[2].isna().to_numpy())[0]) if rest.shape[1] >= 3 else 0
                raise InputError(path, f"{chrom}:{st[k]}-{en[k]}: expected BED6+ entries")
            # matrix: an MA id in the name or in an extra field, else the name as a TF name
            mid = rest[0].str.strip().map(index)
            for col in range(3, rest.shape[1]):
                mid = mid.fillna(rest[col].str.strip().map(index))
            mid = mid.fillna(rest[0].map(by_name))
            try:
                score = pd.to_numeric(rest[1]).to_numpy().astype(np.int64)
            except ValueError as exc:
                raise InputError(path, f"{chrom}: non-numeric bigBed score ({exc})") from exc
            keep = mid.notna().to_numpy() & (score >= min_score)
            if not keep.any():
                continue
            m = mid.to_numpy()[keep].astype(np.int64)
            minus = rest[2].to_numpy()[keep] == "-"
            k = int(keep.sum())
            yield Sites(
                st[keep], (en - st)[keep], 2 * m + minus, np.zeros(k, dtype=np.int64), score[keep]
            ).sorted()
    finally:
        bb.close()


def is_parquet(path: str | os.PathLike) -> bool:
    """True for a Parquet file (by magic bytes)."""
    if is_gzip(path):
        return False
    with open(path, "rb") as handle:
        return handle.read(4) == b"PAR1"


def log10_pvalue_floor(p: float) -> int:
    """floor(100 * -log10(p)) (helper for tests and docs)."""
    return int(math.floor(-math.log10(p) * 100 + 1e-9))
