"""Snakemake adapter: gather the per-chromosome universe tables in chrom.sizes order."""

import pandas as pd

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.universe.files import read_universe_table, write_universe_table

log = configure_logging(snakemake)
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)
parts = [read_universe_table(p) for p in snakemake.input.tables]
universe = pd.concat(parts, ignore_index=True)
write_universe_table(snakemake.output.table, universe, list(sizes))
log.info("gathered %d region(s) from %d chromosome(s)", len(universe), len(parts))
