"""IntervalTokenizer: vocabulary layout, options, inputs, padding, save/load, gtars equality."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genovocab.errors import InputError
from genovocab.tokenizers import IntervalTokenizer

UNIVERSE = "chr1\t100\t200\nchr1\t150\t400\nchr1\t160\t170\nchr1\t150\t400\nchr2\t0\t50\n"
# file order, the duplicate line takes no id: 0 chr1:100-200, 1 chr1:150-400, 2 chr1:160-170,
# 3 chr2:0-50; specials 4..
pytestmark = pytest.mark.filterwarnings("ignore:.*not position-sorted")


def write(path: Path, text: str) -> Path:
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_bytes(text.encode())
    return path


@pytest.fixture
def tok(tmp_path) -> IntervalTokenizer:
    return IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE), empty_document="empty")


class Region:
    """A gtars-style region object (``.chr``, ``.start``, ``.end``)."""

    def __init__(self, chrom, start, end):
        self.chr, self.start, self.end = chrom, start, end


QUERY = [
    ("chr1", 199, 200),
    ("chr3", 0, 10),
    ("chr1", 165, 166),
    ("chr1", 0, 100),
    ("chr2", 49, 60),
]


def test_vocabulary_layout(tok):
    assert tok.n_regions == 4 and tok.vocab_size == 11 and len(tok) == 11
    vocab = tok.get_vocab()
    assert [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])] == [
        "chr1:100-200",
        "chr1:150-400",
        "chr1:160-170",
        "chr2:0-50",
        "<unk>",
        "<pad>",
        "<mask>",
        "<cls>",
        "<eos>",
        "<bos>",
        "<sep>",
    ]
    assert (
        tok.unk_token_id,
        tok.pad_token_id,
        tok.mask_token_id,
        tok.cls_token_id,
        tok.eos_token_id,
        tok.bos_token_id,
        tok.sep_token_id,
    ) == (4, 5, 6, 7, 8, 9, 10)
    assert tok.unk_token == "<unk>" and tok.pad_token == "<pad>" and tok.sep_token == "<sep>"
    assert tok.special_tokens_map["mask_token"] == "<mask>"
    assert tok.all_special_ids == list(range(4, 11))


def test_default_call(tok):
    enc = tok(QUERY)
    assert enc["input_ids"] == [0, 1, 0, 1, 2, 3]
    assert enc.attention_mask == [1] * 6
    assert tok.encode(QUERY) == [0, 1, 0, 1, 2, 3]
    assert tok.tokenize(QUERY) == [
        "chr1:100-200",
        "chr1:150-400",
        "chr1:100-200",
        "chr1:150-400",
        "chr1:160-170",
        "chr2:0-50",
    ]


def test_input_forms_agree(tok, tmp_path):
    path = write(tmp_path / "q.bed", "".join(f"{c}\t{s}\t{e}\tx\n" for c, s, e in QUERY))
    frame = pd.DataFrame(QUERY, columns=["chrom", "start", "end"])
    frame2 = pd.DataFrame(
        {
            "score": [1] * 5,
            "End": [r[2] for r in QUERY],
            "chr": [r[0] for r in QUERY],
            "Start": [r[1] for r in QUERY],
        }
    )
    want = [0, 1, 0, 1, 2, 3]
    assert tok.encode(str(path)) == want
    assert tok.encode(path) == want
    assert tok.encode(frame) == want
    assert tok.encode(frame2) == want
    assert tok.encode([Region(*r) for r in QUERY]) == want
    assert tok.encode(tuple(QUERY)) == want
    assert tok.encode(("chr2", 10, 20)) == [3]
    assert tok.encode([]) == []


def test_batches_padding_truncation(tok):
    batch = [QUERY, [("chr2", 1, 2)], []]
    assert tok.encode(batch) == [[0, 1, 0, 1, 2, 3], [3], []]
    enc = tok(batch, padding=True)
    assert enc["input_ids"] == [[0, 1, 0, 1, 2, 3], [3, 5, 5, 5, 5, 5], [5] * 6]
    assert enc["attention_mask"] == [[1] * 6, [1, 0, 0, 0, 0, 0], [0] * 6]
    enc = tok(batch, padding="max_length", truncation=True, max_length=3)
    assert enc["input_ids"] == [[0, 1, 0], [3, 5, 5], [5, 5, 5]]
    assert enc["attention_mask"] == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    arr = tok(batch, padding=True, return_tensors="np")
    assert arr["input_ids"].shape == (3, 6) and arr["input_ids"][1].tolist() == [3] + [5] * 5
    single = tok(QUERY, return_tensors="np")
    assert single["input_ids"].tolist() == [[0, 1, 0, 1, 2, 3]]
    with pytest.raises(ValueError, match="use padding=True"):
        tok(batch, return_tensors="np")
    with pytest.raises(ValueError, match="needs max_length"):
        tok(batch, padding="max_length")
    assert tok.tokenize(batch)[1] == ["chr2:0-50"]


def test_return_tensors_pt(tok):
    torch = pytest.importorskip("torch")
    enc = tok([QUERY, [("chr2", 1, 2)]], padding=True, return_tensors="pt")
    assert isinstance(enc["input_ids"], torch.Tensor)
    assert enc["input_ids"].tolist() == [[0, 1, 0, 1, 2, 3], [3, 5, 5, 5, 5, 5]]


def test_unknown_order_dedupe_options(tmp_path):
    u = write(tmp_path / "u.bed", UNIVERSE)
    unk = IntervalTokenizer.from_bed(u, unknown="unk")
    # chr3 (absent chromosome) and chr1:0-100 (no hit) each become one <unk>, in place
    assert unk.encode(QUERY) == [0, 1, 4, 0, 1, 2, 4, 3]
    genomic = IntervalTokenizer.from_bed(u, order="genomic")
    assert genomic.encode(QUERY[::-1]) == [0, 0, 1, 1, 2, 3]
    assert IntervalTokenizer.from_bed(u, dedupe=True).encode(QUERY) == [0, 1, 2, 3]
    both = IntervalTokenizer.from_bed(u, unknown="unk", order="genomic", dedupe=True)
    assert both.encode(QUERY) == [0, 1, 2, 3, 4]
    # minimums: chr1:150-200 shares 50 bp with 0 (50 % of it), 50 with 1, 10 with 2
    q = [("chr1", 150, 200)]
    assert IntervalTokenizer.from_bed(u).encode(q) == [0, 1, 2]
    assert IntervalTokenizer.from_bed(u, min_overlap=11).encode(q) == [0, 1]
    assert IntervalTokenizer.from_bed(u, min_query_fraction=0.5).encode(q) == [0, 1]
    assert IntervalTokenizer.from_bed(u, min_region_fraction=0.5).encode(q) == [0, 2]
    assert IntervalTokenizer.from_bed(u, min_region_fraction=0.5, unknown="unk").encode(
        [("chr1", 390, 400)]
    ) == [4]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"unknown": "keep"}, "unknown must be"),
        ({"order": "random"}, "order must be"),
        ({"min_overlap": 0}, "min_overlap must be"),
        ({"min_query_fraction": 1.5}, "between 0 and 1"),
    ],
)
def test_bad_options(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        IntervalTokenizer.from_bed(write(tmp_path / "u.bed", UNIVERSE), **kwargs)


def test_bad_inputs(tok, tmp_path):
    with pytest.raises(InputError, match=r"<regions>, line 2: start 9 is greater than end 5"):
        tok.encode([("chr1", 1, 2), ("chr1", 9, 5)])
    with pytest.raises(InputError, match=r"<DataFrame>, line 1: start -4 is not a non-neg"):
        tok.encode(pd.DataFrame({"chrom": ["chr1"], "start": [-4], "end": [3]}))
    # every row is checked, not only the first; lists, tuples and frames alike
    for bad, shown in (
        (1.5, "1.5"),
        (float("nan"), "nan"),
        ("7", "'7'"),
        (True, "True"),
        (-1, "-1"),
    ):
        with pytest.raises(InputError, match=rf"<regions>, line 3: end {shown} is not"):
            tok.encode([("chr1", 1, 2), ("chr1", 3, 4), ("chr1", 5, bad)])
        with pytest.raises(InputError, match=r"<regions>, line 2: start"):
            tok.encode([[("chr1", 1, 2)], (("chr1", 1, 2), ("chr1", bad, 9))])
    with pytest.raises(InputError, match=r"<DataFrame>, line 2: start nan is not"):
        tok.encode(pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [1, np.nan], "end": [3, 4]}))
    with pytest.raises(InputError, match=r"<DataFrame>, line 2: end 'x' is not"):
        tok.encode(pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [1, 2], "end": [3, "x"]}))
    assert tok.encode([("chr1", 100.0, 101.0)]) == [0]  # integer-valued floats are fine
    with pytest.raises(InputError, match=r"q.bed, line 2: end 'z' is not an integer"):
        tok.encode(write(tmp_path / "q.bed", "chr1\t1\t2\nchr1\t3\tz\n"))
    with pytest.raises(TypeError, match="cannot tokenize"):
        tok.encode(42)


def test_conversions(tok):
    assert tok.convert_tokens_to_ids("chr1:160-170") == 2
    assert tok.convert_tokens_to_ids(["chr2:0-50", "<pad>", "chr9:1-2", "junk"]) == [3, 5, 4, 4]
    assert tok.convert_ids_to_tokens(1) == "chr1:150-400"
    assert tok.convert_ids_to_tokens([3, 4, 10]) == ["chr2:0-50", "<unk>", "<sep>"]
    assert tok.decode([0, 2, 5, 5]) == "chr1:100-200 chr1:160-170 <pad> <pad>"
    assert tok.decode([0, 2, 5], skip_special_tokens=True) == "chr1:100-200 chr1:160-170"
    assert tok.batch_decode(np.array([[0, 5], [3, 5]]), skip_special_tokens=True) == [
        "chr1:100-200",
        "chr2:0-50",
    ]
    assert tok.get_special_tokens_mask([0, 4, 5], already_has_special_tokens=True) == [0, 1, 1]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.convert_ids_to_tokens([11])


def test_save_and_load_round_trip(tmp_path):
    tok = IntervalTokenizer.from_bed(
        write(tmp_path / "u.bed", UNIVERSE), unknown="unk", min_overlap=3
    )
    paths = [Path(p) for p in tok.save_pretrained(tmp_path / "tok")]
    assert [p.name for p in paths] == [
        "universe.bed.gz",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "tokenizer.toml",
    ]
    assert paths[3].read_text() == 'universe = "universe.bed.gz"\n'
    assert gzip.decompress(paths[0].read_bytes()).decode() == (
        "chr1\t100\t200\nchr1\t150\t400\nchr1\t160\t170\nchr2\t0\t50\n"
    )
    config = json.loads(paths[1].read_text())
    assert config["options"]["unknown"] == "unk" and config["options"]["min_overlap"] == 3
    assert config["special_token_ids"]["unk_token_id"] == 4 and config["vocab_size"] == 11
    again = IntervalTokenizer.from_pretrained(tmp_path / "tok")
    assert again.options() == tok.options()
    assert again.get_vocab() == tok.get_vocab()
    assert again.encode(QUERY) == tok.encode(QUERY)
    first = paths[0].read_bytes() + paths[1].read_bytes()
    again.save_pretrained(tmp_path / "tok")
    assert paths[0].read_bytes() + paths[1].read_bytes() == first  # deterministic
    with pytest.raises(InputError, match="no tokenizer_config.json"):
        IntervalTokenizer.from_pretrained(tmp_path)


def test_bed6_and_ccre_universes_load(tmp_path):
    bed6 = write(tmp_path / "u6.bed", "chr1\t100\t200\tpeak one\t5\t+\nchr1\t0\t10\tp2\t0\t-\n")
    assert IntervalTokenizer.from_bed(bed6).get_vocab()["chr1:0-10"] == 1  # line order
    ccre_v3 = write(
        tmp_path / "v3.bed",
        "chr1\t10\t20\tEH38D1\tEH38E1\tpELS,CTCF-bound\nchr1\t5\t8\tEH38D2\tEH38E2\tdELS\n",
    )
    assert IntervalTokenizer.from_bed(ccre_v3).tokenize([("chr1", 0, 100)]) == [
        "chr1:5-8",
        "chr1:10-20",
    ]


def test_universe_order_never_lexicographic(tmp_path):
    u = write(tmp_path / "u.bed", "chr10\t0\t10\nchr2\t0\t10\nchr1\t0\t10\n")
    tok = IntervalTokenizer.from_bed(u)
    assert tok.convert_ids_to_tokens([0, 1, 2]) == ["chr10:0-10", "chr2:0-10", "chr1:0-10"]
    sizes = write(tmp_path / "g.sizes", "chr1\t100\nchr2\t100\nchr10\t100\n")
    tok = IntervalTokenizer.from_bed(u, chrom_sizes=sizes)
    # chrom.sizes checks the regions; ids stay in line order (as gtars)
    assert tok.convert_ids_to_tokens([0, 1, 2]) == ["chr10:0-10", "chr2:0-10", "chr1:0-10"]


def test_real_ccre_v4_universe(real_data):
    path = real_data / "ccre_v4_chr20_slice" / "ENCFF420VPZ.example.bed.gz"
    tok = IntervalTokenizer.from_bed(path)
    lines = [line.split("\t") for line in gzip.open(path, "rt").read().splitlines()]
    assert tok.n_regions == len({(f[0], f[1], f[2]) for f in lines}) == 2755
    first = sorted((int(f[1]), int(f[2])) for f in lines)[0]
    assert tok.convert_ids_to_tokens(0) == f"chr20:{first[0]}-{first[1]}"


# ----------------------------------------------------------------- gtars (peers)
def gtars_ids(universe_path: Path, regions) -> list[int]:
    gtars_tok = pytest.importorskip("gtars.tokenizers")
    gt = gtars_tok.Tokenizer.from_bed(str(universe_path))
    return list(gt([Region(*r) for r in regions])["input_ids"])


@pytest.mark.peers
@pytest.mark.parametrize("seed", range(4))
def test_ids_equal_gtars_random(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = 2000
    chroms = rng.choice(["chr1", "chr2", "chrX"], n)
    starts = rng.integers(0, 100_000, n)
    ends = starts + rng.integers(1, 800, n)
    ends[rng.random(n) < 0.05] += 5_000  # nested and overlapping regions
    u = write(
        tmp_path / "u.bed",
        "".join(f"{c}\t{s}\t{e}\tn\t0\t+\n" for c, s, e in zip(chroms, starts, ends)),
    )
    tok = IntervalTokenizer.from_bed(u)
    saved = tok.save_pretrained(tmp_path / "tok")[0]
    qc = rng.choice(["chr1", "chr2", "chrX", "chrUn"], 3000)
    qs = rng.integers(0, 110_000, 3000)
    queries = [(str(c), int(s), int(s + w)) for c, s, w in zip(qc, qs, rng.integers(1, 1000, 3000))]
    ours = tok.encode(queries)
    assert len(ours) > 1000
    assert ours == gtars_ids(saved, queries)
    gtars_tok = pytest.importorskip("gtars.tokenizers")
    gt = gtars_tok.Tokenizer.from_bed(str(saved))
    assert tok.convert_tokens_to_ids(gt.tokenize([Region(*r) for r in queries])) == ours
    assert gt.get_vocab() == tok.get_vocab()


@pytest.mark.peers
def test_ids_equal_gtars_real_data(tmp_path, real_data):
    peaks = sorted((real_data / "chipatlas_hg38_peaks").glob("*.bed.gz"))
    lines = []
    for p in peaks:
        lines += gzip.open(p, "rt").read().splitlines()
    u = write(tmp_path / "peaks.bed", "\n".join(lines) + "\n")  # overlapping, unsorted
    tok = IntervalTokenizer.from_bed(u)
    saved = tok.save_pretrained(tmp_path / "tok")[0]
    query_path = real_data / "misc" / "test_big_hg38.bed.gz"
    regions = [
        (f[0], int(f[1]), int(f[2]))
        for f in (line.split("\t") for line in gzip.open(query_path, "rt").read().splitlines())
    ]
    ours = tok.encode(query_path)
    assert len(ours) > 100
    assert ours == gtars_ids(saved, regions)


def test_collators_and_dataloader(tok):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    feats = [tok(QUERY), tok([("chr2", 1, 2)]), tok([("chr1", 150, 151)])]
    loader = torch.utils.data.DataLoader(
        feats, batch_size=3, collate_fn=transformers.DataCollatorWithPadding(tok)
    )
    batch = next(iter(loader))
    assert batch["input_ids"].tolist() == [
        [0, 1, 0, 1, 2, 3],
        [3, 5, 5, 5, 5, 5],
        [0, 1, 5, 5, 5, 5],
    ]
    assert batch["attention_mask"].tolist()[1] == [1, 0, 0, 0, 0, 0]
    np_batch = tok.pad(feats, return_tensors="np")  # numpy always, torch or not
    assert np_batch["input_ids"].shape == (3, 6)
    mlm = transformers.DataCollatorForLanguageModeling(tok, mlm_probability=0.5, seed=1)
    out = mlm([{"input_ids": f["input_ids"]} for f in feats])
    assert (out["labels"][batch["attention_mask"] == 0] == -100).all()
    assert (
        (out["input_ids"] == tok.mask_token_id)
        | (out["labels"] == -100)
        | (out["input_ids"] < tok.vocab_size)
    ).all()
