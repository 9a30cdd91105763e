# Shared names for every stage file: paths, sources, sample sheets, the list of final targets.
import os
import sys
from pathlib import Path

import pandas as pd

# The library comes from this checkout's src/, for the workflow and for every job's script
# (jobs inherit the environment), whether or not genovocab is pip-installed.
SRC = os.path.join(workflow.basedir, "src")
sys.path.insert(0, SRC)
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH", "")) if p)
)

GENOME = config["genome"]
RES = f"resources/{GENOME}"
RELEASE = f"{config['release']['name']}-{config['release']['version']}"
OUT = f"results/{RELEASE}"  # the release and nothing else (written by rule release)
WORK = f"results/{RELEASE}.work"  # every stage's outputs and intermediate files
LOGS = f"logs/{RELEASE}"
SCRIPTS = os.path.join(workflow.basedir, "workflow", "scripts")

from genovocab.defaults import COVERAGE_METHODS, UNIVERSE_METHODS
from genovocab.config_checks import CHROM_WILDCARD


# Every wildcard is constrained, so no two rules can claim the same file. A chromosome is any
# FASTA name that can be a file name (HLA-A*01:01:01:01 included; config_checks rejects the
# rest up front).
wildcard_constraints:
    chrom=CHROM_WILDCARD,
    batch="[0-9]+",
    corpus="[A-Za-z0-9_.-]+",
    umethod="|".join(UNIVERSE_METHODS),


# Cluster requests from the work: RS.mem_mb(base, per_unit, by) / RS.runtime(...) scale with
# the job's input MB (or its chromosome's Mbp) times `attempt`, capped by `resources.max_*`.
from genovocab.resources import ResourceScaler

RS = ResourceScaler(config, chrom_sizes=f"{RES}/genome/chrom.sizes")

# Rule params that hold mappings go through canonical(): Snakemake compares the repr of every
# param with the one recorded for the outputs, and a dict's repr follows the config file's key
# order. canonical() keeps the value (and its order) and sorts only the repr's keys, so the same
# config saved with other key order or YAML formatting reruns nothing. Lists keep their order.
from genovocab.params import canonical

# Each stage file appends its final outputs; the default target asks for all of them.
ALL_TARGETS = []

# Release parts: release path (file or folder, relative to {OUT}) -> stage output it is copied
# from; a value may also be a function of no arguments returning such a dict (for files that
# depend on the selected chromosomes). Each stage file registers what it contributes.
RELEASE_PARTS = {}


from genovocab.config_checks import check_config
from genovocab.io.chromsizes import read_chrom_sizes
from genovocab.config_checks import read_sample_sheet as _checked_sheet
from genovocab.download import local_fingerprint

PIN = config["pin"]
SOURCES_LOCK = f"{RES}/sources.lock.tsv"


def read_sample_sheet(path, schema):
    """A TSV sample sheet, checked (file and 1-based line in every error) and schema-validated."""
    sheet = _checked_sheet(path)
    validate(sheet, schema)
    return sheet


PEAK_SAMPLES = read_sample_sheet(config["samples"], "../schemas/samples.schema.yaml")
# Every cross-reference (keys naming sources, local files, pinning) before any job runs.
check_config(
    config,
    config_name="config",
    lock=SOURCES_LOCK,
    sheets={"samples/": PEAK_SAMPLES},
)


# What the evaluation holds out (docs/evaluation.md). Region sets: evaluation.held_out_samples
# of the sample sheet, left out of the universe build when evaluation.exclude_from_training.
from genovocab.evaluation.holdout import held_out_samples as _held_out_samples
from genovocab.evaluation.holdout import training_chromosomes as _training_chromosomes

EVAL_EXCLUDE = bool(config["evaluation"]["exclude_from_training"])
EVAL_HELD_OUT_SAMPLES = _held_out_samples(
    list(PEAK_SAMPLES.index),
    config["evaluation"]["held_out_samples"],
    config["evaluation"]["seed"],
)
UNIVERSE_SAMPLES = [
    s for s in PEAK_SAMPLES.index if not (EVAL_EXCLUDE and s in EVAL_HELD_OUT_SAMPLES)
]


def training_chromosomes():
    """Chromosomes the vocabularies train on: the selected ones less the evaluation's whole
    held-out chromosomes (rules/evaluate.smk: EVAL_HELD_OUT) when
    evaluation.exclude_from_training; a chrom:start-end entry excludes nothing.

    Call only inside input functions (as selected_chromosomes()).
    """
    chroms = selected_chromosomes()
    order = chroms
    if not EVAL_HELD_OUT and EVAL_EXCLUDE:
        # no held-out entry: the evaluation measures the last chromosome of chrom.sizes
        sizes = checkpoints.prepare_genome.get().output.chrom_sizes
        order = [c for c in read_chrom_sizes(sizes) if c in set(chroms)]
    kept = set(_training_chromosomes(EVAL_HELD_OUT, order, EVAL_EXCLUDE))
    return [c for c in chroms if c in kept]


