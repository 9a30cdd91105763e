"""Genome windows, sequence corpora shards and the sequence CLI."""

from __future__ import annotations

import gzip
import json
import random

import numpy as np
import pyarrow.parquet as pq
import pytest

from genovocab.cli import main
from genovocab.errors import InputError
from genovocab.sequence import windows as corpus


def write_fasta(path, records):
    with open(path, "w") as handle:
        for name, seq in records:
            handle.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                handle.write(seq[i : i + 60] + "\n")
    return path


@pytest.fixture()
def genome(tmp_path):
    rng = random.Random(3)

    def dna(n):
        return "".join(rng.choice("ACGT") for _ in range(n))

    chr1 = dna(2500) + "N" * 300 + dna(1200).lower() + "NNRN" + dna(450) + "N" * 50
    chr2 = "N" * 100 + dna(3000)
    fa = write_fasta(tmp_path / "g.fa", [("chr1", chr1), ("chr2", chr2)])
    return fa, {"chr1": chr1.upper(), "chr2": chr2}


def test_acgt_segments_and_tiling_by_hand():
    seq = "ACGTNNACGTACGRTT" + "N"
    assert corpus.acgt_segments(seq) == [(0, 4), (6, 13), (14, 16)]
    assert corpus.acgt_segments(seq, min_length=3) == [(0, 4), (6, 13)]
    assert list(corpus.tile_segments([(0, 25), (30, 34)], 10, 5)) == [(0, 10), (10, 20), (20, 25)]
    assert list(corpus.tile_segments([(0, 24)], 10, 5)) == [(0, 10), (10, 20)]
    assert corpus.reverse_complement("AACGT") == "ACGTT"


def test_windows_never_cross_gaps(genome):
    fa, seqs = genome
    wins = corpus.genome_windows(fa, ["chr1", "chr2"], window=1000, min_window=100)
    spans = [(w.chrom, w.start, w.end) for w in wins]
    assert spans == [
        ("chr1", 0, 1000),
        ("chr1", 1000, 2000),
        ("chr1", 2000, 2500),
        ("chr1", 2800, 3800),
        ("chr1", 3800, 4000),
        ("chr1", 4004, 4454),
        ("chr2", 100, 1100),
        ("chr2", 1100, 2100),
        ("chr2", 2100, 3100),
    ]
    for w in wins:
        assert w.seq == seqs[w.chrom][w.start : w.end]
        assert set(w.seq) <= set("ACGT")  # upper case, no N or IUPAC


def test_window_sample_is_seeded_and_in_genome_order(genome):
    fa, _ = genome
    a = corpus.genome_windows(
        fa, ["chr1", "chr2"], window=500, min_window=100, total_bp=2000, seed=5
    )
    b = corpus.genome_windows(
        fa, ["chr1", "chr2"], window=500, min_window=100, total_bp=2000, seed=5
    )
    c = corpus.genome_windows(
        fa, ["chr1", "chr2"], window=500, min_window=100, total_bp=2000, seed=6
    )
    assert a == b and a != c
    assert (
        list(
            corpus.iter_genome_windows(
                fa, ["chr1", "chr2"], window=500, min_window=100, total_bp=2000, seed=5
            )
        )
        == a
    )
    total = sum(w.end - w.start for w in a)
    assert 2000 <= total < 2500  # stops at the first window reaching the total
    order = [(0 if w.chrom == "chr1" else 1, w.start) for w in a]
    assert order == sorted(order)


def test_window_errors(genome, tmp_path):
    fa, _ = genome
    with pytest.raises(InputError, match="chromosome 'chrZ' is not in the FASTA"):
        corpus.genome_windows(fa, ["chrZ"])
    nfa = write_fasta(tmp_path / "n.fa", [("chrN", "N" * 500)])
    with pytest.raises(InputError, match="no gap-free window"):
        corpus.genome_windows(nfa, ["chrN"])


