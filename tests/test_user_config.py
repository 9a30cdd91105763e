"""Your own data: `genovocab init` and a user config passed with --configfile.

A --configfile is the whole run (keys it omits take the schema's defaults, never the demo's);
`genovocab init` writes such a config from the user's files, pinned by sha256.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genovocab.cli import main
from genovocab.config_init import choose_chromosomes, choose_splits, safe_name, write_config
from genovocab.errors import InputError, OutputError
from tests.conftest import copy_workflow, run_snakemake

SLICE = "hg38_chr1_1-99950"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def slice_files(real: Path) -> dict[str, Path]:
    root = real / SLICE
    return {
        "genome": root / "genome" / f"{SLICE}.fa",
        "peaks": root / "peaks",
        "jaspar": root / "motifs" / "JASPAR2022_CORE_vertebrates_subset.jaspar.txt",
        "ccres": root / "ccre" / "ENCFF420VPZ_V4_cCREs.chr1_1-99950.bed",
    }


# ------------------------------------------------------------------ choices, by hand
def test_chromosome_choice():
    assert choose_chromosomes(["chr1", "chr2", "chrUn_x", "chrM"]) == (
        ["chr1", "chr2"],
        "^chr[0-9XY]+$",
    )
    assert choose_chromosomes(["I", "II", "Mito"]) == (["I", "II", "Mito"], ".*")


def test_split_choice_takes_the_papers_held_out_chromosomes_when_present():
    assert choose_splits(["chr1", "chr10", "chr15"]) == {"validation": ["chr15"], "test": ["chr10"]}
    assert choose_splits(["chr1"]) == {"validation": [], "test": []}


def test_safe_name():
    assert safe_name("my genome (v2).fa") == "my_genome_v2_.fa"
    assert safe_name("hg38 chr1") == "hg38_chr1"
    assert safe_name("...") == "sample"


# ------------------------------------------------------------------ genovocab init
def test_init_pins_every_local_file_and_writes_the_sheet(real_data, tmp_path):
    files = slice_files(real_data)
    out = tmp_path / "my.yaml"
    code = main(
        [
            "init",
            "--genome",
            str(files["genome"]),
            "--peaks",
            str(files["peaks"]),
            "--jaspar",
            str(files["jaspar"]),
            "--ccres",
            str(files["ccres"]),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    config = yaml.safe_load(out.read_text())
    assert config["genome"] == SLICE and config["release"]["name"] == f"genovocab-{SLICE}"
    for key, name in (("genome", "genome"), ("jaspar_pfms", "jaspar"), ("ccres", "ccres")):
        assert config["sources"][key] == {
            "url": files[name].resolve().as_uri(),
            "sha256": sha256(files[name]),
        }
    assert config["motifs"]["corpus"]["splits"] == {"validation": [], "test": []}
    assert config["sequence"]["corpus"]["regions"] == "ccres"
    sheet = (tmp_path / "my.samples.tsv").read_text().splitlines()
    peaks = sorted(files["peaks"].iterdir())
    assert sheet[0] == "name\turl\tsha256" and len(sheet) == 1 + len(peaks)
    first = sheet[1].split("\t")
    assert first == [
        peaks[0].name.removesuffix(".narrowPeak"),
        peaks[0].resolve().as_uri(),
        sha256(peaks[0]),
    ]
    assert config["samples"] == str((tmp_path / "my.samples.tsv").resolve())


def test_init_never_replaces_a_file_without_force(real_data, tmp_path, capsys):
    files = slice_files(real_data)
    out = tmp_path / "mine.yaml"
    out.write_text("my own notes\n")
    args = [
        "init",
        "--genome",
        str(files["genome"]),
        "--peaks",
        str(files["peaks"]),
        "--jaspar",
        str(files["jaspar"]),
        "--out",
        str(out),
    ]
    assert main(args) == 1
    assert f"output {out}: exists" in capsys.readouterr().err
    assert out.read_text() == "my own notes\n"
    assert not (tmp_path / "mine.samples.tsv").exists()
    assert main(args + ["--force"]) == 0
    assert yaml.safe_load(out.read_text())["sequence"]["corpus"]["regions"] == "windows"


def test_init_bad_inputs_name_the_file(tmp_path):
    empty = tmp_path / "peaks"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    fasta = tmp_path / "g.fa"
    fasta.write_text("ACGT\n")
    jaspar = tmp_path / "m.jaspar"
    jaspar.write_text(">MA1 X\nA [1]\nC [1]\nG [1]\nT [1]\n")
    with pytest.raises(InputError, match=r"g\.fa, line 1: no FASTA header"):
        write_config(tmp_path / "c.yaml", genome=str(fasta), peaks=str(empty), jaspar=str(jaspar))
    fasta.write_text(">chrA\nACGT\n")
    with pytest.raises(InputError, match=r"peaks: no peak files"):
        write_config(tmp_path / "c.yaml", genome=str(fasta), peaks=str(empty), jaspar=str(jaspar))
    with pytest.raises(InputError, match=r"nope\.jaspar: not found"):
        write_config(
            tmp_path / "c.yaml",
            genome=str(fasta),
            peaks=str(empty),
            jaspar=str(tmp_path / "nope.jaspar"),
        )
    assert not (tmp_path / "c.yaml").exists()
    with pytest.raises(OutputError):
        (tmp_path / "d.yaml").write_text("x")
        write_config(tmp_path / "d.yaml", genome=str(fasta), peaks=str(empty), jaspar=str(jaspar))


# ------------------------------------------------------------------ the workflow
RESOLVE = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, ResourceSettings
with SnakemakeApi() as api:
    wf = api.workflow(resource_settings=ResourceSettings(), snakefile=Path("Snakefile"),
                      config_settings=ConfigSettings(configfiles=[Path(p) for p in sys.argv[1:]]),
                      workdir=Path("."))
    json.dump(wf._workflow.config, sys.stdout, default=str)
"""


