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
    log:
        f"{LOGS}/download/source_{{source}}.log",
    benchmark:
        f"{LOGS}/bench/download/source_{{source}}.tsv"
    retries: 1
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300),
        runtime=RS.runtime(120),
    params:
        entry=lambda wc: canonical(source_entry(wc.source)),
        fingerprint=lambda wc: source_fingerprint(source_entry(wc.source)),
        lock=SOURCES_LOCK,
        pin=PIN,
    script:
        "../scripts/download.py"


rule download_sample:
    output:
        f"{RES}/samples/{{sample}}",
        f"{RES}/samples/{{sample}}.source.json",
    log:
        f"{LOGS}/download/sample_{{sample}}.log",
    benchmark:
        f"{LOGS}/bench/download/sample_{{sample}}.tsv"
    retries: 1
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300),
        runtime=RS.runtime(30),
    params:
        entry=lambda wc: canonical(source_entry(wc.sample)),
        fingerprint=lambda wc: source_fingerprint(source_entry(wc.sample)),
        lock=SOURCES_LOCK,
        pin=PIN,
    script:
        "../scripts/download.py"


# Downloads run on the submitting host (compute nodes often have no internet; 500 samples
# should not be 500 cluster jobs).
localrules:
    download_source,
    download_sample,
