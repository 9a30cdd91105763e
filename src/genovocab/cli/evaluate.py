"""``genovocab evaluate``: measure vocabularies on held-out DNA beside baselines."""

from __future__ import annotations

import argparse
import sys

from genovocab.cli.types import non_negative_int, positive_int
from genovocab.defaults import SCHEMA

MEASURES = """\
measures (docs/evaluation.md defines each):
  Every tokenization is run on the same held-out DNA, cut into gap-free pieces (a fixed grid
  of --window bp, split at every non-ACGT base), and on a dinucleotide-shuffled copy of it
  (Altschul-Erickson Euler-path shuffle: the 16 dinucleotide counts are kept exactly), and on
  training DNA (so over-fitting shows). Tokenizations: motif tokens (--motif-tokenizer),
  BPE (--bpe), BPE + G-grams (--ggrams: matched G-grams, longest first, become one token),
  extra BPE sizes trained on --bpe-train-text (--extra-bpe-sizes), k-mers (-k, overlapping
  and non-overlapping).
  tokens_per_kbp   tokens per 1,000 bases of the pieces
  types            distinct token ids seen (specials and <unk> excluded)
  utilisation      types / vocabulary size (specials excluded): share of the vocabulary seen
  unk_rate         <unk> tokens / all tokens
  zipf_r, zipf_slope
                   Pearson r and least-squares slope of log10 frequency on log10 rank over
                   all ranks (Zipf's law: r near -1)
  band_r, band_slope, band_types
                   the same over the types whose count lies in --band (Davarmanesh et al.'s
                   frequency-band variant: 500..1,000,000), ranked among themselves
  motif_integrity  share of the motif sites (--sites-dir) lying inside one piece that no token
                   boundary cuts (the site lies wholly inside one token); per motif cluster in
                   integrity_clusters.tsv; none for overlapping k-mers
  G-grams          covered_share (BPE tokens inside a matched G-gram), ggrams_per_512,
                   length mix (ggrams.tsv)
  intervals        per universe method (--universe) on the held-out region sets
                   (--held-out-peaks) and the universe's own (--peaks): share of query
                   regions with no token, tokens per set, utilisation, Zipf fit, F10, RBS and
                   likelihood of the assessment (--assessment)
  seen_in_training yes / no / partly: whether a row's DNA overlaps --trained-on (default:
                   every chromosome) or its region sets are in --peaks (the universe's own)
outputs (--out): sequence.tsv, integrity_clusters.tsv, ggrams.tsv, intervals.tsv,
  rank_frequency.png (all tokenizations, real solid, shuffled dotted, log-log),
  summary.md, evaluation.json
"""


def _pairs(items: list[str], what: str) -> dict[str, str]:
    from genovocab.errors import GenovocabError

    out = {}
    for item in items or []:
        if "=" not in item:
            raise GenovocabError(f"{what}: {item!r} is not NAME=PATH")
        key, value = item.split("=", 1)
        out[key] = value
    return out


