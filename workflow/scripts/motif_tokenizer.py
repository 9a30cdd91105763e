"""Snakemake adapter: the motif tokenizer folder (trained vocabulary, bins, parameters, plots)."""

from pathlib import Path

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.motifs.token_files import csr_array_prefix
from genovocab.tokenizers.motif import MotifParams, write_tokenizer_folder

log = configure_logging(snakemake)
sm = snakemake
p = sm.params
params = MotifParams(
    min_relative=int(p.min_relative),
    max_pvalue=float(p.max_pvalue),
    scan_window=int(p.scan_window),
    site_source=str(p.site_source),
    sigma=float(p.sigma),
    peak_width=float(p.peak_width),
    max_bin=int(p.max_bin),
    trim_step=int(p.trim_step),
    cpg=str(p.cpg),
    token_threshold=float(p.token_threshold),
    vocab_size=int(p.vocab_size),
    min_count=int(p.min_count),
    matrices=tuple(p.matrices),
)
# the chromosomes come from this job's own inputs (no checkpoint read on a cluster node)
chroms = [Path(b).name.removesuffix(".bins.npy") for b in sm.input.bins]
cluster_features = [
    csr_array_prefix(f) for f in sm.input.cluster_features if f.endswith(".indptr.npy")
]
stats = write_tokenizer_folder(
    sm.output.folder,
    chroms=chroms,
    chrom_sizes=read_chrom_sizes(sm.input.chrom_sizes),
    bins=list(sm.input.bins),
    cluster_features=cluster_features,
    tokens=list(sm.input.tokens),
    token_vocab=sm.input.token_vocab,
    vocab_summary=sm.input.vocab_summary,
    token_stats=list(sm.input.token_stats),
    features=sm.input.features,
    ids=sm.input.ids,
    clusters=sm.input.clusters,
    cluster_summary=sm.input.cluster_summary,
    pfms=sm.input.pfms,
    params=params,
    model_max_length=p.model_max_length,
)
log.info(
    "motif tokenizer: %d ids; %.2f %% of bins <unk>; a token keeps %.1f %% of a bin's "
    "active clusters; Zipf r %s",
    stats["vocab_size"],
    100 * stats["unk_share"],
    100 * stats["fraction_active_clusters_kept"],
    stats["zipf"]["pearson_r"],
)
