"""Snakemake adapter: features.tsv, statistics and the bin-length histogram of all chromosomes."""

import json

from genovocab.logutil import configure_logging
from genovocab.motifs.steps import gather_bins, load_matrix_set

sm = snakemake
log = configure_logging(snakemake)
_, mset = load_matrix_set(sm.input.pfms, sm.params.matrices)
per_chrom = []
for path in sm.input.stats:
    with open(path) as handle:
        per_chrom.append(json.load(handle))
row = gather_bins(
    per_chrom,
    mset,
    sm.params.cpg,
    features_out=sm.output.features,
    stats_out=sm.output.stats,
    sites_per_feature_out=sm.output.sites_per_feature,
    histogram_out=sm.output.histogram,
)
log.info(
    "%d bins, mean %.2f bp, median %g bp, %.4f trimmed",
    row["bins"],
    row["mean_bin_length"],
    row["median_bin_length"],
    row["share_trimmed"],
)
