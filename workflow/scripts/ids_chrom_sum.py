"""Snakemake adapter: sum one chromosome's IDS block partials into its partial sums."""

from genovocab.logutil import configure_logging
from genovocab.motifs.ids import reduce_partials

log = configure_logging(snakemake)
total = reduce_partials(list(snakemake.input.partials))
total.save(snakemake.output.chrom_sum)
log.info(
    "%s: IDS partial sums of %d bins from %d block(s)",
    snakemake.wildcards.chrom,
    total.n,
    len(snakemake.input.partials),
)
