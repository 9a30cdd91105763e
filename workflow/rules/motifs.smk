# Motif-aware bins (docs/architecture.md): motif sites per chromosome from one of three
# sources (scan the genome with the PFMs | JASPAR per-matrix tracks | the JASPAR bigBed), stored
# as compact per-chromosome Parquet site files under {RES}/motifs/sites/; then per chromosome
# (scatter) coverage -> Gaussian smoothing -> find_peaks -> bin edges and the bin x feature CSR;
# a gather writes features.tsv, stats.tsv, sites_per_feature.tsv and the bin-length histogram.

MOTIFS = config["motifs"]
MOTIF_SITES = MOTIFS["sites"]
MOTIF_SOURCE = MOTIF_SITES["source"]
MOTIF_BINNING = MOTIFS["binning"]
MOTIF_CPG = MOTIFS["cpg"]
MOTIF_MATRICES = list(MOTIFS["matrices"])
MOTIF_TRACK_BATCHES = int(MOTIF_SITES["tracks_batches"])
MOTIF_SITES_DIR = f"{RES}/motifs/sites"
MWORK = f"{WORK}/motifs"
MOTIF_PFMS = f"{RES}/downloads/jaspar_pfms"
MOTIF_BIN_PARAMS = dict(
    sigma=MOTIF_BINNING["sigma"],
    peak_width=MOTIF_BINNING["peak_width"],
    max_bin=MOTIF_BINNING["max_bin"],
    trim_step=MOTIF_BINNING["trim_step"],
    chunk_sites=MOTIF_BINNING["chunk_sites"],
)


if MOTIF_SOURCE == "scan":

    rule motifs_scan:
        input:
            fasta=f"{RES}/genome/genome.fa",
            fai=f"{RES}/genome/genome.fa.fai",
            pfms=MOTIF_PFMS,
        output:
            sites=f"{MOTIF_SITES_DIR}/{{chrom}}.parquet",
        log:
            f"{LOGS}/motifs/scan/{{chrom}}.log",
        benchmark:
            f"{LOGS}/bench/motifs/scan/{{chrom}}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            mem_mb=RS.mem_mb(500, 10, "chrom"),
            runtime=RS.runtime(10, 3, "chrom"),
        params:
            matrices=MOTIF_MATRICES,
            window=MOTIF_SITES["scan_window"],
            min_relative=MOTIF_SITES["min_relative"],
            max_pvalue=MOTIF_SITES["max_pvalue"],
        script:
            "../scripts/motifs_scan.py"

elif MOTIF_SOURCE == "tracks":

    rule motifs_tracks_batch:
        input:
            pfms=MOTIF_PFMS,
            chrom_sizes=f"{RES}/genome/chrom.sizes",
        output:
            partials=directory(f"{RES}/motifs/track_batches/{{batch}}"),
        log:
            f"{LOGS}/motifs/tracks/batch_{{batch}}.log",
        benchmark:
            f"{LOGS}/bench/motifs/tracks/batch_{{batch}}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            # one hg38 track (14.2 M sites) peaks at 1.3 GB while parsed; a batch of 4-5
            # keeps ~15 B per site besides: ~2.5 GB
            mem_mb=RS.mem_mb(3000),
            runtime=RS.runtime(240),
        params:
            matrices=MOTIF_MATRICES,
            batches=MOTIF_TRACK_BATCHES,
            url=lambda wc: MOTIF_SITES["tracks_url"],
            sha256=canonical(MOTIF_SITES["tracks_sha256"]),
            downloads=f"{RES}/downloads/jaspar_tracks",
            min_relative=MOTIF_SITES["min_relative"],
        script:
            "../scripts/motifs_tracks.py"

    rule motifs_tracks_merge:
        input:
            partials=expand(
                f"{RES}/motifs/track_batches/{{batch}}",
                batch=range(MOTIF_TRACK_BATCHES),
            ),
        output:
            sites=f"{MOTIF_SITES_DIR}/{{chrom}}.parquet",
        log:
            f"{LOGS}/motifs/tracks/merge_{{chrom}}.log",
        benchmark:
            f"{LOGS}/bench/motifs/tracks/merge_{{chrom}}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            # one row group of each of the batches' files at a time: ~5.8 GB at chr1 with 200
            # batches (benchmarks/bench_chr1.py --jobs merge, extrapolated from two fractions)
            mem_mb=RS.mem_mb(600, 24, "chrom"),
            runtime=RS.runtime(120),
        script:
            "../scripts/motifs_merge.py"

