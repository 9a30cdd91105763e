# Release: the last step of `rule all`. Copies every registered release part (RELEASE_PARTS)
# from the work folder into {OUT} = results/<name>-<version>/, adds provenance (resolved config,
# the digests of every downloaded input, software versions, chrom.sizes), the manifest, the
# release card and SHA256SUMS, then packs results/<name>-<version>.tar.gz deterministically.
import json


RELEASE_DOWNLOADS = release_downloads()
# the resolved configuration (schema defaults filled by validate) as plain dicts and lists;
# `resources` (cluster request caps) say how the run was executed, not what it built, so a
# release built locally and one built on SLURM are byte-identical
RELEASE_CONFIG = {
    k: v for k, v in json.loads(json.dumps(config, default=str)).items() if k != "resources"
}


rule release:
    input:
        parts=lambda wc: list(release_parts().values()),
        downloads=[p for p, _ in RELEASE_DOWNLOADS.values()],
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        # the folder itself is not declared (snakemake would add a timestamp file to it);
        # build_release replaces an earlier build of the same release as a whole
        manifest=f"{OUT}/release.json",
        sums=f"{OUT}/SHA256SUMS",
        card=f"{OUT}/README.md",
        tarball=f"{OUT}.tar.gz",
    params:
        parts=lambda wc: canonical(release_parts()),
        downloads=canonical(RELEASE_DOWNLOADS),
        config=canonical(RELEASE_CONFIG),
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/release/release.log",
    benchmark:
        f"{LOGS}/bench/release/release.tsv"
    threads: 1
    resources:
        # streams every file once (sha256, copy, tarball): memory does not grow with the data
        mem_mb=RS.mem_mb(400),
        runtime=RS.runtime(10, 0.01, "input"),
    script:
        "../scripts/release_build.py"


ALL_TARGETS.extend(rules.release.output)
