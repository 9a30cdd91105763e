"""Evaluate a workflow run's vocabularies: the files of a build in, ``evaluation/`` out.

:func:`evaluate` assembles the tokenizations (the release's BPE, BPE + G-grams and motif
tokens; k-mer baselines; extra BPE sizes trained here on the release's own BPE training text),
runs :class:`~genovocab.evaluation.run.SequenceEvaluation` over the held-out and training
chromosomes, measures the interval vocabularies, and writes the tables, the rank-frequency plot,
``summary.md`` and ``evaluation.json`` (what was measured on what) into one folder, atomically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from genovocab.evaluation.pieces import Region, parse_region
from genovocab.evaluation.zipf import PAPER_BAND

__all__ = [
    "OUTPUT_FILES",
    "EvaluationInputs",
    "EvaluationParams",
    "evaluate",
    "evaluate_to_folder",
    "write_evaluation",
]

log = logging.getLogger(__name__)


@dataclass
class EvaluationInputs:
    """Paths of a build (None / empty: that vocabulary is not evaluated)."""

    fasta: str
    chrom_sizes: str | None = None  # None: the FASTA's own lengths
    bpe: str | None = None  # folder with tokenizer.json
    ggram_vocab: str | None = None  # G-gram vocab.tsv
    motif_tokenizer: str | None = None  # motif tokenizer folder
    site_files: Mapping[str, str] = field(default_factory=dict)  # chrom -> sites parquet
    training_text: str | None = None  # BPE training windows (extra BPE sizes)
    peaks: str | None = None  # universe peaks.npz (the universe's region sets)
    held_out_peaks: str | None = None  # peaks.npz of held-out region sets (not in peaks)
    universes: Mapping[str, str] = field(default_factory=dict)  # method -> universe.tsv
    assessments: Mapping[str, str] = field(default_factory=dict)  # method -> assessment.tsv


@dataclass
class EvaluationParams:
    """What to measure; the workflow's ``evaluation:`` config block."""

    held_out: Sequence[str] = ()  # chromosomes or chrom:start-end
    train: Sequence[str] | None = None  # None: every other chromosome
    trained_on: Sequence[str] | None = None  # chromosomes the vocabularies trained on; None: all
    window: int = 10_000
    k: int = 6
    extra_bpe_sizes: Sequence[int] = ()
    max_bp: int | None = None
    train_max_bp: int | None = 10_000_000
    motif_control_max_bp: int | None = 2_000_000
    seed: int = 0
    band: tuple[int, int] = PAPER_BAND


def _chrom_sizes(path: str) -> dict[str, int]:
    from genovocab.io import read_chrom_sizes

    return dict(read_chrom_sizes(path))


def _entries(inputs: EvaluationInputs, params: EvaluationParams):
    from genovocab.evaluation.run import Entry
    from genovocab.evaluation.tokenizations import Bpe, BpeGgrams, Kmers, MotifDna, MotifGenome

    entries, labels, names = [], None, []
    if inputs.motif_tokenizer:
        from genovocab.motifs.clustering import read_clusters
        from genovocab.motifs.vocabulary import cluster_motif_names
        from genovocab.tokenizers.motif import MotifTokenizer

        tok = MotifTokenizer.from_pretrained(inputs.motif_tokenizer)
        control = MotifDna(tok.dna_encoder, tok.vocab_size, max_bp=params.motif_control_max_bp)
        entries.append(Entry(MotifGenome.from_tokenizer(tok), control))
        clusters = Path(inputs.motif_tokenizer) / "clusters.tsv"
        labels = read_clusters(clusters)
        names = cluster_motif_names(
            pd.read_csv(clusters, sep="\t", dtype=str, keep_default_na=False).assign(cluster=labels)
        )
    if inputs.bpe:
        from genovocab.sequence.bpe import load_tokenizer
        from genovocab.sequence.ggram import read_vocab_tsv

        bpe = Bpe(load_tokenizer(inputs.bpe), "")
        bpe.name = f"BPE-{bpe.vocab_size}"
        entries.append(Entry(bpe, bpe))
        if inputs.ggram_vocab:
            gg = BpeGgrams(bpe, read_vocab_tsv(inputs.ggram_vocab), f"{bpe.name} + G-grams")
            entries.append(Entry(gg, gg))
    for size in params.extra_bpe_sizes:
        if not inputs.training_text:
            raise ValueError("extra BPE sizes need the BPE training text")
        from genovocab.sequence.bpe import train_bpe

        extra = Bpe(
            train_bpe([inputs.training_text], vocab_size=int(size)),
            f"BPE-{int(size)} (trained here)",
        )
        entries.append(Entry(extra, extra))
    for overlapping in (False, True):
        km = Kmers(params.k, overlapping)
        entries.append(Entry(km, km))
    return entries, labels, names


