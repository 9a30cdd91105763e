"""Snakemake adapter: the motif tokenizer folder (trained vocabulary, bins, parameters, plots)."""

from pathlib import Path

from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.motifs.tokens import csr_array_prefix
from genovocab.tokenizers.motif import MotifParams, write_tokenizer_folder

log = configure_logging(snakemake)
sm = snakemake
p = sm.params
params = MotifParams(
    min_relative=int(p.min_relative), max_pvalue=float(p.max_pvalue),
    scan_window=int(p.scan_window), site_source=str(p.site_source), sigma=float(p.sigma),
    peak_width=float(p.peak_width), max_bin=int(p.max_bin), trim_step=int(p.trim_step),
    cpg=str(p.cpg), token_threshold=float(p.token_threshold), min_count=int(p.min_count),
    max_vocab=None if p.max_vocab is None else int(p.max_vocab),
    matrices=tuple(p.matrices))
# the chromosomes come from this job's own inputs (no checkpoint read on a cluster node)
chroms = [Path(b).name.removesuffix(".bins.npy") for b in sm.input.bins]
cluster_features = [csr_array_prefix(f) for f in sm.input.cluster_features
                    if f.endswith(".indptr.npy")]
stats = write_tokenizer_folder(
    sm.output.folder, chroms=chroms, chrom_sizes=read_chrom_sizes(sm.input.chrom_sizes),
    bins=list(sm.input.bins), cluster_features=cluster_features,
    tokens=list(sm.input.tokens), token_vocab=sm.input.token_vocab,
    features=sm.input.features, ids=sm.input.ids, clusters=sm.input.clusters,
    cluster_summary=sm.input.cluster_summary, pfms=sm.input.pfms, params=params,
    model_max_length=p.model_max_length)
log.info("motif tokenizer: %d ids (%d kept of %d patterns, min_count %d); %.1f %% of bins "
         "<unk>; Zipf r all %s, kept %s", stats["vocab_size"], stats["n_kept_patterns"],
         stats["n_patterns"], stats["min_count"], 100 * stats["fraction_bins_unk"],
         stats["zipf_all"]["pearson_r"], stats["zipf_kept"]["pearson_r"])
