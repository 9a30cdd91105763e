# Motif tokens (docs/architecture.md): IDS partial sums per (chromosome, block) (scatter) ->
# per-chromosome sums -> one IDS matrix (reduce) -> hierarchical clusters -> per chromosome
# bin x cluster features and active patterns (scatter) -> token vocabulary + Zipf fit
# (gather) -> per chromosome token ids.
# Inputs are the motif-bins stage's {WORK}/motifs/bins/{chrom}.{bins.npy,features.npz} and
# {WORK}/motifs/features.tsv.

IDS_CFG = config["ids"]
IDS_WORK = f"{WORK}/ids"
IDS_MODE = IDS_CFG["mode"]
# Each chromosome's partial sums are scattered over ceil(length / block_bp) blocks of bins
# (the sums are additive), so no job works on more than ~block_bp of genome.
IDS_BLOCK_BP = int(IDS_CFG["block_bp"])
# Runtime request of a partial job per Mbp of its block. Exact: ~3.3 CPU-min per Mbp at hg38
# density (chr1-size run, benchmarks/bench_chr1.py). Sample mode (one job per chromosome):
# its share of the sample (sample_size x its Mbp / hg38's 3,100 Mbp) at ~4 ms per sampled
# bin, plus reading its matrix (~0.01 min per Mbp).
IDS_PARTIAL_MIN_PER_MBP = (
    4 if IDS_MODE == "exact" else 0.01 + 4e-3 / 60 * int(IDS_CFG["sample_size"]) / 3.1e3
)
MOTIF_TOKENS = MOTIFS["tokens"]
# motifs.tokens.max_vocab is the former name of vocab_size; when set it wins
MOTIF_VOCAB_SIZE = int(MOTIF_TOKENS["max_vocab"] or MOTIF_TOKENS["vocab_size"])


rule ids_partial:
    input:
        features=f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        feature_table=f"{WORK}/motifs/features.tsv",
        # sample mode shares the genome-wide sample out by bins per chromosome
        all_bins=lambda wc: (
            expand(
                f"{WORK}/motifs/bins/{{chrom}}.bins.npy", chrom=training_chromosomes()
            )
            if IDS_MODE == "sample"
            else []
        ),
    output:
        partial=temp(f"{IDS_WORK}/partials/{{chrom}}.{{block}}-of-{{nblocks}}.npz"),
    log:
        f"{LOGS}/ids/partial/{{chrom}}.{{block}}-of-{{nblocks}}.log",
    benchmark:
        f"{LOGS}/bench/ids/partial/{{chrom}}.{{block}}-of-{{nblocks}}.tsv"
    wildcard_constraints:
        block=r"\d+",
        nblocks=r"\d+",
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # the (terms x features)^2 float64 sums, one slice's product and the saved triangle:
        # ~3 x 8 B x terms^2 x d^2 (2.45 GB measured at 1,682 features, any block size);
        # ~3.3 CPU-min per Mbp of block at hg38 density (chr1-size run, benchmarks/bench_chr1.py)
        mem_mb=RS.mem_mb(300, 24 * IDS_CFG["terms"] ** 2, "lines2:feature_table"),
        runtime=RS.runtime(10, IDS_PARTIAL_MIN_PER_MBP, "block"),
    params:
        mode=IDS_MODE,
        sample_size=IDS_CFG["sample_size"],
        seed=IDS_CFG["seed"],
        terms=IDS_CFG["terms"],
        bandwidth=IDS_CFG["bandwidth"],
        backend=IDS_CFG["backend"],
    script:
        "../scripts/ids_partial.py"


rule ids_chrom_sum:
    # a chromosome's blocks summed as soon as they are done, then removed (temp): one block's
    # sums are 408 MB whatever its size (1,682 features x 6 terms), ~130 blocks on hg38
    input:
        partials=ids_block_files,
        feature_table=f"{WORK}/motifs/features.tsv",
    output:
        chrom_sum=temp(f"{IDS_WORK}/chrom_sums/{{chrom}}.npz"),
    log:
        f"{LOGS}/ids/chrom_sum/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/ids/chrom_sum/{{chrom}}.tsv"
    priority: 10
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # the sums and one loaded block, set by the feature count as for ids_partial (2.8 GB
        # measured at 1,682 features; input size would ask 1.2 GB)
        mem_mb=RS.mem_mb(300, 24 * IDS_CFG["terms"] ** 2, "lines2:feature_table"),
        runtime=RS.runtime(10, 0.01),
    script:
        "../scripts/ids_chrom_sum.py"


rule ids_reduce:
    input:
        partials=ids_partial_files,
        features=f"{WORK}/motifs/features.tsv",
    output:
        ids=f"{WORK}/motifs/ids.npy",
        labels=f"{WORK}/motifs/ids.tsv",
    log:
        f"{LOGS}/ids/reduce.log",
    benchmark:
        f"{LOGS}/bench/ids/reduce.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # as ids_chrom_sum (2.5 GB measured at 1,682 features)
        mem_mb=RS.mem_mb(300, 24 * IDS_CFG["terms"] ** 2, "lines2:features"),
        runtime=RS.runtime(10, 0.01),
    params:
        norm=str(IDS_CFG["norm"]),
    script:
        "../scripts/ids_reduce.py"


