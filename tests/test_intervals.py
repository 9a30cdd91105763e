"""The overlap engine (genovocab.overlap) and its fast BED path.

Known answers: hand-computed cases, a brute-force reference written here, and
``bedtools intersect -wa -wb`` through pybedtools (peers), on random and real data.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.overlap import Universe, overlap_pairs, read_regions
from genovocab.regions import Regions


def write(path: Path, text: str) -> Path:
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_bytes(text.encode())
    return path


def brute_pairs(u_rows, q_rows, min_overlap=1, qfrac=0.0, rfrac=0.0):
    """Reference: every (query row, universe row) with enough overlap, by a double loop."""
    pairs = []
    for i, (qc, qs, qe) in enumerate(q_rows):
        for j, (uc, us, ue) in enumerate(u_rows):
            if qc != uc:
                continue
            shared = min(qe, ue) - max(qs, us)
            if (
                shared >= max(1, min_overlap)
                and shared >= qfrac * (qe - qs)
                and shared >= rfrac * (ue - us)
            ):
                pairs.append((i, j))
    return pairs


def random_rows(rng, n, chroms, span=20_000, max_len=900, long_frac=0.05):
    c = rng.choice(chroms, n)
    s = rng.integers(0, span, n)
    e = s + rng.integers(1, max_len, n)
    long = rng.random(n) < long_frac
    e[long] += rng.integers(2_000, 15_000, int(long.sum()))
    return [(str(a), int(b), int(d)) for a, b, d in zip(c, s, e)]


def bed_text(rows, extra=""):
    return "".join(f"{c}\t{s}\t{e}{extra}\n" for c, s, e in rows)


def engine_pairs(universe: Universe, query_path: Path, **options):
    q = read_regions(query_path)
    qi, ui = overlap_pairs(universe, q, **options)
    names = universe.names()
    return [
        (int(a), (names[b], int(universe.starts[b]), int(universe.ends[b]))) for a, b in zip(qi, ui)
    ]


# ----------------------------------------------------------------- hand-computed answers
def test_hand_computed_pairs(tmp_path):
    u = write(
        tmp_path / "u.bed",
        "chr1\t100\t200\nchr1\t150\t400\nchr1\t160\t170\nchr1\t150\t400\nchr2\t0\t50\n",
    )
    universe = Universe.from_bed(u)
    assert len(universe) == 4 and universe.n_duplicates == 1
    assert universe.starts.tolist() == [100, 150, 160, 0]
    assert universe.ends.tolist() == [200, 400, 170, 50]
    q = write(
        tmp_path / "q.bed",
        "chr1\t199\t200\nchr1\t200\t201\nchr1\t0\t100\n"
        "chr3\t0\t10\nchr1\t165\t166\nchr2\t49\t60\nchr1\t400\t500\n",
    )
    qi, ui = overlap_pairs(universe, read_regions(q))
    # 199-200 hits [100,200) and [150,400); 200-201 only [150,400); 0-100 none (half-open);
    # chr3 unknown; 165-166 hits all three chr1 regions; 49-60 hits chr2; 400-500 none
    assert list(zip(qi.tolist(), ui.tolist())) == [
        (0, 0),
        (0, 1),
        (1, 1),
        (4, 0),
        (4, 1),
        (4, 2),
        (5, 3),
    ]


def test_minimum_overlaps_hand_computed(tmp_path):
    u = Universe.from_bed(write(tmp_path / "u.bed", "chr1\t0\t100\nchr1\t90\t110\n"))
    q = read_regions(write(tmp_path / "q.bed", "chr1\t80\t100\n"))
    # shared bp: region 0 -> 20 (100 % of the query, 20 % of the region);
    # region 1 -> 10 (50 % of the query, 50 % of the region); the minimums are inclusive
    assert overlap_pairs(u, q, min_overlap=11)[1].tolist() == [0]
    assert overlap_pairs(u, q, min_overlap=10)[1].tolist() == [0, 1]
    assert overlap_pairs(u, q, min_query_fraction=0.5)[1].tolist() == [0, 1]
    assert overlap_pairs(u, q, min_query_fraction=0.51)[1].tolist() == [0]
    assert overlap_pairs(u, q, min_region_fraction=0.5)[1].tolist() == [1]
    assert overlap_pairs(u, q, min_region_fraction=0.2)[1].tolist() == [0, 1]
    assert overlap_pairs(u, q, min_region_fraction=0.21)[1].tolist() == [1]


def test_chromosome_order_first_appearance_or_chrom_sizes(tmp_path):
    u = write(tmp_path / "u.bed", "chr10\t5\t9\nchr2\t1\t3\nchr10\t1\t2\n")
    universe = Universe.from_bed(u)
    assert universe.chroms == ["chr10", "chr2"]  # never re-sorted lexicographically
    assert universe.starts.tolist() == [1, 5, 1]
    ordered = Universe.from_bed(u, {"chr1": 10, "chr2": 10, "chr10": 10})
    assert ordered.chroms == ["chr2", "chr10"]
    assert ordered.starts.tolist() == [1, 1, 5]


def test_chrom_sizes_errors_name_the_line(tmp_path):
    u = write(tmp_path / "u.bed", "chr1\t5\t9\nchrUn\t1\t3\n")
    with pytest.raises(InputError, match=r"u.bed, line 2: unknown chromosome 'chrUn'"):
        Universe.from_bed(u, {"chr1": 100})
    with pytest.raises(InputError, match=r"line 1: end 9 is beyond the end of chr1"):
        Universe.from_bed(write(tmp_path / "v.bed", "chr1\t5\t9\n"), {"chr1": 8})


def test_long_regions_use_several_sublists(tmp_path):
    rng = np.random.default_rng(7)
    rows = random_rows(rng, 3000, ["chr1"], span=200_000, max_len=300, long_frac=0.0)
    rows += [("chr1", int(s), int(s) + 150_000) for s in rng.integers(0, 50_000, 200)]
    universe = Universe.from_regions(Regions.from_tuples(rows))
    assert len(universe._sublists) >= 2  # the long regions were moved out of the main list
    queries = random_rows(rng, 400, ["chr1"], span=200_000, max_len=500, long_frac=0.0)
    q = write(tmp_path / "q.bed", bed_text(queries))
    got = engine_pairs(universe, q)
    u_rows = list(zip(universe.names(), universe.starts.tolist(), universe.ends.tolist()))
    want = [(i, u_rows[j]) for i, j in brute_pairs(u_rows, queries)]
    assert got == want


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_against_brute_force_with_options(tmp_path, seed):
    rng = np.random.default_rng(seed)
    u_rows = random_rows(rng, 400, ["chr1", "chr2", "chr3"])
    u_rows += u_rows[:30]  # duplicates
    queries = random_rows(rng, 300, ["chr1", "chr2", "chr3", "chrM"])
    universe = Universe.from_bed(write(tmp_path / "u.bed", bed_text(u_rows)))
    uniq = list(zip(universe.names(), universe.starts.tolist(), universe.ends.tolist()))
    q = write(tmp_path / "q.bed", bed_text(queries))
    for opts in (
        {},
        {"min_overlap": 50},
        {"min_query_fraction": 0.3},
        {"min_region_fraction": 0.7},
        {"min_overlap": 5, "min_query_fraction": 0.1, "min_region_fraction": 0.1},
    ):
        got = engine_pairs(universe, q, **opts)
        want = [
            (i, uniq[j])
            for i, j in brute_pairs(
                uniq,
                queries,
                opts.get("min_overlap", 1),
                opts.get("min_query_fraction", 0.0),
                opts.get("min_region_fraction", 0.0),
            )
        ]
        assert got == want, opts


# ----------------------------------------------------------------- the fast BED path
def test_read_regions_formats_agree(tmp_path):
    rows = [("chr2", 10, 20), ("chr1", 5, 8), ("chr2", 0, 4)]
    plain = read_regions(write(tmp_path / "a.bed", bed_text(rows)))
    crlf = read_regions(write(tmp_path / "b.bed", bed_text(rows).replace("\n", "\r\n")))
    gz = read_regions(write(tmp_path / "c.bed.gz", bed_text(rows, "\tpeak 1\t0\t+")))
    header = read_regions(write(tmp_path / "d.bed", "track name=x\n#c\n" + bed_text(rows)))
    for r in (plain, crlf, gz, header):
        assert r.chroms == ["chr2", "chr1"]
        assert r.chrom_index.tolist() == [0, 1, 0]
        assert r.starts.tolist() == [10, 5, 0] and r.ends.tolist() == [20, 8, 4]


def test_read_regions_skips_zero_length(tmp_path):
    r = read_regions(write(tmp_path / "z.bed", "chrA\t5\t5\nchr1\t1\t2\n"))
    assert r.chroms == ["chr1"] and r.chrom_index.tolist() == [0] and r.n_zero_length == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("chr1\t1\t2\nchr1\tx\t5\n", r"bad.bed, line 2: start 'x' is not an integer"),
        ("chr1\t1\t2\nchr1\t9\t5\n", r"bad.bed, line 2: start 9 is greater than end 5"),
        ("chr1\t-1\t2\n", r"bad.bed, line 1: negative start -1"),
        ("chr1\t1\t2\nchr1 5 9\n", r"bad.bed, line 2: expected at least 3 tab-separated columns"),
    ],
)
def test_read_regions_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_regions(write(tmp_path / "bad.bed", text))


def test_read_regions_empty_and_missing(tmp_path):
    assert len(read_regions(write(tmp_path / "e.bed", ""))) == 0
    with pytest.raises(InputError, match="e.bed: file is empty"):
        read_regions(tmp_path / "e.bed", allow_empty=False)
    with pytest.raises(InputError, match="cannot read file"):
        read_regions(tmp_path / "missing.bed")


# ----------------------------------------------------------------- bedtools (peers)
def bedtools_pairs(u_path: Path, q_path: Path, extra: dict | None = None):
    pybedtools = pytest.importorskip("pybedtools")
    if shutil.which("bedtools") is None:
        pytest.skip("the bedtools executable is not on PATH")
    result = pybedtools.BedTool(str(q_path)).intersect(
        pybedtools.BedTool(str(u_path)), wa=True, wb=True, **(extra or {})
    )
    pairs = set()
    try:
        for f in result:
            fields = f.fields
            n_q = len(fields) - 3  # universe is BED3
            pairs.add(
                (tuple(fields[:n_q][:3]), (fields[n_q], int(fields[n_q + 1]), int(fields[n_q + 2])))
            )
    finally:
        pybedtools.cleanup()
    return pairs


def our_pair_set(universe: Universe, q_path: Path, **options):
    q = read_regions(q_path)
    qi, ui = overlap_pairs(universe, q, **options)
    names = universe.names()
    qnames = np.asarray(q.chroms, dtype=object)[q.chrom_index]
    return {
        (
            (qnames[a], str(q.starts[a]), str(q.ends[a])),
            (names[b], int(universe.starts[b]), int(universe.ends[b])),
        )
        for a, b in zip(qi.tolist(), ui.tolist())
    }


@pytest.mark.peers
@pytest.mark.parametrize("seed", [11, 12])
def test_random_against_bedtools(tmp_path, seed):
    rng = np.random.default_rng(seed)
    u_rows = random_rows(rng, 3000, ["chr1", "chr2", "chr10"], span=300_000)
    u_rows += u_rows[:100]
    # unique queries (bedtools reports each pair once per query line; so do we)
    queries = sorted(set(random_rows(rng, 2000, ["chr1", "chr2", "chr10", "chrUn"], span=320_000)))
    u_path = write(tmp_path / "u.bed", bed_text(u_rows))
    universe = Universe.from_bed(u_path)
    u3 = write(tmp_path / "u3.bed", bed_text(zip(universe.names(), universe.starts, universe.ends)))
    q_path = write(tmp_path / "q.bed", bed_text(queries))
    ours = our_pair_set(universe, q_path)
    assert len(ours) > 1000
    assert ours == bedtools_pairs(u3, q_path)
    # fractions: -f (of A = query), -F (of B = universe region)
    assert our_pair_set(universe, q_path, min_query_fraction=0.4) == bedtools_pairs(
        u3, q_path, {"f": 0.4}
    )
    assert our_pair_set(universe, q_path, min_region_fraction=0.6) == bedtools_pairs(
        u3, q_path, {"F": 0.6}
    )


@pytest.mark.peers
def test_real_data_against_bedtools(tmp_path, real_data):
    pybedtools = pytest.importorskip("pybedtools")
    if shutil.which("bedtools") is None:
        pytest.skip("the bedtools executable is not on PATH")
    peaks = sorted((real_data / "chipatlas_hg38_peaks").glob("*.bed.gz"))
    assert len(peaks) == 8
    cat = pybedtools.BedTool(str(peaks[0])).cat(*[str(p) for p in peaks[1:]], postmerge=True)
    merged = tmp_path / "merged.bed"
    cat.sort().saveas(str(merged))
    pybedtools.cleanup()
    universe = Universe.from_bed(merged)
    assert len(universe) > 1000
    queries = [
        real_data
        / "encode_atac_keratinocyte"
        / "ENCSR356KRQ_keratinocyte_ATAC_ppr.naive_overlap.filt.narrowPeak.gz",
        real_data / "misc" / "test_big_hg38.bed.gz",
    ]
    for q in queries:
        plain = tmp_path / (q.name.removesuffix(".gz") + ".bed3")
        # BED3 copies, duplicates removed, so the pair sets compare one to one
        rows = sorted(
            set(tuple(line.split("\t")[:3]) for line in gzip.open(q, "rt").read().splitlines())
        )
        plain.write_text("".join("\t".join(r) + "\n" for r in rows))
        ours = our_pair_set(universe, plain)
        assert len(ours) > 100
        assert ours == bedtools_pairs(merged, plain)


def test_overlaps_with_ranks_equals_pairs_for(tmp_path):
    u = Universe.from_bed(write(tmp_path / "u.bed", "chr1\t0\t10\nchr2\t5\t20\nchr2\t8\t9\n"))
    ranks = u.chrom_ranks(["chr2", "chrZ", "chr1"])
    assert ranks.tolist() == [1, -1, 0]
    qi, ui = u.overlaps(ranks, np.array([7, 0, 9]), np.array([9, 100, 11]))
    assert list(zip(qi.tolist(), ui.tolist())) == [(0, 1), (0, 2), (2, 0)]
    qi2, ui2 = u.pairs_for(
        ["chr2", "chrZ", "chr1"], np.array([0, 1, 2]), np.array([7, 0, 9]), np.array([9, 100, 11])
    )
    assert qi2.tolist() == qi.tolist() and ui2.tolist() == ui.tolist()
    # the rule of a pair, by hand: chr2:7-9 shares 2 bp with chr2:5-20 and 1 bp with chr2:8-9
    # (all of it); chr1:9-11 shares 1 bp with chr1:0-10
    for options, want in [
        ({"min_overlap": 2}, [(0, 1)]),
        ({"min_region_fraction": 1.0}, [(0, 2)]),
        ({"min_query_fraction": 0.5}, [(0, 1), (0, 2), (2, 0)]),
        ({"min_query_fraction": 0.6}, [(0, 1)]),
    ]:
        qi, ui = u.overlaps(ranks, np.array([7, 0, 9]), np.array([9, 100, 11]), **options)
        assert list(zip(qi.tolist(), ui.tolist())) == want, options
        qi2, ui2 = u.pairs_for(
            ["chr2", "chrZ", "chr1"],
            np.array([0, 1, 2]),
            np.array([7, 0, 9]),
            np.array([9, 100, 11]),
            **options,
        )
        assert list(zip(qi2.tolist(), ui2.tolist())) == want, options
    with pytest.raises(TypeError, match="min_overlp"):
        u.overlaps(ranks, np.array([7, 0, 9]), np.array([9, 100, 11]), min_overlp=2)
    assert u.find("chr2", 8, 9) == 2 and u.find("chr2", 8, 10) == -1 and u.find("chrZ", 0, 1) == -1


def test_universe_from_regions_by_hand():
    # rows: chr2:5-9, chr1:1-3, chr2:5-9 again (a duplicate line)
    regions = Regions.from_tuples([("chr2", 5, 9), ("chr1", 1, 3), ("chr2", 5, 9)])
    u = Universe.from_regions(regions, ["chr1", "chr2", "chr3"])  # chr3: no region, dropped
    assert u.chroms == ["chr1", "chr2"] and isinstance(u.regions, Regions)
    assert u.chrom_index.tolist() == [0, 1] and u.starts.tolist() == [1, 5]
    assert u.ids.tolist() == [1, 0]  # ids follow the first appearance in the rows
    assert u.n_duplicates == 1 and u.multiplicity.tolist() == [1, 2] and not u.file_sorted
    assert len(Universe.from_regions(Regions.empty(), ["chr1"]).chroms) == 0
