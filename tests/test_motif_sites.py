"""Motif sites: JASPAR-compatible scoring, scanning (vs. brute force, real CTCF track, planted
demo sites), site files, TSV and track parsing."""

from __future__ import annotations

import gzip
import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.io.jaspar import Matrix, read_jaspar, read_meme, select_matrices
from genovocab.motifs.sites import (
    MatrixSet,
    MotifScanner,
    Sites,
    format_sites_tsv,
    integer_log_odds,
    iter_site_file,
    make_scorer,
    merge_sorted_chunks,
    read_site_file,
    read_sites_tsv,
    read_track,
    site_file_info,
    track_matrix_id,
    write_site_file,
    write_sites_tsv,
)

REPO = Path(__file__).resolve().parents[1]
SLICE = "hg38_chr1_1-99950"
IDX = {c: i for i, c in enumerate("ACGT")}


def revcomp(s: str) -> str:
    return s[::-1].translate(str.maketrans("ACGT", "TGCA"))


def brute_force(seq: str, matrices: list[Matrix], min_rel=800, max_p=0.05):
    """Plain reference: score every window of both strands with the scorer, one by one."""
    out = set()
    for k, m in enumerate(sorted(matrices, key=lambda m: m.matrix_id)):
        sc = make_scorer(m, min_rel, max_p)
        w = m.width
        cols = np.arange(w)
        for i in range(len(seq) - w + 1):
            word = seq[i : i + w]
            if any(c not in IDX for c in word):
                continue
            for strand, text in ((0, word), (1, revcomp(word))):
                s = int(sc.log_odds[[IDX[c] for c in text], cols].sum())
                rel = (1000 * (s - sc.min_score)) // (sc.max_score - sc.min_score)
                p = float(sc.pvalue(np.array([s]))[0])
                if rel >= min_rel and p < max_p:
                    out.add((i, w, 2 * k + strand, int(rel)))
    return out


def as_set(sites: Sites):
    return set(
        zip(
            sites.start.tolist(),
            sites.length.tolist(),
            sites.feature.tolist(),
            sites.score.tolist(),
        )
    )


def small_matrices():
    rng = np.random.default_rng(7)
    out = []
    for k, w in enumerate((5, 6, 8)):
        counts = rng.integers(0, 40, size=(4, w)).astype(float)
        counts[rng.integers(0, 4, size=w), np.arange(w)] += 60
        out.append(Matrix(f"MA000{k + 1}.1", f"TF{k}", counts))
    return out


def test_integer_log_odds_pseudocount_rule():
    counts = np.array([[9.0], [3.0], [0.0], [4.0]])  # N = 16, sqrt(N)/4 = 1
    lod = integer_log_odds(counts)
    expect = [round(100 * math.log2(((c + 1) / 20) / 0.25)) for c in (9, 3, 0, 4)]
    assert lod[:, 0].tolist() == expect


def test_pvalue_matches_enumeration():
    m = small_matrices()[0]
    sc = make_scorer(m)
    scores = []
    for word in itertools.product(range(4), repeat=m.width):
        scores.append(int(sc.log_odds[list(word), np.arange(m.width)].sum()))
    scores = np.array(scores)
    for s in np.unique(scores)[::7]:
        assert sc.pvalue(np.array([s]))[0] == pytest.approx((scores >= s).mean(), rel=1e-12)
    # the threshold separates exactly the scores passing both cuts
    rel_ok = (1000 * (scores - sc.min_score)) // (sc.max_score - sc.min_score) >= 800
    p_ok = np.array([sc.pvalue(np.array([s]))[0] < 0.05 for s in scores])
    np.testing.assert_array_equal(scores >= sc.threshold, rel_ok & p_ok)


