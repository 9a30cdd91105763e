"""The demo workflow's sequence outputs: BPE folder, G-gram vocabulary, cCRE sequence corpus."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.workflow


def _out(demo_run):
    return next((demo_run / "results").glob("genovocab-demo-*.work"))


def test_bpe_folder(demo_run):
    from tokenizers import Tokenizer

    out = _out(demo_run)
    tok = Tokenizer.from_file(str(out / "bpe" / "tokenizer.json"))
    assert tok.get_vocab_size() == 1024
    assert [tok.id_to_token(i) for i in range(5)] == ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
    config = json.loads((out / "bpe" / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert json.loads((out / "bpe" / "special_tokens_map.json").read_text())["pad_token"] == "[PAD]"


def test_training_windows_avoid_gaps(demo_run):
    from genovocab.io import read_bed, read_chrom_sizes

    out = _out(demo_run)
    genome = demo_run / "resources" / "demo-genome" / "genome"
    lines = (out / "sequence" / "windows_training.txt").read_text().split()
    assert lines and all(set(line) <= set("ACGT") for line in lines)
    gaps = read_bed(genome / "gaps.bed", allow_empty=True)
    # the demo trains on all of chr1 and chr2 (chr3 is the evaluation's held-out chromosome):
    # every non-gap base except pieces < 100 bp
    trained = ("chr1", "chr2")
    on = [str(c) in trained for c in gaps.names()]
    gap_bp = int((gaps.ends - gaps.starts)[on].sum())
    sizes = read_chrom_sizes(genome / "chrom.sizes")
    total = sum(sizes[c] for c in trained)
    assert total - gap_bp - 100 * (sum(on) + 2) <= sum(map(len, lines)) <= total - gap_bp


def test_ggram_vocabulary_recomputes(demo_run):
    from genovocab.sequence import bpe, ggram

    out = _out(demo_run)
    tok = bpe.load_tokenizer(out / "bpe")
    lines = (out / "sequence" / "windows_training.txt").read_text().split()
    ids, offsets = bpe.encode_ids(tok, lines)
    expected = ggram.extract_ggrams(
        ids, offsets, vocab_size=tok.get_vocab_size(), params=ggram.GgramParams()
    )
    got = ggram.read_vocab_tsv(out / "ggram" / "vocab.tsv")
    assert len(got) > 100
    assert got.ngrams == expected.ngrams
    assert got.frequency.tolist() == expected.frequency.tolist()
    assert (got.min_pmi >= 2.0).all()
    data = json.loads((out / "ggram" / "ngram.json").read_text())
    assert len(data["vocab"]) == len(got) and data["pad_ngram_id"] == 0
    stats = (out / "ggram" / "stats.tsv").read_text()
    assert "share_boundaries_cut" in stats and "param_min_pmi\t2.0" in stats
    assert (out / "ggram" / "ggram_lengths.png").read_bytes()[:4] == b"\x89PNG"


def test_ccre_sequence_corpus(demo_run):
    from genovocab.io import read_bed, read_chrom_sizes
    from genovocab.io.fasta import open_fasta
    from genovocab.tokenizers import SequenceTokenizer

    out = _out(demo_run)
    res = demo_run / "resources" / "demo-genome"
    corpus = out / "corpora" / "ccre_sequences"
    table = pq.read_table(corpus / "data")
    sizes = read_chrom_sizes(res / "genome" / "chrom.sizes")
    ccres = read_bed(res / "downloads" / "ccres", sizes, unknown_chroms="drop")
    assert table.num_rows == len(ccres)
    assert np.array_equal(table.column("start").to_numpy(), ccres.starts)
    st = SequenceTokenizer.from_pretrained(out / "bpe", out / "ggram")
    fasta = open_fasta(res / "genome" / "genome.fa")
    rows = list(range(0, table.num_rows, max(1, table.num_rows // 50)))
    seqs = [
        fasta[table.column("chrom")[i].as_py()][
            table.column("start")[i].as_py() : table.column("end")[i].as_py()
        ]
        for i in rows
    ]
    for i, seq in zip(rows, seqs):
        ids = st.encode(str(seq), add_special_tokens=False)
        occ = st.matcher.match(ids)
        assert table.column("input_ids")[i].as_py() == ids
        assert table.column("ngram_ids")[i].as_py() == [g for g, _, _ in occ]
        assert table.column("ngram_positions")[i].as_py() == [p for _, p, _ in occ]
    assert table.column("id")[0].as_py().startswith("EH38D")
    assert sum(table.column("n_ngrams").to_pylist()) > 0
    # the cCRE class (last BED column) is the label, with its names in the card
    full = read_bed(res / "downloads" / "ccres", sizes, unknown_chroms="drop", keep_columns=True)
    classes = sorted({str(x) for x in full.columns.iloc[:, -1]})
    card = (corpus / "README.md").read_text()
    assert "configs:" in card and "class_label" in card and len(classes) > 1
    if classes:
        names = [classes[k] for k in table.column("label").to_pylist()[:5]]
        want = full.columns.iloc[:5, -1].tolist()
        assert names == [str(x) for x in want]
