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


EVAL_PEAKS_HELD_OUT = f"{UWORK}/peaks_held_out.npz"


rule evaluation_held_out_peaks:
    # the held-out region sets (evaluation.held_out_samples) read as the universe stage reads
    # its own (universe_peaks), for the interval measures
    input:
        samples=lambda wc: expand(f"{RES}/samples/{{s}}", s=EVAL_HELD_OUT_SAMPLES),
        chrom_sizes=f"{RES}/genome/chrom.sizes",
    output:
        peaks=EVAL_PEAKS_HELD_OUT,
    log:
        f"{LOGS}/evaluation/held_out_peaks.log",
    benchmark:
        f"{LOGS}/bench/evaluation/held_out_peaks.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        mem_mb=RS.mem_mb(400, 10),
        runtime=RS.runtime(10, 0.05),
    params:
        names=list(EVAL_HELD_OUT_SAMPLES),
    script:
        "../scripts/universe_peaks.py"


rule evaluate:
    input:
        # the evaluation reads the site files of the chromosomes it measures
        sites=lambda wc: expand(
            f"{MOTIF_SITES_DIR}/{{chrom}}.parquet", chrom=selected_chromosomes()
        ),
        fasta=f"{RES}/genome/genome.fa",
        fai=f"{RES}/genome/genome.fa.fai",
        chrom_sizes=f"{RES}/genome/chrom.sizes",
        bpe=SEQ_BPE_FILES[0],
        ggrams=SEQ_GGRAM_FILES["vocab"],
        training_text=f"{WORK}/sequence/windows_training.txt",
        motif_tokenizer=f"{WORK}/motifs/tokenizer",
        peaks=f"{UWORK}/peaks.npz",
        held_out_peaks=EVAL_PEAKS_HELD_OUT if EVAL_HELD_OUT_SAMPLES else [],
        universes=expand(f"{UWORK}/{{m}}/universe.tsv", m=UNIVERSE_ALL_METHODS),
        assessments=expand(f"{UWORK}/{{m}}/assessment.tsv", m=UNIVERSE_ALL_METHODS),
    output:
        **{Path(name).stem: f"{EVAL_DIR}/{name}" for name in EVAL_FILES},
        plot=report(
            f"{EVAL_DIR}/rank_frequency.png",
            caption="../report/evaluation_rank_frequency.rst",
            category="evaluation",
        ),
    log:
        f"{LOGS}/evaluation/evaluate.log",
    benchmark:
        f"{LOGS}/bench/evaluation/evaluate.tsv"
    conda:
        "../envs/genovocab.yaml"
    threads: 1
    resources:
        # one block of pieces (1 Mbp), its tokenizations, one chunk of sites and a counter per
        # vocabulary id: flat in the chromosome length (benchmarks/bench_evaluate.py)
        mem_mb=RS.mem_mb(1500),
        # at most 15 CPU-min per 100 Mbp held out, plus training DNA (10 Mbp) and the control's
        # motif scan (2 Mbp); extra BPE sizes train on the BPE text
        runtime=RS.runtime(30, 0.3, "input:training_text"),
    params:
        held_out=EVAL_HELD_OUT,
        # what the vocabularies were trained on, so every row says whether its data was seen
        exclude_from_training=EVAL_EXCLUDE,
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
    script:
        "../scripts/evaluate.py"


ALL_TARGETS.extend(rules.evaluate.output)
RELEASE_PARTS.update({f"evaluation/{Path(p).name}": p for p in rules.evaluate.output})
