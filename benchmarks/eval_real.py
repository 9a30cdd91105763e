"""The vocabulary evaluation on real DNA: hg19 chr1:1-2,000,000, held out chr1:1,000,000-2,000,000.

The table of docs/evaluation.md, regenerable. Everything is trained on the first 1 Mbp and
measured on the second (and, for over-fitting, on the first):

* motif tokens: the 841 JASPAR 2022 CORE vertebrate matrices scanned over the 2 Mbp, binned,
  IDS-clustered with the project's defaults (``motif_real.py``, cached under
  ``benchmarks/out/motif_real/``); the bounded motif vocabulary (4,096 ids, back-off,
  ``min_count`` 5) built from the bins that start before 1,000,000; the shuffled control is
  tokenized from scratch (scan, bin, cluster, back off: ``DnaEncoder``);
* BPE-4096 and BPE-600: the project's trainer on the first 1 Mbp cut into 1 kbp lines; PMI
  G-grams (the project's defaults) from BPE-4096's token stream of the same text;
* 6-mers, overlapping and non-overlapping;
* each on the real held-out DNA and on its dinucleotide-shuffled copy; motif integrity against
  the scanned sites.

Usage: ``python benchmarks/eval_real.py`` (about 5 CPU-min on a warm cache; the first run
scans and clusters, a few minutes more). Writes ``benchmarks/out/eval_real/``.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks import motif_real  # noqa: E402

OUT = HERE / "out" / "eval_real"
HELD_OUT = f"{motif_real.CHROM}:{motif_real.SPLIT}-2000000"
TRAIN = f"{motif_real.CHROM}:0-{motif_real.SPLIT}"


def motif_tokens(min_count: int = 5, size: int = 4096):
    """(bin edges, token id per bin, vocabulary, cluster labels, names, n_features)."""
    import pandas as pd
    import scipy.sparse as sp

    from genovocab.motifs.clustering import read_clusters
    from genovocab.motifs.patterns import active_patterns
    from genovocab.motifs.vocabulary import cluster_motif_names, vocab_from_memory

    edges, cf, names = motif_real.cluster_matrix()
    patterns = active_patterns(cf, 0.5)
    train_rows = np.flatnonzero(edges[:-1] < motif_real.SPLIT)
    train_counts = np.bincount(patterns.inverse[train_rows], minlength=len(patterns))
    seen = np.flatnonzero(train_counts)
    sizes = np.diff(patterns.indptr)[seen]
    indptr = np.zeros(seen.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    pos = np.repeat(patterns.indptr[seen] - indptr[:-1], sizes) + np.arange(int(indptr[-1]))
    vocab = vocab_from_memory(
        indptr, patterns.indices[pos], train_counts[seen], size=size, min_count=min_count
    )
    ids = vocab.token_ids(patterns.indptr, patterns.indices)[patterns.inverse]
    cpath = motif_real.clusters()
    labels = read_clusters(cpath)
    names = cluster_motif_names(
        pd.read_csv(cpath, sep="\t", dtype=str, keep_default_na=False).assign(cluster=labels)
    )
    n_features = sp.load_npz(motif_real.bins()[1]).shape[1]
    return edges, ids.astype(np.int64), vocab, labels, names, n_features


def bpe_text() -> Path:
    from genovocab.sequence.windows import acgt_segments

    path = OUT / "bpe_train.txt"
    if not path.exists():
        seq = motif_real.sequence()[: motif_real.SPLIT]
        lines = [
            seq[s : min(b, s + 1000)] for a, b in acgt_segments(seq) for s in range(a, b, 1000)
        ]
        path.write_text("\n".join(x for x in lines if x) + "\n")
    return path


def main() -> None:
    import pandas as pd

    from genovocab.evaluation.evaluate import write_evaluation
    from genovocab.evaluation.pieces import parse_region
    from genovocab.evaluation.report import summary_markdown
    from genovocab.evaluation.run import Entry, SequenceEvaluation, SiteCursor, site_file_chunks
    from genovocab.evaluation.tokenizations import Bpe, BpeGgrams, Kmers, MotifDna, MotifGenome
    from genovocab.io.fasta import open_fasta
    from genovocab.motifs.steps import load_matrix_set
    from genovocab.sequence.bpe import encode_ids, train_bpe
    from genovocab.sequence.ggram import extract_ggrams
    from genovocab.sequence.windows import read_lines
    from genovocab.tokenizers.motif import DnaEncoder, MotifParams

    if not motif_real.available():
        print("skipped: the real data ($GENOVOCAB_REAL_DATA) is absent")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    edges, ids, vocab, labels, names, n_features = motif_tokens()
    matrices, _ = load_matrix_set(motif_real.PFMS)
    encoder = DnaEncoder(matrices, MotifParams(), labels, n_features, vocab)
    n_vocab = len(vocab)
    motif = MotifGenome(lambda chrom: (edges, ids), n_vocab, f"motif tokens ({n_vocab:,})")
    control = MotifDna(encoder, n_vocab, motif.name)
    text = bpe_text()
    bpe4096 = Bpe(train_bpe([text], vocab_size=4096), "BPE-4096")
    bpe600 = Bpe(train_bpe([text], vocab_size=600), "BPE-600")
    tok_ids, offsets = encode_ids(bpe4096.tokenizer, read_lines(text))
    ggrams = extract_ggrams(tok_ids, offsets, vocab_size=bpe4096.vocab_size)
    gg = BpeGgrams(bpe4096, ggrams, f"BPE-4096 + G-grams ({len(ggrams):,})")
    entries = [
        Entry(motif, control),
        Entry(bpe4096, bpe4096),
        Entry(gg, gg),
        Entry(bpe600, bpe600),
        Entry(Kmers(6, False), Kmers(6, False)),
        Entry(Kmers(6, True), Kmers(6, True)),
    ]
    fasta = open_fasta(motif_real.fasta())
    sizes = {motif_real.CHROM: len(fasta[motif_real.CHROM])}
    sites = motif_real.sites()
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    ev = SequenceEvaluation(
        fasta,
        sizes,
        entries,
        [parse_region(HELD_OUT)],
        [parse_region(TRAIN)],
        window=10_000,
        sites={motif_real.CHROM: lambda: SiteCursor(site_file_chunks(sites))},
        labels=labels,
        cluster_names=names,
    )
    t1, c1 = time.perf_counter(), time.process_time()
    result = ev.run()
    run_s, run_cpu = time.perf_counter() - t1, time.process_time() - c1
    result["intervals"] = pd.DataFrame()
    result["meta"] = {
        "held_out": [HELD_OUT],
        "train": [TRAIN],
        "tokenizations": [e.name for e in entries],
        "window": 10_000,
        "seed": 0,
        "band": [500, 1_000_000],
    }
    write_evaluation(OUT, result)
    m = result["measures"]
    print(f"held out {HELD_OUT} (trained on {TRAIN}); {len(ggrams):,} G-grams")
    print(summary_markdown(m, "held_out"))
    print(f"training DNA {TRAIN}:")
    print(summary_markdown(m, "train"))
    print(result["ggrams"].to_string(index=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"build {build_s:.0f} s ({build_cpu:.0f} CPU-s), evaluation {run_s:.0f} s "
        f"({run_cpu:.0f} CPU-s, incl. the control's motif scan), peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
