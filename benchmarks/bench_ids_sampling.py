"""IDS sample mode against exact: error and cluster agreement by sample size (the hg38 default).

``ids.mode: sample`` computes the IDS matrix from ``sample_size`` bins drawn at random from the
genome instead of all of them. This script measures what that costs in accuracy, on two inputs:

- **real**: hg19 chr1:1-2,000,000 scanned with all 841 JASPAR 2022 CORE vertebrate matrices
  (1,682 features: both strands), binned with the project's defaults (``benchmarks/motif_real.py``,
  cached): ~130 k bins, so exact is cheap and every sample size up to all bins can be compared
  with it. A sample of ``n`` of these ``N`` bins shares rows with the exact sums, so its error
  is smaller than that of ``n`` bins drawn from a genome of 187 M: the finite-population factor
  ``sqrt(1 - n / N)`` is divided out in the column "as from hg38", and "as n of hg38" gives
  the sample of a genome with the same sampling variance, ``1 / (1/n - 1/N)``.
- **synthetic**: chr1-size (15.65 M bins, the bin count of ``benchmarks/bench_chr1.py``'s
  synthetic chr1 at hg38 site density), 48 features in groups of 4 that share most of their
  occurrences (as motif paralogs do), 6.5 % non-zero per feature like the real hg38 features.
  Rows are drawn i.i.d., so the first ``n`` rows are a uniform random sample of the ``N``
  (the same finite-population columns apply).
  Fewer features than hg38's 1,683 keep the exact pass to minutes here: the error of one pair's
  correlation depends on the sample size and the two features' values, not on how many other
  features there are.

Sample sizes are nested: the bins are taken in a random order (seeded) and the accumulated
sums are read out at each size, so one pass over all bins gives every size, and the last read
is exact (the same sums as ``ids.mode: exact``, summed in another order). For each size the
table gives the error of the IDS matrix against exact over all feature pairs (mean, 99th
percentile, max), the mean error x sqrt(n) (a constant when the error falls as 1 / sqrt(n)), and
what users see: the number of clusters (the workflow's clustering: average linkage on 1 - IDS,
cut at ``ids.threshold``) and the agreement of the cluster assignment with exact's, as the
adjusted Rand index and as the share of feature pairs grouped alike (together in both or apart
in both; the Rand index); "moved" counts the features whose cluster-mates changed and gives the
median number of bins they occur in (against all features' median).

The hg38 cost of a sample size is its bins x the CPU per bin of an IDS partial job measured at
hg38 density on a chr1-size run (``benchmarks/bench_chr1.py``: 3.25 ms per bin at 1,683
features, ~110 non-zeros per bin) plus one read of every chromosome's bin matrix.

Usage: ``python benchmarks/bench_ids_sampling.py [--real] [--synthetic] [--seeds 0,1]
[--sizes 20000,...] [--quick] [--reuse]``; results are kept in ``benchmarks/out/ids_sampling/``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks import motif_real  # noqa: E402
from benchmarks._common import report  # noqa: E402
from genovocab.motifs.clustering import cluster_ids  # noqa: E402
from genovocab.motifs.ids import IDSAccumulator  # noqa: E402

OUT = HERE / "out" / "ids_sampling"
TERMS, BANDWIDTH, NORM = 6, 0.5, "max"  # config/hg38.yaml
THRESHOLD, LINKAGE = 0.5, "average"  # ids.threshold, ids.linkage
CHUNK = 20_000
HG38_BINS = 187e6  # hg38 bins at the real 2 Mbp's bin density (docs/scale.md)
HG38_CPU_PER_BIN = 3.25e-3  # CPU s per bin of an IDS partial job at hg38 density
SYNTH_N, SYNTH_D, SYNTH_DENSITY = 15_650_000, 48, 0.065
REAL_SIZES = (20_000, 40_000, 60_000, 80_000, 100_000, 120_000)
SYNTH_SIZES = (
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------- inputs


def real_chunks(seed: int) -> tuple[int, int, Iterator[sp.csr_matrix]]:
    """(bins, features, chunks): the real 2 Mbp's bin x feature rows in a seeded random order."""
    _, feats, _ = motif_real.bins()
    matrix = sp.load_npz(feats).tocsr().astype(np.float64)
    order = np.random.default_rng(seed).permutation(matrix.shape[0])

    def chunks() -> Iterator[sp.csr_matrix]:
        for lo in range(0, order.size, CHUNK):
            yield matrix[order[lo : lo + CHUNK]]

    return matrix.shape[0], matrix.shape[1], chunks()


