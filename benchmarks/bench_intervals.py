"""Interval tokenizer benchmark: genovocab vs gtars 0.10 vs ``bedtools intersect -sorted``.

Universe of 1,000,000 regions (non-overlapping, and a variant where 20 % of the regions are
replaced by overlapping/nested ones) x queries of 10k, 100k and 1M regions. Every tool loads
the universe once (outside the timed part; its load time is printed separately), then
tokenizes the same query file (``path``) or the same regions in memory (``memory``: a list
of ``(chrom, start, end)`` tuples for us, gtars ``Region`` objects for gtars). bedtools
streams both sorted files (``-wa -wb -sorted -g``); its time includes reading the universe.
Each row: median wall time of the repeats, ratio ours/peer, median CPU time (all threads;
for bedtools its own process) with the ours/bedtools CPU ratio (a steadier figure than wall
time on a shared machine; pyarrow parses with 2 threads, bedtools uses one), peak RSS of the
measuring process (MiB), the number of tokens, and a digest of the token ids *in order*,
which must be equal for all tools (gtars from a path returns the tokens grouped by
chromosome in lexicographic order, not in the file's order, so for it only the multiset is
compared; for bedtools, each ``-wa -wb`` row's universe region is
mapped to its id, the line of its first appearance, outside the timed part). Duplicate rows
in a universe would make gtars and bedtools emit one token per row: the generated
universes have none (checked), and ``IntervalTokenizer(duplicate_rows="per_row")`` matches
them where a universe has some.

Run: ``.venv/bin/python benchmarks/bench_intervals.py [--quick]``; inputs are generated
(seeded) under ``benchmarks/out/intervals/``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import measure, report  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "intervals"
HG38 = [
    248956422,
    242193529,
    198295559,
    190214555,
    181538259,
    170805979,
    159345973,
    145138636,
    138394717,
    133797422,
    135086622,
    133275309,
    114364328,
    107043718,
    101991189,
    90338345,
    83257441,
    80373285,
    58617616,
    64444167,
    46709983,
    50818468,
    156040895,
    57227415,
]
NAMES = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY"]


# ----------------------------------------------------------------- inputs
def _write_bed(path: Path, rows: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    with open(path, "w") as handle:
        for name, starts, ends in rows:
            handle.write(
                "".join(f"{name}\t{s}\t{e}\n" for s, e in zip(starts.tolist(), ends.tolist()))
            )


def make_universe(path: Path, n: int, overlap_fraction: float, seed: int) -> None:
    """``n`` regions of 200-1000 bp spread over hg38-sized chromosomes, sorted by start.

    With ``overlap_fraction``, that share of the regions is replaced by regions placed
    around existing ones (shifted by up to 500 bp, 50-3000 bp long): overlapping and nested.
    """
    rng = np.random.default_rng(seed)
    sizes = np.array(HG38)
    counts = rng.multinomial(n, sizes / sizes.sum())
    rows = []
    for name, count, size in zip(NAMES, counts, sizes):
        step = size // count
        starts = np.arange(count) * step + rng.integers(0, max(step - 1000, 1), count)
        ends = starts + rng.integers(200, 1000, count)
        k = int(count * overlap_fraction)
        if k:
            idx = rng.choice(count, k, replace=False)
            s2 = np.clip(starts[idx] + rng.integers(-500, 500, k), 0, size - 4000)
            starts[idx], ends[idx] = s2, s2 + rng.integers(50, 3000, k)
        order = np.lexsort((ends, starts))
        rows.append((name, starts[order], ends[order]))
    _write_bed(path, rows)


def make_queries(path: Path, n: int, seed: int) -> None:
    """``n`` regions of 100-1500 bp at uniform random positions, sorted (bedtools needs it)."""
    rng = np.random.default_rng(seed)
    sizes = np.array(HG38)
    counts = rng.multinomial(n, sizes / sizes.sum())
    rows = []
    for name, count, size in zip(NAMES, counts, sizes):
        starts = np.sort(rng.integers(0, size - 2000, count))
        rows.append((name, starts, starts + rng.integers(100, 1500, count)))
    _write_bed(path, rows)


def prepare(universe_n: int, query_ns: list[int]) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    genome = OUT / "genome.txt"
    genome.write_text("".join(f"{n}\t{s}\n" for n, s in zip(NAMES, HG38)))
    files = {"genome": genome, "universes": {}, "queries": {}}
    for label, frac, seed in (("plain", 0.0, 1), ("overlap20", 0.2, 2)):
        path = OUT / f"universe_{label}_{universe_n}.bed"
        if not path.exists():
            make_universe(path, universe_n, frac, seed)
        files["universes"][label] = path
    for n in query_ns:
        path = OUT / f"queries_{n}.bed"
        if not path.exists():
            make_queries(path, n, 100 + n % 997)
        files["queries"][n] = path
    return files


def _digest(ids) -> str:
    """A digest of the ids in order, and one of them sorted (the multiset)."""
    arr = np.asarray(ids, dtype=np.int64)
    return (
        hashlib.sha256(arr.tobytes()).hexdigest()[:12]
        + "/"
        + hashlib.sha256(np.sort(arr).tobytes()).hexdigest()[:12]
    )


def bedtools_ids(universe: Path, output: Path) -> np.ndarray:
    """Token ids of a ``bedtools intersect -wa -wb`` output (query columns 1-3, universe
    columns 4-6): each universe region's id is the line of its first appearance."""
    ids: dict[bytes, int] = {}
    with open(universe, "rb") as handle:
        for line in handle:
            ids.setdefault(b"\t".join(line.rstrip(b"\n").split(b"\t")[:3]), len(ids))
    with open(output, "rb") as handle:
        return np.fromiter(
            (ids[b"\t".join(line.rstrip(b"\n").split(b"\t")[3:6])] for line in handle),
            dtype=np.int64,
        )