rule ids_cluster:
    input:
        ids=f"{WORK}/motifs/ids.npy",
        features=f"{WORK}/motifs/features.tsv",
    output:
        clusters=f"{WORK}/motifs/clusters.tsv",
        summary=f"{WORK}/motifs/cluster_summary.tsv",
        heatmap=report(
            f"{WORK}/motifs/ids_heatmap.png",
            caption="../report/ids_heatmap.rst",
            category="motifs",
        ),
    log:
        f"{LOGS}/ids/cluster.log",
    benchmark:
        f"{LOGS}/bench/ids/cluster.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(500, 4, "input:ids"),
        runtime=RS.runtime(30),
    params:
        threshold=IDS_CFG["threshold"],
        n_clusters=IDS_CFG["n_clusters"],
        method=IDS_CFG["linkage"],
    script:
        "../scripts/ids_cluster.py"


rule ids_cluster_features:
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
        f"{LOGS}/ids/cluster_features/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/ids/cluster_features/{{chrom}}.tsv"
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
        "../scripts/ids_cluster_features.py"


rule ids_token_vocab:
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
            caption="../report/ids_zipf.rst",
            category="motifs",
        ),
    log:
        f"{LOGS}/ids/token_vocab.log",
    benchmark:
        f"{LOGS}/bench/ids/token_vocab.tsv"
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
        "../scripts/ids_token_vocab.py"


rule ids_tokens:
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
        f"{LOGS}/ids/tokens/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/ids/tokens/{{chrom}}.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # one chunk of 2^18 patterns (~0.2 GB with the band census), 4 B per distinct
        # pattern and ~20 B per bin (token ids, the mapped pattern index, kept sizes): ~1 GB
        # for hg38 chr1 (estimated from the parts, not measured at that size)
        mem_mb=RS.mem_mb(1200, 2, "chrom"),
        runtime=RS.runtime(5, 0.05, "chrom"),
    params:
        threshold=IDS_CFG["token_threshold"],
    script:
        "../scripts/ids_tokens.py"


ALL_TARGETS.extend(rules.ids_reduce.output)
ALL_TARGETS.extend(rules.ids_cluster.output)
ALL_TARGETS.extend(rules.ids_token_vocab.output)
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
        f"{LOGS}/ids/motif_tokenizer.log",
    benchmark:
        f"{LOGS}/bench/ids/motif_tokenizer.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # the bounded vocabulary and one chromosome's token ids (4 B per bin, 62 MB for hg38
        # chr1); the cluster matrices are hard-linked, not read
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
# the release's motifs/ is this folder, plus the IDS and Zipf plots
RELEASE_PARTS["motifs"] = rules.motif_tokenizer.output.folder
RELEASE_PARTS["motifs/ids_heatmap.png"] = rules.ids_cluster.output.heatmap
RELEASE_PARTS["motifs/zipf.png"] = rules.ids_token_vocab.output.plot
RELEASE_PARTS["motifs/zipf.json"] = rules.ids_token_vocab.output.zipf


# Motif corpus: fragments of consecutive bins per chromosome with per-bin bigWig targets,
# split by chromosome, as Parquet shards + a dataset card under {WORK}/corpora/<name>/.
MOTIF_CORPUS = MOTIFS["corpus"]
MOTIF_CORPUS_NAME = MOTIF_CORPUS["name"]
MOTIF_TARGETS = MOTIF_CORPUS["targets"] or {}
for _track, _spec in MOTIF_TARGETS.items():
    if _spec["source"] not in config["sources"]:
        raise ValueError(
            f"motifs.corpus.targets.{_track}.source: {_spec['source']!r} is not a "
            f"`sources` entry ({', '.join(sorted(config['sources']))})"
        )

if MOTIF_CORPUS_NAME:

    rule motif_corpus:
        input:
            tokenizer=f"{WORK}/motifs/tokenizer",
            tracks=[f"{RES}/downloads/{t['source']}" for t in MOTIF_TARGETS.values()],
        output:
            corpus=report(
                directory(f"{WORK}/corpora/{MOTIF_CORPUS_NAME}"),
                patterns=["{name}.png"],
                caption="../report/motif_corpus.rst",
                category="motifs",
            ),
        log:
            f"{LOGS}/corpora/motif_{MOTIF_CORPUS_NAME}.log",
        benchmark:
            f"{LOGS}/bench/corpora/motif_{MOTIF_CORPUS_NAME}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            # per-bin targets of every chromosome (float32 per track) + one block of rows; the
            # demo job peaked at 410 MB under SLURM
            mem_mb=RS.mem_mb(400, 0.5, "input:tokenizer"),
            runtime=RS.runtime(240),
        params:
            entry=canonical(MOTIF_CORPUS),
            name=MOTIF_CORPUS_NAME,
            track_names=list(MOTIF_TARGETS),
        script:
            "../scripts/motif_corpus.py"

    ALL_TARGETS.extend(rules.motif_corpus.output)
    RELEASE_PARTS[f"corpora/{MOTIF_CORPUS_NAME}"] = rules.motif_corpus.output.corpus