def synthetic_chunk(rows: int, d: int, density: float, rng: np.random.Generator) -> sp.csr_matrix:
    """``rows`` i.i.d. rows of ``d`` features in groups of 4: a group occurs in a bin with
    probability 0.7 x ``density``, each member with it 85 % of those times and on its own
    otherwise (so each feature is non-zero in ~``density`` of bins); values as motif-site
    fractions: 1, 0.5 or 0.25 mostly, uniform in (0.05, 1) for 30 %."""
    groups = (d + 3) // 4
    shared = np.repeat(rng.random((rows, groups)) < density * 0.7, 4, axis=1)[:, :d]
    alone = density * (1 - 0.7 * 0.85) / (1 - density * 0.7 * 0.85)
    mask = (shared & (rng.random((rows, d)) < 0.85)) | (rng.random((rows, d)) < alone)
    r, c = np.nonzero(mask)
    vals = rng.choice(np.array([1.0, 0.5, 0.25]), size=r.size, p=[0.6, 0.25, 0.15])
    vals = np.where(rng.random(r.size) < 0.3, rng.uniform(0.05, 1.0, r.size), vals)
    return sp.csr_matrix((vals, (r, c)), shape=(rows, d))


def synthetic_chunks(
    seed: int, n: int | None = None, d: int | None = None, density: float = SYNTH_DENSITY
) -> tuple[int, int, Iterator[sp.csr_matrix]]:
    """(bins, features, chunks) of the synthetic chr1-size matrix, generated on the fly."""
    n = SYNTH_N if n is None else n
    d = SYNTH_D if d is None else d
    rng = np.random.default_rng([seed, 1])
    step = 250_000

    def chunks() -> Iterator[sp.csr_matrix]:
        for lo in range(0, n, step):
            yield synthetic_chunk(min(step, n - lo), d, density, rng)

    return n, d, chunks()


# --------------------------------------------------------------------------- measuring


def nested_ids(
    n: int, d: int, chunks: Iterator[sp.csr_matrix], sizes: list[int]
) -> tuple[dict[int, np.ndarray], float, np.ndarray]:
    """The IDS matrix after the first ``size`` rows, for every size and for all ``n`` rows
    (exact, last); the CPU seconds of the pass (accumulation only); the non-zero bins of
    each feature."""
    import resource

    def cpu() -> float:
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    marks = sorted({s for s in sizes if s < n} | {n})
    acc = IDSAccumulator(d, TERMS, BANDWIDTH)
    out: dict[int, np.ndarray] = {}
    occurrences = np.zeros(d, dtype=np.int64)
    seen, spent, k = 0, 0.0, 0
    for chunk in chunks:
        occurrences += np.bincount(chunk.indices, minlength=d)
        lo = 0
        while lo < chunk.shape[0]:
            take = min(chunk.shape[0] - lo, marks[k] - seen)
            c0 = cpu()
            acc.update(chunk[lo : lo + take])
            spent += cpu() - c0
            lo += take
            seen += take
            if seen == marks[k]:
                out[seen] = acc.result(NORM)
                _log(f"  {seen:,} of {n:,} rows")
                k += 1
    return out, spent, occurrences


def moved(labels: np.ndarray, exact_labels: np.ndarray) -> np.ndarray:
    """Features whose cluster-mates differ between two clusterings (boolean per feature)."""
    out = np.zeros(labels.size, dtype=bool)
    for c in np.unique(exact_labels):
        members = np.flatnonzero(exact_labels == c)
        for f in members:
            out[f] = not np.array_equal(np.flatnonzero(labels == labels[f]), members)
    return out


