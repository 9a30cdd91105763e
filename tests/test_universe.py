"""Universe: coverage tracks and the six methods on tiny hand-computed inputs; bad input; CLI."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from genovocab.cli import main as cli_main
from genovocab.errors import InputError
from genovocab.universe.build import build_universe
from genovocab.universe.coverage import chrom_coverage, events_to_track, merge_per_file
from genovocab.universe.files import (
    read_universe_bed,
    write_universe_bed3,
    write_universe_bed9,
)
from genovocab.universe.inputs import ccre_universe, read_peak_files
from genovocab.universe.methods import (
    BACKGROUND,
    active_segments,
    cc_regions,
    ccf_regions,
    ccf_thresholds,
    hmm_normalize,
    ml_regions,
    union_regions,
)
from genovocab.universe.model import binomial_model


def write(path, text):
    path.write_text(text)
    return path


@pytest.fixture
def tiny(tmp_path):
    """Two files on a 20 bp chromosome (file 0 has two overlapping regions)."""
    sizes = write(tmp_path / "chrom.sizes", "chr1\t20\nchrE\t50\n")
    a = write(tmp_path / "a.bed", "chr1\t2\t6\nchr1\t4\t8\n")
    b = write(tmp_path / "b.bed", "chr1\t5\t10\n")
    return sizes, [a, b]


def tiny_cov(window=1):
    files = np.array([0, 0, 1])
    starts = np.array([2, 4, 5])
    ends = np.array([6, 8, 10])
    return chrom_coverage("chr1", 20, files, starts, ends, n_files=2, window=window)


# --- coverage ------------------------------------------------------------------------------


def test_core_counts_files_not_regions():
    cov = tiny_cov()
    # file 0 covers 2..7 once (its two regions merged), file 1 covers 5..9
    expected = np.zeros(20, np.uint16)
    expected[2:8] += 1
    expected[5:10] += 1
    assert cov.core.dtype == np.uint16
    assert cov.core.tolist() == expected.tolist()


def test_start_end_windows():
    cov = tiny_cov(window=1)
    start = np.zeros(20, int)
    for s in (2, 4, 5):  # region starts, +-1 bp
        start[s - 1 : s + 2] += 1
    end = np.zeros(20, int)
    for last in (5, 7, 9):  # last bases (end - 1), +-1 bp
        end[last - 1 : last + 2] += 1
    assert cov.start.tolist() == start.tolist()
    assert cov.end.tolist() == end.tolist()


def test_windows_clipped_at_chromosome_edges():
    cov = chrom_coverage("c", 10, np.array([0]), np.array([0]), np.array([10]), 1, window=25)
    assert cov.start.tolist() == [1] * 10
    assert cov.end.tolist() == [1] * 10


def test_events_to_track_matches_naive():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 900, 200)
    e = s + rng.integers(1, 100, 200)
    naive = np.zeros(1000, int)
    for a, b in zip(s, e):
        naive[a:b] += 1
    track = events_to_track(np.r_[s, e], np.r_[np.ones(200, int), -np.ones(200, int)], 1000)
    assert track.tolist() == naive.tolist()


def test_merge_per_file_keeps_files_apart():
    s, e = merge_per_file(np.array([1, 0, 0, 1]), np.array([0, 5, 0, 3]), np.array([4, 9, 6, 8]))
    assert sorted(zip(s.tolist(), e.tolist())) == [(0, 8), (0, 9)]


# --- cc, union, ccf ------------------------------------------------------------------------


def test_cc_default_cutoff_is_mean_coverage():
    cov = tiny_cov()
    # mean core = (3*1 + 3*2 + 2*1) / 20 = 0.55 -> bases with core >= 0.55
    assert cc_regions(cov)[["start", "end"]].values.tolist() == [[2, 10]]
    assert cc_regions(cov, cutoff=2)[["start", "end"]].values.tolist() == [[5, 8]]


def test_union_is_merged_union():
    cov = chrom_coverage(
        "c", 30, np.array([0, 1, 1]), np.array([0, 4, 20]), np.array([5, 9, 25]), 2
    )
    assert union_regions(cov)[["start", "end"]].values.tolist() == [[0, 9], [20, 25]]


def test_cc_merge_and_filter():
    core = np.zeros(100, np.uint16)
    core[10:20] = 3
    core[23:25] = 3
    core[60:61] = 3
    from genovocab.universe.coverage import ChromCoverage

    cov = ChromCoverage("c", core.copy(), core, core.copy(), 3)
    # gap 20..23: next kept base 23 - last kept base 19 = 4 < 5 -> joined
    assert cc_regions(cov, 1, merge=5)[["start", "end"]].values.tolist() == [[10, 25], [60, 61]]
    assert cc_regions(cov, 1, merge=4)[["start", "end"]].values.tolist() == [
        [10, 20],
        [23, 25],
        [60, 61],
    ]
    # filter only: contiguous bases stay one region (geniml would split every base)
    assert cc_regions(cov, 1, filter_size=5)[["start", "end"]].values.tolist() == [[10, 20]]


def test_ccf_hand_computed():
    cov = tiny_cov()
    # non-zero values sorted: 1 1 1 1 1 2 2 2; rounded mean 1 sits at 0..4/8 -> q = 0.25
    # lower = quantile(0.05) = 1, upper = quantile(0.45) = 1 -> flexible 2..9, core 5..7
    assert ccf_thresholds(cov.core) == (1.0, 1.0)
    got = ccf_regions(cov)
    assert got[["start", "end", "thick_start", "thick_end"]].values.tolist() == [[2, 10, 5, 7]]


def test_ccf_splits_cores_50bp_apart_at_the_minimum():
    from genovocab.universe.coverage import ChromCoverage

    core = np.zeros(300, np.uint16)
    core[10:200] = 1
    core[20:30] = 5
    core[100:110] = 5
    cov = ChromCoverage("c", core.copy(), core, core.copy(), 5)
    lower, upper = ccf_thresholds(core)
    assert lower == 1.0 and upper == 1.0  # rounded mean 1 -> band around value 1
    got = ccf_regions(cov)[["start", "end", "thick_start", "thick_end"]].values.tolist()
    # cores 20..29 and 100..109 are 71 bp apart -> split at the first minimum after 29 (base 30)
    assert got == [[10, 31, 20, 29], [31, 200, 100, 109]]


# --- ml --------------------------------------------------------------------------------------


def reference_ml_path(cov, n_files):
    """Plain reading of geniml's ML dynamic programme: states cycle start->core->end->background;
    each base's score is the sum of the three tracks' log-likelihoods (covered column for the
    track of the state, background column for the others); best path by full table."""
    models = {t: binomial_model(cov.track(t), n_files) for t in ("start", "core", "end")}
    n = cov.size
    emit = np.zeros((n, 4))
    for i in range(n):
        b = [models[t][cov.track(t)[i], 0] for t in ("start", "core", "end")]
        c = [models[t][cov.track(t)[i], 1] for t in ("start", "core", "end")]
        emit[i] = [c[0] + b[1] + b[2], b[0] + c[1] + b[2], b[0] + b[1] + c[2], b[0] + b[1] + b[2]]
    score = emit.copy()
    for i in range(1, n):
        for j in range(4):
            score[i, j] += max(score[i - 1, j], score[i - 1, (j - 1) % 4])
    path = [int(np.argmax(score[-1]))]
    for i in range(n - 2, -1, -1):
        p = path[-1]
        path.append((p - 1) % 4 if score[i, (p - 1) % 4] > score[i, p] else p)
    return path[::-1]


def test_ml_matches_reference_dynamic_programme():
    rng = np.random.default_rng(3)
    starts = np.sort(rng.integers(0, 150, 12))
    ends = starts + rng.integers(20, 40, 12)
    files = rng.integers(0, 4, 12)
    cov = chrom_coverage("c", 220, files, starts, ends, n_files=4, window=3)
    segs = active_segments(cov.start, cov.core, cov.end)
    assert segs[0].tolist() == [0] and segs[1].tolist() == [220]  # one segment: whole chrom
    path = reference_ml_path(cov, 4)
    got = ml_regions(cov)
    # regions = runs of non-background states; thickStart first core, thickEnd first end state
    runs = []
    i = 0
    while i < len(path):
        if path[i] != BACKGROUND:
            j = i
            while j < len(path) and path[j] != BACKGROUND:
                j += 1
            run = path[i:j]
            if 1 in run and (j < len(path) or run[-1] == 2):
                end_state = i + run.index(2) if 2 in run else j
                runs.append([i, j, i + run.index(1), end_state])
            i = j
        else:
            i += 1
    assert len(runs) >= 1
    assert got[["start", "end", "thick_start", "thick_end"]].values.tolist() == runs


def test_binomial_model_rows():
    track = np.array([0, 0, 1, 2, 2, 0], np.uint16)  # C = 5, L = 6, N = 3
    table = binomial_model(track, 3)
    for i in (0, 1, 2):
        assert table[i, 0] == pytest.approx(np.log10((3 - i) / (18 - 5) + 1e-10))
        assert table[i, 1] == pytest.approx(np.log10(i / 5 + 1e-10))


# --- hmm -------------------------------------------------------------------------------------


def test_hmm_normalize_quantiles():
    from scipy.stats import nbinom

    track = np.array([0, 1, 1, 3, 0, 3, 3, 3], np.uint16)
    # value 1: 2 of 6 -> midpoint 1/6; value 3: 4 of 6 -> midpoint 2/6 + 2/6
    got = hmm_normalize(track, "core")
    expect = {1: nbinom.ppf(1 / 6, 1, 0.2), 3: nbinom.ppf(2 / 6 + 2 / 6, 1, 0.2)}
    assert got.tolist() == [0] + [int(expect[v]) for v in (1, 1, 3)] + [0] + [int(expect[3])] * 3


def test_hmm_matches_hmmlearn_viterbi():
    hmm = pytest.importorskip("hmmlearn.hmm")
    from genovocab.universe.methods import (
        HMM_LAMBDAS,
        HMM_STARTPROB,
        HMM_TRANSMAT,
        hmm_path_rows,
        path_regions,
    )

    rng = np.random.default_rng(5)
    starts = np.sort(rng.integers(0, 300, 30))
    ends = starts + rng.integers(30, 80, 30)
    cov = chrom_coverage("c", 500, rng.integers(0, 6, 30), starts, ends, n_files=6)
    model = hmm.PoissonHMM(n_components=4, init_params="", params="")
    model.transmat_, model.lambdas_, model.startprob_ = HMM_TRANSMAT, HMM_LAMBDAS, HMM_STARTPROB
    x = np.stack(
        [
            hmm_normalize(cov.start, "ends"),
            hmm_normalize(cov.core, "core"),
            hmm_normalize(cov.end, "ends"),
        ],
        axis=1,
    )
    expected = path_regions(model.predict(x).astype(np.uint8))
    assert hmm_path_rows(cov).tolist() == expected.tolist()


# --- whole universes, empty chromosomes, overwrite ---------------------------------------------


@pytest.mark.parametrize("method", ["union", "cc", "ccf", "ml", "hmm"])
def test_empty_chromosome_gives_no_region(tiny, method):
    sizes, files = tiny
    from genovocab.io import read_chrom_sizes

    peaks = read_peak_files(files, read_chrom_sizes(sizes))
    universe = build_universe(peaks, method, window=1)
    assert len(universe) > 0
    assert set(universe["chrom"]) == {"chr1"}  # chrE (no coverage): nothing, no error


def test_cli_build_overwrites_and_sorts(tiny, tmp_path):
    sizes, files = tiny
    out = tmp_path / "u.bed.gz"
    out.write_bytes(b"stale")
    assert (
        cli_main(
            [
                "universe",
                "--method",
                "cc",
                "--chrom-sizes",
                str(sizes),
                "--window",
                "1",
                "--out",
                str(out),
                *map(str, files),
            ]
        )
        == 0
    )
    assert gzip.decompress(out.read_bytes()) == b"chr1\t2\t10\n"
    first = out.read_bytes()
    assert (
        cli_main(
            [
                "universe",
                "--method",
                "cc",
                "--chrom-sizes",
                str(sizes),
                "--window",
                "1",
                "--out",
                str(out),
                *map(str, files),
            ]
        )
        == 0
    )
    assert out.read_bytes() == first  # deterministic gzip


def test_cli_flexible_is_bed9(tiny, tmp_path):
    sizes, files = tiny
    out = tmp_path / "u.bed"
    assert (
        cli_main(
            [
                "universe",
                "--method",
                "ccf",
                "--chrom-sizes",
                str(sizes),
                "--window",
                "1",
                "--out",
                str(out),
                *map(str, files),
            ]
        )
        == 0
    )
    assert out.read_text() == "chr1\t2\t10\tuniverse\t0\t.\t5\t7\t0,0,255\n"
    back = read_universe_bed(out)
    assert back.values.tolist() == [["chr1", 2, 10, 5, 7]]


def test_cli_writes_the_workflow_files(tiny, tmp_path):
    """--bed3-out / --stats-out: the BED3 vocabulary of the outer edges and the stats row, as
    the workflow's universe_bed step writes them."""
    sizes, files = tiny
    out, bed3, stats = tmp_path / "u.bed", tmp_path / "u3.bed", tmp_path / "s.tsv"
    assert (
        cli_main(
            [
                "universe",
                "--method",
                "ccf",
                "--chrom-sizes",
                str(sizes),
                "--window",
                "1",
                "--out",
                str(out),
                "--bed3-out",
                str(bed3),
                "--stats-out",
                str(stats),
                *map(str, files),
            ]
        )
        == 0
    )
    assert out.read_text() == "chr1\t2\t10\tuniverse\t0\t.\t5\t7\t0,0,255\n"
    assert bed3.read_text() == "chr1\t2\t10\n"
    row = pd.read_csv(stats, sep="\t").iloc[0]
    assert (row["method"], row["regions"], row["bp_covered"]) == ("ccf", 1, 8)


