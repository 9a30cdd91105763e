"""Snakemake adapter: scan one chromosome with the PFMs into its compact site file."""

from genovocab.logutil import configure_logging
from genovocab.motifs.steps import load_matrix_set, scan_to_site_file

sm = snakemake
log = configure_logging(snakemake)
matrices, _ = load_matrix_set(sm.input.pfms, sm.params.matrices)
with open(sm.log[0], "a") as progress:  # the tqdm bar goes to the rule's log too
    scan_to_site_file(
        sm.input.fasta,
        sm.wildcards.chrom,
        matrices,
        sm.output.sites,
        window=int(sm.params.window),
        min_relative=int(sm.params.min_relative),
        max_pvalue=float(sm.params.max_pvalue),
        progress_file=progress,
    )
