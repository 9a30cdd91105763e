"""Snakemake adapter: the cCRE registry as the universe (genovocab.universe.ccre_universe)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import log_to_file
from genovocab.universe.inputs import ccre_universe
from genovocab.universe.output import write_universe_table

log = log_to_file(snakemake.log[0])  # noqa: F821
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)  # noqa: F821
universe = ccre_universe(snakemake.input.registry, sizes)  # noqa: F821
write_universe_table(snakemake.output.table, universe, list(sizes))  # noqa: F821
log.info("ccre universe: %d region(s)", len(universe))
