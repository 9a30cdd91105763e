"""The bad-input matrix: CLI, API and workflow inputs that must fail with one clear error
(file, line, problem), exit status 1 (2 for usage), no output left and user files intact."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from genovocab.cli import main
from genovocab.config_checks import ConfigError, check_config, read_sample_sheet
from genovocab.download import check_sha256, fetch, read_lock
from genovocab.errors import DownloadError, InputError, OutputError
from genovocab.fileutil import MARKER, atomic_dir, atomic_path, write_text_atomic

FASTA = ">chr1\nACGTACGTNNACGT\n>chr2\nGGGGCCCCAAAA\n"


@pytest.fixture()
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.fa").write_text(FASTA)
    (tmp_path / "corpus.txt").write_text("ACGTACGT\nGGGGCCCC\n")
    (tmp_path / "a.bed").write_text("chr1\t0\t5\n")
    (tmp_path / "sizes").write_text("chr1\t14\nchr2\t12\n")
    return tmp_path


# --- CLI: usage errors (argparse types) -> exit 2 ------------------------------------------
USAGE = [
    ["train-bpe", "--corpus", "corpus.txt", "--vocab-size", "0", "--out", "o"],
    ["train-bpe", "--corpus", "corpus.txt", "--vocab-size", "-5", "--out", "o"],
    ["train-bpe", "--corpus", "corpus.txt", "--vocab-size", "1e3", "--out", "o"],
    ["train-bpe", "--corpus", "corpus.txt", "--vocab-size", "\u00b2", "--out", "o"],
    ["train-bpe", "--corpus", "corpus.txt", "--min-frequency", "0", "--out", "o"],
    ["train-bpe", "--corpus", "corpus.txt", "--model-max-length", "x", "--out", "o"],
    ["sample-windows", "--fasta", "g.fa", "--window", "0", "--out", "o.txt"],
    ["sample-windows", "--fasta", "g.fa", "--min-window", "-1", "--out", "o.txt"],
    ["sample-windows", "--fasta", "g.fa", "--total-bp", "0", "--out", "o.txt"],
    ["sample-windows", "--fasta", "g.fa", "--seed", "-1", "--out", "o.txt"],
    ["download", "http://x/y", "--out", "o", "--retries", "-1"],
    ["download", "http://x/y", "--out", "o", "--timeout", "0"],
    ["download", "http://x/y", "--out", "o", "--timeout", "nan"],
    ["prepare-genome", "g.fa", "--out-dir", "o", "--min-gap", "0"],
    ["scan-motifs", "--genome", "g.fa", "--pfms", "p", "--min-relative", "1001", "--out", "o"],
    ["scan-motifs", "--genome", "g.fa", "--pfms", "p", "--max-pvalue", "0", "--out", "o"],
    ["scan-motifs", "--genome", "g.fa", "--pfms", "p", "--max-pvalue", "inf", "--out", "o"],
    ["bin-motifs", "--sites", "s", "--chrom-sizes", "sizes", "--out-dir", "o", "--sigma", "0"],
    ["bin-motifs", "--sites", "s", "--chrom-sizes", "sizes", "--out-dir", "o", "--max-bin", "0"],
    ["bin-motifs", "--sites", "s", "--chrom-sizes", "sizes", "--out-dir", "o", "--trim-step", "-2"],
    ["universe", "--window", "0"],
    ["universe", "--merge", "-1"],
    ["ggram", "--tokenizer", "t", "--corpus", "c", "--min-pmi", "nan", "--out", "o"],
    ["ggram", "--tokenizer", "t", "--corpus", "c", "--min-len", "0", "--out", "o"],
    [
        "tokenize-sequences",
        "--tokenizer",
        "t",
        "--ggram",
        "g",
        "--sequences",
        "s",
        "--n-shards",
        "0",
        "--out",
        "o",
    ],
    [
        "tokenize-sequences",
        "--tokenizer",
        "t",
        "--ggram",
        "g",
        "--sequences",
        "s",
        "--max-ngrams",
        "-1",
        "--out",
        "o",
    ],
]


@pytest.mark.parametrize("argv", USAGE, ids=lambda a: " ".join(a[:1] + a[-4:-2]))
def test_cli_usage_error_exit_2(files, argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument" in err
    assert not (files / "o").exists() and not (files / "o.txt").exists()


# --- CLI: runtime errors -> one line, exit 1, no output -------------------------------------
def _gz_truncated(path: Path) -> None:
    path.write_bytes(gzip.compress(FASTA.encode() * 50)[:-30])


RUNTIME = [
    ("missing fasta", ["prepare-genome", "nosuch.fa", "--out-dir", "o"], "nosuch.fa", None),
    (
        "fasta is a folder",
        ["prepare-genome", "d", "--out-dir", "o"],
        "is not a file",
        lambda p: (p / "d").mkdir(),
    ),
    (
        "non-UTF-8 header",
        ["prepare-genome", "bad.fa", "--out-dir", "o"],
        "line 1",
        lambda p: (p / "bad.fa").write_bytes(b">chr\xff1\nACGT\n"),
    ),
    (
        "truncated gzip fasta",
        ["prepare-genome", "t.fa.gz", "--out-dir", "o"],
        "gzip",
        lambda p: _gz_truncated(p / "t.fa.gz"),
    ),
    ("not a fasta", ["prepare-genome", "a.bed", "--out-dir", "o"], "a.bed, line 1", None),
    (
        "bad IUPAC",
        ["prepare-genome", "x.fa", "--out-dir", "o"],
        "x.fa, line 2",
        lambda p: (p / "x.fa").write_text(">c\nAC!T\n"),
    ),
    (
        "duplicate record",
        ["prepare-genome", "x.fa", "--out-dir", "o"],
        "x.fa, line 3",
        lambda p: (p / "x.fa").write_text(">c\nAC\n>c\nGT\n"),
    ),
    ("out is cwd", ["train-bpe", "--corpus", "corpus.txt", "--out", "."], "output .", None),
    ("out is parent", ["train-bpe", "--corpus", "corpus.txt", "--out", ".."], "output ..", None),
    (
        "out holds the input",
        ["train-bpe", "--corpus", "in/c.txt", "--out", "in"],
        "contains the input",
        lambda p: ((p / "in").mkdir(), (p / "in/c.txt").write_text("AC\n")),
    ),
    (
        "out is a user folder",
        ["train-bpe", "--corpus", "corpus.txt", "--out", "mine"],
        "refusing to replace",
        lambda p: ((p / "mine").mkdir(), (p / "mine/k").write_text("k")),
    ),
    (
        "out equals the input",
        ["sample-windows", "--fasta", "g.fa", "--out", "g.fa"],
        "is also an input",
        None,
    ),
    (
        "download missing file",
        ["download", "file://nosuch.bed", "--out", "o"],
        "no such file",
        None,
    ),
    (
        "download bad sha256",
        ["download", "a.bed", "--sha256", "xyz", "--out", "o"],
        "not 64 hexadecimal",
        None,
    ),
    (
        "download wrong sha256",
        ["download", "a.bed", "--sha256", "0" * 64, "--out", "o"],
        "sha256 mismatch",
        None,
    ),
    ("download gopher", ["download", "gopher://h/x", "--out", "o"], "unsupported URL", None),
    (
        "sample-windows missing chrom sizes",
        ["sample-windows", "--fasta", "g.fa", "--chrom-sizes", "nosuch.sizes", "--out", "o"],
        "nosuch.sizes",
        None,
    ),
    (
        "scan-motifs bad matrix file",
        ["scan-motifs", "--genome", "g.fa", "--pfms", "a.bed", "--out", "o"],
        "a.bed, line 1",
        None,
    ),
    (
        "train-bpe non-UTF-8 corpus",
        ["train-bpe", "--corpus", "bin.txt", "--out", "o"],
        "bin.txt, line 2: not UTF-8",
        lambda p: (p / "bin.txt").write_bytes(b"ACGT\nAC\xffGT\n"),
    ),
    (
        "train-bpe non-letter corpus",
        ["train-bpe", "--corpus", "num.txt", "--out", "o"],
        "num.txt, line 1: a training line",
        lambda p: (p / "num.txt").write_text("AC1T\n"),
    ),
]


@pytest.mark.parametrize(
    ("label", "argv", "expected", "setup"), RUNTIME, ids=[r[0] for r in RUNTIME]
)
def test_cli_runtime_error_one_line_exit_1(files, label, argv, expected, setup, capsys):
    if setup:
        setup(files)
    before = {p: p.read_bytes() for p in files.rglob("*") if p.is_file()}
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1, err
    lines = [line for line in err.splitlines() if "error" in line]
    assert lines and lines[-1].startswith(f"genovocab {argv[0]}: error: "), err
    assert expected in err
    assert "Traceback" not in err
    assert not (files / "o").exists()
    after = {p: p.read_bytes() for p in files.rglob("*") if p.is_file() and p in before}
    assert after == before  # user files intact


def test_debug_shows_the_traceback(files):
    with pytest.raises(InputError):
        main(["--debug", "prepare-genome", "nosuch.fa", "--out-dir", "o"])


# --- API: output safety -----------------------------------------------------------------------
def test_tsv_chunks_reads_values_as_written_gzip_by_content(tmp_path):
    import gzip

    from genovocab.fileutil import tsv_chunks

    text = "#c\tx\nchr1\tNA\nchr2\t\nchr3\tnan\n"
    plain, packed = tmp_path / "t.tsv", tmp_path / "t.tsv.txt"  # the name says nothing
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    for path in (plain, packed):
        frames = list(tsv_chunks(path, 2, 1, dtype=str))
        assert [len(f) for f in frames] == [2, 1]
        rows = [tuple(r) for f in frames for r in f.itertuples(index=False)]
        assert rows == [("chr1", "NA"), ("chr2", ""), ("chr3", "nan")]


def test_atomic_dir_refuses_a_user_folder_and_keeps_it(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match="refusing to replace"):
        with atomic_dir(user) as tmp:
            (tmp / "x").write_text("1")
    assert (user / "thesis.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["user"]


def test_atomic_dir_replaces_its_own_output_of_the_same_kind(tmp_path):
    out = tmp_path / "out"
    with atomic_dir(out, kind="bpe") as tmp:
        (tmp / "a").write_text("1")
    with atomic_dir(out, kind="bpe") as tmp:
        (tmp / "b").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with pytest.raises(OutputError, match="'bpe' output, not 'corpus'"):
        with atomic_dir(out, kind="corpus"):
            pass


@pytest.mark.parametrize("where", ["cwd", "parent", "home", "root", "input"])
def test_atomic_dir_refuses_unsafe_targets(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.txt").write_text("x")
    target = {"cwd": ".", "parent": "..", "home": str(Path.home()), "root": "/", "input": "."}[
        where
    ]
    inputs = [tmp_path / "in.txt"] if where == "input" else []
    with pytest.raises(OutputError):
        with atomic_dir(target, inputs=inputs):
            pass
    assert (tmp_path / "in.txt").read_text() == "x"


def test_atomic_dir_failure_leaves_old_output(tmp_path):
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(RuntimeError), atomic_dir(out) as tmp:
        (tmp / "b").write_text("2")
        raise RuntimeError("boom")
    assert (out / "a").read_text() == "1" and not (out / "b").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_path_refuses_a_folder(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_text_atomic(tmp_path / "d", "x")


def test_stale_temps_removed_and_umask_mode(tmp_path):
    stale = tmp_path / ".f.txt.genovocab-tmp-0123abcd"
    stale.write_text("killed run")
    legacy = tmp_path / ".f.txt.ab12cd34.tmp"
    legacy.write_text("older version")
    user = tmp_path / ".f.txt.notes"
    user.write_text("mine")
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "f.txt", "hi")
    finally:
        os.umask(old)
    assert not stale.exists() and not legacy.exists() and user.exists()
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o640


def test_atomic_path_failure_leaves_nothing(tmp_path):
    with pytest.raises(ValueError), atomic_path(tmp_path / "f") as tmp:
        tmp.write_text("half")
        raise ValueError("bad")
    assert list(tmp_path.iterdir()) == []


# --- API: sha256, lock, fetch arguments -------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "g" * 64, "0" * 63, "0" * 65, " 12"])
def test_bad_sha256_format(value):
    with pytest.raises(DownloadError, match="not 64 hexadecimal"):
        check_sha256(value, "genome")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"retries": -1}, "retries"),
        ({"retries": 1.5}, "retries"),
        ({"timeout": 0}, "timeout"),
        ({"deadline": -1}, "deadline"),
        ({"pin": "loose"}, "pin must be"),
    ],
)
def test_bad_fetch_arguments(tmp_path, kwargs, match):
    with pytest.raises(DownloadError, match=match):
        fetch("http://127.0.0.1:9/x", tmp_path / "f", **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name\turl\n", 1),
        ("name\turl\tsha256\tbytes\tdate\ng\tu\tnothex\t1\td\n", 2),
        ("name\turl\tsha256\tbytes\tdate\ng\tu\n", 2),
    ],
)
def test_malformed_lock(tmp_path, text, line):
    lock = tmp_path / "sources.lock.tsv"
    lock.write_text(text)
    with pytest.raises(InputError, match=f"line {line}"):
        read_lock(lock)


# --- workflow: sample sheets (file and 1-based line) ------------------------------------------
HEADER = "name\turl\tsha256\tcell\n"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("", 1, "no samples"),
        ("# only a comment\n", 1, "no samples"),
        ("s1\ta.bed\t\tK\ns 2\tb.bed\t\tK\n", 3, "sample name 's 2'"),
        ("s1\ta.bed\t\tK\ns1\tb.bed\t\tK\n", 3, "repeats line 2"),
        ("s1\ta.bed\t\tK\ns2\ta.bed\t\tK\n", 3, "same file as sample 's1'"),
        ("s1\ta.bed\t\tK\ns2\tfile://a.bed\t\tK\n", 3, "same file"),
        ("s1\ta.bed\t" + "a" * 64 + "\tK\ns2\tb.bed\t" + "A" * 64 + "\tK\n", 3, "same sha256"),
        ("s1\tnosuch.bed\t\tK\n", 2, "not found"),
        ("s1\t\t\tK\n", 2, "empty url"),
        ("s1\ta.bed\tabc\tK\n", 2, "not 64 hex"),
        ("s1\ta.bed\t\n", 2, "expected 4 tab-separated fields"),
        ("s1\ta.bed\t\tK\textra\n", 2, "found 5"),
        ("x.source.json\ta.bed\t\tK\n", 2, "may not end in"),
        ("s1\tgopher://h/x\t\tK\n", 2, "unsupported URL scheme"),
    ],
)
def test_bad_sample_sheet_rows(tmp_path, body, line, problem):
    (tmp_path / "a.bed").write_text("chr1\t0\t5\n")
    (tmp_path / "b.bed").write_text("chr1\t5\t9\n")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(HEADER + body)
    with pytest.raises(InputError) as info:
        read_sample_sheet(sheet, base_dir=tmp_path)
    message = str(info.value)
    assert str(sheet) in message and f"line {line}" in message and problem in message


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("name\tpath\n", "lacks the column(s) url"),
        ("name\turl\tid\n", "clash with corpus columns"),
        ("name\turl\tinput_ids\n", "clash"),
        ("name\turl\tcell\tcell\n", "repeats the column(s) cell"),
        ("name\turl\t\tcell\n", "empty column name"),
    ],
)
def test_bad_sample_sheet_headers(tmp_path, header, problem):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(header)
    with pytest.raises(InputError, match="line 1") as info:
        read_sample_sheet(sheet, base_dir=tmp_path)
    assert problem in str(info.value)


def test_sheet_missing_empty_and_not_utf8(tmp_path):
    with pytest.raises(InputError, match="sample sheet not found"):
        read_sample_sheet(tmp_path / "none.tsv")
    (tmp_path / "e.tsv").write_text("")
    with pytest.raises(InputError, match="empty sample sheet"):
        read_sample_sheet(tmp_path / "e.tsv")
    (tmp_path / "b.tsv").write_bytes(b"name\turl\n\xff\xfe\tx\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_sample_sheet(tmp_path / "b.tsv")


def test_good_sheet_reads_with_bom_crlf_and_lines(tmp_path):
    (tmp_path / "a.bed").write_text("chr1\t0\t5\n")
    (tmp_path / "b.bed").write_text("chr1\t5\t9\n")
    sheet = tmp_path / "s.tsv"
    sheet.write_bytes(
        b"\xef\xbb\xbf" + HEADER.encode() + b"# c\r\ns1\ta.bed\t\tK\r\n\r\ns2\tb.bed\t\tH\r\n"
    )
    frame = read_sample_sheet(sheet, base_dir=tmp_path)
    assert list(frame.index) == ["s1", "s2"] and list(frame["cell"]) == ["K", "H"]
    assert frame.attrs["lines"] == {"s1": 3, "s2": 5}


# --- workflow: config cross-references --------------------------------------------------------
def _config(tmp_path, **over):
    (tmp_path / "g.fa").write_text(FASTA)
    config = {
        "sources": {
            "genome": {"url": str(tmp_path / "g.fa")},
            "jaspar_pfms": {"url": str(tmp_path / "g.fa")},
            "ccres": {"url": str(tmp_path / "g.fa")},
        },
        "universe": {"method": "cc", "compare_methods": []},
        "sequence": {"corpus": {"regions": "ccres"}},
        "motifs": {"sites": {"source": "scan"}, "cpg": "dinucleotide"},
    }
    for dotted, value in over.items():
        node = config
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return config


def test_good_config_passes(tmp_path):
    check_config(_config(tmp_path))


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        (
            {"sequence__corpus__regions": "nosuchsource"},
            "sequence.corpus.regions names the source 'nosuchsource'",
        ),
        (
            {"motifs__sites__source": "bigbed"},
            "motifs.sites.bigbed_source names the source 'jaspar_bigbed'",
        ),
        ({"motifs__cpg": "islands"}, "motifs.cpg_islands_source names the source 'cpg_islands'"),
        ({"motifs__sites__source": "tracks"}, "tracks_url is empty"),
        ({"sources__genome": {"url": "/no/such.fa"}}, "sources.genome: file not found"),
        ({"sources__ccres": {"url": "gopher://x"}}, "unsupported URL scheme"),
        ({"pin": "strict"}, "pin is 'strict' but source 'genome' has no sha256"),
    ],
)
def test_bad_config_cross_references(tmp_path, over, problem):
    config = _config(tmp_path, **over)
    with pytest.raises(ConfigError) as info:
        check_config(config)
    assert problem in str(info.value)


def test_ccre_universe_needs_the_ccres_source(tmp_path):
    config = _config(tmp_path, universe__method="ccre")
    del config["sources"]["ccres"]
    config["sequence"]["corpus"]["regions"] = "windows"
    with pytest.raises(ConfigError, match="names the source 'ccres'"):
        check_config(config)
