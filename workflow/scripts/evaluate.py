"""Snakemake adapter: measure the run's vocabularies on held-out DNA (genovocab.evaluation)."""

import os
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", str(snakemake.threads))  # the BPE encoder's pool

from genovocab.evaluation.evaluate import (  # noqa: E402
    EvaluationInputs,
    EvaluationParams,
    evaluate,
    write_evaluation,
)
from genovocab.evaluation.holdout import training_chromosomes  # noqa: E402
from genovocab.io import read_chrom_sizes  # noqa: E402
from genovocab.logutil import configure_logging  # noqa: E402

sm = snakemake
log = configure_logging(snakemake)
p = sm.params
sites = {Path(f).name[: -len(".parquet")]: f for f in sm.input.sites}
inputs = EvaluationInputs(
    fasta=sm.input.fasta,
    chrom_sizes=sm.input.chrom_sizes,
    bpe=str(Path(sm.input.bpe).parent),
    ggram_vocab=sm.input.ggrams,
    motif_tokenizer=sm.input.motif_tokenizer,
    site_files=sites,
    training_text=sm.input.training_text,
    peaks=sm.input.peaks,
    held_out_peaks=sm.input.held_out_peaks or None,
    universes=dict(zip(p.methods, sm.input.universes)),
    assessments=dict(zip(p.methods, sm.input.assessments)),
)
params = EvaluationParams(
    held_out=list(p.held_out),
    train=None if p.train is None else list(p.train),
    # the same rule the training jobs used (rules/common.smk: training_chromosomes)
    trained_on=training_chromosomes(
        list(p.held_out),
        list(read_chrom_sizes(sm.input.chrom_sizes)),
        exclude=bool(p.exclude_from_training),
    ),
    window=int(p.window),
    k=int(p.k),
    extra_bpe_sizes=[int(s) for s in p.extra_bpe_sizes],
    max_bp=p.max_bp,
    train_max_bp=p.train_max_bp,
    motif_control_max_bp=p.motif_control_max_bp,
    seed=int(p.seed),
    band=(int(p.band[0]), int(p.band[1])),
)
result = evaluate(inputs, params, progress=log.debug)
write_evaluation(Path(sm.output.sequence).parent, result)
log.info(
    "evaluated %s on %s",
    ", ".join(result["meta"]["tokenizations"]),
    ", ".join(result["meta"]["held_out"]),
)
