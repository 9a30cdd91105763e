"""IDS: exact and streaming against a plain dense reference written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from genovocab.errors import GenovocabError, InputError
from genovocab.motifs import ids as idsmod
from genovocab.motifs.ids import (
    IDSAccumulator,
    allocate_sample,
    ids,
    read_ids,
    reduce_partials,
    sample_rows,
    transform,
    write_ids,
)

NORMS = ("max", "2", "1")


def reference_ids(X, terms=6, bandwidth=0.5, norm="max"):
    """Dense reference: transform every column, np.corrcoef, reshape, aggregate."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    d = X.shape[1]
    P = np.hstack(
        [np.exp(-bandwidth * X * X) * X**k / math.sqrt(math.factorial(k)) for k in range(terms)]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        C = np.corrcoef(P, rowvar=False)
    A = np.abs(np.nan_to_num(C, nan=0.0)).reshape(terms, d, terms, d)
    if norm == "max":
        out = A.max(axis=(0, 2))
    elif norm == "2":
        out = np.sqrt((A**2).mean(axis=(0, 2)))
    else:
        out = A.mean(axis=(0, 2))
    zero = X.std(axis=0) == 0
    np.fill_diagonal(out, 1.0)
    out[zero, :] = 0.0
    out[:, zero] = 0.0
    return out


@pytest.fixture
def dense_data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 9))
    X[:, 2] = 0.0  # zero variance
    X[:, 4] = X[:, 0] ** 2 + 0.1 * rng.normal(size=400)
    X[:, 6] = 3.0  # constant, non-zero
    X[:, 7] = rng.choice([-1.0, 1.0], size=400)  # phi_0 of +-1 is constant
    return X


@pytest.fixture
def sparse_data():
    X = sp.random(3000, 25, density=0.08, format="csr", random_state=3, dtype=np.float64)
    X = X.tolil()
    X[:, 5] = 0.0  # an all-zero column
    X[10:20, :] = 0.0  # all-zero rows
    return X.tocsr()


@pytest.mark.parametrize("norm", NORMS)
def test_ids_dense_matches_reference(dense_data, norm):
    got = ids(dense_data, norm=norm)
    want = reference_ids(dense_data, norm=norm)
    assert np.abs(got - want).max() < 1e-9
    assert np.allclose(got, got.T)
    assert got[2].max() == 0.0 and got[6].max() == 0.0
    assert got[0, 0] == 1.0


@pytest.mark.parametrize("norm", NORMS)
def test_ids_sparse_matches_reference(sparse_data, norm):
    got = ids(sparse_data, norm=norm)
    want = reference_ids(sparse_data, norm=norm)
    assert np.abs(got - want).max() < 1e-9
    assert got[5].max() == 0.0


@pytest.mark.parametrize("norm", NORMS)
def test_ids_other_parameters(sparse_data, norm):
    got = ids(sparse_data, terms=3, bandwidth=2.0, norm=norm)
    want = reference_ids(sparse_data, terms=3, bandwidth=2.0, norm=norm)
    assert np.abs(got - want).max() < 1e-9


def test_sparse_and_dense_product_paths_agree(sparse_data, monkeypatch):
    sparse_path = ids(sparse_data)
    monkeypatch.setattr(idsmod, "_DENSE_SPEEDUP", 1e12)  # force the dense BLAS path
    dense_path = ids(sparse_data)
    assert np.abs(sparse_path - dense_path).max() < 1e-12
    assert np.abs(ids(sparse_data.toarray()) - sparse_path).max() < 1e-12


@pytest.mark.parametrize("chunk", [1, 7, 250, 1000, 5000])
def test_streaming_chunks_equal_whole(sparse_data, chunk):
    whole = IDSAccumulator(25).update(sparse_data)
    acc = IDSAccumulator(25)
    for lo in range(0, sparse_data.shape[0], chunk):
        acc.update(sparse_data[lo : lo + chunk])
    assert acc.n == whole.n == 3000
    for norm in NORMS:
        assert np.abs(acc.result(norm) - whole.result(norm)).max() < 1e-12


