"""Motif-aware bins and tokens (motif-aware tokenization, Davarmanesh et al.).

- :mod:`.sites`: one site format for every source (MOODS scan, JASPAR tracks, the bigBed);
- :mod:`.binning`: motif coverage, peaks and bin edges of one chromosome;
- :mod:`.features`: bin x feature CSR matrices (streamed, spilled to disk);
- :mod:`.stats`: per-chromosome and genome-wide statistics, the bin-length histogram;
- :mod:`.ids`: InterDependence Scores, exact and streaming, with mergeable partial sums;
- :mod:`.clustering`: hierarchical clustering of features on 1 - IDS;
- :mod:`.patterns`: cluster features per bin and their exact, value-ordered active patterns;
- :mod:`.vocabulary`: the bounded motif vocabulary (back-off, built level by level), Zipf fit;
- :mod:`.pattern_counts`: hash-sharded exact counts of every distinct active set (a census);
- :mod:`.token_files`: the motif-token stage's files and workflow steps;
- :mod:`.token_plots`: Zipf rank-frequency and the token map;
- :mod:`.steps`: the file-level steps the CLI and the workflow scripts share.

Submodules are imported on use (``from genovocab.motifs.steps import bin_genome``), so importing
the package stays cheap.
"""

__all__ = [
    "binning",
    "clustering",
    "features",
    "ids",
    "pattern_counts",
    "patterns",
    "sites",
    "stats",
    "steps",
    "token_files",
    "token_plots",
    "vocabulary",
]