# ----------------------------------------------------------------- measured calls (children)
def _read_tuples(path: str) -> list[tuple[str, int, int]]:
    out = []
    with open(path) as handle:
        for line in handle:
            c, s, e = line.split("\t")[:3]
            out.append((c, int(s), int(e)))
    return out


def run_ours(universe: str, query: str, mode: str, repeats: int) -> dict:
    """Load the universe once, then tokenize ``repeats`` times; times and id count."""
    from genovocab.tokenizers import IntervalTokenizer

    t0 = time.perf_counter()
    tok = IntervalTokenizer.from_bed(universe)
    load = time.perf_counter() - t0
    regions = _read_tuples(query) if mode == "memory" else query
    times, cpus, ids = [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "path-list":
            ids = tok(regions)["input_ids"]
        else:
            ids = tok(regions, return_tensors="np")["input_ids"][0]
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {
        "load": load,
        "times": times,
        "cpus": cpus,
        "n": len(ids),
        "digest": _digest(ids),
        "duplicates": tok.universe.n_duplicates,
    }


def run_gtars(universe: str, query: str, mode: str, repeats: int) -> dict:
    from gtars.models import Region
    from gtars.tokenizers import Tokenizer

    t0 = time.perf_counter()
    tok = Tokenizer.from_bed(universe)
    load = time.perf_counter() - t0
    regions = (
        [Region(c, s, e, "") for c, s, e in _read_tuples(query)] if mode == "memory" else query
    )
    times, cpus, ids = [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ids = tok(regions)["input_ids"]
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"load": load, "times": times, "cpus": cpus, "n": len(ids), "digest": _digest(ids)}


def run_bedtools(universe: str, query: str, genome: str, repeats: int) -> dict:
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    times, cpus, n = [], [], 0
    cmd = [
        "bedtools",
        "intersect",
        "-a",
        query,
        "-b",
        universe,
        "-wa",
        "-wb",
        "-sorted",
        "-g",
        genome,
    ]
    output = OUT / "bedtools_out.tsv"
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), children_cpu()
        with open(output, "wb") as handle:
            subprocess.run(cmd, check=True, stdout=handle)
        times.append(time.perf_counter() - t0)
        cpus.append(children_cpu() - c0)
    # the ids are read by the driver (bedtools_ids), so this process's RSS stays bedtools'
    return {"load": float("nan"), "times": times, "cpus": cpus, "n": n, "output": str(output)}


