"""Cluster requests: input size x attempt, floor and configured cap (genovocab.resources)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from genovocab.resources import FLOOR_MB, JOB_OVERHEAD_MB, ResourceScaler, caps, chrom_mbp, scaled


class Files(SimpleNamespace):
    """Stands in for a job's ``input``: named files plus ``size_mb``."""


def test_scaled_is_base_plus_slope_times_attempt_within_floor_and_cap():
    assert scaled(100, 1, base=300, per_unit=2, floor=200, cap=10_000) == 500
    assert scaled(100, 2, base=300, per_unit=2, floor=200, cap=10_000) == 1000
    assert scaled(100, 3, base=300, per_unit=2, floor=200, cap=1200) == 1200  # capped
    assert scaled(0, 1, base=50, per_unit=2, floor=200, cap=10_000) == 200  # floor
    assert scaled(0.25, 1, base=300, per_unit=1, floor=200, cap=10_000) == 301  # rounded up
    with pytest.raises(ValueError):
        scaled(1, 0, base=1, per_unit=1, floor=1, cap=2)


def test_caps_from_config_and_their_bounds():
    assert caps({}) == (64000, 1440)
    assert caps({"resources": {"max_mem_mb": 16000, "max_runtime": 60}}) == (16000, 60)
    with pytest.raises(ValueError, match="max_mem_mb"):
        caps({"resources": {"max_mem_mb": 100}})


def test_mem_and_runtime_follow_input_size_and_attempt(tmp_path):
    rs = ResourceScaler({"resources": {"max_mem_mb": 3000}})
    mem = rs.mem_mb(400, 10)
    job_input = Files(size_mb=50.0)
    assert [mem(None, job_input, a) for a in (1, 2, 3)] == [1100, 2200, 3000]  # + overhead
    assert mem(None, Files(size_mb=500.0), 1) == 3000  # the configured cap
    runtime = rs.runtime(10, 0.5)
    assert runtime(None, job_input, 2) == 70
    assert mem.scaling == {
        "base": 400 + JOB_OVERHEAD_MB,
        "per_unit": 10,
        "by": "input",
        "floor": FLOOR_MB,
        "cap": 3000,
    }


def test_named_input_scaling_counts_only_that_file(tmp_path):
    big, small = tmp_path / "sites.parquet", tmp_path / "sizes"
    big.write_bytes(b"x" * 2_000_000)
    small.write_bytes(b"x" * 10)
    job_input = Files(sites=str(big), chrom_sizes=str(small), size_mb=999.0)
    mem = ResourceScaler({}).mem_mb(300, 4, "input:sites")
    assert mem(None, job_input, 1) == 508  # 300 + 200 overhead + 4 x 2.0 MB


def test_chromosome_scaling_reads_the_job_or_workflow_sizes(tmp_path):
    sizes = tmp_path / "chrom.sizes"
    sizes.write_text("chr1\t248956422\nchr21\t46709983\n")
    wc = SimpleNamespace(chrom="chr21")
    assert chrom_mbp(wc, Files(chrom_sizes=str(sizes))) == pytest.approx(46.709983)
    # a job without a chrom.sizes input falls back on the workflow's file
    mem = ResourceScaler({}, chrom_sizes=str(sizes)).mem_mb(500, 10, "chrom")
    assert mem(SimpleNamespace(chrom="chr1"), Files(), 1) == 700 + 2490  # ceil(2489.56)
    # before genome preparation no size is known: the base alone
    assert (
        ResourceScaler({}, chrom_sizes=str(tmp_path / "no")).mem_mb(500, 10, "chrom")(
            wc, Files(), 2
        )
        == 1400
    )


def test_unknown_scaling_is_refused():
    with pytest.raises(ValueError, match="unknown resource scaling"):
        ResourceScaler({}).mem_mb(300, 1, "chromosome")


def test_block_and_table_square_units(tmp_path):
    """``block``: the chromosome's Mbp over the job's blocks; ``lines2:<name>``: a table's line
    count squared, in millions (an IDS job's d x d sums)."""
    sizes = tmp_path / "chrom.sizes"
    sizes.write_text("chr1\t30000000\nchr2\t1000000\n")
    table = tmp_path / "features.tsv"
    table.write_text("index\tname\n" + "".join(f"{i}\tf{i}\n" for i in range(999)))  # 1,000 lines
    rs = ResourceScaler({}, chrom_sizes=str(sizes))
    runtime = rs.runtime(10, 4, "block")
    job = SimpleNamespace(chrom="chr1", nblocks="3")
    assert runtime(job, Files(size_mb=0.0), 1) == 10 + 4 * 10  # 30 Mbp in 3 blocks
    assert runtime(job, Files(size_mb=0.0), 2) == 2 * 50
    mem = rs.mem_mb(300, 864, "lines2:feature_table")
    assert mem(job, Files(size_mb=0.0, feature_table=str(table)), 1) == (
        300 + JOB_OVERHEAD_MB + 864
    )  # 1,000 lines: 1e6 / 1e6 = 1 unit
    assert mem(job, Files(size_mb=0.0, feature_table=str(tmp_path / "absent.tsv")), 1) == (
        300 + JOB_OVERHEAD_MB
    )  # not there yet: the base
    with pytest.raises(ValueError, match="lines2"):
        rs.mem_mb(1, 1, "rows")


def test_default_requests_are_the_floors_with_their_caps():
    rs = ResourceScaler({"resources": {"max_mem_mb": 900, "max_runtime": 30}})
    mem, runtime = rs.mem_mb(), rs.runtime()
    assert (mem.__name__, runtime.__name__) == ("mem_mb", "runtime")
    assert mem.scaling == {
        "base": FLOOR_MB + JOB_OVERHEAD_MB,
        "per_unit": 0.0,
        "by": "input",
        "floor": FLOOR_MB,
        "cap": 900,
    }
    assert runtime.scaling == {"base": 5, "per_unit": 0.0, "by": "input", "floor": 5, "cap": 30}
    assert runtime(None, Files(size_mb=10.0), 3) == 15
    assert rs.runtime(floor=60).scaling["cap"] == 60  # a floor above the cap wins
