"""Hierarchical clustering of motif features on their IDS matrix.

Motif features that bind the same sequences (paralogous TFs, the two strands of a palindrome)
are redundant; motif-aware tokenization (Davarmanesh et al.) groups them with hierarchical
clustering of the genome-wide IDS matrix (1,682 features -> 871 clusters). Distance is
``1 - IDS`` (clipped to [0, 1]); the tree is scipy's ``linkage`` (``average`` by default) and is
cut either at a distance threshold or into a given number of clusters. Cluster numbers are made
deterministic and readable: clusters are numbered 0, 1, ... in the order of their first member
in feature order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from genovocab.defaults import LINKAGE_METHODS
from genovocab.errors import GenovocabError, InputError
from genovocab.plotting import pyplot, save_png
from genovocab.tables import write_tsv

__all__ = [
    "FEATURE_COLUMNS",
    "LINKAGE_METHODS",
    "TSV_FORMAT",
    "Clustering",
    "cluster_files",
    "cluster_ids",
    "cluster_summary",
    "cluster_table",
    "feature_labels",
    "plot_ids_heatmap",
    "read_clusters",
    "read_feature_table",
]

# LINKAGE_METHODS: those valid for an arbitrary dissimilarity (centroid, median and ward
# assume Euclidean distances).
# The clustering tables are read by people: 6 significant digits, NA for missing values.
TSV_FORMAT = {"float_format": "%.6g", "na_rep": "NA"}
FEATURE_COLUMNS = ("index", "matrix_id", "name", "strand")


@dataclass
class Clustering:
    """Cluster labels of the features (0-based, numbered by first member) and the tree."""

    labels: np.ndarray  # int64, one per feature
    linkage: np.ndarray  # scipy linkage matrix
    order: np.ndarray  # dendrogram leaf order (feature indices)

    @property
    def n_clusters(self) -> int:
        """Number of clusters."""
        return int(self.labels.max()) + 1 if self.labels.size else 0

    def members(self) -> list[np.ndarray]:
        """Feature indices of each cluster, ascending, in cluster order."""
        order = np.argsort(self.labels, kind="stable")
        bounds = np.searchsorted(self.labels[order], np.arange(self.n_clusters + 1))
        return [order[bounds[c] : bounds[c + 1]] for c in range(self.n_clusters)]


def renumber(raw: np.ndarray) -> np.ndarray:
    """Relabel clusters 0, 1, ... by the position of their first member."""
    raw = np.asarray(raw)
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]


def ids_distance(matrix: np.ndarray) -> np.ndarray:
    """Condensed distance vector ``1 - IDS`` (symmetrised, clipped to [0, 1], zero diagonal)."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise GenovocabError(f"IDS matrix must be square, got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise GenovocabError("IDS matrix holds NaN or infinite values")
    dist = 1.0 - 0.5 * (m + m.T)
    np.clip(dist, 0.0, 1.0, out=dist)
    np.fill_diagonal(dist, 0.0)
    return squareform(dist, checks=False)


def cluster_ids(
    matrix: np.ndarray,
    *,
    threshold: float | None = None,
    n_clusters: int | None = None,
    method: str = "average",
) -> Clustering:
    """Cluster features hierarchically on ``1 - IDS``.

    Exactly one of ``threshold`` (cut at this cophenetic distance: features joined at a
    distance ``<= threshold`` share a cluster) and ``n_clusters`` (at most that many clusters)
    must be given.
    """
    if (threshold is None) == (n_clusters is None):
        raise GenovocabError("give exactly one of a distance threshold and a cluster count")
    if method not in LINKAGE_METHODS:
        raise GenovocabError(
            f"linkage method must be one of {', '.join(LINKAGE_METHODS)}, got {method!r}"
        )
    d = np.asarray(matrix).shape[0]
    condensed = ids_distance(matrix)
    if d == 1:
        return Clustering(np.zeros(1, dtype=np.int64), np.zeros((0, 4)), np.zeros(1, np.int64))
    tree = hierarchy.linkage(condensed, method=method)
    if threshold is not None:
        if not 0.0 <= threshold <= 1.0:
            raise GenovocabError(f"distance threshold must be in [0, 1], got {threshold}")
        raw = hierarchy.fcluster(tree, t=threshold, criterion="distance")
    else:
        if n_clusters < 1:
            raise GenovocabError(f"cluster count must be >= 1, got {n_clusters}")
        raw = hierarchy.fcluster(tree, t=min(int(n_clusters), d), criterion="maxclust")
    order = hierarchy.leaves_list(tree).astype(np.int64)
    return Clustering(renumber(raw), tree, order)


