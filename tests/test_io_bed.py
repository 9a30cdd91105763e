"""The shared BED reader: valid layouts and every malformed case, with the expected message."""

from __future__ import annotations

import gzip
import logging

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.io import read_bed, read_chrom_sizes, sort_dedupe_bed3, write_bed3

SIZES = {"chr1": 1000, "chr2": 500}


def write(tmp_path, text: str | bytes, name: str = "x.bed", compress: bool = False):
    path = tmp_path / name
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_bed3_values_and_order(tmp_path):
    iv = read_bed(write(tmp_path, "chr2\t5\t10\nchr1\t1\t4\nchr2\t0\t3\n"))
    assert iv.chroms == ["chr2", "chr1"]  # first-appearance order, not lexicographic
    assert iv.starts.tolist() == [5, 1, 0]
    assert iv.ends.tolist() == [10, 4, 3]
    assert iv.chrom_index.tolist() == [0, 1, 0]
    assert iv.line_numbers.tolist() == [1, 2, 3]
    assert {c: (s.tolist(), e.tolist()) for c, (s, e) in iv.by_chrom().items()} == {
        "chr2": ([5, 0], [10, 3]),
        "chr1": ([1], [4]),
    }


def test_narrowpeak_and_extra_columns(tmp_path):
    text = "chr1\t10\t20\tpeak1\t500\t.\t5.1\t3.2\t2.0\t4\nchr1\t30\t45\tpeak2\t0\t+\t1\t1\t1\t2\n"
    iv = read_bed(write(tmp_path, text), keep_columns=True)
    frame = iv.to_frame()
    assert frame["start"].tolist() == [10, 30]
    assert frame["col4"].tolist() == ["peak1", "peak2"]
    assert frame["col10"].tolist() == ["4", "2"]


def test_gzip_detected_by_magic_not_name(tmp_path):
    iv = read_bed(write(tmp_path, "chr1\t1\t2\n", name="plain_name.bed", compress=True))
    assert iv.starts.tolist() == [1]
    iv = read_bed(write(tmp_path, "chr1\t1\t2\n", name="looks.bed.gz"))
    assert iv.ends.tolist() == [2]


def test_crlf_lines(tmp_path):
    iv = read_bed(write(tmp_path, "chr1\t1\t2\r\nchr2\t3\t4\r\n"), SIZES)
    assert iv.chroms == ["chr1", "chr2"]
    assert iv.ends.tolist() == [2, 4]


def test_header_lines_skipped_and_line_numbers_kept(tmp_path):
    text = "track name=x\nbrowser position chr1:1-10\n# comment\nchr1\t1\t2\n#mid\nchr1\t5\t9\n"
    iv = read_bed(write(tmp_path, text))
    assert iv.starts.tolist() == [1, 5]
    assert iv.line_numbers.tolist() == [4, 6]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chr1\t1\t2\nchr1\tabc\t5\n", r"x\.bed, line 2: start 'abc' is not an integer"),
        ("chr1\t1\t2.5\n", r"line 1: end '2\.5' is not an integer"),
        ("chr1\t-5\t10\n", r"line 1: negative start -5"),
        ("chr1\t1\t2\nchr1\t20\t10\n", r"line 2: start 20 is greater than end 10"),
        ("chr1\t1\n", r"line 1: expected at least 3 tab-separated columns .* found 2"),
        ("chr1 1 2\n", r"line 1: .*found 1 \(columns must be tab-separated\)"),
        ("\t1\t2\n", r"line 1: empty chromosome name"),
    ],
)
def test_malformed_lines(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_bed(write(tmp_path, text))


def test_unknown_chromosome_error_drop_keep(tmp_path, caplog):
    path = write(tmp_path, "chr1\t1\t2\nchrZ\t1\t2\n")
    with pytest.raises(InputError, match=r"line 2: unknown chromosome 'chrZ'"):
        read_bed(path, SIZES)
    with caplog.at_level(logging.WARNING):
        iv = read_bed(path, SIZES, unknown_chroms="drop")
    assert iv.chroms == ["chr1"] and len(iv) == 1 and iv.n_unknown_chrom == 1
    assert "chrZ" in caplog.text
    assert read_bed(path, SIZES, unknown_chroms="keep").chroms == ["chr1", "chrZ"]


def test_end_beyond_chromosome(tmp_path):
    with pytest.raises(InputError, match=r"line 1: end 600 is beyond the end of chr2 \(500 bp\)"):
        read_bed(write(tmp_path, "chr2\t10\t600\n"), SIZES)


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match=r"empty\.bed: file is empty"):
        read_bed(write(tmp_path, "", name="empty.bed"))
    with pytest.raises(InputError, match="file is empty"):
        read_bed(write(tmp_path, "track name=x\n\n", name="hdr.bed"))
    assert len(read_bed(write(tmp_path, "", name="e2.bed"), allow_empty=True)) == 0


