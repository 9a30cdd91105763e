"""Snakemake adapter: the sequence corpus (regions or genome windows) as Parquet shards."""

from pathlib import Path

from genovocab.corpora.sequence import region_labels, write_sequence_corpus
from genovocab.fileutil import sha256_file
from genovocab.io import read_chrom_sizes
from genovocab.logutil import configure_logging
from genovocab.sequence.windows import genome_windows, region_sequences
from genovocab.tokenizers import SequenceTokenizer

log = configure_logging(snakemake)
sm = snakemake
sizes = read_chrom_sizes(sm.input.chrom_sizes)
st = SequenceTokenizer.from_pretrained(
    Path(sm.input.tokenizer).parent, sm.input.vocab, n_runs=sm.params.n_runs
)
labels = None
if sm.params.regions == "windows":
    wins = genome_windows(
        sm.input.fasta, list(sizes), window=sm.params.window, min_window=sm.params.min_length
    )
    chroms = [w.chrom for w in wins]
    starts = [w.start for w in wins]
    ends = [w.end for w in wins]
    ids = [f"{w.chrom}:{w.start}-{w.end}" for w in wins]
    seqs = [w.seq for w in wins]
    what = f"genome windows of {sm.params.window} bp"
else:
    chroms, starts, ends, ids, seqs = region_sequences(sm.input.fasta, sm.input.regions, sizes)
    ids = list(ids)
    what = f"regions of {sm.input.regions}"
    if sm.params.label_column:
        labels = region_labels(sm.input.regions, sm.params.label_column, sizes)
max_ngrams = sm.params.max_ngrams or None
paths, stats = write_sequence_corpus(
    st,
    ids,
    seqs,
    Path(sm.output[-1]).parent,
    n_shards=sm.params.n_shards,
    max_ngrams=max_ngrams,
    coordinates=(chroms, starts, ends),
    labels=labels,
    splits=sm.params.splits,
    license=sm.params.license,
    title=f"{sm.params.name}: DNA sequences with BPE ids and G-grams",
    extra_stats={
        "corpus": sm.params.name,
        "documents_from": what,
        "tokenizer_sha256": sha256_file(sm.input.tokenizer),
        "ggram_vocab_sha256": sha256_file(sm.input.vocab),
    },
)
for key, value in stats.items():
    log.info("%s: %s", key, value)
