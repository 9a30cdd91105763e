"""Snakemake adapter: download one source or sample (genovocab.download)."""

from genovocab.download import download
from genovocab.logutil import log_to_file

log = log_to_file(snakemake.log[0])  # noqa: F821
entry = snakemake.params.entry  # noqa: F821
name = snakemake.wildcards.get("source") or snakemake.wildcards.get("sample")  # noqa: F821
try:
    download(entry["url"], snakemake.output[0], entry.get("sha256") or None, name=name)  # noqa: F821
except Exception as exc:
    log.error("%s", exc)
    raise
