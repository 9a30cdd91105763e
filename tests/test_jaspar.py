"""JASPAR and MEME matrix parsers: real files, known values, malformed input."""

from __future__ import annotations

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.io.jaspar import (
    read_jaspar,
    read_matrices,
    read_meme,
    select_matrices,
    write_jaspar,
)

JASPAR = """>MA0002.1\tRUNX1
A  [    10     0     0 ]
C  [     2    12     0 ]
G  [     0     0    12 ]
T  [     0     0     0 ]
>MA0001.1 AGL3
A [ 0 3 ]
C [ 1 0 ]
G [ 2 0 ]
T [ 0 0 ]
"""

MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF MA0002.1 RUNX1
letter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0
  0.5 0.5 0.0 0.0
  0.0 0.0 0.2 0.8

MOTIF MA0001.1
letter-probability matrix: alength= 4 w= 1 E= 0
  0.25 0.25 0.25 0.25
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_jaspar_parse_sorted_with_counts(tmp_path):
    ms = read_jaspar(write(tmp_path, "m.jaspar", JASPAR))
    assert [m.matrix_id for m in ms] == ["MA0001.1", "MA0002.1"]
    assert [m.name for m in ms] == ["AGL3", "RUNX1"]
    np.testing.assert_array_equal(ms[1].counts, [[10, 0, 0], [2, 12, 0], [0, 0, 12], [0, 0, 0]])
    assert ms[0].width == 2


def test_jaspar_roundtrip_and_crlf_gzip(tmp_path):
    import gzip

    p = tmp_path / "m.jaspar.gz"
    p.write_bytes(gzip.compress(JASPAR.replace("\n", "\r\n").encode()))
    ms = read_jaspar(p)
    out = tmp_path / "out.jaspar"
    write_jaspar(out, ms)
    again = read_jaspar(out)
    assert [m.matrix_id for m in again] == [m.matrix_id for m in ms]
    for a, b in zip(ms, again):
        np.testing.assert_array_equal(a.counts, b.counts)


def test_meme_counts_are_probabilities_times_nsites(tmp_path):
    ms = read_meme(write(tmp_path, "m.meme", MEME))
    assert [m.matrix_id for m in ms] == ["MA0001.1", "MA0002.1"]
    np.testing.assert_allclose(ms[1].counts, [[5, 0], [5, 0], [0, 2], [0, 8]])
    assert ms[0].name == "MA0001.1"
    np.testing.assert_allclose(ms[0].counts[:, 0], [5, 5, 5, 5])  # default nsites 20
    assert [m.matrix_id for m in read_matrices(write(tmp_path, "x.txt", MEME))] == [
        "MA0001.1",
        "MA0002.1",
    ]


def test_real_jaspar_and_meme_agree(real_data):
    folder = real_data / "hg38_chr1_1-99950" / "motifs"
    js = read_jaspar(folder / "JASPAR2022_CORE_vertebrates_subset.jaspar.txt")
    me = read_meme(folder / "JASPAR2022_CORE_vertebrates_subset.meme.txt")
    assert len(js) == 11 and [m.matrix_id for m in js] == [m.matrix_id for m in me]
    ctcf = {m.matrix_id: m for m in js}["MA0139.1"]
    assert ctcf.name == "CTCF" and ctcf.width == 19
    assert ctcf.counts[:, 0].tolist() == [87, 291, 76, 459]
    for a, b in zip(js, me):
        pa = a.counts / a.counts.sum(axis=0)
        pb = b.counts / b.counts.sum(axis=0)
        np.testing.assert_allclose(pa, pb, atol=1e-4)


