# Motif tokens (DESIGN.md 4.6, issue 6): IDS partial sums per chromosome (scatter) -> one IDS
# matrix (reduce) -> hierarchical clusters -> per chromosome bin x cluster features and active
# patterns (scatter) -> token vocabulary + Zipf fit (gather) -> per chromosome token ids.
# Inputs are the motif-bins stage's {WORK}/motifs/bins/{chrom}.{bins.npy,features.npz} and
# {WORK}/motifs/features.tsv.

IDS_CFG = config.get("ids", {})
IDS_WORK = f"{WORK}/ids"
IDS_MODE = IDS_CFG.get("mode", "exact")


rule ids_partial:
    input:
        features=f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        # sample mode shares the genome-wide sample out by bins per chromosome
        all_bins=lambda wc: (
            expand(f"{WORK}/motifs/bins/{{chrom}}.bins.npy", chrom=selected_chromosomes())
            if IDS_MODE == "sample"
            else []
        ),
    output:
        partial=temp(f"{IDS_WORK}/partials/{{chrom}}.npz"),
    params:
        mode=IDS_MODE,
        sample_size=IDS_CFG.get("sample_size", 2000000),
        seed=IDS_CFG.get("seed", 0),
        terms=IDS_CFG.get("terms", 6),
        bandwidth=IDS_CFG.get("bandwidth", 0.5),
        backend=IDS_CFG.get("backend", "numpy"),
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
        features=f"{WORK}/motifs/features.tsv",
    output:
        ids=f"{WORK}/motifs/ids.npy",
        labels=f"{WORK}/motifs/ids.tsv",
    params:
        norm=str(IDS_CFG.get("norm", "max")),
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
    params:
        threshold=IDS_CFG.get("threshold", 0.5),
        n_clusters=IDS_CFG.get("n_clusters"),
        method=IDS_CFG.get("linkage", "average"),
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
        features=f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        clusters=f"{WORK}/motifs/clusters.tsv",
    output:
        cluster_features=f"{WORK}/motifs/cluster_features/{{chrom}}.npz",
        patterns=f"{IDS_WORK}/patterns/{{chrom}}.npz",
    params:
        threshold=IDS_CFG.get("token_threshold", 0.5),
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
            f"{WORK}/motifs/bins/{{chrom}}.bins.npy", chrom=selected_chromosomes()
        ),
    output:
        vocab=f"{WORK}/motifs/token_vocab.tsv",
        zipf=f"{WORK}/motifs/zipf.json",
        plot=report(
            f"{WORK}/motifs/zipf.png", caption="../report/ids_zipf.rst", category="motifs"
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
        vocab=f"{WORK}/motifs/token_vocab.tsv",
    output:
        tokens=f"{WORK}/motifs/tokens/{{chrom}}.tokens.npy",
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
            f"{WORK}/motifs/cluster_features/{{chrom}}.npz",
            f"{WORK}/motifs/tokens/{{chrom}}.tokens.npy",
        ],
        chrom=selected_chromosomes(),
    )
)

RELEASE_PARTS.update(
    {
        f"motifs/{Path(p).name}": p
        for r in (rules.ids_reduce, rules.ids_cluster, rules.ids_token_vocab)
        for p in r.output
    }
)
RELEASE_PARTS["motifs/cluster_features"] = lambda: {
    f"motifs/{sub}/{c}{ext}": f"{WORK}/motifs/{sub}/{c}{ext}"
    for c in selected_chromosomes()
    for sub, ext in (("cluster_features", ".npz"), ("tokens", ".tokens.npy"))
}
