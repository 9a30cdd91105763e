"""Universe construction, genovocab vs geniml 0.8.4, side by side in one run.

Inputs: 40 synthetic peak files over 2 chromosomes x 20 Mb (16k true sites with per-sample
prevalence, +-jittered boundaries, 15 % noise peaks), and the 8 real ChIP-Atlas samples of
``$GENOVOCAB_REAL_DATA/chipatlas_hg38_peaks`` (on chr19-chr22 by default; ``--real-all`` for
chr1-22, X: geniml then holds whole chromosomes in memory, several GB).

Each side is timed from the BED files to the universe, coverage included:

* ours: read the files, per chromosome coverage tracks + the method (one call);
* geniml: it has no coverage builder of its own (its documented pipeline runs ``uniwig`` from
  the gtars CLI, not installed here), so its coverage step is our coverage written to the three
  bigWigs it reads, timed separately and added; then ``geniml lh`` (for ``ml``) and
  ``build-universe <method>``. ``ml`` runs with numba and, in a process where numba is hidden,
  without.

Prints median time, ratio geniml/ours, peak RSS of each measured process, region counts and
whether the universes are identical. Run: ``.venv/bin/python benchmarks/bench_universe.py
[--quick] [--real-all]`` (``--quick``: 10 files over 2 x 4 Mb, no real data, no numba-less ml).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import measure, real_data_dir, report  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "universe"
REAL = real_data_dir()
FLEX = ("ccf", "ml", "hmm")


# --- inputs ----------------------------------------------------------------------------------


def make_synthetic(
    folder: Path, n_files: int, chrom_len: int, n_sites: int, seed: int = 42
) -> tuple[list[str], str]:
    """Deterministic synthetic collection: true sites shared by a site-specific fraction of the
    samples, boundaries jittered per sample, plus noise peaks."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    chroms = {"chr1": chrom_len, "chr2": chrom_len}
    sites = {}
    for c in chroms:
        centers = np.sort(
            rng.choice(np.arange(2000, chrom_len - 2000, 50), n_sites // 2, replace=False)
        )
        half = rng.integers(100, 500, len(centers))
        prevalence = rng.beta(2, 2, len(centers))
        sites[c] = (centers, half, prevalence)
    paths = []
    for f in range(n_files):
        lines = []
        for c, (centers, half, prevalence) in sites.items():
            take = rng.random(len(centers)) < prevalence
            s = centers[take] - half[take] + rng.normal(0, 30, take.sum()).astype(np.int64)
            e = centers[take] + half[take] + rng.normal(0, 30, take.sum()).astype(np.int64)
            n_noise = int(0.15 * take.sum())
            ns = rng.integers(0, chrom_len - 1500, n_noise)
            ne = ns + rng.integers(150, 1200, n_noise)
            s, e = np.r_[s, ns], np.r_[e, ne]
            s, e = np.clip(s, 0, chrom_len - 1), np.clip(e, 1, chrom_len)
            keep = e > s
            order = np.argsort(s[keep], kind="stable")
            for a, b in zip(s[keep][order], e[keep][order]):
                lines.append(f"{c}\t{a}\t{b}\n")
        path = folder / f"sample{f:02d}.bed"
        path.write_text("".join(lines))
        paths.append(str(path))
    sizes = folder / "chrom.sizes"
    sizes.write_text("".join(f"{c}\t{n}\n" for c, n in chroms.items()))
    return paths, str(sizes)


def real_inputs(all_chroms: bool) -> tuple[list[str], str] | None:
    files = sorted(glob.glob(str(REAL / "chipatlas_hg38_peaks" / "*.bed.gz")))
    sizes_src = REAL / "encode_atac_keratinocyte" / "hg38.chrom.sizes"
    if not files or not sizes_src.exists():
        return None
    keep = (
        [f"chr{i}" for i in range(1, 23)] + ["chrX"]
        if all_chroms
        else ["chr19", "chr20", "chr21", "chr22"]
    )
    sizes = dict(line.split("\t")[:2] for line in sizes_src.read_text().splitlines() if line)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / ("real_all.sizes" if all_chroms else "real.sizes")
    path.write_text("".join(f"{c}\t{sizes[c]}\n" for c in keep))
    return files, str(path)


# --- measured calls (module level: they run in fresh processes) ------------------------------


def _quiet() -> None:
    import logging

    logging.getLogger("genovocab").setLevel(logging.ERROR)


def ours(files: list[str], sizes_path: str, method: str, out: str) -> int:
    _quiet()
    from genovocab.io import read_chrom_sizes
    from genovocab.universe.build import build_universe
    from genovocab.universe.files import write_universe_bed3, write_universe_bed9
    from genovocab.universe.inputs import read_peak_files

    sizes = read_chrom_sizes(sizes_path)
    universe = build_universe(read_peak_files(files, sizes), method)
    (write_universe_bed9 if method in FLEX else write_universe_bed3)(out, universe, list(sizes))
    return len(universe)


def coverage_bigwigs(files: list[str], sizes_path: str, folder: str) -> int:
    """geniml's input: the three coverage bigWigs (what uniwig would write)."""
    _quiet()
    from genovocab.io import read_chrom_sizes
    from genovocab.universe.coverage import peakset_coverage, write_bigwigs
    from genovocab.universe.inputs import read_peak_files

    sizes = read_chrom_sizes(sizes_path)
    peaks = read_peak_files(files, sizes)
    write_bigwigs(
        os.path.join(folder, "all"), (peakset_coverage(peaks, c) for c in peaks.chroms), sizes
    )
    return len(peaks.starts)


def geniml_run(folder: str, method: str, n_files: int, out: str, numba: bool = True) -> int:
    if not numba:
        sys.modules["numba"] = None  # geniml's ml falls back to its pure-Python programme
    warnings.simplefilter("ignore")
    if os.path.exists(out):
        os.remove(out)  # geniml refuses to overwrite
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        if method == "cc":
            from geniml.universe.cc_universe import cc_universe

            cc_universe(folder, out)
        elif method == "ccf":
            from geniml.universe.ccf_universe import ccf_universe

            ccf_universe(folder, out)
        elif method == "ml":
            from geniml.likelihood.build_model import main as build_model
            from geniml.universe.ml_universe import ml_universe

            model = os.path.join(folder, "model.tar")
            if os.path.exists(model):
                os.remove(model)
            build_model(model, folder, "all", n_files)
            ml_universe(model, folder, "all", out)
        elif method == "hmm":
            from geniml.universe.hmm_universe import hmm_universe

            hmm_universe(folder, out)
    with open(out) as handle:
        return sum(1 for _ in handle)


# --- comparison ------------------------------------------------------------------------------


def same_regions(ours_path: str, geniml_path: str, flexible: bool) -> bool:
    def rows(path):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as handle:
            cols = (0, 1, 2, 6, 7) if flexible else (0, 1, 2)
            return sorted(
                tuple(line.rstrip("\n").split("\t")[i] for i in cols)
                for line in handle
                if line.strip()
            )

    return rows(ours_path) == rows(geniml_path)


def run_case(
    name: str, files: list[str], sizes: str, methods: list[str], repeats: int, no_numba: bool
) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix=f"bench_universe_{name}_", dir=OUT))
    cov = measure(coverage_bigwigs, files, sizes, str(work), repeats=repeats)
    rows = [
        {
            "input": name,
            "method": "coverage->bigWig",
            "geniml_s": f"{cov.seconds:.2f}",
            "geniml_MiB": f"{cov.peak_mib:.0f}",
        }
    ]
    for method in methods:
        ours_out = str(work / f"ours_{method}.bed")
        geniml_out = str(work / f"geniml_{method}.bed")
        o = measure(ours, files, sizes, method, ours_out, repeats=repeats)
        g = measure(geniml_run, str(work), method, len(files), geniml_out, repeats=repeats)
        total = cov.seconds + g.seconds
        rows.append(
            {
                "input": name,
                "method": method,
                "ours_s": f"{o.seconds:.2f}",
                "geniml_s": f"{total:.2f}",
                "ratio": f"{total / o.seconds:.1f}x",
                "ours_MiB": f"{o.peak_mib:.0f}",
                "geniml_MiB": f"{max(g.peak_mib, cov.peak_mib):.0f}",
                "regions": f"{o.result}/{g.result}",
                "identical": same_regions(ours_out, geniml_out, method in FLEX),
            }
        )
        if method == "ml" and no_numba:
            g2 = measure(geniml_run, str(work), method, len(files), geniml_out, numba=False)
            total2 = cov.seconds + g2.seconds
            rows.append(
                {
                    "input": name,
                    "method": "ml (geniml w/o numba)",
                    "ours_s": f"{o.seconds:.2f}",
                    "geniml_s": f"{total2:.2f}",
                    "ratio": f"{total2 / o.seconds:.1f}x",
                    "ours_MiB": f"{o.peak_mib:.0f}",
                    "geniml_MiB": f"{g2.peak_mib:.0f}",
                    "regions": f"{o.result}/{g2.result}",
                    "identical": same_regions(ours_out, geniml_out, True),
                }
            )
        progress(rows)
    shutil.rmtree(work, ignore_errors=True)
    return rows


