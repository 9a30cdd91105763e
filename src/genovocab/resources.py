"""Cluster resource requests that follow the work: memory and runtime from input size x attempt.

A rule's ``resources:`` get callables made here, e.g.
``mem_mb=RS.mem_mb(base=300, per_unit=6)``: Snakemake calls them with the job's ``input`` (so
its size is known when the job is scheduled) and its ``attempt`` (1, 2, 3 on retries), and the
request is

    mem_mb  = min(cap, max(floor, base + per_unit * units) * attempt)
    runtime = min(cap, max(floor, base + per_unit * units) * attempt)   (minutes)

with ``units`` the MB of the job's inputs, of one named input, or the Mbp of its chromosome.

The floor of 200 MB covers the in-job Snakemake process itself (~190 MB measured); the cap
comes from the config (``resources.max_mem_mb``, ``resources.max_runtime``) so a retry never asks
for more than the cluster's largest node holds. The coefficients of each rule are measured
(``benchmarks/bench_scale.py``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

FLOOR_MB = 200
"""Smallest memory request (MB): the in-job Snakemake process alone peaks at ~190 MB."""
FLOOR_MINUTES = 5
"""Smallest runtime request (minutes)."""
JOB_OVERHEAD_MB = 200
"""Added to every rule's own ``base``: the in-job Snakemake process that runs the script (a
SLURM job's memory limit counts both; measured: a 250 MB script peaks at ~430 MB as a job)."""
DEFAULT_MAX_MEM_MB = 64000
DEFAULT_MAX_RUNTIME = 24 * 60


def scaled(
    units: float, attempt: int, *, base: float, per_unit: float, floor: float, cap: float
) -> int:
    """``min(cap, max(floor, base + per_unit * units) * attempt)``, rounded up."""
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    need = max(float(floor), float(base) + float(per_unit) * max(float(units), 0.0))
    return int(math.ceil(min(float(cap), need * attempt)))


def caps(config: Mapping[str, Any]) -> tuple[int, int]:
    """(max_mem_mb, max_runtime) from the config's optional ``resources`` section."""
    section = config.get("resources") or {}
    mem = int(section.get("max_mem_mb") or DEFAULT_MAX_MEM_MB)
    runtime = int(section.get("max_runtime") or DEFAULT_MAX_RUNTIME)
    if mem < FLOOR_MB:
        raise ValueError(f"resources.max_mem_mb must be >= {FLOOR_MB}, got {mem}")
    if runtime < FLOOR_MINUTES:
        raise ValueError(f"resources.max_runtime must be >= {FLOOR_MINUTES}, got {runtime}")
    return mem, runtime


def _input_mb(input: Any) -> float:
    """Total size of a job's input files in MB (0 when not known yet)."""
    try:
        return float(input.size_mb)
    except OSError:  # files not there yet: ask for the base (Snakemake re-evaluates later)
        return 0.0