def test_training_text_and_read_lines(tmp_path):
    wins = [corpus.Window("c", 0, 4, "AACG")]
    assert corpus.write_training_text(tmp_path / "t.txt", iter(wins), reverse_complements=True) == (
        2,
        1,
        4,
    )
    assert (tmp_path / "t.txt").read_text() == "AACG\nCGTT\n"
    corpus.write_lines(tmp_path / "t.txt.gz", ["ACGT", "TTTT"])
    assert corpus.read_lines(tmp_path / "t.txt.gz") == ["ACGT", "TTTT"]
    assert gzip.decompress((tmp_path / "t.txt.gz").read_bytes()) == b"ACGT\nTTTT\n"
    (tmp_path / "crlf.txt").write_bytes(b"acgt\r\n\r\nGGNN\r\n")
    assert corpus.read_lines(tmp_path / "crlf.txt") == ["ACGT", "GGNN"]
    (tmp_path / "bad.txt").write_text("ACGT\nAC GT\n")
    with pytest.raises(InputError, match=r"bad.txt, line 2: a sequence line must hold only"):
        corpus.read_lines(tmp_path / "bad.txt")


def test_region_sequences(genome, tmp_path):
    fa, seqs = genome
    bed = tmp_path / "r.bed"
    bed.write_text("chr2\t100\t130\tel1\nchr1\t5\t9\tel2\nchrM\t0\t5\tel3\n")
    chroms, starts, ends, names, out = corpus.region_sequences(
        fa, bed, {"chr1": len(seqs["chr1"]), "chr2": len(seqs["chr2"])}
    )
    assert chroms == ["chr2", "chr1"] and list(names) == ["el1", "el2"]
    assert out == [seqs["chr2"][100:130], seqs["chr1"][5:9]]
    bed.write_text("chr2\t100\t99999\n")
    with pytest.raises(InputError, match="line 1: end 99999 is past the end of chr2"):
        corpus.region_sequences(fa, bed)