def test_cli_assess_prints_tsv(tiny, tmp_path, capsys):
    sizes, files = tiny
    uni = write(tmp_path / "u.bed", "chr1\t2\t10\n")
    assert (
        cli_main(
            [
                "assess-universe",
                "--universe",
                str(uni),
                "--chrom-sizes",
                str(sizes),
                *map(str, files),
            ]
        )
        == 0
    )
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out), sep="\t")
    assert table["file"].tolist() == ["a.bed", "b.bed", "(collection)"]
    assert table["overlap_bp"].tolist()[:2] == [6, 5]


def test_ccre_universe_reads_registry(tmp_path):
    reg = write(
        tmp_path / "ccres.bed",
        "chr1\t5\t9\tEH1\tEH2\tpELS\nchrX\t1\t3\tEH3\tEH4\tdELS\nchr1\t1\t4\tEH5\tEH6\tPLS\n",
    )
    u = ccre_universe(reg, {"chr1": 20})
    assert u.values.tolist() == [["chr1", 5, 9], ["chr1", 1, 4]]
    out = tmp_path / "u.bed"
    assert write_universe_bed3(out, pd.concat([u, u]), ["chr1"]) == 2
    assert out.read_text() == "chr1\t1\t4\nchr1\t5\t9\n"


def test_unknown_chromosome_dropped_with_warning(tmp_path, caplog):
    sizes = {"chr1": 100}
    f = write(tmp_path / "x.bed", "chr1\t1\t5\nchrUn\t1\t5\n")
    peaks = read_peak_files([f], sizes)
    assert len(peaks.starts) == 1
    assert "chrUn" in caplog.text


