"""Snakemake adapter: the release's interval tokenizer folder (genovocab.release)."""

from pathlib import Path

from genovocab.logutil import log_to_file
from genovocab.release import write_interval_tokenizer

log = log_to_file(snakemake.log[0])  # noqa: F821
paths = write_interval_tokenizer(snakemake.input.universe, snakemake.input.chrom_sizes,  # noqa: F821
                                 Path(snakemake.output.config).parent)  # noqa: F821
log.info("interval tokenizer: %s", ", ".join(str(p) for p in paths))
