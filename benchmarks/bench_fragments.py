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
the file, loading the universe and building the per-cell documents: for us numpy arrays of
ids per barcode, for gtars its dict of lists; the imports come before), and the process's
peak RSS. The per-barcode multisets are compared (as digests) after the timed calls. Then,
in a third process, where our time goes: gzip decompression alone (the floor), pyarrow's
reader, the overlap, and the grouping by cell.

Run: ``.venv/bin/python benchmarks/bench_fragments.py [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _common import measure, report  # noqa: E402

OUT = HERE / "out" / "fragments"


def make_inputs(
    n_regions: int, n_fragments: int, n_barcodes: int, seed: int = 7
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
        lines.append("".join(f"{c}\t{s}\t{e}\n" for s, e in zip(starts.tolist(), ends.tolist())))
    universe.write_text("".join(lines))
    ci = rng.integers(0, len(chroms), n_fragments)
    inside = rng.random(n_fragments) < 0.7
    length = rng.integers(30, 600, n_fragments)
    start = np.empty(n_fragments, dtype=np.int64)
    for k, (_, s, e) in enumerate(spans):
        sel = np.flatnonzero(ci == k)
        pick = rng.integers(0, len(s), len(sel))
        start[sel] = np.where(
            inside[sel],
            s[pick] + rng.integers(0, 200, len(sel)),
            rng.integers(0, int(e[-1]), len(sel)),
        )
    barcode = rng.integers(0, n_barcodes, n_fragments)
    order = np.lexsort((start, ci))
    names = np.asarray(chroms, dtype=object)
    with gzip.open(frags, "wt", compresslevel=1) as handle:
        handle.write("# id=synthetic\n")
        for i0 in range(0, n_fragments, 200_000):
            sl = order[i0 : i0 + 200_000]
            handle.write(
                "".join(
                    f"{c}\t{s}\t{s + n}\tBC{b:05d}-1\t1\n"
                    for c, s, n, b in zip(
                        names[ci[sl]].tolist(),
                        start[sl].tolist(),
                        length[sl].tolist(),
                        barcode[sl].tolist(),
                    )
                )
            )
    return universe, frags


def _cells_digest(docs) -> dict[str, str]:
    """Per barcode, a digest of its sorted token ids (the document's multiset)."""
    return {
        b: hashlib.sha256(np.sort(np.asarray(ids, dtype=np.int64)).tobytes()).hexdigest()
        for b, ids in docs
    }


def run_ours(universe: str, frags: str, repeats: int, chunk_lines: int) -> dict:
    """Per-cell documents (numpy arrays of ids) from the file, ``repeats`` times."""
    from genovocab.corpora.fragments import count_fragments, fragments_table
    from genovocab.tokenizers import IntervalTokenizer

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tok = IntervalTokenizer.from_bed(universe)
        table = fragments_table(count_fragments(tok, frags, unknown="unk", chunk_lines=chunk_lines))
        ids = table.column("input_ids").combine_chunks()
        docs = list(
            zip(
                table.column("barcode").to_pylist(),
                np.split(ids.values.to_numpy(), ids.offsets.to_numpy()[1:-1]),
            )
        )
        times.append(time.perf_counter() - t0)
    return {"times": times, "cells": _cells_digest(docs)}


def phases(universe: str, frags: str, repeats: int, chunk_lines: int) -> dict:
    """Where our time goes (best of ``repeats``, one process): gzip decompression alone
    (zlib, one thread: the floor of any reader of this file), pyarrow's reader (decompress
    and parse, its own threads), the overlap of every block, and the whole
    ``count_fragments`` + ``fragments_table`` (its remainder is the grouping by cell)."""
    import zlib

    from genovocab.corpora.fragments import _blocks, count_fragments, fragments_table
    from genovocab.overlap import overlap_pairs
    from genovocab.regions import Regions
    from genovocab.tokenizers import IntervalTokenizer

    tok = IntervalTokenizer.from_bed(universe)
    raw = Path(frags).read_bytes()

    def best(fn) -> tuple[float, float]:
        """Best wall and best CPU time (all threads of the process) of ``repeats`` calls."""
        wall, cpu = [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return min(wall), min(cpu)

    blocks = list(_blocks(frags, chunk_lines))

    def overlap() -> None:
        for _, ch, starts, ends, _bc, ch_names, _bc_names in blocks:
            overlap_pairs(tok.universe, Regions(list(ch_names), ch.astype(np.int32), starts, ends))

    return {
        "gunzip (zlib, 1 thread)": best(lambda: zlib.decompress(raw, 31)),
        "read + parse (pyarrow blocks)": best(lambda: sum(1 for _ in _blocks(frags, chunk_lines))),
        "overlap (all blocks)": best(overlap),
        "load universe": best(lambda: IntervalTokenizer.from_bed(universe)),
        "whole (count + table)": best(
            lambda: fragments_table(
                count_fragments(tok, frags, unknown="unk", chunk_lines=chunk_lines)
            )
        ),
    }


def run_gtars(universe: str, frags: str, repeats: int) -> dict:
    from gtars.tokenizers import Tokenizer, tokenize_fragment_file

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = tokenize_fragment_file(frags, Tokenizer.from_bed(universe))
        times.append(time.perf_counter() - t0)
    return {"times": times, "cells": _cells_digest(res.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=0.1,
        help="fraction of the full case (10 M fragments, 5,000 barcodes, 1 M regions); default 0.1",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--chunk-lines", type=int, default=None, help="fragments per block (default: the library's)"
    )
    args = parser.parse_args()
    try:
        import gtars.tokenizers  # noqa: F401
    except ImportError:
        print("gtars is not installed (pip install 'genovocab[peers]'); nothing to compare")
        return 0
    if args.chunk_lines is None:
        from genovocab.corpora.fragments import CHUNK_LINES

        args.chunk_lines = CHUNK_LINES
    n_reg, n_frag, n_bc = (int(x * args.scale) for x in (1_000_000, 10_000_000, 5_000))
    universe, frags = make_inputs(n_reg, n_frag, n_bc)
    # each side in a fresh process: the imports (ours: pyarrow, the tokenizer; gtars: its
    # module) are paid once before the timed calls; the median of the calls is the work
    # (reading the file, loading the universe, per-cell documents), the peak RSS the
    # process's; the per-cell multisets are compared after the timing
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
        flush=True,
    )
    ours = measure(run_ours, str(universe), str(frags), args.repeats, args.chunk_lines)
    theirs = measure(run_gtars, str(universe), str(frags), args.repeats)
    t_ours = statistics.median(ours.result["times"])
    t_gtars = statistics.median(theirs.result["times"])
    equal = ours.result["cells"] == theirs.result["cells"]
    rows = [
        {
            "what": f"{n_frag:,} fragments, {n_bc:,} barcodes, {n_reg:,} regions",
            "ours_s": f"{t_ours:.2f}",
            "gtars_s": f"{t_gtars:.2f}",
            "ratio_ours/gtars": f"{t_ours / t_gtars:.3f}",
            "speedup": f"{t_gtars / t_ours:.1f}x",
            "ours_MiB": f"{ours.peak_mib:.0f}",
            "gtars_MiB": f"{theirs.peak_mib:.0f}",
            "equal": equal,
        }
    ]
    print(
        report(
            rows,
            [
                "what",
                "ours_s",
                "gtars_s",
                "ratio_ours/gtars",
                "speedup",
                "ours_MiB",
                "gtars_MiB",
                "equal",
            ],
        )
    )
    print(
        f"(median of {args.repeats} calls each; chunk_lines {args.chunk_lines:,}; load "
        f"average at the end {os.getloadavg()[0]:.2f})"
    )
    where = measure(phases, str(universe), str(frags), args.repeats, args.chunk_lines).result
    whole = where["whole (count + table)"]
    read, ov = where["read + parse (pyarrow blocks)"], where["overlap (all blocks)"]
    where["grouping by cell (whole - read - overlap)"] = tuple(
        max(0.0, w - r - o) for w, r, o in zip(whole, read, ov)
    )
    print(
        "\nwhere our time goes (one process, best of "
        f"{args.repeats}; the universe is loaded before 'whole'; cpu_s: all threads):"
    )
    print(
        report(
            [
                {
                    "phase": k,
                    "wall_s": f"{v[0]:.3f}",
                    "cpu_s": f"{v[1]:.3f}",
                    "cpu of whole": f"{v[1] / whole[1]:.0%}",
                }
                for k, v in where.items()
            ],
            ["phase", "wall_s", "cpu_s", "cpu of whole"],
        )
    )
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