# --- bad input -----------------------------------------------------------------------------


def test_bad_peak_line_names_file_and_line(tmp_path):
    f = write(tmp_path / "bad.bed", "chr1\t1\t5\nchr1\tten\t20\n")
    with pytest.raises(InputError, match=r"bad.bed, line 2: start 'ten' is not an integer"):
        read_peak_files([f], {"chr1": 100})


def test_peak_beyond_chromosome_end(tmp_path):
    f = write(tmp_path / "big.bed", "chr1\t1\t500\n")
    with pytest.raises(InputError, match=r"big.bed, line 1: end 500 is beyond the end of chr1"):
        read_peak_files([f], {"chr1": 100})


def test_empty_peak_file(tmp_path):
    f = write(tmp_path / "empty.bed", "")
    with pytest.raises(InputError, match=r"empty.bed: file is empty"):
        read_peak_files([f], {"chr1": 100})


def test_bad_thick_column_in_universe(tmp_path):
    f = write(tmp_path / "u.bed", "chr1\t1\t9\tu\t0\t.\t2\t8\t0\nchr1\t20\t30\tu\t0\t.\tx\t25\t0\n")
    with pytest.raises(InputError, match=r"u.bed, line 2: thick_start 'x' is not an integer"):
        read_universe_bed(f)


