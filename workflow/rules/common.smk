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
OUT = f"results/{RELEASE}"
LOGS = f"logs/{RELEASE}"
SCRIPTS = os.path.join(workflow.basedir, "workflow", "scripts")

from genovocab.defaults import COVERAGE_METHODS, UNIVERSE_METHODS

# Every wildcard is constrained, so no two rules can claim the same file.
wildcard_constraints:
    chrom="[A-Za-z0-9_.-]+",
    batch="[0-9]+",
    corpus="[A-Za-z0-9_.-]+",
    umethod="|".join(UNIVERSE_METHODS),

# Cluster requests from the work: RS.mem_mb(base, per_unit, by) / RS.runtime(...) scale with
# the job's input MB (or its chromosome's Mbp) times `attempt`, capped by `resources.max_*`.
from genovocab.resources import ResourceScaler

RS = ResourceScaler(config, chrom_sizes=f"{RES}/genome/chrom.sizes")

# Each stage file appends its final outputs; the default target asks for all of them.
ALL_TARGETS = []


def read_sample_sheet(path, schema):
    """A TSV sample sheet, validated against its schema (names must be unique)."""
    sheet = pd.read_csv(path, sep="\t", dtype=str, comment="#").fillna("")
    validate(sheet, schema)
    duplicated = sheet["name"][sheet["name"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: duplicated sample names: {', '.join(duplicated)}")
    return sheet.set_index("name", drop=False)


PEAK_SAMPLES = read_sample_sheet(
    config["samples"], "../schemas/samples.schema.yaml"
)


def source_entry(name):
    """The configured {url, sha256} of source `name`, or of sample `name`."""
    if name in config["sources"]:
        return config["sources"][name]
    row = PEAK_SAMPLES.loc[name]
    return {"url": row["url"], "sha256": row.get("sha256", "") or None}


def selected_chromosomes():
    """Chromosomes the run works on: the configured list, or those genome preparation selected.

    Call only inside input functions: without an explicit list it waits on the
    `prepare_genome` checkpoint and reads its chrom.sizes.
    """
    listed = config["genome_prep"]["chromosomes"]
    if listed:
        return list(listed)
    sizes = checkpoints.prepare_genome.get().output.chrom_sizes
    with open(sizes) as handle:
        return [line.split("\t")[0] for line in handle if line.strip()]


def ids_partial_files(wildcards):
    """IDS partial-sum files of every (chromosome, block) (rules/ids.smk: IDS_WORK,
    IDS_BLOCK_BP); an input function: it waits on genome preparation."""
    sizes = checkpoints.prepare_genome.get().output.chrom_sizes
    with open(sizes) as handle:
        length = dict(line.split("\t")[:2] for line in handle if line.strip())
    from genovocab.motifs.ids import chromosome_blocks

    files = []
    for chrom in selected_chromosomes():
        n = chromosome_blocks(int(length[chrom]), IDS_BLOCK_BP)
        files += [f"{IDS_WORK}/partials/{chrom}.{b}-of-{n}.npz" for b in range(n)]
    return files
