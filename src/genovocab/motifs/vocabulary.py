"""The bounded motif vocabulary: a chosen number of tokens that gives every bin a real token.

Counting every distinct active-cluster pattern as a token does not give a vocabulary on a real
genome: on 2 Mbp of human sequence scanned with the 841 JASPAR 2022 CORE vertebrate matrices
nearly every bin has a pattern of its own (0.82 new patterns per bin, 91 % seen once), so a
frequency cut leaves most bins ``<unk>``, and hg38 would have ~150 M patterns. Here the
vocabulary has a size the user sets, like BPE's, and a rule maps every bin to a kept token:

* **Tokens are value-ordered prefixes.** A bin's pattern lists its active clusters strongest
  first (``patterns.py``); its *k-prefix* is its k strongest clusters. The *support* of a prefix
  is the number of bins whose k strongest clusters are exactly it. A prefix's support is at most
  its parent's (every bin counted for ``a, b, c`` is counted for ``a, b``), so the ``size``
  prefixes of largest support are closed under taking prefixes, and the empty prefix (support =
  every bin) is always among them.
* **Back-off.** A bin's token is its longest prefix in the vocabulary: its weakest active
  clusters are dropped until what is left is a token. The empty token ``m-`` always is, so the
  rule always ends, and ``<unk>`` is left for what cannot be binned. What a token keeps of its
  bin (the share of the bin's active clusters and of their summed value) is reported.
* **Built in bounded memory, exactly.** The vocabulary is found level by level (like Apriori):
  pass ``k`` streams the pattern files and counts only the k-prefixes whose (k-1)-prefix is
  kept, keyed exactly by ``(kept parent, cluster id)`` (no hash, so no collision), then keeps
  the ``size`` best of everything counted so far. A prefix can only enter if its parent is kept
  (it ranks after it), so the result equals the ``size`` best prefixes of the whole genome.
  Memory is the kept tokens and one level's candidates, whatever the genome; the passes are as
  many as the longest kept prefix, plus one to count each token's bins.

Token ids: ``0..4`` the special tokens, then the kept prefixes by descending support (ties:
shorter first, then the cluster ids lexicographically), so a token's parent always has a lower
id and the empty token is id 5.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genovocab.errors import GenovocabError, InputError

SPECIAL_TOKENS = ("<pad>", "<unk>", "<cls>", "<sep>", "<mask>")
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(len(SPECIAL_TOKENS))
N_SPECIAL = len(SPECIAL_TOKENS)
EMPTY_ID = N_SPECIAL
VOCAB_COLUMNS = ("id", "token", "count", "fraction", "support", "n_active", "clusters", "motifs")
# the default size: measured on real DNA (docs/motif-vocabulary.md), 4,096 ids keep a Zipf-like
# token stream and use most of the vocabulary on a few Mbp, the size of DNABERT-2's BPE
DEFAULT_VOCAB_SIZE = 4096
MAX_VOCAB_SIZE = 65536
_KEY = np.int64(1) << np.int64(32)  # exact key of a child prefix: parent * 2^32 + cluster

# (indptr, cluster ids strongest first, bins) of a chunk of distinct patterns
PatternChunk = tuple[np.ndarray, np.ndarray, np.ndarray]


def pattern_token(pattern: Sequence[int]) -> str:
    """Token string of a prefix: ``m3+m17`` (cluster 3 strongest, then 17); ``m-`` for none."""
    return "+".join(f"m{c}" for c in pattern) if len(pattern) else "m-"


def parse_pattern_token(token: str) -> tuple[int, ...] | None:
    """Inverse of :func:`pattern_token`; ``None`` when ``token`` is not a pattern string."""
    if token == "m-":
        return ()
    parts = token.split("+")
    if not all(p.startswith("m") and p[1:].isdigit() for p in parts):
        return None
    return tuple(int(p[1:]) for p in parts)


def check_size(size: int) -> int:
    """A vocabulary size (special tokens and the empty token included), or a clear error."""
    if not N_SPECIAL + 1 <= int(size) <= MAX_VOCAB_SIZE:
        raise GenovocabError(
            f"motifs.tokens.vocab_size must be {N_SPECIAL + 1}..{MAX_VOCAB_SIZE} "
            f"(the {N_SPECIAL} special tokens and the empty token included), "
            f"got {size}"
        )
    return int(size)


@dataclass
class MotifVocab:
    """Kept prefixes (token ``N_SPECIAL + i`` is prefix ``i``), their support and bins.

    ``support[i]``: bins whose strongest ``len(prefix i)`` clusters are prefix ``i``;
    ``counts[i]``: bins whose token it is by back-off (the token stream's frequencies).
    """

    patterns: list[tuple[int, ...]]
    support: np.ndarray
    counts: np.ndarray
    unk_count: int = 0

    def __post_init__(self) -> None:
        self.support = np.asarray(self.support, dtype=np.int64)
        self.counts = np.asarray(self.counts, dtype=np.int64)
        self._keys: np.ndarray | None = None
        self._children: np.ndarray | None = None

    def __len__(self) -> int:
        return N_SPECIAL + len(self.patterns)

    def index(self) -> dict[tuple[int, ...], int]:
        """Prefix -> token id."""
        return {p: N_SPECIAL + i for i, p in enumerate(self.patterns)}

    def tokens(self) -> list[str]:
        """Token strings in id order."""
        return list(SPECIAL_TOKENS) + [pattern_token(p) for p in self.patterns]

    def token_counts(self) -> np.ndarray:
        """Bins per token id (specials 0 except ``<unk>``)."""
        out = np.zeros(len(self), dtype=np.int64)
        out[UNK_ID] = self.unk_count
        out[N_SPECIAL:] = self.counts
        return out

    @property
    def sizes(self) -> np.ndarray:
        return np.array([len(p) for p in self.patterns], dtype=np.int64)

    def _trie(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted child keys ``parent * 2^32 + cluster`` and the child of each (prefix index)."""
        if self._keys is None:
            index = {p: i for i, p in enumerate(self.patterns)}
            if () not in index:
                raise GenovocabError("a motif vocabulary must hold the empty token m-")
            keys, children = [], []
            for i, p in enumerate(self.patterns):
                if not p:
                    continue
                parent = index.get(p[:-1])
                if parent is None:
                    raise GenovocabError(
                        f"token {pattern_token(p)} has no parent "
                        f"{pattern_token(p[:-1])} in the vocabulary"
                    )
                keys.append(parent * int(_KEY) + p[-1])
                children.append(i)
            order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
            self._keys = np.array(keys, dtype=np.int64)[order]
            self._children = np.array(children, dtype=np.int64)[order]
            self._root = index[()]
        return self._keys, self._children

    def assign(self, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Back-off: per pattern (cluster ids strongest first) the index of its longest prefix
        in the vocabulary (int64; add ``N_SPECIAL`` for the token id)."""
        return walk(self._trie(), self._root, indptr, indices)[0]

    def token_ids(self, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Token id (int32) of each pattern."""
        return (self.assign(indptr, indices) + N_SPECIAL).astype(np.int32)


def walk(
    trie: tuple[np.ndarray, np.ndarray],
    root: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    max_depth: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(node, depth) of every pattern: follow its ids down the trie while the child is kept,
    at most ``max_depth`` steps. Vectorised level by level over the patterns still moving."""
    keys, children = trie
    n = indptr.size - 1
    sizes = np.diff(indptr)
    node = np.full(n, root, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    alive = np.flatnonzero(sizes > 0)
    k = 0
    while alive.size and keys.size and (max_depth is None or k < max_depth):
        key = node[alive] * _KEY + indices[indptr[alive] + k].astype(np.int64)
        pos = np.minimum(np.searchsorted(keys, key), keys.size - 1)
        hit = keys[pos] == key
        alive = alive[hit]
        node[alive] = children[pos[hit]]
        k += 1
        depth[alive] = k
        alive = alive[sizes[alive] > k]
    return node, depth


def _rank(patterns: list[tuple[int, ...]], support: np.ndarray) -> np.ndarray:
    """Token order: descending support, then shorter, then the ids lexicographically."""
    return np.array(
        sorted(
            range(len(patterns)), key=lambda i: (-int(support[i]), len(patterns[i]), patterns[i])
        ),
        dtype=np.int64,
    )


def _count_keys(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum the weights of equal keys over several (keys, weights) parts."""
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = np.concatenate([p[0] for p in parts])
    weights = np.concatenate([p[1] for p in parts])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse.ravel(), weights=weights, minlength=unique.size).astype(
        np.int64
    )


# one level's candidates are counted in a dense table of (frontier slot, cluster) up to this
# many cells (int64: 256 MiB); 4,096 ids and ~900 clusters take at most 3.6 M cells
DENSE_CELLS = 1 << 25


class _LevelCounts:
    """Bins per candidate (frontier slot, cluster) of one level, summed over the chunks.

    A dense ``slots x n_ids`` table when it fits :data:`DENSE_CELLS` (its size is set by the
    vocabulary and the clusters, not by the genome, and does not grow while the patterns are
    streamed); else sorted (key, weight) runs merged as they come, whose size is bounded by the
    distinct candidates (at most the same ``slots x n_ids``)."""

    def __init__(self, slots: int, width: int) -> None:
        cells = int(slots) * int(width)
        self.table = np.zeros(cells, dtype=np.int64) if cells <= DENSE_CELLS else None
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending = 0

    def add(self, keys: np.ndarray, weights: np.ndarray) -> None:
        unique, inverse = np.unique(keys, return_inverse=True)
        sums = np.bincount(
            inverse.ravel(), weights=weights.astype(np.float64), minlength=unique.size
        ).astype(np.int64)
        if self.table is not None:
            self.table[unique] += sums
            return
        self.parts.append((unique, sums))
        self.pending += unique.size
        if len(self.parts) > 2 and self.pending > self.parts[0][0].size:
            self.parts = [_count_keys(self.parts)]
            self.pending = 0

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys ``slot * width + cluster``, bins), keys ascending, zero counts left out."""
        if self.table is not None:
            keys = np.flatnonzero(self.table)
            return keys.astype(np.int64), self.table[keys]
        return _count_keys(self.parts)


def build_motif_vocab(
    chunks: Callable[[], Iterable[PatternChunk]],
    size: int = DEFAULT_VOCAB_SIZE,
    min_count: int = 1,
    log: Callable[[str], None] | None = None,
) -> MotifVocab:
    """The ``size - N_SPECIAL`` prefixes of largest support (with support >= ``min_count``),
    then every pattern's bins counted on its back-off token.

    ``chunks()`` starts a new pass over the distinct patterns (each chunk: ``indptr``, cluster
    ids strongest first, bins per pattern); it is called once per level plus twice. Memory: the
    kept prefixes, one level's candidate table (the last level's kept prefixes times the
    cluster ids, :class:`_LevelCounts`) and one chunk, never more patterns than one chunk.
    """
    n_keep = check_size(size) - N_SPECIAL
    if min_count < 1:
        raise GenovocabError(f"motifs.tokens.min_count must be >= 1, got {min_count}")
    total = n_ids = 0
    for _, indices, counts in chunks():
        total += int(np.asarray(counts).sum())
        if indices.size:
            n_ids = max(n_ids, int(indices.max()) + 1)
    width = max(n_ids, 1)  # a candidate's key: its parent's frontier slot * width + cluster
    patterns: list[tuple[int, ...]] = [()]
    support = [total]
    frontier = [0]  # the kept prefixes of the last level: their index in ``patterns``
    level = 0
    while frontier:  # a full vocabulary still changes while deeper prefixes outrank leaves
        level += 1
        vocab = MotifVocab(patterns, np.array(support), np.zeros(len(patterns)))
        trie, root = vocab._trie(), vocab._root
        slot = np.full(len(patterns), -1, dtype=np.int64)
        slot[frontier] = np.arange(len(frontier))
        table = _LevelCounts(len(frontier), width)
        for indptr, indices, counts in chunks():
            node, depth = walk(trie, root, indptr, indices, max_depth=level - 1)
            sizes = np.diff(indptr)
            sel = np.flatnonzero((depth == level - 1) & (sizes >= level))
            sel = sel[slot[node[sel]] >= 0]  # parents kept at the last level only
            if not sel.size:
                continue
            keys = slot[node[sel]] * width + indices[indptr[sel] + level - 1].astype(np.int64)
            table.add(keys, np.asarray(counts, dtype=np.int64)[sel])
        keys, weights = table.result()
        del table
        ok = weights >= min_count
        keys, weights = keys[ok], weights[ok]
        if not keys.size:
            break
        # only candidates at or above the n_keep-th support of everything can be kept
        floor = np.sort(np.concatenate([np.array(support), weights]))[::-1]
        bound = floor[min(n_keep, floor.size) - 1]
        top = np.flatnonzero(weights >= bound)
        parent = np.asarray(frontier, dtype=np.int64)[keys[top] // width]
        cand = [patterns[p] + (c,) for p, c in zip(parent.tolist(), (keys[top] % width).tolist())]
        allp = patterns + cand
        alls = np.concatenate([np.array(support, dtype=np.int64), weights[top]])
        keep = np.sort(_rank(allp, alls)[:n_keep])
        patterns = [allp[i] for i in keep]
        support = [int(alls[i]) for i in keep]
        frontier = [i for i, p in enumerate(patterns) if len(p) == level]
        if log is not None:
            log(
                f"level {level}: {keys.size:,} candidate prefixes, {len(frontier):,} kept; "
                f"{len(patterns):,} tokens"
            )
    order = _rank(patterns, np.array(support))
    patterns = [patterns[i] for i in order]
    support_arr = np.array(support, dtype=np.int64)[order]
    vocab = MotifVocab(patterns, support_arr, np.zeros(len(patterns), dtype=np.int64))
    counts = np.zeros(len(patterns), dtype=np.int64)
    for indptr, indices, bins in chunks():
        counts += np.bincount(
            vocab.assign(indptr, indices),
            weights=np.asarray(bins, dtype=np.float64),
            minlength=len(patterns),
        ).astype(np.int64)
    vocab.counts = counts
    return vocab


def vocab_from_memory(
    indptr: np.ndarray,
    indices: np.ndarray,
    counts: np.ndarray,
    size: int = DEFAULT_VOCAB_SIZE,
    min_count: int = 1,
    chunk: int = 1 << 20,
) -> MotifVocab:
    """:func:`build_motif_vocab` over patterns held in memory (tests, benchmarks)."""

    def chunks():
        for lo in range(0, max(indptr.size - 1, 1), chunk):
            hi = min(indptr.size - 1, lo + chunk)
            yield (
                indptr[lo : hi + 1] - indptr[lo],
                indices[indptr[lo] : indptr[hi]],
                counts[lo:hi],
            )

    return build_motif_vocab(chunks, size, min_count)


def kept_share(
    vocab: MotifVocab, indptr: np.ndarray, counts: np.ndarray, nodes: np.ndarray
) -> dict:
    """Share of the active clusters the tokens keep (bins weighted by ``counts``), and the share
    of bins whose token is the empty one although they have active clusters."""
    sizes = np.diff(indptr).astype(np.float64)
    kept = vocab.sizes[nodes].astype(np.float64)
    w = np.asarray(counts, dtype=np.float64)
    active = float((sizes * w).sum())
    return {
        "fraction_active_clusters_kept": float((kept * w).sum()) / active
        if active
        else float("nan"),
        "fraction_bins_backed_to_empty": float(w[(kept == 0) & (sizes > 0)].sum()) / float(w.sum())
        if w.sum()
        else float("nan"),
    }


def zipf_fit(counts: np.ndarray) -> dict:
    """Zipf's law check: Pearson r of log10 frequency vs log10 rank, and the fitted line.

    ``counts`` are token frequencies (any order; zeros ignored). Ranks start at 1 for the most
    frequent token. With fewer than 3 tokens the fit is undefined (NaN).
    """
    freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
    result = {
        "n_tokens": int(freq.size),
        "n_occurrences": int(freq.sum()),
        "pearson_r": float("nan"),
        "slope": float("nan"),
        "intercept": float("nan"),
    }
    if freq.size < 3:
        return result
    x = np.log10(np.arange(1, freq.size + 1, dtype=np.float64))
    y = np.log10(freq)
    if np.all(y == y[0]):
        return result
    slope, intercept = np.polyfit(x, y, 1)
    result.update(
        pearson_r=float(np.corrcoef(x, y)[0, 1]), slope=float(slope), intercept=float(intercept)
    )
    return result


def stream_statistics(token_counts: np.ndarray, vocab_size: int) -> dict:
    """Figures of a token stream (bins per token id): the Zipf fit over all ranks, distinct
    tokens used, the most frequent token's share, the ``<unk>`` share."""
    counts = np.asarray(token_counts, dtype=np.int64)
    total = int(counts.sum())
    return {
        "vocab_size": int(vocab_size),
        "n_bins": total,
        "tokens_used": int((counts > 0).sum()),
        "top_token_share": float(counts.max()) / total if total else float("nan"),
        "unk_share": float(counts[UNK_ID]) / total if total and counts.size > UNK_ID else 0.0,
        "zipf": zipf_fit(counts),
    }


