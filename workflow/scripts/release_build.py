"""Snakemake adapter: build the release folder and its tarball (genovocab.release)."""

import time
from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.release import (
    SOFTWARE,
    build_release,
    release_digest,
    software_versions,
    source_record,
    write_archive,
)

log = configure_logging(snakemake)
started = time.perf_counter()
out = snakemake.output
sources = [
    source_record(name, path, url) for name, (path, url) in snakemake.params.downloads.items()
]
config = snakemake.params.config
# torch runs only with the torch IDS backend
packages = [p for p in SOFTWARE if p != "torch" or config["ids"]["backend"] == "torch"]
release = build_release(
    Path(out.manifest).parent,
    parts=snakemake.params.parts,
    config=config,
    chrom_sizes=snakemake.input.chrom_sizes,
    sources=sources,
    software=software_versions(packages),
    threads=snakemake.threads,
    link=snakemake.params.link,
)
built = time.perf_counter()
archive = write_archive(release, snakemake.params.archive, threads=snakemake.threads)
log.info(
    "release %s in %.2f s, archive %s in %.2f s; release digest %s (sha256 of release.json)",
    release,
    built - started,
    archive or "none",
    time.perf_counter() - built,
    release_digest(release),
)
