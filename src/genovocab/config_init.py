"""A starting configuration for the user's own data (``genovocab init``).

A user has a genome FASTA, peak files (a folder of BED/narrowPeak files or a sample sheet), a
JASPAR matrix file and perhaps a cCRE registry. :func:`write_config` turns them into a commented
config that holds only what differs from the schema's defaults, plus a sample sheet when the
peaks are a folder. Local files are pinned by the sha256 computed here; a remote URL is left
unpinned (its first download records the digest in ``resources/<genome>/sources.lock.tsv``).

Choices made from the files themselves, each said in a comment of the written config:
- chromosomes: ``^chr[0-9XY]+$`` when the FASTA names chromosomes that way, else all of them;
- the motif corpus's held-out chromosomes: the paper's chr15 (validation) and chr10 (test) when
  the genome has them, else none (a single-chromosome genome has nothing to hold out); its
  chromosomes: all selected ones when they are not named chr1, chr2, ...;
- the sequence corpus: the cCREs when given, else windows tiling the genome.

The written file is checked before it is kept: it must pass the workflow's JSON schema (when
the schema is found beside the package) and its sample sheet the workflow's sheet checks.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genovocab.config_checks import read_sample_sheet
from genovocab.download import local_path
from genovocab.errors import GenovocabError, InputError, OutputError
from genovocab.fileutil import sha256_file, write_text_atomic
from genovocab.io.fasta import fasta_names

NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")
PEAK_SUFFIXES = (".bed", ".narrowpeak", ".broadpeak", ".bed.gz", ".narrowpeak.gz", ".broadpeak.gz")
HUMAN_STYLE = re.compile(r"^chr[0-9XY]+$")
PAPER_SPLITS = {"validation": ["chr15"], "test": ["chr10"]}


@dataclass
class Source:
    """One input as the config records it: URL (or path), sha256 (None for remote files)."""

    url: str
    sha256: str | None


@dataclass(frozen=True)
class UserInputs:
    """What the user gave ``genovocab init`` (paths or URLs; see :func:`write_config`)."""

    genome: str
    peaks: str
    jaspar: str
    ccres: str | None = None
    genome_name: str | None = None
    release_name: str | None = None


@dataclass
class InitPlan:
    """Everything the written config says, derived from the user's files."""

    genome_name: str
    release_name: str
    sources: dict[str, Source]
    samples_path: str
    chromosomes: list[str]
    chromosome_regex: str
    splits: dict[str, list[str]]
    corpus_regex: str | None
    sequence_regions: str
    notes: dict[str, str] = field(default_factory=dict)


def safe_name(text: str) -> str:
    """``text`` reduced to the characters genome, release and sample names allow."""
    name = NAME_RE.sub("_", text).strip("_.")
    return name or "sample"


def _strip_suffixes(name: str) -> str:
    for suffix in (".gz", ".bgz", ".fa", ".fasta", ".fna", ".narrowPeak", ".broadPeak", ".bed"):
        if name.lower().endswith(suffix.lower()):
            name = name[: -len(suffix)]
    return name


def source_of(location: str, base_dir: Path) -> Source:
    """A local file as an absolute ``file://`` URL with its sha256; a remote URL as given."""
    try:
        path = local_path(location, base_dir)
    except GenovocabError as exc:
        raise InputError(location, str(exc)) from None
    if path is None:
        return Source(location, None)
    if not path.is_file():
        raise InputError(path, "not found" if not path.exists() else "is not a file")
    return Source(path.resolve().as_uri(), sha256_file(path))


def peak_files(folder: Path) -> list[Path]:
    """The BED/narrowPeak/broadPeak files of ``folder`` (gzipped or not), sorted by name."""
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(PEAK_SUFFIXES)
    )
    if not found:
        raise InputError(
            folder,
            "no peak files (*.bed, *.narrowPeak, *.broadPeak, gzipped or not) in this folder",
        )
    return found


