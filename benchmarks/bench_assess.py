"""Universe assessment, genovocab vs geniml 0.8.4 (``geniml assess-universe``), same input.

Input: the 8 real ChIP-Atlas peak files genome-wide (chr1-22, X; under
``$GENOVOCAB_REAL_DATA``) and the cc universe genovocab builds from them. geniml gets what its
assessment reads: the files as BED, the universe BED, and its likelihood model (built from the
coverage bigWigs before timing). Measured, each in a fresh process: ours = ``assess_universe``
(F10, both median distances, RBS, hard likelihood); geniml = ``get_f_10_score`` +
``run_distance`` both ways + ``get_mean_rbs`` + ``get_likelihood`` (the same metrics). Prints
wall time, ratio geniml/ours and peak RSS, and checks that F10 and the likelihood agree.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import measure, real_data_dir, report  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "assess"
REAL = real_data_dir()


def _quiet() -> None:
    import logging

    logging.getLogger("genovocab").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")


def prepare(files: list[str], sizes: dict[str, int], folder: Path, method: str) -> int:
    """Universe BED, peaks as BED, coverage bigWigs and geniml's model.tar in ``folder``."""
    _quiet()
    import numpy as np
    import pandas as pd
    from geniml.likelihood.build_model import main as build_model

    from genovocab.universe.build import build_universe
    from genovocab.universe.coverage import peakset_coverage, write_bigwigs
    from genovocab.universe.files import write_universe_bed3
    from genovocab.universe.inputs import read_peak_files

    peaks = read_peak_files(files, sizes)
    write_bigwigs(folder / "all", (peakset_coverage(peaks, c) for c in peaks.chroms), sizes)
    build_model(str(folder / "model.tar"), str(folder), "all", len(files))
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    names = []
    for i in range(len(files)):
        sel = peaks.file == i
        pd.DataFrame(
            {
                "c": np.array(peaks.chroms)[peaks.chrom[sel]],
                "s": peaks.starts[sel],
                "e": peaks.ends[sel],
            }
        ).to_csv(raw / f"f{i}.bed", sep="\t", header=False, index=False)
        names.append(f"f{i}.bed")
    (folder / "list.txt").write_text("\n".join(names) + "\n")
    universe = build_universe(peaks, method)
    write_universe_bed3(folder / "universe.bed", universe, list(sizes))
    return len(universe)


def ours(files: list[str], sizes: dict[str, int], folder: str) -> tuple[float, float]:
    _quiet()
    from genovocab.universe.assess import assess_universe
    from genovocab.universe.files import read_universe_bed
    from genovocab.universe.inputs import read_peak_files

    peaks = read_peak_files(files, sizes)
    universe = read_universe_bed(os.path.join(folder, "universe.bed"))
    summary = assess_universe(universe, peaks, geniml_compat=True).iloc[-1]
    return float(summary["f10"]), float(summary["likelihood_hard"])


def geniml(folder: str) -> tuple[float, float]:
    _quiet()
    from geniml.assess.assess import get_f_10_score, get_likelihood, get_mean_rbs
    from geniml.assess.distance import run_distance

    raw, lst, uni = (os.path.join(folder, n) for n in ("raw", "list.txt", "universe.bed"))
    f10 = get_f_10_score(raw, lst, uni, 1)
    run_distance(raw, lst, uni, 1, flexible=False, uni_to_file=False)
    run_distance(raw, lst, uni, 1, flexible=False, uni_to_file=True)
    get_mean_rbs(raw, lst, uni, 1)
    lh = get_likelihood(os.path.join(folder, "model.tar"), uni, folder, "all")
    return float(f10), float(lh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="cc")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    files = sorted(glob.glob(str(REAL / "chipatlas_hg38_peaks" / "*.bed.gz")))
    sizes_src = REAL / "encode_atac_keratinocyte" / "hg38.chrom.sizes"
    if not files or not sizes_src.exists():
        print(f"real data absent ({REAL}): nothing to measure")
        return
    keep = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
    all_sizes = dict(line.split("\t")[:2] for line in sizes_src.read_text().splitlines() if line)
    sizes = {c: int(all_sizes[c]) for c in keep}
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    n_regions = measure(prepare, files, sizes, OUT, args.method).result
    o = measure(ours, files, sizes, str(OUT), repeats=args.repeats)
    g = measure(geniml, str(OUT), repeats=args.repeats)
    agree = abs(o.result[0] - g.result[0]) <= 1e-9 * abs(g.result[0]) and abs(
        o.result[1] - g.result[1]
    ) <= 1e-9 * abs(g.result[1])
    row = {
        "input": f"{len(files)} ChIP-Atlas files, chr1-22+X",
        "universe": args.method,
        "regions": n_regions,
        "ours_s": f"{o.seconds:.2f}",
        "geniml_s": f"{g.seconds:.2f}",
        "ratio": f"{g.seconds / o.seconds:.1f}x",
        "ours_MiB": f"{o.peak_mib:.0f}",
        "geniml_MiB": f"{g.peak_mib:.0f}",
        "f10_and_likelihood_agree": agree,
    }
    print(report([row], list(row)))


if __name__ == "__main__":
    main()