def test_scan_equals_brute_force_with_n_and_ends():
    rng = np.random.default_rng(3)
    mats = small_matrices()
    seq = list("".join(rng.choice(list("ACGT"), size=3000)))
    # consensus words at the very start, the very end and flush against N runs / IUPAC codes
    cons = ["".join("ACGT"[i] for i in m.counts.argmax(axis=0)) for m in mats]
    seq[0 : len(cons[0])] = cons[0]
    seq[-len(cons[2]) :] = cons[2]
    seq[1000:1010] = "N" * 10
    seq[1000 - len(cons[1]) : 1000] = cons[1]
    seq[1010 : 1010 + len(cons[2])] = revcomp(cons[2])
    seq[2000] = "R"
    seq[2001 : 2001 + len(cons[0])] = cons[0]
    text = "".join(seq)
    scanner = MotifScanner(mats)
    got = scanner.scan(text)
    ref = brute_force(text, mats)
    assert as_set(got) == ref
    assert len(ref) > 20
    w = {m.matrix_id: m.width for m in mats}
    assert (0, w["MA0001.1"], 0, 1000) in ref
    assert (len(text) - w["MA0003.1"], w["MA0003.1"], 4, 1000) in ref
    assert (1000 - w["MA0002.1"], w["MA0002.1"], 2, 1000) in ref
    assert (1010, w["MA0003.1"], 5, 1000) in ref
    # window-by-window scanning finds the same sites once each, in order
    chunks = list(scanner.scan_chromosome(text, window=700))
    merged = Sites.concat(chunks)
    assert np.all(np.diff(merged.start) >= 0)
    assert as_set(merged) == ref and len(merged) == len(ref)


