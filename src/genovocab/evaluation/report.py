"""The evaluation's files: TSV tables, the rank-frequency plot and a Markdown summary.

``evaluation/`` holds

* ``sequence.tsv``: one row per tokenization x split (``held_out``, ``train``) x DNA (``real``,
  ``shuffled``): bp, tokens, tokens per kbp, vocabulary size, types, utilisation, ``<unk>``
  rate, Zipf r and slope over all ranks, the same in the paper's frequency band (with the
  number of types in it), motif sites counted and motif integrity;
* ``integrity_clusters.tsv``: motif integrity per tokenization and motif cluster (held out);
* ``ggrams.tsv``: G-gram coverage of the BPE stream per split;
* ``intervals.tsv``: the interval vocabulary's measures per universe method (when evaluated);
* ``rank_frequency.png``: every tokenization's rank-frequency curve on the held-out DNA, real
  (solid) and shuffled (dotted), log-log (the layout of Davarmanesh et al.'s Figure 1c);
* ``summary.md``: the held-out table in Markdown (the release card's evaluation section).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from genovocab.evaluation.zipf import rank_frequency
from genovocab.tables import write_tsv

__all__ = ["plot_rank_frequency", "summary_markdown", "write_tables"]

FLOAT = "%.6g"
SUMMARY_COLUMNS = [
    ("tokenization", "tokenization"),
    ("dna", "DNA"),
    ("tokens_per_kbp", "tokens/kbp"),
    ("types", "types"),
    ("utilisation", "vocab used"),
    ("unk_rate", "<unk>"),
    ("zipf_r", "Zipf r"),
    ("zipf_slope", "slope"),
    ("band_r", "band r"),
    ("band_types", "band types"),
    ("motif_integrity", "motif integrity"),
]


def write_tables(out_dir: str | os.PathLike, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Every non-empty table as ``<name>.tsv`` (6 significant digits: a table for reading)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        if frame is None or frame.empty:
            continue
        write_tsv(out / f"{name}.tsv", frame, float_format=FLOAT)
        written.append(out / f"{name}.tsv")
    return written


def _fmt(value, column: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if column in ("utilisation", "unk_rate", "motif_integrity"):
        return f"{100 * float(value):.1f} %"
    if column in ("types", "band_types"):
        return f"{int(value):,}"
    if column == "tokens_per_kbp":
        return f"{float(value):.1f}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.3f}" if column != "zipf_slope" else f"{float(value):.2f}"
    return str(value)


def summary_markdown(measures: pd.DataFrame, split: str = "held_out") -> str:
    """The measures of one split as a Markdown table (real and shuffled rows)."""
    rows = measures[measures["split"] == split] if not measures.empty else measures
    if rows.empty:
        return "_(no measures)_\n"
    head = "| " + " | ".join(t for _, t in SUMMARY_COLUMNS) + " |\n"
    head += "|" + "---|" * len(SUMMARY_COLUMNS) + "\n"
    body = "".join(
        "| " + " | ".join(_fmt(r.get(c), c) for c, _ in SUMMARY_COLUMNS) + " |\n"
        for r in rows.to_dict("records")
    )
    return head + body


def plot_rank_frequency(
    path: str | os.PathLike,
    counts: Mapping[tuple[str, str], np.ndarray],
    title: str = "Rank-frequency on held-out DNA",
) -> None:
    """PNG: log-log rank-frequency of every tokenization, real solid, shuffled dotted, the
    same colour per tokenization; the legend gives Zipf r of the real DNA."""
    from genovocab.evaluation.zipf import zipf_fit
    from genovocab.motifs.token_plots import _plotted
    from genovocab.plotting import pyplot, save_png

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    names = list(dict.fromkeys(name for name, _ in counts))
    cmap = plt.get_cmap("tab10")
    for i, name in enumerate(names):
        colour = cmap(i % 10)
        for dna, style in (("real", "-"), ("shuffled", ":")):
            c = counts.get((name, dna))
            if c is None:
                continue
            freq = rank_frequency(c)
            if freq.size == 0:
                continue
            ranks, shown = _plotted(freq.astype(np.float64))
            label = None
            if dna == "real":
                r = zipf_fit(c)["pearson_r"]
                label = f"{name} (r = {r:.3f})" if math.isfinite(r) else name
            ax.loglog(ranks, shown, style, color=colour, linewidth=1.2, label=label)
    ax.plot([], [], ":", color="0.4", label="dinucleotide-shuffled control")
    ax.set_xlabel("rank")
    ax.set_ylabel("frequency")
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, path, dpi=100)
