"""Tokenizers where users call them: per call, import + load, and in memory, beside gtars 0.10.

Three parts, each in fresh processes (``_common.measure``), ours and gtars in the same run:

1. ``calls``: one region, and 10 regions, per call, the way a ``Dataset.__getitem__`` calls a
   tokenizer: ``tok(region)``, ``tok.encode(regions)``, ``tok.tokenize(regions)`` for us,
   ``tok([Region])`` / ``tok([Region])["input_ids"]`` (its ``encode`` takes token strings) /
   ``tok.tokenize`` for gtars, over 2,000 different
   queries (universe regions shifted by 10 bp: every query has a hit; mean us per call,
   best of 5 passes, as wall time and as the process's CPU time). The ids of every
   call are compared (ours == gtars). With ``--release DIR``, also one ``SequenceTokenizer``
   call on 1 kbp of DNA and one ``MotifTokenizer`` call on a 1 kbp region and on 1 kbp of DNA
   (measured only: nothing to compare with).
2. ``import+load``: a fresh interpreter imports the tokenizer and loads a saved folder
   (``save_pretrained``: gzipped BED3 universe), then tokenizes one region; the wall time
   inside the interpreter (its own start-up, ~0.02 s, not counted) and which heavy modules
   got imported. Universes: 1 M regions (cCRE-sized) and 10 k; gtars loads the same
   ``universe.bed.gz`` with ``Tokenizer.from_bed``. Median of 5 fresh processes.
3. ``memory``: 1 M queries x 1 M regions from the BED path and in memory: a list of tuples,
   numpy arrays ``(chroms, starts, ends)`` (chroms an object array), a pyarrow Table and a
   pandas DataFrame; gtars from the path and from ``Region`` objects. Median of 5 calls after
   one warm-up; the converted input is built outside the timed part. A digest of the ids (in
   order) must be the same for every form and for gtars from ``Region`` objects; gtars from a
   path returns the tokens grouped by chromosome name, so for it the multiset is compared.

Run: ``python benchmarks/bench_tokenizer_calls.py [--quick] [--release DIR] [--parts ...]``
(``--quick``: 100 k regions and queries, 3 repeats). Inputs come from ``bench_intervals``
(seeded, under ``benchmarks/out/intervals/``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(HERE))

from _common import measure, report  # noqa: E402
from bench_intervals import _read_tuples, prepare  # noqa: E402

OUT = HERE / "out" / "tokenizer_calls"
HEAVY = ("pandas", "pyarrow", "scipy", "matplotlib", "datasets", "tokenizers", "torch")


def _digest(ids) -> str:
    """A digest of the ids in order, and one of them sorted (the multiset)."""
    arr = np.asarray(ids, dtype=np.int64)
    return (
        hashlib.sha256(arr.tobytes()).hexdigest()[:12]
        + "/"
        + hashlib.sha256(np.sort(arr).tobytes()).hexdigest()[:12]
    )


def _per_call_us(fn, items, passes: int = 5, cpu: bool = False) -> float:
    """Mean us per call over ``items`` (best of ``passes`` passes): wall time, or with ``cpu``
    the process's CPU time (less sensitive to other jobs on a shared machine)."""
    timer = time.process_time if cpu else time.perf_counter
    best = min(timeit.repeat(lambda: [fn(x) for x in items], number=1, repeat=passes, timer=timer))
    return best / len(items) * 1e6


# ----------------------------------------------------------------- 1. per call
def _call_inputs(universe: str, n: int, width: int) -> list[list[tuple[str, int, int]]]:
    """``n`` documents of ``width`` consecutive universe regions shifted by 10 bp, so every
    query overlaps a region (the common case of a peak set against its universe)."""
    rows = [(c, s + 10, e + 10) for c, s, e in _read_tuples(universe)]
    rng = np.random.default_rng(5)
    starts = rng.integers(0, len(rows) - width, n)
    return [rows[s : s + width] for s in starts.tolist()]


