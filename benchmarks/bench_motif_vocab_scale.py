"""Memory and CPU of the genome-wide motif-vocabulary job against the number of patterns.

``motif_token_vocab`` (``genovocab.motifs.token_files.token_vocab_files``) builds the bounded
vocabulary level by level from the per-chromosome pattern files (one dense candidate table per
level) and counts every distinct active set hash-sharded on disk (the census; one shard per
~16.8 M cluster ids, so a shard does not grow with the genome). Before, this job held every
distinct pattern: ~142 B per pattern + 8.3 B per cluster id, i.e. ~40 GB for hg38's ~150 M
real-like patterns.

Synthetic pattern files of two kinds, as the motif stage writes them (one file per 1 M
patterns, like chromosomes): *real-like* (a mean of 15 active clusters of 871, drawn from a
skewed cluster frequency, as on real DNA) and *dense* (a mean of 60, the density of the
synthetic hg38 rehearsal; files of 0.5 M patterns). Beyond the first ``DRAWN`` files of a kind,
a file is a copy of a drawn one with clusters of adjacent frequency rank swapped at random
(distinct patterns, nearly the same distribution, no draw). Each size is one job in a fresh
process (``_common.measure``): peak RSS, CPU and wall time. CPU at hg38 (150 M real-like / 190 M
dense) is extrapolated from a straight-line fit over the measured sizes, and said so.
``reads``: how many times the job streams the pattern files (one count, one per level, one
for the tokens' bins, one for what they keep, one for the census).

Usage: ``python benchmarks/bench_motif_vocab_scale.py [--sizes 1,2,4] [--kinds real,dense]``
(sizes in millions of patterns).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks._common import measure, report  # noqa: E402

OUT = HERE / "out" / "motif_vocab_scale3"  # files of the geometric-gap generator
N_CLUSTERS = 871
KINDS = {"real": 15, "dense": 60}
PER_FILE = {"real": 1_000_000, "dense": 500_000}  # patterns per file (a "chromosome")
HG38 = {"real": 150e6, "dense": 190e6}
# files drawn per kind; beyond, file i is a copy of file i % DRAWN whose clusters of adjacent
# frequency rank (2j, 2j + 1) are swapped at random: still distinct patterns of nearly the same
# distribution, made by one gather instead of a draw (a dense file takes ~10x longer to draw)
DRAWN = {"real": 50, "dense": 16}


def write_pattern_file(path: Path, n: int, mean_active: int, seed: int) -> None:
    """``n`` patterns (each seen in one bin): cluster ``c`` is active in a pattern with
    probability proportional to a skewed frequency (mean ``mean_active`` clusters per pattern),
    independently, the active ones in random order (strongest first is arbitrary here). The
    patterns where cluster ``c`` is active are drawn as geometric gaps (exactly the Bernoulli
    draw per (pattern, cluster), at the cost of one draw per active cluster)."""
    from genovocab.motifs.patterns import Patterns

    rng = np.random.default_rng(seed)
    weights = 1.0 / (np.arange(N_CLUSTERS) + 10.0) ** 1.1
    prob = np.minimum(1.0, weights * mean_active / weights.sum())
    rows, ids = [], []
    for c, p in enumerate(prob.tolist()):
        if p >= 1.0:
            where = np.arange(n, dtype=np.int64)
        else:
            parts, last = [], -1
            while last < n:
                draw = int(n * p + 6 * (n * p) ** 0.5 + 16)
                pos = last + np.cumsum(rng.geometric(p, size=draw))
                parts.append(pos)
                last = int(pos[-1])
            where = np.concatenate(parts)
            where = where[where < n]
        rows.append(where)
        ids.append(np.full(where.size, c, dtype=np.int64))
    row = np.concatenate(rows)
    # by pattern, in random order within it: one sort of row * 2^32 + random * 2^10 + cluster
    key = (row << np.int64(32)) | (rng.integers(0, 1 << 22, size=row.size) << np.int64(10))
    key |= np.concatenate(ids)
    key.sort()
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    Patterns(
        indptr,
        (key & np.int64(1023)).astype(np.int32),
        np.ones(n, dtype=np.int64),
        np.arange(n, dtype=np.int64),
    ).save(path)


def swapped_copy(source: Path, path: Path, seed: int) -> None:
    """``source`` with each pair of clusters (2j, 2j + 1) swapped with probability 1/2."""
    from genovocab.motifs.patterns import Patterns

    rng = np.random.default_rng(seed)
    perm = np.arange(N_CLUSTERS + 1, dtype=np.int32)
    pairs = np.flatnonzero(rng.random(N_CLUSTERS // 2) < 0.5) * 2
    perm[pairs], perm[pairs + 1] = pairs + 1, pairs
    pat = Patterns.load(source)
    Patterns(pat.indptr, perm[pat.indices], pat.counts, pat.inverse).save(path)


def files_for(kind: str, millions: float) -> tuple[list[Path], list[Path]]:
    folder = OUT / kind
    folder.mkdir(parents=True, exist_ok=True)
    patterns, edges = [], []
    per = PER_FILE[kind]
    for i in range(int(round(millions * 1_000_000 / per))):
        p, e = folder / f"c{i}.npz", folder / f"c{i}.bins.npy"
        if not p.exists() and i < DRAWN[kind]:
            write_pattern_file(p, per, KINDS[kind], seed=1000 * KINDS[kind] + i)
        elif not p.exists():
            swapped_copy(folder / f"c{i % DRAWN[kind]}.npz", p, seed=1000 * KINDS[kind] + i)
        if not e.exists():
            np.save(e, np.arange(per + 1, dtype=np.int64) * 15)
        patterns.append(p)
        edges.append(e)
    return patterns, edges


def run_job(patterns: list[str], edges: list[str], out: str, size: int) -> dict:
    """The genome-wide job, as ``workflow/scripts/motif_token_vocab.py`` runs it."""
    from genovocab.motifs.token_files import token_vocab_files

    levels = []
    summary = token_vocab_files(
        patterns,
        edges,
        vocab_out=f"{out}.tsv",
        zipf_out=f"{out}.json",
        plot_out=None,
        size=size,
        min_count=5,
        log=levels.append,
    )
    return {
        "levels": len(levels),
        "vocab": summary["vocab_size"],
        "kept": summary["fraction_active_clusters_kept"],
        "sets": summary["patterns"]["n_sets"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,2,4", help="millions of patterns (dense: halves too)")
    ap.add_argument("--kinds", default="real,dense")
    ap.add_argument("--vocab-size", type=int, default=4096)
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    rows = []
    for kind in args.kinds.split(","):
        fits = []
        for millions in sizes:
            t0 = time.perf_counter()
            patterns, edges = files_for(kind, millions)
            made = time.perf_counter() - t0
            m = measure(
                run_job,
                [str(p) for p in patterns],
                [str(e) for e in edges],
                str(OUT / f"{kind}_{millions:g}M"),
                args.vocab_size,
            )
            fits.append((millions * 1e6, m.cpu_seconds))
            rows.append(
                {
                    "kind": kind,
                    "patterns": f"{millions:g} M",
                    "ids/pattern": KINDS[kind],
                    "peak RSS MiB": f"{m.peak_mib:.0f}",
                    "CPU s": f"{m.cpu_seconds:.1f}",
                    "wall s": f"{m.seconds:.1f}",
                    "reads": m.result["levels"] + 4,
                    "vocab": m.result["vocab"],
                    "distinct sets": f"{m.result['sets']:,}",
                    "files made s": f"{made:.0f}",
                }
            )
            print(report(rows[-1:], list(rows[-1])), flush=True)
        if len(fits) >= 2:
            x, y = np.array(fits).T
            slope, intercept = np.polyfit(x, y, 1)
            at = HG38[kind]
            print(
                f"{kind}: CPU = {intercept:.1f} s + {slope * 1e6:.2f} s per M patterns; "
                f"EXTRAPOLATED to {at / 1e6:.0f} M patterns: {intercept + slope * at:,.0f} "
                f"CPU s = {(intercept + slope * at) / 3600:.2f} CPU h",
                flush=True,
            )
    print(report(rows, list(rows[0])))


if __name__ == "__main__":
    main()
