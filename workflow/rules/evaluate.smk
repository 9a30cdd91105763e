# Vocabulary evaluation (docs/evaluation.md): every release measures its vocabularies on
# held-out DNA beside k-mer baselines, extra BPE sizes and a dinucleotide-shuffled control, and
# its interval vocabularies on the region sets; evaluation/ goes into the release.
EVAL = config["evaluation"]
EVAL_DIR = f"{WORK}/evaluation"
EVAL_FILES = (
    "sequence.tsv",
    "integrity_clusters.tsv",
    "ggrams.tsv",
    "intervals.tsv",
    "summary.md",
    "evaluation.json",
)


# evaluation.held_out, or the corpora's test split (the schema's documented default); empty:
# the job takes the last chromosome
EVAL_HELD_OUT = list(
    EVAL["held_out"]
    or (MOTIF_CORPUS["splits"].get("test") if MOTIF_CORPUS_NAME else None)
    or (SEQ_CORPUS["splits"] or {}).get("test")
    or []
)


rule evaluate:
    input:
        # the evaluation reads the site files of the chromosomes it measures
        sites=lambda wc: expand(f"{MOTIF_SITES_DIR}/{{chrom}}.parquet", chrom=selected_chromosomes()),
        fasta=f"{RES}/genome/genome.fa",
        fai=f"{RES}/genome/genome.fa.fai",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
        bpe=SEQ_BPE_FILES[0],
        ggrams=SEQ_GGRAM_FILES["vocab"],
        training_text=f"{WORK}/sequence/windows_training.txt",
        motif_tokenizer=f"{WORK}/motifs/tokenizer",
        peaks=f"{UWORK}/peaks.npz",
        universes=expand(f"{UWORK}/{{m}}/universe.tsv", m=UNIVERSE_ALL_METHODS),
        assessments=expand(f"{UWORK}/{{m}}/assessment.tsv", m=UNIVERSE_ALL_METHODS),
    output:
        **{Path(name).stem: f"{EVAL_DIR}/{name}" for name in EVAL_FILES},
        plot=report(
            f"{EVAL_DIR}/rank_frequency.png",
            caption="../report/evaluation_rank_frequency.rst",
            category="evaluation",
        ),
    params:
        held_out=EVAL_HELD_OUT,
        train=EVAL["train"],
        window=EVAL["window"],
        k=EVAL["k"],
        extra_bpe_sizes=EVAL["extra_bpe_sizes"],
        max_bp=EVAL["max_bp"],
        train_max_bp=EVAL["train_max_bp"],
        motif_control_max_bp=EVAL["motif_control_max_bp"],
        seed=EVAL["seed"],
        band=EVAL["band"],
        methods=UNIVERSE_ALL_METHODS,
    conda:
        "../envs/genovocab.yaml"
    log:
        f"{LOGS}/evaluation/evaluate.log",
    benchmark:
        f"{LOGS}/bench/evaluation/evaluate.tsv"
    threads: 1
    resources:
        # one block of pieces (1 Mbp), its tokenizations, one chunk of sites and a counter per
        # vocabulary id: flat in the chromosome length (benchmarks/bench_evaluate.py)
        mem_mb=RS.mem_mb(1500),
        # at most 15 CPU-min per 100 Mbp held out, plus training DNA (10 Mbp) and the control's
        # motif scan (2 Mbp); extra BPE sizes train on the BPE text
        runtime=RS.runtime(30, 0.3, "input:training_text"),
    script:
        "../scripts/evaluate.py"


ALL_TARGETS.extend(rules.evaluate.output)
RELEASE_PARTS.update(
    {f"evaluation/{Path(p).name}": p for p in rules.evaluate.output}
)
