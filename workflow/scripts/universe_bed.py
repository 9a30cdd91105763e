"""Snakemake adapter: the release's universe files (BED3 vocabulary, flexible BED9, stats)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import log_to_file
from genovocab.universe.output import (
    read_universe_table,
    universe_stats,
    write_tsv,
    write_universe_bed3,
    write_universe_bed9,
)

log = log_to_file(snakemake.log[0])  # noqa: F821
out = snakemake.output  # noqa: F821
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)  # noqa: F821
universe = read_universe_table(snakemake.input.table)  # noqa: F821
n = write_universe_bed3(out.universe, universe, list(sizes))
if "flexible" in out.keys():
    write_universe_bed9(out.flexible, universe, list(sizes))
write_tsv(out.stats, universe_stats(universe, snakemake.params.method, sizes))  # noqa: F821
log.info("universe (%s): %d region(s)", snakemake.params.method, n)  # noqa: F821
