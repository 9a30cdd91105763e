"""Shared measuring for the benchmark scripts: wall time, CPU time and peak RSS of one call.

Each measured call runs in a fresh interpreter (multiprocessing "spawn"), so its peak RSS is
its own and not the benchmark driver's. External tools (bedtools, ...) are run from inside that
child, and their peak RSS is read from RUSAGE_CHILDREN. CPU time (user + sys, all threads of
the child and of the tools it waited for) is read with ``resource.getrusage`` around each call,
so it stays meaningful on a shared machine where wall time is noisy.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REAL_DATA_VARIABLE = "GENOVOCAB_REAL_DATA"


def real_data_dir() -> Path:
    """The real-data folder named by ``$GENOVOCAB_REAL_DATA`` (laid out as described in
    docs/performance.md). When the variable is unset the path does not exist, and a benchmark
    that needs real data says so and measures nothing."""
    return Path(os.environ.get(REAL_DATA_VARIABLE) or f"${REAL_DATA_VARIABLE}-is-unset")


@dataclass
class Measure:
    """Median wall time (s) over the repeats, the largest peak RSS (MiB), the call's result;
    ``cpu_seconds``: median CPU time (user + sys, s) over the repeats, ``cpu_times`` each."""

    seconds: float
    peak_mib: float
    result: object
    times: list[float]
    cpu_seconds: float = float("nan")
    cpu_times: list[float] = field(default_factory=list)


def _vm_hwm_kib() -> int:
    """This process's peak RSS since exec (VmHWM). ru_maxrss would include the parent's RSS at
    fork time, since Linux keeps it across exec."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu_seconds() -> float:
    """User + system CPU time of this process (all its threads) and of its waited-for children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _child(conn, fn: Callable, args: tuple, kwargs: dict, repeats: int) -> None:
    times, cpus = [], []
    result = None
    for _ in range(repeats):
        c0 = _cpu_seconds()
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu_seconds() - c0)
    self_kib = _vm_hwm_kib()
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    conn.send((times, max(self_kib, child_kib) / 1024.0, result, cpus))
    conn.close()


def measure(fn: Callable, *args, repeats: int = 1, **kwargs) -> Measure:
    """Run ``fn(*args, **kwargs)`` ``repeats`` times in a fresh process; wall and CPU time and
    peak RSS.

    ``fn`` must be importable (a module-level function) and its result picklable; return a
    small summary (a count), not the data.
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, repeats))
    proc.start()
    child.close()
    try:
        times, peak, result, cpus = parent.recv()
    except EOFError:  # the child died before sending (killed for memory, crashed)
        proc.join()
        raise RuntimeError(f"measured call {fn.__name__} died (exit {proc.exitcode})") from None
    proc.join()
    if proc.exitcode:
        raise RuntimeError(f"measured call {fn.__name__} failed (exit {proc.exitcode})")
    return Measure(statistics.median(times), peak, result, times, statistics.median(cpus), cpus)


def run_command(cmd: list[str], stdout_path: str | None = None) -> int:
    """Run an external command (stdout to a file or discarded); returns its output line count."""
    if stdout_path is None:
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
        return out.count(b"\n")
    with open(stdout_path, "wb") as handle:
        subprocess.run(cmd, check=True, stdout=handle)
    with open(stdout_path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def report(rows: list[dict], columns: list[str]) -> str:
    """A fixed-width table of ``rows`` (dicts) in ``columns`` order."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)
