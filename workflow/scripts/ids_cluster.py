"""Snakemake adapter: hierarchical clustering of ids.npy -> clusters, summary, heatmap."""

from genovocab.logutil import configure_logging
from genovocab.motifs.clustering import cluster_files

sm = snakemake
log = configure_logging(snakemake)
clustering = cluster_files(
    sm.input.ids,
    sm.input.features,
    clusters_out=sm.output.clusters,
    summary_out=sm.output.summary,
    heatmap_out=sm.output.heatmap,
    threshold=sm.params.threshold,
    n_clusters=sm.params.n_clusters,
    method=sm.params.method,
)
log.info(
    "%d features -> %d clusters (%s linkage)",
    clustering.labels.size,
    clustering.n_clusters,
    sm.params.method,
)
