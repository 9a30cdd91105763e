"""File-level steps shared by the CLI and the workflow scripts (one chromosome at a time).

* :func:`scan_to_site_file` - scan one chromosome of a FASTA, write its compact site file;
* :func:`tracks_to_site_files` - split JASPAR per-matrix tracks into per-chromosome partial
  site files (one batch of matrices per call), :func:`merge_site_files` - merge the partials of
  one chromosome (streaming, window by window);
* :func:`bigbed_to_site_file` - stream one chromosome of the JASPAR bigBed;
* :func:`bin_chromosome` - coverage, bins, features and statistics of one chromosome;
  :func:`gather_bins` - the genome-wide feature table, statistics and histogram;
* :func:`bin_genome` - every chromosome of a set of site files, then the gather (the CLI's
  ``bin-motifs``; the workflow runs the same two steps as separate jobs).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genovocab.defaults import MOTIF_BINNING
from genovocab.errors import InputError
from genovocab.io.jaspar import Matrix
from genovocab.motifs.features import (
    bin_and_accumulate,
    binning_options,
    cpg_dinucleotide_sites,
    feature_table,
    interval_sites,
    save_bins,
    write_feature_table,
)
from genovocab.motifs.sites import (
    MatrixSet,
    MotifScanner,
    Sites,
    is_parquet,
    iter_bigbed,
    iter_site_file,
    merge_sorted_chunks,
    read_sites_tsv,
    read_track,
    site_file_info,
    track_matrix_id,
    write_site_file,
)
from genovocab.motifs.stats import chrom_stats, gather_stats
from genovocab.regions import Regions
from genovocab.tables import write_json

__all__ = [
    "BinParams",
    "bigbed_to_site_file",
    "bin_chromosome",
    "bin_genome",
    "fetch_track_batch",
    "gather_bins",
    "load_matrix_set",
    "merge_site_files",
    "read_cpg_islands",
    "scan_to_site_file",
    "site_files_by_chrom",
    "tracks_to_site_files",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BinParams:
    """Peak-binning parameters (defaults = motif-aware tokenization's, Davarmanesh et al.)."""

    sigma: float = MOTIF_BINNING["sigma"]
    peak_width: float = MOTIF_BINNING["peak_width"]
    max_bin: int = MOTIF_BINNING["max_bin"]
    trim_step: int = MOTIF_BINNING["trim_step"]
    chunk_sites: int = MOTIF_BINNING["chunk_sites"]


def scan_to_site_file(
    genome: str | os.PathLike,
    chrom: str,
    matrices: Sequence[Matrix],
    out: str | os.PathLike,
    *,
    window: int = 1 << 20,
    min_relative: int = 800,
    max_pvalue: float = 0.05,
    progress: bool = True,
    progress_file=None,
) -> int:
    """Scan ``chrom`` of an indexed FASTA with ``matrices``; write its site file."""
    from genovocab.io.fasta import open_fasta

    fa = open_fasta(genome)
    if chrom not in fa:
        raise InputError(genome, f"chromosome {chrom} is not in the FASTA")
    seq = str(fa[chrom][:])
    scanner = MotifScanner(matrices, min_relative, max_pvalue)
    t0 = time.perf_counter()
    chunks = scanner.scan_chromosome(
        seq, window, progress=progress, label=chrom, progress_file=progress_file
    )
    n = write_site_file(out, chunks, MatrixSet.from_matrices(matrices), chrom, len(seq))
    dt = time.perf_counter() - t0
    log.info(
        "%s: %d bp x %d matrices -> %d sites in %.1f s (%.3g bp x matrices / s)",
        chrom,
        len(seq),
        len(matrices),
        n,
        dt,
        len(seq) * len(matrices) / max(dt, 1e-9),
    )
    return n


def tracks_to_site_files(
    tracks: Sequence[str | os.PathLike],
    matrix_set: MatrixSet,
    chrom_sizes: dict[str, int],
    out_dir: str | os.PathLike,
    min_score: int = 800,
) -> dict[str, int]:
    """Split a batch of per-matrix tracks into ``out_dir/<chrom>.parquet`` partial site files.

    Every selected chromosome gets a file (possibly empty), so the gather knows its inputs.
    Memory is about 15 bytes x the batch's sites (x2 while sorting one chromosome): hg38 tracks
    hold ~14 M sites per matrix, hence few matrices per batch (``tracks_batches``).
    """
    index = matrix_set.index()
    per: dict[str, list[Sites]] = {c: [] for c in chrom_sizes}
    for path in sorted(tracks, key=lambda p: track_matrix_id(p)):
        mid = track_matrix_id(path)
        if mid not in index:
            raise InputError(path, f"matrix {mid} is not among the configured matrices")
        for chrom, sites in read_track(path, 2 * index[mid], chrom_sizes, min_score).items():
            per[chrom].append(sites)
    counts = {}
    for chrom in list(per):
        sites = Sites.concat(per.pop(chrom)).sorted()
        counts[chrom] = write_site_file(
            os.path.join(out_dir, f"{chrom}.parquet"),
            [sites],
            matrix_set,
            chrom,
            chrom_sizes[chrom],
        )
        del sites
    return counts


def merge_site_files(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    window: int = 1 << 20,
    batch_size: int = 1 << 16,
) -> int:
    """Merge start-sorted site files of one chromosome (same matrix set) into one.

    Each input is read ``batch_size`` rows at a time, so memory is about
    inputs x batch_size + one window of sites, whatever the chromosome's site count.
    """
    infos = [site_file_info(p) for p in inputs]
    if not infos:
        raise ValueError("no site files to merge")
    mset, chrom, length, _ = infos[0]
    for p, (m, c, _, _) in zip(inputs, infos):
        if m != mset or c != chrom:
            raise InputError(p, "site files to merge differ in matrices or chromosome")
    streams = [iter_site_file(p, batch_size=batch_size) for p in inputs]
    return write_site_file(out, merge_sorted_chunks(streams, window), mset, chrom, length)


def bigbed_to_site_file(
    bigbed: str | os.PathLike,
    chrom: str,
    length: int,
    matrix_set: MatrixSet,
    out: str | os.PathLike,
    min_score: int = 0,
    window: int = 1 << 20,
) -> int:
    """Stream one chromosome of a JASPAR bigBed into its compact site file."""
    return write_site_file(
        out, iter_bigbed(bigbed, chrom, matrix_set, min_score, window), matrix_set, chrom, length
    )


def bin_chromosome(
    sites_path: str | os.PathLike,
    chrom: str,
    length: int,
    *,
    out_bins: str | os.PathLike,
    out_features: str | os.PathLike,
    out_stats: str | os.PathLike | None = None,
    params: BinParams = BinParams(),
    cpg: str = "none",
    genome: str | os.PathLike | None = None,
    islands: tuple[np.ndarray, np.ndarray] | None = None,
    compress: bool = True,
    spill: bool = True,
) -> dict:
    """Coverage, bins and the bin x feature matrix of one chromosome's site file.

    With ``spill`` (default) the matrix's non-zeros are kept in temporary files beside the
    output while it is built, so memory grows with the chromosome length, not with the sites.

    ``cpg``: ``none``; ``dinucleotide`` (every CG of ``genome``'s ``chrom``); ``islands``
    (``islands`` = (starts, ends) of this chromosome). Returns the statistics dict.
    """
    mset, file_chrom, file_len, n_sites = site_file_info(sites_path)
    if file_len is not None and file_len != length:
        raise InputError(
            sites_path,
            f"site file is for a {file_chrom} of {file_len} bp, chrom sizes say {length}",
        )
    n_motif = 2 * len(mset.ids)
    n_features = len(feature_table(mset, cpg))
    extra = None
    if cpg == "dinucleotide":
        if genome is None:
            raise ValueError("cpg: dinucleotide needs the genome FASTA")
        from genovocab.io.fasta import open_fasta

        seq = str(open_fasta(genome)[chrom][:])

        def extra():
            return cpg_dinucleotide_sites(seq, n_motif)
    elif cpg == "islands":
        if islands is None:
            raise ValueError("cpg: islands needs the CpG island intervals")
        isl = interval_sites(islands[0], islands[1], n_motif)

        def extra():
            return iter([isl])

    def chunks():
        return iter_site_file(sites_path, batch_size=params.chunk_sites, scores=False)

    t0 = time.perf_counter()
    spill = os.path.dirname(os.path.abspath(os.fspath(out_features))) if spill else None
    if spill:
        os.makedirs(spill, exist_ok=True)
    result, acc = bin_and_accumulate(
        chunks,
        length,
        n_features,
        extra_chunks=extra,
        spill_dir=spill,
        **binning_options(params),
    )
    counts = acc.sites_per_feature.copy()
    t1 = time.perf_counter()
    save_bins(out_bins, result.edges)
    nnz = acc.write_npz(out_features, compress=compress)
    stats = chrom_stats(chrom, length, result, counts, nnz)
    if out_stats is not None:
        write_json(out_stats, stats)
    log.info(
        "%s: %d sites -> %d peaks, %d bins (mean %.1f bp, %d trimmed), %d non-zeros; "
        "%.1f s compute, %.1f s write",
        chrom,
        n_sites,
        result.n_peaks,
        result.n_bins,
        length / max(result.n_bins, 1),
        result.n_trimmed_bins,
        nnz,
        t1 - t0,
        time.perf_counter() - t1,
    )
    return stats


def gather_bins(
    per_chrom: Sequence[dict],
    matrix_set: MatrixSet,
    cpg: str,
    *,
    features_out: str | os.PathLike,
    stats_out: str | os.PathLike,
    sites_per_feature_out: str | os.PathLike,
    histogram_out: str | os.PathLike | None = None,
) -> dict:
    """The genome-wide files of the binning: ``features.tsv``, ``stats.tsv`` (one row per
    chromosome plus ``all``), ``sites_per_feature.tsv`` and the bin-length histogram, from the
    per-chromosome statistics of :func:`bin_chromosome`. Returns the ``all`` row."""
    write_feature_table(features_out, matrix_set, cpg)
    return gather_stats(
        per_chrom, feature_table(matrix_set, cpg), stats_out, sites_per_feature_out, histogram_out
    )


def site_files_by_chrom(
    sites: Sequence[str | os.PathLike],
    chrom_sizes: dict[str, int],
    work_dir: str | os.PathLike,
    matrix_set: MatrixSet | None = None,
) -> tuple[MatrixSet, dict[str, str]]:
    """One compact site file per chromosome of ``chrom_sizes`` from any mix of site files and
    BED6+2 site TSVs (converted into ``work_dir``); chromosomes without sites get an empty file.

    ``matrix_set`` fixes the feature list (default: the matrices of the site files / TSVs).
    Site files that disagree on their matrices, or TSV sites on a chromosome outside
    ``chrom_sizes``, are an :class:`InputError`.
    """
    files: dict[str, str] = {}
    tsvs = [p for p in sites if not is_parquet(p)]
    for path in sites:
        if is_parquet(path):
            found, chrom, _, _ = site_file_info(path)
            if matrix_set is None:
                matrix_set = found
            elif found != matrix_set:
                raise InputError(path, "site file matrices differ from the others")
            files[chrom] = os.fspath(path)
    if tsvs:
        matrix_set, per = read_sites_tsv(tsvs, matrix_set)
        for chrom, chrom_sites in per.items():
            if chrom not in chrom_sizes:
                raise InputError(tsvs[0], f"chromosome {chrom} is not in the chromosome sizes")
            path = os.path.join(work_dir, f"{chrom}.parquet")
            write_site_file(path, [chrom_sites], matrix_set, chrom, chrom_sizes[chrom])
            files[chrom] = path
    if matrix_set is None:
        raise ValueError("no sites given")
    for chrom, length in chrom_sizes.items():
        if chrom not in files:
            files[chrom] = os.path.join(work_dir, f"{chrom}.parquet")
            write_site_file(files[chrom], [Sites.empty()], matrix_set, chrom, length)
    return matrix_set, files


def bin_genome(
    sites: Sequence[str | os.PathLike],
    chrom_sizes: dict[str, int],
    out_dir: str | os.PathLike,
    *,
    params: BinParams = BinParams(),
    cpg: str = "none",
    genome: str | os.PathLike | None = None,
    cpg_islands: str | os.PathLike | None = None,
    matrix_set: MatrixSet | None = None,
) -> dict:
    """Bin every chromosome of ``chrom_sizes`` and gather: the workflow's ``motifs_bin`` and
    ``motifs_gather`` steps in one call. Writes ``<chrom>.bins.npy``, ``<chrom>.features.npz``,
    ``features.tsv``, ``stats.tsv``, ``sites_per_feature.tsv`` and ``bin_lengths.png`` into
    ``out_dir``; ``cpg_islands``: BED or UCSC ``cpgIslandExt`` table (as the workflow reads it).
    Returns the genome-wide statistics row."""
    import tempfile

    if cpg == "islands" and cpg_islands is None:
        raise ValueError("cpg: islands needs the CpG island file")
    if cpg == "dinucleotide" and genome is None:
        raise ValueError("cpg: dinucleotide needs the genome FASTA")
    out = os.fspath(out_dir)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".sites.") as tmp:
        matrix_set, files = site_files_by_chrom(sites, chrom_sizes, tmp, matrix_set)
        stats = []
        for chrom, length in chrom_sizes.items():
            islands = read_cpg_islands(cpg_islands, chrom) if cpg == "islands" else None
            stats.append(
                bin_chromosome(
                    files[chrom],
                    chrom,
                    length,
                    out_bins=os.path.join(out, f"{chrom}.bins.npy"),
                    out_features=os.path.join(out, f"{chrom}.features.npz"),
                    params=params,
                    cpg=cpg,
                    genome=genome,
                    islands=islands,
                )
            )
    return gather_bins(
        stats,
        matrix_set,
        cpg,
        features_out=os.path.join(out, "features.tsv"),
        stats_out=os.path.join(out, "stats.tsv"),
        sites_per_feature_out=os.path.join(out, "sites_per_feature.tsv"),
        histogram_out=os.path.join(out, "bin_lengths.png"),
    )


