"""The heaviest single jobs of an hg38 run, run directly at chr1 size on this machine.

Each job is the library call its workflow script makes (``workflow/scripts/*.py``), with the
settings of ``config/hg38.yaml``, on a synthetic chromosome of 249,250,621 bp (x ``--fraction``)
named chr1, timed in a fresh process (``_common.measure``: wall, CPU = user + sys of all
threads, peak RSS). Inputs are made beforehand and not timed; they are cached under
``benchmarks/out/chr1/`` (git-ignored), as are the jobs' outputs.

1. ``motifs``: ``bin_chromosome`` (motifs_bin.py) on a site file at hg38 density (about 4 site
   starts per bp over 1,682 (matrix, strand) features, lengths 6-21 bp: ~1e9 sites at full
   size; ``bench_motifs.make_sites``) with the real hg38 chr1 CpG islands (``cpg: islands``)
   and the config's binning parameters and compression.
2. ``ids``: ``chromosome_partial`` (ids_partial.py) of block 0 of chr1's
   ``ceil(length / ids.block_bp)`` blocks of the matrix job 1 wrote (exact mode whatever
   ``ids.mode``, the config's terms, bandwidth and backend) and the partial sums saved; the time
   of all hg38 blocks is extrapolated in proportion to the bp (every block's rows are bins of
   the same density). Sample mode costs the same per bin, plus one read of the matrix.
3. ``universe``: 500 synthetic narrowPeak files (gzip) of chr1 only, 2.5-5k peaks each (about
   8 % of an ENCODE file's 30-60k), around shared sites of skewed prevalence plus 15 % noise
   peaks; ``read_peak_files`` + save (universe_peaks.py), ``build_chromosome`` for the config's
   coverage methods (``universe.method`` and ``compare_methods`` minus ``ccre``;
   universe_chrom.py) and ``assess_universe`` (universe_assess.py) of each, and of a
   cCRE-like registry slice (8 % of 2,348,854 regions, 150-350 bp) for ``ccre``.
4. ``bpe``: a synthetic chr1 FASTA (order-6 Markov chain fitted to the real
   ``misc/hg19_chr1_1-2000000.fa.gz`` with pasted real fragments, ``bench_ggram``, and N gaps
   where hg38 has them roughly), then ``iter_genome_windows`` + ``write_training_text``
   (sequence_windows.py; ``total_bp`` x fraction) and the BPE (sequence_bpe.py:
   ``build_bpe_folder``, or ``train_bpe`` + ``save_tokenizer_folder`` where it is absent).
   The BPE trainer is multi-threaded: compare CPU with wall.
5. ``tokens``: the jobs after clustering on job 1's matrix, with a rehearsal's clusters
   (``--motif-stage``) or, without one, a synthetic stage with every feature its own cluster
   (as the rehearsal's IDS gave: the largest bin x cluster matrix): ``chromosome_cluster_features``
   (motif_cluster_features.py), ``token_vocab_files`` (motif_token_vocab.py, here over one
   chromosome), ``chromosome_tokens`` (motif_tokens.py), ``write_tokenizer_folder``
   (motif_tokenizer.py, one chromosome) and ``build_motif_corpus`` (motif_corpus.py, the
   config's corpus over this chromosome, all of it the train split).
6. ``tracks``: one JASPAR-style per-matrix track at full hg38 size and density (always, whatever
   ``--fraction``) split into per-chromosome site files (``tracks_to_site_files``,
   motifs_tracks.py without its download).
7. ``merge``: ``merge_site_files`` (motifs_merge.py) of chr1's ``motifs.sites.tracks_batches``
   (200) batch site files, each holding its ~4.2 matrices' sites at hg38 density (synthetic, as
   in 1; every batch file carries the whole matrix set, as ``tracks_to_site_files`` writes
   them), into chr1's site file. Its work is linear in the sites (a windowed k-way merge) and
   its memory is set by the batch count, so two fractions give its chr1 law.
8. ``idstail``: the IDS jobs in sample mode (``ids.sample_size``, ``ids.seed``): chr1's sampled
   partial (its share over hg38's chromosomes at chr1's bin density), chr1's sum, the reduce of
   24 chromosome sums (chr1's, 24 times) to the IDS matrix, and the clustering with its heatmap.
9. ``genome``: ``prepare_genome`` (prepare_genome.py) of job 4's synthetic chr1 FASTA, gzipped.

Prints one markdown table (job, input size, wall s, CPU s, peak MiB; progress goes to stderr)
and writes it with the extrapolations to ``benchmarks/out/chr1/results.json``.

Usage: ``python benchmarks/bench_chr1.py [--jobs motifs,ids,universe,bpe,tokens,tracks,merge,
idstail,genome] [--fraction F]`` (``GENOVOCAB_REAL_DATA``: the real data folder, for the CpG
islands and the BPE text's model).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks._common import Measure, measure, real_data_dir, report  # noqa: E402
from benchmarks.bench_scale import HG38  # noqa: E402

OUT = HERE / "out" / "chr1"
CONFIG = HERE.parent / "config" / "hg38.yaml"
REAL = real_data_dir()
ISLANDS = REAL / "misc" / "CpGIsland.hg38.bed.gz"
CHROM = "chr1"
CHR1_BP = 249_250_621
JOBS = ("motifs", "ids", "universe", "bpe", "tokens", "tracks", "merge", "idstail", "genome")
N_PEAK_FILES = 500
CCRE_ROWS = 2_348_854  # ENCODE cCRE V4 (config/hg38.yaml sources.ccres)
CHR1_SHARE = 0.08
# hg38 chr1-22, X, Y (genome_prep.chromosomes of config/hg38.yaml), for the IDS extrapolation
HG38_SIZES = HG38
COLUMNS = ["job", "input size", "wall s", "CPU s", "peak MiB"]
MOTIF_STAGE = (
    HERE / "out" / "scale" / "f0.001" / "results" / "genovocab-hg38-scale-0.1.0.work" / "motifs"
)


# --- helpers ---------------------------------------------------------------------------------


def load_config() -> dict:
    import yaml

    with open(CONFIG) as handle:
        return yaml.safe_load(handle)


def _quiet() -> None:
    import logging

    logging.getLogger("genovocab").setLevel(logging.WARNING)


def _log(message: str) -> None:
    """Progress on stderr (stdout gets the table only)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _row(job: str, size: str, m: Measure) -> dict:
    return {
        "job": job,
        "input size": size,
        "wall s": f"{m.seconds:.1f}",
        "CPU s": f"{m.cpu_seconds:.1f}",
        "peak MiB": f"{m.peak_mib:.0f}",
    }


