"""The workflow: config validation, the demo end to end, reruns, profiles, checksums, lint."""

from __future__ import annotations

import gzip
import re

import pytest
import yaml

from genovocab.genome import n_runs
from tests.conftest import REPO, copy_workflow, run_snakemake

pytestmark = pytest.mark.workflow


def demo_genome() -> dict[str, bytes]:
    """The demo FASTA's sequences, parsed here independently of genovocab.genome."""
    records: dict[str, list[bytes]] = {}
    name = None
    for line in gzip.decompress((REPO / "resources/demo/genome.fa.gz").read_bytes()).split(b"\n"):
        if line.startswith(b">"):
            name = line[1:].split()[0].decode()
            records[name] = []
        elif line:
            records[name].append(line)
    return {k: b"".join(v) for k, v in records.items()}


def load_config(workdir):
    return yaml.safe_load((workdir / "config" / "config.yaml").read_text())


def save_config(workdir, config) -> None:
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.pop("release"), r"'release' is a required property"),
        (
            lambda c: c["genome_prep"].update(min_gap="x"),
            r"'x' is not of type 'integer'[\s\S]*\['genome_prep'\]\['min_gap'\]",
        ),
        (lambda c: c.update(genome_prepp=c.pop("genome_prep")), r"'genome_prepp' was unexpected"),
        (
            lambda c: c["sources"]["genome"].update(sha256="abc"),
            r"'abc' does not match[\s\S]*\['sources'\]\['genome'\]\['sha256'\]",
        ),
    ],
    ids=["missing-key", "mistyped-value", "misspelled-key", "bad-sha256-format"],
)
def test_bad_config_is_rejected_naming_the_key(tmp_path, mutate, expected):
    workdir = copy_workflow(tmp_path)
    config = load_config(workdir)
    mutate(config)
    save_config(workdir, config)
    proc = run_snakemake(workdir, "-n")
    assert proc.returncode != 0
    assert re.search(expected, proc.stdout + proc.stderr), proc.stderr[-2000:]


def test_bad_sample_sheet_is_rejected(tmp_path):
    workdir = copy_workflow(tmp_path)
    sheet = workdir / "config" / "samples.tsv"
    sheet.write_text(sheet.read_text().replace("sample03\t", "sample 03\t"))
    proc = run_snakemake(workdir, "-n")
    assert proc.returncode != 0
    assert "sample 03" in proc.stdout + proc.stderr


def test_wrong_sha256_fails_naming_source_and_digests(tmp_path):
    workdir = copy_workflow(tmp_path)
    config = load_config(workdir)
    expected = "0" * 64
    actual = config["sources"]["ccres"]["sha256"]
    config["sources"]["ccres"]["sha256"] = expected
    save_config(workdir, config)
    target = f"resources/{config['genome']}/downloads/ccres"
    proc = run_snakemake(workdir, "--cores", "1", target)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "ccres" in text and expected in text and actual in text
    assert not (workdir / target).exists()
    assert not list((workdir / target).parent.glob("*ccres*"))  # no temporary left either


def test_demo_genome_preparation(demo_run):
    config = load_config(demo_run)
    folder = demo_run / "resources" / config["genome"] / "genome"
    genome = demo_genome()
    expected_sizes = "".join(f"{name}\t{len(seq)}\n" for name, seq in genome.items())
    assert (folder / "chrom.sizes").read_text() == expected_sizes
    expected_gaps = []
    for name, seq in genome.items():
        starts, ends = n_runs(seq)
        expected_gaps += [f"{name}\t{s}\t{e}\n" for s, e in zip(starts, ends)]
    assert (folder / "gaps.bed").read_text() == "".join(expected_gaps)
    assert (folder / "genome.fa.fai").exists()


def test_second_run_has_nothing_to_do(demo_run):
    proc = run_snakemake(demo_run, "-n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_slurm_profile_dry_run_without_slurm(tmp_path):
    workdir = copy_workflow(tmp_path)
    proc = run_snakemake(workdir, "-n", "--workflow-profile", "profiles/slurm")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "download_source" in proc.stdout + proc.stderr


def test_snakemake_lint_is_clean(tmp_path):
    workdir = copy_workflow(tmp_path)
    proc = run_snakemake(workdir, "--lint")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