def sample_sheet_text(files: Sequence[Path]) -> str:
    """A sample sheet (name, url, sha256) of local peak files; names from the file names."""
    lines = ["name\turl\tsha256"]
    seen: dict[str, Path] = {}
    for path in files:
        name = safe_name(_strip_suffixes(path.name))
        if name in seen:
            raise InputError(
                path,
                f"gives the sample name {name!r} as {seen[name].name} does; rename one of them",
            )
        seen[name] = path
        lines.append(f"{name}\t{path.resolve().as_uri()}\t{sha256_file(path)}")
    return "\n".join(lines) + "\n"


def choose_chromosomes(names: Iterable[str]) -> tuple[list[str], str]:
    """(selected names, regex): human-style names when the genome has any, else all."""
    names = list(names)
    human = [n for n in names if HUMAN_STYLE.match(n)]
    if human:
        return human, HUMAN_STYLE.pattern
    return names, ".*"


def choose_splits(chromosomes: Sequence[str]) -> dict[str, list[str]]:
    """The paper's held-out chromosomes where the genome has them, else none."""
    present = set(chromosomes)
    return {split: [c for c in chroms if c in present] for split, chroms in PAPER_SPLITS.items()}


def plan(given: UserInputs, *, samples_out: Path, base_dir: Path) -> tuple[InitPlan, str | None]:
    """What the config will say, and the sample sheet text to write (None: the user's own
    sheet is used as it is)."""
    genome_src = source_of(given.genome, base_dir)
    local_genome = local_path(given.genome, base_dir)
    g_name = safe_name(given.genome_name or _strip_suffixes(Path(given.genome.rstrip("/")).name))
    sources = {"genome": genome_src, "jaspar_pfms": source_of(given.jaspar, base_dir)}
    if given.ccres:
        sources["ccres"] = source_of(given.ccres, base_dir)
    notes = {}
    if local_genome is not None:
        names = fasta_names(local_genome)
        chromosomes, regex = choose_chromosomes(names)
        notes["chromosomes"] = f"{len(chromosomes)} of the FASTA's {len(names)} sequences"
    else:
        chromosomes, regex = [], HUMAN_STYLE.pattern
        notes["chromosomes"] = "remote FASTA, not read: check this against its names"
    peaks_path = local_path(given.peaks, base_dir)
    if peaks_path is None or not peaks_path.exists():
        raise InputError(given.peaks, "peaks: give a local folder of peak files or a sample sheet")
    sheet_text = None
    if peaks_path.is_dir():
        files = peak_files(peaks_path)
        sheet_text = sample_sheet_text(files)
        samples_path = samples_out
        notes["samples"] = f"{len(files)} peak files of {peaks_path.resolve()}"
    else:
        read_sample_sheet(peaks_path, base_dir=base_dir)  # checked as the workflow will
        samples_path = peaks_path
        notes["samples"] = "your sample sheet"
    splits = choose_splits(chromosomes)
    return InitPlan(
        genome_name=g_name,
        release_name=safe_name(given.release_name or f"genovocab-{g_name}"),
        sources=sources,
        samples_path=_relative(samples_path, base_dir),
        chromosomes=chromosomes,
        chromosome_regex=regex,
        splits=splits,
        corpus_regex=None if regex == HUMAN_STYLE.pattern else ".*",
        sequence_regions="ccres" if given.ccres else "windows",
        notes=notes,
    ), sheet_text


def _relative(path: Path, base_dir: Path) -> str:
    """``path`` relative to ``base_dir`` when that is the workflow's folder (it has a
    Snakefile: relative paths in a config are read from there) and holds it, else absolute."""
    path = path.resolve()
    if not (base_dir / "Snakefile").is_file():
        return str(path)
    try:
        return str(path.relative_to(base_dir.resolve()))
    except ValueError:
        return str(path)


def _q(value: object) -> str:
    """A YAML scalar (JSON's quoting is valid YAML)."""
    return json.dumps(value)