def test_cli_end_to_end(genome, tmp_path):
    """sample-windows -> train-bpe -> ggram -> tokenize-sequences, checked against the library."""
    fa, seqs = genome
    from genovocab.sequence import bpe, ggram
    from genovocab.tokenizers import SequenceTokenizer

    txt = tmp_path / "w.txt"
    assert main(["sample-windows", "--fasta", str(fa), "--window", "200", "--out", str(txt)]) == 0
    lines = txt.read_text().split()
    assert all(set(line) <= set("ACGT") for line in lines) and len(lines) > 20
    assert (
        main(
            [
                "train-bpe",
                "--corpus",
                str(txt),
                "--vocab-size",
                "64",
                "--out",
                str(tmp_path / "bpe"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "ggram",
                "--tokenizer",
                str(tmp_path / "bpe"),
                "--corpus",
                str(txt),
                "--min-pmi",
                "0.5",
                "--min-token-count",
                "2",
                "--min-ngram-freq",
                "2",
                "--out",
                str(tmp_path / "gg"),
            ]
        )
        == 0
    )
    tok = bpe.load_tokenizer(tmp_path / "bpe")
    ids, offsets = bpe.encode_ids(tok, lines)
    expected = ggram.extract_ggrams(
        ids, offsets, vocab_size=tok.get_vocab_size(), params=ggram.GgramParams(0.5, 2, 2)
    )
    got = ggram.read_vocab_tsv(tmp_path / "gg" / "vocab.tsv")
    assert got.ngrams == expected.ngrams and len(got) > 0
    header = (tmp_path / "gg" / "vocab.tsv").read_text().splitlines()[0]
    assert header == "id\ttoken_ids\ttokens\tdna\tfrequency\tmin_pmi"
    assert json.loads((tmp_path / "gg" / "ngram.json").read_text())["max_ngram_count"] == 30

    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t0\t300\ta\nchr2\t500\t900\tb\nchr1\t2400\t2900\tc\n")
    assert (
        main(
            [
                "tokenize-sequences",
                "--tokenizer",
                str(tmp_path / "bpe"),
                "--ggram",
                str(tmp_path / "gg"),
                "--bed",
                str(bed),
                "--fasta",
                str(fa),
                "--n-shards",
                "2",
                "--out",
                str(tmp_path / "corpus"),
            ]
        )
        == 0
    )
    table = pq.read_table(tmp_path / "corpus" / "data")
    assert table.column("id").to_pylist() == ["a", "b", "c"]
    st = SequenceTokenizer.from_pretrained(tmp_path / "bpe", tmp_path / "gg")
    docs = [seqs["chr1"][0:300], seqs["chr2"][500:900], seqs["chr1"][2400:2900]]
    ref = {"input_ids": [st.encode(d, add_special_tokens=False) for d in docs]}
    occ = [st.matcher.match(ids) for ids in ref["input_ids"]]  # brute-force tested
    ref["ngram_ids"] = [[g for g, _, _ in o] for o in occ]
    ref["ngram_positions"] = [[p for _, p, _ in o] for o in occ]
    ref["ngram_lengths"] = [[n for _, _, n in o] for o in occ]
    assert table.column("input_ids").to_pylist() == ref["input_ids"]
    assert table.column("ngram_ids").to_pylist() == ref["ngram_ids"]
    assert table.column("ngram_positions").to_pylist() == ref["ngram_positions"]
    assert table.column("ngram_lengths").to_pylist() == ref["ngram_lengths"]
    assert table.column("start").to_pylist() == [0, 500, 2400]
    assert sum(len(x) for x in ref["ngram_ids"]) > 0
    assert (tmp_path / "corpus" / "data" / "train-00001-of-00002.parquet").is_file()
    card = (tmp_path / "corpus" / "README.md").read_text()
    assert "path: data/train-*.parquet" in card and "`ngram_positions`" in card
    # labels from a BED column, splits by chromosome
    assert (
        main(
            [
                "tokenize-sequences",
                "--tokenizer",
                str(tmp_path / "bpe"),
                "--ggram",
                str(tmp_path / "gg"),
                "--bed",
                str(bed),
                "--fasta",
                str(fa),
                "--label-column",
                "last",
                "--validation-chroms",
                "chr2",
                "--out",
                str(tmp_path / "labelled"),
            ]
        )
        == 0
    )
    train = pq.read_table(tmp_path / "labelled/data/train-00000-of-00001.parquet")
    val = pq.read_table(tmp_path / "labelled/data/validation-00000-of-00001.parquet")
    assert train.column("id").to_pylist() == ["a", "c"] and val.column("id").to_pylist() == ["b"]
    assert train.column("label").to_pylist() == [0, 2] and val.column("label").to_pylist() == [1]
    lcard = (tmp_path / "labelled" / "README.md").read_text()
    assert "class_label" in lcard and "'2': c" in lcard
    stats = json.loads((tmp_path / "corpus" / "stats.json").read_text())
    assert stats["documents"] == 3 and stats["tokens"] == sum(map(len, ref["input_ids"]))

    # text input, with a cap of one G-gram per document
    (tmp_path / "docs.txt").write_text("\n".join(docs) + "\n")
    assert (
        main(
            [
                "tokenize-sequences",
                "--tokenizer",
                str(tmp_path / "bpe"),
                "--ggram",
                str(tmp_path / "gg" / "ngram.json"),
                "--sequences",
                str(tmp_path / "docs.txt"),
                "--max-ngrams",
                "1",
                "--out",
                str(tmp_path / "c2"),
            ]
        )
        == 0
    )
    t2 = pq.read_table(tmp_path / "c2" / "data")
    assert t2.column("id").to_pylist() == ["0", "1", "2"]
    assert t2.column("ngram_ids").to_pylist() == [x[:1] for x in ref["ngram_ids"]]
    assert np.array_equal(t2.column("n_tokens").to_numpy(), [len(x) for x in ref["input_ids"]])


def test_cli_errors(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("")
    assert (
        main(["train-bpe", "--corpus", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "b")])
        == 1
    )
    assert "training text file is empty" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
