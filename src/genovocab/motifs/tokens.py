"""Motif tokens, one import for the whole subject (the code lives in four modules):

- :mod:`.patterns`: the bin x cluster matrix (mean of each cluster's feature columns), every
  bin's active clusters strongest first, exact distinct patterns (:class:`PatternMerger`) and
  the full pattern vocabulary for tests and diagnostics (:class:`TokenVocab`);
- :mod:`.vocabulary`: the bounded motif vocabulary (a chosen size, value-ordered prefixes,
  back-off so every bin gets a real token, built level by level in bounded memory), the Zipf
  fit, the vocabulary table;
- :mod:`.token_files`: the stage's files (bin edges, CSR arrays, pattern files streamed by
  chunks) and its workflow steps;
- :mod:`.token_plots`: Zipf rank-frequency and the token map.

Motif-aware tokens follow Davarmanesh et al.; the clusters come from the InterDependence Score
(``ids.py``, ``clustering.py``).
"""

from genovocab.motifs.patterns import (  # noqa: F401
    TOKEN_COLUMNS,
    PatternMerger,
    Patterns,
    TokenVocab,
    active_patterns,
    build_vocab,
    build_vocab_ids,
    canonical_order,
    cluster_features,
    coverage_stats,
    membership,
    read_token_vocab,
    tokens_for,
    vocab_from_patterns,
    write_token_vocab,
)
from genovocab.motifs.token_files import (  # noqa: F401
    CSR_ARRAYS,
    band_diagnostic,
    chromosome_cluster_features,
    chromosome_tokens,
    csr_array_paths,
    csr_array_prefix,
    csr_array_rows,
    iter_pattern_chunks,
    kept_value,
    read_bin_edges,
    read_csr_arrays,
    token_vocab_files,
    write_csr_arrays,
    write_json,
    write_npy,
)
from genovocab.motifs.token_plots import (  # noqa: F401
    dominant_family,
    plot_token_map,
    plot_zipf,
    plot_zipf_kept,
    token_map_points,
)
from genovocab.motifs.vocabulary import (  # noqa: F401
    CLS_ID,
    DEFAULT_VOCAB_SIZE,
    EMPTY_ID,
    MASK_ID,
    N_SPECIAL,
    PAD_ID,
    SEP_ID,
    SPECIAL_TOKENS,
    UNK_ID,
    VOCAB_COLUMNS,
    MotifVocab,
    build_motif_vocab,
    cluster_motif_names,
    parse_pattern_token,
    pattern_token,
    read_vocab,
    stream_statistics,
    vocab_from_memory,
    vocab_table,
    write_vocab,
    zipf_fit,
)
