"""Speed and memory of the vocabulary evaluation (``genovocab.evaluation``): CPU-minutes per
100 Mbp of held-out DNA and peak RSS, at two sizes (memory must not grow with the DNA).

The DNA is real: hg19 chr1:1-2,000,000 (``$GENOVOCAB_REAL_DATA``) repeated into one chromosome
of 12 Mbp (six copies joined by 1 kbp of N), with the real motif sites of every copy (the 841
JASPAR 2022 matrices: 3.4 sites per bp) and the real motif bins and tokens (``motif_real.py``,
``eval_real.py``). Measured, as in a release: motif tokens (stored bins), BPE-4096, BPE-4096 +
G-grams, 6-mers overlapping and not, each on the real DNA and on the dinucleotide-shuffled
control (motif tokens: real only; their control scans the DNA with every matrix, tens of CPU-s
per Mbp, capped by ``evaluation.motif_control_max_bp``), motif integrity of each.

There is no peer: no tool we know evaluates vocabularies (gtars, geniml, DNAZEN and the
motif-token paper's code do not), so the figure is our own against the budget of 15 CPU-min per
100 Mbp. Each size runs in a fresh process (``_common.measure``).

Usage: ``python benchmarks/bench_evaluate.py [--mbp 2,12]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks import motif_real  # noqa: E402

OUT = HERE / "out" / "bench_evaluate"
COPIES = 6
GAP = 1000
CHROM = "chrR"


def prepare() -> dict:
    """The repeated genome, its site file and the motif bins (cached)."""
    from benchmarks import eval_real
    from genovocab.motifs.sites import Sites, iter_site_file, site_file_info, write_site_file

    OUT.mkdir(parents=True, exist_ok=True)
    seq = motif_real.sequence()
    unit = len(seq) + GAP
    fa = OUT / f"genome{COPIES}.fa"
    if not fa.exists():
        with open(OUT / "genome.tmp", "w") as handle:
            handle.write(f">{CHROM}\n")
            body = ("N" * GAP).join([seq] * COPIES)
            for i in range(0, len(body), 60):
                handle.write(body[i : i + 60] + "\n")
        (OUT / "genome.tmp").rename(fa)
    sites = OUT / f"sites{COPIES}.parquet"
    if not sites.exists():
        src = motif_real.sites()
        mset, _, _, _ = site_file_info(src)

        def chunks():
            for copy in range(COPIES):
                for s in iter_site_file(src):
                    yield Sites(s.start + copy * unit, s.length, s.feature, s.score, s.neglog10p)

        write_site_file(sites, chunks(), mset, CHROM, unit * COPIES - GAP)
    bins = OUT / f"bins{COPIES}.npz"
    if not bins.exists():
        edges, ids, vocab, labels, _, _ = eval_real.motif_tokens()
        all_edges = np.concatenate(
            [edges[:-1] + c * unit for c in range(COPIES)] + [[edges[-1] + (COPIES - 1) * unit]]
        )
        np.savez(
            bins,
            edges=all_edges,
            ids=np.tile(ids, COPIES),
            labels=labels,
            vocab_size=np.int64(len(vocab)),
        )
    text = eval_real.bpe_text()
    return {"fasta": str(fa), "sites": str(sites), "bins": str(bins), "bpe_text": str(text)}


def run(paths: dict, max_bp: int) -> dict:
    """The evaluation of the first ``max_bp`` of the repeated chromosome (a fresh process)."""
    import os
    import time

    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from genovocab.evaluation.pieces import Region
    from genovocab.evaluation.run import Entry, SequenceEvaluation, SiteCursor, site_file_chunks
    from genovocab.evaluation.tokenizations import Bpe, BpeGgrams, Kmers, MotifGenome
    from genovocab.io.fasta import open_fasta
    from genovocab.sequence.bpe import encode_ids, train_bpe
    from genovocab.sequence.ggram import extract_ggrams
    from genovocab.sequence.windows import read_lines

    z = np.load(paths["bins"])
    edges, ids, labels = z["edges"], z["ids"], z["labels"]
    bpe = Bpe(train_bpe([paths["bpe_text"]], vocab_size=4096), "BPE-4096")
    tok_ids, offsets = encode_ids(bpe.tokenizer, read_lines(paths["bpe_text"]))
    gg = BpeGgrams(
        bpe, extract_ggrams(tok_ids, offsets, vocab_size=bpe.vocab_size), "BPE-4096 + G-grams"
    )
    entries = [
        Entry(MotifGenome(lambda c: (edges, ids), int(z["vocab_size"])), None),
        Entry(bpe, bpe),
        Entry(gg, gg),
        Entry(Kmers(6, False), Kmers(6, False)),
        Entry(Kmers(6, True), Kmers(6, True)),
    ]
    fasta = open_fasta(paths["fasta"])
    sizes = {CHROM: len(fasta[CHROM])}
    ev = SequenceEvaluation(
        fasta,
        sizes,
        entries,
        [Region(CHROM)],
        [],
        max_bp=max_bp,
        sites={CHROM: lambda: SiteCursor(site_file_chunks(paths["sites"]))},
        labels=labels,
    )
    c0 = time.process_time()
    result = ev.run()
    cpu = time.process_time() - c0
    m = result["measures"]
    bp = int(m[(m["dna"] == "real")]["bp"].iloc[0])
    return {"bp": bp, "cpu": cpu, "sites": int(m["sites"].max())}


def main() -> None:
    from benchmarks._common import measure, report

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mbp", default="2,12", help="sizes in Mbp (at most 12)")
    args = ap.parse_args()
    if not motif_real.available():
        print("skipped: the real data ($GENOVOCAB_REAL_DATA) is absent")
        return
    paths = prepare()
    rows = []
    for mbp in (float(x) for x in args.mbp.split(",")):
        res = measure(run, paths, int(mbp * 1_000_000))
        out = res.result
        per100 = out["cpu"] / out["bp"] * 1e8 / 60
        rows.append(
            {
                "held-out Mbp": f"{out['bp'] / 1e6:.2f}",
                "sites": f"{out['sites']:,}",
                "evaluation CPU s": f"{out['cpu']:.1f}",
                "job CPU s": f"{res.cpu_seconds:.1f}",
                "wall s": f"{res.seconds:.1f}",
                "CPU-min / 100 Mbp": f"{per100:.1f}",
                "peak RSS MiB": f"{res.peak_mib:.0f}",
            }
        )
        print(report(rows[-1:], list(rows[-1])), flush=True)
    print(report(rows, list(rows[0])))
    print(
        "budget: 15 CPU-min per 100 Mbp (the evaluation pass; the job adds the BPE training "
        "of this benchmark and, in a release, the motif control's scan)"
    )


if __name__ == "__main__":
    main()
