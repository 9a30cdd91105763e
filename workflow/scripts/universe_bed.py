"""Snakemake adapter: the release's universe files (BED3 vocabulary, flexible BED9, stats)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.tables import write_tsv
from genovocab.universe.files import (
    read_universe_table,
    universe_stats,
    write_universe_bed3,
    write_universe_bed9,
)

log = configure_logging(snakemake)
out = snakemake.output
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)
universe = read_universe_table(snakemake.input.table)
n = write_universe_bed3(out.universe, universe, list(sizes))
if "flexible" in out.keys():
    write_universe_bed9(out.flexible, universe, list(sizes))
write_tsv(out.stats, universe_stats(universe, snakemake.params.method, sizes))
log.info("universe (%s): %d region(s)", snakemake.params.method, n)