def cluster_motif_names(clusters: pd.DataFrame) -> list[str]:
    """Per cluster, its members' motif names (unique, in feature order) joined by ``/``.

    ``clusters`` is the ``clusters.tsv`` table (``feature, cluster, matrix_id, name, strand``).
    """
    names: dict[int, list[str]] = {}
    for c, name in zip(clusters["cluster"].astype(int), clusters["name"].astype(str)):
        members = names.setdefault(int(c), [])
        if name not in members:
            members.append(name)
    return ["/".join(names.get(c, [])) for c in range(max(names, default=-1) + 1)]


def vocab_table(vocab: MotifVocab, cluster_names: list[str] | None = None) -> pd.DataFrame:
    """One row per id: ``id token count fraction support n_active clusters motifs``.

    ``count``: bins whose token it is; ``support``: bins whose strongest clusters start with it;
    ``clusters`` lists the token's cluster ids strongest first (``.`` = none), ``motifs`` their
    motif names (``|`` between clusters); both are ``.`` for the specials.
    """
    counts = vocab.token_counts()
    total = int(counts.sum())
    clusters = ["."] * N_SPECIAL + [",".join(map(str, p)) if p else "." for p in vocab.patterns]
    if cluster_names is None:
        motifs = ["."] * len(vocab)
    else:
        motifs = ["."] * N_SPECIAL + [
            "|".join(cluster_names[c] if c < len(cluster_names) else f"m{c}" for c in p)
            if p
            else "."
            for p in vocab.patterns
        ]
    support = np.zeros(len(vocab), dtype=np.int64)
    support[N_SPECIAL:] = vocab.support
    return pd.DataFrame(
        {
            "id": np.arange(len(vocab), dtype=np.int64),
            "token": vocab.tokens(),
            "count": counts,
            "fraction": counts / total if total else np.zeros(len(vocab)),
            "support": support,
            "n_active": [0] * N_SPECIAL + [len(p) for p in vocab.patterns],
            "clusters": clusters,
            "motifs": motifs,
        },
        columns=list(VOCAB_COLUMNS),
    )


