"""Exact genome-wide counts of distinct active sets in bounded memory (a diagnostic).

The vocabulary (``vocabulary.py``) never needs every distinct pattern. The figures that
describe the patterns themselves do: how many distinct active sets a genome has, how many are
seen once, the Zipf fit over all of them (the measure of Davarmanesh et al., whose tokens were
the sets). On hg38 there are ~150 M of them, too many for one job's memory. So they are
counted **hash-sharded**: every chromosome's distinct patterns (as sets: ids ascending) are
routed by a 64-bit hash to one of ``n_shards`` files on disk, then each shard is counted on its
own. Within a shard, rows are grouped by (length, two 64-bit hashes) and every row is compared
id by id with its group's first; a row that differs (a hash collision) is counted exactly
apart, by its ids, so a collision never merges two sets and never stops the count. Memory is
one shard (the patterns / ``n_shards``) plus one chunk; the result is a histogram (bins per
set -> number of sets), from which the Zipf fit over all ranks is exact
(:func:`zipf_from_histogram`).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from genovocab.errors import GenovocabError
from genovocab.motifs.patterns import _hash_weights, _pattern_hashes, _ranges

HashFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def as_sets(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Each pattern's ids in ascending order (its set), same layout (int32): one sort of
    ``row * 2^32 + id``."""
    sizes = np.diff(indptr)
    key = np.repeat(np.arange(sizes.size, dtype=np.int64) << np.int64(32), sizes)
    key |= indices.astype(np.int64)
    key.sort()
    return (key & np.int64(0xFFFFFFFF)).astype(np.int32)