def read_feature_table(path: str | os.PathLike, d: int | None = None) -> pd.DataFrame:
    """The feature table (``index, matrix_id, name, strand``; header line), checked."""
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot read the feature table ({exc})") from exc
    missing = [c for c in FEATURE_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(path, f"feature table lacks column(s) {', '.join(missing)}", line=1)
    try:
        index = table["index"].astype(np.int64).to_numpy()
    except ValueError as exc:
        raise InputError(path, f"column 'index' must hold integers ({exc})") from exc
    bad = np.flatnonzero(index != np.arange(len(table)))
    if bad.size:
        raise InputError(
            path,
            f"feature index {table['index'].iloc[bad[0]]} is not "
            f"{bad[0]} (indices must be 0, 1, ... in order)",
            line=int(bad[0]) + 2,
        )
    if d is not None and len(table) != d:
        raise InputError(path, f"feature table has {len(table)} features, the IDS matrix {d}")
    return table


def cluster_table(clustering: Clustering, features: pd.DataFrame) -> pd.DataFrame:
    """One row per feature: ``feature, cluster, matrix_id, name, strand``."""
    return pd.DataFrame(
        {
            "feature": np.arange(len(features), dtype=np.int64),
            "cluster": clustering.labels,
            "matrix_id": features["matrix_id"].to_numpy(),
            "name": features["name"].to_numpy(),
            "strand": features["strand"].to_numpy(),
        }
    )


def cluster_summary(
    clustering: Clustering, features: pd.DataFrame, matrix: np.ndarray
) -> pd.DataFrame:
    """One row per cluster: size, members (``name(strand)``), mean IDS over member pairs.

    The mean intra-cluster IDS of a singleton is undefined (NaN, written ``NA``).
    """
    m = np.asarray(matrix, dtype=np.float64)
    rows = []
    for c, members in enumerate(clustering.members()):
        if members.size > 1:
            sub = m[np.ix_(members, members)]
            iu = np.triu_indices(members.size, k=1)
            mean_ids = float(sub[iu].mean())
        else:
            mean_ids = float("nan")
        labels = [f"{features['name'].iloc[i]}({features['strand'].iloc[i]})" for i in members]
        rows.append(
            {
                "cluster": c,
                "size": int(members.size),
                "mean_ids": mean_ids,
                "features": ",".join(str(i) for i in members),
                "members": ",".join(labels),
            }
        )
    return pd.DataFrame(rows, columns=["cluster", "size", "mean_ids", "features", "members"])


def feature_labels(features: pd.DataFrame) -> pd.DataFrame:
    """``index, matrix_id, name, strand, label`` with ``label`` = ``name(strand)``: the axis
    labels of the IDS matrix (heatmaps, reports)."""
    labels = features[list(FEATURE_COLUMNS)].copy()
    labels["label"] = [f"{n}({s})" for n, s in zip(features["name"], features["strand"])]
    return labels


def read_clusters(path: str | os.PathLike) -> np.ndarray:
    """Cluster label of each feature from ``clusters.tsv`` (features 0..d-1 in order)."""
    try:
        table = pd.read_csv(
            path, sep="\t", dtype={"feature": np.int64, "cluster": np.int64}, keep_default_na=False
        )
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot read the cluster table ({exc})") from exc
    for column in ("feature", "cluster"):
        if column not in table.columns:
            raise InputError(path, f"cluster table lacks column {column!r}", line=1)
    feature = table["feature"].to_numpy()
    bad = np.flatnonzero(feature != np.arange(len(table)))
    if bad.size:
        raise InputError(
            path,
            f"feature {feature[bad[0]]} is not {bad[0]} (features must be 0, 1, ... in order)",
            line=int(bad[0]) + 2,
        )
    labels = table["cluster"].to_numpy()
    if labels.size and (labels.min() < 0 or np.unique(labels).size != labels.max() + 1):
        raise InputError(path, "cluster numbers must be 0, 1, ... without gaps")
    return labels


def _label_runs(values: np.ndarray) -> list[tuple[int, int, int]]:
    """``(start, end, value)`` of each run of equal values (end exclusive)."""
    if not len(values):
        return []
    cuts = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(values)]])
    return [(int(a), int(b), int(values[a])) for a, b in zip(starts, ends)]


