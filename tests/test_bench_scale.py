"""The scale rehearsal (benchmarks/bench_scale.py): its synthetic inputs have hg38's shape, the
hg38 configuration dry-runs on them with hg38's job structure, and the fitted laws and the
critical path give hand-computed answers."""

from __future__ import annotations

import gzip
import math
import shutil

import numpy as np
import pytest

from benchmarks import bench_scale as bs
from tests.conftest import REPO, copy_workflow, run_snakemake

FRACTION = 2e-5  # every chromosome at the 20 kbp minimum or more: 485 kbp in all


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale") / bs.INPUTS
    return folder, bs.make_inputs(folder, FRACTION)


def test_inputs_have_hg38_shape(inputs):
    folder, summary = inputs
    sizes = bs.chrom_lengths(FRACTION)
    assert list(sizes) == list(bs.HG38) and summary["genome_bp"] == sum(sizes.values())
    # ~4 site starts per bp over the 841 tracks, none in the N gaps (3 % of each chromosome)
    assert summary["sites"] / summary["genome_bp"] == pytest.approx(4.0 * 0.97, rel=0.02)
    tracks = sorted((folder / "tracks").glob("*.tsv.gz"))
    assert len(tracks) == 841 and summary["peak_files"] == 500
    rows = [line.split("\t") for line in gzip.open(tracks[0], "rt")]
    assert {len(r) for r in rows} == {7} and all(800 <= int(r[4]) <= 1000 for r in rows)
    widths = {int(r[2]) - int(r[1]) for r in rows}
    assert len(widths) == 1 and 6 <= widths.pop() <= 21  # one matrix, one width
    # no site, cCRE or peak centre inside an N gap; cCREs sorted and disjoint
    ccres = [line.split("\t") for line in gzip.open(folder / "ccres.bed.gz", "rt")]
    for chrom in sizes:
        starts = np.array([int(r[1]) for r in ccres if r[0] == chrom])
        ends = np.array([int(r[2]) for r in ccres if r[0] == chrom])
        assert np.all(starts[1:] >= ends[:-1])
        for gap_start, gap_end in bs._gaps(sizes[chrom]):
            assert not np.any((ends > gap_start) & (starts < gap_end))
    sheet = (folder / "samples.tsv").read_text().splitlines()
    assert sheet[0] == "name\turl\tsha256" and len(sheet) == 501
    assert "block_bp: 1000\n" in (folder / "fraction.yaml").read_text()  # 15 Mbp x 2e-5 < 1000


def test_inputs_are_deterministic(inputs, tmp_path):
    folder, _ = inputs
    again = tmp_path / "again"
    bs.make_inputs(again, FRACTION)
    for name in (
        "genome.fa.gz",
        "ccres.bed.gz",
        "peaks/sample123.narrowPeak.gz",
        "tracks/MA1000.1.tsv.gz",
        "pfms.jaspar",
    ):
        a, b = (folder / name).read_bytes(), (again / name).read_bytes()
        if name.endswith(".gz"):
            a, b = gzip.decompress(a), gzip.decompress(b)
        assert a == b, name


