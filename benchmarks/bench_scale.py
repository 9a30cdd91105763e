"""Scale rehearsal: the hg38 workflow on synthetic hg38-shaped inputs at two fractions, per-rule
scaling laws fitted on them, and the hg38 estimate (CPU-hours, peak GB per job, job count and
the wall time of a 32-core allocation) they give.

Inputs at fraction ``f`` of hg38 (``make_inputs``, seeded): the 24 chromosomes at ``f`` x their
GRCh38 length (random DNA, 41 % GC, an N gap at the start and one in the middle); 841 JASPAR-like
matrices (1,682 features with both strands) and one per-matrix TFBS track each at ~4 site starts
per bp over all features (the density of the JASPAR 2022 hg38 tracks at relative score >= 0.8);
a cCRE registry of ``f`` x 2,348,854 elements; ``f`` x 31,144 CpG islands (UCSC cpgIslandExt
layout); 500 peak files of ``f`` x 60,000 narrowPeaks each, drawn from the cCREs with jitter
plus 10 % background. ``config/test/scale.yaml`` points ``config/hg38.yaml`` at these files and
keeps every hg38 setting; the inputs' ``fraction.yaml`` scales the two lengths that are
configured in bp (``ids.block_bp``, ``sequence.windows.total_bp``) and the IDS sample
(``ids.sample_size``), so the DAG has the hg38 job count and the IDS sample its hg38 share of
the bins at every fraction.

Each fraction runs in a copy of the workflow (``benchmarks/out/scale/f<F>/``) with
``snakemake --cores 2``; every job's ``benchmark:`` file (wall s, CPU s, max RSS) is gathered
into one table. Per rule, the totals and the largest job are fitted as ``a + b * f`` (a: fixed
per-job cost, b: work that grows with the genome) and evaluated at f = 1; the log-log slope
between the fractions is printed as the rule's exponent. Per job, the same law on its own two
points gives its hg38 duration, and a greedy list schedule of the DAG (``snakemake --dag``:
jobs, dependencies, threads) on 32 cores gives the wall-time estimate. These hg38 figures are
extrapolations; ``benchmarks/bench_chr1.py`` measures the heaviest single jobs at full size.

Usage: ``python benchmarks/bench_scale.py [--fractions 0.001,0.003] [--cores 2] [--keep] [--reuse]``
       ``python benchmarks/bench_scale.py --make-inputs DIR --fraction F`` (inputs only)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out" / "scale"
INPUTS = "scale-inputs"  # folder of the synthetic inputs inside a run's working copy
COPIED = ("Snakefile", "workflow", "config", "src", "profiles", "pyproject.toml", "resources/demo")

HG38 = {  # GRCh38 primary chromosome lengths (UCSC hg38.chrom.sizes)
    "chr1": 248956422,
    "chr2": 242193529,
    "chr3": 198295559,
    "chr4": 190214555,
    "chr5": 181538259,
    "chr6": 170805979,
    "chr7": 159345973,
    "chr8": 145138636,
    "chr9": 138394717,
    "chr10": 133797422,
    "chr11": 135086622,
    "chr12": 133275309,
    "chr13": 114364328,
    "chr14": 107043718,
    "chr15": 101991189,
    "chr16": 90338345,
    "chr17": 83257441,
    "chr18": 80373285,
    "chr19": 58617616,
    "chr20": 64444167,
    "chr21": 46709983,
    "chr22": 50818468,
    "chrX": 156040895,
    "chrY": 57227415,
}
N_MATRICES = 841  # JASPAR 2022 CORE vertebrates non-redundant
SITE_DENSITY = 4.0  # site starts per bp over all 1,682 features
N_CCRES = 2_348_854  # ENCODE cCREs V4
N_ISLANDS = 31_144  # UCSC cpgIslandExt, hg38
N_SAMPLES = 500
PEAKS_PER_SAMPLE = 60_000
ALLOCATION_CORES = 32


# --------------------------------------------------------------------------- inputs


def hg38_config() -> dict:
    """config/hg38.yaml (its lengths in bp are scaled by the fraction)."""
    import yaml

    with open(REPO / "config" / "hg38.yaml") as handle:
        return yaml.safe_load(handle)


def chrom_lengths(fraction: float) -> dict[str, int]:
    """hg38's chromosomes at ``fraction`` of their length (at least 20 kbp each)."""
    return {c: max(20_000, int(round(n * fraction))) for c, n in HG38.items()}