def _regions(
    params: EvaluationParams, sizes: Mapping[str, int]
) -> tuple[list[Region], list[Region]]:
    held = [parse_region(r) for r in params.held_out]
    if not held:  # no test split configured: the last chromosome
        held = [Region(list(sizes)[-1])]
        log.warning("no held-out chromosome configured: evaluating on %s", held[0])
    for r in held:
        if r.chrom not in sizes:
            raise ValueError(
                f"evaluation.held_out: {r.chrom!r} is not a chromosome of the "
                f"genome ({', '.join(list(sizes)[:10])})"
            )
    if params.train is not None:
        train = [parse_region(r) for r in params.train]
    else:
        whole = {r.chrom for r in held if r.start == 0 and r.end is None}
        train = [Region(c) for c in sizes if c not in whole]
        # a held-out stretch of a chromosome: the rest of that chromosome is training DNA
        for r in held:
            if r.chrom not in whole:
                train = [t for t in train if t.chrom != r.chrom]
                if r.start > 0:
                    train.insert(0, Region(r.chrom, 0, r.start))
                if r.end is not None and r.end < sizes[r.chrom]:
                    train.append(Region(r.chrom, r.end, sizes[r.chrom]))
    return held, train


def seen_label(regions: Sequence[Region], trained_on: Sequence[str] | None) -> str:
    """``yes`` / ``no`` / ``partly``: was the DNA of ``regions`` training data of the
    vocabularies (trained on the whole chromosomes ``trained_on``; None: every chromosome)?
    A ``chrom:start-end`` region of a training chromosome was seen."""
    from genovocab.evaluation.holdout import seen_in_training

    seen = {seen_in_training(str(r), trained_on) for r in regions}
    return "partly" if len(seen) > 1 else ("yes" if seen == {True} else "no")


def interval_table(
    inputs: EvaluationInputs, held: Sequence[Region], train: Sequence[Region], band: tuple[int, int]
) -> pd.DataFrame:
    """One row per universe method and split.

    With ``inputs.held_out_peaks``: ``held_out`` = those region sets, ``train`` = the
    universe's own (``inputs.peaks``), each on every chromosome; ``seen_in_training`` says
    whether a split's sets were universe inputs (a held-out set also in ``peaks`` was).
    Without: the universe's region sets split by chromosome (held-out chromosomes, the
    others), both seen in training.
    """
    from genovocab.evaluation.intervals import assessment_row, interval_measures
    from genovocab.universe.files import read_universe_table
    from genovocab.universe.inputs import PeakSet

    if not inputs.peaks or not inputs.universes:
        return pd.DataFrame()
    peaks = PeakSet.load(inputs.peaks)
    trained = set(peaks.names or ())
    if inputs.held_out_peaks:
        held_peaks = PeakSet.load(inputs.held_out_peaks)
        all_chroms = sorted(set(peaks.chroms) | set(held_peaks.chroms))
        splits = [("held_out", held_peaks, all_chroms), ("train", peaks, all_chroms)]
    else:
        splits = [
            (split, peaks, sorted({r.chrom for r in regions}))
            for split, regions in (("held_out", held), ("train", train))
        ]
    rows = []
    for method, path in inputs.universes.items():
        table = read_universe_table(path)
        assessed = (
            assessment_row(pd.read_csv(inputs.assessments[method], sep="\t"))
            if method in inputs.assessments
            else {}
        )
        for split, sets, chroms in splits:
            names = list(sets.names or ())
            seen = {n in trained for n in names} if names else {True}
            rows.append(
                {
                    "method": method,
                    "split": split,
                    "samples": _sample_list(names),
                    "seen_in_training": "partly"
                    if len(seen) > 1
                    else ("yes" if seen == {True} else "no"),
                    "chromosomes": ",".join(chroms),
                    **interval_measures(table, sets, chroms, band),
                    **assessed,
                }
            )
    frame = pd.DataFrame(rows)
    frame.attrs["samples"] = {split: list(sets.names or ()) for split, sets, _ in splits}
    return frame


def _sample_list(names: Sequence[str], most: int = 10) -> str:
    """Comma-joined sample names; past ``most``, the first ones and how many more (the full
    lists are in evaluation.json)."""
    if len(names) <= most:
        return ",".join(names)
    return ",".join(names[:most]) + f",... ({len(names) - most} more)"


OUTPUT_FILES = (
    "sequence.tsv",
    "integrity_clusters.tsv",
    "ggrams.tsv",
    "intervals.tsv",
    "rank_frequency.png",
    "summary.md",
    "evaluation.json",
)


