"""Foundation benchmark: reading BED files (plain and gzip) into per-chromosome arrays.

Ours (``genovocab.io.read_bed``: checked coordinates, line numbers) vs the peer pybedtools
(``BedTool`` iteration into arrays) and vs bare ``pandas.read_csv`` (no checks, the floor).
Usage: python benchmarks/bench_io.py [--rows N] [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import measure, report  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "io"


def make_narrowpeak(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` narrowPeak lines over 24 chromosomes, sorted, deterministic."""
    rng = np.random.default_rng(seed)
    chroms = np.sort(rng.integers(1, 25, size=rows))
    starts = rng.integers(0, 200_000_000, size=rows)
    order = np.lexsort((starts, chroms))
    chroms, starts = chroms[order], starts[order]
    widths = rng.integers(150, 1500, size=rows)
    lines = [
        f"chr{c}\t{s}\t{s + w}\tpeak{i}\t{i % 1000}\t.\t5.0\t3.0\t2.0\t{w // 2}\n"
        for i, (c, s, w) in enumerate(zip(chroms, starts, widths))
    ]
    data = "".join(lines).encode()
    path.write_bytes(gzip.compress(data, 6) if path.suffix == ".gz" else data)


def ours(path: str) -> int:
    from genovocab.io import read_bed

    return len(read_bed(path))


def pybedtools_arrays(path: str) -> int:
    import pybedtools

    starts, ends, chroms = [], [], []
    for interval in pybedtools.BedTool(path):
        chroms.append(interval.chrom)
        starts.append(interval.start)
        ends.append(interval.end)
    return len(np.asarray(starts, dtype=np.int64))


def pandas_floor(path: str) -> int:
    import pandas as pd

    frame = pd.read_csv(path, sep="\t", header=None, usecols=[0, 1, 2])
    return len(frame[1].to_numpy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100k rows")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for suffix in (".bed", ".bed.gz"):
        path = OUT / f"peaks_{rows}{suffix}"
        if not path.exists():
            make_narrowpeak(path, rows)
        base = measure(ours, str(path), repeats=3)
        for name, fn in (("pybedtools", pybedtools_arrays), ("pandas (no checks)", pandas_floor)):
            peer = measure(fn, str(path), repeats=3)
            assert peer.result == base.result, (peer.result, base.result)
            results.append(
                {
                    "file": path.name,
                    "peer": name,
                    "ours_s": f"{base.seconds:.3f}",
                    "peer_s": f"{peer.seconds:.3f}",
                    "ratio_ours/peer": f"{base.seconds / peer.seconds:.2f}",
                    "ours_MiB": f"{base.peak_mib:.0f}",
                    "peer_MiB": f"{peer.peak_mib:.0f}",
                    "rows": base.result,
                }
            )
    print(
        report(
            results,
            ["file", "peer", "ours_s", "peer_s", "ratio_ours/peer", "ours_MiB", "peer_MiB", "rows"],
        )
    )


if __name__ == "__main__":
    main()
