# Genome preparation: indexed plain FASTA of the selected chromosomes, chrom.sizes, N gaps.


checkpoint prepare_genome:
    input:
        fasta=f"{RES}/downloads/genome",
    output:
        fasta=f"{RES}/genome/genome.fa",
        fai=f"{RES}/genome/genome.fa.fai",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
        gaps=f"{RES}/genome/gaps.bed",
    log:
        f"{LOGS}/genome/prepare_genome.log",
    benchmark:
        f"{LOGS}/bench/genome/prepare_genome.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # one chromosome at a time: 1.9 GiB peak for a 249 Mbp chromosome (hg38 chr1 size,
        # benchmarks/bench_chr1.py --jobs genome); the file's size does not set it
        mem_mb=RS.mem_mb(2000),
        runtime=RS.runtime(10, 0.02),
    params:
        chromosomes=config["genome_prep"]["chromosomes"],
        chromosome_regex=config["genome_prep"]["chromosome_regex"],
        min_gap=config["genome_prep"]["min_gap"],
    script:
        "../scripts/prepare_genome.py"


ALL_TARGETS.extend(rules.prepare_genome.output)
