"""Snakemake adapter: the release's universe files (BED3 vocabulary, flexible BED9, stats)."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.universe.files import read_universe_table, write_universe_files

log = configure_logging(snakemake)
out = snakemake.output
sizes = read_chrom_sizes(snakemake.input.chrom_sizes)
universe = read_universe_table(snakemake.input.table)
n = write_universe_files(
    universe,
    snakemake.params.method,
    sizes,
    bed3=out.universe,
    bed9=out.get("flexible"),
    stats=out.stats,
)
log.info("universe (%s): %d region(s)", snakemake.params.method, n)
