"""Snakemake adapter: sum the per-chromosome IDS partial sums -> ids.npy + ids.tsv."""

import time

from genovocab.logutil import configure_logging
from genovocab.motifs.clustering import read_feature_table, write_tsv
from genovocab.motifs.ids import reduce_partials, write_ids

sm = snakemake
log = configure_logging(snakemake)
t0 = time.perf_counter()
total = reduce_partials(list(sm.input.partials))
features = read_feature_table(sm.input.features, d=total.d)
matrix = total.result(sm.params.norm)
write_ids(sm.output.ids, matrix)
labels = features[["index", "matrix_id", "name", "strand"]].copy()
labels["label"] = [f"{n}({s})" for n, s in zip(features["name"], features["strand"])]
write_tsv(sm.output.labels, labels)
log.info("IDS (%s norm) of %d features over %d bins in %.1f s", sm.params.norm, total.d,
         total.n, time.perf_counter() - t0)