def write_vocab(
    path: str | os.PathLike, vocab: MotifVocab, cluster_names: list[str] | None = None
) -> None:
    """``vocab.tsv`` of a motif tokenizer (see :func:`vocab_table`)."""
    from genovocab.fileutil import write_text_atomic

    text = vocab_table(vocab, cluster_names).to_csv(
        sep="\t", index=False, float_format="%.6g", lineterminator="\n"
    )
    write_text_atomic(path, text)


def read_vocab(path: str | os.PathLike) -> MotifVocab:
    """Read ``vocab.tsv`` back: ids 0, 1, ... in order, the specials first, every token's
    parent before it (the back-off needs it)."""
    try:
        table = pd.read_csv(
            path,
            sep="\t",
            dtype={"clusters": str, "token": str, "motifs": str},
            keep_default_na=False,
        )
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot read the motif vocabulary ({exc})") from exc
    missing = [c for c in VOCAB_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(path, f"motif vocabulary lacks column(s) {', '.join(missing)}", line=1)
    ids = table["id"].to_numpy()
    bad = np.flatnonzero(ids != np.arange(len(table)))
    if bad.size:
        raise InputError(path, f"token id {ids[bad[0]]} is not {bad[0]}", line=int(bad[0]) + 2)
    tokens = table["token"].tolist()
    if tuple(tokens[:N_SPECIAL]) != SPECIAL_TOKENS:
        raise InputError(
            path, f"the first {N_SPECIAL} tokens must be {' '.join(SPECIAL_TOKENS)}", line=2
        )
    patterns: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    for row, (token, clusters) in enumerate(
        zip(tokens[N_SPECIAL:], table["clusters"].iloc[N_SPECIAL:]), N_SPECIAL + 2
    ):
        pattern = tuple(int(v) for v in clusters.split(",")) if clusters != "." else ()
        if parse_pattern_token(token) != pattern:
            raise InputError(
                path, f"token {token!r} does not spell its clusters {clusters!r}", line=row
            )
        if pattern and pattern[:-1] not in seen:
            raise InputError(
                path,
                f"token {token!r} comes before its parent "
                f"{pattern_token(pattern[:-1])!r} (back-off needs it)",
                line=row,
            )
        seen.add(pattern)
        patterns.append(pattern)
    if () not in seen:
        raise InputError(path, "the empty token m- is missing (back-off ends there)")
    counts = table["count"].to_numpy(dtype=np.int64)
    return MotifVocab(
        patterns,
        table["support"].to_numpy(dtype=np.int64)[N_SPECIAL:],
        counts[N_SPECIAL:].copy(),
        unk_count=int(counts[UNK_ID]),
    )


def summary_markdown(stats: dict) -> str:
    """A paragraph on the motif vocabulary for a release card (``vocab_summary.md``): size,
    coverage, what a token keeps, the Zipf fit of its token stream, and the census of every
    distinct active set (a diagnostic). ``stats`` is a tokenizer's ``vocab_stats.json``."""

    def pct(value) -> str:
        return "n/a" if value is None else f"{100 * float(value):.1f} %"

    def num(value, digits: int = 3) -> str:
        return "n/a" if value is None else f"{float(value):.{digits}f}"

    zipf = stats.get("zipf", {})
    text = (
        f"**Motif vocabulary.** {stats.get('vocab_size', 0):,} ids (5 special tokens, then the "
        "value-ordered cluster prefixes with the most bins; the empty token `m-` always among "
        "them). Every bin gets a real token by back-off: its weakest active clusters are "
        "dropped until what is left is a token (Davarmanesh et al.'s motif-aware bins, "
        "clusters of motifs by the InterDependence Score). Over the "
        f"{stats.get('n_bins', 0):,} bins of this genome: `<unk>` {pct(stats.get('unk_share'))}"
        f"; {stats.get('tokens_used', 0):,} distinct tokens used; the most frequent token "
        f"holds {pct(stats.get('top_token_share'))} of the bins; "
        f"{pct(stats.get('fraction_bins_backed_to_empty'))} of the bins back off to `m-`. "
        f"A token keeps {pct(stats.get('fraction_active_clusters_kept'))} of its bin's active "
        f"clusters and {pct(stats.get('fraction_active_value_kept'))} of their summed value "
        "(the cluster vectors stay in the corpus for models that want all of it). Zipf fit of "
        f"the token stream (all ranks): r = {num(zipf.get('pearson_r'))}, slope "
        f"{num(zipf.get('slope'), 2)}."
    )
    census = stats.get("patterns")
    if census:
        band = census.get("zipf_band", {})
        text += (
            f" Diagnostic, not the vocabulary: the bins hold {census['n_sets']:,} distinct "
            f"active sets, {pct(census.get('fraction_sets_seen_once'))} of them seen once "
            f"(Zipf r over all {num(census['zipf_all_sets'].get('pearson_r'))}); the "
            f"{band.get('n_tokens', 0):,} sets seen {census['band'][0]:,}.."
            f"{census['band'][1]:,} times (the paper's band) give r = "
            f"{num(band.get('pearson_r'))}."
        )
    return text + "\n"
