"""Snakemake adapter: download one source or sample (genovocab.download.fetch) and write its
sidecar <file>.source.json (name, url, sha256, bytes)."""

from genovocab.download import fetch, write_sidecar
from genovocab.logutil import log_to_file

log = log_to_file(snakemake.log[0])  # noqa: F821
entry = snakemake.params.entry  # noqa: F821
name = entry.get("name") or snakemake.wildcards.get("source")  # noqa: F821
try:
    record = fetch(entry["url"], snakemake.output[0], entry.get("sha256") or None,  # noqa: F821
                   name=name, lock=snakemake.params.lock, pin=snakemake.params.pin)  # noqa: F821
    write_sidecar(snakemake.output[0], record)  # noqa: F821
except Exception as exc:
    log.error("%s", exc)
    raise