def test_cli_ccre_needs_one_file(tiny, tmp_path, capsys):
    sizes, files = tiny
    code = cli_main(
        [
            "universe",
            "--method",
            "ccre",
            "--chrom-sizes",
            str(sizes),
            "--out",
            str(tmp_path / "u.bed"),
            *map(str, files),
        ]
    )
    assert code == 1
    assert "method ccre takes exactly one file" in capsys.readouterr().err


def test_cli_bad_file_exit_code(tmp_path, capsys):
    sizes = write(tmp_path / "s", "chr1\t100\n")
    bad = write(tmp_path / "bad.bed", "chr1\t5\n")
    code = cli_main(
        [
            "universe",
            "--method",
            "cc",
            "--chrom-sizes",
            str(sizes),
            "--out",
            str(tmp_path / "u.bed"),
            str(bad),
        ]
    )
    assert code == 1
    assert "bad.bed, line 1: expected at least 3 tab-separated columns" in capsys.readouterr().err


def test_bed9_writer_sorted_by_chrom_sizes(tmp_path):
    u = pd.DataFrame(
        {
            "chrom": ["chr2", "chr10", "chr2"],
            "start": [5, 1, 1],
            "end": [9, 4, 3],
            "thick_start": [6, 2, 1],
            "thick_end": [8, 3, 2],
        }
    )
    out = tmp_path / "u.bed"
    write_universe_bed9(out, u, ["chr10", "chr2"])
    assert [line.split("\t")[:3] for line in out.read_text().splitlines()] == [
        ["chr10", "1", "4"],
        ["chr2", "1", "3"],
        ["chr2", "5", "9"],
    ]


