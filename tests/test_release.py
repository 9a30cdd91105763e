"""Releases: layout, SHA256SUMS, manifest, tamper detection, tarball determinism, loading,
genome checks, peers (gtars, transformers, datasets), the report and the README example."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from genovocab.errors import InputError
from genovocab.release import (
    ReleaseError,
    build_release,
    load_release,
    source_record,
    verify,
    write_interval_tokenizer,
    write_tarball,
)
from genovocab.tokenizers.interval import IntervalTokenizer

from .conftest import copy_workflow, run_snakemake

TOP = {
    "README.md",
    "release.json",
    "SHA256SUMS",
    "LICENSE.md",
    "provenance",
    "intervals",
    "sequence",
    "motifs",
    "corpora",
    "evaluation",
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sums(folder: Path) -> dict[str, str]:
    out = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split("  ", 1)
        out[rel] = digest
    return out


# ---------------------------------------------------------------------- a small release
def mini_release(tmp: Path, name: str = "rel") -> Path:
    """A release of an interval universe and one corpus, built from hand-written files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stage = tmp / "stage"
    stage.mkdir(parents=True, exist_ok=True)
    (stage / "universe.bed").write_text("chr1\t10\t20\nchr1\t30\t40\nchr2\t5\t50\n")
    (stage / "chrom.sizes").write_text("chr1\t100\nchr2\t60\n")
    write_interval_tokenizer(stage / "universe.bed", stage / "chrom.sizes", stage / "tok")
    corpus = stage / "corpus"
    (corpus / "data").mkdir(parents=True, exist_ok=True)
    (corpus / "README.md").write_text("---\nlicense: other\n---\n# corpus\n")
    pq.write_table(
        pa.table({"id": ["a", "b"], "input_ids": [[0, 1], [2]]}),
        corpus / "data" / "train-00000-of-00001.parquet",
    )
    download = stage / "peaks.bed"
    download.write_text("chr1\t12\t35\n")
    parts = {f"intervals/{p.name}": p for p in sorted((stage / "tok").iterdir())}
    parts["corpora/toy"] = corpus
    config = {"genome": "toy", "release": {"name": name, "version": "1"}}
    return build_release(
        tmp / f"{name}-1",
        parts=parts,
        config=config,
        chrom_sizes=stage / "chrom.sizes",
        sources=[source_record("peaks", download, "file://peaks.bed")],
        software=[("python", "3"), ("genovocab", "0")],
    )


@pytest.fixture
def mini(tmp_path) -> Path:
    return mini_release(tmp_path)


def test_licence_file_lists_every_source_and_sits_in_every_corpus(mini, tmp_path):
    text = (mini / "LICENSE.md").read_text()
    assert "| peaks | file://peaks.bed | not stated in the configuration: see the source |" in text
    assert (mini / "corpora" / "toy" / "LICENSE.md").read_text() == text
    from genovocab.release import license_text

    config = {
        "release": {
            "name": "r",
            "version": "1",
            "license": "other",
            "licenses": {"peaks": "CC BY 4.0"},
        }
    }
    sources = [{"name": "peaks", "url": "u1"}, {"name": "genome", "url": "u0"}]
    rows = [
        line
        for line in license_text(config, sources).splitlines()
        if line.startswith("| ") and line != "| source | url | terms |"
    ]
    assert rows == [
        "| genome | u0 | not stated in the configuration: see the source |",
        "| peaks | u1 | CC BY 4.0 |",
    ]


def test_mini_layout_manifest_and_sums(mini):
    assert {p.name for p in mini.iterdir()} == {
        "README.md",
        "release.json",
        "SHA256SUMS",
        "LICENSE.md",
        "provenance",
        "intervals",
        "corpora",
    }
    listed = sums(mini)
    files = sorted(p.relative_to(mini).as_posix() for p in mini.rglob("*") if p.is_file())
    assert list(listed) == sorted(listed) == [f for f in files if f != "SHA256SUMS"]
    for rel, digest in listed.items():
        assert sha(mini / rel) == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=mini, check=True)
    m = json.loads((mini / "release.json").read_text())
    assert m["name"] == "rel" and m["version"] == "1" and m["build_time"] == 0
    assert m["genome"] == {
        "name": "toy",
        "chromosomes": {"chr1": 100, "chr2": 60},
        "chrom_sizes_sha256": sha(mini / "provenance" / "chrom.sizes"),
    }
    u = m["vocabularies"]["intervals"]
    assert (u["size"], u["sha256"]) == (3, sha(mini / "intervals" / "universe.bed.gz"))
    c = m["corpora"]["toy"]
    assert c["size"] == 2 and c["sha256"] == sha(mini / c["main"])
    assert (mini / "intervals" / "tokenizer.toml").read_text() == 'universe = "universe.bed.gz"\n'
    digest = hashlib.sha256(b"chr1\t12\t35\n").hexdigest()
    assert (mini / "provenance" / "sources.tsv").read_text().splitlines() == [
        "name\turl\tsha256\tbytes",
        f"peaks\tfile://peaks.bed\t{digest}\t11",
    ]