def resolved_config(workdir: Path, *configfiles: str) -> dict:
    """The configuration the workflow runs with (schema defaults filled)."""
    import os

    proc = subprocess.run(
        [sys.executable, "-c", RESOLVE, *configfiles],
        cwd=workdir,
        text=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "PYTHONPATH": str(workdir / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def hand_written_config(files: dict[str, Path], sheet: Path) -> dict:
    """What a user writes for the slice: only the keys that differ from the defaults."""
    return {
        "genome": SLICE,
        "release": {"name": f"genovocab-{SLICE}", "version": "0.1.0"},
        "sources": {
            "genome": {"url": files["genome"].resolve().as_uri()},
            "jaspar_pfms": {"url": files["jaspar"].resolve().as_uri()},
            "ccres": {"url": files["ccres"].resolve().as_uri()},
        },
        "samples": str(sheet),
        "corpora": {"peaks": {}},
        "motifs": {"corpus": {"splits": {"validation": [], "test": []}}},
    }


@pytest.mark.workflow
def test_a_user_config_runs_to_a_verified_release_with_nothing_of_the_demo(real_data, tmp_path):
    files = slice_files(real_data)
    work = copy_workflow(tmp_path / "wf")
    sheet = work / "my_samples.tsv"
    sheet.write_text(
        "name\turl\n"
        + "".join(
            f"{p.name.split('.narrowPeak')[0]}\t{p.resolve().as_uri()}\n"
            for p in sorted(files["peaks"].iterdir())
        )
    )
    (work / "mine.yaml").write_text(yaml.safe_dump(hand_written_config(files, sheet)))
    proc = run_snakemake(work, "--cores", "2", "--configfile", "mine.yaml")
    assert proc.returncode == 0, proc.stderr[-6000:]
    release = work / "results" / f"genovocab-{SLICE}-0.1.0"
    assert main(["release", "verify", str(release)]) == 0
    used = yaml.safe_load((release / "provenance" / "config.yaml").read_text())
    assert set(used["sources"]) == {"genome", "jaspar_pfms", "ccres"}
    assert used["motifs"]["corpus"]["targets"] == {}  # the demo's bigWig target
    assert used["sequence"]["bpe"]["vocab_size"] == 4096  # the schema's, not the demo's
    lock = (work / "resources" / SLICE / "sources.lock.tsv").read_text()
    assert "resources/demo" not in lock and "atac_demo" not in lock
    assert sha256(files["genome"]) in lock

    # genovocab init writes an equivalent config: the same run, pinned by sha256
    assert (
        main(
            [
                "init",
                "--genome",
                str(files["genome"]),
                "--peaks",
                str(files["peaks"]),
                "--jaspar",
                str(files["jaspar"]),
                "--ccres",
                str(files["ccres"]),
                "--out",
                str(work / "init.yaml"),
            ]
        )
        == 0
    )
    by_hand, by_init = resolved_config(work, "mine.yaml"), resolved_config(work, "init.yaml")
    for key in ("sources", "samples"):
        by_hand.pop(key), by_init.pop(key)
    by_hand["genome_prep"].pop("chromosome_regex"), by_init["genome_prep"].pop("chromosome_regex")
    assert by_init == by_hand