def test_sparse_and_dense_paths_agree():
    """ml/hmm on sparse coverage work from the tracks' runs; the dense per-base rule agrees."""
    from genovocab.universe.methods import (
        active_segments,
        hmm_path_rows,
        ml_models,
        ml_path_rows,
        sparse_active_segments,
    )

    rng = np.random.default_rng(11)
    centers = np.sort(rng.choice(np.arange(2000, 198000, 300), 60, replace=False))
    files = rng.integers(0, 5, 200)
    starts = rng.choice(centers, 200) + rng.integers(-40, 40, 200)
    ends = starts + rng.integers(100, 400, 200)
    cov = chrom_coverage("c", 200000, files, starts, ends, n_files=5)
    runs3 = [cov.runs(t) for t in ("start", "core", "end")]
    sparse = sparse_active_segments(runs3, cov.size)
    dense = active_segments(cov.start, cov.core, cov.end)
    assert sparse is not None and len(sparse[0]) > 5
    assert sparse[0].tolist() == dense[0].tolist() and sparse[1].tolist() == dense[1].tolist()
    fresh = chrom_coverage("c", 200000, files, starts, ends, n_files=5)
    assert ml_path_rows(fresh).tolist() == ml_path_rows(cov, ml_models(cov)).tolist()
    assert len(hmm_path_rows(fresh)) > 5