def test_small_slices_equal_whole(sparse_data, dense_data, monkeypatch):
    whole_sparse = ids(sparse_data)
    whole_dense = ids(dense_data)
    monkeypatch.setattr(idsmod, "_SLICE_ELEMENTS", 600)
    assert np.abs(ids(sparse_data) - whole_sparse).max() < 1e-12
    assert np.abs(ids(dense_data) - whole_dense).max() < 1e-12


def test_merge_save_load(sparse_data, tmp_path):
    parts = [sparse_data[:1000], sparse_data[1000:1001], sparse_data[1001:]]
    paths = []
    for i, part in enumerate(parts):
        acc = IDSAccumulator(25).update(part)
        paths.append(tmp_path / f"part{i}.npz")
        acc.save(paths[-1])
    merged = reduce_partials(paths)
    loaded = IDSAccumulator.load(paths[0]).merge(IDSAccumulator.load(paths[1]))
    loaded.merge(IDSAccumulator.load(paths[2]))
    want = ids(sparse_data)
    assert merged.n == 3000
    assert np.abs(merged.result() - want).max() < 1e-12
    assert np.abs(loaded.result("2") - ids(sparse_data, norm="2")).max() < 1e-12


def test_dense_and_sparse_chunks_mix(sparse_data):
    acc = IDSAccumulator(25)
    acc.update(sparse_data[:1500].toarray()).update(sparse_data[1500:])
    assert np.abs(acc.result() - ids(sparse_data)).max() < 1e-12


def test_known_dependence_quadratic():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=20000)
    y = x**2
    z = rng.uniform(-1, 1, size=20000)
    X = np.column_stack([x, y, z])
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.03  # Pearson misses it
    m = ids(X)
    assert m[0, 1] > 0.9  # IDS sees it
    assert m[0, 2] < 0.05 and m[1, 2] < 0.05  # independent columns
    assert np.array_equal(np.diag(m), np.ones(3))


def test_transform_sparse_equals_dense(sparse_data):
    a = transform(sparse_data, 4, 0.7)
    b = transform(sparse_data.toarray(), 4, 0.7)
    assert sp.issparse(a) and a.shape == (3000, 100)
    assert np.abs(a.toarray() - b).max() < 1e-15
    assert a.nnz == 4 * sparse_data.nnz


def test_write_read_ids(tmp_path, sparse_data):
    m = ids(sparse_data)
    write_ids(tmp_path / "ids.npy", m)
    back = read_ids(tmp_path / "ids.npy")
    assert back.dtype == np.float32 and np.abs(back - m).max() < 1e-7


def test_allocate_sample_and_rows():
    got = allocate_sample({"chr1": 50, "chr2": 30, "chr3": 20}, 11)
    assert got == {"chr1": 6, "chr2": 3, "chr3": 2}  # quotas 5.5, 3.3, 2.2
    assert sum(allocate_sample({"a": 7, "b": 7, "c": 7}, 10).values()) == 10
    assert allocate_sample({"a": 3, "b": 4}, 100) == {"a": 3, "b": 4}
    rows = sample_rows(1000, 100, seed=1, part=2)
    assert rows.size == 100 and np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, sample_rows(1000, 100, seed=1, part=2))
    assert not np.array_equal(rows, sample_rows(1000, 100, seed=1, part=3))
    assert np.array_equal(sample_rows(5, 10, seed=0), np.arange(5))


def test_subsample_close_to_exact():
    rng = np.random.default_rng(5)
    x = rng.normal(size=200000)
    X = np.column_stack([x, np.tanh(x) + 0.3 * rng.normal(size=x.size), rng.normal(size=x.size)])
    exact = ids(X)
    sub = ids(X[sample_rows(X.shape[0], 50000, seed=0)])
    assert np.abs(sub - exact).max() < 0.03