def progress(rows: list[dict]) -> None:
    print("  ".join(f"{k}={v}" for k, v in rows[-1].items()), flush=True)


COLUMNS = [
    "input",
    "method",
    "ours_s",
    "geniml_s",
    "ratio",
    "ours_MiB",
    "geniml_MiB",
    "regions",
    "identical",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--real-all", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--methods", default="union,cc,ccf,ml,hmm")
    args = parser.parse_args()
    methods = args.methods.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    if args.quick:
        files, sizes = make_synthetic(OUT / "synthetic_quick", 10, 4_000_000, 3_200)
    else:
        files, sizes = make_synthetic(OUT / "synthetic", 40, 20_000_000, 16_000)
    geniml_methods = [m for m in methods if m != "union"]
    rows = []
    if "union" in methods:  # geniml has no union: compare with its cc at cutoff 1 is in tests
        o = measure(ours, files, sizes, "union", str(OUT / "union.bed"), repeats=args.repeats)
        rows.append(
            {
                "input": "synthetic",
                "method": "union",
                "ours_s": f"{o.seconds:.2f}",
                "ours_MiB": f"{o.peak_mib:.0f}",
                "regions": o.result,
            }
        )
        progress(rows)
    rows += run_case(
        "synthetic", files, sizes, geniml_methods, args.repeats, no_numba=not args.quick
    )
    if not args.quick:
        real = real_inputs(args.real_all)
        if real is None:
            print("real ChIP-Atlas data absent: skipped")
        else:
            rows += run_case("chipatlas", *real, geniml_methods, args.repeats, no_numba=False)
    print()
    print(report(rows, COLUMNS))


if __name__ == "__main__":
    main()
