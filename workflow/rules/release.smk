# Release: the last step of `rule all`. Puts every registered release part (RELEASE_PARTS)
# from the work folder into {OUT} = results/<name>-<version>/ (large files by hard link, each
# file hashed once, on the job's threads), adds provenance (resolved config, the digests of
# every downloaded input, software versions, chrom.sizes), the manifest, the release card and
# SHA256SUMS, then packs the archive `release.archive` chooses deterministically
# (results/<name>-<version>.tar.gz by default; none for a folder-only release).
import json

RELEASE_DOWNLOADS = release_downloads()
RELEASE_ARCHIVE = config["release"]["archive"]
RELEASE_ARCHIVE_OUT = (
    {"archive": f"{OUT}.{RELEASE_ARCHIVE}"} if RELEASE_ARCHIVE != "none" else {}
)
# the resolved configuration (schema defaults filled by validate) as plain dicts and lists;
# `resources` (cluster request caps) say how the run was executed, not what it built, so a
# release built locally and one built on SLURM are byte-identical
RELEASE_CONFIG = {
    k: v
    for k, v in json.loads(json.dumps(config, default=str)).items()
    if k != "resources"
}
# how the release is packed (archive, links) does not change what it holds: the folder and its
# digest are the same for every choice
RELEASE_CONFIG["release"] = {
    k: v for k, v in RELEASE_CONFIG["release"].items() if k not in ("archive", "link")
}


rule release:
    input:
        parts=lambda wc: list(release_parts().values()),
        downloads=[p for p, _ in RELEASE_DOWNLOADS.values()],
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        **RELEASE_ARCHIVE_OUT,
        # the folder itself is not declared (snakemake would add a timestamp file to it);
        # build_release replaces an earlier build of the same release as a whole
        manifest=f"{OUT}/release.json",
        sums=f"{OUT}/SHA256SUMS",
        card=f"{OUT}/README.md",
    log:
        f"{LOGS}/release/release.log",
    benchmark:
        f"{LOGS}/bench/release/release.tsv"
    conda:
        "../envs/genovocab.yaml"
    # hashing and gzip run on every thread given (hashlib and zlib release the GIL)
    threads: 8
    resources:
        # streams every file: hashed once, linked (or copied), archived in pieces of 8 MiB
        # (~2 per thread in flight, 160 MB at 8 threads); up to 8 files are checked at once (a
        # Parquet file's check peaks at ~140 MB); memory does not grow with the data
        mem_mb=RS.mem_mb(1600),
        runtime=RS.runtime(10, 0.01, "input"),
    params:
        parts=lambda wc: canonical(release_parts()),
        downloads=canonical(RELEASE_DOWNLOADS),
        config=canonical(RELEASE_CONFIG),
        archive=RELEASE_ARCHIVE,
        link=config["release"]["link"],
    script:
        "../scripts/release_build.py"


ALL_TARGETS.extend(rules.release.output)