@pytest.mark.workflow
def test_hg38_dry_runs_on_the_rehearsal_inputs(inputs, tmp_path):
    folder, _ = inputs
    work = copy_workflow(tmp_path / "w")
    shutil.copytree(folder, work / bs.INPUTS)
    proc = run_snakemake(
        work, "-n", "--configfile", *bs.configfiles(), "--quiet", "rules", timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    counts = {
        line.split()[0]: int(line.split()[-1])
        for line in proc.stdout.splitlines()
        if len(line.split()) == 2 and line.split()[-1].isdigit()
    }
    # hg38's structure: 500 samples, 200 track batches, 24 chromosomes, 2 universe methods
    assert counts["download_sample"] == 500 and counts["motifs_tracks_batch"] == 200
    assert counts["motifs_bin"] == 24 and counts["universe_chrom"] == 48


def test_laws_and_critical_path_by_hand():
    # y = 2 + 100 f through f = 0.01 and 0.03: 102 at f = 1; slope 1 on log-log for y = 5 f
    assert bs.affine(0.01, 3.0, 0.03, 5.0) == pytest.approx(102.0)
    assert bs.affine(0.01, 5.0, 0.03, 4.0) == 5.0  # a falling law is read as flat
    assert bs.exponent(0.01, 0.05, 0.03, 0.15) == pytest.approx(1.0)
    assert math.isnan(bs.exponent(0.01, 0.0, 0.03, 1.0))
    rows = [
        {"rule": r, "hg38_max_s": s, "hg38_cpu_h": 0.0}
        for r, s in (("a", 10.0), ("b", 100.0), ("c", 1.0), ("d", 5.0))
    ]
    edges = [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]
    length, path = bs.critical_path(rows, edges)
    assert length == 115.0 and path == ["a", "b", "d"]
    rows[0]["hg38_cpu_h"] = 64.0
    est = bs.estimate(rows, edges, cores=32)
    assert est["wall_low_h"] == pytest.approx(2.0)
    assert est["wall_high_h"] == pytest.approx(2.0 + 115 / 3600)


def test_benchmark_templates_match_their_jobs():
    rx = bs.template_regex("logs/r/bench/ids/partial/{chrom,chr[0-9]{1,2}}.{block}-of-{n}.tsv")
    import re

    assert re.fullmatch(rx, "logs/r/bench/ids/partial/chr1.0-of-10.tsv")
    assert not re.fullmatch(rx, "logs/r/bench/ids/partial/a/chr1.0-of-10.tsv")
    assert (REPO / "config" / "test" / "scale.yaml").is_file()


def test_per_job_cost_and_genome_work_by_hand():
    # y = n a + b f with a = 2 s per job, b = 1,000 s for the whole genome
    a, b = bs.fixed_and_slope(10, 10 * 2 + 1000 * 0.001, 0.001, 17, 17 * 2 + 1000 * 0.002, 0.002)
    assert a == pytest.approx(2.0) and b == pytest.approx(1000.0)
    # noise that would make the per-job cost negative: all of it is read as genome work
    a, b = bs.fixed_and_slope(10, 1.0, 0.001, 10, 3.0, 0.002)
    assert a == 0.0 and b == pytest.approx((0.001 + 0.006) / (0.001**2 + 0.002**2))


def test_job_size_from_its_benchmark_path_and_the_fit_over_jobs():
    sizes = {"chr1": 1000, "chr2": 600}
    assert bs.job_bp("logs/r/bench/motifs/bin/chr2.tsv", sizes) == 600
    assert bs.job_bp("logs/r/bench/ids/partial/chr1.3-of-4.tsv", sizes) == 250
    assert bs.job_bp("logs/r/bench/sequence/train_bpe.tsv", sizes) is None
    a, b = bs.least_squares([1.0, 2.0, 3.0], [3.0, 5.0, 7.0])  # y = 1 + 2x
    assert a == pytest.approx(1.0) and b == pytest.approx(2.0)
    assert bs.least_squares([2.0, 2.0], [1.0, 3.0]) == (2.0, 0.0)  # x does not vary: flat


def test_token_jobs_from_two_chr1_slices_by_hand(tmp_path):
    """Per-chromosome token jobs are fitted to chr1 size; the genome-wide ones (all distinct
    patterns at once) to hg38 size, memory included."""
    import json

    def job(wall, cpu, mib):
        return {"wall_s": wall, "cpu_s": cpu, "peak_mib": mib}

    record = {
        f"fraction={f:g}": {
            "fraction": f,
            "tokens": {
                name: job(10 + 100 * f, 5 + 50 * f, 1000 + 1000 * f)
                for name in ("cluster_features", "token_vocab", "tokens", "motif_tokenizer")
            },
        }
        for f in (0.02, 0.2)
    }
    record["fraction=1"] = {"fraction": 1.0, "tracks": job(20.0, 10.0, 1300.0)}
    (tmp_path / "results.json").write_text(json.dumps(record))
    out = bs.direct_runs(tmp_path / "results.json", 15_000_000)
    assert out["motif_cluster_features"]["s"] == pytest.approx(110.0)
    assert out["motif_cluster_features"]["max_rss_mb"] == pytest.approx(2000 * 1.048576)
    genome = 1 / bs.CHR1_SHARE
    assert out["motif_token_vocab"]["cpu_s"] == pytest.approx(5 + 50 * genome)
    assert out["motif_tokenizer"]["max_rss_mb"] == pytest.approx((1000 + 1000 * genome) * 1.048576)
    assert "hg38 size" in out["motif_token_vocab"]["note"]
    batches = bs.hg38_config()["motifs"]["sites"]["tracks_batches"]  # 841 tracks in batches
    assert out["motifs_tracks_batch"]["hg38_cpu_s"] == pytest.approx(10.0 * bs.N_MATRICES)
    assert out["motifs_tracks_batch"]["s"] == pytest.approx(20.0 * math.ceil(841 / batches))
    per_chrom = out["motif_tokens"]
    assert per_chrom["hg38_cpu_s"] == pytest.approx(per_chrom["cpu_s"] / bs.CHR1_SHARE)
    assert out["motif_token_vocab"]["hg38_cpu_s"] == out["motif_token_vocab"]["cpu_s"]


def test_block_jobs_are_put_back_into_the_rule_graph():
    edges = [["motifs_gather", "ids_chrom_sum"], ["ids_chrom_sum", "ids_reduce"]]
    got = bs.with_block_jobs(edges)
    assert sorted(map(tuple, got)) == [
        ("ids_chrom_sum", "ids_reduce"),
        ("ids_partial", "ids_chrom_sum"),
        ("motifs_bin", "ids_partial"),
        ("motifs_gather", "ids_partial"),
    ]
    assert bs.with_block_jobs(got) == got


def test_merge_and_sampled_ids_from_chr1_runs_by_hand(tmp_path):
    """The merge: time through two fractions, memory from a run of chr1-long inputs scaled to
    the batch count; sample-mode IDS: per-bin CPU of a block x chr1's share + one read."""
    import json

    def job(wall, cpu, mib, **extra):
        return {"wall_s": wall, "cpu_s": cpu, "peak_mib": mib, **extra}

    batches = bs.hg38_config()["motifs"]["sites"]["tracks_batches"]
    record = {
        "fraction=0.01": {"fraction": 0.01, "merge": job(10.0, 4.0, 700.0)},
        "fraction=0.04": {"fraction": 0.04, "merge": job(40.0, 16.0, 1000.0)},
        "fraction=0.025": {"fraction": 0.025, "merge_20": job(50.0, 8.0, 700.0, batches=20)},
    }
    (tmp_path / "results.json").write_text(json.dumps(record))
    merge = bs.merge_run({v["fraction"]: v for v in record.values()})
    assert merge["cpu_s"] == pytest.approx(16.0 + 400.0 * 0.96)  # 4 + 400 f at f = 1
    assert merge["hg38_cpu_s"] == pytest.approx(merge["cpu_s"] / bs.CHR1_SHARE)
    per_input = (700.0 - bs.INTERPRETER_MIB) / 20
    assert merge["max_rss_mb"] == pytest.approx(
        (bs.INTERPRETER_MIB + per_input * batches) * 1.048576
    )
    assert bs.direct_runs(tmp_path / "results.json", 15_000_000)["motifs_tracks_merge"] == merge

    block = job(
        110.0, 100.0, 2500.0, result={"rows": 1000}, read_whole_matrix=job(10.0, 20.0, 300.0)
    )
    ids = bs.sampled_ids(block, 0.5, 2_000_000)
    per_bin = (100.0 - 20.0) / 1000
    assert ids["cpu_s"] == pytest.approx(per_bin * 2_000_000 * bs.CHR1_SHARE + 20.0 / 0.5)
    assert ids["hg38_cpu_s"] == pytest.approx(per_bin * 2_000_000 + 40.0 / bs.CHR1_SHARE)
    assert ids["max_rss_mb"] == pytest.approx(2500.0 * 1.048576)
