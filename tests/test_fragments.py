"""Fragments corpora: per-cell documents from a 10x fragments file."""

from __future__ import annotations

import gzip
import random
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from genovocab.cli import main
from genovocab.corpora.fragments import count_fragments, fragments_table, write_fragments_corpus
from genovocab.errors import InputError
from genovocab.tokenizers import IntervalTokenizer


def synthetic(
    tmp_path: Path, seed: int = 0, n_regions: int = 60, n_frags: int = 3000, n_cells: int = 40
) -> tuple[Path, Path, list, list]:
    rng = random.Random(seed)
    regions = []
    for chrom in ("chr1", "chr2", "chr3"):
        pos = 0
        for _ in range(n_regions // 3):
            pos += rng.randint(50, 400)
            length = rng.randint(100, 600)
            regions.append((chrom, pos, pos + length))
            pos += length
    universe = tmp_path / "u.bed"
    universe.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in regions))
    frags = []
    for _ in range(n_frags):
        chrom = rng.choice(("chr1", "chr2", "chr3", "chrM"))
        s = rng.randint(0, 20000)
        frags.append(
            (
                chrom,
                s,
                s + rng.randint(20, 500),
                f"CELL{rng.randrange(n_cells):03d}-1",
                rng.randint(1, 4),
            )
        )
    path = tmp_path / "fragments.tsv.gz"
    text = "# id=demo\n# pipeline=synthetic\n" + "".join(
        f"{c}\t{s}\t{e}\t{b}\t{n}\n" for c, s, e, b, n in frags
    )
    path.write_bytes(gzip.compress(text.encode()))
    return universe, path, regions, frags


def reference(regions, frags, unk_id=None):
    """Plain Python: per barcode, the ids of the regions each fragment overlaps."""
    out: dict[str, Counter] = {}
    for c, s, e, b, _ in frags:
        hits = [i for i, (rc, rs, re_) in enumerate(regions) if rc == c and rs < e and s < re_]
        if not hits and unk_id is not None:
            hits = [unk_id]
        out.setdefault(b, Counter()).update(hits)
    return out


def test_multisets_equal_plain_reference(tmp_path):
    universe, path, regions, frags = synthetic(tmp_path)
    tok = IntervalTokenizer.from_bed(universe)
    for unknown, unk in (("drop", None), ("unk", tok.unk_token_id)):
        counts = count_fragments(tok, path, unknown=unknown, chunk_lines=257)
        table = fragments_table(counts).to_pylist()
        ref = reference(regions, frags, unk)
        assert [r["barcode"] for r in table] == sorted(ref)
        for row in table:
            assert Counter(row["input_ids"]) == ref[row["barcode"]]
            assert row["n_fragments"] == sum(1 for f in frags if f[3] == row["barcode"])
        deduped = fragments_table(counts, dedupe=True).to_pylist()
        for row in deduped:
            assert dict(zip(row["input_ids"], row["counts"])) == dict(ref[row["barcode"]])


def test_equal_to_gtars_tokenize_fragment_file(tmp_path):
    gt = pytest.importorskip("gtars.tokenizers")
    universe, path, regions, frags = synthetic(tmp_path, seed=3)
    theirs = gt.tokenize_fragment_file(str(path), gt.Tokenizer.from_bed(str(universe)))
    tok = IntervalTokenizer.from_bed(universe)
    # gtars tokenizes each fragment as a document: no hit -> one <unk>
    ours = fragments_table(count_fragments(tok, path, unknown="unk")).to_pylist()
    assert sorted(theirs) == [r["barcode"] for r in ours]
    for row in ours:
        assert Counter(row["input_ids"]) == Counter(theirs[row["barcode"]])