def test_build_time_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rel = mini_release(tmp_path)
    assert json.loads((rel / "release.json").read_text())["build_time"] == 1700000000


def test_source_record_prefers_sidecar(tmp_path):
    f = tmp_path / "x.bed"
    f.write_text("data")
    assert source_record("x", f, "u")["sha256"] == hashlib.sha256(b"data").hexdigest()
    (tmp_path / "x.bed.source.json").write_text(
        json.dumps({"name": "x", "url": "https://a/x", "sha256": "ab" * 32, "bytes": 4})
    )
    assert source_record("x", f, "u") == {
        "name": "x",
        "url": "https://a/x",
        "sha256": "ab" * 32,
        "bytes": 4,
    }


def test_tamper_changed_deleted_added(mini):
    assert verify(mini) == []
    target = mini / "intervals" / "tokenizer_config.json"
    old = sha(target)
    data = bytearray(target.read_bytes())
    data[5] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(ReleaseError) as err:
        load_release(mini)
    assert (
        f"intervals/tokenizer_config.json: changed (expected sha256 {old}, found "
        f"{sha(target)})" in str(err.value)
    )
    load_release(mini, verify=False)  # verify=False skips the check
    target.unlink()
    assert verify(mini) == [f"intervals/tokenizer_config.json: missing (expected sha256 {old})"]
    (mini / "corpora" / "toy" / "extra.txt").write_text("x")
    problems = verify(mini)
    assert (
        f"corpora/toy/extra.txt: extra file not in SHA256SUMS (sha256 "
        f"{hashlib.sha256(b'x').hexdigest()})" in problems
    )


def test_manifest_digest_must_match_sums(mini):
    m = json.loads((mini / "release.json").read_text())
    m["vocabularies"]["intervals"]["sha256"] = "0" * 64
    (mini / "release.json").write_text(json.dumps(m))
    problems = verify(mini)
    assert any(p.startswith("release.json: changed") for p in problems)
    assert any("intervals/universe.bed.gz listed with sha256 " + "0" * 64 in p for p in problems)


def test_tarball_is_deterministic_and_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    a = mini_release(tmp_path / "a")
    b = mini_release(tmp_path / "b")
    ta = write_tarball(a, tmp_path / "a.tar.gz")
    tb = write_tarball(b, tmp_path / "b.tar.gz")
    assert ta.read_bytes() == tb.read_bytes()
    raw = ta.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip mtime 0
    with tarfile.open(ta) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == "rel-1" and names[1:] == sorted(names[1:])
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", 1234)}
    rel = load_release(ta, cache_dir=tmp_path / "cache")
    assert rel.path.parent.parent == tmp_path / "cache" and rel.name == "rel-1"
    direct = IntervalTokenizer.from_bed(tmp_path / "a" / "stage" / "universe.bed")
    query = [("chr1", 15, 35), ("chr2", 0, 10), ("chr1", 90, 100)]
    assert rel.intervals.encode(query) == direct.encode(query) == [0, 1, 2]
    assert rel.load_corpus("toy").num_rows == 2


def test_tarball_tamper_is_detected(tmp_path):
    rel = mini_release(tmp_path)
    (rel / "provenance" / "software.tsv").write_text("changed\n")
    tar = write_tarball(rel, tmp_path / "t.tar.gz")
    with pytest.raises(ReleaseError, match="provenance/software.tsv: changed"):
        load_release(tar, cache_dir=tmp_path / "cache")


def test_genome_check_and_out_of_range_queries(mini):
    rel = load_release(mini)
    assert rel.check_genome({"chr1": 100, "chr2": 60}).ok
    check = rel.check_genome({"chr1": 120, "chr3": 5})
    assert not check.ok
    assert check.mismatched == {"chr1": (100, 120)} and check.missing == ["chr2"]
    assert check.extra == ["chr3"]
    assert "chr1 (release 100, file 120)" in str(check)
    with pytest.raises(InputError, match=r"chr1:95-130 ends beyond chr1's length 100"):
        rel.intervals.encode([("chr1", 15, 20), ("chr1", 95, 130)])
    # a chromosome outside the genome is no error: no region ids (at most <unk>)
    assert all(i >= rel.intervals.n_regions for i in rel.intervals.encode([("chrUn", 0, 10**9)]))


def test_refuses_to_replace_a_foreign_folder(tmp_path):
    (tmp_path / "rel-1").mkdir()
    (tmp_path / "rel-1" / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match="not a genovocab release folder"):
        mini_release(tmp_path)
    assert (tmp_path / "rel-1" / "mine.txt").read_text() == "keep"
    assert not (tmp_path / "rel-1.partial").exists()


