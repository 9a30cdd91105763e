"""Motif integrity: how many motif sites a tokenization keeps whole.

A counterpart of Davarmanesh et al.'s motif coverage score that does not depend on how the
tokens were built. For a tokenization of a stretch of DNA, its **token boundaries** are the
positions between two consecutive tokens (plus both ends of every piece it tokenized). A motif
site ``[start, end)`` (a JASPAR hit, as the release scanned or read it) is

* **whole** when no token boundary falls strictly inside it (``start < b < end`` for no ``b``):
  the site lies wholly inside one token;
* **cut** otherwise.

Only sites lying wholly inside one evaluated piece count (the piece edges are gaps or the
stretch's ends, the same for every tokenization, so they would cut sites for every tokenization
alike). **Motif integrity** = whole sites / counted sites, overall and per motif cluster (the
IDS cluster of the site's feature, so per family of similar motifs). Overlapping k-mers have no
boundaries in this sense (every base starts a token) and get no integrity figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["IntegrityTally", "cut_sites", "sites_inside"]


def cut_sites(starts: np.ndarray, ends: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """Per site, whether a boundary lies strictly inside ``[start, end)`` (boundaries sorted)."""
    b = np.asarray(boundaries, dtype=np.int64)
    if b.size == 0:
        return np.zeros(np.asarray(starts).shape, dtype=bool)
    i = np.searchsorted(b, np.asarray(starts, dtype=np.int64), side="right")
    inside = i < b.size
    nxt = b[np.minimum(i, b.size - 1)]
    return inside & (nxt < np.asarray(ends, dtype=np.int64))


def sites_inside(
    starts: np.ndarray, ends: np.ndarray, piece_starts: np.ndarray, piece_ends: np.ndarray
) -> np.ndarray:
    """Per site, whether it lies wholly inside one piece (pieces sorted, disjoint)."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    j = np.searchsorted(np.asarray(piece_starts, dtype=np.int64), starts, side="right") - 1
    ok = j >= 0
    jj = np.maximum(j, 0)
    return (
        ok & (ends <= np.asarray(piece_ends, dtype=np.int64)[jj])
        if len(piece_ends)
        else np.zeros(starts.shape, dtype=bool)
    )


class IntegrityTally:
    """Whole and cut site counts per cluster, added chunk by chunk (memory: two counters per
    cluster)."""

    def __init__(self, n_clusters: int):
        self.whole = np.zeros(max(1, n_clusters), dtype=np.int64)
        self.cut = np.zeros(max(1, n_clusters), dtype=np.int64)

    def add(
        self, starts: np.ndarray, ends: np.ndarray, clusters: np.ndarray, boundaries: np.ndarray
    ) -> None:
        """Sites (already restricted to those inside one piece) against sorted boundaries."""
        cut = cut_sites(starts, ends, boundaries)
        clusters = np.asarray(clusters, dtype=np.int64)
        n = self.whole.size
        self.cut += np.bincount(clusters[cut], minlength=n)[:n]
        self.whole += np.bincount(clusters[~cut], minlength=n)[:n]

    @property
    def integrity(self) -> float:
        total = int(self.whole.sum() + self.cut.sum())
        return float(self.whole.sum()) / total if total else float("nan")

    @property
    def n_sites(self) -> int:
        return int(self.whole.sum() + self.cut.sum())

    def per_cluster(self, names: list[str] | None = None) -> pd.DataFrame:
        """cluster, name, sites, whole, cut, integrity (clusters with a site)."""
        total = self.whole + self.cut
        rows = np.flatnonzero(total)
        names = names or []
        return pd.DataFrame(
            {
                "cluster": rows,
                "motifs": [names[c] if c < len(names) else "" for c in rows],
                "sites": total[rows],
                "whole": self.whole[rows],
                "cut": self.cut[rows],
                "integrity": self.whole[rows] / total[rows],
            }
        )