def test_filters_shards_card_and_h5ad(tmp_path):
    universe, path, regions, frags = synthetic(tmp_path, seed=1)
    tok = IntervalTokenizer.from_bed(universe)
    n_by_cell = Counter(f[3] for f in frags)
    cut = sorted(n_by_cell.values())[len(n_by_cell) // 2]
    white = sorted(n_by_cell)[:30]
    h5 = tmp_path / "cells.h5ad"
    paths, stats = write_fragments_corpus(
        tok,
        path,
        tmp_path / "corpus",
        n_shards=2,
        dedupe=True,
        min_fragments=cut,
        whitelist=white,
        h5ad=h5 if _has_anndata() else None,
    )
    rows = [r for p in paths for r in pq.read_table(p).to_pylist()]
    want = sorted(b for b in white if n_by_cell[b] >= cut)
    assert [r["barcode"] for r in rows] == want and stats["cells"] == len(want)
    hub = pytest.importorskip("huggingface_hub")
    data = hub.DatasetCard.load(tmp_path / "corpus" / "README.md").data.to_dict()
    assert "single-cell" in data["tags"]
    if _has_anndata():
        import anndata

        adata = anndata.read_h5ad(h5)
        assert list(adata.obs_names) == want and adata.shape[1] == tok.n_regions
        first = rows[0]
        dense = adata.X[0].toarray().ravel()
        assert {i: int(dense[i]) for i in first["input_ids"]} == dict(
            zip(first["input_ids"], first["counts"])
        )


def _has_anndata() -> bool:
    try:
        import anndata  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(
    "line, message",
    [
        ("chr1\t10\tx\tA-1\t1", "line 3: end 'x' is not a non-negative integer"),
        ("chr1\t10\t5\tA-1\t1", "line 3: end 5 is not greater than start 10"),
        ("chr1\t-3\t5\tA-1\t1", "line 3: start '-3' is not"),
        ("chr1\t1\t5\tA-1\tmany", "line 3: count 'many' is not"),
        ("chr1\t1\t5", "needs 5 tab-separated columns"),
    ],
)
def test_bad_lines_are_located(tmp_path, line, message):
    universe = tmp_path / "u.bed"
    universe.write_text("chr1\t0\t100\n")
    path = tmp_path / "f.tsv"
    path.write_text(f"# header\nchr1\t1\t5\tA-1\t1\n{line}\n")
    tok = IntervalTokenizer.from_bed(universe)
    with pytest.raises(InputError, match=message):
        count_fragments(tok, path)


def test_cli(tmp_path, capsys):
    universe, path, regions, frags = synthetic(tmp_path, seed=2)
    assert (
        main(
            [
                "tokenize-fragments",
                "--universe",
                str(universe),
                "--fragments",
                str(path),
                "--dedupe",
                "--min-fragments",
                "2",
                "--out",
                str(tmp_path / "c"),
            ]
        )
        == 0
    )
    table = pq.read_table(tmp_path / "c" / "data")
    assert "counts" in table.column_names and min(table.column("n_fragments").to_pylist()) >= 2
    bad = tmp_path / "bad.tsv"
    bad.write_text("chr1\t5\t1\tA\t1\n")
    assert (
        main(
            [
                "tokenize-fragments",
                "--universe",
                str(universe),
                "--fragments",
                str(bad),
                "--out",
                str(tmp_path / "c2"),
            ]
        )
        == 1
    )
    assert "bad.tsv, line 1: end 1 is not greater than start 5" in capsys.readouterr().err
    assert not (tmp_path / "c2").exists()


def test_text_blocks_whole_lines_across_gzip_members(tmp_path):
    """The second-thread reader: blocks of whole lines, every gzip member, nothing lost."""
    import pyarrow as pa

    from genovocab.corpora.fragments import _text_blocks

    lines = [f"chr{i % 3}\t{i}\t{i + 50}\tBC{i % 7}\t1\n" for i in range(400)]
    text = "".join(lines).encode()
    members = tmp_path / "m.tsv.gz"  # three members, as bgzip and `cat a.gz b.gz` write
    members.write_bytes(
        b"".join(gzip.compress(text[a:b]) for a, b in ((0, 1000), (1000, 5003), (5003, len(text))))
    )
    plain = tmp_path / "p.tsv"
    plain.write_bytes(text)
    for path in (members, plain):
        for block_bytes in (64, 1000, 1 << 20):
            blocks = list(_text_blocks(path, block_bytes))
            assert b"".join(blocks) == text
            assert all(b.endswith(b"\n") for b in blocks)
            assert len(blocks) > 1 or block_bytes == 1 << 20
    truncated = tmp_path / "t.tsv.gz"
    truncated.write_bytes(gzip.compress(text)[:-20])
    with pytest.raises(pa.ArrowInvalid):
        list(_text_blocks(truncated, 1000))


def test_truncated_gzip_is_an_input_error(tmp_path):
    universe = synthetic(tmp_path)[0]
    tok = IntervalTokenizer.from_bed(universe)
    text = "".join(f"chr1\t{i}\t{i + 50}\tBC1\t1\n" for i in range(5000)).encode()
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(gzip.compress(text)[:-30])
    with pytest.raises(InputError, match=r"cut.tsv.gz.*truncated gzip"):
        count_fragments(tok, path)
