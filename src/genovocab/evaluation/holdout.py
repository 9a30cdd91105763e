"""What the evaluation holds out, and so what the vocabularies must not be trained on.

Two kinds of held-out data:

* **DNA**: ``evaluation.held_out`` entries, whole chromosomes or ``chrom:start-end``. A whole
  chromosome can be left out of every vocabulary's training data (the BPE and G-gram training
  windows, the IDS sums behind the motif clusters, the motif token counts);
  :func:`training_chromosomes` is the one rule for which. A ``chrom:start-end`` stretch cannot:
  the training jobs work on whole chromosomes, so its DNA was seen in training, and the
  evaluation says so (:func:`seen_in_training`).
* **Region sets**: samples of the sample sheet (:func:`held_out_samples`) left out of the
  universe build; the interval measures are computed on them beside the training samples.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from genovocab.errors import GenovocabError
from genovocab.evaluation.pieces import parse_region

__all__ = [
    "DEFAULT_SAMPLE_STRIDE",
    "held_out_chromosomes",
    "held_out_samples",
    "seen_in_training",
    "training_chromosomes",
]

#: default held-out region sets: every 5th sample of the sheet (the 5th, 10th, ...)
DEFAULT_SAMPLE_STRIDE = 5


def held_out_chromosomes(held_out: Sequence[str], chroms: Sequence[str]) -> list[str]:
    """The whole chromosomes among the ``held_out`` entries, in ``chroms`` order.

    No entries: the last chromosome (what the evaluation then measures). ``chrom:start-end``
    entries are not whole chromosomes and are not listed.
    """
    if not held_out:
        return list(chroms[-1:])
    whole = set()
    for text in held_out:
        r = parse_region(text)
        if r.start == 0 and r.end is None:
            whole.add(r.chrom)
    return [c for c in chroms if c in whole]


def training_chromosomes(
    held_out: Sequence[str], chroms: Sequence[str], exclude: bool = True
) -> list[str]:
    """``chroms`` less the whole held-out chromosomes (all of them when not ``exclude``).

    With no ``held_out`` entries and a single chromosome nothing can be held out: it is
    trained on (and its evaluation rows say so). Raises when configured entries leave nothing
    to train on, naming the keys to change.
    """
    chroms = list(chroms)
    if not exclude or (not held_out and len(chroms) < 2):
        return chroms
    held = set(held_out_chromosomes(held_out, chroms))
    kept = [c for c in chroms if c not in held]
    if not kept:
        raise GenovocabError(
            f"evaluation.held_out holds out every selected chromosome ({', '.join(chroms)}); "
            "with evaluation.exclude_from_training the vocabularies would have no DNA to "
            "train on: hold out fewer chromosomes, select more (genome_prep.chromosomes), or "
            "set evaluation.exclude_from_training: false"
        )
    return kept


def seen_in_training(region: str, trained_on: Sequence[str] | None) -> bool:
    """Whether the DNA of ``region`` (a chromosome or ``chrom:start-end``) was training data
    of vocabularies trained on ``trained_on`` (chromosomes or ``chrom:start-end``; None: every
    chromosome): whether the two overlap by at least one base."""
    if trained_on is None:
        return True
    r = parse_region(region)
    r_end = float("inf") if r.end is None else r.end
    for text in trained_on:
        t = parse_region(text)
        t_end = float("inf") if t.end is None else t.end
        if t.chrom == r.chrom and t.start < r_end and r.start < t_end:
            return True
    return False


def held_out_samples(
    names: Sequence[str], spec: Sequence[str] | float | None = None, seed: int = 0
) -> list[str]:
    """The held-out region sets (sample names, in sheet order).

    ``spec``: a list of sample names; a fraction in (0, 1) of the sheet (rounded, at least one)
    drawn with ``seed``; None: every :data:`DEFAULT_SAMPLE_STRIDE`-th sample (the 5th, 10th,
    ...), or the last when the sheet has fewer, or none when it has a single sample. At least
    one sample must stay for training.
    """
    names = list(names)
    if spec is None:
        if len(names) < 2:
            return []
        chosen = set(names[DEFAULT_SAMPLE_STRIDE - 1 :: DEFAULT_SAMPLE_STRIDE] or names[-1:])
    elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
        if not 0 < float(spec) < 1:
            raise GenovocabError(
                f"evaluation.held_out_samples: {spec!r} is not a fraction "
                "in (0, 1) or a list of sample names"
            )
        n = max(1, round(float(spec) * len(names)))
        chosen = set(random.Random(seed).sample(names, min(n, len(names))))
    else:
        unknown = [s for s in spec if s not in set(names)]
        if unknown:
            raise GenovocabError(
                f"evaluation.held_out_samples: {', '.join(map(repr, unknown))} "
                f"not in the sample sheet ({', '.join(names[:10])})"
            )
        chosen = set(spec)
    if chosen and len(chosen) >= len(names):
        raise GenovocabError(
            f"evaluation.held_out_samples holds out every sample of the sheet "
            f"({len(names)}); at least one must stay to build the universe"
        )
    return [s for s in names if s in chosen]