def test_zero_length_counted_and_skipped(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        iv = read_bed(write(tmp_path, "chr1\t5\t5\nchr1\t6\t9\nchr1\t7\t7\n"))
    assert iv.starts.tolist() == [6] and iv.n_zero_length == 2
    assert "skipped 2 zero-length interval(s) (first at line 1)" in caplog.text


def test_require_sorted(tmp_path):
    ok = read_bed(write(tmp_path, "chr2\t1\t5\nchr2\t1\t3\nchr1\t0\t1\n"), require_sorted=True)
    assert len(ok) == 3  # chromosome order is free; starts must not decrease
    with pytest.raises(InputError, match=r"line 2: .*not sorted: start 1 comes after start 5"):
        read_bed(write(tmp_path, "chr1\t5\t6\nchr1\t1\t3\n", name="u.bed"), require_sorted=True)
    with pytest.raises(InputError, match=r"line 3: file is not sorted: chr1 appears again"):
        read_bed(
            write(tmp_path, "chr1\t5\t6\nchr2\t1\t3\nchr1\t9\t10\n", name="v.bed"),
            require_sorted=True,
        )


def test_corrupt_gzip(tmp_path):
    data = gzip.compress(b"chr1\t1\t2\n" * 1000)[:-20]
    with pytest.raises(InputError, match="corrupt gzip"):
        read_bed(write(tmp_path, data, name="bad.bed.gz"))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read file"):
        read_bed(tmp_path / "absent.bed")


def test_chrom_sizes_reader(tmp_path):
    path = write(tmp_path, "chr2\t500\r\nchr1\t1000\n", name="s.sizes")
    assert list(read_chrom_sizes(path).items()) == [("chr2", 500), ("chr1", 1000)]
    with pytest.raises(InputError, match=r"line 2: chromosome 'chr2' is listed twice"):
        read_chrom_sizes(write(tmp_path, "chr2\t5\nchr2\t6\n", name="d.sizes"))
    with pytest.raises(InputError, match=r"line 1: length 'x' of chr1 is not a positive"):
        read_chrom_sizes(write(tmp_path, "chr1\tx\n", name="b.sizes"))


def test_sort_dedupe_and_write_bed3(tmp_path):
    chroms, starts, ends = sort_dedupe_bed3(
        np.array(["chr2", "chr1", "chr1", "chr1", "chr2"], dtype=object),
        [5, 10, 1, 10, 5],
        [6, 20, 3, 20, 6],
        ["chr1", "chr2"],
    )
    assert list(zip(chroms, starts.tolist(), ends.tolist())) == [
        ("chr1", 1, 3),
        ("chr1", 10, 20),
        ("chr2", 5, 6),
    ]
    out = tmp_path / "u.bed.gz"
    write_bed3(out, chroms, starts, ends)
    assert gzip.decompress(out.read_bytes()) == b"chr1\t1\t3\nchr1\t10\t20\nchr2\t5\t6\n"
    first = out.read_bytes()
    write_bed3(out, chroms, starts, ends)
    assert out.read_bytes() == first  # deterministic gzip


def test_real_ccre_v4_layout(real_data):
    iv = read_bed(
        real_data / "ccre_v4_chr20_slice" / "ENCFF420VPZ.example.bed.gz", keep_columns=True
    )
    assert len(iv) == 2755 and iv.chroms == ["chr20"]
    assert iv.columns.shape[1] == 7  # BED9+1: columns 4..10


def test_utf8_bom_and_a_later_comment_keep_the_first_interval(tmp_path):
    """A BOM before the first row and a `#` line further down must not eat the first row."""
    path = tmp_path / "bom.bed"
    path.write_text("\ufeffchr1\t10\t20\n# a comment\nchr1\t30\t40\n", encoding="utf-8")
    bed = read_bed(path)
    assert bed.starts.tolist() == [10, 30] and bed.ends.tolist() == [20, 40]
