"""Vocabulary evaluation: each measure against a plain reference written here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genovocab.evaluation.integrity import IntegrityTally, cut_sites, sites_inside
from genovocab.evaluation.kmers import encode_bases, kmer_codes, kmer_counts, kmer_string
from genovocab.evaluation.pieces import Block, Region, iter_blocks, parse_region
from genovocab.evaluation.run import Entry, SequenceEvaluation, SiteCursor, shuffled_block
from genovocab.evaluation.sequence import TokenTally
from genovocab.evaluation.shuffle import dinucleotide_counts, dinucleotide_shuffle
from genovocab.evaluation.tokenizations import BpeGgrams, Kmers
from genovocab.evaluation.zipf import zipf_band_fit, zipf_measures


def plain_zipf(counts):
    """Pearson r and least-squares slope of log10 frequency on log10 rank, by the formulas."""
    freq = sorted((c for c in counts if c > 0), reverse=True)
    x = [math.log10(i + 1) for i in range(len(freq))]
    y = [math.log10(f) for f in freq]
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy), sxy / sxx


class FakeFasta(dict):
    """``fasta[chrom][a:b]`` over plain strings (what iter_blocks reads)."""


# ---------------------------------------------------------------------------- Zipf


def test_zipf_exact_power_law_and_random_counts():
    ranks = np.arange(1, 200)
    m = zipf_measures(np.round(1e6 / ranks**1.3), band=(1, 10**9))
    assert m["zipf_r"] == pytest.approx(-1.0, abs=1e-4)
    assert m["zipf_slope"] == pytest.approx(-1.3, abs=1e-3)
    counts = np.random.default_rng(3).integers(0, 5000, 300)
    r, slope = plain_zipf(counts.tolist())
    m = zipf_measures(counts, band=(100, 4000))
    assert m["zipf_r"] == pytest.approx(r, abs=1e-12)
    assert m["zipf_slope"] == pytest.approx(slope, abs=1e-12)
    inside = [c for c in counts.tolist() if 100 <= c <= 4000]
    r_band, slope_band = plain_zipf(inside)
    assert m["band_types"] == len(inside)
    assert m["band_r"] == pytest.approx(r_band, abs=1e-12)
    assert m["band_slope"] == pytest.approx(slope_band, abs=1e-12)


def test_zipf_band_with_too_few_types_is_nan():
    fit = zipf_band_fit(np.array([10, 600, 700, 5]), band=(500, 1_000_000))
    assert fit["n_tokens"] == 2 and math.isnan(fit["pearson_r"])


# ---------------------------------------------------------------------------- k-mers


def plain_kmers(seq, k, step):
    out = {}
    for i in range(0, len(seq) - k + 1, step):
        out[seq[i : i + k]] = out.get(seq[i : i + k], 0) + 1
    return out


@pytest.mark.parametrize("overlapping", [True, False])
def test_kmer_counts_match_plain_counting(overlapping):
    rng = np.random.default_rng(0)
    pieces = ["".join(rng.choice(list("ACGT"), size=n)) for n in (1, 5, 6, 7, 100, 2001)]
    k = 3
    counts = kmer_counts(pieces, k, overlapping)
    want: dict[str, int] = {}
    for p in pieces:
        for w, c in plain_kmers(p, k, 1 if overlapping else k).items():
            want[w] = want.get(w, 0) + c
    got = {kmer_string(i, k): int(c) for i, c in enumerate(counts) if c}
    assert got == want


def test_kmer_codes_order_and_gap_refusal():
    assert kmer_codes(encode_bases("ACGT"), 2, True).tolist() == [1, 6, 11]  # AC CG GT
    assert kmer_string(27, 3) == "CGT"
    with pytest.raises(ValueError):
        kmer_codes(encode_bases("ACNT"), 2, True)


# ---------------------------------------------------------------------------- shuffle


@pytest.mark.parametrize("seed", range(5))
def test_shuffle_keeps_dinucleotide_counts_exactly(seed):
    rng = np.random.default_rng(100 + seed)
    seq = "".join(rng.choice(list("ACGT"), size=5000, p=[0.4, 0.1, 0.1, 0.4]))
    out = dinucleotide_shuffle(seq, np.random.default_rng(seed))
    assert dinucleotide_counts(out) == dinucleotide_counts(seq)
    assert sorted(out) == sorted(seq)
    assert out[0] == seq[0] and out[-1] == seq[-1]
    assert out != seq
    again = dinucleotide_shuffle(seq, np.random.default_rng(seed))
    assert again == out


def test_shuffle_of_short_and_one_letter_sequences():
    rng = np.random.default_rng(0)
    assert dinucleotide_shuffle("AC", rng) == "AC"
    assert dinucleotide_shuffle("AAAAA", rng) == "AAAAA"
    assert dinucleotide_counts(dinucleotide_shuffle("ACACAGT", rng)) == dinucleotide_counts(
        "ACACAGT"
    )


# ---------------------------------------------------------------------------- integrity


def test_motif_integrity_hand_made_case():
    # two pieces [0, 20) and [30, 50); tokens end at 5, 10, 20 | 40, 50
    pieces_s, pieces_e = np.array([0, 30]), np.array([20, 50])
    boundaries = np.array([0, 5, 10, 20, 30, 40, 50])
    # site             kept?  why
    sites = [
        (1, 5, 0),  # whole: ends on a boundary
        (4, 7, 0),  # cut at 5
        (10, 20, 1),  # whole: fills a token exactly
        (18, 32, 1),  # crosses the gap: not counted
        (31, 39, 1),  # whole
        (35, 45, 0),
    ]  # cut at 40
    s, e, c = (np.array(x) for x in zip(*sites))
    inside = sites_inside(s, e, pieces_s, pieces_e)
    assert inside.tolist() == [True, True, True, False, True, True]
    assert cut_sites(s, e, boundaries).tolist() == [False, True, False, True, False, True]
    tally = IntegrityTally(2)
    tally.add(s[inside], e[inside], c[inside], boundaries)
    assert tally.n_sites == 5 and tally.integrity == pytest.approx(3 / 5)
    table = tally.per_cluster(["A/B", "C"])
    assert table["sites"].tolist() == [3, 2] and table["whole"].tolist() == [1, 2]
    assert table["integrity"].tolist() == pytest.approx([1 / 3, 1.0])


def test_site_cursor_hands_out_ranges_across_chunks():
    chunks = [
        (np.array([1, 5, 9]), np.array([3, 7, 11]), np.array([0, 1, 2])),
        (np.array([12, 20]), np.array([14, 22]), np.array([3, 4])),
    ]
    cur = SiteCursor(chunks)
    assert cur.take(0, 6)[0].tolist() == [1, 5]
    assert cur.take(6, 13)[2].tolist() == [2, 3]
    assert cur.take(13, 100)[0].tolist() == [20]


# ---------------------------------------------------------------------------- pieces, tallies


def test_pieces_split_at_gaps_and_grid_lines():
    fasta = FakeFasta(c="ACGTNNACGTACGTAC")
    blocks = list(iter_blocks(fasta, [Region("c")], {"c": 16}, window=5, block_windows=2))
    got = [(s, e, q) for b in blocks for s, e, q in zip(b.starts.tolist(), b.ends.tolist(), b.seqs)]
    assert got == [(0, 4, "ACGT"), (6, 10, "ACGT"), (10, 15, "ACGTA"), (15, 16, "C")]
    assert parse_region("chr1:1,000-2,000") == Region("chr1", 1000, 2000)


def test_tokens_per_kbp_types_and_unk_rate():
    tally = TokenTally(6, special_ids=(0,), unk_id=1)
    tally.add(np.array([1, 2, 2, 3, 3, 3]), bp=1500)
    tally.add(np.array([2]), bp=500)
    m = tally.measures(band=(1, 100))
    assert m["tokens"] == 7 and m["tokens_per_kbp"] == pytest.approx(7 / 2.0)
    assert m["types"] == 2 and m["vocab_size"] == 4 and m["utilisation"] == 0.5
    assert m["unk_rate"] == pytest.approx(1 / 7)


def test_greedy_ggram_choice_is_left_to_right_longest_first():
    pos, length = np.array([0, 0, 1, 3, 4, 4]), np.array([2, 3, 2, 2, 2, 3])
    kept = BpeGgrams.greedy(pos, length)
    assert sorted(zip(pos[kept].tolist(), length[kept].tolist())) == [(0, 3), (3, 2)]


def test_sequence_evaluation_end_to_end_against_plain_counts():
    rng = np.random.default_rng(7)
    seq = "".join(rng.choice(list("ACGT"), size=30_000))
    seq = seq[:4000] + "N" * 300 + seq[4300:]
    fasta = FakeFasta(c1=seq, c2=seq[::-1])
    sizes = {"c1": len(seq), "c2": len(seq)}
    two = Kmers(2, True)
    six = Kmers(6, False)
    sites = (
        np.array([10, 100, 3990, 5000]),
        np.array([16, 108, 4310, 5012]),
        np.array([0, 1, 1, 0]),
    )
    ev = SequenceEvaluation(
        fasta,
        sizes,
        [Entry(two, two), Entry(six, six)],
        held_out=[Region("c1")],
        train=[Region("c2")],
        window=1000,
        sites={"c1": lambda: SiteCursor([sites])},
        labels=np.array([0, 1]),
        cluster_names=["a", "b"],
    )
    res = ev.run()
    m = res["measures"].set_index(["tokenization", "split", "dna"])
    # grid-aligned: the piece after the gap starts at 4300 and ends at the 5000 grid line
    pieces = []
    for w in range(0, len(seq), 1000):
        pieces += [p for p in seq[w : w + 1000].split("N") if p]
    n6 = sum(len(p) // 6 for p in pieces)
    row = m.loc[("6-mers (non-overlapping)", "held_out", "real")]
    assert row["tokens"] == n6
    assert row["tokens_per_kbp"] == pytest.approx(1000 * n6 / sum(map(len, pieces)))
    # the shuffle keeps every piece's dinucleotides: overlapping 2-mer counts are equal
    real = res["counts"][("2-mers (overlapping)", "real")]
    shuffled = res["counts"][("2-mers (overlapping)", "shuffled")]
    assert real.tolist() == shuffled.tolist()
    assert (
        res["counts"][("6-mers (non-overlapping)", "real")].tolist()
        != res["counts"][("6-mers (non-overlapping)", "shuffled")].tolist()
    )
    # sites: [3990, 4310) crosses the gap and is not counted; 6-mer boundaries at 6, 12, ...
    # cut [10, 16) at 12 and [100, 108) at 102; [5000, 5012) = two whole 6-mers: cut at 5006
    row = m.loc[("6-mers (non-overlapping)", "held_out", "real")]
    assert row["sites"] == 3 and row["motif_integrity"] == 0.0
    assert math.isnan(m.loc[("2-mers (overlapping)", "held_out", "real")]["motif_integrity"])
    assert ("6-mers (non-overlapping)", "train", "real") in m.index


def test_shuffled_block_is_seeded_by_chromosome_and_block():
    b = Block("c", 3, np.array([0]), np.array([40]), ["ACGTTGCAAC" * 4])
    one, two = shuffled_block(b, 0), shuffled_block(b, 0)
    assert one.seqs == two.seqs and shuffled_block(b, 1).seqs != one.seqs


# ---------------------------------------------------------------------------- CLI


def test_cli_evaluate_writes_the_folder_and_refuses_a_bad_region(tmp_path, capsys):
    from genovocab.cli import main

    rng = np.random.default_rng(5)
    fasta = tmp_path / "g.fa"
    fasta.write_text(
        "".join(
            f">{c}\n" + "".join(rng.choice(list("ACGT"), size=20_000)) + "\n" for c in ("c1", "c2")
        )
    )
    out = tmp_path / "ev"
    assert (
        main(["evaluate", "--fasta", str(fasta), "--held-out", "c2", "--out", str(out), "-k", "3"])
        == 0
    )
    import pandas as pd

    m = pd.read_csv(out / "sequence.tsv", sep="\t")
    row = m[
        (m["tokenization"] == "3-mers (non-overlapping)")
        & (m["split"] == "held_out")
        & (m["dna"] == "real")
    ].iloc[0]
    assert row["bp"] == 20_000 and row["tokens"] == sum(10_000 // 3 for _ in range(2))
    assert (out / "rank_frequency.png").is_file() and (out / "summary.md").is_file()
    bad = tmp_path / "bad"
    assert main(["evaluate", "--fasta", str(fasta), "--held-out", "c9", "--out", str(bad)]) == 1
    assert "'c9' is not a chromosome" in capsys.readouterr().err
    assert not bad.exists()
    from genovocab.cli.evaluate import MEASURES

    for measure in (
        "tokens_per_kbp",
        "utilisation",
        "unk_rate",
        "zipf_r",
        "band_r",
        "motif_integrity",
        "covered_share",
        "intervals",
    ):
        assert measure in MEASURES  # --help documents every measure


# ---------------------------------------------------------------------------- BPE tokenizations


def test_bpe_and_bpe_ggram_tokens_and_boundaries_against_plain_loops(tmp_path):
    from genovocab.evaluation.tokenizations import Bpe
    from genovocab.sequence.bpe import train_bpe
    from genovocab.sequence.ggram import GgramVocab

    rng = np.random.default_rng(11)
    text = tmp_path / "t.txt"
    text.write_text(
        "\n".join("".join(rng.choice(list("AACGTT"), size=300)) for _ in range(200)) + "\n"
    )
    tok = train_bpe([text], vocab_size=64)
    bpe = Bpe(tok, "BPE-64")
    seqs = ["".join(rng.choice(list("AACGTT"), size=n)) for n in (50, 1, 333)]
    starts = np.array([100, 1000, 2000])
    block = Block("c", 0, starts, starts + [len(s) for s in seqs], seqs)
    # plain reference: the tokenizer's own tokens, one piece at a time
    pieces = [tok.encode(s, add_special_tokens=False) for s in seqs]
    want_ids = [i for p in pieces for i in p.ids]
    want_bounds = set()
    for s0, p in zip(starts.tolist(), pieces):
        pos = s0
        want_bounds.add(pos)
        for t in p.tokens:
            pos += len(t)
            want_bounds.add(pos)
    enc = bpe.encode(block)
    assert enc.ids.tolist() == want_ids
    assert enc.boundaries.tolist() == sorted(want_bounds)
    # G-grams: the two most frequent adjacent pairs and one triple, chosen greedily
    flat = [p.ids for p in pieces]
    pairs: dict[tuple[int, int], int] = {}
    for ids in flat:
        for a, b in zip(ids, ids[1:]):
            pairs[(a, b)] = pairs.get((a, b), 0) + 1
    top = sorted(pairs, key=lambda k: (-pairs[k], k))[:2]
    ngrams = [*top, tuple(flat[2][:3])]
    vocab = GgramVocab(ngrams, np.ones(3, np.int64), np.ones(3))
    gg = BpeGgrams(bpe, vocab, "BPE-64 + G-grams")
    got = gg.encode(block)
    known = {ng: 64 + i for i, ng in enumerate(ngrams)}
    want_ids, want_bounds = [], set()
    for s0, p in zip(starts.tolist(), pieces):
        ids, lens = p.ids, [len(t) for t in p.tokens]
        i, pos = 0, s0
        want_bounds.add(pos)
        while i < len(ids):
            for n in (3, 2):  # longest first
                if tuple(ids[i : i + n]) in known and i + n <= len(ids):
                    want_ids.append(known[tuple(ids[i : i + n])])
                    pos += sum(lens[i : i + n])
                    i += n
                    break
            else:
                want_ids.append(ids[i])
                pos += lens[i]
                i += 1
            want_bounds.add(pos)
    assert got.ids.tolist() == want_ids
    assert got.boundaries.tolist() == sorted(want_bounds)
    assert len(want_ids) < len(enc.ids)  # some G-grams were matched
