"""The interval tokenizer's per-call path, in-memory inputs, numpy BED reader and duplicate rows.

The per-call path (one short document of tuples, in plain Python) must give exactly the ids
of the vectorised path, for every option, on randomized universes (overlapping, nested,
unsorted, duplicated rows) and queries (unknown chromosomes, no overlap, zero-length regions,
coordinates past the key width); both are checked against a brute-force reference.
"""

from __future__ import annotations

import gzip
import itertools
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from genovocab.errors import InputError
from genovocab.overlap import read_bed3_fast, read_regions
from genovocab.tokenizers.interval import SMALL_DOCUMENT, IntervalTokenizer, to_regions

CHROMS = ["chr1", "chr2", "chrX"]
KEY_LIMIT = 1 << 32  # the key width of a universe whose positions are below 2**32


def _universe_rows(rng: np.random.Generator, n: int, sort: bool) -> list[tuple[str, int, int]]:
    """Regions with nesting (long regions containing many short ones: several AIList
    sublists), overlaps and exact duplicates; one chromosome reaches near 2**32."""
    rows = []
    for _ in range(n):
        c = CHROMS[int(rng.integers(0, len(CHROMS)))]
        if rng.random() < 0.1:
            s = int(rng.integers(0, 5_000))
            rows.append((c, s, s + int(rng.integers(2_000, 8_000))))  # long, contains others
        else:
            s = int(rng.integers(0, 10_000))
            rows.append((c, s, s + int(rng.integers(1, 300))))
    rows += [("chrX", KEY_LIMIT - 500, KEY_LIMIT - 100), ("chrX", KEY_LIMIT - 50, KEY_LIMIT - 1)]
    rows += [rows[int(i)] for i in rng.integers(0, len(rows), max(1, n // 20))]  # duplicates
    if sort:
        rows.sort(key=lambda r: (CHROMS.index(r[0]), r[1], r[2]))
    else:
        rng.shuffle(rows)
    return rows


def _plain_universe(rng: np.random.Generator, n: int) -> list[tuple[str, int, int]]:
    """Sorted, non-overlapping regions (one sublist, rows are ids: the simplest index)."""
    rows = []
    for c in CHROMS:
        ends = np.cumsum(rng.integers(20, 400, n // 3))
        rows += [(c, int(e) - int(w), int(e)) for e, w in zip(ends, rng.integers(1, 20, n // 3))]
    rows.append(("chrX", KEY_LIMIT - 50, KEY_LIMIT - 1))
    return rows


def _queries(rng: np.random.Generator, k: int) -> list[tuple[str, int, int]]:
    out = []
    for _ in range(k):
        kind = rng.random()
        if kind < 0.1:
            out.append(("chrUn", int(rng.integers(0, 1000)), int(rng.integers(1000, 2000))))
        elif kind < 0.2:  # past the key width: start and/or end beyond 2**32
            s = int(rng.integers(KEY_LIMIT - 1_000, KEY_LIMIT + 1_000))
            out.append(("chrX", s, s + int(rng.integers(0, 3 * KEY_LIMIT))))
        elif kind < 0.3:  # far from every region: no overlap
            s = int(rng.integers(20_000, 1_000_000))
            out.append((CHROMS[int(rng.integers(0, 3))], s, s + 50))
        elif kind < 0.35:  # zero-length: skipped, like the BED reader does
            s = int(rng.integers(0, 10_000))
            out.append(("chr1", s, s))
        else:
            c = CHROMS[int(rng.integers(0, 3))]
            s = int(rng.integers(0, 10_500))
            out.append((c, s, s + int(rng.integers(1, 600))))
    return out


def _write(path: Path, rows) -> Path:
    path.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in rows))
    return path


def _reference(
    rows,
    queries,
    unknown="drop",
    order="query",
    dedupe=False,
    empty_document="unk",
    duplicate_rows="merge",
    min_overlap=1,
    min_query_fraction=0.0,
    min_region_fraction=0.0,
) -> list[int]:
    """Brute force over the universe lines: ids by first appearance, regions in genomic
    order within a query (chromosomes in first-appearance order of the file)."""
    ids: dict[tuple, int] = {}
    count: dict[tuple, int] = {}
    for r in rows:
        ids.setdefault(r, len(ids))
        count[r] = count.get(r, 0) + 1
    rank = {c: i for i, c in enumerate(dict.fromkeys(r[0] for r in rows))}
    distinct = sorted(ids, key=lambda r: (rank[r[0]], r[1], r[2]))
    n = len(ids)
    out: list[tuple[tuple, int]] = []  # (sort key, id)
    for c, s, e in queries:
        if e == s:
            continue
        hit = []
        for r in distinct:
            if r[0] != c:
                continue
            shared = min(e, r[2]) - max(s, r[1])
            if (
                shared >= min_overlap
                and shared >= min_query_fraction * (e - s)
                and shared >= min_region_fraction * (r[2] - r[1])
            ):
                times = count[r] if duplicate_rows == "per_row" else 1
                hit += [((rank[r[0]], r[1], r[2]), ids[r])] * times
        if hit:
            out += hit
        elif unknown == "unk":
            out.append(((len(rank), 0, 0), n))
    if order == "genomic":
        out.sort(key=lambda x: x[0])
    result = [i for _, i in out]
    if dedupe:
        result = list(dict.fromkeys(result))
    if not result and empty_document == "unk":
        result = [n]
    return result


OPTIONS = [
    {},
    {"unknown": "unk"},
    {"order": "genomic", "unknown": "unk"},
    {"dedupe": True, "order": "genomic"},
    {"empty_document": "empty"},
    {"duplicate_rows": "per_row", "unknown": "unk"},
    {"min_overlap": 20, "min_query_fraction": 0.3},
    {"min_region_fraction": 0.5, "dedupe": True},
]


@pytest.mark.parametrize("sort", ["plain", "sorted", "unsorted"])
@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: ",".join(map(str, o.items())) or "default"
)
def test_per_call_path_equals_batch_path_and_reference(tmp_path, sort, options):
    rng = np.random.default_rng({"plain": 6, "sorted": 7, "unsorted": 8}[sort])
    rows = (
        _plain_universe(rng, 300) if sort == "plain" else _universe_rows(rng, 300, sort == "sorted")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = IntervalTokenizer.from_bed(_write(tmp_path / "u.bed", rows), **options)
    if sort == "plain":  # one sublist, rows are ids
        assert len(tok.universe._sublists) == 1 and tok.universe.ids_identity
        assert tok._simple == (set(options) <= {"empty_document"})
    else:
        assert tok.universe.n_duplicates > 0
        assert tok.universe.ids_identity == (sort == "sorted")
        assert len(tok.universe._sublists) > 1  # the nested regions: a second sublist
    for trial in range(150):
        k = 1 if trial < 50 else int(rng.integers(1, SMALL_DOCUMENT + 1))
        doc = _queries(rng, k)
        small = tok._small_ids(doc)
        assert small is not None, doc  # the per-call path took it
        batch = tok.encode_regions(to_regions(doc)).tolist()
        assert small == batch, doc
        assert small == _reference(rows, doc, **options), doc
        call = tok(doc[0] if k == 1 else doc)
        assert call["input_ids"] == small
        assert call["attention_mask"] == [1] * len(small)
        assert tok.encode(doc) == small
        assert tok.tokenize(doc) == tok.convert_ids_to_tokens(small)
    # a batch of short documents: each through the per-call path, padded by the base
    docs = [_queries(rng, 3), _queries(rng, 7)]
    enc = tok(docs, padding=True, return_tensors="np")
    for row, doc in zip(enc["input_ids"].tolist(), docs):
        ids = _reference(rows, doc, **options)
        assert row[: len(ids)] == ids
        assert set(row[len(ids) :]) <= {tok.pad_token_id}


def test_per_call_path_leaves_odd_input_to_the_checked_path(tmp_path):
    tok = IntervalTokenizer.from_bed(_write(tmp_path / "u.bed", [("chr1", 10, 20)]))
    for doc in (
        [("chr1", 1, 2), ("chr1", 5, True)],
        [("chr1", -1, 5)],
        [("chr1", 9, 5)],
        [("chr1", 1.0, 15.0)],
        [("chr1", np.int64(1), 15)],
        [("chr1", 1)],
        [("chr1", 1, 2)] * (SMALL_DOCUMENT + 1),
    ):
        assert tok._small_ids(doc) is None
    assert tok.encode([("chr1", 1.0, 15.0)]) == [0]
    assert tok.encode([("chr1", np.int64(1), 15)]) == [0]
    with pytest.raises(InputError, match=r"<regions>, line 2: end True is not"):
        tok.encode([("chr1", 1, 2), ("chr1", 5, True)])
    with pytest.raises(InputError, match=r"<regions>, line 1: start 9 is greater than end 5"):
        tok(("chr1", 9, 5))
    assert tok(("chr1", 12, 13), return_tensors="np")["input_ids"].tolist() == [[0]]
    assert tok(("chr1", 12, 13), return_attention_mask=False) == {"input_ids": [0]}


def test_in_memory_forms_agree(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    rows = _universe_rows(rng, 200, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = IntervalTokenizer.from_bed(_write(tmp_path / "u.bed", rows))
    doc = _queries(rng, 500)
    want = _reference(rows, doc)
    chroms = np.array([r[0] for r in doc], dtype=object)
    starts = np.array([r[1] for r in doc], dtype=np.int64)
    ends = np.array([r[2] for r in doc], dtype=np.int64)
    forms = {
        "tuples": doc,
        "arrays": (chroms, starts, ends),
        "str arrays": (chroms.astype(str), starts, ends),
        "mapping": {"chrom": chroms, "start": starts, "end": ends},
        "arrow": pa.table({"chrom": chroms.tolist(), "start": starts, "end": ends}),
        "arrow dictionary": pa.table(
            {"chr": pa.array(chroms.tolist()).dictionary_encode(), "start": starts, "end": ends}
        ),
        "frame": pd.DataFrame({"chrom": chroms, "start": starts, "end": ends}),
        "path": _write(tmp_path / "q.bed", doc),
    }
    for name, form in forms.items():
        assert tok.encode(form) == want, name
    batch = tok([forms["arrays"], forms["arrow"]], padding=True)["input_ids"]
    assert batch[0][: len(want)] == want and batch[1][: len(want)] == want
    with pytest.raises(InputError, match=r"<columns>, line 2: start 7 is greater than end 3"):
        tok.encode((np.array(["chr1", "chr1"]), np.array([1, 7]), np.array([2, 3])))
    with pytest.raises(InputError, match=r"<columns>, line 1: chromosome 1 is not a string"):
        tok.encode((np.array([1, 1]), np.array([1, 7]), np.array([2, 9])))
    with pytest.raises(InputError, match=r"<table>, line 2: end nan is not"):
        tok.encode(pa.table({"chrom": ["chr1", "chr1"], "start": [1, 2], "end": [3, None]}))
    with pytest.raises(InputError, match="different lengths"):
        tok.encode({"chrom": chroms, "start": starts, "end": ends[:-1]})


@pytest.mark.parametrize(
    "text",
    [
        "chr1\t1\t5\nchr2\t3\t9\tname\t0\t+\n",  # different column counts
        "#header\nchr1\t1\t5\n",  # header line
        "track name=x\nchr1\t1\t5\n",
        "chr1\t1\t5\r\nchr1\t6\t9\r\n",  # CRLF
        "chr1\t1\t5\n\nchr1\t6\t9\n",  # blank line
        "chr1\t5\t5\nchr1\t6\t9\n",  # zero length
        "chr1\t+5\t9\n",
        "chr1\t5\n",
        "",
    ],
)
def test_fast_reader_leaves_irregular_files(tmp_path, text):
    path = tmp_path / "x.bed"
    path.write_text(text)
    assert read_bed3_fast(path) is None


def test_fast_reader_equals_shared_reader(tmp_path):
    from genovocab.io.bed import read_bed

    rng = np.random.default_rng(5)
    rows = _universe_rows(rng, 2_000, False)
    text = (
        "".join(f"{c}\t{s}\t{e}\tpeak{i}\t{i % 1000}\t+\n" for i, (c, s, e) in enumerate(rows))
        + "chrY\t0\t1234567890123\tp\t0\t-"
    )  # no final newline
    plain = tmp_path / "a.bed"
    plain.write_text(text)
    gz = tmp_path / "a.bed.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    want = read_bed(plain)
    for path in (plain, gz):
        got = read_bed3_fast(path)
        assert got is not None
        assert got.chroms == list(want.chroms)
        assert np.array_equal(got.chrom_index, want.chrom_index)
        assert np.array_equal(got.starts, want.starts)
        assert np.array_equal(got.ends, want.ends)
        assert len(read_regions(path, numpy_first=False)) == len(got)
    with pytest.raises(InputError, match="missing.bed"):
        IntervalTokenizer.from_bed(tmp_path / "missing.bed")


DUPLICATED = [
    ("chr1", 100, 200),
    ("chr1", 150, 400),
    ("chr1", 100, 200),
    ("chr2", 0, 50),
    ("chr1", 100, 200),
    ("chr2", 0, 50),
    ("chr2", 60, 70),
]
QUERIES = [("chr1", 120, 160), ("chr2", 10, 65), ("chr3", 1, 2)]


def test_duplicate_rows_warn_and_per_row(tmp_path):
    path = _write(tmp_path / "dup.bed", DUPLICATED)
    with pytest.warns(
        UserWarning,
        match=r"3 duplicate row\(s\) \(of 2 region\(s\) listed more "
        r"than once\).*duplicate_rows='per_row'",
    ):
        merged = IntervalTokenizer.from_bed(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        per_row = IntervalTokenizer.from_bed(path, duplicate_rows="per_row")
    assert not [w for w in caught if "duplicate row(s)" in str(w.message)]  # asked for: no warning
    # ids: first appearance; chr1:100-200 is listed 3 times, chr2:0-50 twice
    assert merged.encode(QUERIES) == [0, 1, 2, 3]
    assert per_row.encode(QUERIES) == [0, 0, 0, 1, 2, 2, 3]
    assert per_row.encode(QUERIES) == _reference(DUPLICATED, QUERIES, duplicate_rows="per_row")
    assert per_row.encode_regions(to_regions(QUERIES)).tolist() == [0, 0, 0, 1, 2, 2, 3]
    # saved and loaded: the duplicate lines are kept next to their first, ids unchanged
    per_row.save_pretrained(tmp_path / "tok")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # saved in id order: sorted, duplicates asked for
        again = IntervalTokenizer.from_pretrained(tmp_path / "tok")
    assert again.duplicate_rows == "per_row"
    assert again.encode(QUERIES) == [0, 0, 0, 1, 2, 2, 3]
    assert again.get_vocab() == per_row.get_vocab()


@pytest.mark.skipif(shutil.which("bedtools") is None, reason="bedtools is not installed")
def test_per_row_equals_bedtools(tmp_path):
    universe = _write(tmp_path / "dup.bed", sorted(DUPLICATED, key=lambda r: (r[0], r[1], r[2])))
    query = _write(tmp_path / "q.bed", QUERIES[:2])
    out = subprocess.run(
        ["bedtools", "intersect", "-a", query, "-b", universe, "-wa", "-wb"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ids: dict[tuple, int] = {}
    for line in universe.read_text().splitlines():
        c, s, e = line.split("\t")
        ids.setdefault((c, int(s), int(e)), len(ids))
    want = [
        ids[(f[3], int(f[4]), int(f[5]))] for f in (line.split("\t") for line in out.splitlines())
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = IntervalTokenizer.from_bed(universe, duplicate_rows="per_row")
    assert tok.encode(QUERIES[:2]) == want
    assert len(want) == 7


def test_importing_and_loading_needs_no_pandas_or_pyarrow(tmp_path):
    path = _write(tmp_path / "u.bed", [("chr1", 10, 20), ("chr2", 5, 9)])
    gz = tmp_path / "u.bed.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    code = (
        "import sys\n"
        "from genovocab.tokenizers import IntervalTokenizer\n"
        f"tok = IntervalTokenizer.from_bed({str(gz)!r})\n"
        "assert tok(('chr1', 12, 30))['input_ids'] == [0], tok(('chr1', 12, 30))\n"
        "assert tok([('chr2', 1, 6), ('chr1', 1, 2)])['input_ids'] == [1]\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'scipy', 'matplotlib', 'datasets', "
        "'tokenizers', 'torch') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == ""


def test_fast_path_matches_for_every_option_combination(tmp_path):
    """A small exhaustive sweep of the option grid on one fixed document."""
    rows = _universe_rows(np.random.default_rng(11), 120, False)
    doc = _queries(np.random.default_rng(12), 40)
    path = _write(tmp_path / "u.bed", rows)
    grid = itertools.product(
        ("drop", "unk"), ("query", "genomic"), (False, True), ("unk", "empty"), ("merge", "per_row")
    )
    for unknown, order, dedupe, empty, dup in grid:
        options = {
            "unknown": unknown,
            "order": order,
            "dedupe": dedupe,
            "empty_document": empty,
            "duplicate_rows": dup,
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tok = IntervalTokenizer.from_bed(path, **options)
        for sub in (doc, doc[:1], [("chrUn", 1, 2)], [("chr1", 5, 5)]):
            small = tok._small_ids(sub)
            assert small == tok.encode_regions(to_regions(sub)).tolist(), options
            assert small == _reference(rows, sub, **options), options


@pytest.mark.peers
@pytest.mark.skipif(shutil.which("bedtools") is None, reason="bedtools is not installed")
def test_per_row_equals_bedtools_real_universe_with_duplicates(tmp_path, real_data):
    """``misc/test_big_hg38.bed.gz`` lists 716 of its 31,210 peaks twice: per row, our ids
    are bedtools' (``-wa -wb -sorted``, each row mapped to its first line's id), in its order; gtars
    0.10 gives the same number of tokens per query (its ids on this file do not match its
    own vocabulary, so they are not compared)."""
    rows = [
        tuple(line.split("\t")[:3])
        for line in gzip.open(real_data / "misc" / "test_big_hg38.bed.gz", "rt").read().splitlines()
    ]
    rows = sorted(((c, int(s), int(e)) for c, s, e in rows), key=lambda r: r)
    universe = _write(tmp_path / "u.bed", rows)
    queries = []
    for p in sorted((real_data / "chipatlas_hg38_peaks").glob("*.bed.gz")):
        for line in gzip.open(p, "rt"):
            f = line.split("\t")
            queries.append((f[0], int(f[1]), int(f[2])))
    queries.sort()  # both sorted: bedtools -sorted reports a query's rows in file order
    query = _write(tmp_path / "q.bed", queries)
    out = subprocess.run(
        ["bedtools", "intersect", "-a", query, "-b", universe, "-wa", "-wb", "-sorted"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ids: dict[tuple, int] = {}
    for r in rows:
        ids.setdefault(r, len(ids))
    want = [
        ids[(f[3], int(f[4]), int(f[5]))] for f in (line.split("\t") for line in out.splitlines())
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged = IntervalTokenizer.from_bed(universe)
        per_row = IntervalTokenizer.from_bed(universe, duplicate_rows="per_row")
    assert merged.universe.n_duplicates == 716
    assert per_row.encode(queries) == want
    assert len(merged.encode(queries)) < len(want)
    gtars = pytest.importorskip("gtars.tokenizers")
    from gtars.models import Region

    gt = gtars.Tokenizer.from_bed(str(universe))
    for q in queries[:2000]:
        assert len(gt([Region(*q, "")])["input_ids"]) == len(per_row(q)["input_ids"]), q


def test_subclass_checks_still_apply(tmp_path):
    """A subclass that checks regions in ``_encode`` (as the release's tokenizer checks
    chromosome lengths) is not bypassed by the per-call path."""

    class Checked(IntervalTokenizer):
        def _encode(self, regions, count_unknown):
            if len(regions) and int(regions.ends.max()) > 1000:
                raise InputError(regions.path, "too far")
            return super()._encode(regions, count_unknown)

    path = _write(tmp_path / "u.bed", [("chr1", 10, 20), ("chr2", 5, 9)])
    tok = Checked.from_bed(path)
    assert tok._small_ids([("chr1", 12, 30)]) is None
    with pytest.raises(InputError, match="too far"):
        tok(("chr1", 12, 3000))
    tok.chrom_sizes = {"chr1": 1000}  # the length check: kept by the per-call path
    assert tok._small_ids([("chr1", 12, 30)]) == [0]
    assert tok._small_ids([("chr1", 12, 3000)]) is None
    assert tok._small_ids([("chrUn", 12, 3000)]) == [tok.unk_token_id]
    with pytest.raises(InputError, match="too far"):
        tok(("chr1", 12, 3000))


def test_default_options_take_the_per_call_path(tmp_path, monkeypatch):
    """``TokenizerBase.__call__`` hands a call with the default options to the interval
    tokenizer's per-call path (``_plain_call``), explicit defaults included; any other option
    goes to the generic per-item path."""
    path = _write(tmp_path / "u.bed", [("chr1", 10, 20), ("chr1", 30, 40), ("chr2", 5, 9)])
    tok = IntervalTokenizer.from_bed(path)
    generic = tok(("chr1", 15, 35), return_length=True)  # not the per-call path
    assert generic == {"input_ids": [0, 1], "attention_mask": [1, 1], "length": 2}

    def per_item(*args, **kwargs):
        raise AssertionError("the generic path was taken")

    monkeypatch.setattr(tok, "_encode_batch", per_item)
    assert tok(("chr1", 15, 35)) == {"input_ids": [0, 1], "attention_mask": [1, 1]}
    assert tok([("chr1", 15, 35), ("chrZ", 1, 2)], padding=False, truncation=None) == {
        "input_ids": [0, 1],
        "attention_mask": [1, 1],
    }
    assert tok(("chr2", 0, 6), return_attention_mask=False) == {"input_ids": [2]}
    assert tok.encode([("chr2", 0, 6)], add_special_tokens=False) == [2]
    with pytest.raises(AssertionError, match="generic path"):
        tok(("chr1", 15, 35), return_special_tokens_mask=True)
    with pytest.raises(AssertionError, match="generic path"):
        tok([("chr1", 15, 35)], padding=True)
