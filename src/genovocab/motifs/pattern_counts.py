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
    """Each pattern's ids in ascending order (its set), same layout."""
    sizes = np.diff(indptr)
    rows = np.repeat(np.arange(sizes.size), sizes)
    return indices[np.lexsort((indices, rows))]


def default_hash(n_clusters: int = 1 << 16) -> HashFn:
    """The two random-weight hashes of ``patterns.py`` (order-aware; sets are sorted first)."""
    weights = _hash_weights(n_clusters)

    def hashes(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if indices.size and int(indices.max()) >= weights[0].size:
            raise GenovocabError(f"cluster id {int(indices.max())} exceeds the hash table "
                                 f"({weights[0].size})")
        return _pattern_hashes(indices.astype(np.int64), indptr, weights)
    return hashes


def _exact_groups(indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray,
                  hashes: HashFn) -> np.ndarray:
    """Bins per distinct pattern of one shard (any order): grouped by (length, hashes), every
    row checked id by id against its group's first; rows that differ are counted by their ids."""
    sizes = np.diff(indptr)
    if not sizes.size:
        return np.zeros(0, dtype=np.int64)
    h1, h2 = hashes(indptr, indices)
    keys = np.stack([sizes.astype(np.uint64), h1, h2], axis=1)
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    rep = first[group]
    same = np.ones(sizes.size, dtype=bool)
    for lo in range(0, sizes.size, 1 << 16):
        hi = min(sizes.size, lo + (1 << 16))
        mine = indices[indptr[lo]:indptr[hi]]
        theirs = indices[_ranges(indptr[rep[lo:hi]], sizes[lo:hi])]
        diff = mine != theirs
        if diff.any():
            bad_rows = np.repeat(np.arange(lo, hi), sizes[lo:hi])[diff]
            same[np.unique(bad_rows)] = False
    totals = np.bincount(group[same], weights=counts[same].astype(np.float64),
                         minlength=first.size).astype(np.int64)
    out = [totals[totals > 0]]
    if not same.all():  # hash collisions: these rows are counted by their ids
        apart: dict[tuple[int, ...], int] = {}
        for i in np.flatnonzero(~same).tolist():
            key = tuple(indices[indptr[i]:indptr[i + 1]].tolist())
            apart[key] = apart.get(key, 0) + int(counts[i])
        # equal ids have equal hashes: a row equal to its group's first is never here
        out = [totals[totals > 0], np.array(list(apart.values()), dtype=np.int64)]
    return np.concatenate(out)


def _blocks(chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], block: int):
    """The chunks cut into blocks of at most ``block`` patterns (the sort that makes sets and
    the routing take ~30 B per cluster id: a block bounds them)."""
    for indptr, indices, counts in chunks:
        n = indptr.size - 1
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            yield (indptr[lo:hi + 1] - indptr[lo], indices[indptr[lo]:indptr[hi]],
                   np.asarray(counts)[lo:hi])


def count_sets_sharded(chunks: Callable[[], Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]],
                       n_shards: int = 64, work_dir: str | os.PathLike | None = None,
                       hashes: HashFn | None = None, block: int = 1 << 17) -> dict[int, int]:
    """Histogram {bins per distinct active set: number of sets} over every pattern of
    ``chunks()`` (each chunk: ``indptr``, ids, bins per pattern), counted exactly by shard.

    The shards are written under a temporary folder in ``work_dir`` (removed after). ``hashes``
    (tests) replaces the hash, e.g. by one that collides on purpose.
    """
    hashes = hashes or default_hash()
    tmp = Path(tempfile.mkdtemp(prefix="set-shards-", dir=work_dir))
    try:
        files = [[open(tmp / f"{s}.{kind}", "wb") for kind in ("sizes", "ids", "counts")]
                 for s in range(n_shards)]
        try:
            for indptr, indices, counts in _blocks(chunks(), block):
                ids = as_sets(indptr, indices).astype(np.int32)
                h1, _ = hashes(indptr, ids)
                shard = (h1 % np.uint64(n_shards)).astype(np.int64)
                sizes = np.diff(indptr)
                order = np.argsort(shard, kind="stable")
                bounds = np.searchsorted(shard[order], np.arange(n_shards + 1))
                for s in np.flatnonzero(np.diff(bounds)).tolist():
                    rows = order[bounds[s]:bounds[s + 1]]
                    files[s][0].write(sizes[rows].astype(np.int32).tobytes())
                    files[s][1].write(ids[_ranges(indptr[rows], sizes[rows])].tobytes())
                    files[s][2].write(np.asarray(counts)[rows].astype(np.int64).tobytes())
        finally:
            for trio in files:
                for handle in trio:
                    handle.close()
        histogram: dict[int, int] = {}
        for s in range(n_shards):
            sizes = np.fromfile(tmp / f"{s}.sizes", dtype=np.int32).astype(np.int64)
            indptr = np.zeros(sizes.size + 1, dtype=np.int64)
            np.cumsum(sizes, out=indptr[1:])
            ids = np.fromfile(tmp / f"{s}.ids", dtype=np.int32)
            counts = np.fromfile(tmp / f"{s}.counts", dtype=np.int64)
            values, freq = np.unique(_exact_groups(indptr, ids, counts, hashes),
                                     return_counts=True)
            for v, f in zip(values.tolist(), freq.tolist()):
                histogram[v] = histogram.get(v, 0) + f
            for kind in ("sizes", "ids", "counts"):
                (tmp / f"{s}.{kind}").unlink()
        return dict(sorted(histogram.items()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def zipf_from_histogram(histogram: dict[int, int], band: tuple[int, int] | None = None,
                        chunk: int = 1 << 22) -> dict:
    """:func:`~genovocab.motifs.vocabulary.zipf_fit` of the counts a histogram stands for (each
    count ``c`` repeated ``histogram[c]`` times), without expanding them: the sums over ranks
    are taken run by run, ``chunk`` ranks at a time. ``band``: only counts inside it."""
    items = sorted(((c, n) for c, n in histogram.items() if c > 0
                    and (band is None or band[0] <= c <= band[1])), reverse=True)
    n_tokens = sum(n for _, n in items)
    result = {"n_tokens": int(n_tokens), "n_occurrences": int(sum(c * n for c, n in items)),
              "pearson_r": float("nan"), "slope": float("nan"), "intercept": float("nan")}
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
    result.update(pearson_r=cov / math.sqrt(vx * vy), slope=slope,
                  intercept=(sy - slope * sx) / m)
    return result


def set_census(chunks, n_shards: int = 64, work_dir: str | os.PathLike | None = None,
               band: Sequence[int] = (500, 1_000_000)) -> dict:
    """The patterns' figures: distinct active sets, share seen once, Zipf fit over all of
    them and over the paper's frequency band (a diagnostic, not the vocabulary)."""
    histogram = count_sets_sharded(chunks, n_shards, work_dir)
    n_sets = sum(histogram.values())
    lo, hi = int(band[0]), int(band[1])
    return {"n_sets": int(n_sets),
            "fraction_sets_seen_once": histogram.get(1, 0) / n_sets if n_sets else float("nan"),
            "zipf_all_sets": zipf_from_histogram(histogram),
            "band": [lo, hi], "zipf_band": zipf_from_histogram(histogram, (lo, hi))}