def calls_ours(universe: str, n: int) -> dict:
    import warnings

    from genovocab.tokenizers import IntervalTokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = IntervalTokenizer.from_bed(universe)
    out = {}
    for width in (1, 10):
        docs = _call_inputs(universe, n, width)
        items = [d[0] for d in docs] if width == 1 else docs
        for cpu in (False, True):
            cpu_tag = " cpu" if cpu else ""
            out[f"call {width}{cpu_tag}"] = _per_call_us(tok, items, cpu=cpu)
            out[f"encode {width}{cpu_tag}"] = _per_call_us(tok.encode, docs, cpu=cpu)
            out[f"tokenize {width}{cpu_tag}"] = _per_call_us(tok.tokenize, docs, cpu=cpu)
        out[f"ids {width}"] = _digest([i for x in items for i in tok(x)["input_ids"]])
    return out


def calls_gtars(universe: str, n: int) -> dict:
    from gtars.models import Region
    from gtars.tokenizers import Tokenizer

    tok = Tokenizer.from_bed(universe)
    out = {}
    for width in (1, 10):
        docs = [[Region(c, s, e, "") for c, s, e in d] for d in _call_inputs(universe, n, width)]
        for cpu in (False, True):
            cpu_tag = " cpu" if cpu else ""
            out[f"call {width}{cpu_tag}"] = _per_call_us(tok, docs, cpu=cpu)
            # gtars' encode() takes token strings; its ids of regions come from __call__
            out[f"encode {width}{cpu_tag}"] = _per_call_us(
                lambda d: tok(d)["input_ids"], docs, cpu=cpu
            )
            out[f"tokenize {width}{cpu_tag}"] = _per_call_us(tok.tokenize, docs, cpu=cpu)
        out[f"ids {width}"] = _digest([i for d in docs for i in tok(d)["input_ids"]])
    return out


