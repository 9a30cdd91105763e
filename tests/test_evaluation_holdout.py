"""What the evaluation holds out: the training chromosomes, the held-out region sets, and the
``seen_in_training`` label of every row, against hand-worked answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genovocab.errors import GenovocabError
from genovocab.evaluation.evaluate import EvaluationInputs, interval_table, seen_label
from genovocab.evaluation.holdout import (
    held_out_chromosomes,
    held_out_samples,
    seen_in_training,
    training_chromosomes,
)
from genovocab.evaluation.pieces import Region
from genovocab.regions import Regions
from genovocab.universe.inputs import PeakSet

CHROMS = ["chr1", "chr2", "chr3"]


def test_whole_chromosomes_are_held_out_stretches_are_not():
    assert held_out_chromosomes(["chr3"], CHROMS) == ["chr3"]
    assert held_out_chromosomes(["chr3", "chr1:10-20"], CHROMS) == ["chr3"]
    assert held_out_chromosomes(["chr1:1,000-2,000"], CHROMS) == []
    assert held_out_chromosomes([], CHROMS) == ["chr3"]  # the evaluation's fallback
    assert training_chromosomes(["chr3"], CHROMS) == ["chr1", "chr2"]
    assert training_chromosomes(["chr2", "chr3"], CHROMS) == ["chr1"]
    assert training_chromosomes(["chr1:0-100"], CHROMS) == CHROMS
    assert training_chromosomes(["chr3"], CHROMS, exclude=False) == CHROMS
    with pytest.raises(GenovocabError, match="no DNA to train on"):
        training_chromosomes(CHROMS, CHROMS)
    # nothing configured and one chromosome: the fallback cannot hold it out, it trains
    assert training_chromosomes([], ["chr1"]) == ["chr1"]
    with pytest.raises(GenovocabError, match="no DNA to train on"):
        training_chromosomes(["chr1"], ["chr1"])


def test_seen_in_training_per_region_and_per_split():
    assert not seen_in_training("chr3", ["chr1", "chr2"])
    assert seen_in_training("chr1:5-10", ["chr1", "chr2"])  # a stretch of a training chromosome
    assert seen_in_training("chr3", None)  # unknown: assume seen
    # trained on a stretch: a held-out stretch beside it was not seen, one overlapping it was
    assert not seen_in_training("chr1:1000-2000", ["chr1:0-1000"])
    assert seen_in_training("chr1:999-2000", ["chr1:0-1000"])
    assert seen_in_training("chr1", ["chr1:0-1000"])
    assert seen_label([Region("chr3")], ["chr1"]) == "no"
    assert seen_label([Region("chr1", 0, 5)], ["chr1"]) == "yes"
    assert seen_label([Region("chr3"), Region("chr1", 0, 5)], ["chr1"]) == "partly"


def test_held_out_samples_default_fraction_and_list():
    names = [f"s{i:02d}" for i in range(1, 11)]
    assert held_out_samples(names) == ["s05", "s10"]  # every 5th
    assert held_out_samples(names[:3]) == ["s03"]  # fewer than 5: the last
    assert held_out_samples(names[:1]) == []  # one sample: none
    assert held_out_samples(names, ["s02", "s01"]) == ["s01", "s02"]
    picked = held_out_samples(names, 0.3, seed=4)
    assert len(picked) == 3 and picked == held_out_samples(names, 0.3, seed=4)
    assert picked == sorted(picked) and set(picked) <= set(names)
    with pytest.raises(GenovocabError, match="'x9' not in the sample sheet"):
        held_out_samples(names, ["x9"])
    with pytest.raises(GenovocabError, match="at least one must stay"):
        held_out_samples(names[:2], ["s01", "s02"])
    with pytest.raises(GenovocabError, match="not a fraction"):
        held_out_samples(names, 1.5)


def _peaks(path, rows, names):
    """A PeakSet of (file, chrom index, start, end) rows on chromosomes c1, c2."""
    file, chrom, starts, ends = (np.array(c, dtype=np.int64) for c in zip(*rows))
    p = PeakSet(
        regions=Regions(("c1", "c2"), chrom.astype(np.int32), starts, ends),
        sizes=np.array([1000, 1000]),
        file=file.astype(np.int32),
        names=names,
    )
    p.save(path)
    return str(path)


def test_interval_table_measures_held_out_region_sets_beside_the_universe_inputs(tmp_path):
    universe = tmp_path / "universe.tsv"
    pd.DataFrame({"chrom": ["c1", "c1", "c2"], "start": [0, 100, 0], "end": [50, 150, 50]}).to_csv(
        universe, sep="\t", index=False
    )
    train = _peaks(
        tmp_path / "train.npz", [(0, 0, 10, 20), (0, 1, 10, 20), (1, 0, 110, 120)], ["a", "b"]
    )
    # held-out set h: one region on universe region 0, one between regions (no token)
    held = _peaks(tmp_path / "held.npz", [(0, 0, 40, 60), (0, 0, 60, 90)], ["h"])
    inputs = EvaluationInputs(
        fasta="unused", peaks=train, held_out_peaks=held, universes={"union": str(universe)}
    )
    t = interval_table(inputs, [Region("c2")], [Region("c1")], (1, 10)).set_index("split")
    h, tr = t.loc["held_out"], t.loc["train"]
    assert (h["samples"], h["seen_in_training"]) == ("h", "no")
    assert (tr["samples"], tr["seen_in_training"]) == ("a,b", "yes")
    assert h["queries"] == 2 and h["no_token_share"] == 0.5
    assert h["tokens_per_set"] == 1.0 and h["utilisation"] == pytest.approx(1 / 3)
    assert tr["queries"] == 3 and tr["no_token_share"] == 0.0
    assert tr["tokens_per_set"] == 1.5 and tr["utilisation"] == 1.0
    # a held-out set that was a universe input is labelled seen
    again = _peaks(tmp_path / "again.npz", [(0, 0, 10, 20)], ["a"])
    inputs.held_out_peaks = again
    t = interval_table(inputs, [Region("c2")], [Region("c1")], (1, 10)).set_index("split")
    assert t.loc["held_out", "seen_in_training"] == "yes"


def test_cli_rows_say_whether_their_dna_was_seen_in_training(tmp_path):
    from genovocab.cli import main

    rng = np.random.default_rng(2)
    fasta = tmp_path / "g.fa"
    fasta.write_text(
        "".join(
            f">{c}\n" + "".join(rng.choice(list("ACGT"), size=5_000)) + "\n" for c in ("c1", "c2")
        )
    )

    def seen(out, *extra):
        assert (
            main(
                [
                    "evaluate",
                    "--fasta",
                    str(fasta),
                    "--held-out",
                    "c2",
                    "--out",
                    str(out),
                    "-k",
                    "3",
                    *extra,
                ]
            )
            == 0
        )
        m = pd.read_csv(out / "sequence.tsv", sep="\t")
        return dict(zip(m["split"], m["seen_in_training"])), (out / "summary.md").read_text()

    by_split, summary = seen(tmp_path / "a", "--trained-on", "c1")
    assert by_split == {"held_out": "no", "train": "yes"}
    assert "trained without it" in summary
    by_split, summary = seen(tmp_path / "b")  # unknown: every chromosome was seen
    assert by_split == {"held_out": "yes", "train": "yes"}
    assert "Seen in training" in summary and "do not measure generalisation" in summary
