# IDS (docs/architecture.md): IDS partial sums per (chromosome, block) (scatter) ->
# per-chromosome sums -> one IDS matrix (reduce) -> hierarchical motif clusters. The motif
# tokens built on the clusters are in motif_tokens.smk.
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


ALL_TARGETS.extend(rules.ids_reduce.output)
ALL_TARGETS.extend(rules.ids_cluster.output)
RELEASE_PARTS["motifs/ids_heatmap.png"] = rules.ids_cluster.output.heatmap
