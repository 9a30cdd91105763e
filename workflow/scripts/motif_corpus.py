"""Snakemake adapter: the motif corpus (fragments of motif bins + per-bin targets)."""

from genovocab.corpora.motif import build_motif_corpus, config_from_mapping
from genovocab.logutil import configure_logging

log = configure_logging(snakemake)
sm = snakemake
config = config_from_mapping(sm.params.entry, dict(zip(sm.params.track_names, sm.input.tracks)))
stats = build_motif_corpus(sm.input.tokenizer, sm.output.corpus, config, name=sm.params.name)
for split, s in stats["splits"].items():
    log.info("%s: %d fragments (%s)", split, s["rows"], ", ".join(s["chromosomes"]))
log.info("%.2f MB of shards", stats["bytes"] / 1e6)
