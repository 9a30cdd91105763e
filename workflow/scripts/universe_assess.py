"""Snakemake adapter: assess one universe against the peak samples (genovocab.universe.assess)."""

from genovocab.logutil import configure_logging
from genovocab.tables import write_tsv
from genovocab.universe.assess import assess_universe
from genovocab.universe.files import read_universe_table
from genovocab.universe.inputs import PeakSet

log = configure_logging(snakemake)
peaks = PeakSet.load(snakemake.input.peaks)
universe = read_universe_table(snakemake.input.table)
result = assess_universe(universe, peaks, window=int(snakemake.params.window))
write_tsv(snakemake.output.tsv, result)
log.info("assessment:\n%s", result.to_string(index=False))
