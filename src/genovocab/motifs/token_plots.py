"""Plots of the motif tokens: Zipf rank-frequency and the token map (PCA of cluster vectors)."""

from __future__ import annotations

import math
import os

import numpy as np
import scipy.sparse as sp

from genovocab.fileutil import atomic_path


def _savefig(fig, path: str | os.PathLike) -> None:
    import matplotlib.pyplot as plt

    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)


PLOT_POINTS = 20_000


def _plotted(freq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ranks, frequencies) to draw: all of them up to ``PLOT_POINTS``, else that many
    log-spaced ranks (the same picture on log axes; a genome has tens of millions)."""
    ranks = np.arange(1, freq.size + 1)
    if freq.size <= PLOT_POINTS:
        return ranks, freq
    pick = np.unique(np.geomspace(1, freq.size, PLOT_POINTS).astype(np.int64)) - 1
    return ranks[pick], freq[pick]


def plot_zipf(
    path: str | os.PathLike, counts: np.ndarray, fit: dict, title: str = "Motif tokens"
) -> None:
    """PNG: rank-frequency on log-log axes with the fitted line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
    ranks, shown = _plotted(freq)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.loglog(ranks, shown, ".", markersize=3, label="tokens")
    if fit.get("slope") is not None and math.isfinite(fit.get("slope", float("nan"))):
        ax.loglog(
            ranks,
            10 ** (fit["intercept"] + fit["slope"] * np.log10(ranks)),
            "-",
            label=f"fit: slope {fit['slope']:.2f}, r = {fit['pearson_r']:.3f}",
        )
    ax.set_xlabel("rank")
    ax.set_ylabel("frequency")
    ax.set_title(f"{title}: Zipf rank-frequency ({freq.size} tokens)")
    ax.legend()
    fig.tight_layout()
    _savefig(fig, path)


# --------------------------------------------------------------------------- tokenizer plots


def plot_zipf_kept(
    path: str | os.PathLike, all_counts: np.ndarray, kept_counts: np.ndarray, stats: dict
) -> None:
    """PNG: rank-frequency of all patterns and of the kept vocabulary, with both Zipf r."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for counts, key, label in (
        (all_counts, "zipf_all", "all patterns"),
        (kept_counts, "zipf_kept", "kept vocabulary"),
    ):
        freq = np.sort(np.asarray(counts, dtype=np.float64)[np.asarray(counts) > 0])[::-1]
        if freq.size == 0:
            continue
        ranks, shown = _plotted(freq)
        fit = stats.get(key, {})
        r = fit.get("pearson_r")
        text = (
            f"{label} ({freq.size}; r = {r:.3f})"
            if r is not None and math.isfinite(r)
            else f"{label} ({freq.size})"
        )
        ax.loglog(ranks, shown, ".", markersize=3, label=text)
        slope = fit.get("slope")
        if slope is not None and math.isfinite(slope):
            ax.loglog(
                ranks,
                10 ** (fit["intercept"] + slope * np.log10(ranks)),
                "-",
                linewidth=0.8,
                color="0.3",
            )
    ax.axhline(
        stats.get("min_count", 1),
        color="0.6",
        linestyle=":",
        linewidth=0.8,
        label=f"min_count = {stats.get('min_count')}",
    )
    ax.set_xlabel("rank")
    ax.set_ylabel("bins")
    ax.set_title("Motif tokens: Zipf rank-frequency")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _savefig(fig, path)


def dominant_family(cluster_names: list[str], values: sp.csr_matrix) -> list[str]:
    """Per row, the first motif name of the cluster with the largest value (``none``: none)."""
    csr = sp.csr_matrix(values)
    out = []
    for i in range(csr.shape[0]):
        lo, hi = csr.indptr[i], csr.indptr[i + 1]
        if hi == lo:
            out.append("none")
            continue
        c = int(csr.indices[lo + int(np.argmax(csr.data[lo:hi]))])
        out.append(cluster_names[c].split("/")[0] if cluster_names[c] else f"m{c}")
    return out


def token_map_points(
    ids: np.ndarray,
    nonzero: np.ndarray,
    frequent: np.ndarray,
    max_points: int = 5000,
    seed: int = 0,
) -> np.ndarray:
    """Rows to draw: bins whose token id is in ``frequent`` and whose cluster vector is not
    zero (``nonzero``), a seeded subsample of at most ``max_points`` (sorted)."""
    rows = np.flatnonzero(np.isin(ids, frequent) & nonzero)
    if rows.size > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_points, replace=False))
    return rows


def plot_token_map(
    path: str | os.PathLike,
    values: sp.csr_matrix,
    families: list[str],
    title: str = "Motif token map",
    n_families: int = 10,
) -> np.ndarray:
    """PNG: PCA (2 components, scikit-learn) of log1p cluster vectors, coloured by the
    dominant cluster's motif family.

    The ``n_families`` most frequent families get a colour, the rest are ``other``. Returns the
    two components (n x 2).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    # log1p tames the CpG feature, whose bin values count dinucleotides (not capped at 1)
    dense = np.log1p(sp.csr_matrix(values).toarray().astype(np.float64))
    fig, ax = plt.subplots(figsize=(7, 5.5))
    coords = np.zeros((dense.shape[0], 2))
    if dense.shape[0] >= 3 and dense.shape[1] >= 2:
        coords = PCA(n_components=2, svd_solver="full").fit_transform(dense)
    names, counts = np.unique(np.array(families, dtype=object), return_counts=True)
    order = sorted(zip(names.tolist(), counts.tolist()), key=lambda kv: (-kv[1], kv[0]))
    top = [n for n, _ in order[:n_families]]
    labels = np.array([f if f in top else "other" for f in families], dtype=object)
    cmap = plt.get_cmap("tab10")
    for k, name in enumerate(top + (["other"] if np.any(labels == "other") else [])):
        sel = labels == name
        colour = cmap(k % 10) if name != "other" else (0.75, 0.75, 0.75, 1.0)
        ax.scatter(
            coords[sel, 0],
            coords[sel, 1],
            s=4,
            color=colour,
            label=f"{name} ({int(sel.sum())})",
            linewidths=0,
        )
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(f"{title} ({dense.shape[0]} bins of frequent tokens)")
    ax.legend(
        fontsize=7, markerscale=3, loc="best", title="dominant cluster's motif", title_fontsize=7
    )
    fig.tight_layout()
    _savefig(fig, path)
    return coords
