# Downloads: every configured source and every peak sample, verified by sha256.


wildcard_constraints:
    source="|".join(sorted(config["sources"])),
    sample="[A-Za-z0-9_.-]+",


rule download_source:
    output:
        f"{RES}/downloads/{{source}}",
    params:
        entry=lambda wc: source_entry(wc.source),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/download/source_{{source}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=120,
    retries: 1
    script:
        "../scripts/download.py"


rule download_sample:
    output:
        f"{RES}/samples/{{sample}}",
    params:
        entry=lambda wc: source_entry(wc.sample),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/download/sample_{{sample}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=60,
    retries: 1
    script:
        "../scripts/download.py"
