"""Snakemake adapter: merge one chromosome's track-batch partials into its site file."""

import os

from genovocab.logutil import log_to_file
from genovocab.motifs.run import merge_site_files

sm = snakemake  # noqa: F821
log = log_to_file(sm.log[0])
parts = [os.path.join(d, f"{sm.wildcards.chrom}.parquet") for d in sm.input.partials]
n = merge_site_files(parts, sm.output.sites)
log.info("%s: %d sites from %d batches", sm.wildcards.chrom, n, len(parts))