def _gaps(length: int) -> list[tuple[int, int]]:
    """The N gaps of a synthetic chromosome: 1 % at the start, 2 % in the middle."""
    head = length // 100
    mid0 = length // 2 - length // 100
    return [(0, head), (mid0, mid0 + length // 50)]


def _open_gz(path: Path):
    return gzip.open(path, "wt", compresslevel=1, newline="")


def write_genome(path: Path, sizes: dict[str, int], rng: np.random.Generator) -> None:
    """FASTA (gzip) of random DNA at 41 % GC with the N gaps of :func:`_gaps`."""
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    p = [0.295, 0.205, 0.205, 0.295]
    with _open_gz(path) as out:
        for chrom, length in sizes.items():
            seq = bases[rng.choice(4, size=length, p=p)]
            for s, e in _gaps(length):
                seq[s:e] = ord("N")
            out.write(f">{chrom}\n")
            text = seq.tobytes().decode()
            out.write("\n".join(text[i : i + 60] for i in range(0, length, 60)) + "\n")


def write_matrices(path: Path, rng: np.random.Generator) -> list[tuple[str, int]]:
    """841 JASPAR-format count matrices of 6-21 columns; returns (matrix id, length)."""
    out = []
    with open(path, "w") as handle:
        for i in range(N_MATRICES):
            mid, width = f"MA{1000 + i:04d}.1", int(rng.integers(6, 22))
            counts = rng.multinomial(20, [0.25] * 4, size=width).T
            handle.write(f">{mid} TF{i}\n")
            for base, row in zip("ACGT", counts):
                handle.write(f"{base} [ " + " ".join(f"{v:3d}" for v in row) + " ]\n")
            out.append((mid, width))
    return out


def _free_positions(length: int, n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` sorted starts of ``width``-bp features that avoid the chromosome's N gaps."""
    starts = np.sort(rng.integers(0, max(1, length - width), n))
    keep = np.ones(n, dtype=bool)
    for s, e in _gaps(length):
        keep &= (starts + width <= s) | (starts >= e)
    return starts[keep]


def write_tracks(
    folder: Path, matrices: list[tuple[str, int]], sizes: dict[str, int], rng: np.random.Generator
) -> int:
    """One JASPAR hg38-style track per matrix (7 columns: chrom, start, end, TF, relative score
    x1000 >= 800, -log10 p x100, strand), ~4 starts per bp over all matrices; total sites."""
    folder.mkdir(parents=True, exist_ok=True)
    per_bp = SITE_DENSITY / N_MATRICES
    total = 0
    for i, (mid, width) in enumerate(matrices):
        with _open_gz(folder / f"{mid}.tsv.gz") as out:
            for chrom, length in sizes.items():
                starts = _free_positions(length, rng.poisson(per_bp * length), width, rng)
                k = len(starts)
                score = rng.integers(800, 1001, k)
                nlp = rng.integers(400, 1200, k)
                strand = np.where(rng.random(k) < 0.5, "+", "-")
                out.writelines(
                    f"{chrom}\t{s}\t{s + width}\tTF{i}\t{r}\t{p}\t{d}\n"
                    for s, r, p, d in zip(
                        starts.tolist(), score.tolist(), nlp.tolist(), strand.tolist()
                    )
                )
                total += k
    return total


def write_ccres(
    path: Path, sizes: dict[str, int], fraction: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A cCRE registry in the ENCODE V3 6-column layout (150-350 bp, disjoint, sorted); the
    starts per chromosome (the peak files are drawn from them)."""
    genome = sum(sizes.values())
    starts_of = {}
    with _open_gz(path) as out:
        number = 0
        for chrom, length in sizes.items():
            n = max(1, int(round(N_CCRES * fraction * length / genome)))
            starts = np.unique(_free_positions(length, n, 350, rng))
            widths = rng.integers(150, 351, len(starts))
            disjoint = np.ones(len(starts), dtype=bool)
            disjoint[1:] = starts[1:] >= starts[:-1] + widths[:-1]
            starts, widths = starts[disjoint], widths[disjoint]
            starts_of[chrom] = starts
            for s, w in zip(starts.tolist(), widths.tolist()):
                number += 1
                out.write(f"{chrom}\t{s}\t{s + w}\tEH38D{number:07d}\tEH38E{number:07d}\tdELS\n")
    return starts_of


def write_islands(
    path: Path, sizes: dict[str, int], fraction: float, rng: np.random.Generator
) -> None:
    """CpG islands in the UCSC cpgIslandExt layout (bin, chrom, start, end, name, ...)."""
    genome = sum(sizes.values())
    with _open_gz(path) as out:
        for chrom, length in sizes.items():
            n = max(1, int(round(N_ISLANDS * fraction * length / genome)))
            for s in _free_positions(length, n, 2000, rng).tolist():
                w = int(rng.integers(200, 2000))
                out.write(
                    f"585\t{chrom}\t{s}\t{s + w}\tCpG: {w // 10}\t{w}\t{w // 10}\t"
                    f"{w // 2}\t20.0\t60.0\t0.9\n"
                )


def write_peaks(
    folder: Path,
    sizes: dict[str, int],
    ccres: dict[str, np.ndarray],
    fraction: float,
    rng: np.random.Generator,
) -> list[Path]:
    """500 narrowPeak files: ``fraction`` x 60,000 peaks each, 90 % on cCREs (jittered by up to
    +-50 bp, 200-600 bp wide), 10 % anywhere; sorted per file."""
    folder.mkdir(parents=True, exist_ok=True)
    genome = sum(sizes.values())
    chroms = list(sizes)
    weights = np.array([sizes[c] / genome for c in chroms])
    paths = []
    for sample in range(N_SAMPLES):
        n = max(1, int(round(PEAKS_PER_SAMPLE * fraction)))
        per_chrom = rng.multinomial(n, weights)
        path = folder / f"sample{sample:03d}.narrowPeak.gz"
        with _open_gz(path) as out:
            for chrom, k in zip(chroms, per_chrom.tolist()):
                if k == 0:
                    continue
                pool = ccres[chrom]
                centres = pool[rng.integers(0, len(pool), k)] + 150
                background = rng.permutation(_free_positions(sizes[chrom], 2 * k, 600, rng))
                off = np.flatnonzero(rng.random(k) >= 0.9)[: len(background)]
                centres[off] = background[: len(off)] + 300
                centres = centres + rng.integers(-50, 51, k)
                half = rng.integers(100, 301, k)
                starts = np.clip(centres - half, 0, sizes[chrom] - 1)
                ends = np.clip(centres + half, starts + 1, sizes[chrom])
                order = np.argsort(starts, kind="stable")
                for j, (s, e) in enumerate(zip(starts[order].tolist(), ends[order].tolist())):
                    out.write(
                        f"{chrom}\t{s}\t{e}\tpeak{j}\t1000\t.\t5.0\t10.0\t8.0\t{(e - s) // 2}\n"
                    )
        paths.append(path)
    return paths


def make_inputs(folder: Path, fraction: float, seed: int = 38) -> dict:
    """Write every synthetic input of one fraction into ``folder`` (see the module docstring),
    with ``samples.tsv`` and ``fraction.yaml``; returns a summary of the sizes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sizes = chrom_lengths(fraction)
    write_genome(folder / "genome.fa.gz", sizes, rng)
    matrices = write_matrices(folder / "pfms.jaspar", rng)
    sites = write_tracks(folder / "tracks", matrices, sizes, rng)
    ccres = write_ccres(folder / "ccres.bed.gz", sizes, fraction, rng)
    write_islands(folder / "cpgIslandExt.txt.gz", sizes, fraction, rng)
    peaks = write_peaks(folder / "peaks", sizes, ccres, fraction, rng)
    with open(folder / "samples.tsv", "w") as sheet:
        sheet.write("name\turl\tsha256\n")
        for path in peaks:
            name = path.name.split(".")[0]
            sheet.write(f"{name}\tfile://{INPUTS}/peaks/{path.name}\t\n")
    hg38 = hg38_config()
    block_bp = max(1000, int(round(hg38["ids"]["block_bp"] * fraction)))
    total_bp = max(10_000, int(round(hg38["sequence"]["windows"]["total_bp"] * fraction)))
    sample = max(1000, int(round(hg38["ids"]["sample_size"] * fraction)))
    (folder / "fraction.yaml").write_text(
        f"# written by benchmarks/bench_scale.py for fraction {fraction}\n"
        f"ids:\n  block_bp: {block_bp}\n  sample_size: {sample}\n"
        f"sequence:\n  windows:\n    total_bp: {total_bp}\n"
    )
    return {
        "fraction": fraction,
        "genome_bp": sum(sizes.values()),
        "sites": sites,
        "ccres": int(sum(len(v) for v in ccres.values())),
        "peak_files": len(peaks),
        "ids_block_bp": block_bp,
        "ids_sample_size": sample,
        "bpe_total_bp": total_bp,
    }


# --------------------------------------------------------------------------- one run


def workflow_copy(dest: Path) -> Path:
    """A copy of what a run needs (no results, no downloads)."""
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(
                src,
                dest / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".snakemake"),
            )
        elif src.exists():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def configfiles() -> list[str]:
    return ["config/hg38.yaml", "config/test/scale.yaml", f"{INPUTS}/fraction.yaml"]


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(workdir / "src"))
    cmd = [sys.executable, "-m", "snakemake", "--configfile", *configfiles(), *args]
    return subprocess.run(cmd, cwd=workdir, env=env, text=True, capture_output=True)


def run_fraction(fraction: float, cores: int) -> dict:
    """Make the inputs, run the workflow, and gather the jobs' benchmark rows."""
    workdir = OUT / f"f{fraction:g}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workflow_copy(workdir)
    t0 = time.perf_counter()
    summary = make_inputs(workdir / INPUTS, fraction)
    summary["make_inputs_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    proc = snakemake(workdir, "--cores", str(cores), "--quiet", "rules")
    summary["run_s"] = round(time.perf_counter() - t0, 1)
    (workdir / "snakemake.stderr.txt").write_text(proc.stderr)
    if proc.returncode != 0:
        sys.exit(
            f"fraction {fraction}: snakemake failed (see {workdir}/snakemake.stderr.txt):\n"
            + proc.stderr[-3000:]
        )
    summary["jobs"] = gather_benchmarks(workdir)
    summary["rules"] = rule_table(workdir)
    summary["rulegraph"] = rule_graph(workdir)
    return summary


def gather_benchmarks(workdir: Path) -> dict[str, dict]:
    """Every ``benchmark:`` file of the run: its path below ``logs/`` -> wall s, CPU s and max
    RSS (MB), as Snakemake measured the job."""
    jobs = {}
    for path in sorted((workdir / "logs").rglob("*.tsv")):
        if "/bench/" not in path.as_posix():
            continue
        with open(path) as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        rss = row["max_rss"]
        jobs[path.relative_to(workdir).as_posix()] = {
            "s": float(row["s"]),
            "cpu_s": float(row.get("cpu_time") or 0.0),
            "max_rss_mb": float(rss) if rss not in ("-", "NA", "") else 0.0,
        }
    return jobs


_RULES = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, ResourceSettings
with SnakemakeApi() as api:
    wf = api.workflow(resource_settings=ResourceSettings(), snakefile=Path("Snakefile"),
                      config_settings=ConfigSettings(configfiles=[Path(p) for p in sys.argv[1:]]),
                      workdir=Path("."))
    w = wf._workflow
    out = {}
    for rule in w.rules:
        if rule.name == "all" or not rule.benchmark:
            continue
        threads = rule.resources["_cores"]
        threads = getattr(threads, "value", threads)
        out[rule.name] = {"benchmark": str(rule.benchmark),
                          "threads": threads if isinstance(threads, int) else 1,
                          "local": rule.name in w._localrules}
    json.dump(out, sys.stdout)
"""


def rule_table(workdir: Path) -> dict[str, dict]:
    """Each rule's benchmark path template, threads and whether it runs on the head node."""
    proc = subprocess.run(
        [sys.executable, "-c", _RULES, *configfiles()],
        cwd=workdir,
        text=True,
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(workdir / "src")),
    )
    if proc.returncode != 0:
        sys.exit("rule inspection failed:\n" + proc.stderr[-3000:])
    return json.loads(proc.stdout)


def rule_graph(workdir: Path) -> list[list[str]]:
    """The rule graph's edges [upstream, downstream] (``snakemake --rulegraph``, all forced)."""
    proc = snakemake(workdir, "--forceall", "--rulegraph")
    if proc.returncode != 0:
        sys.exit("snakemake --rulegraph failed:\n" + proc.stderr[-3000:])
    names, edges = {}, []
    for line in proc.stdout.splitlines():
        node = re.match(r'\s*(\d+)\[label = "([^"]+)"', line)
        if node:
            names[node[1]] = node[2]
        edge = re.match(r"\s*(\d+) -> (\d+)", line)
        if edge:
            edges.append((edge[1], edge[2]))
    return [[names[a], names[b]] for a, b in edges if a in names and b in names]


def template_regex(template: str) -> str:
    """A path template's regex: its literal text escaped, each ``{wildcard,constraint}`` (braces
    nested in the constraint included) as one path component."""
    out, depth, literal = [], 0, []
    for char in template:
        if char == "{":
            if depth == 0:
                out.append(re.escape("".join(literal)))
                literal = []
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                out.append("[^/]+")
        elif depth == 0:
            literal.append(char)
    out.append(re.escape("".join(literal)))
    return "".join(out)


def rule_of_jobs(jobs: dict[str, dict], rules: dict[str, dict]) -> dict[str, str]:
    """Job (benchmark path) -> rule, by matching the rules' benchmark templates."""
    patterns = [
        (name, re.compile(f"^{template_regex(info['benchmark'])}$")) for name, info in rules.items()
    ]
    out = {}
    for key in jobs:
        hits = [name for name, rx in patterns if rx.match(key)]
        out[key] = hits[0] if hits else "?"
    return out


# --------------------------------------------------------------------------- laws


def affine(f1: float, y1: float, f2: float, y2: float, f: float = 1.0) -> float:
    """``a + b * f`` through (f1, y1) and (f2, y2), evaluated at ``f`` (never below ``y2``'s
    fixed part: a law that falls with size is read as flat)."""
    b = max(0.0, (y2 - y1) / (f2 - f1))
    return max(y1, y2) + b * (f - max(f1, f2))


def exponent(f1: float, y1: float, f2: float, y2: float) -> float:
    """The log-log slope between two points (1 = linear in the genome size, 0 = flat)."""
    if y1 <= 0 or y2 <= 0:
        return float("nan")
    return math.log(y2 / y1) / math.log(f2 / f1)


def stage_of(key: str) -> str:
    """The stage of a job: the first folder below ``bench/`` (download, genome, motifs, ...)."""
    return key.split("/bench/", 1)[1].split("/")[0]


def fixed_and_slope(
    n1: int, y1: float, f1: float, n2: int, y2: float, f2: float
) -> tuple[float, float]:
    """Solve ``y = n * a + b * f`` (a: cost per job, b: cost of the whole genome's work) on two
    runs with ``n1``/``n2`` jobs; a or b that come out negative (noise) are set to 0 and the
    other one refitted by least squares."""
    det = n1 * f2 - n2 * f1
    a = (y1 * f2 - y2 * f1) / det if det else 0.0
    b = (n1 * y2 - n2 * y1) / det if det else 0.0
    if a < 0:
        a, b = 0.0, (y1 * f1 + y2 * f2) / (f1 * f1 + f2 * f2)
    if b < 0:
        a, b = (y1 * n1 + y2 * n2) / (n1 * n1 + n2 * n2), 0.0
    return a, b


def rule_runs(run: dict) -> dict[str, list[dict]]:
    """The run's benchmark rows grouped by rule."""
    owner = rule_of_jobs(run["jobs"], run["rules"])
    out: dict[str, list[dict]] = defaultdict(list)
    for key, row in run["jobs"].items():
        out[owner[key]].append(dict(row, key=key))
    return out


def laws(small: dict, large: dict, direct: dict | None = None) -> list[dict]:
    """Per rule: jobs, total CPU s and largest job (wall, RSS) of both runs; hg38 CPU-h from
    ``y = n a + b f`` (n = the larger run's job count, which has hg38's block structure); the
    hg38 longest job and peak RSS from ``a + b f`` on the largest jobs, or from a measured
    full-size run (``direct``: rule -> {"s", "cpu_s", "max_rss_mb"}) where there is one."""
    f1, f2 = small["fraction"], large["fraction"]
    rules = large["rules"]
    one, two = rule_runs(small), rule_runs(large)
    rows = []
    for rule in sorted(set(one) & set(two)):
        a, b = one[rule], two[rule]
        cpu = [sum(j["cpu_s"] for j in a), sum(j["cpu_s"] for j in b)]
        wall = [max(j["s"] for j in a), max(j["s"] for j in b)]
        rss = [max(j["max_rss_mb"] for j in a), max(j["max_rss_mb"] for j in b)]
        per_job, whole = fixed_and_slope(len(a), cpu[0], f1, len(b), cpu[1], f2)
        row = {
            "rule": rule,
            "stage": stage_of(b[0]["key"]),
            "jobs": [len(a), len(b)],
            "threads": rules.get(rule, {}).get("threads", 1),
            "local": rules.get(rule, {}).get("local", False),
            "cpu_s": cpu,
            "max_s": wall,
            "max_rss_mb": rss,
            "cpu_exponent": exponent(f1, cpu[0] / len(a), f2, cpu[1] / len(b)),
            "hg38_cpu_h": (len(b) * per_job + whole) / 3600,
            "hg38_max_s": affine(f1, wall[0], f2, wall[1]),
            # memory is not extrapolated: at these sizes it is start-up plus noise, and a
            # 100 MB jitter times 1 / (f2 - f1) would read as tens of GB
            "hg38_max_rss_gb": rss[1] / 1000,
            "source": f"rehearsal law; memory as measured at {f2:g}",
        }
        if rule in FLAT_RULES:  # same blocks and features at every fraction
            row.update(
                hg38_cpu_h=cpu[1] / 3600,
                hg38_max_s=wall[1],
                source="as measured: its work is set by features and blocks",
            )
        if direct and rule in direct:
            d = direct[rule]
            row.update(
                hg38_max_s=d["s"],
                hg38_max_rss_gb=d["max_rss_mb"] / 1000,
                source=d.get("note", "chr1-size run"),
            )
            if "hg38_cpu_s" in d:  # the full-size run's CPU, of the current code
                row["hg38_cpu_h"] = d["hg38_cpu_s"] / 3600
        rows.append(row)
    for rule in sorted(set(two) - set(one)):  # new in the larger run: its cost taken as flat
        b = two[rule]
        rows.append(
            {
                "rule": rule,
                "stage": stage_of(b[0]["key"]),
                "jobs": [0, len(b)],
                "threads": rules.get(rule, {}).get("threads", 1),
                "local": rules.get(rule, {}).get("local", False),
                "cpu_s": [0.0, sum(j["cpu_s"] for j in b)],
                "max_s": [0.0, max(j["s"] for j in b)],
                "max_rss_mb": [0.0, max(j["max_rss_mb"] for j in b)],
                "cpu_exponent": float("nan"),
                "hg38_cpu_h": sum(j["cpu_s"] for j in b) / 3600,
                "hg38_max_s": max(j["s"] for j in b),
                "hg38_max_rss_gb": max(j["max_rss_mb"] for j in b) / 1000,
                "source": f"one run ({f2:g}), taken as flat",
            }
        )
    return rows


CHR1_SHARE = HG38["chr1"] / sum(HG38.values())


def direct_runs(path: Path, block_bp: int) -> dict[str, dict]:
    """hg38 per-job figures of the heaviest rules from ``benchmarks/bench_chr1.py``'s results
    (chr1-size jobs run directly): rule -> {"s", "cpu_s", "max_rss_mb", "note"}. A job measured
    on a slice is scaled linearly to its hg38 size (and says so); genome-wide jobs measured on
    chr1 are scaled by 1 / chr1's share of the genome in time, not in memory."""
    if not path.exists():
        return {}
    results = json.loads(path.read_text())
    by_fraction = {
        v["fraction"]: v for v in results.values() if isinstance(v, dict) and "fraction" in v
    }
    out: dict[str, dict] = {}

    def put(rule: str, job: dict, scale: float, note: str) -> None:
        out[rule] = {
            "s": job["wall_s"] * scale,
            "cpu_s": job["cpu_s"] * scale,
            "max_rss_mb": job["peak_mib"] * 1.048576,
            "note": note,
        }
        if scale != 1.0 and rule != "ids_partial":  # time scaled to the genome, not memory
            out[rule]["note"] += "; memory as measured"

    def largest(name: str) -> tuple[float, dict] | None:
        runs = sorted((f, v[name]) for f, v in by_fraction.items() if name in v)
        return runs[-1] if runs else None

    for rule, names, genome_wide in (
        ("motifs_bin", ["motifs"], False),
        ("universe_chrom", ["universe_chrom_cc", "universe_chrom_union"], False),
        ("universe_peaks", ["universe_peaks"], True),
        (
            "universe_assess",
            ["universe_assess_cc", "universe_assess_union", "universe_assess_ccre"],
            True,
        ),
        ("sequence_windows", ["windows"], False),
        ("sequence_train_bpe", ["bpe"], False),
    ):
        found = [x for x in (largest(n) for n in names) if x]
        if not found:
            continue
        fraction, job = max(found, key=lambda x: (x[0], x[1]["cpu_s"]))
        if fraction < 1 and not rule.startswith("sequence_"):
            runs = sorted((f, v[names[0]]) for f, v in by_fraction.items() if names[0] in v)
            if len(runs) >= 2:  # a + b f through the two largest runs, at f = 1
                (fa, ja), (fb, jb) = runs[-2], runs[-1]
                job = {k: affine(fa, ja[k], fb, jb[k]) for k in ("wall_s", "cpu_s", "peak_mib")}
                note = f"fit of chr1 x {fa:g} and x {fb:g} runs"
            else:
                job = {k: job[k] / fraction for k in ("wall_s", "cpu_s")} | {
                    "peak_mib": job["peak_mib"]
                }
                note = f"chr1 x {fraction:g} run, time x{1 / fraction:g}"
        else:
            note = "chr1-size run" if fraction == 1 else "hg38-size run"
        scale = 1.0
        if genome_wide:
            scale = 1.0 / CHR1_SHARE
            note += f", x{scale:.1f} genome-wide (time)"
        put(rule, job, scale, note)
    token_runs = sorted((f, v["tokens"]) for f, v in by_fraction.items() if "tokens" in v)
    for rule, name, genome_wide in (
        ("motif_cluster_features", "cluster_features", False),
        ("motif_token_vocab", "token_vocab", True),
        ("motif_tokens", "tokens", False),
        ("motif_tokenizer", "motif_tokenizer", True),
    ):
        if not token_runs:
            break
        # the genome-wide ones hold every chromosome's distinct patterns: time and memory
        # both grow with the genome (hg38 = 1 / chr1's share of chr1s)
        at = 1.0 / CHR1_SHARE if genome_wide else 1.0
        where = "hg38" if genome_wide else "chr1"
        if len(token_runs) >= 2:
            (fa, run_a), (fb, run_b) = token_runs[-2:]
            ja, jb = run_a[name], run_b[name]
            job = {k: affine(fa, ja[k], fb, jb[k], at) for k in ("wall_s", "cpu_s", "peak_mib")}
            note = f"fit of chr1 x {fa:g} and x {fb:g} runs, at {where} size"
        else:
            fb, jb = token_runs[-1][0], token_runs[-1][1][name]
            job = {k: jb[k] * at / fb for k in ("wall_s", "cpu_s", "peak_mib")}
            note = f"chr1 x {fb:g} run, x{at / fb:.3g} to {where} size"
        out[rule] = {
            "s": job["wall_s"],
            "cpu_s": job["cpu_s"],
            "max_rss_mb": job["peak_mib"] * 1.048576,
            "note": note,
            # all of hg38's jobs of the rule: one genome-wide, or 24 chromosomes
            "hg38_cpu_s": job["cpu_s"] * (1.0 if genome_wide else 1.0 / CHR1_SHARE),
        }
    ids = largest("ids")
    ids_cfg = hg38_config()["ids"]
    if ids and ids_cfg["mode"] == "sample" and "read_whole_matrix" in ids[1]:
        fraction, job = ids
        out["ids_partial"] = sampled_ids(job, fraction, int(ids_cfg["sample_size"]))
    elif ids:
        _, job = ids
        scale = block_bp / job["block_bp"]
        put(
            "ids_partial",
            job,
            scale,
            f"{job['block_bp'] / 1e6:.1f} Mbp of chr1 bins run, "
            f"x{scale:.2f} to {block_bp / 1e6:g} Mbp",
        )
        out["ids_partial"]["hg38_cpu_s"] = (
            out["ids_partial"]["cpu_s"] * sum(HG38.values()) / block_bp
        )
    tracks = largest("tracks")
    if tracks:  # one hg38-size track; a batch job holds N_MATRICES / tracks_batches of them
        _, job = tracks
        per_batch = N_MATRICES / int(hg38_config()["motifs"]["sites"]["tracks_batches"])
        out["motifs_tracks_batch"] = {
            "s": job["wall_s"] * math.ceil(per_batch),
            "cpu_s": job["cpu_s"] * per_batch,
            "max_rss_mb": job["peak_mib"] * 1.048576,
            "hg38_cpu_s": job["cpu_s"] * N_MATRICES,
            "note": f"one hg38-size track run, x{math.ceil(per_batch)} per batch; memory of "
            "one track",
        }
    merge = merge_run(by_fraction)
    if merge:
        out["motifs_tracks_merge"] = merge
    if "motifs_bin" in out:  # 24 chromosomes' binning, in proportion to their bp
        out["motifs_bin"]["hg38_cpu_s"] = out["motifs_bin"]["cpu_s"] / CHR1_SHARE
    return out


INTERPRETER_MIB = 200.0
"""A job's peak RSS before its data (interpreter, numpy, pyarrow): taken off before a memory
is scaled by the number of inputs it holds."""


def sampled_ids(job: dict, fraction: float, sample_size: int) -> dict:
    """hg38 figures of ``ids_partial`` in sample mode (one job per chromosome) from a chr1 IDS
    block run in exact mode: CPU per bin of the block (its run less the read of the whole
    matrix) x the chromosome's share of the sample, plus one read of the chromosome's matrix
    (measured on chr1 x ``fraction``, scaled to chr1). Memory is the block's: set by the
    features."""
    read = job["read_whole_matrix"]
    rows = int(job["result"]["rows"])
    per_bin = {k: max(job[k] - read[k], 0.0) / rows for k in ("wall_s", "cpu_s")}
    chr1 = {
        k: per_bin[k] * sample_size * CHR1_SHARE + read[k] / fraction for k in ("wall_s", "cpu_s")
    }
    return {
        "s": chr1["wall_s"],
        "cpu_s": chr1["cpu_s"],
        "max_rss_mb": job["peak_mib"] * 1.048576,
        "hg38_cpu_s": per_bin["cpu_s"] * sample_size + read["cpu_s"] / fraction / CHR1_SHARE,
        "note": f"sample of {sample_size:,} bins: per-bin CPU of a chr1 IDS block x chr1's "
        "share, + one read of its matrix",
    }


def merge_run(by_fraction: dict[float, dict]) -> dict | None:
    """hg38 figures of ``motifs_tracks_merge`` from ``bench_chr1.py --jobs merge``: time from
    ``a + b f`` through the two largest runs of ``tracks_batches`` inputs (linear in the sites),
    memory from a run with fewer but chr1-long inputs (``merge_<n>``: each holds one whole row
    group, as at chr1), scaled to the batch count; without one, the largest run's memory."""
    runs = sorted((f, v["merge"]) for f, v in by_fraction.items() if "merge" in v)
    if len(runs) < 2:
        return None
    (fa, ja), (fb, jb) = runs[-2:]
    job = {k: affine(fa, ja[k], fb, jb[k]) for k in ("wall_s", "cpu_s")}
    batches = int(hg38_config()["motifs"]["sites"]["tracks_batches"])
    long = [
        v[k]
        for v in by_fraction.values()
        for k in v
        if k.startswith("merge_") and isinstance(v[k], dict) and "batches" in v[k]
    ]
    note = f"fit of chr1 x {fa:g} and x {fb:g} runs"
    if long:
        run = max(long, key=lambda r: r["peak_mib"])
        peak = INTERPRETER_MIB + (run["peak_mib"] - INTERPRETER_MIB) * batches / run["batches"]
        note += (
            f"; memory of a {run['batches']}-input run of chr1-long inputs "
            f"x{batches / run['batches']:g}"
        )
    else:
        peak = jb["peak_mib"]
        note += "; memory as measured (inputs shorter than chr1's)"
    return {
        "s": job["wall_s"],
        "cpu_s": job["cpu_s"],
        "max_rss_mb": peak * 1.048576,
        "hg38_cpu_s": job["cpu_s"] / CHR1_SHARE,
        "note": note,
    }


FLAT_RULES = {"ids_chrom_sum", "ids_reduce", "ids_cluster"}
"""Rules whose work is set by the feature count and the IDS blocks, not by the genome's size."""

_CHROM_IN_KEY = re.compile(r"/(chr[0-9XY]+)(?:\.(\d+)-of-(\d+))?\.tsv$")


def job_bp(key: str, sizes: dict[str, int]) -> int | None:
    """The genome a job covers, from its benchmark path: a chromosome (``.../chr7.tsv``) or one
    block of it (``.../chr7.2-of-5.tsv``); None for a genome-wide job."""
    m = _CHROM_IN_KEY.search(key)
    if not m or m[1] not in sizes:
        return None
    return sizes[m[1]] // (int(m[3]) if m[3] else 1)


def least_squares(x: list[float], y: list[float]) -> tuple[float, float]:
    """``y = a + b x`` by least squares (b >= 0; a flat law when x does not vary)."""
    xm, ym = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((v - xm) ** 2 for v in x)
    b = max(0.0, sum((u - xm) * (v - ym) for u, v in zip(x, y)) / sxx) if sxx else 0.0
    return ym - b * xm, b


def one_run_laws(run: dict, direct: dict | None = None) -> list[dict]:
    """Per rule, from one fraction: jobs that cover a chromosome or a block get ``y = a + b bp``
    fitted over the rule's jobs (wall, CPU and RSS) and evaluated at their hg38 size; a
    genome-wide job is read as a start-up cost (the run's smallest job) plus work linear in the
    genome for time; its memory is not extrapolated (every stage streams by chromosome or
    chunk), it is the run's. ``direct`` (chr1-size runs) replaces the longest job and its peak
    where there is one."""
    f = run["fraction"]
    sizes = chrom_lengths(f)
    grouped = rule_runs(run)
    # a job's start-up (interpreter, imports, Snakemake): the median job that copies a tiny file
    startup = sorted(j["s"] for j in grouped.get("download_sample", [{"s": 1.0}]))
    startup_s = startup[len(startup) // 2]
    rows = []
    for rule, jobs in sorted(grouped.items()):
        bps = [job_bp(j["key"], sizes) for j in jobs]
        info = run["rules"].get(rule, {})
        row = {
            "rule": rule,
            "stage": stage_of(jobs[0]["key"]),
            "jobs": [len(jobs), len(jobs)],
            "threads": info.get("threads", 1),
            "local": info.get("local", False),
            "cpu_s": [sum(j["cpu_s"] for j in jobs)] * 2,
            "max_s": [max(j["s"] for j in jobs)] * 2,
            "max_rss_mb": [max(j["max_rss_mb"] for j in jobs)] * 2,
            "cpu_exponent": float("nan"),
        }
        if rule in FLAT_RULES:
            row.update(
                hg38_cpu_h=row["cpu_s"][0] / 3600,
                hg38_max_s=row["max_s"][0],
                hg38_max_rss_gb=row["max_rss_mb"][0] / 1000,
                source="as measured: its work is set by features and blocks",
            )
        elif all(bp is not None for bp in bps):
            hg38_bp = [bp / f for bp in bps]
            fits = {
                k: least_squares(bps, [j[k] for j in jobs]) for k in ("s", "cpu_s", "max_rss_mb")
            }
            at = {k: [a + b * x for x in hg38_bp] for k, (a, b) in fits.items()}
            row.update(
                hg38_cpu_h=sum(at["cpu_s"]) / 3600,
                hg38_max_s=max(at["s"]),
                hg38_max_rss_gb=max(at["max_rss_mb"]) / 1000,
                source="fit over its jobs' bp",
            )
        else:
            # snakemake samples a job's CPU every few seconds, so short jobs read ~0 CPU: use
            # the wall time beyond start-up (an upper bound on a loaded machine)
            hg38_s = [startup_s + max(0.0, j["s"] - startup_s) / f for j in jobs]
            row.update(
                hg38_cpu_h=sum(hg38_s) * row["threads"] / 3600,
                hg38_max_s=max(hg38_s),
                hg38_max_rss_gb=row["max_rss_mb"][0] / 1000,
                source="genome-wide: wall beyond start-up x 1/f; memory as measured",
            )
        if direct and rule in direct:
            d = direct[rule]
            if "hg38_cpu_s" in d:
                row["hg38_cpu_h"] = d["hg38_cpu_s"] / 3600
            elif row["source"].startswith("genome-wide"):
                row["hg38_cpu_h"] = d["cpu_s"] * len(jobs) / 3600
            row.update(
                hg38_max_s=d["s"],
                hg38_max_rss_gb=d["max_rss_mb"] / 1000,
                source=d.get("note", "chr1-size run"),
            )
        rows.append(row)
    return rows


def critical_path(rows: list[dict], edges: list[list[str]]) -> tuple[float, list[str]]:
    """Longest chain of the rule graph, each rule weighted by its longest hg38 job (an upper
    bound of the job DAG's critical path: every per-chromosome chain is at most chr1's)."""
    weight = {r["rule"]: r["hg38_max_s"] for r in rows}
    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
    memo: dict[str, tuple[float, list[str]]] = {}

    def longest(rule: str) -> tuple[float, list[str]]:
        if rule not in memo:
            best = max((longest(p) for p in preds[rule]), default=(0.0, []))
            memo[rule] = (best[0] + weight.get(rule, 0.0), best[1] + [rule])
        return memo[rule]

    return max((longest(r) for r in set(weight) | set(preds)), default=(0.0, []))


def with_block_jobs(edges: list[list[str]]) -> list[list[str]]:
    """The rule graph with ``ids_partial`` put back: ``--rulegraph`` is drawn before the
    genome checkpoint, when the IDS blocks are not known yet, so it goes straight from the
    motif stage to ``ids_chrom_sum``."""
    if any("ids_partial" in edge for edge in edges):
        return edges
    feeds = [a for a, b in edges if b == "ids_chrom_sum"]
    return (
        [e for e in edges if e[1] != "ids_chrom_sum"]
        + [[a, "ids_partial"] for a in feeds]
        + [["motifs_bin", "ids_partial"], ["ids_partial", "ids_chrom_sum"]]
    )


def estimate(rows: list[dict], edges: list[list[str]], cores: int = ALLOCATION_CORES) -> dict:
    """hg38 wall time on ``cores``: between max(critical path, CPU / cores) and Graham's list-
    scheduling bound CPU / cores + critical path."""
    cpu_h = sum(r["hg38_cpu_h"] for r in rows)
    path_s, path = critical_path(rows, with_block_jobs(edges))
    low = max(path_s / 3600, cpu_h / cores)
    return {
        "cpu_h": cpu_h,
        "critical_path_h": path_s / 3600,
        "critical_path": path,
        "wall_low_h": low,
        "wall_high_h": cpu_h / cores + path_s / 3600,
        "cores": cores,
    }


def markdown(rows: list[dict], small: dict, large: dict, est: dict) -> str:
    f1, f2 = small["fraction"], large["fraction"]
    lines = [
        f"| rule | jobs | CPU s at {f1:g} / {f2:g} | exponent per job | "
        f"largest job s at {f2:g} | peak MB at {f2:g} | hg38 CPU-h | hg38 longest job h | "
        "hg38 peak GB/job |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: -r["hg38_cpu_h"]):
        lines.append(
            f"| {r['rule']} | {r['jobs'][1]} | "
            f"{r['cpu_s'][0]:.1f} / {r['cpu_s'][1]:.1f} | "
            f"{r['cpu_exponent']:.2f} | {r['max_s'][1]:.1f} | {r['max_rss_mb'][1]:.0f} | "
            f"{r['hg38_cpu_h']:.2f} | {r['hg38_max_s'] / 3600:.2f} | "
            f"{r['hg38_max_rss_gb']:.2f} ({r['source']}) |"
        )
    stages: dict[str, dict] = defaultdict(lambda: {"cpu_h": 0.0, "jobs": 0, "gb": 0.0})
    for r in rows:
        st = stages[r["stage"]]
        st["cpu_h"] += r["hg38_cpu_h"]
        st["jobs"] += r["jobs"][1]
        st["gb"] = max(st["gb"], r["hg38_max_rss_gb"])
    lines += ["", "| stage | hg38 CPU-h | peak GB per job | jobs |", "|---|---|---|---|"]
    for name, st in sorted(stages.items(), key=lambda kv: -kv[1]["cpu_h"]):
        lines.append(f"| {name} | {st['cpu_h']:.2f} | {st['gb']:.2f} | {st['jobs']} |")
    lines += [
        "",
        f"hg38 (extrapolated): {est['cpu_h']:.1f} CPU-h; critical path "
        f"{est['critical_path_h']:.2f} h ({' -> '.join(est['critical_path'])}); "
        f"wall on {est['cores']} cores between {est['wall_low_h']:.2f} h and "
        f"{est['wall_high_h']:.2f} h.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--fractions",
        default="0.001,0.003",
        help="two fractions of hg38, comma-separated (default 0.001,0.003)",
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--make-inputs", metavar="DIR", help="only write the inputs into DIR")
    parser.add_argument(
        "--fraction", type=float, default=0.001, help="with --make-inputs: the fraction"
    )
    parser.add_argument("--keep", action="store_true", help="keep the runs' results and inputs")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a fraction's measurements saved by an earlier run",
    )
    args = parser.parse_args(argv)
    if args.make_inputs:
        print(json.dumps(make_inputs(Path(args.make_inputs), args.fraction), indent=2))
        return 0
    fractions = sorted(float(x) for x in args.fractions.split(","))
    if len(fractions) not in (1, 2):
        parser.error("--fractions takes one or two values")
    OUT.mkdir(parents=True, exist_ok=True)
    runs = []
    for fraction in fractions:
        saved = OUT / f"f{fraction:g}.json"
        if args.reuse and saved.exists():
            runs.append(json.loads(saved.read_text()))
            continue
        run = run_fraction(fraction, args.cores)
        saved.write_text(json.dumps(run, indent=1))
        print(
            f"fraction {fraction:g}: {run['genome_bp']:,} bp, {run['sites']:,} sites, "
            f"{len(run['jobs'])} jobs, inputs {run['make_inputs_s']} s, run {run['run_s']} s",
            flush=True,
        )
        runs.append(run)
        if not args.keep:
            shutil.rmtree(OUT / f"f{fraction:g}" / "results", ignore_errors=True)
            shutil.rmtree(OUT / f"f{fraction:g}" / INPUTS, ignore_errors=True)
    direct = direct_runs(
        HERE / "out" / "chr1" / "results.json", int(hg38_config()["ids"]["block_bp"])
    )
    rows = laws(*runs, direct=direct) if len(runs) == 2 else one_run_laws(runs[0], direct)
    est = estimate(rows, runs[-1]["rulegraph"])
    (OUT / "scale.json").write_text(
        json.dumps({"runs": runs, "rules": rows, "hg38": est}, indent=1, default=str)
    )
    print(markdown(rows, runs[0], runs[-1], est))
    return 0


if __name__ == "__main__":
    sys.exit(main())