def source_entry(name):
    """The configured {url, sha256} of source `name`, or of sample `name`.

    Samples are named `samples/<name>` in the sources lock and the download sidecar.
    """
    if name in config["sources"]:
        return config["sources"][name]
    row = PEAK_SAMPLES.loc[name]
    return {
        "url": row["url"],
        "sha256": row.get("sha256", "") or None,
        "name": f"samples/{name}",
    }


def source_fingerprint(entry):
    """size:mtime of a local source: in params, an edited local file reruns its download."""
    return local_fingerprint(entry["url"])


def selected_chromosomes():
    """Chromosomes the run works on: the configured list, or those genome preparation selected.

    Call only inside input functions: without an explicit list it waits on the
    `prepare_genome` checkpoint and reads its chrom.sizes.
    """
    listed = config["genome_prep"]["chromosomes"]
    if listed:
        return list(listed)
    sizes = checkpoints.prepare_genome.get().output.chrom_sizes
    names = list(read_chrom_sizes(sizes))
    _check_prepared(sizes, names)
    return names


_PREPARED_CHECKED = set()


def _check_prepared(sizes, names):
    """Once the genome is prepared (before any job uses its chromosomes): every name must fit
    the {chrom} wildcard and every split chromosome must be in it, naming the key."""
    if sizes in _PREPARED_CHECKED:
        return
    from genovocab.config_checks import (
        ConfigError,
        bad_chromosome_name,
        chromosome_problems,
    )

    problems = [
        f"{sizes}: chromosome {n!r} selected by genome_prep is {bad_chromosome_name(n)}; "
        "exclude it with genome_prep.chromosome_regex"
        for n in names
        if bad_chromosome_name(n)
    ]
    problems += chromosome_problems(config, chrom_sizes=dict.fromkeys(names, 1))
    if problems:
        raise ConfigError(problems)
    _PREPARED_CHECKED.add(sizes)


def release_parts():
    """Every release part as release path -> stage file (functions resolved)."""
    parts = {}
    for dest, src in RELEASE_PARTS.items():
        if callable(src):
            parts.update(src())
        else:
            parts[dest] = src
    return {str(k): str(v) for k, v in sorted(parts.items())}


def release_downloads():
    """Downloaded inputs the workflow reads: name -> (path, url).

    Call after every stage file is included: it scans the rules' static inputs.
    """
    found = {}
    prefix = f"{RES}/downloads/"
    for r in workflow.rules:
        for item in r.input:
            if isinstance(item, str) and item.startswith(prefix):
                name = item[len(prefix) :]
                if name in config["sources"]:
                    found[name] = (str(item), str(config["sources"][name]["url"]))
    for s in PEAK_SAMPLES.index:
        found[s] = (f"{RES}/samples/{s}", str(PEAK_SAMPLES.loc[s, "url"]))
    for corpus, files in CORPUS_SAMPLE_FILES.items():
        sheet = CORPUS_SHEETS[corpus]
        for s, path in zip(sheet.index, files):
            found.setdefault(s, (str(path), str(sheet.loc[s, "url"])))
    return dict(sorted(found.items()))


def ids_blocks(chrom):
    """Number of IDS blocks of ``chrom`` (rules/ids.smk: IDS_BLOCK_BP); it waits on genome
    preparation. Sample mode gives one block per chromosome: a job sums only the chromosome's
    share of the sample (minutes at hg38), and every block job would read the chromosome's
    whole matrix again."""
    if IDS_MODE == "sample":
        return 1
    sizes = checkpoints.prepare_genome.get().output.chrom_sizes
    from genovocab.motifs.ids import chromosome_blocks

    return chromosome_blocks(read_chrom_sizes(sizes)[chrom], IDS_BLOCK_BP)


def ids_block_files(wildcards):
    """IDS partial-sum files of every block of one chromosome (an input function)."""
    n = ids_blocks(wildcards.chrom)
    return [f"{IDS_WORK}/partials/{wildcards.chrom}.{b}-of-{n}.npz" for b in range(n)]


def ids_partial_files(wildcards):
    """Per-chromosome IDS partial sums of the training chromosomes (an input function): the
    evaluation's whole held-out chromosomes do not shape the clusters."""
    return [f"{IDS_WORK}/chrom_sums/{chrom}.npz" for chrom in training_chromosomes()]