def test_bad_inputs(tmp_path, sparse_data):
    with pytest.raises(GenovocabError, match="norm must be one of max, 2, 1, got 'inf'"):
        ids(sparse_data, norm="inf")
    with pytest.raises(GenovocabError, match="terms must be a positive integer"):
        IDSAccumulator(3, terms=0)
    with pytest.raises(GenovocabError, match="bandwidth must be a positive number"):
        IDSAccumulator(3, bandwidth=-1.0)
    with pytest.raises(GenovocabError, match=r"chunk has shape \(2, 4\), expected \(rows, 3\)"):
        IDSAccumulator(3).update(np.zeros((2, 4)))
    with pytest.raises(GenovocabError, match="NaN or infinite"):
        IDSAccumulator(2).update(np.array([[1.0, np.nan]]))
    with pytest.raises(GenovocabError, match="at least 2 rows"):
        IDSAccumulator(2).update(np.ones((1, 2))).result()
    with pytest.raises(GenovocabError, match="cannot merge IDS partial sums"):
        IDSAccumulator(2).merge(IDSAccumulator(3))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.npz: not an IDS partial-sum file"):
        IDSAccumulator.load(bad)
    a = tmp_path / "a.npz"
    b = tmp_path / "b.npz"
    IDSAccumulator(2).update(np.ones((3, 2))).save(a)
    IDSAccumulator(3).update(np.ones((3, 3))).save(b)
    with pytest.raises(InputError, match="b.npz: cannot merge"):
        reduce_partials([a, b])
    notsq = tmp_path / "ns.npy"
    np.save(notsq, np.zeros((2, 3)))
    with pytest.raises(InputError, match="ns.npy: IDS matrix must be square"):
        read_ids(notsq)


@pytest.mark.parametrize("compressed", [True, False])
def test_iter_csr_npz_streams_exact_blocks(tmp_path, sparse_data, compressed):
    path = tmp_path / "f.npz"
    sp.save_npz(path, sparse_data.astype(np.float32), compressed=compressed)
    blocks = list(idsmod.iter_csr_npz(path, rows=700))
    assert [lo for lo, _ in blocks] == [0, 700, 1400, 2100, 2800]
    back = sp.vstack([b for _, b in blocks]).toarray()
    assert np.array_equal(back, sparse_data.astype(np.float32).toarray())


def test_chromosome_partial_exact_and_sample(tmp_path, sparse_data):
    a = tmp_path / "chrA.npz"
    b = tmp_path / "chrB.npz"
    sp.save_npz(a, sparse_data[:1800].astype(np.float32))
    sp.save_npz(b, sparse_data[1800:].astype(np.float32))
    exact = [
        idsmod.chromosome_partial(p, c, chunk_rows=333)[0] for p, c in ((a, "chrA"), (b, "chrB"))
    ]
    whole = exact[0].merge(exact[1])
    want = ids(sparse_data.astype(np.float32).astype(np.float64))
    assert np.abs(whole.result() - want).max() < 1e-12
    counts = {"chrA": 1800, "chrB": 1200}
    parts = [
        idsmod.chromosome_partial(p, c, sample_size=500, bin_counts=counts, seed=3, chunk_rows=256)
        for p, c in ((a, "chrA"), (b, "chrB"))
    ]
    assert [used for _, used in parts] == [300, 200]
    rows_a = sample_rows(1800, 300, seed=3, part=0)
    rows_b = sample_rows(1200, 200, seed=3, part=1) + 1800
    sampled = sparse_data.astype(np.float32)[np.concatenate([rows_a, rows_b])]
    got = parts[0][0].merge(parts[1][0]).result()
    assert np.abs(got - ids(sampled.astype(np.float64))).max() < 1e-12
    with pytest.raises(
        InputError, match="chrA.npz: matrix has 1800 rows but the bin edges of chrA give 1799 bins"
    ):
        idsmod.chromosome_partial(a, "chrA", sample_size=10, bin_counts={"chrA": 1799})
    edges = tmp_path / "chrA.bins.npy"
    np.save(edges, np.arange(1801, dtype=np.int64) * 15)
    assert idsmod.bins_in(edges) == 1800
    csc = tmp_path / "csc.npz"
    sp.save_npz(csc, sparse_data.tocsc())
    with pytest.raises(InputError, match="csc.npz: expected a CSR matrix, got 'csc'"):
        list(idsmod.iter_csr_npz(csc))
    junk = tmp_path / "junk.npz"
    junk.write_text("nope")
    with pytest.raises(InputError, match="junk.npz: not a scipy sparse .npz matrix"):
        list(idsmod.iter_csr_npz(junk))