elif MOTIF_SOURCE == "bigbed":

    rule motifs_bigbed:
        input:
            bigbed=f"{RES}/downloads/{MOTIF_SITES['bigbed_source']}",
            pfms=MOTIF_PFMS,
            chrom_sizes=f"{RES}/genome/chrom.sizes",
        output:
            sites=f"{MOTIF_SITES_DIR}/{{chrom}}.parquet",
        log:
            f"{LOGS}/motifs/bigbed/{{chrom}}.log",
        benchmark:
            f"{LOGS}/bench/motifs/bigbed/{{chrom}}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            mem_mb=RS.mem_mb(500, 8, "chrom"),
            runtime=RS.runtime(10, 1, "chrom"),
        params:
            matrices=MOTIF_MATRICES,
            min_score=MOTIF_SITES["bigbed_min_score"],
        script:
            "../scripts/motifs_bigbed.py"


MOTIF_BIN_EXTRA = {}
if MOTIF_CPG == "dinucleotide":
    MOTIF_BIN_EXTRA["fasta"] = f"{RES}/genome/genome.fa"
    MOTIF_BIN_EXTRA["fai"] = f"{RES}/genome/genome.fa.fai"
elif MOTIF_CPG == "islands":
    MOTIF_BIN_EXTRA["islands"] = f"{RES}/downloads/{MOTIFS['cpg_islands_source']}"


rule motifs_bin:
    input:
        **MOTIF_BIN_EXTRA,
        sites=f"{MOTIF_SITES_DIR}/{{chrom}}.parquet",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        bins=f"{WORK}/motifs/bins/{{chrom}}.bins.npy",
        features=f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        stats=f"{MWORK}/stats/{{chrom}}.json",
    log:
        f"{LOGS}/motifs/bin/{{chrom}}.log",
    benchmark:
        f"{LOGS}/bench/motifs/bin/{{chrom}}.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # chr1 run (benchmarks/bench_chr1.py, 997 M sites): 3.7 GB, ~1.3 GB + ~10 B per bp;
        # ~8 CPU-s per Mbp
        mem_mb=RS.mem_mb(1400, 12, "chrom"),
        runtime=RS.runtime(10, 0.3, "chrom"),
    params:
        **MOTIF_BIN_PARAMS,
        cpg=MOTIF_CPG,
        compress=MOTIFS["compress"],
    script:
        "../scripts/motifs_bin.py"


rule motifs_gather:
    input:
        stats=lambda wc: expand(
            f"{MWORK}/stats/{{chrom}}.json", chrom=selected_chromosomes()
        ),
        pfms=MOTIF_PFMS,
    output:
        features=f"{WORK}/motifs/features.tsv",
        stats=f"{WORK}/motifs/stats.tsv",  # in the report as an HTML table
        sites_per_feature=f"{WORK}/motifs/sites_per_feature.tsv",
        histogram=report(
            f"{WORK}/motifs/bin_lengths.png",
            caption="../report/motifs_bin_lengths.rst",
            category="motifs",
        ),
    log:
        f"{LOGS}/motifs/gather.log",
    benchmark:
        f"{LOGS}/bench/motifs/gather.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300, 1),
        runtime=RS.runtime(10),
    params:
        matrices=MOTIF_MATRICES,
        cpg=MOTIF_CPG,
    script:
        "../scripts/motifs_gather.py"


ALL_TARGETS.extend(rules.motifs_gather.output)
ALL_TARGETS.append(
    lambda wc: expand(
        [
            f"{WORK}/motifs/bins/{{chrom}}.bins.npy",
            f"{WORK}/motifs/bins/{{chrom}}.features.npz",
        ],
        chrom=selected_chromosomes(),
    )
)

# the motif tokenizer folder (motif_tokens.smk) is the release's motifs/; this stage adds its plot and
# statistics
RELEASE_PARTS["motifs/bin_lengths.png"] = rules.motifs_gather.output.histogram
RELEASE_PARTS["motifs/stats.tsv"] = rules.motifs_gather.output.stats


# The gather only reads the small per-chromosome stats: not worth a cluster job.
localrules:
    motifs_gather,