def _path_mb(path: str) -> float:
    """MB of a file, or of every file below a folder (0 when it does not exist yet)."""
    if os.path.isdir(path):
        return sum(
            _path_mb(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names
        )
    try:
        return os.path.getsize(path) / 1e6
    except OSError:
        return 0.0


def chrom_mbp(wildcards: Any, input: Any, chrom_sizes: str | None = None) -> float:
    """Length in Mbp of the job's chromosome (``wildcards.chrom``), read from its
    ``chrom_sizes`` or ``fai`` input, else from the workflow's ``chrom_sizes`` file (0 when none
    is there yet, i.e. before genome preparation ran)."""
    chrom = getattr(wildcards, "chrom", None)
    if chrom is None:
        return 0.0
    paths = [getattr(input, key, None) for key in ("chrom_sizes", "fai")] + [chrom_sizes]
    from genovocab.io.chromsizes import read_chrom_sizes

    for path in paths:
        if path and os.path.exists(str(path)):
            length = read_chrom_sizes(str(path)).get(chrom)
            if length is not None:
                return length / 1e6
    return 0.0


def _lines(path: str) -> int:
    """Lines of a text file (0 when it does not exist yet)."""
    try:
        with open(path, "rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def work_units(wildcards: Any, input: Any, by: str, chrom_sizes: str | None = None) -> float:
    """The size a request scales with: ``"input"`` = MB of all inputs, ``"chrom"`` = Mbp of the
    job's chromosome, ``"block"`` = that divided by the job's ``nblocks`` wildcard (one block of
    a chromosome), ``"input:<name>"`` = MB of the named input only, ``"lines2:<name>"`` = the
    square of the named input's line count in millions (a d x d matrix of a table's rows)."""
    if by == "input":
        return _input_mb(input)
    if by == "chrom":
        return chrom_mbp(wildcards, input, chrom_sizes)
    if by == "block":
        return chrom_mbp(wildcards, input, chrom_sizes) / max(
            1, int(getattr(wildcards, "nblocks", 1) or 1)
        )
    if by.startswith("lines2:"):
        path = getattr(input, by.split(":", 1)[1], None)
        return _lines(str(path)) ** 2 / 1e6 if path else 0.0
    if by.startswith("input:"):
        files = getattr(input, by.split(":", 1)[1], None) or []
        files = [files] if isinstance(files, str) else list(files)
        return sum(_path_mb(str(f)) for f in files)
    raise ValueError(f"unknown resource scaling {by!r} ({SCALINGS})")


SCALINGS = "input | chrom | block | input:<name> | lines2:<name>"


@dataclass(frozen=True)
class RequestKind:
    """One kind of request a rule makes: its ``resources:`` name, its smallest value (also
    the default ``base``), what is added to every rule's own ``base``, and the
    :class:`ResourceScaler` attribute holding its configured cap."""

    name: str
    floor: float
    overhead: float
    cap: str


MEM_MB = RequestKind("mem_mb", FLOOR_MB, JOB_OVERHEAD_MB, "max_mem_mb")
RUNTIME = RequestKind("runtime", FLOOR_MINUTES, 0, "max_runtime")


def _request_method(kind: RequestKind, doc: str) -> Callable[..., Callable[..., int]]:
    """The :class:`ResourceScaler` method that makes ``kind``'s callables (one code for
    memory and runtime: they differ only in the numbers of ``kind``)."""

    def method(
        self: ResourceScaler,
        base: float = kind.floor,
        per_unit: float = 0.0,
        by: str = "input",
        floor: float = kind.floor,
    ) -> Callable[..., int]:
        cap = max(getattr(self, kind.cap), floor)
        return self._make(kind.name, base + kind.overhead, per_unit, by, floor, cap)

    method.__name__ = kind.name
    method.__qualname__ = f"ResourceScaler.{kind.name}"
    method.__doc__ = doc
    return method


class ResourceScaler:
    """Makes the resource callables of a workflow with one config's caps."""

    def __init__(self, config: Mapping[str, Any], chrom_sizes: str | None = None):
        self.max_mem_mb, self.max_runtime = caps(config)
        self.chrom_sizes = chrom_sizes

    mem_mb = _request_method(
        MEM_MB,
        """``mem_mb`` callable: the script's ``base`` MB plus :data:`JOB_OVERHEAD_MB` plus
        ``per_unit`` MB per unit of ``by`` (see :func:`work_units`), times the attempt, within
        [floor, resources.max_mem_mb].""",
    )
    runtime = _request_method(
        RUNTIME,
        """``runtime`` callable (minutes), scaled like :meth:`mem_mb`, capped by
        ``resources.max_runtime``.""",
    )

    def _make(
        self, name: str, base: float, per_unit: float, by: str, floor: float, cap: float
    ) -> Callable[..., int]:
        if by not in ("input", "chrom", "block") and not by.startswith(("input:", "lines2:")):
            raise ValueError(f"unknown resource scaling {by!r} ({SCALINGS})")

        def request(wildcards, input, attempt):
            units = work_units(wildcards, input, by, self.chrom_sizes)
            return scaled(units, attempt, base=base, per_unit=per_unit, floor=floor, cap=cap)

        request.__name__ = name
        request.scaling = dict(base=base, per_unit=per_unit, by=by, floor=floor, cap=cap)
        return request