def test_cli_ids(tmp_path, sparse_data, capsys):
    from genovocab.cli import main

    data = sparse_data.astype(np.float32)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    sp.save_npz(a, data[:1000])
    sp.save_npz(b, data[1000:])
    out = tmp_path / "ids.npy"
    assert main(["ids", "--features", str(a), str(b), "--norm", "2", "--out", str(out)]) == 0
    want = ids(data.astype(np.float64), norm="2")
    assert np.abs(np.load(out) - want).max() < 1e-6
    sub = tmp_path / "sub.npy"
    assert (
        main(
            [
                "ids",
                "--features",
                str(a),
                str(b),
                "--sample",
                "300",
                "--seed",
                "4",
                "--out",
                str(sub),
            ]
        )
        == 0
    )
    rows = np.concatenate([sample_rows(1000, 100, 4, 0), sample_rows(2000, 200, 4, 1) + 1000])
    assert np.abs(np.load(sub) - ids(data[rows].astype(np.float64))).max() < 1e-6
    assert main(["ids", "--features", str(tmp_path / "missing.npz"), "--out", str(sub)]) == 1
    assert "missing.npz: not a scipy sparse .npz matrix" in capsys.readouterr().err


@pytest.mark.parametrize("norm", NORMS)
def test_torch_backend_equals_numpy(sparse_data, dense_data, norm, tmp_path):
    pytest.importorskip("torch")
    for data in (sparse_data, dense_data):
        want = ids(data, norm=norm)
        got = ids(data, norm=norm, backend="torch", device="cpu")
        assert np.abs(got - want).max() < 1e-6
    acc = IDSAccumulator(25, backend="torch", device="cpu", slice_rows=128)
    acc.update(sparse_data[:1000]).update(sparse_data[1000:].toarray())
    acc.save(tmp_path / "t.npz")
    back = IDSAccumulator.load(tmp_path / "t.npz")
    assert np.abs(back.result(norm) - ids(sparse_data, norm=norm)).max() < 1e-6


def test_unknown_backend():
    with pytest.raises(GenovocabError, match="IDS backend must be one of numpy, torch, got 'jax'"):
        IDSAccumulator(3, backend="jax")


def test_partial_files_keep_the_upper_triangle_only(tmp_path):
    """The Gram matrix is symmetric: a file holds w(w+1)/2 values, and reloads to the same S."""
    from genovocab.motifs.ids import IDSAccumulator, symmetric_from_upper, upper_triangle

    m = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    assert upper_triangle(m).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert np.array_equal(symmetric_from_upper(upper_triangle(m), 3), m)
    rng = np.random.default_rng(3)
    acc = IDSAccumulator(7, terms=3).update(
        sp.random(200, 7, density=0.3, random_state=rng, format="csr")
    )
    acc.save(tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as data:
        assert data["S_upper"].shape == (21 * 22 // 2,) and "S" not in data
    back = IDSAccumulator.load(tmp_path / "p.npz")
    assert np.array_equal(back.S, acc.S) and np.array_equal(back.s, acc.s) and back.n == 200
