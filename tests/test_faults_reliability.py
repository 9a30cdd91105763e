"""The reliability fault matrix: where single bad inputs do not reach. Each case asserts the
outcome: the user's files intact, the error's text (path named, one line, exit status 1),
what is left on disk.

Classes: data loss (names a user could own, folders not ours, concurrent writers), certified
corruption (corrupt stage outputs, consistent rewrites of a release), late or vague errors
(config mistakes, full disks, corrupt archives), and readers (BOM, big integers, gzip, ids).
Untrusted archives have their own set in ``test_hostile_archives.py``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genovocab.cli import main
from genovocab.config_checks import ConfigError, check_config, chromosome_problems
from genovocab.errors import InputError, OutputError
from genovocab.fileutil import (
    MARKER,
    atomic_dir,
    atomic_path,
    folder_digests,
    host_tag,
    recorded_digest,
    remove_stale_temps,
    tmp_name,
    write_text_atomic,
)
from genovocab.release import ReleaseError, build_release, load_release, release_digest, verify

from .test_release import mini_release

SRC = Path(__file__).resolve().parents[1] / "src"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def one_line_error(capsys, command: str, *needles: str) -> str:
    """The command's stderr: exactly one line, ``genovocab <command>: error: ...`` holding
    every needle, no traceback."""
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"genovocab {command}: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# ====================================================================== data loss
def test_release_build_keeps_a_users_old_and_partial_folders(tmp_path):
    for name in ("rel-1.old", "rel-1.partial", "rel-1.tar.gz.partial"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "backup.txt").write_text(f"mine: {name}")
    first = mini_release(tmp_path)
    again = mini_release(tmp_path)  # a rebuild replaces the earlier build of the release
    assert first == again and verify(again) == []
    for name in ("rel-1.old", "rel-1.partial", "rel-1.tar.gz.partial"):
        assert (tmp_path / name / "backup.txt").read_text() == f"mine: {name}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "rel-1",
        "rel-1.old",
        "rel-1.partial",
        "rel-1.tar.gz.partial",
        "stage",
    ]


FASTA = ">chr1\nACGTACGTNNACGT\n>chr2\nGGGGCCCCAAAA\n"


def test_prepare_genome_refuses_a_users_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("g.fa").write_text(FASTA)
    Path("mine").mkdir()
    Path("mine/chrom.sizes").write_text("my own sizes\n")
    assert main(["prepare-genome", "g.fa", "--out-dir", "mine"]) == 1
    one_line_error(capsys, "prepare-genome", "output mine", "refusing to replace it")
    assert sorted(p.name for p in Path("mine").iterdir()) == ["chrom.sizes"]
    assert Path("mine/chrom.sizes").read_text() == "my own sizes\n"
    # a new folder is ours (marker) and may be rebuilt; an empty one is fine too
    Path("empty").mkdir()
    for out in ("new", "new", "empty"):
        assert main(["prepare-genome", "g.fa", "--out-dir", out]) == 0
        assert Path(out, "chrom.sizes").read_text() == "chr1\t14\nchr2\t12\n"
        assert Path(out, MARKER).read_text().splitlines()[0] == "prepare-genome"
    assert not [p for p in tmp_path.iterdir() if ".genovocab-" in p.name]


def test_bin_motifs_refuses_a_users_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("sizes").write_text("chr1\t100\n")
    Path("sites.tsv").write_text("")
    Path("mine").mkdir()
    Path("mine/stats.tsv").write_text("my stats\n")
    assert (
        main(["bin-motifs", "--sites", "sites.tsv", "--chrom-sizes", "sizes", "--out-dir", "mine"])
        == 1
    )
    one_line_error(capsys, "bin-motifs", "output mine", f"no {MARKER} file")
    assert Path("mine/stats.tsv").read_text() == "my stats\n"
    assert sorted(p.name for p in Path("mine").iterdir()) == ["stats.tsv"]


def test_ggram_refuses_to_overwrite_a_users_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    Path("mine/vocab.tsv").write_text("my vocabulary\n")
    assert main(["ggram", "--tokenizer", "t", "--corpus", "c", "--out", "mine"]) == 1
    one_line_error(capsys, "ggram", "output mine", "vocab.tsv")
    assert Path("mine/vocab.tsv").read_text() == "my vocabulary\n"


WRITER = """
import sys
from genovocab.fileutil import write_text_atomic
write_text_atomic(sys.argv[1], "second writer\\n")
"""


def test_a_second_writer_spares_the_first_ones_live_temporary(tmp_path):
    """Writer A holds its temporary open while writer B (another process) writes the same
    output from start to end: B's clean-up must not delete A's file; both finish, the output
    is one whole file (the last rename)."""
    out = tmp_path / "out.txt"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with atomic_path(out) as tmp:
        tmp.write_text("first writer, half")
        subprocess.run([sys.executable, "-c", WRITER, str(out)], env=env, check=True)
        assert tmp.read_text() == "first writer, half"  # still there
        assert out.read_text() == "second writer\n"
        tmp.write_text("first writer\n")
    assert out.read_text() == "first writer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


DIR_WRITER = """
import sys
from pathlib import Path
from genovocab.fileutil import atomic_dir
with atomic_dir(sys.argv[1], kind="corpus") as tmp:
    (Path(tmp) / "b.txt").write_text("second")
