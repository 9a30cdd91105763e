"""Snakemake adapter: sum the per-chromosome IDS partial sums -> ids.npy + ids.tsv."""

import time

from genovocab.logutil import configure_logging
from genovocab.motifs.clustering import TSV_FORMAT, feature_labels, read_feature_table
from genovocab.motifs.ids import reduce_partials, write_ids
from genovocab.tables import write_tsv

sm = snakemake
log = configure_logging(snakemake)
t0 = time.perf_counter()
total = reduce_partials(list(sm.input.partials))
features = read_feature_table(sm.input.features, d=total.d)
matrix = total.result(sm.params.norm)
write_ids(sm.output.ids, matrix)
write_tsv(sm.output.labels, feature_labels(features), **TSV_FORMAT)
log.info(
    "IDS (%s norm) of %d features over %d bins in %.1f s",
    sm.params.norm,
    total.d,
    total.n,
    time.perf_counter() - t0,
)
