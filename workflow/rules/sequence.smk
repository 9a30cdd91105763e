# Sequence vocabulary (docs/architecture.md): gap-free genome windows -> DNABERT-2-style BPE
# ({WORK}/bpe/) -> token stream -> PMI G-grams ({WORK}/ggram/) -> a sequence corpus of the
# regulatory elements ({WORK}/corpora/<name>/). BPE training and G-gram extraction are single
# (reduction) jobs over the sampled windows; a genome-wide scatter would only add job overhead
# here because the sample is read in seconds.
from genovocab.corpora.shards import shard_names as _sequence_shard_names
from genovocab.corpora.splits import declared_splits as _sequence_splits

SEQ = config["sequence"]
SEQ_WINDOWS = SEQ["windows"]
SEQ_BPE = SEQ["bpe"]
SEQ_GGRAM = SEQ["ggram"]
SEQ_CORPUS = SEQ["corpus"]
SEQ_CORPUS_NAME = SEQ_CORPUS["name"]
SEQ_CORPUS_REGIONS = SEQ_CORPUS["regions"]
SEQ_CORPUS_DIR = f"{WORK}/corpora/{SEQ_CORPUS_NAME}"
SEQ_BPE_FILES = [
    f"{WORK}/bpe/tokenizer.json",
    f"{WORK}/bpe/tokenizer_config.json",
    f"{WORK}/bpe/special_tokens_map.json",
]
SEQ_GGRAM_FILES = {
    "vocab": f"{WORK}/ggram/vocab.tsv",
    "ngram_json": f"{WORK}/ggram/ngram.json",
    "stats": f"{WORK}/ggram/stats.tsv",  # in the report as an HTML table
    "plot": report(
        f"{WORK}/ggram/ggram_lengths.png",
        caption="../report/ggram_lengths.rst",
        category="sequence",
    ),
}
SEQ_CORPUS_SPLITS = _sequence_splits(SEQ_CORPUS["splits"] or None)
SEQ_CORPUS_FILES = [
    f"{SEQ_CORPUS_DIR}/{name}"
    for split in SEQ_CORPUS_SPLITS
    for name in _sequence_shard_names(SEQ_CORPUS["n_shards"], split)
] + [f"{SEQ_CORPUS_DIR}/README.md", f"{SEQ_CORPUS_DIR}/stats.json"]


# Window sampling of the BPE training text ("training") and of the whole genome ("all").
SEQ_WINDOW_PARAMS = {
    kind: {
        "length": SEQ_WINDOWS["length"],
        "min_length": SEQ_WINDOWS["min_length"],
        "total_bp": SEQ_WINDOWS["total_bp"] if kind == "training" else None,
        "seed": SEQ_WINDOWS["seed"],
        "reverse_complements": SEQ_WINDOWS["reverse_complements"],
    }
    for kind in ("training", "all")
}


rule sequence_windows:
    input:
        fasta=f"{RES}/genome/genome.fa",
        fai=f"{RES}/genome/genome.fa.fai",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        f"{WORK}/sequence/windows_{{kind}}.txt",
    log:
        f"{LOGS}/sequence/windows_{{kind}}.log",
    benchmark:
        f"{LOGS}/bench/sequence/windows_{{kind}}.tsv"
    wildcard_constraints:
        kind="training|all",
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 0.3, "input:fasta"),
        runtime=RS.runtime(10, 0.01, "input:fasta"),
    params:
        windows=lambda wc: canonical(SEQ_WINDOW_PARAMS[wc.kind]),
        # vocabulary training text: the evaluation's whole held-out chromosomes are left out
        # (common.smk: training_chromosomes, the same rule for the motif vocabulary)
        held_out=lambda wc: EVAL_HELD_OUT,
        exclude_held_out=EVAL_EXCLUDE,
    script:
        "../scripts/sequence_windows.py"


rule sequence_train_bpe:
    input:
        f"{WORK}/sequence/windows_training.txt",
    output:
        SEQ_BPE_FILES,
    log:
        f"{LOGS}/sequence/train_bpe.log",
    benchmark:
        f"{LOGS}/bench/sequence/train_bpe.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 4
    resources:
        # 2.7 GB measured on the 50 MB hg38 training text (benchmarks/bench_chr1.py)
        mem_mb=RS.mem_mb(600, 50),
        runtime=RS.runtime(10, 0.5),
    params:
        vocab_size=SEQ_BPE["vocab_size"],
        min_frequency=SEQ_BPE["min_frequency"],
        model_max_length=SEQ_BPE["model_max_length"],
    script:
        "../scripts/sequence_bpe.py"


