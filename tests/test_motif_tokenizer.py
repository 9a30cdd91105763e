"""MotifTokenizer: genome regions from the stored bins (by hand), DNA scanning, the contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import yaml

from genovocab.errors import GenovocabError, InputError
from genovocab.io.jaspar import read_matrices, write_jaspar
from genovocab.motifs.features import write_feature_table
from genovocab.motifs.patterns import active_patterns
from genovocab.motifs.sites import MatrixSet
from genovocab.motifs.token_files import write_csr_arrays
from genovocab.motifs.vocabulary import N_SPECIAL, UNK_ID, vocab_from_memory, write_vocab
from genovocab.tokenizers.motif import MotifParams, MotifTokenizer, write_tokenizer_folder
from tests.conftest import REPO

DEMO_PFMS = Path(__file__).resolve().parents[1] / "resources" / "demo" / "jaspar2022_demo.jaspar"
MATRICES = ("MA0139.1", "MA0079.5")  # CTCF, SP1
# Three small chromosomes; bins and cluster values written by hand (4 features -> 2 clusters).
CHROMS = {
    "chr1": (
        [0, 10, 25, 30, 50, 75, 100],
        [[0.6, 0.0], [0.0, 0.0], [0.6, 0.9], [0.0, 0.2], [0.6, 0.0], [0.0, 0.0]],
    ),
    "chr2": ([0, 15, 40], [[0.0, 0.7], [0.6, 0.0]]),
    "chr3": ([0, 20, 40, 60], [[0.0, 0.0], [0.6, 0.0], [0.0, 0.0]]),
}
LABELS = [0, 0, 1, 1]


def make_folder(
    root: Path, min_count: int = 1, vocab_size: int = 64, cpg: str = "none", before_write=None
) -> Path:
    """A motif tokenizer folder from hand-made motif-stage files; returns its path."""
    src = root / "stage"
    (src / "bins").mkdir(parents=True)
    matrices = [m for m in read_matrices(DEMO_PFMS) if m.matrix_id in MATRICES]
    write_jaspar(src / "pfms.jaspar", matrices)
    write_feature_table(src / "features.tsv", MatrixSet.from_matrices(matrices))
    ms = MatrixSet.from_matrices(matrices)
    rows = ["feature\tcluster\tmatrix_id\tname\tstrand"]
    for f, c in enumerate(LABELS):
        rows.append(f"{f}\t{c}\t{ms.ids[f // 2]}\t{ms.names[f // 2]}\t{'+-'[f % 2]}")
    (src / "clusters.tsv").write_text("\n".join(rows) + "\n")
    (src / "cluster_summary.tsv").write_text(
        "cluster\tsize\tmean_ids\tfeatures\tmembers\n0\t2\tNA\t0,1\tx\n1\t2\tNA\t2,3\ty\n"
    )
    np.save(src / "ids.npy", np.eye(4, dtype=np.float32))
    parts = {}
    for chrom, (edges, values) in CHROMS.items():
        np.save(src / "bins" / f"{chrom}.bins.npy", np.array(edges, dtype=np.int64))
        cf = sp.csr_matrix(np.array(values, dtype=np.float32))
        write_csr_arrays(src / "bins" / f"{chrom}.cf", cf)
        parts[chrom] = active_patterns(cf, 0.5)
    stacked = list(parts.values())
    sizes = np.concatenate([np.diff(p.indptr) for p in stacked])
    vocab = vocab_from_memory(
        np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        np.concatenate([p.indices for p in stacked]),
        np.concatenate([p.counts for p in stacked]),
        size=vocab_size,
        min_count=min_count,
    )
    write_vocab(src / "token_vocab.tsv", vocab)
    for chrom, part in parts.items():
        np.save(
            src / "bins" / f"{chrom}.tokens.npy",
            vocab.token_ids(part.indptr, part.indices)[part.inverse],
        )
    names = list(CHROMS)
    folder = root / "tokenizer"
    if before_write is not None:
        before_write(src)
    write_tokenizer_folder(
        folder,
        chroms=names,
        chrom_sizes={c: CHROMS[c][0][-1] for c in names},
        bins=[src / "bins" / f"{c}.bins.npy" for c in names],
        cluster_features=[src / "bins" / f"{c}.cf" for c in names],
        tokens=[src / "bins" / f"{c}.tokens.npy" for c in names],
        token_vocab=src / "token_vocab.tsv",
        features=src / "features.tsv",
        ids=src / "ids.npy",
        clusters=src / "clusters.tsv",
        cluster_summary=src / "cluster_summary.tsv",
        pfms=src / "pfms.jaspar",
        params=MotifParams(min_count=min_count, vocab_size=vocab_size, cpg=cpg, matrices=MATRICES),
        model_max_length=8,
    )
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return make_folder(tmp_path_factory.mktemp("motif_tok"))


def pattern_id(tok: MotifTokenizer, row) -> int:
    """Token id of a cluster row, computed from the vocabulary file by hand (its active
    clusters strongest first: the vocabulary of the folder holds every such pattern)."""
    row = np.asarray(row)
    key = tuple(sorted((int(i) for i in np.flatnonzero(row >= 0.5)), key=lambda c: (-row[c], c)))
    return tok.get_vocab().get("+".join(f"m{c}" for c in key) if key else "m-", UNK_ID)


@pytest.mark.parametrize(
    "chrom,start,end,want",
    [
        ("chr1", 0, 5, [0]),  # chromosome start, inside the first bin
        ("chr1", 95, 100, [5]),  # chromosome end
        ("chr1", 12, 20, [1]),  # inside one bin
        ("chr1", 5, 60, [0, 1, 2, 3, 4]),  # many bins
        ("chr1", 0, 100, [0, 1, 2, 3, 4, 5]),  # the whole chromosome
        ("chr1", 25, 30, [2]),  # exactly one bin
        ("chr2", 14, 16, [0, 1]),  # across one edge
    ],
)
def test_genome_path_returns_stored_bins(folder, chrom, start, end, want):
    tok = MotifTokenizer.from_pretrained(folder)
    edges, values = CHROMS[chrom]
    enc = tok((chrom, start, end), cluster_format="dense")
    assert enc["bin_starts"] == [edges[i] for i in want]
    assert enc["bin_ends"] == [edges[i + 1] for i in want]
    assert enc["input_ids"] == [pattern_id(tok, values[i]) for i in want]
    assert np.allclose(enc["cluster_values"], [values[i] for i in want])
    assert enc["attention_mask"] == [1] * len(want)
    sparse = tok(f"{chrom}:{start}-{end}")  # string form, sparse format
    dense = np.zeros((len(want), 2), dtype=np.float32)
    for b, (ci, cv) in enumerate(zip(sparse["cluster_indices"], sparse["cluster_values"])):
        for i, v in zip(ci, cv):
            if i >= 0:
                dense[b, i] = v
            else:
                assert v == 0
    assert np.allclose(dense, [values[i] for i in want])


def test_genome_path_is_memory_mapped(folder):
    tok = MotifTokenizer.from_pretrained(folder)
    tok(("chr1", 0, 10))
    arrays = tok.genome.arrays("chr1")
    assert all(
        isinstance(getattr(arrays, n), np.memmap)
        for n in ("edges", "ids", "indptr", "indices", "values")
    )
    assert "chr2" not in tok.genome._open  # chromosomes open on first use only


def test_bad_regions(folder):
    tok = MotifTokenizer.from_pretrained(folder)
    with pytest.raises(GenovocabError, match="chromosome 'chrX' is not in the motif tokenizer"):
        tok(("chrX", 0, 10))
    with pytest.raises(GenovocabError, match=r"region chr1:90-120 is not inside chr1 \(0-100\)"):
        tok(("chr1", 90, 120))
    with pytest.raises(GenovocabError, match="not a region"):
        tok(["chr1:10"])


def test_contract_padding_truncation_specials_save(folder, tmp_path):
    tok = MotifTokenizer.from_pretrained(folder)
    assert tok.vocab_size == len(tok.get_vocab()) == N_SPECIAL + len(tok.vocab.patterns)
    assert tok.pad_token_id == 0 and tok.unk_token_id == 1 and tok.mask_token_id == 4
    assert tok.model_max_length == 8
    batch = tok([("chr1", 0, 100), ("chr2", 0, 40)], padding=True, return_tensors="np")
    assert batch["input_ids"].shape == (2, 6) and batch["cluster_values"].shape == (2, 6, 2)
    assert batch["attention_mask"].tolist() == [[1] * 6, [1, 1, 0, 0, 0, 0]]
    assert batch["input_ids"][1, 2:].tolist() == [0] * 4
    assert batch["bin_starts"][1].tolist() == [0, 15, -1, -1, -1, -1]
    assert np.all(batch["cluster_values"][1, 2:] == 0)
    cut = tok(("chr1", 0, 100), truncation=True, max_length=3, cluster_format="dense")
    assert cut["bin_starts"] == [0, 10, 25] and len(cut["cluster_values"]) == 3
    framed = MotifTokenizer.from_pretrained(folder, add_cls_sep=True)
    enc = framed(("chr2", 0, 40), cluster_format="dense")
    assert enc["input_ids"][0] == framed.cls_token_id and enc["input_ids"][-1] == 3
    assert enc["bin_starts"] == [-1, 0, 15, -1] and enc["cluster_values"][0] == [0.0, 0.0]
    # pad() (what data collators call) on sparse items of different widths
    items = [tok(("chr1", 0, 100)), tok(("chr3", 0, 20))]
    padded = tok.pad(items, return_tensors="np")
    assert padded["cluster_indices"].shape == (2, 6, 2)
    assert padded["cluster_indices"][1, 0].tolist() == [-1, -1]
    tok.save_pretrained(tmp_path / "copy")
    again = MotifTokenizer.from_pretrained(tmp_path / "copy")
    assert again(("chr1", 5, 60)) == tok(("chr1", 5, 60))
    config = json.loads((folder / "motif_tokenizer_config.json").read_text())
    assert config["binning"] == {"sigma": 3.0, "peak_width": 5.0, "max_bin": 50, "trim_step": 25}
    assert config["scanning"]["min_relative"] == 800 and config["n_clusters"] == 2


def test_transformers_collator_and_dataloader(folder):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tok = MotifTokenizer.from_pretrained(folder)
    items = [
        tok(r, cluster_format="dense") for r in [("chr1", 0, 100), ("chr2", 0, 40), ("chr3", 0, 60)]
    ]
    collator = transformers.DataCollatorWithPadding(tok, return_tensors="pt")
    loader = torch.utils.data.DataLoader(items, batch_size=2, collate_fn=collator)
    first = next(iter(loader))
    assert first["input_ids"].shape == (2, 6)
    assert first["cluster_values"].dtype == torch.float32
    assert first["cluster_values"].shape == (2, 6, 2)
    assert first["attention_mask"].sum().item() == 8


def test_encode_dna_activates_planted_clusters(tmp_path):
    folder = make_folder(tmp_path)
    tok = MotifTokenizer.from_pretrained(folder)
    matrices = {m.matrix_id: m for m in read_matrices(DEMO_PFMS)}
    rng = np.random.default_rng(3)
    seq = np.array(list("ACGT"))[rng.integers(0, 4, size=600)]
    planted = {}
    for mid, pos in (("MA0139.1", 150), ("MA0079.5", 400)):
        counts = matrices[mid].counts
        consensus = np.array(list("ACGT"))[counts.argmax(axis=0)]
        seq[pos : pos + consensus.size] = consensus
        planted[mid] = (pos, pos + consensus.size)
    dna = "".join(seq)
    sites = tok.dna_encoder.scan(dna)
    ms = MatrixSet.from_matrices(matrices[m] for m in MATRICES)
    for mid, (s, _) in planted.items():
        k = ms.ids.index(mid)
        hit = (sites.start == s) & (sites.feature == 2 * k)  # + strand, as planted
        assert hit.sum() == 1, mid
    bins = tok.dna_bins(dna)
    assert bins.starts[0] == 0 and bins.ends[-1] == len(dna)
    assert np.all(bins.starts[1:] == bins.ends[:-1])
    for mid, (s, e) in planted.items():
        cluster = ms.ids.index(mid)  # matrix k's two strands are cluster k
        over = (bins.starts < e) & (bins.ends > s)
        values = bins.clusters.toarray()[over, cluster]
        # the planted + site's values over its bins sum to 1, so the cluster (mean of the two
        # strands) holds at least 0.5 over them
        assert values.sum() >= 0.5 - 1e-6
    enc = tok.encode_dna(dna, cluster_format="dense")
    assert enc["bin_starts"] == bins.starts.tolist()
    assert enc["input_ids"] == [pattern_id(tok, r) for r in bins.clusters.toarray()]
    lower = tok.encode_dna(dna.lower(), cluster_format="dense")
    assert lower["input_ids"] == enc["input_ids"]
    assert (
        tok.encode_dna([dna, dna[:300]], padding=True, return_tensors="np")["input_ids"].shape[0]
        == 2
    )


# --------------------------------------------------------------------------- the demo run

AGREEMENT_THRESHOLD = 0.9  # measured on the demo: 0.964 over these 15 regions of 20 kb


@pytest.fixture(scope="module")
def demo_tokenizer(demo_run):
    found = sorted((demo_run / "results").glob("*.work/motifs/tokenizer"))
    assert len(found) == 1, found
    return MotifTokenizer.from_pretrained(found[0])


@pytest.mark.workflow
def test_demo_folder_holds_the_bounded_vocabulary(demo_tokenizer, demo_run):
    """Every bin has a real token (no <unk>), the vocabulary is at most the configured size,
    its counts are the bins of the stored token ids, its Zipf fit is theirs."""
    from genovocab.motifs.vocabulary import DEFAULT_VOCAB_SIZE, zipf_fit

    tok = demo_tokenizer
    stats = json.loads((tok.folder / "vocab_stats.json").read_text())
    assert stats["vocab_size"] == tok.vocab_size <= DEFAULT_VOCAB_SIZE
    assert stats["unk_share"] == 0 and stats["rule"] == "backoff"
    from genovocab.evaluation.holdout import training_chromosomes

    # the vocabulary is trained without the evaluation's held-out chromosome (the test split)
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    trained = training_chromosomes(
        demo["motifs"]["corpus"]["splits"]["test"], list(tok.genome.lengths)
    )
    assert 0 < len(trained) < len(tok.genome.lengths)
    counts = np.zeros(tok.vocab_size, dtype=np.int64)
    for chrom in tok.genome.lengths:
        stored = np.asarray(tok.genome.arrays(chrom).ids)
        assert stored.min() >= N_SPECIAL  # never a special token, never <unk>
        if chrom in trained:
            counts += np.bincount(stored, minlength=tok.vocab_size)
    assert np.array_equal(counts[N_SPECIAL:], tok.vocab.counts)
    assert stats["zipf"]["pearson_r"] == pytest.approx(zipf_fit(counts)["pearson_r"], abs=1e-9)
    assert 0 < stats["fraction_active_clusters_kept"] <= 1
    assert 0 < stats["fraction_active_value_kept"] <= 1
    assert (tok.folder / "token_map.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.workflow
def test_demo_encode_dna_agrees_with_genome_path(demo_tokenizer, demo_run):
    """The DNA path (scan on the fly) and the genome path (stored bins) agree on >= 90 % of
    the bases; where a bin agrees (same edges, same cluster vector) its token is the same,
    always, and the tokens agree on as many bases as the bins."""
    from genovocab.io.fasta import open_fasta
    from genovocab.tokenizers.motif import bp_agreement

    tok = demo_tokenizer
    fasta = sorted((demo_run / "resources").glob("*/genome/genome.fa"))[0]
    fa = open_fasta(fasta)
    rng = np.random.default_rng(0)
    agree = total = same_bins = token_bp = 0
    for chrom, length in tok.genome.lengths.items():
        for start in rng.integers(20_000, length - 30_000, size=5).tolist():
            end = start + 20_000
            genome = tok.region_bins(chrom, start, end)
            dna = tok.dna_bins(fa[chrom][start:end])
            dna.starts += start
            dna.ends += start
            a, n = bp_agreement(genome, dna, margin=100)
            agree, total = agree + a, total + n
            where = {
                (int(s), int(e)): k for k, (s, e) in enumerate(zip(genome.starts, genome.ends))
            }
            for k, (s, e) in enumerate(zip(dna.starts.tolist(), dna.ends.tolist())):
                j = where.get((s, e))
                if j is None or (genome.clusters[j] != dna.clusters[k]).nnz:
                    continue
                assert dna.ids[k] == genome.ids[j], (chrom, s, e)
                same_bins += 1
            lo, hi = start + 100, end - 100
            pos = np.arange(lo, hi)
            g_ids = genome.ids[np.searchsorted(genome.ends, pos, side="right")]
            d_ids = dna.ids[np.searchsorted(dna.ends, pos, side="right")]
            token_bp += int((g_ids == d_ids).sum())
    assert total == 15 * (20_000 - 200)
    assert agree / total >= AGREEMENT_THRESHOLD
    assert same_bins > 1000 and token_bp >= agree


@pytest.mark.workflow
def test_demo_motif_corpus_loads_with_targets(demo_run):
    pytest.importorskip("datasets")
    found = sorted((demo_run / "results").glob("*.work/corpora/motif_fragments"))
    assert len(found) == 1
    from genovocab.corpora.motif import load_motif_corpus

    tok = MotifTokenizer.from_pretrained(found[0].parent.parent / "motifs" / "tokenizer")
    ds = load_motif_corpus(found[0], tok)  # rows by reference: bins read from the tokenizer
    assert set(ds) == {"train", "validation", "test"}
    assert set(ds["validation"]["chrom"]) == {"chr2"} and set(ds["test"]["chrom"]) == {"chr3"}
    row = ds["train"][0]
    assert len(row["input_ids"]) == len(row["targets"]) == 1250
    assert len(row["targets"][0]) == 1


def test_cli_motif_tokenize(folder, tmp_path, capsys):
    import pyarrow.parquet as pq

    from genovocab.cli import main

    tok = MotifTokenizer.from_pretrained(folder)
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t5\t60\nchr2\t14\t16\n")
    assert (
        main(
            [
                "motif-tokenize",
                "--regions",
                str(bed),
                "--tokenizer",
                str(folder),
                "--out",
                str(tmp_path / "r.parquet"),
            ]
        )
        == 0
    )
    rows = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [r["id"] for r in rows] == ["chr1:5-60", "chr2:14-16"]
    want = tok(("chr1", 5, 60), cluster_format="dense")
    assert rows[0]["input_ids"] == want["input_ids"]
    assert rows[0]["bin_starts"] == want["bin_starts"] == [0, 10, 25, 30, 50]
    assert rows[0]["cluster_indices"][2] == [0, 1] and rows[0]["cluster_indices"][1] == []
    fasta = tmp_path / "s.fa"
    rng = np.random.default_rng(5)
    seqs = ["".join(np.array(list("ACGT"))[rng.integers(0, 4, size=n)]) for n in (300, 80)]
    fasta.write_text(f">a desc\n{seqs[0][:100]}\n{seqs[0][100:]}\n>b\n{seqs[1]}\n")
    assert (
        main(
            [
                "motif-tokenize",
                "--fasta",
                str(fasta),
                "--tokenizer",
                str(folder),
                "--out",
                str(tmp_path / "s.parquet"),
            ]
        )
        == 0
    )
    rows = pq.read_table(tmp_path / "s.parquet").to_pylist()
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["input_ids"] == tok.encode_dna(seqs[0])["input_ids"]
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t5\t60\nchr1\t90\t120\n")
    assert (
        main(
            [
                "motif-tokenize",
                "--regions",
                str(bad),
                "--tokenizer",
                str(folder),
                "--out",
                str(tmp_path / "bad.parquet"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "bad.bed, line 2" in err and not (tmp_path / "bad.parquet").exists()


@pytest.mark.workflow
def test_demo_encode_dna_sites_equal_the_genome_scan(demo_tokenizer, demo_run):
    from genovocab.io.fasta import open_fasta
    from genovocab.motifs.sites import read_site_file

    tok = demo_tokenizer
    res = sorted((demo_run / "resources").glob("*/genome/genome.fa"))[0].parents[1]
    fa = open_fasta(res / "genome" / "genome.fa")
    for chrom, start, end in (("chr1", 100_000, 130_000), ("chr3", 5_000, 25_000)):
        genome = read_site_file(res / "motifs" / "sites" / f"{chrom}.parquet")
        inside = (genome.start >= start) & (genome.start + genome.length <= end)
        want = genome.take(np.flatnonzero(inside))
        got = tok.dna_encoder.scan(fa[chrom][start:end])
        assert len(want) > 100
        for name in ("start", "length", "feature", "score", "neglog10p"):
            w = getattr(want, name) - (start if name == "start" else 0)
            assert np.array_equal(getattr(got, name), w), name


def test_bp_agreement_by_hand():
    from genovocab.tokenizers.motif import Bins, bp_agreement

    def bins(edges, rows):
        e = np.array(edges, dtype=np.int64)
        return Bins(
            e[:-1],
            e[1:],
            np.zeros(len(rows), np.int32),
            sp.csr_matrix(np.array(rows, dtype=np.float32)),
        )

    genome = bins([0, 10, 20, 30, 40], [[1, 0], [0, 1], [0, 0], [1, 1]])
    dna = bins([0, 10, 15, 30, 40], [[1, 0], [0, 1], [0, 0], [1, 0.5]])
    # bin 0-10 agrees (edges + vector); 10-15, 15-30 have other edges; 30-40 another vector
    assert bp_agreement(genome, dna, margin=0) == (10, 40)
    assert bp_agreement(genome, dna, margin=5) == (5, 30)


def test_cluster_ids_beyond_the_clusters_are_refused(tmp_path):
    def corrupt(src):
        np.save(src / "bins" / "chr2.cf.indices.npy", np.array([1, 7], dtype=np.int32))

    with pytest.raises(
        InputError,
        match=r"chr2.cf.indices.npy: cluster 7 is not among the 2 "
        r"clusters",
    ):
        make_folder(tmp_path, before_write=corrupt)
    assert not (tmp_path / "tokenizer").exists()
