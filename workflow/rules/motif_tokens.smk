# Motif tokens (docs/architecture.md, docs/motif-vocabulary.md): on the IDS clusters
# (ids.smk), per chromosome bin x cluster features and active patterns (scatter) -> the
# bounded token vocabulary + Zipf fit (gather) -> per chromosome token ids -> the motif
# tokenizer folder. Library: genovocab.motifs (patterns, vocabulary, token_files,
# token_plots) and genovocab.tokenizers.motif. Outputs stay under {WORK}/motifs/ (the
# release's motifs/) and the per-chromosome patterns and token statistics under {IDS_WORK}.

MOTIF_TOKENS = MOTIFS["tokens"]
# motifs.tokens.max_vocab is the former name of vocab_size; when set it wins
MOTIF_VOCAB_SIZE = int(MOTIF_TOKENS["max_vocab"] or MOTIF_TOKENS["vocab_size"])


rule motif_cluster_features:
    input:
        features=f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        clusters=f"{WORK}/motifs/clusters.tsv",
    output:
        # the CSR as the motif tokenizer stores it (bins/<chrom>.{indptr,indices,values}.npy)
        cluster_features=multiext(
            f"{WORK}/motifs/cluster_features/{{chrom}}",
            ".indptr.npy",
            ".indices.npy",
            ".values.npy",
        ),
        patterns=f"{IDS_WORK}/patterns/{{chrom}}.npz",
    log:
        f"{LOGS}/motif_tokens/cluster_features/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/motif_tokens/cluster_features/{{chrom}}.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # one block of bins plus ~70 B per bin (the outputs are streamed): 1.8 GB at 50 Mbp
        mem_mb=RS.mem_mb(1500, 8, "chrom"),
        runtime=RS.runtime(10, 0.05, "input:features"),
    params:
        threshold=IDS_CFG["token_threshold"],
    script:
        "../scripts/motif_cluster_features.py"


rule motif_token_vocab:
    # the bounded motif vocabulary (motifs.tokens.vocab_size ids, back-off so every bin gets a
    # real token; docs/motif-vocabulary.md), built level by level from the pattern files
    input:
        # the evaluation's whole held-out chromosomes are not counted (training_chromosomes)
        patterns=lambda wc: expand(
            f"{IDS_WORK}/patterns/{{chrom}}.npz", chrom=training_chromosomes()
        ),
        bins=lambda wc: expand(
            f"{WORK}/motifs/bins/{{chrom}}.bins.npy", chrom=training_chromosomes()
        ),
        clusters=f"{WORK}/motifs/clusters.tsv",
    output:
        vocab=f"{WORK}/motifs/token_vocab.tsv",
        zipf=f"{WORK}/motifs/zipf.json",
        plot=report(
            f"{WORK}/motifs/zipf.png",
            caption="../report/motif_zipf.rst",
            category="motifs",
        ),
    log:
        f"{LOGS}/motif_tokens/token_vocab.log",
    benchmark:
        f"{LOGS}/bench/motif_tokens/token_vocab.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # the kept tokens, one level's candidates and one chunk of 2^18 patterns: flat in the
        # pattern count (benchmarks/bench_motif_vocab_scale.py); one read per level + 4
        mem_mb=RS.mem_mb(1200, 0),
        runtime=RS.runtime(10, 0.5, "input:patterns"),
    params:
        vocab_size=MOTIF_VOCAB_SIZE,
        min_count=MOTIF_TOKENS["min_count"],
    script:
        "../scripts/motif_token_vocab.py"


rule motif_tokens:
    input:
        patterns=f"{IDS_WORK}/patterns/{{chrom}}.npz",
        vocab=f"{WORK}/motifs/token_vocab.tsv",
        cluster_features=multiext(
            f"{WORK}/motifs/cluster_features/{{chrom}}",
            ".indptr.npy",
            ".indices.npy",
            ".values.npy",
        ),
    output:
        tokens=f"{WORK}/motifs/tokens/{{chrom}}.tokens.npy",
        stats=f"{IDS_WORK}/token_stats/{{chrom}}.json",
    log:
        f"{LOGS}/motif_tokens/tokens/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/motif_tokens/tokens/{{chrom}}.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # one chunk of 2^18 patterns (~0.2 GB with the band census), 4 B per distinct
        # pattern and ~20 B per bin (token ids, the mapped pattern index, kept sizes): 0.97 GB
        # measured at hg38 chr1 size (benchmarks/bench_chr1.py --jobs tokens)
        mem_mb=RS.mem_mb(1200, 2, "chrom"),
        runtime=RS.runtime(5, 0.05, "chrom"),
    params:
        threshold=IDS_CFG["token_threshold"],
    script:
        "../scripts/motif_tokens.py"


