"""Snakemake adapter: the release's assessment table, and a comparison when several methods ran."""

from genovocab.logutil import log_to_file
from genovocab.universe.assess import write_report

log = log_to_file(snakemake.log[0])  # noqa: F821
out = snakemake.output  # noqa: F821
write_report(list(snakemake.input.assessments), list(snakemake.params.methods),  # noqa: F821
             out.assessment, out.get("comparison"), out.get("plot"))
