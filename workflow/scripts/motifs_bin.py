"""Snakemake adapter: coverage, peak bins and the bin x feature matrix of one chromosome."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.motifs.steps import BinParams, bin_chromosome, read_cpg_islands

sm = snakemake
log = configure_logging(snakemake)
p = sm.params
chrom = sm.wildcards.chrom
length = read_chrom_sizes(sm.input.chrom_sizes)[chrom]
islands = read_cpg_islands(sm.input.islands, chrom) if p.cpg == "islands" else None
bin_chromosome(
    sm.input.sites,
    chrom,
    length,
    out_bins=sm.output.bins,
    out_features=sm.output.features,
    out_stats=sm.output.stats,
    params=BinParams(
        float(p.sigma), float(p.peak_width), int(p.max_bin), int(p.trim_step), int(p.chunk_sites)
    ),
    cpg=p.cpg,
    genome=sm.input.get("fasta"),
    islands=islands,
    compress=bool(p.compress),
)