def agreement(
    sample: np.ndarray, exact: np.ndarray, exact_labels: np.ndarray, occurrences: np.ndarray
) -> dict:
    """Error of ``sample`` against ``exact`` over the feature pairs, and its clustering's
    count and agreement with exact's; the features that changed cluster and how many bins
    they occur in (``occurrences``: non-zero bins per feature over all bins)."""
    from sklearn.metrics import adjusted_rand_score, rand_score

    iu = np.triu_indices(exact.shape[0], k=1)
    err = np.abs(sample[iu] - exact[iu])
    labels = cluster_ids(sample, threshold=THRESHOLD, method=LINKAGE).labels
    changed = moved(labels, exact_labels)
    return {
        "mean_err": float(err.mean()),
        "p99_err": float(np.percentile(err, 99)),
        "max_err": float(err.max()),
        "clusters": int(labels.max()) + 1,
        "ari": float(adjusted_rand_score(exact_labels, labels)),
        "pairs_alike": float(rand_score(exact_labels, labels)),
        "moved": int(changed.sum()),
        "moved_median_bins": float(np.median(occurrences[changed]))
        if changed.any()
        else float("nan"),
    }


def run(kind: str, seed: int, sizes: list[int]) -> dict:
    """One pass of ``kind`` (real | synthetic) with ``seed``: a row per size."""
    n, d, chunks = real_chunks(seed) if kind == "real" else synthetic_chunks(seed)
    _log(f"{kind} seed {seed}: {n:,} bins x {d} features")
    t0 = time.perf_counter()
    found, cpu_s, occurrences = nested_ids(n, d, chunks, sizes)
    exact = found[n]
    exact_labels = cluster_ids(exact, threshold=THRESHOLD, method=LINKAGE).labels
    rows = []
    for size in sorted(found):
        row = {
            "n": size,
            "share": size / n,
            **agreement(found[size], exact, exact_labels, occurrences),
        }
        row["fpc"] = math.sqrt(max(0.0, 1 - size / n))
        rows.append(row)
    return {
        "kind": kind,
        "seed": seed,
        "bins": n,
        "features": d,
        "cpu_s": cpu_s,
        "wall_s": time.perf_counter() - t0,
        "exact_clusters": int(exact_labels.max()) + 1,
        "median_bins": float(np.median(occurrences)),
        "rows": rows,
    }


def read_cost(rows: int = 1_000_000) -> float:
    """CPU s per non-zero of one streamed read of a compressed bin x feature ``.npz`` (the
    read an IDS partial job makes of its chromosome), on a synthetic matrix of ``rows``."""
    import resource
    import tempfile

    from genovocab.motifs.ids import iter_csr_npz

    matrix = synthetic_chunk(rows, 400, SYNTH_DENSITY / 2, np.random.default_rng(3))
    matrix = matrix.astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.npz"
        sp.save_npz(path, matrix, compressed=True)
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        for _ in iter_csr_npz(path):
            pass
        u1 = resource.getrusage(resource.RUSAGE_SELF)
    return (u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) / matrix.nnz


# --------------------------------------------------------------------------- table


def effective(n: int, population: int) -> float:
    """The i.i.d. sample size with the same sampling variance as ``n`` rows drawn without
    replacement from ``population``: ``1 / (1/n - 1/N)`` (what ``n`` of the 2 Mbp's bins are
    worth as a sample of a genome of 187 M bins)."""
    return 1.0 / (1.0 / n - 1.0 / population)


def table(results: list[dict]) -> str:
    rows = []
    for res in results:
        for r in res["rows"]:
            exact = r["n"] == res["bins"]
            fpc = r["fpc"] or float("nan")
            rows.append(
                {
                    "input": f"{res['kind']} s{res['seed']}",
                    "bins": f"{r['n']:,}",
                    "share": f"{r['share']:.1%}",
                    "as n of hg38": "-" if exact else f"{effective(r['n'], res['bins']):,.0f}",
                    "mean err": "exact" if exact else f"{r['mean_err']:.2e}",
                    "x sqrt(n)": "-" if exact else f"{r['mean_err'] * math.sqrt(r['n']):.2f}",
                    "as from hg38": "-" if exact else f"{r['mean_err'] / fpc:.2e}",
                    "p99 err": "-" if exact else f"{r['p99_err']:.2e}",
                    "max err": "-" if exact else f"{r['max_err']:.2e}",
                    "clusters": f"{r['clusters']} / {res['exact_clusters']}",
                    "ARI": f"{r['ari']:.4f}",
                    "pairs alike": f"{r['pairs_alike']:.5f}",
                    "moved": "-"
                    if "moved" not in r
                    else f"{r['moved']} (median {r['moved_median_bins']:,.0f} of "
                    f"{res['median_bins']:,.0f} bins)",
                }
            )
    return report(rows, list(rows[0]))


