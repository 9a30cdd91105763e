"""Snakemake adapter: the release's assessment table, and a comparison when several methods ran."""

from genovocab.logutil import configure_logging
from genovocab.universe.assess import write_report

log = configure_logging(snakemake)
out = snakemake.output
write_report(
    list(snakemake.input.assessments),
    list(snakemake.params.methods),
    out.assessment,
    out.get("comparison"),
    out.get("plot"),
)