# ----------------------------------------------------------------- driver
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="100k-region universe, 10k/100k queries, 3 repeats"
    )
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    universe_n = 100_000 if args.quick else 1_000_000
    query_ns = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    repeats = args.repeats or (3 if args.quick else 5)
    try:
        import gtars.tokenizers  # noqa: F401

        has_gtars = True
    except ImportError:
        has_gtars = False
    has_bedtools = shutil.which("bedtools") is not None
    files = prepare(universe_n, query_ns)
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
        flush=True,
    )
    rows, loads, ok = [], [], True
    for label, upath in files["universes"].items():
        for qn, qpath in files["queries"].items():
            case = f"{label} {universe_n // 1000}k x {qn // 1000}k"
            results = {}
            for tool, fn, extra in (
                ("ours path (np)", run_ours, ("path",)),
                ("ours path (list)", run_ours, ("path-list",)),
                ("gtars path", run_gtars, ("path",)) if has_gtars else (None, None, None),
                ("ours memory", run_ours, ("memory",)),
                ("gtars memory", run_gtars, ("memory",)) if has_gtars else (None, None, None),
                ("bedtools -sorted", run_bedtools, (str(files["genome"]),))
                if has_bedtools
                else (None, None, None),
            ):
                if tool is None:
                    continue
                m = measure(fn, str(upath), str(qpath), *extra, repeats)
                res = m.result
                if "output" in res:  # bedtools: ids from its rows, outside the timing
                    ids = bedtools_ids(upath, Path(res["output"]))
                    res["n"], res["digest"] = len(ids), _digest(ids)
                results[tool] = (
                    statistics.median(res["times"]),
                    m.peak_mib,
                    (res["n"], res["digest"]),
                    statistics.median(res["cpus"]),
                )
                if res.get("duplicates"):
                    print(f"warning: {label} universe has {res['duplicates']} duplicate rows")
                if tool.startswith(("ours path (np)", "gtars path")) and qn == query_ns[0]:
                    loads.append(
                        {"universe": label, "tool": tool.split()[0], "load_s": f"{res['load']:.3f}"}
                    )
            # every tool gives our ids in our order, except gtars from a path: it returns the
            # tokens grouped by chromosome in lexicographic order (chr1, chr10, ...), not in
            # the file's order, so only its multiset (the sorted digest) is compared
            want = results["ours path (np)"][2]
            same = {
                tool: (
                    v[2] == want
                    if tool != "gtars path"
                    else (v[2][0], v[2][1].split("/")[1]) == (want[0], want[1].split("/")[1])
                )
                for tool, v in results.items()
            }
            ok &= all(same.values())
            for tool, (sec, peak, n, cpu) in results.items():
                peer = None
                if tool.startswith("ours path"):
                    peer = "gtars path"
                elif tool == "ours memory":
                    peer = "gtars memory"
                ratio = f"{sec / results[peer][0]:.2f}" if peer in results else ""
                vs_bed = (
                    f"{sec / results['bedtools -sorted'][0]:.2f}"
                    if tool.startswith("ours") and "bedtools -sorted" in results
                    else ""
                )
                cpu_vs_bed = (
                    f"{cpu / results['bedtools -sorted'][3]:.2f}"
                    if tool.startswith("ours") and "bedtools -sorted" in results
                    else ""
                )
                rows.append(
                    {
                        "case": case,
                        "tool": tool,
                        "median_s": f"{sec:.4f}",
                        "ours/gtars": ratio,
                        "ours/bedtools": vs_bed,
                        "cpu_s": f"{cpu:.4f}",
                        "cpu ours/bedtools": cpu_vs_bed,
                        "peak_MiB": f"{peak:.0f}",
                        "tokens": n[0],
                        "ids digest (order/sorted)": n[1],
                        "same ids": ("yes" if n == want else "as a multiset")
                        if same[tool]
                        else "NO",
                    }
                )
            print(
                report(
                    rows[-len(results) :],
                    [
                        "case",
                        "tool",
                        "median_s",
                        "ours/gtars",
                        "ours/bedtools",
                        "cpu_s",
                        "cpu ours/bedtools",
                        "peak_MiB",
                        "tokens",
                        "ids digest (order/sorted)",
                        "same ids",
                    ],
                ),
                flush=True,
            )
            print(flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("universe load (s):")
    print(report(loads, ["universe", "tool", "load_s"]))
    print(
        f"\nsame token ids for every tool and case (in the same order, except gtars from a "
        f"path: same multiset, grouped by chromosome name): {ok}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
