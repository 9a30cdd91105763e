"""Snakemake adapter: features.tsv, statistics and the bin-length histogram of all chromosomes."""

import json

from genovocab.logutil import configure_logging
from genovocab.motifs.features import feature_table, write_feature_table
from genovocab.motifs.run import load_matrix_set
from genovocab.motifs.stats import gather_stats

sm = snakemake
log = configure_logging(snakemake)
_, mset = load_matrix_set(sm.input.pfms, sm.params.matrices)
write_feature_table(sm.output.features, mset, sm.params.cpg)
per_chrom = []
for path in sm.input.stats:
    with open(path) as handle:
        per_chrom.append(json.load(handle))
row = gather_stats(per_chrom, feature_table(mset, sm.params.cpg), sm.output.stats,
                   sm.output.sites_per_feature, sm.output.histogram)
log.info("%d bins, mean %.2f bp, median %g bp, %.4f trimmed", row["bins"],
         row["mean_bin_length"], row["median_bin_length"], row["share_trimmed"])
