"""The demo workflow's motif outputs: bins, features, statistics, histogram."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import scipy.sparse as sp

pytestmark = pytest.mark.workflow


def _release(demo_run):
    (out,) = list((demo_run / "results").glob("genovocab-demo-*.work"))
    return out


def test_demo_bins_and_features(demo_run):
    from genovocab.io import read_chrom_sizes
    from genovocab.motifs.sites import read_site_file, site_file_info

    out = _release(demo_run) / "motifs"
    (res,) = [p for p in (demo_run / "resources").iterdir() if (p / "genome").is_dir()]
    sizes = read_chrom_sizes(res / "genome" / "chrom.sizes")
    features = [line.split("\t") for line in (out / "features.tsv").read_text().splitlines()]
    assert features[0] == ["index", "matrix_id", "name", "strand"]
    rows = features[1:]
    assert [int(r[0]) for r in rows] == list(range(len(rows)))
    motif_rows = [r for r in rows if r[1] != "CpG"]
    ids = [r[1] for r in motif_rows[::2]]
    assert ids == sorted(ids) and len(ids) == 60
    assert [r[3] for r in motif_rows[:2]] == ["+", "-"]
    per_feature = np.zeros(len(rows))
    for chrom, length in sizes.items():
        edges = np.load(out / "bins" / f"{chrom}.bins.npy")
        assert edges.dtype == np.int64 and edges[0] == 0 and edges[-1] == length
        assert np.all(np.diff(edges) > 0) and np.diff(edges).max() <= 50
        m = sp.load_npz(out / "bins" / f"{chrom}.features.npz")
        assert m.format == "csr" and m.dtype == np.float32
        assert m.shape == (edges.size - 1, len(rows))
        sums = np.asarray(m.sum(axis=0)).ravel()
        per_feature += sums
        # every site contributes exactly 1 to its feature's column
        sites_path = res / "motifs" / "sites" / f"{chrom}.parquet"
        mset, file_chrom, file_len, _ = site_file_info(sites_path)
        assert (file_chrom, file_len) == (chrom, length) and list(mset.ids) == ids
        sites = read_site_file(sites_path)
        counts = np.bincount(sites.feature, minlength=2 * len(ids))
        np.testing.assert_allclose(sums[: 2 * len(ids)], counts, rtol=1e-5, atol=1e-2)
    spf = [line.split("\t") for line in (out / "sites_per_feature.tsv").read_text().splitlines()]
    assert spf[0] == ["index", "matrix_id", "name", "strand", "sites"]
    np.testing.assert_allclose([int(r[4]) for r in spf[1:]], per_feature, rtol=1e-5, atol=0.05)


def test_demo_planted_sites_in_site_files(demo_run):
    from genovocab.motifs.sites import read_site_file, site_file_info

    planted = gzip.decompress((demo_run / "resources/demo/planted_sites.tsv.gz").read_bytes())
    rows = [r.split("\t") for r in planted.decode().splitlines()]
    (res,) = [p for p in (demo_run / "resources").iterdir() if (p / "genome").is_dir()]
    found = total = 0
    for chrom in sorted({r[0] for r in rows}):
        path = res / "motifs" / "sites" / f"{chrom}.parquet"
        mset = site_file_info(path)[0]
        index = mset.index()
        s = read_site_file(path)
        keys = set(zip(s.start.tolist(), s.end.tolist(), s.feature.tolist()))
        for r in rows:
            if r[0] == chrom:
                total += 1
                found += (int(r[1]), int(r[2]), 2 * index[r[3]] + (r[4] == "-")) in keys
    assert found / total > 0.8


def test_demo_stats_and_histogram(demo_run):
    out = _release(demo_run) / "motifs"
    lines = [line.split("\t") for line in (out / "stats.tsv").read_text().splitlines()]
    header, rows = lines[0], {r[0]: dict(zip(lines[0], r)) for r in lines[1:]}
    assert header[:5] == ["chrom", "length", "sites", "peaks", "bins"]
    total = rows["all"]
    assert int(total["bins"]) == sum(int(r["bins"]) for k, r in rows.items() if k != "all")
    assert 8 < float(total["mean_bin_length"]) < 25  # the paper: ~15 bp
    assert 0 <= float(total["share_trimmed"]) < 0.5
    assert (out / "bin_lengths.png").read_bytes()[:4] == b"\x89PNG"
