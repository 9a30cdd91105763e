"""IDS, clusters and tokens on real motif bins: hg38 chr1:1-99,950 scanned with 11 JASPAR 2022
matrices (motif stage), against the plain dense reference of test_motif_ids."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from genovocab.motifs.clustering import cluster_ids
from genovocab.motifs.ids import chromosome_partial
from genovocab.motifs.patterns import active_patterns, build_vocab, cluster_features
from genovocab.motifs.vocabulary import zipf_fit

from .test_motif_ids import reference_ids

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real_bins(real_data, tmp_path_factory):
    from genovocab.motifs.steps import bin_chromosome, load_matrix_set, scan_to_site_file

    base = real_data / "hg38_chr1_1-99950"
    fasta = base / "genome" / "hg38_chr1_1-99950.fa"
    chrom, length = (base / "genome" / "chrom.sizes").read_text().split()[:2]
    matrices, _ = load_matrix_set(base / "motifs" / "JASPAR2022_CORE_vertebrates_subset.jaspar.txt")
    out = tmp_path_factory.mktemp("realbins")
    scan_to_site_file(fasta, chrom, matrices, out / "sites.parquet", progress=False)
    bin_chromosome(
        out / "sites.parquet",
        chrom,
        int(length),
        out_bins=out / "bins.npy",
        out_features=out / "features.npz",
        cpg="dinucleotide",
        genome=fasta,
    )
    return out / "features.npz", chrom, len(matrices)


def test_real_ids_matches_dense_reference(real_bins):
    path, chrom, n_matrices = real_bins
    X = sp.load_npz(path).tocsr()
    assert X.shape[1] == 2 * n_matrices + 1  # both strands + CpG
    for norm in ("max", "2", "1"):
        acc, used = chromosome_partial(path, chrom, chunk_rows=1000)
        assert used == X.shape[0]
        want = reference_ids(X.astype(np.float64), norm=norm)
        assert np.abs(acc.result(norm) - want).max() < 1e-9
    m = acc.result("max")
    labels = cluster_ids(m, threshold=0.5).labels
    assert labels[0] == 0 and labels.max() < X.shape[1]
    cf = cluster_features(X, labels)
    dense = X.toarray().astype(np.float64)
    want = np.column_stack([dense[:, labels == c].mean(axis=1) for c in range(labels.max() + 1)])
    assert np.abs(cf.toarray() - want).max() < 1e-6
    vocab = build_vocab([active_patterns(cf, 0.5)])
    assert int(vocab.counts.sum()) == X.shape[0]
    fit = zipf_fit(vocab.counts)
    assert fit["n_tokens"] == len(vocab.patterns) and -1 <= fit["pearson_r"] < 0
