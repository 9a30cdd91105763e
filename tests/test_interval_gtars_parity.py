"""Interval tokenizer vs gtars: ids in universe-file line order, gtars' own test cases as plain
data, duplicates, empty documents, the unsorted-universe warning, key-width safety."""

from __future__ import annotations

import warnings

import pytest

from genovocab.tokenizers import IntervalTokenizer

# gtars' tests/data/tokenizers/peaks.bed (databio/gtars), 25 unsorted regions
PEAKS = """chr17 7915738 7915777
chr6 157381091 157381200
chr2 168247745 168247800
chr4 16270164 16270220
chr6 7313181 7313245
chr10 70576200 70576231
chr1 151399431 151399527
chr2 203871200 203871375
chr2 203871387 203871588
chr12 54220192 54220409
chr9 3526071 3526165
chr9 3526183 3526269
chr7 1044556 1044591
chr8 65841729 65841752
chr8 65841823 65841921
chr2 206713923 206713976
chr19 48260083 48260280
chr15 28095897 28095963
chr17 78759156 78759193
chr17 78759222 78759311
chr12 121129062 121129088
chr1 110202920 110203109
chr13 74550022 74550411
chr15 49155856 49155887
chr15 49155935 49156182
"""
# gtars' Python test suite: query -> expected ids
GTARS_CASES = [
    ([("chr1", 50, 150)], [25]),  # no overlap -> <unk>
    ([("chr999", 50, 150)], [25]),  # unknown chromosome
    ([("chr1", 151399441, 151399547), ("chr2", 203871220, 203871381)], [6, 7]),
    ([("chr2", 203871346, 203871616)], [7, 8]),  # two overlaps
]


@pytest.fixture
def peaks(tmp_path):
    path = tmp_path / "peaks.bed"
    path.write_text(PEAKS.replace(" ", "\t"))
    return path


def test_gtars_cases(peaks):
    with pytest.warns(UserWarning, match="not position-sorted"):
        tok = IntervalTokenizer.from_bed(peaks)
    assert tok.vocab_size == 32 and tok.unk_token_id == 25
    for query, want in GTARS_CASES:
        assert tok.encode(query) == want, query
    assert tok.tokenize([("chr1", 151399441, 151399547)]) == ["chr1:151399431-151399527"]
    assert tok.convert_tokens_to_ids("chr2:203871200-203871375") == 7
    # within one query the regions come in genomic order, queries in query order
    assert tok.encode([("chr2", 203871346, 203871616), ("chr1", 151399441, 151399547)]) == [7, 8, 6]
    empty = IntervalTokenizer.from_bed(peaks, empty_document="empty")
    assert empty.encode([("chr1", 50, 150)]) == []
    assert tok.encode([]) == [25] and empty.encode([]) == []


def test_sorted_universe_is_silent_and_order_matches(tmp_path):
    path = tmp_path / "u.bed"
    path.write_text("chr1\t0\t10\nchr1\t5\t20\nchr2\t0\t10\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tok = IntervalTokenizer.from_bed(path)
    assert tok.encode([("chr2", 1, 2), ("chr1", 6, 7)]) == [2, 0, 1]
    genomic = IntervalTokenizer.from_bed(path, order="genomic")
    assert genomic.encode([("chr2", 1, 2), ("chr1", 6, 7)]) == [0, 1, 2]


def test_unsorted_genomic_order_is_by_position_not_id(tmp_path):
    path = tmp_path / "u.bed"
    path.write_text("chr2\t100\t200\nchr1\t300\t400\nchr1\t100\t200\n")
    with pytest.warns(UserWarning):
        tok = IntervalTokenizer.from_bed(path)
    # gtars 0.10 gives [2, 1, 0] here too (checked by hand against the release)
    assert tok.encode([("chr1", 0, 1000), ("chr2", 150, 160)]) == [2, 1, 0]
    with pytest.warns(UserWarning):
        genomic = IntervalTokenizer.from_bed(path, order="genomic")
    assert genomic.encode([("chr2", 150, 160), ("chr1", 0, 1000)]) == [0, 2, 1]


def test_duplicates_keep_first_id_and_emit_once(tmp_path):
    """gtars' vocabulary keeps the first id of a duplicated line (as ours); its tokenize then
    emits the duplicated region once per line and mislabels neighbours ([0, 0, 0] for a query
    over chr1:100-200 twice and chr1:300-400, gtars 0.10). We emit each region once."""
    path = tmp_path / "dup.bed"
    path.write_text("chr1\t100\t200\nchr1\t100\t200\nchr1\t300\t400\nchr1\t500\t600\n")
    tok = IntervalTokenizer.from_bed(path)  # sorted: no warning
    assert tok.n_regions == 3 and tok.get_vocab()["chr1:300-400"] == 1
    assert tok.encode([("chr1", 150, 350)]) == [0, 1]


def test_gtars_when_installed(peaks, tmp_path):
    gtars = pytest.importorskip("gtars.tokenizers")
    models = pytest.importorskip("gtars.models")
    theirs = gtars.Tokenizer.from_bed(str(peaks))
    with pytest.warns(UserWarning):
        ours = IntervalTokenizer.from_bed(peaks)
    assert theirs.get_vocab() == ours.get_vocab()
    for query, _ in GTARS_CASES:
        regions = [models.Region(c, s, e, None) for c, s, e in query]
        assert theirs.convert_tokens_to_ids(theirs.tokenize(regions)) == ours.encode(query)
    # our saved folder loads in gtars with the same vocabulary
    ours.save_pretrained(tmp_path / "folder")
    again = (
        gtars.Tokenizer.from_pretrained(str(tmp_path / "folder"))
        if hasattr(gtars.Tokenizer, "from_pretrained")
        else None
    )
    if again is not None:
        assert again.get_vocab() == ours.get_vocab()


def test_positions_past_the_key_width_never_reach_another_chromosome(tmp_path):
    path = tmp_path / "u.bed"
    path.write_text("chr1\t0\t100\nchr2\t0\t100\nchr2\t10000\t10100\n")
    tok = IntervalTokenizer.from_bed(path, empty_document="empty")
    big = 4_294_977_296  # 2**32 + 10000: would read as chr2:10000 with a 32-bit shift
    assert tok.encode([("chr1", big, big + 50)]) == []
    assert tok.encode([("chr1", 50, big)]) == [0]
    assert tok.encode([("chr2", big, big + 1)]) == []