def test_cli_verify_and_info(mini, capsys):
    from genovocab.cli import main

    assert main(["release", "verify", str(mini)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["release", "info", str(mini)]) == 0
    out = capsys.readouterr().out
    assert "genome toy: 2 chromosomes, 160 bp" in out and "intervals" in out
    (mini / "intervals" / "universe.bed.gz").write_bytes(b"x")
    assert main(["release", "verify", str(mini)]) == 1
    assert "intervals/universe.bed.gz: changed" in capsys.readouterr().err


# ---------------------------------------------------------------------- the demo release
def demo_release(demo_run: Path) -> tuple[Path, Path]:
    (rel,) = [
        p for p in (demo_run / "results").iterdir() if p.is_dir() and not p.name.endswith(".work")
    ]
    return rel, rel.with_name(rel.name + ".work")


@pytest.mark.workflow
def test_demo_release_layout_and_sums(demo_run):
    rel, _ = demo_release(demo_run)
    assert {p.name for p in rel.iterdir()} == TOP
    assert sorted(p.name for p in (demo_run / "results").iterdir()) == [
        rel.name,
        f"{rel.name}.tar.gz",
        f"{rel.name}.work",
    ]
    for sub, names in {
        "provenance": {"config.yaml", "sources.tsv", "software.tsv", "chrom.sizes"},
        "intervals": {
            "universe.bed.gz",
            "tokenizer_config.json",
            "tokenizer.toml",
            "assessment.tsv",
            "stats.tsv",
        },
        "sequence": {
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "ngram.json",
            "ggram_vocab.tsv",
            "stats.tsv",
            "ggram_lengths.png",
        },
        "motifs": {
            "features.tsv",
            "ids.npy",
            "clusters.tsv",
            "vocab.tsv",
            "matrices.jaspar",
            "bins",
            "motif_tokenizer_config.json",
            "tokenizer_config.json",
            "ids_heatmap.png",
            "zipf.png",
            "bin_lengths.png",
        },
    }.items():
        assert names <= {p.name for p in (rel / sub).iterdir()}, sub
    assert {p.name for p in (rel / "corpora").iterdir()} == {
        "peaks",
        "ccre_sequences",
        "motif_fragments",
    }
    for corpus in (rel / "corpora").iterdir():
        assert {"README.md", "data"} <= {p.name for p in corpus.iterdir()}
    assert not list(rel.rglob(".snakemake*"))
    subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=rel, check=True)
    assert verify(rel) == []


@pytest.mark.workflow
def test_demo_manifest_and_sources(demo_run):
    import yaml

    rel, work = demo_release(demo_run)
    m = json.loads((rel / "release.json").read_text())
    assert set(m["vocabularies"]) == {"intervals", "sequence", "motifs"}
    assert set(m["corpora"]) == {"peaks", "ccre_sequences", "motif_fragments"}
    for e in [*m["vocabularies"].values(), *m["corpora"].values()]:
        assert e["sha256"] == sha(rel / e["main"])
    assert m["vocabularies"]["intervals"]["sha256"] == sha(
        work / "universe" / "tokenizer" / "universe.bed.gz"
    )
    with gzip.open(rel / "intervals" / "universe.bed.gz", "rt") as handle:
        assert m["vocabularies"]["intervals"]["size"] == len(handle.read().splitlines())
    sizes = dict(
        line.split("\t")
        for line in (demo_run / "resources/demo-genome/genome/chrom.sizes").read_text().split("\n")
        if line
    )
    assert m["genome"]["chromosomes"] == {k: int(v) for k, v in sizes.items()}
    # every downloaded input, with the sha256 the download step verified
    config = yaml.safe_load((demo_run / "config/config.yaml").read_text())
    expected = {name: src["sha256"] for name, src in config["sources"].items()}
    for line in (demo_run / "config/samples.tsv").read_text().splitlines()[1:]:
        fields = line.split("\t")
        expected[fields[0]] = fields[2]
    rows = [
        line.split("\t") for line in (rel / "provenance/sources.tsv").read_text().splitlines()[1:]
    ]
    assert {r[0]: r[2] for r in rows} == expected
    resolved = yaml.safe_load((rel / "provenance/config.yaml").read_text())
    # the demo config omits universe.method: the schema's default is what the run resolved
    schema = yaml.safe_load((demo_run / "workflow/schemas/config.schema.yaml").read_text())
    method = schema["properties"]["universe"]["properties"]["method"]["default"]
    assert resolved["universe"]["method"] == config["universe"].get("method", method)
    software = (rel / "provenance/software.tsv").read_text()
    assert re.search(r"^python\t3\.", software, re.M) and "\nsnakemake\t" in software


