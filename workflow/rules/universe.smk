# Consensus universe (docs/architecture.md): coverage of the peak samples per chromosome (scatter), one
# of six methods (ccre, union, cc, ccf, ml, hmm), a gather into the interval vocabulary
# universe/universe.bed.gz, stats and an assessment against the samples.

UNIVERSE = config["universe"]
UNIVERSE_METHOD = UNIVERSE["method"]
UNIVERSE_COMPARE = [m for m in UNIVERSE["compare_methods"] if m != UNIVERSE_METHOD]
UNIVERSE_ALL_METHODS = [UNIVERSE_METHOD] + UNIVERSE_COMPARE
UNIVERSE_PARAMS = dict(
    cutoff=UNIVERSE["cutoff"],
    window=UNIVERSE["window"],
    merge=UNIVERSE["merge"],
    filter_size=UNIVERSE["filter_size"],
    hmm_normalize=UNIVERSE["hmm_normalize"],
)
UWORK = f"{WORK}/universe"


rule universe_ccre:
    input:
        registry=f"{RES}/downloads/ccres",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        table=f"{UWORK}/ccre/universe.tsv",
    log:
        f"{LOGS}/universe/ccre.log",
    benchmark:
        f"{LOGS}/bench/universe/ccre.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 20, "input:registry"),
        runtime=RS.runtime(10, 0.1),
    script:
        "../scripts/universe_ccre.py"


rule universe_peaks:
    input:
        # the sheet less the evaluation's held-out region sets (common.smk: UNIVERSE_SAMPLES)
        samples=lambda wc: expand(f"{RES}/samples/{{s}}", s=UNIVERSE_SAMPLES),
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        peaks=f"{UWORK}/peaks.npz",
    log:
        f"{LOGS}/universe/peaks.log",
    benchmark:
        f"{LOGS}/bench/universe/peaks.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 10),
        runtime=RS.runtime(10, 0.05),
    params:
        names=list(UNIVERSE_SAMPLES),
    script:
        "../scripts/universe_peaks.py"


rule universe_chrom:
    input:
        peaks=f"{UWORK}/peaks.npz",
    output:
        table=f"{UWORK}/{{umethod}}/chroms/{{chrom}}.tsv",
    log:
        f"{LOGS}/universe/{{umethod}}/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/universe/{{umethod}}/{{chrom}}.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # 0.53 GB measured on chr1 with 500 files (benchmarks/bench_chr1.py)
        mem_mb=RS.mem_mb(350, 1.5, "chrom"),
        runtime=RS.runtime(10, 0.5, "chrom"),
    params:
        **UNIVERSE_PARAMS,
    script:
        "../scripts/universe_chrom.py"


rule universe_gather:
    input:
        tables=lambda wc: expand(
            f"{UWORK}/{wc.umethod}/chroms/{{chrom}}.tsv", chrom=selected_chromosomes()
        ),
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        table=f"{UWORK}/{{umethod}}/universe.tsv",
    log:
        f"{LOGS}/universe/{{umethod}}/gather.log",
    benchmark:
        f"{LOGS}/bench/universe/{{umethod}}/gather.tsv"
    wildcard_constraints:
        umethod="|".join(COVERAGE_METHODS),
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 3),
        runtime=RS.runtime(10),
    script:
        "../scripts/universe_gather.py"


rule universe_assess:
    input:
        table=f"{UWORK}/{{umethod}}/universe.tsv",
        peaks=f"{UWORK}/peaks.npz",
    output:
        tsv=f"{UWORK}/{{umethod}}/assessment.tsv",
    log:
        f"{LOGS}/universe/{{umethod}}/assess.log",
    benchmark:
        f"{LOGS}/bench/universe/{{umethod}}/assess.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 6),
        runtime=RS.runtime(10, 0.2),
    params:
        window=UNIVERSE_PARAMS["window"],
    script:
        "../scripts/universe_assess.py"


UNIVERSE_FLEXIBLE = UNIVERSE_METHOD in ("ccf", "ml", "hmm")
UNIVERSE_BED_OUTPUTS = dict(
    universe=f"{WORK}/universe/universe.bed.gz",
    stats=f"{WORK}/universe/stats.tsv",  # in the report as rules/report.smk's HTML table
)
if UNIVERSE_FLEXIBLE:
    UNIVERSE_BED_OUTPUTS["flexible"] = f"{WORK}/universe/universe_flexible.bed.gz"
UNIVERSE_REPORT_OUTPUTS = dict(
    assessment=f"{WORK}/universe/assessment.tsv",  # in the report as an HTML table
)
if UNIVERSE_COMPARE:
    UNIVERSE_REPORT_OUTPUTS["comparison"] = f"{WORK}/universe/comparison.tsv"
    UNIVERSE_REPORT_OUTPUTS["plot"] = report(
        f"{WORK}/universe/comparison.png",
        caption="../report/universe_comparison.rst",
        category="intervals",
    )


rule universe_bed:
    input:
        table=f"{UWORK}/{UNIVERSE_METHOD}/universe.tsv",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        **UNIVERSE_BED_OUTPUTS,
    log:
        f"{LOGS}/universe/universe_bed.log",
    benchmark:
        f"{LOGS}/bench/universe/universe_bed.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 3),
        runtime=RS.runtime(10),
    params:
        method=UNIVERSE_METHOD,
    script:
        "../scripts/universe_bed.py"


rule universe_report:
    input:
        assessments=expand(f"{UWORK}/{{m}}/assessment.tsv", m=UNIVERSE_ALL_METHODS),
    output:
        **UNIVERSE_REPORT_OUTPUTS,
    log:
        f"{LOGS}/universe/report.log",
    benchmark:
        f"{LOGS}/bench/universe/report.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 1),
        runtime=RS.runtime(5),
    params:
        methods=UNIVERSE_ALL_METHODS,
    script:
        "../scripts/universe_report.py"


ALL_TARGETS.extend(rules.universe_bed.output)
ALL_TARGETS.extend(rules.universe_report.output)


rule universe_tokenizer:
    input:
        universe=UNIVERSE_BED_OUTPUTS["universe"],
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        universe=f"{WORK}/universe/tokenizer/universe.bed.gz",
        config=f"{WORK}/universe/tokenizer/tokenizer_config.json",
        toml=f"{WORK}/universe/tokenizer/tokenizer.toml",
        special=f"{WORK}/universe/tokenizer/special_tokens_map.json",
    log:
        f"{LOGS}/universe/tokenizer.log",
    benchmark:
        f"{LOGS}/bench/universe/tokenizer.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 1, "input:universe"),
        runtime=RS.runtime(5),
    script:
        "../scripts/release_interval_tokenizer.py"


RELEASE_PARTS.update(
    {f"intervals/{Path(p).name}": p for p in rules.universe_tokenizer.output}
)
RELEASE_PARTS.update(
    {
        f"intervals/{Path(p).name}": p
        for key, p in {**UNIVERSE_BED_OUTPUTS, **UNIVERSE_REPORT_OUTPUTS}.items()
        if key != "universe"
    }
)


# The report only reads the small assessment tables: not worth a cluster job.
localrules:
    universe_report,