def default_hash(n_clusters: int = 1 << 16) -> HashFn:
    """The two random-weight hashes of ``patterns.py`` (order-aware; sets are sorted first)."""
    weights = _hash_weights(n_clusters)

    def hashes(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if indices.size and int(indices.max()) >= weights[0].size:
            raise GenovocabError(
                f"cluster id {int(indices.max())} exceeds the hash table ({weights[0].size})"
            )
        return _pattern_hashes(indices.astype(np.int64), indptr, weights)

    return hashes


# a shard file's rows: the set's length, its bins and its two hashes (computed once, when the
# set is routed); its ids go to a second file
ROW = np.dtype([("size", "<i4"), ("count", "<i8"), ("h1", "<u8"), ("h2", "<u8")])
SHARD_IDS = 1 << 24  # cluster ids per shard (expected): ~64 MiB of ids, ~200 MiB to count


def _exact_groups(
    indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray, h1: np.ndarray, h2: np.ndarray
) -> np.ndarray:
    """Bins per distinct pattern of one shard (any order): grouped by (length, hashes), every
    row checked id by id against its group's first; rows that differ are counted by their ids."""
    sizes = np.diff(indptr)
    if not sizes.size:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((h2, h1, sizes))
    new = np.ones(order.size, dtype=bool)
    new[1:] = (
        (sizes[order[1:]] != sizes[order[:-1]])
        | (h1[order[1:]] != h1[order[:-1]])
        | (h2[order[1:]] != h2[order[:-1]])
    )
    starts = np.flatnonzero(new)
    group = np.empty(order.size, dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    rep = order[starts][group]  # each row's group's first row (in sorted order)
    del order, new
    same = np.ones(sizes.size, dtype=bool)
    for lo in range(0, sizes.size, 1 << 16):
        hi = min(sizes.size, lo + (1 << 16))
        mine = indices[indptr[lo] : indptr[hi]]
        theirs = indices[_ranges(indptr[rep[lo:hi]], sizes[lo:hi])]
        diff = mine != theirs
        if diff.any():
            bad_rows = np.repeat(np.arange(lo, hi), sizes[lo:hi])[diff]
            same[np.unique(bad_rows)] = False
    totals = np.bincount(
        group[same], weights=counts[same].astype(np.float64), minlength=starts.size
    ).astype(np.int64)
    out = [totals[totals > 0]]
    if not same.all():  # hash collisions: these rows are counted by their ids
        apart: dict[tuple[int, ...], int] = {}
        for i in np.flatnonzero(~same).tolist():
            key = tuple(indices[indptr[i] : indptr[i + 1]].tolist())
            apart[key] = apart.get(key, 0) + int(counts[i])
        # equal ids have equal hashes: a row equal to its group's first is never here
        out.append(np.array(list(apart.values()), dtype=np.int64))
    return np.concatenate(out)


def _blocks(chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], block: int):
    """The chunks cut into blocks of at most ``block`` patterns (the sort that makes sets and
    the routing take ~30 B per cluster id: a block bounds them)."""
    for indptr, indices, counts in chunks:
        n = indptr.size - 1
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            yield (
                indptr[lo : hi + 1] - indptr[lo],
                indices[indptr[lo] : indptr[hi]],
                np.asarray(counts)[lo:hi],
            )


def shard_count(total_ids: int, shard_ids: int = SHARD_IDS) -> int:
    """Shards for ``total_ids`` cluster ids: each holds ~``shard_ids`` of them, so counting a
    shard takes the same memory whatever the genome (more ids, more shards)."""
    return max(1, -(-int(total_ids) // int(shard_ids)))


def open_shard_limit() -> int:
    """Shards written in one pass: two files each, within the process's open-file limit."""
    soft = 1024
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft == resource.RLIM_INFINITY:
            soft = 4096
    except (ImportError, OSError, ValueError):
        pass
    return max(8, min(1024, (int(soft) - 64) // 2))


def _route(chunks, tmp: Path, n_shards: int, lo: int, hi: int, hashes: HashFn, block: int) -> None:
    """Write the sets of shards ``lo..hi-1`` (of ``n_shards``) to their files, ``block``
    patterns at a time: every set's rows (length, bins, hashes) and ids, appended."""
    rows_files = [open(tmp / f"{s}.rows", "ab") for s in range(lo, hi)]
    ids_files = [open(tmp / f"{s}.ids", "ab") for s in range(lo, hi)]
    try:
        for indptr, indices, counts in _blocks(chunks(), block):
            ids = as_sets(indptr, indices)
            h1, h2 = hashes(indptr, ids)
            shard = (h1 % np.uint64(n_shards)).astype(np.int64)
            mine = np.flatnonzero((shard >= lo) & (shard < hi))
            if not mine.size:
                continue
            mine = mine[np.argsort(shard[mine], kind="stable")]
            sizes = np.diff(indptr)[mine]
            rows = np.empty(mine.size, dtype=ROW)
            rows["size"], rows["count"] = sizes, np.asarray(counts)[mine]
            rows["h1"], rows["h2"] = h1[mine], h2[mine]
            ordered = ids[_ranges(indptr[mine], sizes)]
            ptr = np.zeros(mine.size + 1, dtype=np.int64)
            np.cumsum(sizes, out=ptr[1:])
            bounds = np.searchsorted(shard[mine], np.arange(lo, hi + 1))
            for s in np.flatnonzero(np.diff(bounds)).tolist():
                a, b = int(bounds[s]), int(bounds[s + 1])
                rows_files[s].write(rows[a:b].tobytes())
                ids_files[s].write(ordered[ptr[a] : ptr[b]].tobytes())
    finally:
        for handle in rows_files + ids_files:
            handle.close()


def _count_shard(tmp: Path, s: int, histogram: dict[int, int]) -> None:
    """Add one shard's distinct sets to ``histogram`` (bins per set -> sets) and remove it."""
    rows_path, ids_path = tmp / f"{s}.rows", tmp / f"{s}.ids"
    rows = np.fromfile(rows_path, dtype=ROW)
    ids = np.fromfile(ids_path, dtype=np.int32)
    indptr = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(rows["size"], out=indptr[1:])
    if int(indptr[-1]) != ids.size:
        raise GenovocabError(f"{ids_path}: {ids.size} ids for rows of {int(indptr[-1])}")
    counts = _exact_groups(
        indptr,
        ids,
        np.ascontiguousarray(rows["count"]),
        np.ascontiguousarray(rows["h1"]),
        np.ascontiguousarray(rows["h2"]),
    )
    values, freq = np.unique(counts, return_counts=True)
    for v, f in zip(values.tolist(), freq.tolist()):
        histogram[v] = histogram.get(v, 0) + f
    rows_path.unlink()
    ids_path.unlink()


def count_sets_sharded(
    chunks: Callable[[], Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]],
    n_shards: int | None = None,
    work_dir: str | os.PathLike | None = None,
    hashes: HashFn | None = None,
    block: int = 1 << 17,
    total_ids: int | None = None,
    shard_ids: int = SHARD_IDS,
    max_open: int | None = None,
) -> dict[int, int]:
    """Histogram {bins per distinct active set: number of sets} over every pattern of
    ``chunks()`` (each chunk: ``indptr``, ids, bins per pattern), counted exactly by shard.

    ``n_shards`` (default: :func:`shard_count` of ``total_ids``, which is counted by one pass
    when not given) fixes each shard's expected size, so the memory of counting one shard does
    not grow with the genome. At most ``max_open`` shards (default :func:`open_shard_limit`)
    are written per pass over ``chunks()``; more shards take more passes. The shards are
    written under a temporary folder in ``work_dir`` and removed as they are counted.
    ``hashes`` (tests) replaces the hash, e.g. by one that collides on purpose.
    """
    hashes = hashes or default_hash()
    if n_shards is None:
        if total_ids is None:
            total_ids = sum(int(indices.size) for _, indices, _ in chunks())
        n_shards = shard_count(total_ids, shard_ids)
    per_pass = max(1, int(max_open or open_shard_limit()))
    tmp = Path(tempfile.mkdtemp(prefix="set-shards-", dir=work_dir))
    histogram: dict[int, int] = {}
    try:
        for lo in range(0, n_shards, per_pass):
            hi = min(n_shards, lo + per_pass)
            _route(chunks, tmp, n_shards, lo, hi, hashes, block)
            for s in range(lo, hi):
                _count_shard(tmp, s, histogram)
        return dict(sorted(histogram.items()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def zipf_from_histogram(
    histogram: dict[int, int], band: tuple[int, int] | None = None, chunk: int = 1 << 22
) -> dict:
    """:func:`~genovocab.motifs.vocabulary.zipf_fit` of the counts a histogram stands for (each
    count ``c`` repeated ``histogram[c]`` times), without expanding them: the sums over ranks
    are taken run by run, ``chunk`` ranks at a time. ``band``: only counts inside it."""
    items = sorted(
        (
            (c, n)
            for c, n in histogram.items()
            if c > 0 and (band is None or band[0] <= c <= band[1])
        ),
        reverse=True,
    )
    n_tokens = sum(n for _, n in items)
    result = {
        "n_tokens": int(n_tokens),
        "n_occurrences": int(sum(c * n for c, n in items)),
        "pearson_r": float("nan"),
        "slope": float("nan"),
        "intercept": float("nan"),
    }
    if n_tokens < 3 or len(items) < 2:
        return result
    sx = sxx = sy = syy = sxy = 0.0
    rank = 1
    for c, n in items:
        y = math.log10(c)
        for lo in range(rank, rank + n, chunk):
            x = np.log10(np.arange(lo, min(rank + n, lo + chunk), dtype=np.float64))
            s, ss = float(x.sum()), float((x * x).sum())
            sx, sxx, sxy = sx + s, sxx + ss, sxy + y * s
        sy, syy = sy + n * y, syy + n * y * y
        rank += n
    m = float(n_tokens)
    cov = sxy - sx * sy / m
    vx, vy = sxx - sx * sx / m, syy - sy * sy / m
    slope = cov / vx
    result.update(pearson_r=cov / math.sqrt(vx * vy), slope=slope, intercept=(sy - slope * sx) / m)
    return result


def set_census(
    chunks,
    n_shards: int | None = None,
    work_dir: str | os.PathLike | None = None,
    band: Sequence[int] = (500, 1_000_000),
    total_ids: int | None = None,
) -> dict:
    """The patterns' figures: distinct active sets, share seen once, Zipf fit over all of
    them and over the paper's frequency band (a diagnostic, not the vocabulary).
    ``n_shards``, ``total_ids``: see :func:`count_sets_sharded`."""
    histogram = count_sets_sharded(chunks, n_shards, work_dir, total_ids=total_ids)
    n_sets = sum(histogram.values())
    lo, hi = int(band[0]), int(band[1])
    return {
        "n_sets": int(n_sets),
        "fraction_sets_seen_once": histogram.get(1, 0) / n_sets if n_sets else float("nan"),
        "zipf_all_sets": zipf_from_histogram(histogram),
        "band": [lo, hi],
        "zipf_band": zipf_from_histogram(histogram, (lo, hi)),
    }