def law(results: list[dict]) -> tuple[float, float]:
    """The mean error's constant ``c`` in ``c / sqrt(n)`` (corrected for the finite
    population), as (real, synthetic) medians."""
    out = []
    for kind in ("real", "synthetic"):
        cs = [
            r["mean_err"] / r["fpc"] * math.sqrt(r["n"])
            for res in results
            if res["kind"] == kind
            for r in res["rows"]
            if r["n"] < res["bins"] and r["fpc"] > 0.3
        ]
        out.append(float(np.median(cs)) if cs else float("nan"))
    return out[0], out[1]


def hg38_costs(c_real: float, read_cpu_h: float) -> str:
    rows = [
        {
            "ids.mode": "exact",
            "bins": f"{HG38_BINS / 1e6:.0f} M",
            "expected mean err": "0",
            "hg38 CPU-h": f"{HG38_BINS * HG38_CPU_PER_BIN / 3600:.0f}",
        }
    ]
    for size in (1e6, 2e6, 5e6, 10e6):
        rows.append(
            {
                "ids.mode": "sample",
                "bins": f"{size / 1e6:.0f} M",
                "expected mean err": f"{c_real / math.sqrt(size):.1e}",
                "hg38 CPU-h": f"{size * HG38_CPU_PER_BIN / 3600 + read_cpu_h:.1f}",
            }
        )
    return report(rows, list(rows[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="the real 2 Mbp (default: both)")
    parser.add_argument("--synthetic", action="store_true", help="the synthetic chr1 size")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (default 0)")
    parser.add_argument("--sizes", help="comma-separated sample sizes (default per input)")
    parser.add_argument(
        "--quick", action="store_true", help="synthetic at 1 M bins x 24 features (a smoke run)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse saved passes")
    args = parser.parse_args(argv)
    kinds = [k for k in ("real", "synthetic") if getattr(args, k)] or ["real", "synthetic"]
    if "real" in kinds and not motif_real.available():
        print("real: skipped (shared real data absent)")
        kinds.remove("real")
    if args.quick:
        global SYNTH_N, SYNTH_D
        SYNTH_N, SYNTH_D = 1_000_000, 24
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for kind in kinds:
        sizes = (
            [int(s) for s in args.sizes.split(",")]
            if args.sizes
            else list(REAL_SIZES if kind == "real" else SYNTH_SIZES)
        )
        for seed in (int(s) for s in args.seeds.split(",")):
            tag = f"{kind}_s{seed}" + ("_quick" if args.quick and kind == "synthetic" else "")
            saved = OUT / f"{tag}.json"
            if args.reuse and saved.exists():
                results.append(json.loads(saved.read_text()))
                continue
            res = run(kind, seed, sizes)
            saved.write_text(json.dumps(res, indent=1))
            results.append(res)
            _log(f"{kind} seed {seed}: pass {res['cpu_s']:.0f} CPU s, {res['wall_s']:.0f} s wall")
    print(table(results))
    c_real, c_synth = law(results)
    per_nnz = read_cost()
    read_h = per_nnz * HG38_BINS * 110 / 3600
    print(
        f"mean error ~ c / sqrt(n): c = {c_real:.2f} (real, as from hg38), "
        f"{c_synth:.2f} (synthetic chr1 size)"
    )
    print(
        f"read of a compressed bin matrix: {per_nnz * 1e9:.1f} CPU ns per non-zero -> "
        f"{read_h:.2f} CPU-h for hg38's ~{HG38_BINS * 110 / 1e9:.0f} G non-zeros, read once"
    )
    print(hg38_costs(c_real, read_h))
    return 0


if __name__ == "__main__":
    sys.exit(main())