"""


def test_two_folder_writers_end_with_one_whole_folder(tmp_path):
    out = tmp_path / "corpus"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with atomic_dir(out, kind="corpus") as tmp:
        (tmp / "a.txt").write_text("first")
        subprocess.run([sys.executable, "-c", DIR_WRITER, str(out)], env=env, check=True)
        assert (tmp / "a.txt").read_text() == "first"  # the other writer left it alone
        assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.txt"]
    assert folder_digests(out) == {"a.txt": sha(b"first")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


def test_stale_temporaries_only_of_dead_owners_are_removed(tmp_path):
    target = tmp_path / "f.txt"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = tmp_path / tmp_name(target)  # ours: this process is alive
    killed = tmp_path / f".f.txt.genovocab-tmp-{host_tag()}-{dead.pid}-0123abcd"
    other_host = tmp_path / ".f.txt.genovocab-tmp-ffffffff-1-0123abcd"  # young: kept
    user = tmp_path / "f.txt.old"
    for path in (live, killed, other_host, user):
        path.write_text("x")
    assert remove_stale_temps(target) == [killed]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, other_host.name, user.name]
    )


def test_full_disk_error_names_the_output(tmp_path):
    with pytest.raises(OSError) as err, atomic_path(tmp_path / "out.bin") as tmp:
        tmp.write_bytes(b"x")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # what write(2) gives
    assert err.value.filename == str(tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []


def test_rust_os_error_is_one_line(tmp_path, monkeypatch, capsys):
    """tokenizers (Rust) raises a plain Exception '... (os error 28)' on a full disk."""
    import genovocab.sequence.bpe as bpe

    def full(*args, **kwargs):
        raise Exception("No space left on device (os error 28)")  # noqa: TRY002

    monkeypatch.setattr(bpe, "build_bpe_folder", full)
    monkeypatch.chdir(tmp_path)
    Path("c.txt").write_text("ACGT\n")
    assert main(["train-bpe", "--corpus", "c.txt", "--out", "bpe"]) == 1
    one_line_error(capsys, "train-bpe", "No space left on device", ": bpe")


def test_release_build_full_disk_leaves_nothing(tmp_path, monkeypatch):
    """A full disk in the middle of packaging: no release folder, no temporary left."""
    import genovocab.release.build as release_mod

    real = release_mod.write_sums

    def full(root, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(root / "SHA256SUMS"))

    monkeypatch.setattr(release_mod, "write_sums", full)
    with pytest.raises(OSError, match="No space left on device"):
        mini_release(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stage"]
    monkeypatch.setattr(release_mod, "write_sums", real)
    assert verify(mini_release(tmp_path)) == []


def race_their_rename(monkeypatch, out: Path, theirs: Path) -> list:
    """Make another writer's rename of ``theirs`` onto ``out`` land right after ours moved
    the earlier ``out`` aside (between our two renames); the list gets the backup name."""
    real_rename = os.rename
    raced = []

    def rename(src, dst):
        real_rename(src, dst)
        if not raced and Path(src) == out:  # we moved the earlier output aside
            raced.append(dst)
            real_rename(theirs, out)  # their rename lands first

    monkeypatch.setattr(os, "rename", rename)
    return raced


def test_concurrent_release_build_loser_is_told(tmp_path, monkeypatch):
    """Two builds of one release finishing together: the other build renames its folder in
    between our two renames. One valid release stays (theirs); we get a clear OutputError
    and leave no temporary or backup."""
    import shutil

    first = mini_release(tmp_path)
    theirs = shutil.copytree(first, tmp_path / "theirs")
    raced = race_their_rename(monkeypatch, first, theirs)
    with pytest.raises(OutputError, match="another build of this release finished"):
        mini_release(tmp_path)
    monkeypatch.undo()
    assert raced and verify(first) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel-1", "stage"]


def test_concurrent_folder_writer_loser_is_told(tmp_path, monkeypatch):
    """The release's race rule holds for every folder output (one swap serves both): another
    writer renames its folder in between our two renames; theirs stays, we get OutputError
    and leave no temporary or backup."""
    import shutil

    out = tmp_path / "corpus"
    with atomic_dir(out, kind="corpus") as tmp:
        (tmp / "a.txt").write_text("first")
    theirs = shutil.copytree(out, tmp_path / "theirs")
    (theirs / "a.txt").write_text("theirs")
    raced = race_their_rename(monkeypatch, out, theirs)
    with pytest.raises(OutputError, match="another writer of this corpus output finished"):
        with atomic_dir(out, kind="corpus") as tmp:
            (tmp / "a.txt").write_text("ours")
    monkeypatch.undo()
    assert raced and (out / "a.txt").read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


def test_release_build_error_names_the_release_not_its_temporary(tmp_path, monkeypatch):
    import genovocab.release.build as release_mod

    def full(root, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(root / "SHA256SUMS"))

    monkeypatch.setattr(release_mod, "write_sums", full)
    with pytest.raises(OSError) as err:
        mini_release(tmp_path)
    assert err.value.filename == str(tmp_path / "rel-1" / "SHA256SUMS")


# ====================================================================== certified corruption
def flip(path: Path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0xFF
    path.write_bytes(bytes(data))


def build(tmp: Path, parts: dict) -> Path:
    (tmp / "chrom.sizes").write_text("chr1\t100\n")
    return build_release(
        tmp / "rel-1",
        parts=parts,
        chrom_sizes=tmp / "chrom.sizes",
        config={"genome": "toy", "release": {"name": "rel", "version": "1"}},
        sources=[],
        software=[("python", "3")],
    )


def flip_in_place(path: Path) -> None:
    """Change one byte of the file itself (same inode, as a stray write or bad disk would)."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_corrupt_corpus_shard_is_not_packaged(tmp_path):
    """A corpus folder (written by atomic_dir: its marker lists every file's digest) whose
    shard changed afterwards is reported by name; the earlier release stands."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = tmp_path / "work" / "corpus"
    with atomic_dir(corpus, kind="corpus") as tmp:
        (tmp / "data").mkdir()
        pq.write_table(
            pa.table({"id": ["a", "b"], "input_ids": [[0, 1], [2]]}),
            tmp / "data" / "train-00000-of-00001.parquet",
        )
    shard = corpus / "data" / "train-00000-of-00001.parquet"
    assert folder_digests(corpus) == {"data/train-00000-of-00001.parquet": sha(shard.read_bytes())}
    first = build(tmp_path, {"corpora/toy": corpus})
    flip_in_place(shard)
    with pytest.raises(
        InputError,
        match=rf"{shard}: changed since the job that made it "
        "wrote it",
    ):
        build(tmp_path, {"corpora/toy": corpus})
    # the workflow lists the shard files one by one: the folder's marker still vouches
    with pytest.raises(InputError, match=rf"{shard}: changed since the job"):
        build(tmp_path, {f"corpora/toy/data/{shard.name}": shard})
    assert verify(first) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chrom.sizes", "rel-1", "work"]


def test_corrupt_single_stage_file_is_not_packaged(tmp_path):
    """A file written by write_text_atomic carries its digest (an extended attribute)."""
    stats = tmp_path / "work" / "stats.tsv"
    write_text_atomic(stats, "a\tb\n1\t2\n" * 100)
    if recorded_digest(stats) is None:
        pytest.skip("this file system keeps no user extended attributes")
    flip_in_place(stats)
    with pytest.raises(InputError, match=rf"{stats}: changed since the job"):
        build(tmp_path, {"intervals/stats.tsv": stats})
    assert not (tmp_path / "rel-1").exists()


@pytest.mark.parametrize("kind", ["npz", "npy", "gz", "json"])
def test_corrupt_stage_files_of_every_kind_are_named(tmp_path, kind):
    from genovocab.release import check_part

    path = tmp_path / f"x.{kind}"
    if kind == "npz":
        np.savez(path, a=np.arange(1000))
        flip(path)
    elif kind == "npy":
        np.save(path, np.arange(1000))
        path.write_bytes(path.read_bytes()[:-8])  # cut
    elif kind == "gz":
        import gzip

        path.write_bytes(gzip.compress(b"chr1\t1\t2\n" * 100))
        flip(path, -6)  # in the CRC-32 / length trailer
    else:
        path.write_text('{"a": [1, 2')
    with pytest.raises(InputError, match=rf"{path}"):
        check_part(path)


def consistent_rewrite(release: Path) -> None:
    """Cut the corpus shard to one row and rewrite release.json and SHA256SUMS to match, as
    someone who knows the format would."""
    import pyarrow.parquet as pq

    shard = release / "corpora" / "toy" / "data" / "train-00000-of-00001.parquet"
    pq.write_table(pq.read_table(shard).slice(0, 1), shard)
    rel = shard.relative_to(release).as_posix()
    digest = sha(shard.read_bytes())
    m = json.loads((release / "release.json").read_text())
    m["corpora"]["toy"].update(size=1, sha256=digest, shards={rel: digest})
    m["files"][rel] = {"sha256": digest, "bytes": shard.stat().st_size}
    (release / "release.json").write_text(json.dumps(m, indent=2, sort_keys=True) + "\n")
    lines = []
    for line in (release / "SHA256SUMS").read_text().splitlines():
        d, name = line.split("  ", 1)
        if name in (rel, "release.json"):
            d = sha((release / name).read_bytes())
        lines.append(f"{d}  {name}\n")
    (release / "SHA256SUMS").write_text("".join(lines))
    # and the card's digest line, and its SHA256SUMS row
    card = release / "README.md"
    old = re.search(r"`release\.json`\): `([0-9a-f]{64})`", card.read_text()).group(1)
    card.write_text(card.read_text().replace(old, sha((release / "release.json").read_bytes())))
    (release / "SHA256SUMS").write_text(
        "".join(
            f"{sha(card.read_bytes())}  README.md\n" if line.endswith("  README.md\n") else line
            for line in (release / "SHA256SUMS").read_text().splitlines(keepends=True)
        )
    )


def test_release_digest_printed_and_pinned(tmp_path, capsys):
    release = mini_release(tmp_path)
    digest = sha((release / "release.json").read_bytes())
    assert release_digest(release) == digest
    card = (release / "README.md").read_text()
    assert f"**Release digest** (sha256 of `release.json`): `{digest}`" in card
    m = json.loads((release / "release.json").read_text())
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    assert sorted(m["files"]) == [f for f in files if f not in ("release.json", "SHA256SUMS")]
    assert load_release(release, sha256=digest).digest == digest
    assert main(["release", "info", str(release)]) == 0
    assert f"release digest {digest}" in capsys.readouterr().out
    assert main(["release", "verify", str(release), "--sha256", digest.upper()]) == 0
    assert f"release digest {digest} (the pinned one)" in capsys.readouterr().out

    consistent_rewrite(release)
    assert verify(release) == []  # every list agrees: only the pin can tell
    assert load_release(release).load_corpus("toy").num_rows == 1
    with pytest.raises(ReleaseError, match=f"not the pinned {digest}"):
        load_release(release, sha256=digest)
    with pytest.raises(ReleaseError, match=f"not the pinned {digest}"):
        load_release(release, verify=False, sha256=digest)
    assert main(["release", "verify", str(release), "--sha256", digest]) == 1
    err = capsys.readouterr().err
    assert f"release digest is {release_digest(release)}, not the pinned {digest}" in err


def test_the_card_is_covered_by_the_digest(tmp_path):
    release = mini_release(tmp_path)
    card = release / "README.md"
    text = card.read_text()
    # an edit with SHA256SUMS rewritten to match is still caught by release.json
    card.write_text(text.replace("## Load it", "## Load this"))
    sums = (release / "SHA256SUMS").read_text().splitlines()
    sums = [
        f"{sha(card.read_bytes())}  README.md" if s.endswith("  README.md") else s for s in sums
    ]
    (release / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    assert any(p.startswith("README.md: changed") for p in verify(release))
    # a card stating another digest
    card.write_text(text.replace(release_digest(release), "f" * 64))
    assert any("README.md: states release digest " + "f" * 64 in p for p in verify(release))


def test_broken_manifest_is_named(tmp_path, capsys):
    release = mini_release(tmp_path)
    (release / "release.json").write_text('{"name": "rel",\n  oops\n}')
    assert main(["release", "info", "--no-verify", str(release)]) == 1
    one_line_error(capsys, "release", f"{release / 'release.json'}, line 2: not valid JSON")
    problems = verify(release)
    assert any(p.startswith("release.json: not valid JSON") for p in problems)


def test_corrupt_npz_names_the_file(tmp_path):
    from genovocab.cli import describe_error

    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 but not a zip at all")
    with pytest.raises(Exception) as err:  # noqa: PT011 - numpy decides the type
        np.load(bad)
    assert describe_error(err.value).startswith(f"{bad}: not a valid .npz/zip archive")


# ====================================================================== late or vague errors
def base_config(**over) -> dict:
    config = {
        "genome_prep": {"chromosomes": [], "chromosome_regex": "^chr[0-9XY]+$"},
        "motifs": {
            "corpus": {
                "name": "m",
                "chromosome_regex": "^chr[0-9]+$",
                "splits": {"validation": ["chr2"], "test": ["chr3"]},
            }
        },
        "sequence": {"corpus": {"splits": {}}},
    }
    for dotted, value in over.items():
        node = config
        *head, last = dotted.split("__")
        for key in head:
            node = node.setdefault(key, {})
        node[last] = value
    return config


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        (
            {"genome_prep__chromosome_regex": "^chr[0-9+$"},
            "genome_prep.chromosome_regex: invalid regular expression '^chr[0-9+$'",
        ),
        (
            {"motifs__corpus__chromosome_regex": "(chr"},
            "motifs.corpus.chromosome_regex: invalid regular expression '(chr'",
        ),
        (
            {"motifs__corpus__splits": {"validation": ["chr2"], "test": ["chr2"]}},
            "motifs.corpus.splits: 'chr2' is in both test and validation",
        ),
        (
            {"motifs__corpus__splits": {"validation": ["chrX"], "test": []}},
            "motifs.corpus.splits.validation: 'chrX' is not selected by "
            "motifs.corpus.chromosome_regex '^chr[0-9]+$'",
        ),
        (
            {"sequence__corpus__splits": {"test": ["chrM"]}},
            "sequence.corpus.splits.test: 'chrM' is not selected by genome_prep.chromosome_regex",
        ),
        (
            {"genome_prep__chromosomes": ["chr1", "chr2", "chr3", "a/b"]},
            "genome_prep.chromosomes: 'a/b' is not usable as a file name",
        ),
        (
            {"genome_prep__chromosomes": ["chr1", "chr2"]},
            "motifs.corpus.splits.test: 'chr3' is not in genome_prep.chromosomes",
        ),
    ],
)
def test_config_mistakes_name_the_key(over, problem):
    with pytest.raises(ConfigError) as err:
        check_config(base_config(**over))
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_legal_fasta_names_pass_and_the_genome_is_checked():
    hla = "HLA-A*01:01:01:01"
    config = base_config(genome_prep__chromosomes=["chr2", "chr3", hla])
    config["sequence"]["corpus"]["splits"] = {"validation": [hla]}
    assert chromosome_problems(config) == []
    # once the genome is prepared its names are the genome
    config = base_config()
    assert chromosome_problems(config, chrom_sizes={"chr1": 1, "chr2": 1}) == [
        "config: motifs.corpus.splits.test: 'chr3' is not in the prepared genome"
    ]
    # a switched-off corpus is not checked
    config["motifs"]["corpus"]["name"] = None
    assert chromosome_problems(config, chrom_sizes={"chr1": 1}) == []


def test_hla_name_fits_the_workflow_wildcard():
    import re

    from genovocab.config_checks import CHROM_WILDCARD

    for name in (
        "chr1",
        "HLA-A*01:01:01:01",
        "chrUn_KI270302v1",
        "chr1_gl000191_random",
        "EBV",
        "chrEBV|x",
        "NC_000001.11",
    ):
        assert re.fullmatch(CHROM_WILDCARD, name), name
    for name in ("a/b", "a b", ""):
        assert not re.fullmatch(CHROM_WILDCARD, name), name


def test_yaml_with_a_tab_names_file_and_line(tmp_path):
    from genovocab.fileutil import read_yaml

    path = tmp_path / "config.yaml"
    path.write_text("release:\n\tname: x\n")
    with pytest.raises(
        InputError,
        match=rf"{path}, line 2: not valid YAML: found character "
        r"'\\t'",
    ):
        read_yaml(path)


# ====================================================================== readers
@pytest.fixture
def beds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("sizes").write_text("chr1\t100\nchr2\t60\n")
    Path("u.bed").write_text("chr1\t0\t25\nchr1\t25\t45\nchr2\t0\t60\n")
    Path("bom.bed").write_bytes(b"\xef\xbb\xbf# comment\nchr1\t10\t20\nchr1\t30\t40\nchr2\t5\t50\n")
    return tmp_path


def test_bom_then_comment_line_keeps_every_region(beds, capsys):
    assert main(["tokenize-intervals", "--universe", "u.bed", "--out", "t.txt", "bom.bed"]) == 0
    assert Path("t.txt").read_text() == "bom.bed\t0 1 2\n"
    assert (
        main(
            ["universe", "--method", "union", "--chrom-sizes", "sizes", "--out", "x.bed", "bom.bed"]
        )
        == 0
    )
    assert Path("x.bed").read_text() == "chr1\t10\t20\nchr1\t30\t40\nchr2\t5\t50\n"
    Path("bom.sizes").write_bytes(b"\xef\xbb\xbf# sizes\nchr1\t100\n")
    from genovocab.io import read_chrom_sizes

    assert read_chrom_sizes("bom.sizes") == {"chr1": 100}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "chr1\t10\t99999999999999999999999\n",
            "line 1: end 99999999999999999999999 is beyond the 64-bit integer range",
        ),
        ("chr1\t1\u00b2\t20\n", "line 1: start '1\u00b2' is not an integer"),
        ("chr1\t\u0661\t20\n", "line 1: start '\u0661' is not an integer"),
    ],
)
@pytest.mark.parametrize("command", ["tokenize-intervals", "universe"])
def test_integer_faults_name_file_and_line(beds, capsys, text, problem, command):
    Path("q.bed").write_text(text, encoding="utf-8")
    argv = (
        ["tokenize-intervals", "--universe", "u.bed", "--out", "t.txt", "q.bed"]
        if command == "tokenize-intervals"
        else ["universe", "--method", "union", "--chrom-sizes", "sizes", "--out", "x.bed", "q.bed"]
    )
    assert main(argv) == 1
    one_line_error(capsys, command, f"q.bed, {problem}")
    assert not Path("t.txt").exists() and not Path("x.bed").exists()


def test_chrom_sizes_integer_faults(tmp_path):
    from genovocab.io import read_chrom_sizes

    for text, problem in (
        ("chr1\t1\u00b2\n", "line 1: length '1\u00b2' of chr1 is not"),
        ("chr1\t99999999999999999999\n", "beyond the 64-bit"),
    ):
        path = tmp_path / "s"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=problem):
            read_chrom_sizes(path)


def test_jaspar_truncated_gzip_and_duplicate_id(tmp_path):
    import gzip

    from genovocab.io.jaspar import read_matrices

    one = ">MA1 A\nA [1 2]\nC [1 2]\nG [1 2]\nT [1 2]\n"
    dup = tmp_path / "dup.jaspar"
    dup.write_text(one + one.replace("A\nA", "B\nA"))
    with pytest.raises(
        InputError,
        match=r"dup.jaspar, line 6: matrix id MA1 appears more "
        r"than once \(first on line 1\)",
    ):
        read_matrices(dup)
    cut = tmp_path / "cut.jaspar.gz"
    cut.write_bytes(gzip.compress(one.encode() * 50)[:40])
    with pytest.raises(InputError, match=rf"{cut}: truncated or corrupt gzip data"):
        read_matrices(cut)
    bom = tmp_path / "bom.jaspar"
    bom.write_bytes(b"\xef\xbb\xbf# matrices\n" + one.encode())
    assert [m.matrix_id for m in read_matrices(bom)] == ["MA1"]