def config_text(p: InitPlan) -> str:
    """The commented config of a plan: only the keys that differ from the schema defaults."""
    out = [
        f"# genovocab configuration for {p.genome_name}, written by `genovocab init`.",
        "#   snakemake --cores N --configfile <this file>",
        "# Keys not set here take the defaults of workflow/schemas/config.schema.yaml",
        "# (config/README.md explains every key). Nothing of the demo config applies.",
        "",
        f"genome: {_q(p.genome_name)}          # downloads and prepared files: "
        f"resources/{p.genome_name}/",
        "",
        "release:",
        f"  name: {_q(p.release_name)}",
        '  version: "0.1.0"                 # results/<name>-<version>/ is the release',
        "",
        "# Every input: url (file:// for local files) and sha256. A remote file without sha256",
        "# is pinned by its first download (resources/<genome>/sources.lock.tsv).",
        "sources:",
    ]
    labels = {
        "genome": "genome FASTA",
        "jaspar_pfms": "JASPAR matrices",
        "ccres": "cCRE registry (BED)",
    }
    for name, src in p.sources.items():
        out.append(f"  {name + ':':<32} # {labels[name]}")
        out.append(f"    url: {_q(src.url)}")
        if src.sha256:
            out.append(f"    sha256: {src.sha256}")
    out += [
        "",
        f"samples: {_q(p.samples_path)}     # peak sample sheet ({p.notes['samples']})",
        "",
        "genome_prep:",
        f"  chromosome_regex: {_q(p.chromosome_regex)}   # {p.notes['chromosomes']}",
        "",
        "corpora:",
        "  peaks: {}                        # the peak files as an interval corpus",
        "",
        "motifs:",
        "  corpus:",
        "    splits:                        # held-out chromosomes (the paper: chr15 / chr10)",
        f"      validation: {_q(p.splits['validation'])}",
        f"      test: {_q(p.splits['test'])}",
        *(
            [f"    chromosome_regex: {_q(p.corpus_regex)}   # the default keeps chr1..chr22 only"]
            if p.corpus_regex
            else []
        ),
        "",
        "sequence:",
        "  corpus:",
        f"    regions: {p.sequence_regions}"
        + (
            "                  # DNA of each cCRE"
            if p.sequence_regions == "ccres"
            else "                # genome windows (no cCREs given)"
        ),
        "",
    ]
    return "\n".join(out)


def find_schema() -> Path | None:
    """The workflow's config schema beside this package's checkout (None when installed
    without the workflow)."""
    here = Path(__file__).resolve()
    for root in (Path.cwd(), *here.parents):
        candidate = root / "workflow" / "schemas" / "config.schema.yaml"
        if candidate.is_file():
            return candidate
    return None


def check_config_text(text: str, path: Path, schema: Path | None) -> None:
    """Parse the written YAML and validate it against the schema (``InputError`` naming the
    key on failure)."""
    import yaml

    config = yaml.safe_load(text)
    if schema is None:
        return
    import jsonschema

    rules = yaml.safe_load(schema.read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(rules).iter_errors(config)
    )
    if error is not None:
        key = ".".join(str(k) for k in error.absolute_path) or "(top level)"
        raise InputError(path, f"the written config fails the schema at {key}: {error.message}")


def write_config(
    out: str | os.PathLike,
    *,
    genome: str,
    peaks: str,
    jaspar: str,
    ccres: str | None = None,
    genome_name: str | None = None,
    release_name: str | None = None,
    force: bool = False,
    base_dir: str | os.PathLike | None = None,
) -> tuple[Path, Path | None]:
    """Write the config (and a sample sheet ``<out stem>.samples.tsv`` when ``peaks`` is a
    folder); return both paths. Existing files are refused unless ``force``."""
    out = Path(out)
    base = Path(base_dir or os.getcwd())
    samples_out = out.with_name(f"{out.stem}.samples.tsv")
    if out.exists() and not force:
        raise OutputError(out, "exists; give another --out or --force to replace it")
    given = UserInputs(genome, peaks, jaspar, ccres, genome_name, release_name)
    plan_, sheet_text = plan(given, samples_out=samples_out, base_dir=base)
    if sheet_text is not None and samples_out.exists() and not force:
        raise OutputError(samples_out, "exists; give another --out or --force to replace it")
    text = config_text(plan_)
    check_config_text(text, out, find_schema())
    if sheet_text is not None:
        write_text_atomic(samples_out, sheet_text)
        read_sample_sheet(samples_out, base_dir=base)
    write_text_atomic(out, text)
    return out, samples_out if sheet_text is not None else None