ALL_TARGETS.extend(rules.motif_token_vocab.output)
ALL_TARGETS.append(
    lambda wc: expand(
        [
            f"{WORK}/motifs/cluster_features/{{chrom}}.indptr.npy",
            f"{WORK}/motifs/tokens/{{chrom}}.tokens.npy",
        ],
        chrom=selected_chromosomes(),
    )
)


# Motif tokenizer folder: the bounded motif vocabulary, every parameter and file a
# MotifTokenizer needs to tokenize genome regions from the stored bins or any DNA from scratch,
# and the tokenizer plots. The release copies it.


rule motif_tokenizer:
    input:
        bins=lambda wc: expand(
            f"{WORK}/motifs/bins/{{chrom}}.bins.npy", chrom=selected_chromosomes()
        ),
        cluster_features=lambda wc: expand(
            f"{WORK}/motifs/cluster_features/{{chrom}}.{{array}}.npy",
            chrom=selected_chromosomes(),
            array=("indptr", "indices", "values"),
        ),
        tokens=lambda wc: expand(
            f"{WORK}/motifs/tokens/{{chrom}}.tokens.npy", chrom=selected_chromosomes()
        ),
        token_vocab=f"{WORK}/motifs/token_vocab.tsv",
        vocab_summary=f"{WORK}/motifs/zipf.json",
        token_stats=lambda wc: expand(
            f"{IDS_WORK}/token_stats/{{chrom}}.json", chrom=selected_chromosomes()
        ),
        features=f"{WORK}/motifs/features.tsv",
        ids=f"{WORK}/motifs/ids.npy",
        clusters=f"{WORK}/motifs/clusters.tsv",
        cluster_summary=f"{WORK}/motifs/cluster_summary.tsv",
        pfms=MOTIF_PFMS,
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        folder=report(
            directory(f"{WORK}/motifs/tokenizer"),
            patterns=["{name}.png"],
            caption="../report/motif_tokenizer.rst",
            category="motifs",
        ),
    log:
        f"{LOGS}/motif_tokens/tokenizer.log",
    benchmark:
        f"{LOGS}/bench/motif_tokens/tokenizer.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # the bounded vocabulary and one chromosome's token ids (4 B per bin, 62 MB for hg38
        # chr1); the cluster matrices are hard-linked, not mapped: 0.95 GB measured with chr1
        mem_mb=RS.mem_mb(1000),
        runtime=RS.runtime(120),
    params:
        matrices=MOTIF_MATRICES,
        site_source=MOTIF_SOURCE,
        min_relative=MOTIF_SITES["min_relative"],
        max_pvalue=MOTIF_SITES["max_pvalue"],
        scan_window=MOTIF_SITES["scan_window"],
        sigma=MOTIF_BIN_PARAMS["sigma"],
        peak_width=MOTIF_BIN_PARAMS["peak_width"],
        max_bin=MOTIF_BIN_PARAMS["max_bin"],
        trim_step=MOTIF_BIN_PARAMS["trim_step"],
        cpg=MOTIF_CPG,
        token_threshold=IDS_CFG["token_threshold"],
        vocab_size=MOTIF_VOCAB_SIZE,
        min_count=MOTIF_TOKENS["min_count"],
        model_max_length=MOTIF_TOKENS["model_max_length"],
    script:
        "../scripts/motif_tokenizer.py"


ALL_TARGETS.extend(rules.motif_tokenizer.output)
# the release's motifs/ is this folder, plus the Zipf plot and fit (ids.smk adds the IDS
# heatmap)
RELEASE_PARTS["motifs"] = rules.motif_tokenizer.output.folder
RELEASE_PARTS["motifs/zipf.png"] = rules.motif_token_vocab.output.plot
RELEASE_PARTS["motifs/zipf.json"] = rules.motif_token_vocab.output.zipf