def _evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from genovocab.evaluation.evaluate import (
        EvaluationInputs,
        EvaluationParams,
        evaluate_to_folder,
    )

    sites = {}
    if args.sites_dir:
        sites = {
            p.name[: -len(".parquet")]: str(p)
            for p in sorted(Path(args.sites_dir).glob("*.parquet"))
        }
    inputs = EvaluationInputs(
        fasta=args.fasta,
        chrom_sizes=args.chrom_sizes,
        bpe=args.bpe,
        ggram_vocab=args.ggrams,
        motif_tokenizer=args.motif_tokenizer,
        site_files=sites,
        training_text=args.bpe_train_text,
        peaks=args.peaks,
        held_out_peaks=args.held_out_peaks,
        universes=_pairs(args.universe, "--universe"),
        assessments=_pairs(args.assessment, "--assessment"),
    )
    params = EvaluationParams(
        held_out=args.held_out,
        train=args.train,
        trained_on=args.trained_on,
        window=args.window,
        k=args.k,
        extra_bpe_sizes=args.extra_bpe_sizes,
        max_bp=args.max_bp,
        train_max_bp=args.train_max_bp or None,
        motif_control_max_bp=args.motif_control_max_bp,
        seed=args.seed,
        band=(args.band[0], args.band[1]),
    )
    result = evaluate_to_folder(inputs, params, args.out)
    print(f"{len(result['measures'])} rows -> {args.out}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evaluate``."""
    p = subparsers.add_parser(
        "evaluate",
        help="measure vocabularies on held-out DNA beside k-mers and a shuffle",
        description="Measure tokenizations of held-out DNA side by side: motif tokens, BPE, "
        "BPE + G-grams, extra BPE sizes and k-mers, on the real DNA, a "
        "dinucleotide-shuffled control and training DNA; motif integrity against "
        "the motif sites; interval vocabularies on region sets.",
        epilog=MEASURES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--fasta", required=True, help="genome FASTA (plain, gzip or BGZF)")
    p.add_argument("--chrom-sizes", help="chrom.sizes (default: the FASTA's lengths)")
    p.add_argument(
        "--held-out",
        nargs="+",
        required=True,
        metavar="REGION",
        help="held-out chromosomes or chrom:start-end (0-based, half-open)",
    )
    p.add_argument(
        "--train",
        nargs="*",
        metavar="REGION",
        help="training DNA to compare with (default: every other chromosome)",
    )
    p.add_argument(
        "--trained-on",
        nargs="+",
        metavar="REGION",
        help="chromosomes or chrom:start-end the vocabularies were trained on, so "
        "every row says whether its DNA was seen in training (default: every "
        "chromosome)",
    )
    p.add_argument("--out", required=True, help="output folder (replaced as a whole)")
    p.add_argument("--bpe", help="BPE folder (tokenizer.json)")
    p.add_argument("--ggrams", help="G-gram vocab.tsv of that BPE")
    p.add_argument("--motif-tokenizer", help="motif tokenizer folder")
    p.add_argument(
        "--sites-dir",
        help="folder of per-chromosome motif site files (<chrom>.parquet) for motif integrity",
    )
    p.add_argument("--bpe-train-text", help="BPE training text (for --extra-bpe-sizes)")
    p.add_argument(
        "--extra-bpe-sizes",
        nargs="*",
        type=positive_int,
        default=list(SCHEMA["evaluation.extra_bpe_sizes"]),
        help="BPE vocabulary sizes to train and compare (e.g. 600 4096)",
    )
    p.add_argument(
        "-k",
        type=positive_int,
        default=SCHEMA["evaluation.k"],
        help="k of the k-mer baselines (%(default)s)",
    )
    p.add_argument(
        "--window",
        type=positive_int,
        default=SCHEMA["evaluation.window"],
        help="grid of the pieces in bp",
    )
    p.add_argument("--max-bp", type=positive_int, help="held-out bases to measure at most")
    p.add_argument(
        "--train-max-bp",
        type=non_negative_int,
        default=SCHEMA["evaluation.train_max_bp"],
        help="training bases to measure at most (0: all)",
    )
    p.add_argument(
        "--motif-control-max-bp",
        type=positive_int,
        default=SCHEMA["evaluation.motif_control_max_bp"],
        help="shuffled bases to tokenize into motif tokens (scanning is costly)",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=SCHEMA["evaluation.seed"],
        help="seed of the shuffle (%(default)s)",
    )
    p.add_argument(
        "--band",
        nargs=2,
        type=positive_int,
        default=list(SCHEMA["evaluation.band"]),
        metavar=("LO", "HI"),
        help="frequency band of the band Zipf fit",
    )
    p.add_argument("--peaks", help="peaks.npz of the universe stage (the region sets)")
    p.add_argument(
        "--held-out-peaks",
        help="peaks.npz of held-out region sets (not universe "
        "inputs): the interval measures' held_out split",
    )
    p.add_argument(
        "--universe",
        nargs="*",
        metavar="METHOD=TSV",
        help="universe tables (universe.tsv) per method",
    )
    p.add_argument(
        "--assessment",
        nargs="*",
        metavar="METHOD=TSV",
        help="universe assessment tables per method",
    )
    p.set_defaults(func=_evaluate)
