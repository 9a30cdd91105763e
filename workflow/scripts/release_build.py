"""Snakemake adapter: build the release folder and its tarball (genovocab.release)."""

import time

from genovocab.logutil import log_to_file
from genovocab.release import build_release, source_record, write_tarball

log = log_to_file(snakemake.log[0])  # noqa: F821
started = time.perf_counter()
out = snakemake.output  # noqa: F821
sources = [source_record(name, path, url)
           for name, (path, url) in snakemake.params.downloads.items()]  # noqa: F821
release = build_release(out.release, parts=snakemake.params.parts,  # noqa: F821
                        config=snakemake.params.config,  # noqa: F821
                        chrom_sizes=snakemake.input.chrom_sizes, sources=sources)  # noqa: F821
write_tarball(release, out.tarball)
log.info("release %s and %s in %.2f s", release, out.tarball, time.perf_counter() - started)
