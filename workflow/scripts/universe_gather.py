"""Snakemake adapter: gather the per-chromosome universe tables in chrom.sizes order."""

import pandas as pd

from genovocab.io import read_chrom_sizes
from genovocab.logutil import log_to_file
from genovocab.universe.output import read_universe_table, write_universe_table

log = log_to_file(snakemake.log[0])  # noqa: F821
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)  # noqa: F821
parts = [read_universe_table(p) for p in snakemake.input.tables]  # noqa: F821
universe = pd.concat(parts, ignore_index=True)
write_universe_table(snakemake.output.table, universe, list(sizes))  # noqa: F821
log.info("gathered %d region(s) from %d chromosome(s)", len(universe), len(parts))
