"""Snakemake adapter: download one source or sample (genovocab.download.fetch) and write its
sidecar <file>.source.json (name, url, sha256, bytes)."""

from genovocab.download import expected_origin, fetch, write_sidecar
from genovocab.logutil import configure_logging

log = configure_logging(snakemake)
entry = snakemake.params.entry
name = entry.get("name") or snakemake.wildcards.get("source")
record = fetch(
    entry["url"],
    snakemake.output[0],
    entry.get("sha256") or None,
    name=name,
    lock=snakemake.params.lock,
    pin=snakemake.params.pin,
    expected_from=expected_origin(name),
)
write_sidecar(snakemake.output[0], record)