def _record(m: Measure) -> dict:
    return {"wall_s": m.seconds, "cpu_s": m.cpu_seconds, "peak_mib": m.peak_mib, "result": m.result}


# --- 1. motif binning ------------------------------------------------------------------------


def site_file(length: int) -> Path:
    """The synthetic site file of ``length`` bp (made once, atomically, then cached)."""
    from benchmarks.bench_motifs import make_sites

    path = OUT / "motifs" / f"sites_{length}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.parquet")
        t0 = time.perf_counter()
        n = make_sites(str(tmp), length, seed=2)
        os.replace(tmp, path)
        _log(
            f"made {n:,} sites on {length:,} bp in {time.perf_counter() - t0:.0f} s "
            f"({path.stat().st_size / 2**30:.1f} GiB)"
        )
    return path


def islands_bed(length: int) -> Path:
    """The real hg38 chr1 CpG islands inside ``[0, length)`` as BED (read in the job)."""
    path = OUT / "motifs" / f"cpg_{length}.bed"
    if not path.exists():
        rows = []
        if ISLANDS.exists():
            with gzip.open(ISLANDS, "rt") as handle:
                for line in handle:
                    f = line.split("\t")
                    if f[0] == CHROM and int(f[2]) <= length:
                        rows.append(f"{CHROM}\t{int(f[1])}\t{int(f[2])}\n")
        else:  # ~10 islands per Mbp of ~800 bp, as on hg38 chr1
            rng = np.random.default_rng(5)
            starts = np.sort(rng.integers(0, length - 5000, max(1, length // 100_000)))
            rows = [f"{CHROM}\t{s}\t{s + int(rng.integers(300, 1500))}\n" for s in starts]
        path.write_text("".join(rows))
    return path


def run_motif_bin(
    sites: str, length: int, islands: str, out_dir: str, binning: dict, compress: bool
) -> dict:
    """motifs_bin.py: read the chromosome's CpG islands, bin, write bins/features/stats."""
    _quiet()
    from genovocab.motifs.steps import BinParams, bin_chromosome, read_cpg_islands

    isl = read_cpg_islands(islands, CHROM)
    stats = bin_chromosome(
        sites,
        CHROM,
        length,
        out_bins=os.path.join(out_dir, f"{CHROM}.bins.npy"),
        out_features=os.path.join(out_dir, f"{CHROM}.features.npz"),
        out_stats=os.path.join(out_dir, f"{CHROM}.stats.json"),
        params=BinParams(
            float(binning["sigma"]),
            float(binning["peak_width"]),
            int(binning["max_bin"]),
            int(binning["trim_step"]),
            int(binning["chunk_sites"]),
        ),
        cpg="islands",
        islands=isl,
        compress=compress,
    )
    return {k: int(stats[k]) for k in ("sites", "bins", "nnz", "peaks")} | {"islands": len(isl[0])}


def bench_motifs(length: int, cfg: dict) -> tuple[list[dict], dict]:
    sites = site_file(length)
    islands = islands_bed(length)
    out_dir = OUT / "motifs" / f"bins_{length}"
    out_dir.mkdir(parents=True, exist_ok=True)
    mcfg = cfg["motifs"]
    _log(f"motifs: binning {length:,} bp")
    m = measure(
        run_motif_bin,
        str(sites),
        length,
        str(islands),
        str(out_dir),
        mcfg["binning"],
        bool(mcfg["compress"]),
    )
    r = m.result
    size = (
        f"{length / 1e6:.1f} Mbp, {r['sites'] / 1e6:,.0f} M sites -> {r['bins']:,} bins, "
        f"{r['nnz'] / 1e6:,.0f} M nnz"
    )
    files = {p.name: p.stat().st_size for p in out_dir.iterdir()}
    return [_row("motifs: bin_chromosome", size, m)], {"motifs": _record(m) | {"files": files}}


# --- 2. IDS partial block --------------------------------------------------------------------


def run_ids_partial(
    features: str,
    ids_cfg: dict,
    out: str,
    block: tuple[int, int] = (0, 1),
    bin_counts: dict | None = None,
) -> dict:
    """ids_partial.py: one block's partial sums in exact mode, or (``bin_counts`` given) chr1's
    share of ``ids.sample_size`` bins in sample mode; saved."""
    _quiet()
    from genovocab.motifs.ids import chromosome_partial

    acc, rows = chromosome_partial(
        features,
        CHROM,
        terms=int(ids_cfg["terms"]),
        bandwidth=float(ids_cfg["bandwidth"]),
        sample_size=None if bin_counts is None else int(ids_cfg["sample_size"]),
        bin_counts=bin_counts,
        seed=int(ids_cfg["seed"]),
        backend=str(ids_cfg["backend"]),
        block=block,
    )
    acc.save(out)
    return {"rows": int(rows), "d": int(acc.d)}


def run_stream(features: str) -> dict:
    """The read part of every IDS job: stream the whole matrix as chromosome_partial does
    (it reads the file to its end whatever the block)."""
    from genovocab.motifs.ids import iter_csr_npz

    rows = nnz = 0
    for _, chunk in iter_csr_npz(features, rows=1 << 18):
        rows += chunk.shape[0]
        nnz += chunk.nnz
    return {"rows": rows, "nnz": nnz}


def ids_extrapolation(
    part: float,
    stream: float,
    part_bp: float,
    chrom_bp: float,
    block_bp: int,
    sizes: dict[str, int] = HG38_SIZES,
) -> dict:
    """Seconds of one full block (of the measured chromosome) and of all hg38 blocks, from
    one measured (sub-)block.

    ``part``: the measured job on ``part_bp`` of a ``chrom_bp`` chromosome; ``stream``: reading
    that chromosome's whole matrix. Every job reads its chromosome's whole file (``stream``,
    in proportion to the chromosome's bp) and computes on its block's bins (``part - stream``,
    in proportion to the block's bp).
    """
    compute_per_bp = max(part - stream, 0.0) / part_bp
    read_per_bp = stream / chrom_bp
    n_blocks = {c: max(1, -(-n // block_bp)) for c, n in sizes.items()}
    own_blocks = max(1, -(-int(chrom_bp) // block_bp))
    block = compute_per_bp * chrom_bp / own_blocks + read_per_bp * chrom_bp
    total = compute_per_bp * sum(sizes.values()) + read_per_bp * sum(
        n_blocks[c] * sizes[c] for c in sizes
    )
    return {"block": block, "hg38": total, "jobs": sum(n_blocks.values())}


def bench_ids(length: int, cfg: dict, sub_blocks: int) -> tuple[list[dict], dict]:
    from genovocab.motifs.ids import block_rows, chromosome_blocks, npz_rows

    # exact mode whatever ids.mode: a sampled bin costs what a bin of the block costs, so
    # this measures both (bench_scale.direct_runs scales it to ids.sample_size)
    ids_cfg = cfg["ids"]
    features = OUT / "motifs" / f"bins_{length}" / f"{CHROM}.features.npz"
    if not features.exists():
        raise SystemExit(f"{features} is missing: run --jobs motifs first (same --fraction)")
    block_bp = int(ids_cfg["block_bp"])
    nblocks = chromosome_blocks(length, block_bp)
    n_rows = npz_rows(features)
    block = (0, nblocks * sub_blocks)  # sub_blocks > 1: the first 1/sub_blocks of block 0
    lo, hi = block_rows(n_rows, *block)
    bp = length / (nblocks * sub_blocks)
    _log(
        f"ids: block 0 of {nblocks} of {n_rows:,} bins"
        + (f", its first 1/{sub_blocks}" if sub_blocks > 1 else "")
        + f": {hi - lo:,} bins"
    )
    out = OUT / "ids" / f"{CHROM}.{length}.0-of-{nblocks * sub_blocks}.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    m = measure(run_ids_partial, str(features), ids_cfg, str(out), block)
    read = measure(run_stream, str(features))
    rows_used, d = m.result["rows"], m.result["d"]
    label = "ids: chromosome_partial" + (
        f" (1/{sub_blocks} of block 0 of {nblocks})"
        if sub_blocks > 1
        else f" (block 0 of {nblocks})"
    )
    size = f"{rows_used:,} bins x {d} features ({bp / 1e6:.2f} Mbp of chr1)"
    rows = [
        _row(label, size, m),
        _row(
            "ids: iter_csr_npz, whole matrix (read part of every block's job)",
            f"{read.result['rows']:,} bins, {read.result['nnz'] / 1e6:,.0f} M nnz, "
            f"{features.stat().st_size / 2**20:,.0f} MiB npz",
            read,
        ),
    ]
    wall = ids_extrapolation(m.seconds, read.seconds, bp, length, block_bp)
    cpu = ids_extrapolation(m.cpu_seconds, read.cpu_seconds, bp, length, block_bp)
    total_bp = sum(HG38_SIZES.values())
    if sub_blocks > 1:
        rows.append(
            {
                "job": f"ids: block 0 of {nblocks} (EXTRAPOLATED: read + {sub_blocks} x compute)",
                "input size": f"~{n_rows // nblocks:,} bins ({length / nblocks / 1e6:.1f} Mbp)",
                "wall s": f"~{wall['block']:,.0f}",
                "CPU s": f"~{cpu['block']:,.0f}",
                "peak MiB": f"~{m.peak_mib:.0f}",
            }
        )
    rows.append(
        {
            "job": f"ids: all {wall['jobs']} hg38 blocks (EXTRAPOLATED by bp)",
            "input size": f"{total_bp / 1e9:.2f} Gbp, ~{rows_used * total_bp / bp / 1e6:,.0f}"
            " M bins",
            "wall s": f"~{wall['hg38']:,.0f} ({wall['hg38'] / 3600:,.1f} h)",
            "CPU s": f"~{cpu['hg38']:,.0f} ({cpu['hg38'] / 3600:,.1f} h)",
            "peak MiB": f"~{m.peak_mib:.0f} per job",
        }
    )
    return rows, {
        "ids": _record(m)
        | {
            "block": list(block),
            "block_bp": bp,
            "n_rows": n_rows,
            "read_whole_matrix": _record(read),
            "extrapolated_wall_s": wall,
            "extrapolated_cpu_s": cpu,
        }
    }


def run_ids_sum(partials: list[str], out: str) -> dict:
    """ids_chrom_sum.py: one chromosome's partials summed and saved."""
    _quiet()
    from genovocab.motifs.ids import reduce_partials

    total = reduce_partials(partials)
    total.save(out)
    return {"bins": int(total.n)}


def run_ids_reduce(sums: list[str], norm: str, out: str) -> dict:
    """ids_reduce.py: every chromosome's sums -> the IDS matrix."""
    _quiet()
    from genovocab.motifs.ids import reduce_partials, write_ids

    total = reduce_partials(sums)
    write_ids(out, total.result(norm))
    return {"d": int(total.d), "bins": int(total.n)}


def run_ids_cluster(ids: str, features: str, folder: str, ids_cfg: dict) -> dict:
    """ids_cluster.py: clusters, summary and heatmap of the IDS matrix."""
    _quiet()
    from genovocab.motifs.clustering import cluster_files

    clustering = cluster_files(
        ids,
        features,
        clusters_out=os.path.join(folder, "clusters.tsv"),
        summary_out=os.path.join(folder, "cluster_summary.tsv"),
        heatmap_out=os.path.join(folder, "ids_heatmap.png"),
        threshold=ids_cfg["threshold"],
        n_clusters=ids_cfg["n_clusters"],
        method=str(ids_cfg["linkage"]),
    )
    return {"clusters": int(clustering.n_clusters)}


def hg38_bin_counts(chr1_bins: int, length: int) -> dict[str, int]:
    """Bins per hg38 chromosome at chr1's measured density (chr1's own count measured)."""
    counts = {c: int(round(chr1_bins * n / length)) for c, n in HG38_SIZES.items()}
    counts[CHROM] = chr1_bins
    return counts


def bench_ids_tail(length: int, cfg: dict) -> tuple[list[dict], dict]:
    """The IDS jobs of an hg38 run in sample mode, chr1's where they are per chromosome:
    chr1's sampled partial (its share of ``ids.sample_size`` over hg38's bins at chr1's
    density), chr1's sum, the genome-wide reduce of 24 chromosome sums (chr1's file 24
    times: the sums are the same size whatever the chromosome) and the clustering."""
    from genovocab.motifs.ids import npz_rows

    ids_cfg = cfg["ids"]
    features = OUT / "motifs" / f"bins_{length}" / f"{CHROM}.features.npz"
    if not features.exists():
        raise SystemExit(f"{features} is missing: run --jobs motifs first (same --fraction)")
    stage = synthetic_motif_stage(OUT / "motif_stage")
    out = OUT / "ids_sample" / str(length)
    out.mkdir(parents=True, exist_ok=True)
    counts = hg38_bin_counts(npz_rows(features), length)
    partial, chrom_sum, ids = out / "partial.npz", out / "sum.npz", out / "ids.npy"
    _log(f"ids tail: sampled partial of {CHROM}")
    part = measure(run_ids_partial, str(features), ids_cfg, str(partial), bin_counts=counts)
    _log("ids tail: chromosome sum")
    summed = measure(run_ids_sum, [str(partial)], str(chrom_sum))
    _log("ids tail: reduce of 24 chromosome sums")
    reduced = measure(
        run_ids_reduce, [str(chrom_sum)] * len(HG38_SIZES), str(ids_cfg["norm"]), str(ids)
    )
    _log("ids tail: clustering")
    clustered = measure(run_ids_cluster, str(ids), str(stage / "features.tsv"), str(out), ids_cfg)
    sample = int(ids_cfg["sample_size"])
    rows = [
        _row(
            "ids (sample mode): chromosome_partial of chr1",
            f"{part.result['rows']:,} sampled bins (chr1's share of {sample:,}) x "
            f"{part.result['d']} features",
            part,
        ),
        _row("ids: chromosome sum (one partial)", f"{summed.result['bins']:,} bins", summed),
        _row(
            f"ids: reduce of {len(HG38_SIZES)} chromosome sums",
            f"{reduced.result['d']} features, {partial.stat().st_size / 2**20:,.0f} MiB a file",
            reduced,
        ),
        _row("ids: cluster + heatmap", f"{clustered.result['clusters']:,} clusters", clustered),
    ]
    return rows, {
        "ids_tail": {
            "partial": _record(part),
            "chrom_sum": _record(summed),
            "reduce": _record(reduced),
            "cluster": _record(clustered),
        }
    }


def run_prepare_genome(fasta_gz: str, out_dir: str, regex: str) -> dict:
    """prepare_genome.py: the selected chromosomes, their sizes and gaps."""
    _quiet()
    from genovocab.genome import prepare_genome

    shutil.rmtree(out_dir, ignore_errors=True)
    prepared = prepare_genome(fasta_gz, out_dir, chromosome_regex=regex)
    return {"bp": int(sum(prepared.sizes.values()))}


def bench_genome(length: int, cfg: dict) -> tuple[list[dict], dict]:
    """prepare_genome on the synthetic chr1 FASTA (job 4's), gzipped as UCSC ships hg38.fa.gz;
    the job is linear in the bp, so hg38 is ~12.4 x this."""
    fasta = make_fasta(length)
    gz = fasta.with_suffix(".fa.gz")
    if not gz.exists():
        tmp = gz.with_suffix(".tmp")
        with open(fasta, "rb") as src, gzip.open(tmp, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
        os.replace(tmp, gz)
    regex = cfg.get("genome_prep", {}).get("chromosome_regex") or r"^chr[0-9XY]+$"
    _log(f"genome: prepare_genome of {gz.name}")
    m = measure(run_prepare_genome, str(gz), str(OUT / "genome" / str(length)), regex)
    size = f"{m.result['bp'] / 1e6:,.1f} Mbp ({gz.stat().st_size / 2**20:,.0f} MiB gzip)"
    return [_row("genome: prepare_genome", size, m)], {"genome": _record(m)}


# --- 3. universe -----------------------------------------------------------------------------


def make_peak_files(
    folder: Path, length: int, n_files: int = N_PEAK_FILES, seed: int = 7
) -> list[Path]:
    """``n_files`` gzip narrowPeak-like files of one chromosome: peaks around shared sites
    (prevalence skewed: many rare sites, some in most files) plus 15 % noise; cached."""
    paths = [folder / f"sample{i:03d}.narrowPeak.gz" for i in range(n_files)]
    if all(p.exists() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    scale = length / CHR1_BP
    n_sites = max(100, int(150_000 * scale))
    centers = np.sort(rng.integers(2_000, length - 2_000, n_sites))
    half = rng.integers(75, 300, n_sites)
    prevalence = rng.beta(0.3, 12.0, n_sites)  # mean ~0.025: most sites in few files
    for path in paths:
        target = rng.integers(2_500, 5_001) * scale
        p = np.minimum(1.0, prevalence * (0.85 * target / prevalence.sum()))
        take = np.flatnonzero(rng.random(n_sites) < p)
        jitter = rng.normal(0, 30, (2, take.size)).astype(np.int64)
        s = centers[take] - half[take] + jitter[0]
        e = centers[take] + half[take] + jitter[1]
        n_noise = int(0.15 * take.size)
        ns = rng.integers(0, length - 1_500, n_noise)
        s, e = np.r_[s, ns], np.r_[e, ns + rng.integers(150, 1_200, n_noise)]
        s, e = np.clip(s, 0, length - 1), np.clip(e, 1, length)
        keep = e > s
        s, e = s[keep], e[keep]
        order = np.argsort(s, kind="stable")
        s, e = s[order], e[order]
        k = s.size
        signal = rng.gamma(2.0, 5.0, k)
        pval = rng.uniform(2, 50, k)
        summit = ((e - s) * rng.uniform(0.3, 0.7, k)).astype(np.int64)
        lines = [
            f"{CHROM}\t{a}\t{b}\tpeak{i}\t{min(1000, int(10 * q))}\t.\t{g:.5f}\t{q:.5f}\t"
            f"{q * 0.8:.5f}\t{m}\n"
            for i, (a, b, g, q, m) in enumerate(
                zip(s.tolist(), e.tolist(), signal.tolist(), pval.tolist(), summit.tolist())
            )
        ]
        with gzip.open(path, "wt", compresslevel=6) as handle:
            handle.write("".join(lines))
    return paths


def make_ccre_table(path: Path, length: int, seed: int = 11) -> int:
    """A cCRE-like chr1 registry slice as a universe table (the ``ccre`` method's universe)."""
    import pandas as pd

    from genovocab.universe.files import write_universe_table

    rng = np.random.default_rng(seed)
    n = max(10, int(CCRE_ROWS * CHR1_SHARE * length / CHR1_BP))
    starts = np.sort(rng.choice(length // 400, n, replace=False)) * 400
    ends = starts + rng.integers(150, 351, n)
    frame = pd.DataFrame(
        {"chrom": np.full(n, CHROM, dtype=object), "start": starts, "end": np.minimum(ends, length)}
    )
    write_universe_table(path, frame, [CHROM])
    return n


def run_universe_peaks(paths: list[str], length: int, out: str) -> dict:
    """universe_peaks.py: read the files once into one array file."""
    _quiet()
    from genovocab.universe.inputs import read_peak_files

    peaks = read_peak_files(paths, {CHROM: length})
    peaks.names = [os.path.basename(p) for p in paths]
    peaks.save(out)
    return {"peaks": int(len(peaks.starts)), "files": len(paths)}


def run_universe_chrom(peaks_npz: str, method: str, ucfg: dict, out: str) -> dict:
    """universe_chrom.py: coverage of the chromosome and the method's regions."""
    _quiet()
    from genovocab.tables import write_tsv
    from genovocab.universe.build import build_chromosome
    from genovocab.universe.inputs import PeakSet

    peaks = PeakSet.load(peaks_npz)
    table = build_chromosome(
        peaks,
        CHROM,
        method,
        cutoff=ucfg["cutoff"],
        window=int(ucfg["window"]),
        merge=int(ucfg["merge"]),
        filter_size=int(ucfg["filter_size"]),
        hmm_normalize=bool(ucfg["hmm_normalize"]),
    )
    write_tsv(out, table)
    return {"regions": int(len(table))}


def run_universe_assess(table: str, peaks_npz: str, window: int, out: str) -> dict:
    """universe_assess.py: the universe against every file."""
    _quiet()
    from genovocab.tables import write_tsv
    from genovocab.universe.assess import assess_universe
    from genovocab.universe.files import read_universe_table
    from genovocab.universe.inputs import PeakSet

    peaks = PeakSet.load(peaks_npz)
    universe = read_universe_table(table)
    result = assess_universe(universe, peaks, window=window)
    write_tsv(out, result)
    return {"regions": int(len(universe)), "files": int(len(result) - 1)}


def bench_universe(length: int, cfg: dict) -> tuple[list[dict], dict]:
    ucfg = cfg["universe"]
    methods = [ucfg["method"]] + [m for m in ucfg["compare_methods"] if m != ucfg["method"]]
    work = OUT / "universe" / str(length)
    t0 = time.perf_counter()
    paths = make_peak_files(work / "samples", length)
    _log(f"universe: {len(paths)} peak files ready in {time.perf_counter() - t0:.0f} s")
    rows, record = [], {}
    peaks_npz = work / "peaks.npz"
    m = measure(run_universe_peaks, [str(p) for p in paths], length, str(peaks_npz))
    n_peaks = m.result["peaks"]
    rows.append(
        _row(
            "universe: read_peak_files + save",
            f"{len(paths)} files, {n_peaks:,} peaks ({n_peaks / len(paths):,.0f}/file)",
            m,
        )
    )
    record["universe_peaks"] = _record(m)
    window = int(ucfg["window"])
    for method in methods:
        table = work / f"{method}.tsv"
        if method == "ccre":  # the registry is the universe (universe_ccre.py, not per chrom)
            n = make_ccre_table(table, length)
            _log(f"universe: ccre-like table of {n:,} regions (not timed)")
        else:
            m = measure(run_universe_chrom, str(peaks_npz), method, ucfg, str(table))
            rows.append(
                _row(
                    f"universe: build_chromosome {method}",
                    f"{n_peaks:,} peaks, {length / 1e6:.1f} Mbp -> {m.result['regions']:,} regions",
                    m,
                )
            )
            record[f"universe_chrom_{method}"] = _record(m)
        m = measure(
            run_universe_assess,
            str(table),
            str(peaks_npz),
            window,
            str(work / f"{method}.assessment.tsv"),
        )
        rows.append(
            _row(
                f"universe: assess_universe {method}",
                f"{m.result['regions']:,} regions x {m.result['files']} files",
                m,
            )
        )
        record[f"universe_assess_{method}"] = _record(m)
        _log(" | ".join(rows[-1].values()))
    return rows, record


# --- 4. BPE ----------------------------------------------------------------------------------


def gap_layout(length: int, seed: int = 3) -> list[tuple[int, int]]:
    """N runs roughly as on hg38 chr1: 10 kbp at both ends, a centromere-like block of ~7 %
    of the length near 49 %, and ~40 small gaps of 1-100 kbp; sorted, disjoint."""
    rng = np.random.default_rng(seed)
    edge = min(10_000, length // 100)
    gaps = [(0, edge), (length - edge, length)]
    c0 = int(length * 0.49)
    gaps.append((c0, c0 + int(length * 0.07)))
    for pos in np.sort(rng.integers(edge, length - edge, 40)):
        gaps.append((int(pos), int(pos) + int(rng.integers(1_000, 100_000) * length / CHR1_BP)))
    gaps.sort()
    merged: list[tuple[int, int]] = []
    for s, e in gaps:
        e = min(e, length)
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


def make_fasta(length: int) -> Path:
    """A synthetic chr1 FASTA of ``length`` bp (Markov text from bench_ggram + N gaps), indexed."""
    path = OUT / "sequence" / f"chr1_{length}.fa"
    if path.exists() and Path(str(path) + ".fai").exists():
        return path
    from benchmarks.bench_ggram import REAL as GGRAM_REAL
    from benchmarks.bench_ggram import real_windows, synthetic_windows

    if not GGRAM_REAL.exists():
        raise SystemExit(f"{GGRAM_REAL} is missing: the BPE text is fitted to it")
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    seq = bytearray(
        "".join(synthetic_windows(real_windows(), -(-length // 1000) * 1000, seed=1)).encode()[
            :length
        ]
    )
    for s, e in gap_layout(length):
        seq[s:e] = b"N" * (e - s)
    tmp = path.with_suffix(".tmp.fa")
    with open(tmp, "wb") as handle:
        handle.write(f">{CHROM}\n".encode())
        view = memoryview(seq)
        for i in range(0, length, 60):
            handle.write(view[i : i + 60])
            handle.write(b"\n")
    del seq
    os.replace(tmp, path)
    import pyfaidx

    pyfaidx.Fasta(str(path)).close()  # the workflow's genome.fa.fai exists before the job
    _log(f"made {path.name} in {time.perf_counter() - t0:.0f} s")
    return path


def run_windows(fasta: str, wcfg: dict, total_bp: int, out: str) -> dict:
    """sequence_windows.py (kind training): sampled gap-free windows, one per line."""
    _quiet()
    from genovocab.sequence.windows import iter_genome_windows, write_training_text

    windows = iter_genome_windows(
        fasta,
        [CHROM],
        window=int(wcfg["length"]),
        min_window=int(wcfg["min_length"]),
        total_bp=total_bp,
        seed=int(wcfg["seed"]),
    )
    n, n_windows, bp = write_training_text(
        out, windows, reverse_complements=bool(wcfg["reverse_complements"])
    )
    return {"lines": int(n), "windows": int(n_windows), "bp": int(bp)}


def run_bpe(text: str, bcfg: dict, out_dir: str) -> dict:
    """sequence_bpe.py: train the BPE and save the tokenizer folder."""
    _quiet()
    from genovocab.sequence import bpe

    kwargs = {"vocab_size": int(bcfg["vocab_size"]), "min_frequency": int(bcfg["min_frequency"])}
    if hasattr(bpe, "build_bpe_folder"):
        tok, _ = bpe.build_bpe_folder(
            [text], out_dir, model_max_length=int(bcfg["model_max_length"]), **kwargs
        )
    else:
        tok = bpe.train_bpe([text], **kwargs)
        bpe.save_tokenizer_folder(tok, out_dir, model_max_length=int(bcfg["model_max_length"]))
    return {
        "vocab": int(tok.get_vocab_size()),
        "threads": os.environ.get("RAYON_NUM_THREADS", str(os.cpu_count())),
    }


def bench_bpe(length: int, fraction: float, cfg: dict) -> tuple[list[dict], dict]:
    seq = cfg["sequence"]
    fasta = make_fasta(length)
    total_bp = int(float(seq["windows"]["total_bp"]) * fraction)
    work = OUT / "sequence" / str(length)
    work.mkdir(parents=True, exist_ok=True)
    text = work / "windows_training.txt"
    m = measure(run_windows, str(fasta), seq["windows"], total_bp, str(text))
    r = m.result
    rows = [
        _row(
            "bpe: iter_genome_windows + write_training_text",
            f"{length / 1e6:.1f} Mbp FASTA -> {r['windows']:,} windows, {r['bp'] / 1e6:.1f} Mbp",
            m,
        )
    ]
    record = {"windows": _record(m)}
    folder = work / "bpe"
    if folder.exists():
        shutil.rmtree(folder)
    m = measure(run_bpe, str(text), seq["bpe"], str(folder))
    rows.append(
        _row(
            "bpe: train BPE (build_bpe_folder)",
            f"{r['bp'] / 1e6:.1f} Mbp text, vocab {m.result['vocab']}, {os.cpu_count()} cores",
            m,
        )
    )
    record["bpe"] = _record(m) | {"cpu_per_wall": m.cpu_seconds / max(m.seconds, 1e-9)}
    return rows, record


# --- driver ----------------------------------------------------------------------------------

# --- 5. motif tokens after IDS --------------------------------------------------------------


def run_cluster_features(features: str, clusters: str, prefix: str, patterns: str) -> dict:
    """motif_cluster_features.py: the bin x cluster arrays and the patterns, streamed."""
    from genovocab.motifs.token_files import chromosome_cluster_features

    _quiet()
    bins, n_patterns = chromosome_cluster_features(
        features, clusters, cluster_features_out=prefix, patterns_out=patterns, threshold=0.5
    )
    return {"bins": bins, "patterns": n_patterns}


def run_token_vocab(patterns: str, bins: str, out_dir: str) -> dict:
    """motif_token_vocab.py over this one chromosome (hg38 gathers 24 such files)."""
    from genovocab.motifs.token_files import token_vocab_files

    _quiet()
    out = Path(out_dir)
    summary = token_vocab_files(
        [patterns],
        [bins],
        vocab_out=out / "token_vocab.tsv",
        zipf_out=out / "zipf.json",
        plot_out=out / "zipf.png",
    )
    return {"tokens": summary["vocab_size"]}


def run_tokens(patterns: str, vocab: str, out: str, prefix: str) -> dict:
    """motif_tokens.py: every bin's token id (back-off) and what the tokens keep."""
    from genovocab.motifs.token_files import chromosome_tokens

    _quiet()
    return {
        "bins": int(
            chromosome_tokens(
                patterns,
                vocab,
                CHROM,
                tokens_out=out,
                stats_out=f"{out}.json",
                cluster_features=prefix,
            ).size
        )
    }


def run_motif_tokenizer(stage: dict, length: int, tokens_cfg: dict, out: str) -> dict:
    """motif_tokenizer.py with this one chromosome."""
    from genovocab.tokenizers.motif import MotifParams, write_tokenizer_folder

    _quiet()
    shutil.rmtree(out, ignore_errors=True)
    stats = write_tokenizer_folder(
        out,
        chroms=[CHROM],
        chrom_sizes={CHROM: length},
        bins=[stage["bins"]],
        cluster_features=[stage["prefix"]],
        tokens=[stage["tokens"]],
        token_vocab=stage["vocab"],
        features=stage["features"],
        ids=stage["ids"],
        clusters=stage["clusters"],
        cluster_summary=stage["cluster_summary"],
        pfms=stage["pfms"],
        params=MotifParams(
            cpg="islands",
            min_count=int(tokens_cfg.get("min_count", 5)),
            vocab_size=int(tokens_cfg.get("max_vocab") or tokens_cfg.get("vocab_size", 4096)),
        ),
        vocab_summary=stage["zipf"],
        token_stats=[f"{stage['tokens']}.json"],
        model_max_length=tokens_cfg.get("model_max_length"),
    )
    return {"vocab_size": stats["vocab_size"]}


def run_motif_corpus(tokenizer_dir: str, out: str, entry: dict) -> dict:
    """motif_corpus.py over this one chromosome (hg38's corpus spans 22 autosomes; its job
    works one chromosome at a time, so chr1 is its largest step)."""
    from genovocab.corpora.motif import build_motif_corpus, config_from_mapping

    _quiet()
    shutil.rmtree(out, ignore_errors=True)
    stats = build_motif_corpus(tokenizer_dir, out, config_from_mapping(entry, {}), plot=True)
    return {"rows": int(stats["splits"]["train"]["rows"]), "bytes": int(stats["bytes"])}


def synthetic_motif_stage(folder: Path) -> Path:
    """The clustering outputs the motif-token jobs read, for the synthetic site file's 841
    matrices (``bench_motifs.make_sites``): random JASPAR count matrices under the same ids,
    ``features.tsv`` (both strands and the CpG feature), an IDS matrix of zeros (independent
    uniform sites are not interdependent) and its clustering: every feature its own cluster,
    as a rehearsal's IDS gave, the worst case for the bin x cluster matrix. Made once."""
    from benchmarks.bench_motifs import N_FEATURES
    from genovocab.motifs.clustering import cluster_files
    from genovocab.motifs.features import write_feature_table
    from genovocab.motifs.sites import MatrixSet

    if (folder / "clusters.tsv").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(41)
    ids = tuple(f"MA{i:04d}.1" for i in range(N_FEATURES // 2))
    mset = MatrixSet(ids, tuple(f"TF{i}" for i in range(len(ids))))
    with open(folder / "pfms.jaspar", "w") as handle:
        for mid, name in zip(mset.ids, mset.names):
            counts = rng.multinomial(20, [0.25] * 4, size=int(rng.integers(6, 22))).T
            handle.write(f">{mid} {name}\n")
            for base, row in zip("ACGT", counts):
                handle.write(f"{base} [ " + " ".join(f"{v:3d}" for v in row) + " ]\n")
    write_feature_table(folder / "features.tsv", mset, "islands")
    d = N_FEATURES + 1
    np.save(folder / "ids.npy", np.zeros((d, d)))
    cluster_files(
        folder / "ids.npy",
        folder / "features.tsv",
        clusters_out=folder / "clusters.tsv",
        summary_out=folder / "cluster_summary.tsv",
    )
    return folder


def bench_tokens(length: int, cfg: dict, motif_stage: Path | None) -> tuple[list[dict], dict]:
    """The jobs after clustering, on the matrix of job 1: cluster features, the bounded
    vocabulary, token ids, the motif tokenizer folder and the motif corpus.

    ``motif_stage`` is a rehearsal's ``motifs/`` work folder; without one, a synthetic stage
    (:func:`synthetic_motif_stage`) with every feature its own cluster, as the rehearsal's
    IDS gave: the worst case for the bin x cluster matrix's size.
    """
    features = OUT / "motifs" / f"bins_{length}" / f"{CHROM}.features.npz"
    bins = OUT / "motifs" / f"bins_{length}" / f"{CHROM}.bins.npy"
    if not features.exists():
        raise SystemExit(f"{features} is missing: run --jobs motifs first (same --fraction)")
    if motif_stage is None:
        motif_stage = synthetic_motif_stage(OUT / "motif_stage")
        pfms = motif_stage / "pfms.jaspar"
    else:
        pfms = motif_stage.parents[2] / "scale-inputs" / "pfms.jaspar"
    needed = {
        name: motif_stage / name
        for name in ("clusters.tsv", "features.tsv", "ids.npy", "cluster_summary.tsv")
    }
    missing = [str(p) for p in [*needed.values(), pfms] if not p.exists()]
    if missing:
        raise SystemExit(
            f"motif stage files missing ({', '.join(missing)}): run "
            "bench_scale.py --keep first, or give --motif-stage"
        )
    out = OUT / "tokens" / str(length)
    out.mkdir(parents=True, exist_ok=True)
    stage = {
        "bins": str(bins),
        "prefix": str(out / CHROM),
        "patterns": str(out / "patterns.npz"),
        "vocab": str(out / "token_vocab.tsv"),
        "zipf": str(out / "zipf.json"),
        "tokens": str(out / f"{CHROM}.tokens.npy"),
        "features": str(needed["features.tsv"]),
        "ids": str(needed["ids.npy"]),
        "clusters": str(needed["clusters.tsv"]),
        "cluster_summary": str(needed["cluster_summary.tsv"]),
        "pfms": str(pfms),
    }
    _log(f"tokens: cluster features of {features.name}")
    cf = measure(
        run_cluster_features, str(features), stage["clusters"], stage["prefix"], stage["patterns"]
    )
    nnz = (out / f"{CHROM}.indices.npy").stat().st_size // 4
    _log("tokens: token vocabulary")
    vocab = measure(run_token_vocab, stage["patterns"], str(bins), str(out))
    _log("tokens: token ids")
    tokens = measure(
        run_tokens, stage["patterns"], stage["vocab"], stage["tokens"], stage["prefix"]
    )
    _log("tokens: motif tokenizer folder")
    tok = measure(
        run_motif_tokenizer,
        stage,
        length,
        cfg["motifs"].get("tokens") or {},
        str(out / "tokenizer"),
    )
    _log("tokens: motif corpus")
    entry = dict(cfg["motifs"]["corpus"], splits={"validation": [], "test": []})
    corpus = measure(run_motif_corpus, str(out / "tokenizer"), str(out / "corpus"), entry)
    bins_n, n_pat = cf.result["bins"], cf.result["patterns"]
    rows = [
        _row(
            "tokens: chromosome_cluster_features",
            f"{bins_n:,} bins -> {nnz / 1e6:,.0f} M nnz, {n_pat:,} distinct patterns",
            cf,
        ),
        _row("tokens: token_vocab_files (this chromosome)", f"{n_pat:,} patterns", vocab),
        _row("tokens: chromosome_tokens", f"{bins_n:,} bins", tokens),
        _row(
            "tokens: write_tokenizer_folder (this chromosome)",
            f"{tok.result['vocab_size']:,} ids ({n_pat:,} patterns)",
            tok,
        ),
        _row(
            f"tokens: build_motif_corpus ({entry.get('layout', 'reference')} layout)",
            f"{corpus.result['rows']:,} fragments of {entry['fragment_bins']} bins, "
            f"{corpus.result['bytes'] / 2**20:,.0f} MiB of shards",
            corpus,
        ),
    ]
    return rows, {
        "tokens": {
            "cluster_features": _record(cf),
            "token_vocab": _record(vocab),
            "tokens": _record(tokens),
            "motif_tokenizer": _record(tok),
            "motif_corpus": _record(corpus),
            "nnz": nnz,
        }
    }


# --- 6. one genome-wide TFBS track ---------------------------------------------------------


def run_track_split(track: str, pfms: str, out_dir: str) -> dict:
    """motifs_tracks.py without the download: one track split into per-chromosome site files."""
    from genovocab.motifs.steps import load_matrix_set, tracks_to_site_files

    _quiet()
    _, mset = load_matrix_set(pfms, [])
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    counts = tracks_to_site_files([track], mset, dict(HG38_SIZES), out_dir, min_score=800)
    return {"sites": sum(counts.values())}


def bench_tracks(cfg: dict) -> tuple[list[dict], dict]:
    """One matrix's hg38 track at full size (whatever ``--fraction``): a ``motifs_tracks_batch``
    job holds ``841 / tracks_batches`` of them, and the rule's hg38 CPU is 841 x this."""
    from benchmarks.bench_scale import write_matrices, write_tracks

    folder = OUT / "tracks"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    matrices = write_matrices(folder / "pfms.jaspar", rng)
    track = folder / f"{matrices[0][0]}.tsv.gz"
    if not track.exists():
        _log(f"tracks: writing {track.name} at hg38 size")
        write_tracks(folder, matrices[:1], dict(HG38_SIZES), rng)
    m = measure(run_track_split, str(track), str(folder / "pfms.jaspar"), str(folder / "split"))
    batches = int(cfg["motifs"]["sites"].get("tracks_batches", 200))
    size = (
        f"{m.result['sites'] / 1e6:,.1f} M sites, "
        f"{track.stat().st_size / 2**20:,.0f} MiB gzip (one of {len(matrices)} tracks; "
        f"{len(matrices) / batches:.1f} per batch job)"
    )
    row = _row("tracks: tracks_to_site_files, one hg38 track", size, m)
    return [row], {"tracks": _record(m) | {"hg38_cpu_s": m.cpu_seconds * len(matrices)}}


# --- 7. merge of one chromosome's track batches -------------------------------------------


def batch_site_files(length: int, batches: int, seed: int = 5) -> list[Path]:
    """``batches`` site files of chr1 (cached): batch b holds the sites of its share of the
    1,682 (matrix, strand) features at hg38 density (4 site starts per bp over all features)."""
    from benchmarks.bench_motifs import DENSITY, N_FEATURES
    from genovocab.motifs.sites import MatrixSet, Sites, write_site_file

    ids = tuple(f"MA{i:04d}.1" for i in range(N_FEATURES // 2))
    mset = MatrixSet(ids, tuple(f"TF{i}" for i in range(len(ids))))
    folder = OUT / "merge" / f"batches_{length}_{batches}"
    paths = [folder / f"{b:03d}" / f"{CHROM}.parquet" for b in range(batches)]
    rng = np.random.default_rng(seed)
    window = 1 << 20
    for b, path in enumerate(paths):
        if path.exists():
            continue
        lo_f, hi_f = b * N_FEATURES // batches, (b + 1) * N_FEATURES // batches
        share = (hi_f - lo_f) / N_FEATURES

        def chunks(lo_f=lo_f, hi_f=hi_f, share=share):
            for w0 in range(0, length, window):
                w1 = min(length, w0 + window)
                n = rng.poisson(DENSITY * share * (w1 - w0))
                lengths = rng.integers(6, 22, n)
                starts = rng.integers(w0, w1, n)
                keep = starts + lengths <= length
                starts, lengths = starts[keep], lengths[keep]
                k = starts.size
                yield Sites(
                    starts,
                    lengths,
                    rng.integers(lo_f, hi_f, k),
                    rng.integers(800, 1000, k),
                    np.full(k, 400, np.int64),
                ).sorted()

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.parquet")
        write_site_file(tmp, chunks(), mset, CHROM, length)
        os.replace(tmp, path)
    return paths


def run_merge(parts: list[str], out: str) -> dict:
    """motifs_merge.py: one chromosome's batch site files merged into its site file."""
    from genovocab.motifs.steps import merge_site_files

    _quiet()
    return {"sites": merge_site_files(parts, out)}


def bench_merge(length: int, cfg: dict, batches: int | None = None) -> tuple[list[dict], dict]:
    """The merge of ``batches`` (default ``motifs.sites.tracks_batches``) batch files. Fewer
    batches at a small fraction give batch files as long as chr1's (each input then holds one
    whole row group, as at full size) without writing chr1's ~1e9 sites."""
    batches = batches or int(cfg["motifs"]["sites"].get("tracks_batches", 200))
    t0 = time.perf_counter()
    parts = batch_site_files(length, batches)
    _log(f"merge: {batches} batch files of {length:,} bp ready in {time.perf_counter() - t0:.0f} s")
    out = OUT / "merge" / f"merged_{length}.parquet"
    m = measure(run_merge, [str(p) for p in parts], str(out))
    size = (
        f"{length / 1e6:.1f} Mbp, {batches} batch files -> "
        f"{m.result['sites'] / 1e6:,.1f} M sites, {out.stat().st_size / 2**20:,.0f} MiB"
    )
    out.unlink()
    key = (
        "merge"
        if batches == int(cfg["motifs"]["sites"].get("tracks_batches", 200))
        else f"merge_{batches}"
    )
    return (
        [_row(f"merge: merge_site_files, one chromosome, {batches} batches", size, m)],
        {key: _record(m) | {"batches": batches, "sites": m.result["sites"]}},
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", default=",".join(JOBS), help=f"comma list of {', '.join(JOBS)}")
    ap.add_argument(
        "--fraction",
        type=float,
        default=1.0,
        help="scale chr1's 249,250,621 bp (and the BPE sample) by this",
    )
    ap.add_argument(
        "--motif-stage",
        type=Path,
        default=MOTIF_STAGE if MOTIF_STAGE.exists() else None,
        help="a rehearsal's motifs/ work folder (clusters, features, IDS) for tokens "
        "(default: the 0.001 rehearsal's where it exists, else a synthetic one)",
    )
    ap.add_argument(
        "--merge-batches",
        type=int,
        default=None,
        help="merge: this many batch files instead of motifs.sites.tracks_batches",
    )
    ap.add_argument(
        "--ids-sub-blocks",
        type=int,
        default=1,
        help="time only the first 1/K of the IDS block and scale by K",
    )
    args = ap.parse_args()
    jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    unknown = sorted(set(jobs) - set(JOBS))
    if unknown or not 0 < args.fraction <= 1 or args.ids_sub_blocks < 1:
        ap.error(
            f"bad --jobs {unknown}"
            if unknown
            else "--fraction must be in (0, 1], --ids-sub-blocks >= 1"
        )
    length = int(round(CHR1_BP * args.fraction))
    cfg = load_config()
    OUT.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(OUT).free / 2**30
    _log(
        f"chr1 at fraction {args.fraction:g}: {length:,} bp; jobs {', '.join(jobs)}; "
        f"{os.cpu_count()} cores; {free:.0f} GiB free under {OUT}"
    )
    rows: list[dict] = []
    record: dict = {"fraction": args.fraction, "length": length, "cpus": os.cpu_count()}
    t0 = time.perf_counter()
    for job in JOBS:
        if job not in jobs:
            continue
        if job == "motifs":
            new_rows, new = bench_motifs(length, cfg)
        elif job == "ids":
            new_rows, new = bench_ids(length, cfg, args.ids_sub_blocks)
        elif job == "universe":
            new_rows, new = bench_universe(length, cfg)
        elif job == "bpe":
            new_rows, new = bench_bpe(length, args.fraction, cfg)
        elif job == "tokens":
            new_rows, new = bench_tokens(length, cfg, args.motif_stage)
        elif job == "merge":
            new_rows, new = bench_merge(length, cfg, args.merge_batches)
        elif job == "idstail":
            new_rows, new = bench_ids_tail(length, cfg)
        elif job == "genome":
            new_rows, new = bench_genome(length, cfg)
        else:
            new_rows, new = bench_tracks(cfg)
        rows += new_rows
        record.update(new)
        _log(f"{job} done:\n" + report(new_rows, COLUMNS))
    results = OUT / "results.json"
    previous = json.loads(results.read_text()) if results.exists() else {}
    key = f"fraction={args.fraction:g}"
    previous.setdefault(key, {}).update(record)
    previous[key].setdefault("rows", [])
    done = {r["job"] for r in rows}
    previous[key]["rows"] = [r for r in previous[key]["rows"] if r["job"] not in done] + rows
    results.write_text(json.dumps(previous, indent=1, default=str) + "\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in COLUMNS) + " |")
    _log(f"total {time.perf_counter() - t0:.0f} s; results in {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
