"""The bounded motif vocabulary on real DNA, beside BPE and k-mers on the same sequence.

hg19 chr1:1-2,000,000 scanned with all 841 JASPAR 2022 CORE vertebrate matrices, binned,
IDS-clustered with the project's defaults (``motif_real.py``, cached). The vocabulary is built
from the bins that start before 1,000,000 and measured on the bins that start after. Per rule
and size: ``<unk>`` share, Zipf r and slope of the token stream (all ranks), distinct tokens
used, the most frequent token's share, and what a token keeps of its bin:

* ``backoff`` (the workflow's rule, ``genovocab.motifs.vocabulary``): the most frequent
  value-ordered prefixes, each bin's longest known prefix; kept = share of the bin's active
  clusters and of their summed value;
* ``whole+backoff`` (the first prototype): the most frequent whole patterns, the same back-off;
* two variants the workflow does not build: unordered top-k sets, and prefixes pruned by use;
* ``codebook``: k-means (scikit-learn MiniBatchKMeans, seeded, random initialisation, 10
  epochs) of the cluster vectors of a sample of 20,000 training bins, each bin its nearest
  code; kept = the relative reconstruction error of the cluster vector (sum of squared errors
  / sum of squares);
* the paper's diagnostic: every distinct active set as a token, only those whose frequency is
  in the band 500..1,000,000 (on 1 Mbp: a band scaled to 1 / 250 of chr1's length is too thin,
  so the figure is given for the whole band on the full 2 Mbp and labelled a diagnostic);
* beside them BPE-4096 (the project's trainer, trained on the first 1 Mbp cut into 1 kbp lines,
  measured on the second) and non-overlapping and overlapping 6-mers of the second 1 Mbp.

Usage: ``python benchmarks/bench_motif_vocab.py [--sizes 1024,4096,16384] [--no-codebook]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks import motif_real  # noqa: E402

OUT = HERE / "out" / "motif_vocab"


def select_rows(
    indptr: np.ndarray, ids: np.ndarray, values: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSR rows ``rows`` (bins) of (indptr, ids, values) as a CSR of their own."""
    sizes = indptr[rows + 1] - indptr[rows]
    ptr = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    pos = np.repeat(indptr[rows] - ptr[:-1], sizes) + np.arange(int(ptr[-1]))
    return ptr, ids[pos], values[pos]


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def split_rows(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = edges[:-1]
    return np.flatnonzero(starts < motif_real.SPLIT), np.flatnonzero(starts >= motif_real.SPLIT)


def cluster_frequency_rank(cf, rows: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Per cluster its rank by the number of ``rows`` (bins) it is active in, most active
    first (ties: lower id): the item order of an FP-tree."""
    import scipy.sparse as sp

    sub = sp.csr_matrix(cf)[rows]
    freq = np.bincount(sub.indices[sub.data >= threshold], minlength=cf.shape[1])
    rank = np.empty(cf.shape[1], dtype=np.int64)
    rank[np.lexsort((np.arange(cf.shape[1]), -freq))] = np.arange(cf.shape[1])
    return rank


def ordered_active(
    cf, threshold: float = 0.5, order_by: str = "value", rank: np.ndarray | None = None
):
    """Per bin the active clusters and their values (CSR-like), in the order of a rule:
    ``value`` strongest first, ties lower id (the workflow's); ``value-freq`` strongest
    first, ties by ``rank`` (the clusters' frequency rank); ``freq`` by ``rank`` alone (the
    FP-tree order: back-off drops the rarest clusters first, whatever their values)."""
    import scipy.sparse as sp

    csr = sp.csr_matrix(cf)
    keep = csr.data >= threshold
    nnz = np.diff(np.concatenate([[0], np.cumsum(keep)])[csr.indptr])
    rows = np.repeat(np.arange(csr.shape[0]), nnz)
    ids = csr.indices[keep]
    if order_by == "value":
        order = np.lexsort((ids, -csr.data[keep], rows))
    elif order_by == "value-freq":
        order = np.lexsort((rank[ids], -csr.data[keep], rows))
    elif order_by == "freq":
        order = np.lexsort((rank[ids], rows))
    else:
        raise ValueError(order_by)
    indptr = np.zeros(csr.shape[0] + 1, dtype=np.int64)
    np.cumsum(nnz, out=indptr[1:])
    return indptr, csr.indices[keep][order].astype(np.int32), csr.data[keep][order]


def tie_share(cf, threshold: float = 0.5) -> tuple[float, float]:
    """Share of bins with two active clusters of equal value, and share of active clusters
    whose value equals another active cluster's of the same bin."""
    import scipy.sparse as sp

    csr = sp.csr_matrix(cf)
    keep = csr.data >= threshold
    rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))[keep]
    vals = csr.data[keep]
    order = np.lexsort((vals, rows))
    r, v = rows[order], vals[order]
    same = (r[1:] == r[:-1]) & (v[1:] == v[:-1])
    tied = np.zeros(r.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    return (
        np.unique(r[tied]).size / csr.shape[0] if csr.shape[0] else 0.0,
        float(tied.mean()) if tied.size else 0.0,
    )


def stream_row(name: str, size: int, token_counts: np.ndarray, unk: int, kept: str) -> dict:
    from genovocab.motifs.vocabulary import zipf_fit

    counts = np.asarray(token_counts, dtype=np.int64)
    total = int(counts.sum()) + unk
    fit = zipf_fit(counts)
    return {
        "rule": name,
        "size": f"{size:,}",
        "unk %": fmt(100 * unk / total, 2),
        "used": f"{int((counts > 0).sum()):,}",
        "Zipf r": fmt(fit["pearson_r"]),
        "slope": fmt(fit["slope"], 2),
        "top %": fmt(100 * counts.max() / total, 1),
        "kept": kept,
    }


def backoff_rows(
    cf, train, test, sizes, order_by: str = "value", name: str = "backoff (prefixes)"
) -> list[dict]:
    from genovocab.motifs.vocabulary import N_SPECIAL, vocab_from_memory

    indptr, ids, values = ordered_active(
        cf, order_by=order_by, rank=cluster_frequency_rank(cf, train)
    )

    tr_ptr, tr_ids, _ = select_rows(indptr, ids, values, train)
    te_ptr, te_ids, te_vals = select_rows(indptr, ids, values, test)
    rows = []
    for size in sizes:
        t0 = time.perf_counter()
        vocab = vocab_from_memory(
            tr_ptr, tr_ids, np.ones(train.size, dtype=np.int64), size=size, min_count=1
        )
        node = vocab.assign(te_ptr, te_ids)
        counts = np.bincount(node, minlength=len(vocab.patterns))
        k = vocab.sizes[node]
        n_active = np.diff(te_ptr)
        rank = np.arange(te_ids.size) - np.repeat(te_ptr[:-1], n_active)
        kept_value = te_vals[rank < np.repeat(k, n_active)].sum() / te_vals.sum()
        empty = float(((k == 0) & (n_active > 0)).mean())
        kept = (
            f"{100 * k.sum() / n_active.sum():.0f} % of clusters, {100 * kept_value:.0f} % "
            f"of value; {100 * empty:.1f} % of bins to m-"
        )
        rows.append(stream_row(name, size, counts, 0, kept))
        rows[-1]["build s"] = fmt(time.perf_counter() - t0, 1)
        assert len(vocab) == N_SPECIAL + len(vocab.patterns)
    return rows


def workflow_rows(edges, train, test, sizes, min_count: int = 5) -> list[dict]:
    """The workflow's own steps on files: the training and the measured bins as two
    "chromosomes" (feature matrices cut from the real one), ``chromosome_cluster_features``,
    ``token_vocab_files`` (with the census of every distinct set) on the first,
    ``chromosome_tokens`` on the second; figures read back from the files they wrote."""
    import scipy.sparse as sp

    from genovocab.motifs.token_files import (
        chromosome_cluster_features,
        chromosome_tokens,
        token_vocab_files,
    )
    from genovocab.motifs.vocabulary import read_vocab

    _, feats, _ = motif_real.bins()
    clusters = motif_real.clusters()
    steps = OUT / "steps"
    steps.mkdir(parents=True, exist_ok=True)
    X = sp.load_npz(feats).tocsr()
    parts = {}
    for name, rows in (("train", train), ("test", test)):
        sp.save_npz(steps / f"{name}.features.npz", X[rows])
        np.save(steps / f"{name}.bins.npy", edges[rows[0] : rows[-1] + 2])
        chromosome_cluster_features(
            steps / f"{name}.features.npz",
            clusters,
            cluster_features_out=steps / f"{name}.cf",
            patterns_out=steps / f"{name}.patterns.npz",
        )
        parts[name] = steps / f"{name}.patterns.npz"
    out = []
    for size in sizes:
        t0 = time.perf_counter()
        summary = token_vocab_files(
            [parts["train"]],
            [steps / "train.bins.npy"],
            vocab_out=steps / f"vocab_{size}.tsv",
            zipf_out=steps / f"zipf_{size}.json",
            plot_out=steps / f"zipf_{size}.png",
            clusters=clusters,
            size=size,
            min_count=min_count,
        )
        seconds = time.perf_counter() - t0
        tokens = chromosome_tokens(
            parts["test"],
            steps / f"vocab_{size}.tsv",
            "test",
            tokens_out=steps / f"tokens_{size}.npy",
            stats_out=steps / f"stats_{size}.json",
            cluster_features=steps / "test.cf",
        )
        stats = json.loads((steps / f"stats_{size}.json").read_text())
        vocab = read_vocab(steps / f"vocab_{size}.tsv")
        counts = np.bincount(tokens, minlength=len(vocab))
        kept = (
            f"{100 * stats['kept_clusters'] / stats['active_clusters']:.0f} % of clusters, "
            f"{100 * stats['kept_value'] / stats['active_value']:.0f} % of value"
        )
        row = stream_row(
            f"backoff, workflow steps (min_count {min_count})",
            len(vocab),
            counts[5:],
            int(counts[1]),
            kept,
        )
        row["build s"] = fmt(seconds, 1)
        out.append(row)
        census = summary["patterns"]
        print(
            f"size {size}: vocabulary of {len(vocab):,} ids (requested {size:,}); training "
            f"half: {census['n_sets']:,} distinct active sets, "
            f"{100 * census['fraction_sets_seen_once']:.0f} % seen once, Zipf r over all "
            f"{census['zipf_all_sets']['pearson_r']:.3f}",
            flush=True,
        )
    return out


def whole_rows(cf, train, test, sizes) -> list[dict]:
    """The first prototype: the most frequent whole active sets, then the same back-off."""
    from genovocab.motifs.vocabulary import MotifVocab

    indptr, ids, values = ordered_active(cf)
    pats = [tuple(ids[indptr[i] : indptr[i + 1]].tolist()) for i in range(cf.shape[0])]
    vals = [values[indptr[i] : indptr[i + 1]] for i in range(cf.shape[0])]
    from collections import Counter

    freq = Counter(tuple(sorted(pats[i])) for i in train)
    rows = []
    for size in sizes:
        kept_sets = {
            p
            for p, _ in sorted(freq.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[: size - 6]
        }
        kept_sets.add(())
        counts: Counter = Counter()
        kept_n = kept_v = all_n = all_v = 0.0
        empty = 0
        for i in test:
            p, v = pats[i], vals[i]
            k = len(p)
            while k and tuple(sorted(p[:k])) not in kept_sets:
                k -= 1
            counts[tuple(sorted(p[:k]))] += 1
            kept_n += k
            all_n += len(p)
            kept_v += float(v[:k].sum())
            all_v += float(v.sum())
            empty += int(k == 0 and len(p) > 0)
        kept = (
            f"{100 * kept_n / all_n:.0f} % of clusters, {100 * kept_v / all_v:.0f} % of "
            f"value; {100 * empty / test.size:.1f} % of bins to m-"
        )
        rows.append(
            stream_row("whole patterns + backoff", size, np.array(list(counts.values())), 0, kept)
        )
    del MotifVocab
    return rows


def variant_rows(cf, train, test, size: int = 4096) -> list[dict]:
    """Two variants of the back-off that the workflow does not build: tokens as unordered
    top-k *sets* (the most frequent sets of each bin's k strongest clusters, k = 0..all; a bin
    takes its largest k whose set is kept), and a prefix vocabulary *pruned by use* (from 4 x
    ``size`` prefixes by support, drop the least used leaves, re-assign, until ``size``)."""
    from collections import Counter

    from genovocab.motifs.vocabulary import N_SPECIAL, MotifVocab, vocab_from_memory

    indptr, ids, values = ordered_active(cf)
    pats = [ids[indptr[i] : indptr[i + 1]].tolist() for i in range(cf.shape[0])]
    vals = [values[indptr[i] : indptr[i + 1]] for i in range(cf.shape[0])]
    support: Counter = Counter()
    for i in train:
        for k in range(len(pats[i]) + 1):
            support[frozenset(pats[i][:k])] += 1
    kept_sets = {p for p, _ in support.most_common(size - N_SPECIAL)} | {frozenset()}
    counts: Counter = Counter()
    kn = an = kv = av = 0.0
    for i in test:
        p, k = pats[i], len(pats[i])
        while frozenset(p[:k]) not in kept_sets:
            k -= 1
        counts[frozenset(p[:k])] += 1
        kn, an = kn + k, an + len(p)
        kv, av = kv + float(vals[i][:k].sum()), av + float(vals[i].sum())
    rows = [
        stream_row(
            "back-off, unordered top-k sets",
            size,
            np.array(list(counts.values())),
            0,
            f"{100 * kn / an:.0f} % of clusters, {100 * kv / av:.0f} % of value",
        )
    ]

    tr_ptr, tr_ids, _ = select_rows(indptr, ids, values, train)
    te_ptr, te_ids, te_vals = select_rows(indptr, ids, values, test)
    pats_kept = list(
        vocab_from_memory(
            tr_ptr, tr_ids, np.ones(train.size, dtype=np.int64), size=4 * size
        ).patterns
    )
    while len(pats_kept) > size - N_SPECIAL:
        vocab = MotifVocab(pats_kept, np.zeros(len(pats_kept)), np.zeros(len(pats_kept)))
        used = np.bincount(vocab.assign(tr_ptr, tr_ids), minlength=len(pats_kept))
        parents = {p[:-1] for p in pats_kept if p}
        leaves = [i for i, p in enumerate(pats_kept) if p and p not in parents]
        excess = len(pats_kept) - (size - N_SPECIAL)
        drop = set(
            sorted(leaves, key=lambda i: (used[i], -len(pats_kept[i]), pats_kept[i]))[
                : max(1, min(excess, len(leaves) // 5))
            ]
        )
        pats_kept = [p for i, p in enumerate(pats_kept) if i not in drop]
    vocab = MotifVocab(pats_kept, np.zeros(len(pats_kept)), np.zeros(len(pats_kept)))
    node = vocab.assign(te_ptr, te_ids)
    k = vocab.sizes[node]
    n_active = np.diff(te_ptr)
    rank = np.arange(te_ids.size) - np.repeat(te_ptr[:-1], n_active)
    kept_value = te_vals[rank < np.repeat(k, n_active)].sum() / te_vals.sum()
    rows.append(
        stream_row(
            "back-off, prefixes pruned by use",
            size,
            np.bincount(node, minlength=len(pats_kept)),
            0,
            f"{100 * k.sum() / n_active.sum():.0f} % of clusters, "
            f"{100 * kept_value:.0f} % of value",
        )
    )
    return rows


def codebook_rows(cf, train, test, sizes, sample: int = 20_000, seed: int = 0) -> list[dict]:
    from sklearn.cluster import MiniBatchKMeans

    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(train, size=min(sample, train.size), replace=False))
    x_fit = cf[fit_rows].toarray().astype(np.float32)
    x_test = cf[test].toarray().astype(np.float32)
    rows = []
    for size in sizes:
        t0 = time.perf_counter()
        k = size - 5
        # random initialisation: k-means++ over 4,091 centres costs ~10^11 flops here
        km = MiniBatchKMeans(
            n_clusters=k, random_state=seed, batch_size=4096, n_init=1, init="random", max_iter=10
        ).fit(x_fit)
        labels = km.predict(x_test)
        err = ((x_test - km.cluster_centers_[labels]) ** 2).sum() / (x_test**2).sum()
        rows.append(
            stream_row(
                "codebook (k-means)",
                size,
                np.bincount(labels, minlength=k),
                0,
                f"reconstruction error {err:.2f}",
            )
        )
        rows[-1]["build s"] = fmt(time.perf_counter() - t0, 1)
    return rows


def paper_band_row(cf) -> dict:
    """Every distinct active set a token, counted on the full 2 Mbp; the paper's band."""
    from collections import Counter

    from genovocab.motifs.vocabulary import zipf_fit

    indptr, ids, _ = ordered_active(cf)
    freq = Counter(
        tuple(sorted(ids[indptr[i] : indptr[i + 1]].tolist())) for i in range(cf.shape[0])
    )
    counts = np.array(list(freq.values()))
    all_fit = zipf_fit(counts)
    band = counts[(counts >= 500) & (counts <= 1_000_000)]
    fit = zipf_fit(band)
    return {
        "rule": "diagnostic: every set, 2 Mbp",
        "size": f"{counts.size:,}",
        "unk %": "",
        "used": f"{counts.size:,}",
        "Zipf r": fmt(all_fit["pearson_r"]),
        "slope": fmt(all_fit["slope"], 2),
        "top %": fmt(100 * counts.max() / counts.sum(), 1),
        "kept": f"band 500..1M: {band.size} sets, r {fit['pearson_r']:.3f}, "
        f"{100 * np.mean(counts == 1):.0f} % seen once",
    }


def sequence_rows(seq: str, bpe_sizes: tuple[int, ...] = (4096,)) -> list[dict]:
    from genovocab.sequence.bpe import encode_ids, train_bpe
    from genovocab.sequence.windows import acgt_segments

    half = motif_real.SPLIT
    OUT.mkdir(parents=True, exist_ok=True)

    def lines(text: str, offset: int) -> list[str]:
        out = []
        for a, b in acgt_segments(text):
            out.extend(text[s : min(b, s + 1000)] for s in range(a, b, 1000))
        del offset
        return [s for s in out if s]

    train_lines, test_lines = lines(seq[:half], 0), lines(seq[half:], half)
    text = OUT / "bpe_train.txt"
    text.write_text("\n".join(train_lines) + "\n")
    rows = []
    for size in bpe_sizes:
        tok = train_bpe([text], vocab_size=size)
        ids, _ = encode_ids(tok, test_lines)
        rows.append(
            stream_row(
                f"BPE-{size} (DNA)",
                size,
                np.bincount(ids.astype(np.int64)),
                0,
                f"{sum(map(len, test_lines)) / ids.size:.1f} bp per token",
            )
        )
    for overlap in (False, True):
        counts: dict[str, int] = {}
        for s in test_lines:
            step = 1 if overlap else 6
            for i in range(0, len(s) - 5, step):
                w = s[i : i + 6]
                counts[w] = counts.get(w, 0) + 1
        rows.append(
            stream_row(
                f"6-mers ({'overlapping' if overlap else 'non-overlapping'})",
                4096,
                np.array(list(counts.values())),
                0,
                "6 bp per token",
            )
        )
    return rows


def main() -> None:
    from benchmarks._common import report

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024,4096,16384")
    ap.add_argument("--no-codebook", action="store_true")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--norm", default="max")
    ap.add_argument("--cut", type=float, default=0.5)
    ap.add_argument("--bpe-sizes", default="4096", help="BPE baselines' vocabulary sizes")
    ap.add_argument(
        "--only-orders",
        action="store_true",
        help="stop after the back-off rows and the ordering variants",
    )
    args = ap.parse_args()
    if not motif_real.available():
        print("skipped: the real data ($GENOVOCAB_REAL_DATA) is absent")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    edges, cf, _ = motif_real.cluster_matrix(args.norm, args.cut)
    train, test = split_rows(edges)
    print(
        f"{cf.shape[0]:,} bins ({train.size:,} train, {test.size:,} measured), "
        f"{cf.shape[1]} clusters (IDS norm {args.norm}, cut {args.cut})",
        flush=True,
    )
    rows = backoff_rows(cf, train, test, sizes)
    print(report(rows, list(rows[0])), flush=True)
    ties = tie_share(cf)
    print(
        f"bins whose active clusters have tied values: {100 * ties[0]:.1f} %; active "
        f"clusters tied with another of their bin: {100 * ties[1]:.1f} %",
        flush=True,
    )
    for order_by, name in (
        ("value-freq", "backoff, value order, ties by cluster frequency"),
        ("freq", "backoff, cluster-frequency order (FP-tree)"),
    ):
        rows += backoff_rows(cf, train, test, [4096], order_by, name)
        print(report(rows[-1:], list(rows[-1])), flush=True)
    if args.only_orders:
        return
    if args.norm == "max" and args.cut == 0.5:  # the defaults: the workflow's steps too
        rows += workflow_rows(edges, train, test, sizes)
    rows += whole_rows(cf, train, test, [4096])
    rows += variant_rows(cf, train, test, 4096)
    if not args.no_codebook:
        rows += codebook_rows(cf, train, test, [4096])
    rows.append(paper_band_row(cf))
    if not args.no_baselines:
        rows += sequence_rows(
            motif_real.sequence(), tuple(int(v) for v in args.bpe_sizes.split(","))
        )
    columns = ["rule", "size", "unk %", "used", "Zipf r", "slope", "top %", "kept", "build s"]
    print(report(rows, columns))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"results_{args.norm}_{args.cut}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
