"""Snakemake adapter: assess one universe against the peak samples (genovocab.universe.assess)."""

from genovocab.logutil import configure_logging
from genovocab.universe.assess import assess_universe
from genovocab.universe.inputs import PeakSet
from genovocab.universe.output import read_universe_table, write_tsv

log = configure_logging(snakemake)
peaks = PeakSet.load(snakemake.input.peaks)
universe = read_universe_table(snakemake.input.table)
result = assess_universe(universe, peaks, window=int(snakemake.params.window))
write_tsv(snakemake.output.tsv, result)
log.info("assessment:\n%s", result.to_string(index=False))
