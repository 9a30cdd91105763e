"""Vocabulary evaluation: every vocabulary of a release measured on held-out DNA beside
baselines (k-mers, extra BPE sizes) and a dinucleotide-shuffled control.

- :mod:`.zipf`: rank-frequency fits (all ranks; the paper's frequency band);
- :mod:`.kmers`: k-mer baselines (overlapping and non-overlapping);
- :mod:`.shuffle`: the dinucleotide-preserving shuffle (Altschul and Erickson);
- :mod:`.pieces`: the held-out DNA as gap-free pieces, block by block;
- :mod:`.tokenizations`: the tokenizations compared, behind one interface;
- :mod:`.sequence`: streaming token measures (types, tokens per kbp, ``<unk>``, utilisation);
- :mod:`.integrity`: motif integrity (sites kept whole by a tokenization);
- :mod:`.ggrams`: G-gram coverage of the BPE stream;
- :mod:`.intervals`: the interval vocabulary on held-out region sets;
- :mod:`.run`: one pass over the DNA measuring everything;
- :mod:`.evaluate`: the evaluation of a workflow run's vocabularies (files in, folder out);
- :mod:`.report`: tables, the rank-frequency plot, the Markdown summary.

``docs/evaluation.md`` defines every measure.
"""

__all__ = [
    "evaluate",
    "ggrams",
    "integrity",
    "intervals",
    "kmers",
    "pieces",
    "report",
    "run",
    "sequence",
    "shuffle",
    "tokenizations",
    "zipf",
]