def load_matrix_set(
    pfms: str | os.PathLike, ids: Sequence[str] | None = None
) -> tuple[list[Matrix], MatrixSet]:
    """The selected matrices of a JASPAR/MEME file and their :class:`MatrixSet`."""
    from genovocab.io.jaspar import read_matrices, select_matrices

    matrices = select_matrices(read_matrices(pfms), ids, pfms)
    return matrices, MatrixSet.from_matrices(matrices)


def read_cpg_islands(path: str | os.PathLike, chrom: str) -> tuple[np.ndarray, np.ndarray]:
    """CpG islands of ``chrom`` from a BED file or UCSC ``cpgIslandExt.txt(.gz)``.

    The UCSC table starts with a ``bin`` column (chrom in column 2, start/end in 3/4, name with
    a space); BED has chrom, start, end first. Rows are returned sorted.
    """
    from genovocab.fileutil import open_text

    starts, ends = [], []
    with open_text(path) as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.rstrip("\n").split("\t")
            ucsc = len(f) >= 4 and f[0].isdigit() and not f[1].isdigit()
            c, s, e = (
                (f[1], f[2], f[3])
                if ucsc
                else (f[0], f[1] if len(f) > 1 else "", f[2] if len(f) > 2 else "")
            )
            if c != chrom:
                continue
            try:
                s_i, e_i = int(s), int(e)
            except ValueError as exc:
                raise InputError(
                    path, f"start and end must be integers: {line[:60]!r}", lineno
                ) from exc
            if not 0 <= s_i < e_i:
                raise InputError(path, f"bad interval {s_i}-{e_i}", lineno)
            starts.append(s_i)
            ends.append(e_i)
    islands = Regions(
        [chrom],
        np.zeros(len(starts), np.int32),
        np.asarray(starts, np.int64),
        np.asarray(ends, np.int64),
    ).sorted()
    return islands.starts, islands.ends


def fetch_track_batch(
    matrix_ids: Sequence[str],
    url_template: str,
    downloads: str | os.PathLike,
    sha256: dict[str, str] | None = None,
) -> list[str]:
    """Download (or reuse) the per-matrix tracks of one batch; returns the local paths.

    ``url_template`` holds ``{matrix_id}`` (e.g. ``https://.../hg38/{matrix_id}.tsv.gz`` or a
    local ``file://`` folder). An already present file with a matching checksum (or any present
    file when no checksum is configured) is reused.
    """
    from genovocab.download import download
    from genovocab.fileutil import sha256_file

    if "{matrix_id}" not in url_template:
        raise ValueError("motifs.sites.tracks_url must contain {matrix_id}")
    paths = []
    for mid in matrix_ids:
        out = os.path.join(os.fspath(downloads), f"{mid}.tsv.gz")
        want = (sha256 or {}).get(mid)
        if not (os.path.exists(out) and (not want or sha256_file(out) == want.lower())):
            download(url_template.format(matrix_id=mid), out, want, name=mid)
        paths.append(out)
    return paths