def test_select_matrices(tmp_path):
    ms = read_jaspar(write(tmp_path, "m.jaspar", JASPAR))
    assert [m.matrix_id for m in select_matrices(ms, ["MA0002.1"])] == ["MA0002.1"]
    assert len(select_matrices(ms, [])) == 2
    with pytest.raises(InputError, match="matrix ids not in the file: MA9999.1"):
        select_matrices(ms, ["MA9999.1"], "m.jaspar")


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("", "no JASPAR matrices found", None),
        ("A [ 1 2 ]\n", "expected a '>ID NAME' header", 1),
        (">MA1.1 X\nA [ 1 2 ]\nC [ 1 2 ]\nG [ 1 2 ]\n", "has 3 rows, expected 4", 5),
        (">MA1.1 X\nA [ 1 2 ]\nC [ 1 x ]\nG [ 1 2 ]\nT [ 1 2 ]\n", "'x' is not a number", 3),
        (">MA1.1 X\nA [ 1 2 ]\nC [ 1 2 3 ]\nG [ 1 2 ]\nT [ 1 2 ]\n", "row C has 3 columns", 3),
        (">MA1.1 X\nA [ 1 2 ]\nG [ 1 2 ]\nC [ 1 2 ]\nT [ 1 2 ]\n", "expected row C", 3),
        (">MA1.1 X\nA [ 1 -2 ]\nC [ 1 2 ]\nG [ 1 2 ]\nT [ 1 2 ]\n", "negative value", 2),
        (">MA1.1 X\nA [ 1 0 ]\nC [ 1 0 ]\nG [ 1 0 ]\nT [ 1 0 ]\n", "column 2 has no counts", 1),
        (
            ">MA1.1 X\nA [ 1 ]\nC [ 1 ]\nG [ 1 ]\nT [ 1 ]\n>MA1.1 Y\nA [ 1 ]\nC [ 1 ]\nG [ 1 ]\n"
            "T [ 1 ]\n",
            "matrix id MA1.1 appears more than once",
            None,
        ),
    ],
)
def test_jaspar_malformed(tmp_path, text, message, line):
    p = write(tmp_path, "bad.jaspar", text)
    with pytest.raises(InputError, match=message) as exc:
        read_jaspar(p)
    assert str(p) in str(exc.value)
    if line is not None:
        assert exc.value.line == line


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("MOTIF MA1.1\n", "not a MEME file", 1),
        ("MEME version 4\nALPHABET= ACGU\n", "only the DNA alphabet", 2),
        (
            "MEME version 4\n\nMOTIF MA1.1 X\nletter-probability matrix: alength= 4 w= 2\n"
            "0.25 0.25 0.25 0.25\n",
            "has 1 rows, w= 2",
            6,
        ),
        (
            "MEME version 4\n\nMOTIF MA1.1 X\nletter-probability matrix: alength= 4 w= 1\n"
            "0.5 0.5 0.5 0.5\n",
            "probabilities sum to 2.0000",
            5,
        ),
        (
            "MEME version 4\n\nMOTIF MA1.1 X\nletter-probability matrix: alength= 4 w= 1\n"
            "0.5 0.5 0.0\n",
            "row has 3 values, expected 4",
            5,
        ),
        (
            "MEME version 4\n\nMOTIF MA1.1 X\nletter-probability matrix: alength= 4\n"
            "0.25 0.25 0.25 0.25\n",
            "bad letter-probability line",
            4,
        ),
        (
            "MEME version 4\n\nMOTIF MA1.1 X\n0.25 0.25 0.25 0.25\n",
            "no 'letter-probability matrix'",
            3,
        ),
        ("MEME version 4\n", "no MEME matrices found", None),
    ],
)
def test_meme_malformed(tmp_path, text, message, line):
    p = write(tmp_path, "bad.meme", text)
    with pytest.raises(InputError, match=message) as exc:
        read_meme(p)
    if line is not None:
        assert exc.value.line == line


def test_overflowing_count_is_an_error_naming_line(tmp_path):
    """A count of 1e999 overflows to inf: it must be refused, not scanned as 0 sites."""
    path = tmp_path / "m.jaspar"
    path.write_text(">MA0001.1 X\nA [ 1 0 0 ]\nC [ 0 1e999 0 ]\nG [ 0 0 1 ]\nT [ 0 0 0 ]\n")
    with pytest.raises(InputError) as err:
        read_jaspar(path)
    assert str(path) in str(err.value) and "line 3" in str(err.value)
    assert "'1e999' is not a finite number" in str(err.value)