def evaluate(inputs: EvaluationInputs, params: EvaluationParams, progress=None) -> dict:
    """Measure everything; the result is what :func:`write_evaluation` writes."""
    from genovocab.evaluation.run import SequenceEvaluation, SiteCursor, site_file_chunks
    from genovocab.io.fasta import open_fasta

    fasta = open_fasta(inputs.fasta)
    if inputs.chrom_sizes:
        sizes = _chrom_sizes(inputs.chrom_sizes)
    else:
        from genovocab.evaluation.pieces import chrom_sizes_of

        sizes = chrom_sizes_of(fasta)
    held, train = _regions(params, sizes)
    entries, labels, names = _entries(inputs, params)
    sites = {c: (lambda p=p: SiteCursor(site_file_chunks(p))) for c, p in inputs.site_files.items()}
    if labels is None and sites:
        sites = {}  # no clusters to attribute sites to: integrity needs the motif tokenizer
    ev = SequenceEvaluation(
        fasta,
        sizes,
        entries,
        held,
        train,
        window=params.window,
        max_bp=params.max_bp,
        train_max_bp=params.train_max_bp,
        seed=params.seed,
        band=tuple(params.band),
        sites=sites,
        labels=labels,
        cluster_names=names,
        progress=progress,
    )
    result = ev.run()
    seen = {
        "held_out": seen_label(held, params.trained_on),
        "train": seen_label(train, params.trained_on),
    }
    for name in ("measures", "ggrams"):
        frame = result[name]
        if not frame.empty:
            frame.insert(
                frame.columns.get_loc("split") + 1, "seen_in_training", frame["split"].map(seen)
            )
    result["intervals"] = interval_table(inputs, held, train, tuple(params.band))
    meta = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(params).items()}
    meta.update(
        held_out=[str(r) for r in held],
        train=[str(r) for r in train],
        held_out_seen_in_training={str(r): seen_label([r], params.trained_on) for r in held},
        interval_samples=result["intervals"].attrs.get("samples", {}),
        tokenizations=[e.name for e in entries],
    )
    result["meta"] = meta
    return result


def write_evaluation(folder: str | os.PathLike, result: dict) -> list[Path]:
    """Every file of :data:`OUTPUT_FILES` into ``folder`` (each written atomically; an empty
    table is an empty file)."""
    from genovocab.evaluation.report import plot_rank_frequency, write_tables
    from genovocab.fileutil import write_text_atomic
    from genovocab.tables import write_json

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "sequence": result["measures"],
        "integrity_clusters": result["integrity_clusters"],
        "ggrams": result["ggrams"],
        "intervals": result["intervals"],
    }
    write_tables(out, tables)
    for name, frame in tables.items():
        if frame is None or frame.empty:
            write_text_atomic(out / f"{name}.tsv", "")
    meta = result["meta"]
    plot_rank_frequency(
        out / "rank_frequency.png",
        result["counts"],
        title=f"Rank-frequency on held-out DNA ({', '.join(meta['held_out'])})",
    )
    write_text_atomic(out / "summary.md", summary_text(result, meta))
    write_json(out / "evaluation.json", meta, indent=2)
    return [out / name for name in OUTPUT_FILES]


def evaluate_to_folder(
    inputs: EvaluationInputs, params: EvaluationParams, out_dir: str | os.PathLike, progress=None
) -> dict:
    """:func:`evaluate`, then the files into ``out_dir``, replaced as a whole on success."""
    from genovocab.fileutil import atomic_dir

    result = evaluate(inputs, params, progress)
    with atomic_dir(out_dir, kind="evaluation") as tmp:
        write_evaluation(tmp, result)
    return result


def summary_text(result: dict, meta: Mapping) -> str:
    """``summary.md``: the held-out and training tables (Markdown)."""
    from genovocab.evaluation.report import summary_markdown

    m, intervals = result["measures"], result["intervals"]
    held, train = meta["held_out"], meta["train"]
    seen = meta.get("held_out_seen_in_training") or {}
    was_seen = [r for r in held if seen.get(r, "yes") != "no"]
    if not was_seen:
        note = "The sequence vocabularies (BPE, G-grams, motif tokens) were trained without it.\n\n"
    else:
        note = (
            f"Seen in training (the vocabularies were trained on it): "
            f"{', '.join(map(str, was_seen))}; those rows do not measure generalisation."
            "\n\n"
        )
    text = (
        f"Held-out DNA: {', '.join(map(str, held))}. Real DNA and a dinucleotide-shuffled "
        "control of it; definitions in the genovocab documentation (evaluation).\n\n"
        + note
        + summary_markdown(m, "held_out")
    )
    if not m.empty and (m["split"] == "train").any():
        text += (
            f"\nThe same on training DNA ({', '.join(map(str, train[:5]))}"
            f"{', ...' if len(train) > 5 else ''}): a gap to the held-out rows is "
            "over-fitting.\n\n" + summary_markdown(m, "train")
        )
    gg = result["ggrams"]
    if not gg.empty:
        row = gg[gg["split"] == "held_out"]
        if not row.empty:
            r = row.iloc[0]
            text += (
                f"\nG-grams on held-out DNA: {100 * r['covered_share']:.1f} % of BPE "
                f"tokens inside a matched G-gram, {r['ggrams_per_512']:.1f} G-grams per "
                "512 tokens.\n"
            )
    if not intervals.empty:
        cols = [
            c
            for c in (
                "method",
                "split",
                "seen_in_training",
                "no_token_share",
                "tokens_per_set",
                "utilisation",
                "zipf_r",
                "f10",
                "rbs",
            )
            if c in intervals
        ]
        text += (
            "\nInterval vocabularies on the region sets (`held_out`: sets the universe "
            "was not built from, when `seen_in_training` is no; `train`: its own):\n\n| "
            + " | ".join(cols)
            + " |\n|"
            + "---|" * len(cols)
            + "\n"
        )
        for r in intervals[cols].to_dict("records"):
            text += (
                "| "
                + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r.values())
                + " |\n"
            )
    return text
