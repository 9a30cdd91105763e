"""Snakemake adapter: one chromosome's bin x cluster matrix and its active-cluster patterns."""

from genovocab.logutil import configure_logging
from genovocab.motifs.token_files import chromosome_cluster_features, csr_array_prefix

sm = snakemake
log = configure_logging(snakemake)
bins, patterns = chromosome_cluster_features(
    sm.input.features,
    sm.input.clusters,
    cluster_features_out=csr_array_prefix(sm.output.cluster_features[0]),
    patterns_out=sm.output.patterns,
    threshold=sm.params.threshold,
)
log.info("%s: %d bins, %d distinct active-cluster patterns", sm.wildcards.chrom, bins, patterns)
