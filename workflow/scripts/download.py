"""Snakemake adapter: download one source or sample (genovocab.download)."""

from genovocab.download import download
from genovocab.logutil import configure_logging

log = configure_logging(snakemake)
entry = snakemake.params.entry
name = snakemake.wildcards.get("source") or snakemake.wildcards.get("sample")
download(entry["url"], snakemake.output[0], entry.get("sha256") or None, name=name)
