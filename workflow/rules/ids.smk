# Motif tokens (DESIGN.md 4.6, issue 6): IDS partial sums per chromosome (scatter) -> one IDS
# matrix (reduce) -> hierarchical clusters -> per chromosome bin x cluster features and active
# patterns (scatter) -> token vocabulary + Zipf fit (gather) -> per chromosome token ids.
# Inputs are the motif-bins stage's {OUT}/motifs/bins/{chrom}.{bins.npy,features.npz} and
# {OUT}/motifs/features.tsv.

IDS_CFG = config.get("ids", {})
IDS_WORK = f"{OUT}/work/ids"
IDS_MODE = IDS_CFG.get("mode", "exact")
# Each chromosome's partial sums are scattered over ceil(length / block_bp) blocks of bins
# (the sums are additive), so no job works on more than ~block_bp of genome.
IDS_BLOCK_BP = int(IDS_CFG.get("block_bp", 50000000))


def ids_partial_files(wildcards):
    """The partial-sum files of every (chromosome, block); waits on genome preparation."""
    sizes = checkpoints.prepare_genome.get().output.chrom_sizes
    with open(sizes) as handle:
        length = dict(line.split("\t")[:2] for line in handle if line.strip())
    from genovocab.motifs.ids import chromosome_blocks

    files = []
    for chrom in selected_chromosomes():
        n = chromosome_blocks(int(length[chrom]), IDS_BLOCK_BP)
        files += [f"{IDS_WORK}/partials/{chrom}.{b}-of-{n}.npz" for b in range(n)]
    return files


rule ids_partial:
    input:
        features=f"{OUT}/motifs/bins/{{chrom}}.features.npz",
        # sample mode shares the genome-wide sample out by bins per chromosome
        all_bins=lambda wc: (
            expand(f"{OUT}/motifs/bins/{{chrom}}.bins.npy", chrom=selected_chromosomes())
            if IDS_MODE == "sample"
            else []
        ),
    output:
        partial=temp(f"{IDS_WORK}/partials/{{chrom}}.{{block}}-of-{{nblocks}}.npz"),
    wildcard_constraints:
        block=r"\d+",
        nblocks=r"\d+",
    params:
        mode=IDS_MODE,
        sample_size=IDS_CFG.get("sample_size", 2000000),
        seed=IDS_CFG.get("seed", 0),
        terms=IDS_CFG.get("terms", 6),
        bandwidth=IDS_CFG.get("bandwidth", 0.5),
        backend=IDS_CFG.get("backend", "numpy"),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/partial/{{chrom}}.{{block}}-of-{{nblocks}}.log",
    benchmark:
        f"{LOGS}/bench/ids/partial/{{chrom}}.{{block}}-of-{{nblocks}}.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 4, "input:features"),
        runtime=RS.runtime(10, 0.5, "input:features"),
    script:
        "../scripts/ids_partial.py"


rule ids_reduce:
    input:
        partials=ids_partial_files,
        features=f"{OUT}/motifs/features.tsv",
    output:
        ids=f"{OUT}/motifs/ids.npy",
        labels=f"{OUT}/motifs/ids.tsv",
    params:
        norm=str(IDS_CFG.get("norm", "max")),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/reduce.log",
    benchmark:
        f"{LOGS}/bench/ids/reduce.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(600, 0.05),
        runtime=RS.runtime(10, 0.01),
    script:
        "../scripts/ids_reduce.py"


rule ids_cluster:
    input:
        ids=f"{OUT}/motifs/ids.npy",
        features=f"{OUT}/motifs/features.tsv",
    output:
        clusters=f"{OUT}/motifs/clusters.tsv",
        summary=f"{OUT}/motifs/cluster_summary.tsv",
        heatmap=report(
            f"{OUT}/motifs/ids_heatmap.png",
            caption="../report/ids_heatmap.rst",
            category="motifs",
        ),
    params:
        threshold=IDS_CFG.get("threshold", 0.5),
        n_clusters=IDS_CFG.get("n_clusters"),
        method=IDS_CFG.get("linkage", "average"),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/cluster.log",
    benchmark:
        f"{LOGS}/bench/ids/cluster.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(500, 4, "input:ids"),
        runtime=RS.runtime(30),
    script:
        "../scripts/ids_cluster.py"


rule ids_cluster_features:
    input:
        features=f"{OUT}/motifs/bins/{{chrom}}.features.npz",
        clusters=f"{OUT}/motifs/clusters.tsv",
    output:
        cluster_features=f"{OUT}/motifs/cluster_features/{{chrom}}.npz",
        patterns=f"{IDS_WORK}/patterns/{{chrom}}.npz",
    params:
        threshold=IDS_CFG.get("token_threshold", 0.5),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/cluster_features/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/ids/cluster_features/{{chrom}}.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 4, "input:features"),
        runtime=RS.runtime(10, 0.05, "input:features"),
    script:
        "../scripts/ids_cluster_features.py"


rule ids_token_vocab:
    input:
        patterns=lambda wc: expand(
            f"{IDS_WORK}/patterns/{{chrom}}.npz", chrom=selected_chromosomes()
        ),
        bins=lambda wc: expand(
            f"{OUT}/motifs/bins/{{chrom}}.bins.npy", chrom=selected_chromosomes()
        ),
    output:
        vocab=f"{OUT}/motifs/token_vocab.tsv",
        zipf=f"{OUT}/motifs/zipf.json",
        plot=report(
            f"{OUT}/motifs/zipf.png", caption="../report/ids_zipf.rst", category="motifs"
        ),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/token_vocab.log",
    benchmark:
        f"{LOGS}/bench/ids/token_vocab.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 2),
        runtime=RS.runtime(10, 0.02),
    script:
        "../scripts/ids_token_vocab.py"


rule ids_tokens:
    input:
        patterns=f"{IDS_WORK}/patterns/{{chrom}}.npz",
        vocab=f"{OUT}/motifs/token_vocab.tsv",
    output:
        tokens=f"{OUT}/motifs/tokens/{{chrom}}.tokens.npy",
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/tokens/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/ids/tokens/{{chrom}}.tsv",
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 3),
        runtime=RS.runtime(5, 0.02),
    script:
        "../scripts/ids_tokens.py"


ALL_TARGETS.extend(rules.ids_reduce.output)
ALL_TARGETS.extend(rules.ids_cluster.output)
ALL_TARGETS.extend(rules.ids_token_vocab.output)
ALL_TARGETS.append(
    lambda wc: expand(
        [
            f"{OUT}/motifs/cluster_features/{{chrom}}.npz",
            f"{OUT}/motifs/tokens/{{chrom}}.tokens.npy",
        ],
        chrom=selected_chromosomes(),
    )
)
