# Report pages: the tables a reader wants to see in `snakemake --report` (which shows only
# images and HTML inline), rendered as HTML by genovocab.report_pages. Work-folder files only,
# never part of the release.
REPORT_DIR = f"{WORK}/report"
# page -> (TSV, title, category, caption)
REPORT_TABLES = {
    "universe_assessment": (
        f"{WORK}/universe/assessment.tsv",
        "Universe assessment against the peak samples",
        "intervals",
        "universe_assessment.rst",
    ),
    "universe_stats": (
        f"{WORK}/universe/stats.tsv",
        "Universe statistics",
        "intervals",
        "universe_stats.rst",
    ),
    "motifs_stats": (
        f"{WORK}/motifs/stats.tsv",
        "Motif bins",
        "motifs",
        "motifs_stats.rst",
    ),
    "motif_clusters": (
        f"{WORK}/motifs/cluster_summary.tsv",
        "Motif clusters (InterDependence Score)",
        "motifs",
        "motif_clusters.rst",
    ),
    "ggram_stats": (
        f"{WORK}/ggram/stats.tsv",
        "G-gram extraction",
        "sequence",
        "ggram_stats.rst",
    ),
    "evaluation_sequence": (
        f"{WORK}/evaluation/sequence.tsv",
        "Vocabulary evaluation on held-out DNA",
        "evaluation",
        "evaluation_sequence.rst",
    ),
}
if UNIVERSE_COMPARE:
    REPORT_TABLES["universe_comparison"] = (
        f"{WORK}/universe/comparison.tsv",
        "Universe methods compared",
        "intervals",
        "universe_comparison.rst",
    )
# corpus -> its stats.json (the motif corpus is a folder output: its file is read inside it)
REPORT_CORPUS_STATS = {
    name: f"{WORK}/corpora/{name}/stats.json"
    for name in [*ALL_CORPORA, SEQ_CORPUS_NAME]
}
REPORT_CORPUS_INPUTS = list(REPORT_CORPUS_STATS.values())
if MOTIF_CORPUS_NAME:
    REPORT_CORPUS_STATS[MOTIF_CORPUS_NAME] = (
        f"{WORK}/corpora/{MOTIF_CORPUS_NAME}/stats.json"
    )
    REPORT_CORPUS_INPUTS.append(f"{WORK}/corpora/{MOTIF_CORPUS_NAME}")


rule report_pages:
    input:
        tables=[tsv for tsv, _, _, _ in REPORT_TABLES.values()],
        corpora=REPORT_CORPUS_INPUTS,
        card=rules.release.output.card,
    output:
        **{
            page: report(
                f"{REPORT_DIR}/{page}.html",
                caption=f"../report/{caption}",
                category=category,
            )
            for page, (_, _, category, caption) in REPORT_TABLES.items()
        },
        corpora=report(
            f"{REPORT_DIR}/corpus_statistics.html",
            caption="../report/corpus_statistics.rst",
            category="corpora",
        ),
        card=report(
            f"{REPORT_DIR}/release_card.html",
            caption="../report/release_card.rst",
            category="release",
        ),
    log:
        f"{LOGS}/report/pages.log",
    benchmark:
        f"{LOGS}/bench/report/pages.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(300),
        runtime=RS.runtime(5),
    params:
        tables=canonical(
            {page: [tsv, title] for page, (tsv, title, _, _) in REPORT_TABLES.items()}
        ),
        corpus_stats=canonical(REPORT_CORPUS_STATS),
    script:
        "../scripts/report_pages.py"


localrules:
    report_pages,


ALL_TARGETS.extend(rules.report_pages.output)