def test_scan_reproduces_real_ctcf_track(real_data):
    from genovocab.io.fasta import open_fasta

    folder = real_data / SLICE
    mats = select_matrices(
        read_jaspar(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"), ["MA0139.1"]
    )
    seq = str(open_fasta(folder / "genome/hg38_chr1_1-99950.fa")["chr1"][:])
    sites = MotifScanner(mats).scan(seq)
    lines = format_sites_tsv("chr1", sites, MatrixSet.from_matrices(mats)).splitlines()
    got = {
        (f[0], int(f[1]), int(f[2]), f[5]): (f[3], int(f[4]), f[6], int(f[7]))
        for f in (line.split("\t") for line in lines)
    }
    track = folder / "tfbs/JASPAR2022_hg38_MA0139.1_CTCF.chr1_1-99950.tsv"
    real = [line.split("\t") for line in track.read_text().splitlines()]
    assert len(real) == 30
    last = max(int(r[1]) for r in real)
    for r in real:
        key = (r[0], int(r[1]), int(r[2]), r[6])
        assert key in got, f"real site {key} not found"
        mid, rel, name, nlp = got[key]
        assert (mid, rel, name) == ("MA0139.1", int(r[4]), "CTCF")
        assert abs(nlp - int(r[5])) <= 1  # PWMScan's p-values agree to 0.01 in -log10
    # the track file is the first 30 sites of the slice: no extra site before the last one
    assert sum(1 for k in got if k[1] <= last) == 30
    assert len(got) == 51  # all hits of the slice (tfbs/DERIVED_* has 51)


def test_meme_input_gives_the_same_ctcf_sites(real_data):
    from genovocab.io.fasta import open_fasta

    folder = real_data / SLICE
    js = select_matrices(
        read_jaspar(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"), ["MA0139.1"]
    )
    me = select_matrices(
        read_meme(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.meme.txt"), ["MA0139.1"]
    )
    seq = str(open_fasta(folder / "genome/hg38_chr1_1-99950.fa")["chr1"][:])
    a, b = MotifScanner(js).scan(seq), MotifScanner(me).scan(seq)
    np.testing.assert_array_equal(a.start, b.start)
    np.testing.assert_array_equal(a.feature, b.feature)
    assert np.abs(a.score - b.score).max() <= 1


def test_planted_demo_sites_are_found(tmp_path):
    demo = REPO / "resources" / "demo"
    if not (demo / "planted_sites.tsv.gz").exists():
        pytest.skip("demo inputs not generated yet")
    from genovocab.io.fasta import open_fasta

    fa_path = tmp_path / "demo.fa"
    fa_path.write_bytes(gzip.decompress((demo / "genome.fa.gz").read_bytes()))
    fa = open_fasta(fa_path)
    mats = read_jaspar(demo / "jaspar2022_demo.jaspar")
    chrom = "chr3"
    seq = str(fa[chrom][:])
    sites = MotifScanner(mats).scan(seq)
    mset = MatrixSet.from_matrices(mats)
    index = mset.index()
    found = set(zip(sites.start.tolist(), sites.end.tolist(), sites.feature.tolist()))
    planted = [
        r.split("\t")
        for r in gzip.decompress((demo / "planted_sites.tsv.gz").read_bytes()).decode().splitlines()
    ]
    planted = [r for r in planted if r[0] == chrom]
    scorers = {m.matrix_id: make_scorer(m) for m in mats}
    strong = hits = 0
    for _c, s, e, mid, strand in planted:
        s, e = int(s), int(e)
        word = seq[s:e] if strand == "+" else revcomp(seq[s:e])
        sc = scorers[mid]
        score = int(sc.log_odds[[IDX[x] for x in word], np.arange(e - s)].sum())
        key = (s, e, 2 * index[mid] + (strand == "-"))
        if score >= sc.threshold:
            strong += 1
            assert key in found, f"planted {mid} {strand} at {s} scores above the cut, not found"
        hits += key in found
    assert len(planted) > 500
    assert hits == strong and strong / len(planted) > 0.8


def sites_of(starts, lengths, features):
    n = len(starts)
    return Sites(
        np.array(starts, np.int64),
        np.array(lengths, np.int64),
        np.array(features, np.int64),
        np.arange(n, dtype=np.int64) + 800,
        np.full(n, 400, np.int64),
    )


def test_site_file_roundtrip_and_streaming(tmp_path):
    mset = MatrixSet(("MA0001.1", "MA0002.1"), ("A", "B"))
    a = sites_of([5, 5, 9], [6, 7, 10], [0, 3, 1])
    b = sites_of([20, 30], [8, 255], [2, 0])
    path = tmp_path / "chr1.parquet"
    assert write_site_file(path, [a, Sites.empty(), b], mset, "chr1", 1000, row_group_size=2) == 5
    info = site_file_info(path)
    assert info == (mset, "chr1", 1000, 5)
    back = read_site_file(path)
    full = Sites.concat([a, b])
    for f in ("start", "length", "feature", "score", "neglog10p"):
        np.testing.assert_array_equal(getattr(back, f), getattr(full, f))
    # whole row groups (2, 1 | 2 rows) are gathered up to the batch size
    assert [len(c) for c in iter_site_file(path, batch_size=2)] == [2, 3]
    assert [len(c) for c in iter_site_file(path, batch_size=1, scores=False)] == [2, 1, 2]
    with pytest.raises(ValueError, match="not in start order"):
        write_site_file(tmp_path / "x.parquet", [b, a], mset, "chr1")
    assert not (tmp_path / "x.parquet").exists()
    with pytest.raises(ValueError, match="lengths must be 1..255"):
        write_site_file(tmp_path / "y.parquet", [sites_of([1], [256], [0])], mset, "chr1")
    empty = tmp_path / "empty.parquet"
    assert write_site_file(empty, [], mset, "chr2", 10) == 0
    assert len(read_site_file(empty)) == 0


def test_merge_sorted_chunks_equals_global_sort():
    rng = np.random.default_rng(5)
    streams, everything = [], []
    for _ in range(3):
        s = np.sort(rng.integers(0, 5000, 400))
        sites = sites_of(s, rng.integers(5, 20, 400), rng.integers(0, 10, 400))
        everything.append(sites)
        streams.append([sites.take(np.arange(k, min(400, k + 37))) for k in range(0, 400, 37)])
    merged = Sites.concat(list(merge_sorted_chunks(streams, window=300)))
    ref = Sites.concat(everything).sorted()
    for f in ("start", "length", "feature"):
        np.testing.assert_array_equal(getattr(merged, f), getattr(ref, f))


def test_tsv_roundtrip(tmp_path):
    mset = MatrixSet(("MA0001.1", "MA0002.1"), ("A", "B"))
    chr1 = sites_of([5, 9], [6, 10], [0, 3])
    chr2 = sites_of([1], [4], [2])
    path = tmp_path / "sites.tsv.gz"
    write_sites_tsv(path, [("chr1", [chr1]), ("chr2", [chr2])], mset)
    text = gzip.decompress(path.read_bytes()).decode()
    assert text.splitlines()[1] == "chr1\t9\t19\tMA0002.1\t801\t-\tB\t400"
    got_set, per = read_sites_tsv([path])
    assert got_set == mset
    np.testing.assert_array_equal(per["chr1"].feature, [0, 3])
    np.testing.assert_array_equal(per["chr2"].start, [1])
    one = tmp_path / "again.tsv.gz"
    write_sites_tsv(one, [("chr1", [chr1]), ("chr2", [chr2])], mset)
    assert one.read_bytes() == path.read_bytes()  # deterministic gzip


@pytest.mark.parametrize(
    "line, message",
    [
        ("chr1\t1\t5\tMA0001.1\t800\t+\tA", "expected 8 tab-separated columns"),
        ("chr1\t1\tx\tMA0001.1\t800\t+\tA\t4", "must be integers"),
        ("chr1\t5\t5\tMA0001.1\t800\t+\tA\t4", "bad site coordinates 5-5"),
        ("chr1\t5\t9\tMA0001.1\t800\t*\tA\t4", "strand must be \\+ or -"),
    ],
)
def test_tsv_malformed(tmp_path, line, message):
    p = tmp_path / "bad.tsv"
    p.write_text("chr1\t0\t4\tMA0001.1\t800\t+\tA\t4\n" + line + "\n")
    with pytest.raises(InputError, match=message) as exc:
        read_sites_tsv([p])
    assert exc.value.line == 2


def test_tsv_unknown_matrix(tmp_path):
    p = tmp_path / "s.tsv"
    p.write_text("chr1\t0\t4\tMA0009.1\t800\t+\tA\t4\n")
    with pytest.raises(InputError, match="matrix id MA0009.1 is not among the matrices"):
        read_sites_tsv([p], MatrixSet(("MA0001.1",), ("A",)))


def test_read_track_header_filter_and_chromosomes(tmp_path, real_data):
    track = real_data / SLICE / "tfbs/JASPAR2022_hg38_MA0139.1_CTCF.chr1_1-99950.tsv"
    assert track_matrix_id(track) == "MA0139.1"
    per = read_track(track, feature_base=6, chrom_sizes={"chr1": 99950}, min_score=830)
    s = per["chr1"]
    assert len(s) == 7  # rows with score >= 830
    assert s.start[0] == 11222 and s.feature[0] == 7 and s.score[0] == 959
    p = tmp_path / "MA0001.1.tsv.gz"
    p.write_bytes(
        gzip.compress(
            b"#chrom\tstart\tend\tname\tscore\tpval\tstrand\n"
            b"chr1\t10\t20\tX\t900\t500\t+\nchrUn\t1\t5\tX\t900\t500\t+\n"
        )
    )
    per = read_track(p, 0, {"chr1": 100})
    assert list(per) == ["chr1"] and per["chr1"].start.tolist() == [10]


@pytest.mark.parametrize(
    "line, message",
    [
        ("chr1\t10\t20\tX\t900\t500", "expected 7 tab-separated columns"),
        ("chr1\t10\t20\tX\t9x0\t500\t+", "must be integers"),
        ("chr1\t20\t10\tX\t900\t500\t+", "bad site coordinates 20-10"),
        ("chr1\t10\t20\tX\t900\t500\t.", "strand must be"),
        ("chr1\t95\t120\tX\t900\t500\t+", "site end 120 beyond chr1 length 100"),
    ],
)
def test_read_track_malformed(tmp_path, line, message):
    p = tmp_path / "MA0001.1.tsv"
    p.write_text("chr1\t1\t5\tX\t900\t500\t+\n" + line + "\n")
    with pytest.raises(InputError, match=message) as exc:
        read_track(p, 0, {"chr1": 100})
    assert exc.value.line == 2 and str(p) in str(exc.value)


def test_track_file_name_without_id(tmp_path):
    with pytest.raises(InputError, match="no JASPAR matrix id"):
        track_matrix_id(tmp_path / "ctcf.tsv.gz")


def test_tracks_batches_merge_to_one_sorted_file(tmp_path):
    from genovocab.motifs.steps import merge_site_files, tracks_to_site_files

    mset = MatrixSet(("MA0001.1", "MA0002.1"), ("A", "B"))
    (tmp_path / "MA0001.1.tsv").write_text(
        "chr1\t30\t40\tA\t900\t500\t+\nchr1\t5\t15\tA\t850\t450\t-\n"
    )
    (tmp_path / "MA0002.1.tsv").write_text(
        "chr1\t10\t16\tB\t810\t420\t+\nchr2\t3\t9\tB\t700\t300\t+\n"
    )
    sizes = {"chr1": 100, "chr2": 50}
    tracks_to_site_files([tmp_path / "MA0001.1.tsv"], mset, sizes, tmp_path / "b0")
    tracks_to_site_files([tmp_path / "MA0002.1.tsv"], mset, sizes, tmp_path / "b1")
    out = tmp_path / "chr1.parquet"
    assert (
        merge_site_files(
            [tmp_path / "b0/chr1.parquet", tmp_path / "b1/chr1.parquet"], out, window=8
        )
        == 3
    )
    s = read_site_file(out)
    assert s.start.tolist() == [5, 10, 30] and s.feature.tolist() == [1, 2, 0]
    assert len(read_site_file(tmp_path / "b1/chr2.parquet")) == 0  # score 700 < 800


def test_cli_scan_motifs(tmp_path, real_data):
    folder = real_data / SLICE
    out = tmp_path / "sites.tsv.gz"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "genovocab",
            "scan-motifs",
            "--quiet",
            "--genome",
            str(folder / "genome/hg38_chr1_1-99950.fa"),
            "--pfms",
            str(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"),
            "--matrix",
            "MA0139.1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert len(lines) == 51
    assert lines[0] == "chr1\t10470\t10489\tMA0139.1\t803\t-\tCTCF\t390"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "genovocab",
            "scan-motifs",
            "--genome",
            str(folder / "genome/hg38_chr1_1-99950.fa"),
            "--pfms",
            str(folder / "motifs/JASPAR2022_CORE_vertebrates_subset.jaspar.txt"),
            "--matrix",
            "MA9999.9",
            "--out",
            str(tmp_path / "x.tsv"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "matrix ids not in the file: MA9999.9" in bad.stderr


def test_bigbed_streams_by_window_once_each():
    import importlib.util

    spec = importlib.util.find_spec("pyBigWigTest")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyBigWig's test bigBed is not installed")
    bb = Path(list(spec.submodule_search_locations)[0]) / "test.bigBed"
    if not bb.exists():
        pytest.skip("pyBigWig's test bigBed is not installed")
    import pyBigWig

    from genovocab.motifs.sites import iter_bigbed

    handle = pyBigWig.open(str(bb))
    entries = handle.entries("chr1", 0, handle.chroms("chr1"))
    handle.close()
    names = sorted({e[2].split("\t")[0] for e in entries})[:5]
    # BED6+ with item names as "TF names": matched by name, score = bigBed score
    mset = MatrixSet(tuple(f"MA{i:04d}.1" for i in range(len(names))), tuple(names))
    want = sorted(
        (
            s,
            e - s,
            2 * names.index(r.split("\t")[0]) + (r.split("\t")[2] == "-"),
            int(r.split("\t")[1]),
        )
        for s, e, r in entries
        if r.split("\t")[0] in names
    )
    for window in (1 << 20, 1 << 16):
        got = Sites.concat(list(iter_bigbed(bb, "chr1", mset, window=window)))
        assert np.all(np.diff(got.start) >= 0)
        assert (
            sorted(
                zip(
                    got.start.tolist(),
                    got.length.tolist(),
                    got.feature.tolist(),
                    got.neglog10p.tolist(),
                )
            )
            == want
        )
    cut = Sites.concat(list(iter_bigbed(bb, "chr1", mset, min_score=200)))
    assert len(cut) == sum(1 for w in want if w[3] >= 200)
    assert len(Sites.concat(list(iter_bigbed(bb, "chrZ", mset)))) == 0
    with pytest.raises(InputError, match="not a bigBed"):
        list(iter_bigbed(REPO / "pyproject.toml", "chr1", mset))


def test_track_fast_path_equals_line_parser(tmp_path, real_data):
    from genovocab.motifs import sites as sites_mod

    track = real_data / SLICE / "tfbs/JASPAR2022_hg38_MA0139.1_CTCF.chr1_1-99950.tsv"
    p = tmp_path / "MA0139.1.tsv.gz"
    p.write_bytes(
        gzip.compress(
            b"chrom\tstart\tend\tname\tscore\tpval\tstrand\n"
            + track.read_bytes()
            + b"chrUn_x\t1\t20\tCTCF\t900\t500\t+\n"
        )
    )
    sizes = {"chr1": 99950}
    for path in (track, p):
        fast = sites_mod._read_track_fast(path, 6, sizes, 805, chunk_rows=7)
        slow = sites_mod._read_track_slow(path, 6, sizes, 805)
        assert list(fast) == list(slow) == ["chr1"]
        for f in ("start", "length", "feature", "score", "neglog10p"):
            np.testing.assert_array_equal(getattr(fast["chr1"], f), getattr(slow["chr1"], f))
        assert len(fast["chr1"]) == 23
