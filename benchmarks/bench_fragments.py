"""Benchmark: fragments file -> per-cell documents, ours vs gtars ``tokenize_fragment_file``.

Input (generated under benchmarks/out/fragments/, seeded): a sorted universe of ``--regions``
regions (200-1,000 bp, gaps of 100-3,000 bp) over 22 chromosomes and a gzipped 10x-style
fragments file of ``--fragments`` fragments (30-600 bp, uniform positions, 70% placed inside
a region) over ``--barcodes`` barcodes. The full-size case of the design is 10 M fragments,
5,000 barcodes and a 1 M-region universe; the default run is that case scaled down 10x
(1 M fragments, 500 barcodes, 100 k regions) so it fits a shared 2-core machine in ~1 minute.

Both sides read the same gzipped file and keep every fragment's tokens (gtars tokenizes each
fragment as its own document, so a fragment with no hit gives one ``<unk>``: ours runs with
``unknown="unk"`` to compare like with like); per-barcode token multisets must be equal. Each
side runs in a fresh process (``_common.measure``): the median wall time of 3 calls (reading
the file, universe loading and building the per-barcode multisets included; the first call's
imports are not) and the process's peak RSS.

Run: ``.venv/bin/python benchmarks/bench_fragments.py [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _common import measure, report  # noqa: E402

OUT = HERE / "out" / "fragments"


def make_inputs(n_regions: int, n_fragments: int, n_barcodes: int, seed: int = 7
                ) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    universe = OUT / f"universe_{n_regions}.bed"
    frags = OUT / f"fragments_{n_fragments}_{n_barcodes}.tsv.gz"
    if universe.exists() and frags.exists():
        return universe, frags
    rng = np.random.default_rng(seed)
    chroms = [f"chr{i}" for i in range(1, 23)]
    per = n_regions // len(chroms)
    lines, spans = [], []
    for c in chroms:
        lengths = rng.integers(200, 1000, per)
        gaps = rng.integers(100, 3000, per)
        starts = np.cumsum(gaps + lengths) - lengths
        ends = starts + lengths
        spans.append((c, starts, ends))
        lines.append("".join(f"{c}\t{s}\t{e}\n" for s, e in zip(starts.tolist(),
                                                                ends.tolist())))
    universe.write_text("".join(lines))
    ci = rng.integers(0, len(chroms), n_fragments)
    inside = rng.random(n_fragments) < 0.7
    length = rng.integers(30, 600, n_fragments)
    start = np.empty(n_fragments, dtype=np.int64)
    for k, (_, s, e) in enumerate(spans):
        sel = np.flatnonzero(ci == k)
        pick = rng.integers(0, len(s), len(sel))
        start[sel] = np.where(inside[sel], s[pick] + rng.integers(0, 200, len(sel)),
                              rng.integers(0, int(e[-1]), len(sel)))
    barcode = rng.integers(0, n_barcodes, n_fragments)
    order = np.lexsort((start, ci))
    names = np.asarray(chroms, dtype=object)
    with gzip.open(frags, "wt", compresslevel=1) as handle:
        handle.write("# id=synthetic\n")
        for i0 in range(0, n_fragments, 200_000):
            sl = order[i0:i0 + 200_000]
            handle.write("".join(
                f"{c}\t{s}\t{s + n}\tBC{b:05d}-1\t1\n" for c, s, n, b in zip(
                    names[ci[sl]].tolist(), start[sl].tolist(), length[sl].tolist(),
                    barcode[sl].tolist())))
    return universe, frags


def run_ours(universe: str, frags: str) -> dict:
    from genovocab.corpora.fragments import count_fragments, fragments_table
    from genovocab.tokenizers import IntervalTokenizer

    tok = IntervalTokenizer.from_bed(universe)
    table = fragments_table(count_fragments(tok, frags, unknown="unk"))
    return {b: Counter(ids) for b, ids in zip(table.column("barcode").to_pylist(),
                                              table.column("input_ids").to_pylist())}


def run_gtars(universe: str, frags: str) -> dict:
    from gtars.tokenizers import Tokenizer, tokenize_fragment_file

    res = tokenize_fragment_file(frags, Tokenizer.from_bed(universe))
    return {b: Counter(ids) for b, ids in res.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1,
                        help="fraction of the full case (10 M fragments, 5,000 barcodes, "
                             "1 M regions); default 0.1")
    args = parser.parse_args()
    try:
        import gtars.tokenizers  # noqa: F401
    except ImportError:
        print("gtars is not installed (pip install 'genovocab[peers]'); nothing to compare")
        return 0
    n_reg, n_frag, n_bc = (int(x * args.scale) for x in (1_000_000, 10_000_000, 5_000))
    universe, frags = make_inputs(n_reg, n_frag, n_bc)
    # median of 3 calls per process: the first call also pays the imports (ours ~1 s:
    # pandas, pyarrow, tokenizers; gtars ~0.02 s), the median is the work itself
    ours = measure(run_ours, str(universe), str(frags), repeats=3)
    theirs = measure(run_gtars, str(universe), str(frags), repeats=3)
    equal = ours.result == theirs.result
    rows = [{"what": f"{n_frag:,} fragments, {n_bc:,} barcodes, {n_reg:,} regions",
             "ours_s": f"{ours.seconds:.2f}", "gtars_s": f"{theirs.seconds:.2f}",
             "ratio_ours/gtars": f"{ours.seconds / theirs.seconds:.3f}",
             "speedup": f"{theirs.seconds / ours.seconds:.1f}x",
             "ours_MiB": f"{ours.peak_mib:.0f}", "gtars_MiB": f"{theirs.peak_mib:.0f}",
             "equal": equal}]
    print(report(rows, ["what", "ours_s", "gtars_s", "ratio_ours/gtars", "speedup", "ours_MiB",
                        "gtars_MiB", "equal"]))
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
