# Downloads: every configured source and every peak sample, verified by sha256 and/or the
# sources lock ({RES}/sources.lock.tsv); each writes a sidecar <file>.source.json. The params
# carry the entry and a fingerprint of local files, so an edited source reruns its download.


wildcard_constraints:
    source="|".join(sorted(config["sources"])),
    sample="(?!.*\\.source\\.json$)[A-Za-z0-9_.-]+",


rule download_source:
    output:
        f"{RES}/downloads/{{source}}",
        f"{RES}/downloads/{{source}}.source.json",
    params:
        entry=lambda wc: source_entry(wc.source),
        fingerprint=lambda wc: source_fingerprint(source_entry(wc.source)),
        lock=SOURCES_LOCK,
        pin=PIN,
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
        f"{RES}/samples/{{sample}}.source.json",
    params:
        entry=lambda wc: source_entry(wc.sample),
        fingerprint=lambda wc: source_fingerprint(source_entry(wc.sample)),
        lock=SOURCES_LOCK,
        pin=PIN,
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