def calls_release(release: str, n: int) -> dict:
    """One item per call through the release's sequence and motif tokenizers."""
    from genovocab.tokenizers import MotifTokenizer, SequenceTokenizer

    rng = np.random.default_rng(3)
    dna = ["".join(rng.choice(list("ACGT"), 1000)) for _ in range(n)]
    out = {}
    seq = SequenceTokenizer.from_pretrained(Path(release) / "sequence")
    out["sequence: 1 kbp DNA"] = _per_call_us(seq, dna, passes=3)
    motif = MotifTokenizer.from_pretrained(Path(release) / "motifs")
    lengths = motif.genome.lengths
    chroms = [c for c in lengths if lengths[c] > 2_000]
    if chroms:
        c = chroms[0]
        size = lengths[c]
        regions = [(c, int(s), int(s) + 1000) for s in rng.integers(0, size - 1000, n)]
        out["motif: 1 kbp region"] = _per_call_us(motif, regions, passes=3)
    out["motif: 1 kbp DNA"] = _per_call_us(motif.encode_dna, dna[: max(20, n // 10)], passes=3)
    return out


# ----------------------------------------------------------------- 2. import + load
_LOAD_OURS = """
import sys, time
t0, c0 = time.perf_counter(), time.process_time()
from genovocab.tokenizers import IntervalTokenizer
tok = IntervalTokenizer.from_pretrained({folder!r})
ids = tok(("chr1", 1_000_000, 1_100_000))["input_ids"]
t1, c1 = time.perf_counter(), time.process_time()
heavy = [m for m in {heavy!r} if m in sys.modules]
print(t1 - t0, c1 - c0, len(ids), ",".join(heavy) or "none")
"""
_LOAD_GTARS = """
import sys, time
t0, c0 = time.perf_counter(), time.process_time()
from gtars.models import Region
from gtars.tokenizers import Tokenizer
tok = Tokenizer.from_bed({universe!r})
ids = tok([Region("chr1", 1_000_000, 1_100_000, "")])["input_ids"]
t1, c1 = time.perf_counter(), time.process_time()
print(t1 - t0, c1 - c0, len(ids), "-")
"""


def _fresh(code: str) -> tuple[float, float, int, str]:
    """(wall s, CPU s, number of ids, heavy modules) printed by ``code`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), out[3]


def make_folder(universe: Path) -> Path:
    import warnings

    from genovocab.tokenizers import IntervalTokenizer

    folder = OUT / f"tok_{universe.stem}"
    if not (folder / "universe.bed.gz").exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            IntervalTokenizer.from_bed(universe).save_pretrained(folder)
    return folder


# ----------------------------------------------------------------- 3. in memory
def memory_ours(universe: str, query: str, form: str, repeats: int) -> dict:
    import warnings

    from genovocab.tokenizers import IntervalTokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = IntervalTokenizer.from_bed(universe)
    if form == "path":
        doc = query
    else:
        rows = _read_tuples(query)
        if form == "tuples":
            doc = rows
        else:
            chroms = np.array([r[0] for r in rows], dtype=object)
            starts = np.array([r[1] for r in rows], dtype=np.int64)
            ends = np.array([r[2] for r in rows], dtype=np.int64)
            if form == "arrays":
                doc = (chroms, starts, ends)
            elif form == "pyarrow":
                import pyarrow as pa

                doc = pa.table(
                    {"chrom": pa.array(chroms.tolist(), pa.string()), "start": starts, "end": ends}
                )
            else:
                import pandas as pd

                doc = pd.DataFrame({"chrom": chroms, "start": starts, "end": ends})
    ids = tok(doc, return_tensors="np")["input_ids"][0]  # warm-up (imports, caches)
    times, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ids = tok(doc, return_tensors="np")["input_ids"][0]
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {
        "s": statistics.median(times),
        "cpu": statistics.median(cpus),
        "n": len(ids),
        "digest": _digest(ids),
    }


def memory_gtars(universe: str, query: str, form: str, repeats: int) -> dict:
    from gtars.models import Region
    from gtars.tokenizers import Tokenizer

    tok = Tokenizer.from_bed(universe)
    doc = query if form == "path" else [Region(c, s, e, "") for c, s, e in _read_tuples(query)]
    ids = tok(doc)["input_ids"]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ids = tok(doc)["input_ids"]
        times.append(time.perf_counter() - t0)
    return {"s": statistics.median(times), "n": len(ids), "digest": _digest(ids)}


# ----------------------------------------------------------------- driver
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--release",
        default=None,
        help="a release folder: also measure its sequence and motif tokenizers",
    )
    parser.add_argument("--parts", nargs="*", default=["calls", "load", "memory"])
    args = parser.parse_args(argv)
    n_regions = 100_000 if args.quick else 1_000_000
    repeats = 3 if args.quick else 5
    files = prepare(n_regions, [10_000, n_regions])
    universe = str(files["universes"]["plain"])
    query_big = str(files["queries"][n_regions])
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
    )
    if "calls" in args.parts:
        ours = measure(calls_ours, universe, 2000).result
        theirs = measure(calls_gtars, universe, 2000).result
        rows = []
        for width in (1, 10):
            for what in ("call", "encode", "tokenize"):
                key = f"{what} {width}"
                rows.append(
                    {
                        "regions per call": width,
                        "method": what,
                        "ours_us": f"{ours[key]:.1f}",
                        "gtars_us": f"{theirs[key]:.1f}",
                        "ours/gtars": f"{ours[key] / theirs[key]:.1f}",
                        "ours_cpu_us": f"{ours[key + ' cpu']:.1f}",
                        "gtars_cpu_us": f"{theirs[key + ' cpu']:.1f}",
                        "ids equal": ours[f"ids {width}"] == theirs[f"ids {width}"],
                    }
                )
            ok &= ours[f"ids {width}"] == theirs[f"ids {width}"]
        print(
            f"per call ({n_regions:,}-region universe, 2,000 different queries, mean us; "
            "wall, and CPU time of the process):"
        )
        print(
            report(
                rows,
                [
                    "regions per call",
                    "method",
                    "ours_us",
                    "gtars_us",
                    "ours/gtars",
                    "ours_cpu_us",
                    "gtars_cpu_us",
                    "ids equal",
                ],
            ),
            flush=True,
        )
        if args.release:
            rel = measure(calls_release, args.release, 200).result
            print(f"\nrelease tokenizers, one item per call ({args.release}):")
            print(
                report([{"call": k, "us": f"{v:.0f}"} for k, v in rel.items()], ["call", "us"]),
                flush=True,
            )
        print()
    if "load" in args.parts:
        rows = []
        sizes = [("10k", 10_000), (f"{n_regions // 1000}k", n_regions)]
        for label, n in sizes:
            upath = Path(universe)
            if n != n_regions:
                upath = OUT / f"universe_{n}.bed"
                if not upath.exists():
                    lines = Path(universe).read_text().splitlines(keepends=True)
                    step = len(lines) // n
                    upath.write_text("".join(lines[::step][:n]))
            folder = make_folder(upath)
            ours = [
                _fresh(_LOAD_OURS.format(folder=str(folder), heavy=HEAVY)) for _ in range(repeats)
            ]
            theirs = [
                _fresh(_LOAD_GTARS.format(universe=str(folder / "universe.bed.gz")))
                for _ in range(repeats)
            ]
            t_ours = statistics.median(r[0] for r in ours)
            t_gt = statistics.median(r[0] for r in theirs)
            rows.append(
                {
                    "universe": label,
                    "ours_s": f"{t_ours:.3f}",
                    "gtars_s": f"{t_gt:.3f}",
                    "ours/gtars": f"{t_ours / t_gt:.2f}",
                    "ours_range_s": f"{min(r[0] for r in ours):.3f}-{max(r[0] for r in ours):.3f}",
                    "ours_cpu_s": f"{statistics.median(r[1] for r in ours):.3f}",
                    "gtars_cpu_s": f"{statistics.median(r[1] for r in theirs):.3f}",
                    "heavy modules imported": ours[0][3],
                }
            )
        print(f"import + load + one call, fresh interpreter (median of {repeats} processes, s):")
        print(
            report(
                rows,
                [
                    "universe",
                    "ours_s",
                    "ours_range_s",
                    "gtars_s",
                    "ours/gtars",
                    "ours_cpu_s",
                    "gtars_cpu_s",
                    "heavy modules imported",
                ],
            ),
            flush=True,
        )
        print()
    if "memory" in args.parts:
        rows = []
        path = measure(memory_ours, universe, query_big, "path", repeats)
        results = {"path": path}
        for form in ("tuples", "arrays", "pyarrow", "pandas"):
            results[form] = measure(memory_ours, universe, query_big, form, repeats)
        gt = {
            form: measure(memory_gtars, universe, query_big, form, repeats)
            for form in ("path", "memory")
        }
        base = path.result["s"]
        # gtars from a path returns the tokens grouped by chromosome name (chr1, chr10, ...),
        # not in the file's order: only its multiset (the sorted half of the digest) counts
        want = path.result["digest"]
        same = (
            all(m.result["digest"] == want for m in [*results.values(), gt["memory"]])
            and gt["path"].result["digest"].split("/")[1] == want.split("/")[1]
        )
        ok &= same
        for form, m in results.items():
            peer = gt["path"] if form == "path" else gt["memory"]
            rows.append(
                {
                    "input": form,
                    "ours_s": f"{m.result['s']:.3f}",
                    "ours/path": f"{m.result['s'] / base:.2f}",
                    "ours_cpu_s": f"{m.result['cpu']:.3f}",
                    "cpu/path": f"{m.result['cpu'] / path.result['cpu']:.2f}",
                    "gtars_s": f"{peer.result['s']:.3f}"
                    + (" (path)" if form == "path" else " (Regions)"),
                    "ours/gtars": f"{m.result['s'] / peer.result['s']:.2f}",
                    "peak_MiB": f"{m.peak_mib:.0f}",
                    "tokens": m.result["n"],
                }
            )
        print(
            f"{n_regions // 1000}k queries x {n_regions // 1000}k regions (median of "
            f"{repeats} calls after a warm-up, s; gtars peak "
            f"{gt['path'].peak_mib:.0f} / {gt['memory'].peak_mib:.0f} MiB path / Regions):"
        )
        print(
            report(
                rows,
                [
                    "input",
                    "ours_s",
                    "ours/path",
                    "ours_cpu_s",
                    "cpu/path",
                    "gtars_s",
                    "ours/gtars",
                    "peak_MiB",
                    "tokens",
                ],
            )
        )
        print(
            f"same ids for every input and for gtars (in order; gtars from a path: the same "
            f"multiset, grouped by chromosome name): {same}"
        )
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
