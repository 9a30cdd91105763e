"""Motif corpus writer: peak memory as the genome grows, against holding every chromosome.

``build_motif_corpus`` keeps one chromosome's per-bin targets in memory (the others wait on
disk beside the shards being written) and computes the track statistics a chromosome at a
time, bit for bit what numpy gives on the concatenation. The plain way, which the writer did
before, holds every chromosome's targets (float32 per bin and track) and concatenates the
train split's for the statistics. No other tool writes this corpus, so the plain way is the
reference: the same bigWig means of every chromosome in memory and ``np.mean`` / ``np.std`` of
the concatenated train values; the statistics must agree exactly.

Input: a tokenizer folder of ``K`` synthetic chromosomes of ``--length`` bp each (bins of
5-24 bp, ~14.5 on average, as ``bench_motif_tokens.py`` makes them; the arrays are hard links
of one chromosome's), two bigWig tracks with a value every 50 bp, the ``reference`` layout,
chr2 validation and chr3 test. ``K`` = 4 and 12 by default: the writer's peak should not grow
with ``K``, the plain way's grows with the genome (12 x 3.4 M bins = 41 M bins here, hg38 has
~195 M).

Usage: ``python benchmarks/bench_motif_corpus.py [--length BP] [--chromosomes 4,12] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "src"))

from benchmarks._common import measure, report  # noqa: E402

OUT = HERE / "out" / "motif_corpus"
STEP = 50  # bp per bigWig value


def make_inputs(folder: Path, length: int, k: int) -> tuple[Path, list[Path]]:
    """Tokenizer folder with chromosomes chr1..chrK (hard links of one synthetic chromosome)
    and two bigWig tracks over them."""
    import pyBigWig

    from benchmarks.bench_motif_tokens import make_folder
    from genovocab.tokenizers.motif import CONFIG_NAME

    tok = folder / "tokenizer"
    if folder.exists():
        shutil.rmtree(folder)
    make_folder(tok, length)
    config = json.loads((tok / CONFIG_NAME).read_text())
    one = config["chromosomes"][0]
    for i in range(1, k + 1):
        for name in ("edges", "ids", "indptr", "indices", "values"):
            os.link(tok / "bins" / f"chrS.{name}.npy", tok / "bins" / f"chr{i}.{name}.npy")
    for name in ("edges", "ids", "indptr", "indices", "values"):
        (tok / "bins" / f"chrS.{name}.npy").unlink()
    config["chromosomes"] = [{**one, "name": f"chr{i}"} for i in range(1, k + 1)]
    (tok / CONFIG_NAME).write_text(json.dumps(config))
    tracks = []
    rng = np.random.default_rng(7)
    for t in range(2):
        path = folder / f"track{t}.bw"
        bw = pyBigWig.open(str(path), "w")
        bw.addHeader([(f"chr{i}", length) for i in range(1, k + 1)])
        for i in range(1, k + 1):
            n = length // STEP
            values = rng.gamma(0.7, 4.0, size=n)
            values[rng.random(n) < 0.1] = np.nan  # stretches without data
            keep = ~np.isnan(values)
            starts = (np.flatnonzero(keep) * STEP).astype(np.int64)
            bw.addEntries(
                [f"chr{i}"] * len(starts),
                starts.tolist(),
                ends=(starts + STEP).tolist(),
                values=values[keep].tolist(),
            )
        bw.close()
        tracks.append(path)
    return tok, tracks


def corpus_config(tracks: list[Path]):
    from genovocab.corpora.motif import CorpusConfig, Track

    return CorpusConfig(
        validation=("chr2",),
        test=("chr3",),
        tracks=(
            Track("a", str(tracks[0]), "log1p_zscore"),
            Track("b", str(tracks[1]), "zscore"),
        ),
        n_shards=2,
        layout="reference",
    )


def ours(tok: str, tracks: list[str], out: str) -> dict:
    """The corpus writer; returns its track statistics."""
    from genovocab.corpora.motif import build_motif_corpus

    stats = build_motif_corpus(tok, out, corpus_config([Path(t) for t in tracks]), plot=False)
    return stats["tracks"]


def plain(tok: str, tracks: list[str]) -> dict:
    """Every chromosome's bin means in memory, statistics of the concatenated train values."""
    import pyBigWig

    from genovocab.corpora.motif import _transform, bin_means, split_of
    from genovocab.tokenizers.motif import MotifTokenizer

    config = corpus_config([Path(t) for t in tracks])
    genome = MotifTokenizer.from_pretrained(tok).genome
    chroms = list(genome.lengths)
    handles = [pyBigWig.open(t) for t in tracks]
    raw = {
        c: np.stack(
            [bin_means(bw, c, np.asarray(genome.arrays(c).edges)) for bw in handles], axis=1
        ).astype(np.float32)
        for c in chroms
    }
    out = {}
    for k, t in enumerate(config.tracks):
        train = [raw[c][:, k] for c in chroms if split_of(c, config) == "train"]
        tv = _transform(np.concatenate(train).astype(np.float64), t.normalize)
        tv = tv[~np.isnan(tv)]
        every = np.concatenate([raw[c][:, k] for c in chroms])
        out[t.name] = {
            "mean": float(tv.mean()),
            "std": float(tv.std()),
            "fraction_bins_missing": float(np.isnan(every).mean()),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=50_000_000, help="bp per chromosome")
    parser.add_argument("--chromosomes", default="4,12", help="comma-separated K values")
    parser.add_argument("--quick", action="store_true", help="5 Mbp chromosomes, K = 3 and 6")
    args = parser.parse_args()
    length = 5_000_000 if args.quick else args.length
    ks = [3, 6] if args.quick else [int(x) for x in args.chromosomes.split(",")]
    rows = []
    for k in ks:
        folder = OUT / f"k{k}"
        tok, tracks = make_inputs(folder, length, k)
        paths = [str(t) for t in tracks]
        a = measure(ours, str(tok), paths, str(folder / "corpus"))
        b = measure(plain, str(tok), paths)
        same = all(
            a.result[n][key] == b.result[n][key]
            for n in b.result
            for key in ("mean", "std", "fraction_bins_missing")
        )
        n_bins = (
            k
            * json.loads((tok / "motif_tokenizer_config.json").read_text())["chromosomes"][0][
                "n_bins"
            ]
        )
        rows.append(
            {
                "chromosomes": k,
                "bins (M)": f"{n_bins / 1e6:.1f}",
                "ours s": f"{a.seconds:.1f}",
                "ours peak MiB": f"{a.peak_mib:.0f}",
                "plain s": f"{b.seconds:.1f}",
                "plain peak MiB": f"{b.peak_mib:.0f}",
                "same statistics": same,
            }
        )
        shutil.rmtree(folder)
    print(report(rows, list(rows[0])))


if __name__ == "__main__":
    main()
