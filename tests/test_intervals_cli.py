"""``genovocab tokenize-intervals``: text lines and Parquet shards."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from genovocab.cli import main

UNIVERSE = "chr1\t150\t400\nchr1\t100\t200\nchr1\t160\t170\nchr2\t0\t50\tx\t0\t+\n"
# ids in line order: 0 chr1:150-400, 1 chr1:100-200, 2 chr1:160-170, 3 chr2:0-50
pytestmark = pytest.mark.filterwarnings("ignore:.*not position-sorted")


def test_text_output(tmp_path, capsys):
    u = tmp_path / "u.bed"
    u.write_text(UNIVERSE)
    a = tmp_path / "a.bed"
    a.write_text("chr1\t199\t200\nchr9\t0\t5\nchr1\t165\t166\n")
    b = tmp_path / "b.bed"
    b.write_text("chr2\t1\t2\n")
    out = tmp_path / "ids.txt"
    assert (
        main(["tokenize-intervals", "--universe", str(u), "--out", str(out), str(a), str(b)]) == 0
    )
    assert out.read_text() == f"{a}\t1 0 1 0 2\n{b}\t3\n"  # genomic within a query
    assert (
        main(
            [
                "tokenize-intervals",
                "--universe",
                str(u),
                "--unknown",
                "unk",
                "--dedupe",
                "--min-overlap",
                "1",
                "--out",
                "-",
                str(a),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == f"{a}\t1 0 4 2\n"
    empty = tmp_path / "e.bed"
    empty.write_text("chr9\t0\t5\n")
    assert main(["tokenize-intervals", "--universe", str(u), "--out", "-", str(empty)]) == 0
    assert capsys.readouterr().out == f"{empty}\t4\n"  # [<unk>], as gtars
    assert (
        main(
            [
                "tokenize-intervals",
                "--universe",
                str(u),
                "--empty-document",
                "empty",
                "--out",
                "-",
                str(empty),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == f"{empty}\t\n"


def test_parquet_output(tmp_path):
    u = tmp_path / "u.bed"
    u.write_text(UNIVERSE)
    a = tmp_path / "a.bed"
    a.write_text("chr1\t199\t200\n")
    out = tmp_path / "corpus"
    assert (
        main(
            [
                "tokenize-intervals",
                "--universe",
                str(u),
                "--format",
                "parquet",
                "--n-shards",
                "1",
                "--order",
                "genomic",
                "--out",
                str(out),
                str(a),
            ]
        )
        == 0
    )
    table = pq.read_table(out / "data" / "train-00000-of-00001.parquet")
    assert table.column("id").to_pylist() == [str(a)]
    assert table.column("input_ids").to_pylist() == [[1, 0]]  # genomic order
    assert (out / "README.md").exists() and (out / "stats.json").exists()


def test_errors(tmp_path, capsys):
    u = tmp_path / "u.bed"
    u.write_text("chr1\t5\t1\n")
    a = tmp_path / "a.bed"
    a.write_text("chr1\t1\t2\n")
    assert main(["tokenize-intervals", "--universe", str(u), "--out", "-", str(a)]) == 1
    assert "u.bed, line 1: start 5 is greater than end 1" in capsys.readouterr().err
