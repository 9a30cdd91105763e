"""Snakemake adapter: the cCRE registry as the universe (genovocab.universe.ccre_universe)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.universe.files import write_universe_table
from genovocab.universe.inputs import ccre_universe

log = configure_logging(snakemake)
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)
universe = ccre_universe(snakemake.input.registry, sizes)
write_universe_table(snakemake.output.table, universe, list(sizes))
log.info("ccre universe: %d region(s)", len(universe))
