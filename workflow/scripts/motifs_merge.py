"""Snakemake adapter: merge one chromosome's track-batch partials into its site file."""

import os

from genovocab.logutil import configure_logging
from genovocab.motifs.steps import merge_site_files

sm = snakemake
log = configure_logging(snakemake)
parts = [os.path.join(d, f"{sm.wildcards.chrom}.parquet") for d in sm.input.partials]
n = merge_site_files(parts, sm.output.sites)
log.info("%s: %d sites from %d batches", sm.wildcards.chrom, n, len(parts))