def plot_ids_heatmap(
    path: str | os.PathLike,
    matrix: np.ndarray,
    clustering: Clustering,
    labels: list[str] | None = None,
    title: str = "IDS",
) -> None:
    """PNG: the IDS matrix in dendrogram order with the dendrogram on top."""
    plt = pyplot()
    m = np.asarray(matrix, dtype=np.float64)
    order = clustering.order
    fig = plt.figure(figsize=(8, 9))
    ax_tree = fig.add_axes((0.1, 0.8, 0.75, 0.15))
    ax_map = fig.add_axes((0.1, 0.05, 0.75, 0.74))
    ax_bar = fig.add_axes((0.87, 0.05, 0.03, 0.74))
    if clustering.linkage.shape[0]:
        hierarchy.dendrogram(
            clustering.linkage,
            ax=ax_tree,
            no_labels=True,
            color_threshold=0,
            above_threshold_color="k",
        )
    ax_tree.set_axis_off()
    ax_tree.set_title(f"{title} ({m.shape[0]} features, {clustering.n_clusters} clusters)")
    image = ax_map.imshow(
        m[np.ix_(order, order)],
        vmin=0,
        vmax=1,
        cmap="viridis",
        aspect="auto",
        interpolation="nearest",
    )
    if labels is not None and len(order) <= 60:
        ticks = np.arange(len(order))
        ax_map.set_yticks(ticks, [labels[i] for i in order], fontsize=6)
        ax_map.set_xticks(ticks, [labels[i] for i in order], fontsize=6, rotation=90)
        ax_map.set_xlabel("motif feature")
        ax_map.set_ylabel("motif feature")
    else:
        # too many features to name: one tick per cluster run in dendrogram order
        # (at most 60 labelled), named by its cluster id
        runs = _label_runs(clustering.labels[order])
        step = max(1, -(-len(runs) // 60))
        ticks = [(a + b - 1) / 2 for a, b, _ in runs[::step]]
        names = [f"c{c}" for _, _, c in runs[::step]]
        ax_map.set_xticks(ticks, names, fontsize=6, rotation=90)
        ax_map.set_yticks(ticks, names, fontsize=6)
        ax_map.set_xlabel(f"motif features in dendrogram order, by cluster ({len(order)} features)")
        ax_map.set_ylabel("cluster")
    fig.colorbar(image, cax=ax_bar, label="IDS")
    save_png(fig, path, dpi=100)


def cluster_files(
    ids_path: str | os.PathLike,
    features_path: str | os.PathLike,
    *,
    clusters_out: str | os.PathLike,
    summary_out: str | os.PathLike,
    heatmap_out: str | os.PathLike | None = None,
    threshold: float | None = 0.5,
    n_clusters: int | None = None,
    method: str = "average",
) -> Clustering:
    """Workflow step: cluster ``ids.npy`` and write ``clusters.tsv``, the summary, the heatmap.

    ``n_clusters`` (when given) takes precedence over ``threshold``.
    """
    from genovocab.motifs.ids import read_ids

    matrix = read_ids(ids_path).astype(np.float64)
    features = read_feature_table(features_path, d=matrix.shape[0])
    if n_clusters:
        threshold = None
    clustering = cluster_ids(
        matrix, threshold=threshold, n_clusters=n_clusters or None, method=method
    )
    write_tsv(clusters_out, cluster_table(clustering, features), **TSV_FORMAT)
    write_tsv(summary_out, cluster_summary(clustering, features, matrix), **TSV_FORMAT)
    if heatmap_out is not None:
        labels = feature_labels(features)["label"].tolist()
        plot_ids_heatmap(heatmap_out, matrix, clustering, labels=labels)
    return clustering