@pytest.mark.workflow
def test_demo_load_release_same_ids_as_stage_outputs(demo_run):
    from genovocab.tokenizers.sequence import SequenceTokenizer

    rel_dir, work = demo_release(demo_run)
    rel = load_release(rel_dir)
    peaks = sorted(
        p
        for p in (demo_run / "resources/demo-genome/samples").iterdir()
        if not p.name.endswith(".source.json")
    )
    direct = IntervalTokenizer.from_bed(work / "universe" / "universe.bed.gz")
    for p in peaks[:3]:
        assert rel.intervals.encode(p) == direct.encode(p)
    seq = SequenceTokenizer.from_pretrained(work / "bpe", work / "ggram" / "ngram.json")
    dna = "ACGTTGCAGGAACATTTGATAGCAAGGNNACGTAGCTAGCTAGGATCCAAATTTGGGCCCAGT" * 4
    ours, theirs = rel.sequence([dna]), seq([dna])
    assert set(ours) == set(theirs)
    for key in ours:
        assert json.dumps(ours[key], default=lambda a: a.tolist()) == json.dumps(
            theirs[key], default=lambda a: a.tolist()
        ), key
    assert rel.sequence.ngram_vocab_size > 1
    from genovocab.tokenizers.motif import MotifTokenizer

    motif_direct = MotifTokenizer.from_pretrained(work / "motifs" / "tokenizer")
    region = [("chr1", 10_000, 30_000)]
    assert rel.motifs is not None
    assert list(rel.motifs(region)["input_ids"]) == list(motif_direct(region)["input_ids"])
    # the tarball gives the same release
    tar = rel_dir.with_name(rel_dir.name + ".tar.gz")
    from_tar = load_release(tar, cache_dir=demo_run / "cache")
    assert from_tar.manifest == rel.manifest
    assert from_tar.intervals.encode(peaks[0]) == direct.encode(peaks[0])


@pytest.mark.workflow
@pytest.mark.peers
def test_demo_peers_load_the_release(demo_run):
    rel_dir, _ = demo_release(demo_run)
    rel = load_release(rel_dir)
    gtars = pytest.importorskip("gtars.tokenizers")
    gt = gtars.Tokenizer.from_pretrained(str(rel_dir / "intervals"))
    assert gt.get_vocab() == rel.intervals.get_vocab()

    class Region:
        def __init__(self, chrom, start, end):
            self.chr, self.start, self.end = chrom, start, end

    for p in sorted(
        p
        for p in (demo_run / "resources/demo-genome/samples").iterdir()
        if not p.name.endswith(".source.json")
    ):
        with gzip.open(p, "rt") as handle:
            regions = [
                (f[0], int(f[1]), int(f[2]))
                for f in (line.split("\t") for line in handle if line.strip())
            ]
        assert list(gt([Region(*r) for r in regions])["input_ids"]) == rel.intervals.encode(regions)
    transformers = pytest.importorskip("transformers")
    auto = transformers.AutoTokenizer.from_pretrained(str(rel_dir / "sequence"))
    # no N: our tokenizer makes one [UNK] per N run, the plain BPE one per N
    dna = "ACGTTGCAGGAACATTTGATAGCAAGGACGTAGCTAGCTAG" * 3
    assert auto(dna)["input_ids"] == rel.sequence.encode(dna)
    datasets = pytest.importorskip("datasets")
    for name, folder in rel.corpora.items():
        splits = datasets.load_dataset(str(folder))  # every split of the card
        assert sum(d.num_rows for d in splits.values()) == rel.manifest["corpora"][name]["size"] > 0


@pytest.mark.workflow
def test_demo_rebuild_is_byte_identical(demo_run, tmp_path):
    """A second demo run in a fresh copy gives the same SHA256SUMS and tarball bytes."""
    second = copy_workflow(tmp_path / "again")
    proc = run_snakemake(second, "--cores", "2")
    assert proc.returncode == 0, proc.stderr[-4000:]
    a, _ = demo_release(demo_run)
    b, _ = demo_release(second)
    assert (a / "SHA256SUMS").read_bytes() == (b / "SHA256SUMS").read_bytes()
    tar = f"{a.name}.tar.gz"
    assert (a.parent / tar).read_bytes() == (b.parent / tar).read_bytes()


@pytest.mark.workflow
def test_demo_report_holds_every_plot(demo_run, tmp_path):
    report = tmp_path / "report.zip"
    proc = run_snakemake(demo_run, "--report", str(report))
    assert proc.returncode == 0, proc.stderr[-4000:]
    import zipfile

    names = "\n".join(zipfile.ZipFile(report).namelist())
    for plot in (
        "comparison.png",
        "bin_lengths.png",
        "ids_heatmap.png",
        "zipf.png",
        "ggram_lengths.png",
    ):
        assert plot in names, plot
