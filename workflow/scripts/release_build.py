"""Snakemake adapter: build the release folder and its tarball (genovocab.release)."""

import time
from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.release import (
    SOFTWARE,
    build_release,
    software_versions,
    source_record,
    write_tarball,
)

log = configure_logging(snakemake)  # noqa: F821
started = time.perf_counter()
out = snakemake.output  # noqa: F821
sources = [source_record(name, path, url)
           for name, (path, url) in snakemake.params.downloads.items()]  # noqa: F821
config = snakemake.params.config  # noqa: F821
# torch runs only with the torch IDS backend
packages = [p for p in SOFTWARE
            if p != "torch" or (config.get("ids") or {}).get("backend") == "torch"]
release = build_release(Path(out.manifest).parent, parts=snakemake.params.parts,  # noqa: F821
                        config=config, chrom_sizes=snakemake.input.chrom_sizes,  # noqa: F821
                        sources=sources, software=software_versions(packages))
write_tarball(release, out.tarball)
log.info("release %s and %s in %.2f s", release, out.tarball, time.perf_counter() - started)
