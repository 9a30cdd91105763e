# Motif tokens (docs/architecture.md): IDS partial sums per chromosome (scatter) -> one IDS
# matrix (reduce) -> hierarchical clusters -> per chromosome bin x cluster features and active
# patterns (scatter) -> token vocabulary + Zipf fit (gather) -> per chromosome token ids.
# Inputs are the motif-bins stage's {OUT}/motifs/bins/{chrom}.{bins.npy,features.npz} and
# {OUT}/motifs/features.tsv.

IDS_CFG = config["ids"]
IDS_WORK = f"{OUT}/work/ids"
IDS_MODE = IDS_CFG["mode"]


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
        partial=temp(f"{IDS_WORK}/partials/{{chrom}}.npz"),
    params:
        mode=IDS_MODE,
        sample_size=IDS_CFG["sample_size"],
        seed=IDS_CFG["seed"],
        terms=IDS_CFG["terms"],
        bandwidth=IDS_CFG["bandwidth"],
        backend=IDS_CFG["backend"],
        chroms=lambda wc: selected_chromosomes(),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/partial/{{chrom}}.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=1440,
    script:
        "../scripts/ids_partial.py"


rule ids_reduce:
    input:
        partials=lambda wc: expand(
            f"{IDS_WORK}/partials/{{chrom}}.npz", chrom=selected_chromosomes()
        ),
        features=f"{OUT}/motifs/features.tsv",
    output:
        ids=f"{OUT}/motifs/ids.npy",
        labels=f"{OUT}/motifs/ids.tsv",
    params:
        norm=str(IDS_CFG["norm"]),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/reduce.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=120,
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
        threshold=IDS_CFG["threshold"],
        n_clusters=IDS_CFG["n_clusters"],
        method=IDS_CFG["linkage"],
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/cluster.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
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
        threshold=IDS_CFG["token_threshold"],
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/ids/cluster_features/{{chrom}}.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=120,
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
    threads: 1
    resources:
        mem_mb=8000,
        runtime=120,
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
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
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