rule sequence_token_stream:
    input:
        windows=f"{WORK}/sequence/windows_{SEQ_GGRAM['windows']}.txt",
        tokenizer=SEQ_BPE_FILES[0],
    output:
        f"{WORK}/sequence/tokens.npz",
    log:
        f"{LOGS}/sequence/token_stream.log",
    benchmark:
        f"{LOGS}/bench/sequence/token_stream.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 4
    resources:
        mem_mb=RS.mem_mb(500, 10),
        runtime=RS.runtime(10, 0.2),
    script:
        "../scripts/sequence_tokens.py"


rule sequence_ggram:
    input:
        tokens=f"{WORK}/sequence/tokens.npz",
        tokenizer=SEQ_BPE_FILES[0],
    output:
        **SEQ_GGRAM_FILES,
    log:
        f"{LOGS}/sequence/ggram.log",
    benchmark:
        f"{LOGS}/bench/sequence/ggram.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(500, 5),
        runtime=RS.runtime(10, 0.1),
    params:
        min_pmi=SEQ_GGRAM["min_pmi"],
        min_token_count=SEQ_GGRAM["min_token_count"],
        min_ngram_freq=SEQ_GGRAM["min_ngram_freq"],
        min_len=SEQ_GGRAM["min_len"],
        max_len=SEQ_GGRAM["max_len"],
        max_ngrams=SEQ_GGRAM["max_ngrams"],
    script:
        "../scripts/sequence_ggram.py"


rule sequence_corpus:
    input:
        fasta=f"{RES}/genome/genome.fa",
        fai=f"{RES}/genome/genome.fa.fai",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
        regions=(
            []
            if SEQ_CORPUS_REGIONS == "windows"
            else f"{RES}/downloads/{SEQ_CORPUS_REGIONS}"
        ),
        tokenizer=SEQ_BPE_FILES[0],
        vocab=SEQ_GGRAM_FILES["vocab"],
    output:
        SEQ_CORPUS_FILES,
    log:
        f"{LOGS}/sequence/corpus.log",
    benchmark:
        f"{LOGS}/bench/sequence/corpus.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 4
    resources:
        mem_mb=RS.mem_mb(500, 2),
        runtime=RS.runtime(10, 0.05),
    params:
        name=SEQ_CORPUS_NAME,
        regions=SEQ_CORPUS_REGIONS,
        window=SEQ_CORPUS["window"],
        min_length=SEQ_WINDOWS["min_length"],
        max_ngrams=SEQ_CORPUS["max_ngrams"],
        n_shards=SEQ_CORPUS["n_shards"],
        label_column=SEQ_CORPUS["label_column"],
        splits=canonical(SEQ_CORPUS["splits"] or None),
        n_runs=SEQ_CORPUS["n_runs"],
        license=SEQ_CORPUS["license"],
    script:
        "../scripts/sequence_corpus.py"


ALL_TARGETS.extend(SEQ_BPE_FILES + list(SEQ_GGRAM_FILES.values()) + SEQ_CORPUS_FILES)

RELEASE_PARTS.update({f"sequence/{Path(p).name}": p for p in SEQ_BPE_FILES})
RELEASE_PARTS.update(
    {
        "sequence/ngram.json": SEQ_GGRAM_FILES["ngram_json"],
        "sequence/ggram_vocab.tsv": SEQ_GGRAM_FILES["vocab"],
        "sequence/stats.tsv": SEQ_GGRAM_FILES["stats"],
        "sequence/ggram_lengths.png": SEQ_GGRAM_FILES["plot"],
    }
)
# the corpus folder's card and Parquet shards (its stats.json stays in the work folder)
RELEASE_PARTS.update(
    {
        f"corpora/{SEQ_CORPUS_NAME}/{os.path.relpath(p, SEQ_CORPUS_DIR)}": p
        for p in SEQ_CORPUS_FILES
        if not p.endswith("stats.json")
    }
)
