"""Snakemake adapter: the release's interval tokenizer folder (genovocab.release)."""

from pathlib import Path

from genovocab.logutil import configure_logging
from genovocab.release import write_interval_tokenizer

log = configure_logging(snakemake)
paths = write_interval_tokenizer(
    snakemake.input.universe, snakemake.input.chrom_sizes, Path(snakemake.output.config).parent
)
log.info("interval tokenizer: %s", ", ".join(str(p) for p in paths))
