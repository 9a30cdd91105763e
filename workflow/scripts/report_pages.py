"""Snakemake adapter: HTML pages of the tables, corpus statistics and release card for the
report (genovocab.report_pages)."""

from genovocab.fileutil import write_text_atomic
from genovocab.logutil import configure_logging
from genovocab.report_pages import card_page, stats_page, tsv_page

log = configure_logging(snakemake)
for page, (tsv, title) in snakemake.params.tables.items():
    write_text_atomic(snakemake.output[page], tsv_page(tsv, title))
write_text_atomic(
    snakemake.output.corpora, stats_page(snakemake.params.corpus_stats, "Corpus statistics")
)
write_text_atomic(snakemake.output.card, card_page(snakemake.input.card, "Release card"))
log.info(
    "report pages: %d tables, %d corpora, the release card",
    len(snakemake.params.tables),
    len(snakemake.params.corpus_stats),
)
