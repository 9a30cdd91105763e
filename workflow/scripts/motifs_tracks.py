"""Snakemake adapter: download one batch of JASPAR per-matrix tracks, split per chromosome."""

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.motifs.steps import fetch_track_batch, load_matrix_set, tracks_to_site_files

sm = snakemake
log = configure_logging(snakemake)
_, mset = load_matrix_set(sm.input.pfms, sm.params.matrices)
batch, n_batches = int(sm.wildcards.batch), int(sm.params.batches)
ids = [m for i, m in enumerate(mset.ids) if i % n_batches == batch]
paths = fetch_track_batch(ids, sm.params.url, sm.params.downloads, dict(sm.params.sha256))
sizes = read_chrom_sizes(sm.input.chrom_sizes)
counts = tracks_to_site_files(
    paths, mset, sizes, sm.output.partials, min_score=int(sm.params.min_relative)
)
log.info("batch %d: %d matrices, %d sites", batch, len(ids), sum(counts.values()))
