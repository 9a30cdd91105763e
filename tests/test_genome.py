"""Genome preparation: FASTA checks, chromosome selection, chrom.sizes, N gaps, index."""

from __future__ import annotations

import gzip

import pytest

from genovocab.errors import InputError
from genovocab.genome import n_runs, prepare_genome
from genovocab.io import read_chrom_sizes
from genovocab.io.fasta import open_fasta

FASTA = ">chrA description here\nNNNNacgt\nACGTNN\n>chrB\nACGTACGTAC\nGTNNNNNA\n>scaffold_1\nAC\n"


def write(tmp_path, text: str, name="g.fa", compress=False):
    path = tmp_path / name
    data = text.encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_prepare_plain_and_gzip(tmp_path, compress):
    src = write(tmp_path, FASTA.replace("\n", "\r\n") if compress else FASTA, compress=compress)
    out = tmp_path / "out"
    prepared = prepare_genome(src, out, chromosome_regex=r"chr.*")
    assert prepared.sizes == {"chrA": 14, "chrB": 18}
    assert list(read_chrom_sizes(out / "chrom.sizes").items()) == [("chrA", 14), ("chrB", 18)]
    assert (out / "gaps.bed").read_text() == "chrA\t0\t4\nchrA\t12\t14\nchrB\t12\t17\n"
    fasta = open_fasta(out / "genome.fa", upper=False)
    assert fasta["chrA"][:] == "NNNNacgtACGTNN"  # case kept in the prepared file
    assert open_fasta(out / "genome.fa")["chrA"][4:8] == "ACGT"
    assert (out / "genome.fa.fai").exists()


def test_explicit_chromosome_list_and_min_gap(tmp_path):
    out = tmp_path / "out"
    prepared = prepare_genome(
        write(tmp_path, FASTA), out, chromosomes=["chrB", "scaffold_1"], min_gap=3
    )
    assert list(prepared.sizes) == ["chrB", "scaffold_1"]  # FASTA order
    assert (out / "gaps.bed").read_text() == "chrB\t12\t17\n"


def test_listed_chromosome_missing_is_an_error(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"chromosome\(s\) chrZ listed in the config are not"):
        prepare_genome(write(tmp_path, FASTA), out, chromosomes=["chrA", "chrZ"])
    assert not (out / "genome.fa").exists() and not (out / "chrom.sizes").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ACGT\n>chr1\nACGT\n", r"line 1: sequence data before the first '>' header"),
        (">chr1\nACGT\n>chr1\nAC\n", r"line 3: sequence name 'chr1' appears twice"),
        (">chr1\nACGT\n>chr2\n>chr3\nAC\n", r"line 3: sequence 'chr2' is empty"),
        (">chr1\nACGT\nAC-T\n", r"line 3: invalid character '-' in sequence 'chr1'"),
        (">\nACGT\n", r"line 1: FASTA header without a sequence name"),
        ("", r"no FASTA records found"),
    ],
)
def test_malformed_fasta(tmp_path, text, message):
    out = tmp_path / "out"
    with pytest.raises(InputError, match=message):
        prepare_genome(write(tmp_path, text), out)
    assert not (out / "genome.fa").exists()


def test_iupac_codes_accepted(tmp_path):
    prepared = prepare_genome(
        write(tmp_path, ">c\nACGTRYKMSWBDHVNacgtrykmswbdhvn\n"), tmp_path / "out"
    )
    assert prepared.sizes == {"c": 30}


def test_n_runs():
    starts, ends = n_runs(b"NNacNNNnGN", 1)
    assert starts.tolist() == [0, 4, 9] and ends.tolist() == [2, 8, 10]
    starts, ends = n_runs(b"NNacNNNnGN", 3)
    assert starts.tolist() == [4] and ends.tolist() == [8]


def test_real_hg38_slice(real_data, tmp_path):
    folder = real_data / "hg38_chr1_1-99950" / "genome"
    fasta = next(p for p in sorted(folder.iterdir()) if p.suffix in (".fa", ".fasta"))
    prepared = prepare_genome(fasta, tmp_path / "out")
    expected = read_chrom_sizes(next(folder.glob("*chrom.sizes")))
    assert prepared.sizes == expected
    gaps = (tmp_path / "out" / "gaps.bed").read_text().splitlines()
    assert gaps[0] == "chr1\t0\t10000"  # hg38 chr1 starts with 10,000 N
