"""Snakemake adapter: assess one universe against the peak samples (genovocab.universe.assess)."""

from genovocab.logutil import log_to_file
from genovocab.universe.assess import assess_universe
from genovocab.universe.inputs import PeakSet
from genovocab.universe.output import read_universe_table, write_tsv

log = log_to_file(snakemake.log[0])  # noqa: F821
peaks = PeakSet.load(snakemake.input.peaks)  # noqa: F821
universe = read_universe_table(snakemake.input.table)  # noqa: F821
result = assess_universe(universe, peaks, window=int(snakemake.params.window))  # noqa: F821
write_tsv(snakemake.output.tsv, result)  # noqa: F821
log.info("assessment:\n%s", result.to_string(index=False))
