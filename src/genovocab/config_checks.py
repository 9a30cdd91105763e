"""Checks of the workflow's config and sample sheets, run before any job.

A run that would fail (or, worse, succeed with a wrong answer) because of its config must fail
at once, with the file, the 1-based line and the problem: a key naming a source that does not
exist, a sample sheet with no rows, the same file listed twice, metadata columns that would
clash with the corpus columns. The JSON schemas check types and ranges; this module checks
what a schema cannot (cross-references and the sheets' content).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from genovocab.download import local_path, read_lock
from genovocab.errors import GenovocabError, InputError

SAMPLE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
#: what the workflow's ``{chrom}`` wildcard accepts: any FASTA name that can be a file name
#: (no '/', no whitespace), e.g. ``HLA-A*01:01:01:01``; ``.`` and ``..`` are refused apart
CHROM_WILDCARD = r"[^/\s]+"
#: config keys holding chromosome splits ``{validation: [...], test: [...]}`` and the key of
#: the regex selecting that corpus's chromosomes (None: every genome chromosome)
SPLIT_KEYS = {
    "motifs.corpus.splits": "motifs.corpus.chromosome_regex",
    "sequence.corpus.splits": None,
}
SHA256 = re.compile(r"^([0-9a-fA-F]{64})?$")
# columns every interval corpus shard has; sheet metadata may not reuse them
CORPUS_COLUMNS = ("id", "input_ids", "attention_mask", "n_regions", "n_tokens", "n_unknown")
SHEET_COLUMNS = ("name", "url", "sha256")


class ConfigError(GenovocabError, ValueError):
    """One or more problems in the config or its sheets (one per line of the message)."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("invalid configuration:\n  " + "\n  ".join(self.problems))


def _source_key(url: str, base_dir: str | os.PathLike | None) -> str:
    """What identifies a file: its resolved local path, else the URL itself."""
    try:
        path = local_path(url, base_dir)
    except GenovocabError:
        return url
    return str(path.resolve()) if path is not None else url


def read_sample_sheet(
    path: str | os.PathLike,
    *,
    base_dir: str | os.PathLike | None = None,
    reserved: Iterable[str] = CORPUS_COLUMNS,
) -> pd.DataFrame:
    """A TSV sample sheet, checked row by row; indexed by ``name``.

    Errors (:class:`InputError`, file and 1-based line): a missing file, a header without
    ``name``/``url``, repeated or reserved column names, a row with the wrong number of
    fields, a bad or repeated name, an empty url, a malformed sha256, a local file that does
    not exist, the same file (url or sha256) listed twice, no rows at all. ``#`` lines and
    blank lines are skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "sample sheet not found" if not path.exists() else "is not a file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    header: list[str] | None = None
    header_line = 0
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for number, raw in enumerate(io.StringIO(text, newline=None), start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header, header_line = [f.strip() for f in fields], number
            _check_header(path, header, header_line, reserved)
            continue
        if len(fields) != len(header):
            raise InputError(
                path,
                f"expected {len(header)} tab-separated fields (as the header "
                f"on line {header_line}), found {len(fields)}",
                number,
            )
        rows.append(dict(zip(header, (f.strip() for f in fields))))
        lines.append(number)
    if header is None:
        raise InputError(path, "empty sample sheet (no header, no rows)")
    if not rows:
        raise InputError(path, "sample sheet has a header but no samples", header_line)
    seen_name: dict[str, int] = {}
    seen_file: dict[str, tuple[int, str]] = {}
    seen_sha: dict[str, int] = {}
    for row, number in zip(rows, lines):
        name, url, sha = row["name"], row["url"], row.get("sha256", "")
        if not SAMPLE_NAME.match(name):
            raise InputError(
                path, f"sample name {name!r} must be letters, digits, '_', '.', '-'", number
            )
        if name.endswith(".source.json"):
            raise InputError(path, f"sample name {name!r} may not end in '.source.json'", number)
        if name in seen_name:
            raise InputError(path, f"sample name {name!r} repeats line {seen_name[name]}", number)
        seen_name[name] = number
        if not url:
            raise InputError(path, f"sample {name!r} has an empty url", number)
        if not SHA256.match(sha):
            raise InputError(
                path, f"sha256 {sha!r} of sample {name!r} is not 64 hex digits", number
            )
        try:
            local = local_path(url, base_dir)
        except GenovocabError as exc:
            raise InputError(path, str(exc), number) from None
        if local is not None and not local.is_file():
            raise InputError(path, f"file of sample {name!r} not found: {local}", number)
        key = _source_key(url, base_dir)
        if key in seen_file:
            first, other = seen_file[key]
            raise InputError(
                path,
                f"sample {name!r} is the same file as sample {other!r} (line {first}): {url}",
                number,
            )
        seen_file[key] = (number, name)
        if sha:
            if sha.lower() in seen_sha:
                raise InputError(
                    path,
                    f"sample {name!r} has the same sha256 as line "
                    f"{seen_sha[sha.lower()]} (the same file twice)",
                    number,
                )
            seen_sha[sha.lower()] = number
    sheet = pd.DataFrame(rows, columns=header, dtype=str).fillna("")
    sheet.attrs["lines"] = dict(zip(sheet["name"], lines))
    sheet.attrs["path"] = str(path)
    return sheet.set_index("name", drop=False)


def _check_header(path: Path, header: list[str], line: int, reserved: Iterable[str]) -> None:
    missing = [c for c in ("name", "url") if c not in header]
    if missing:
        raise InputError(
            path,
            f"header lacks the column(s) {', '.join(missing)} (found: {', '.join(header)})",
            line,
        )
    if "" in header:
        raise InputError(
            path, f"header has an empty column name (column {header.index('') + 1})", line
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputError(path, f"header repeats the column(s) {', '.join(repeated)}", line)
    clash = [c for c in header if c in set(reserved)]
    if clash:
        raise InputError(
            path,
            f"metadata column(s) {', '.join(clash)} clash with corpus columns "
            f"({', '.join(CORPUS_COLUMNS)}); rename them",
            line,
        )


def _get(config: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    node: Any = config
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


def source_references(config: Mapping[str, Any]) -> dict[str, str]:
    """The sources the config needs: ``{config key: source name}``."""
    refs = {"sources.genome": "genome", "motifs (matrices)": "jaspar_pfms"}
    methods = [
        _get(config, "universe.method", "cc"),
        *(_get(config, "universe.compare_methods") or []),
    ]
    if "ccre" in methods:
        refs["universe.method / compare_methods: ccre"] = "ccres"
    regions = _get(config, "sequence.corpus.regions", "ccres")
    if config.get("sequence") is not None and regions != "windows":
        refs["sequence.corpus.regions"] = regions
    if _get(config, "motifs.sites.source", "scan") == "bigbed":
        refs["motifs.sites.bigbed_source"] = _get(
            config, "motifs.sites.bigbed_source", "jaspar_bigbed"
        )
    if _get(config, "motifs.cpg", "none") == "islands":
        refs["motifs.cpg_islands_source"] = _get(config, "motifs.cpg_islands_source", "cpg_islands")
    return refs


def check_config(
    config: Mapping[str, Any],
    *,
    config_name: str = "config",
    base_dir: str | os.PathLike | None = None,
    lock: str | os.PathLike | None = None,
    sheets: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Raise :class:`ConfigError` listing every cross-reference problem of ``config``.

    Checks: every source a key names exists; local source files exist; sha256 values are
    well formed; ``motifs.sites.tracks_url`` is set for ``source: tracks``; with
    ``pin: strict``, every source and sample has a sha256 in the config or a lock row; the
    chromosome keys (:func:`chromosome_problems`).
    """
    problems: list[str] = []
    sources = config.get("sources") or {}
    for key, name in source_references(config).items():
        if name not in sources:
            known = ", ".join(sorted(sources)) or "none"
            problems.append(
                f"{config_name}: {key} names the source {name!r}, which is not in "
                f"`sources` (configured: {known})"
            )
    for name, entry in sorted(sources.items()):
        url = (entry or {}).get("url", "")
        try:
            local = local_path(url, base_dir)
        except GenovocabError as exc:
            problems.append(f"{config_name}: sources.{name}: {exc}")
            continue
        if local is not None and not local.is_file():
            problems.append(f"{config_name}: sources.{name}: file not found: {local}")
    if _get(config, "motifs.sites.source", "scan") == "tracks" and not _get(
        config, "motifs.sites.tracks_url"
    ):
        problems.append(
            f"{config_name}: motifs.sites.source is 'tracks' but motifs.sites.tracks_url is empty"
        )
    if config.get("pin", "lock") == "strict":
        locked = read_lock(lock) if lock else {}
        for name, entry in sorted(sources.items()):
            if not (entry or {}).get("sha256") and name not in locked:
                problems.append(
                    f"{config_name}: pin is 'strict' but source {name!r} has no "
                    f"sha256 (and no row in {lock})"
                )
        for prefix, sheet in (sheets or {}).items():
            for name, row in sheet.iterrows():
                if not row.get("sha256") and f"{prefix}{name}" not in locked:
                    line = sheet.attrs.get("lines", {}).get(name)
                    problems.append(
                        f"{sheet.attrs.get('path', 'sheet')}, line {line}: pin is "
                        f"'strict' but sample {name!r} has no sha256"
                    )
    problems += chromosome_problems(config, config_name=config_name)
    if problems:
        raise ConfigError(problems)


def bad_chromosome_name(name: str) -> str:
    """Why ``name`` cannot be a chromosome of the workflow ('' when it can)."""
    if not isinstance(name, str) or not name:
        return "an empty name"
    if name in (".", "..") or not re.fullmatch(CHROM_WILDCARD, name):
        return "not usable as a file name (no '/', no whitespace, not '.' or '..')"
    return ""


def _regex_keys(node: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    """``(dotted key, value)`` of every key named ``regex`` or ``*_regex`` in the config."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            dotted = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and (key == "regex" or key.endswith("_regex")):
                yield dotted, value
            else:
                yield from _regex_keys(value, dotted)


def chromosome_problems(
    config: Mapping[str, Any],
    *,
    config_name: str = "config",
    chrom_sizes: Mapping[str, int] | None = None,
) -> list[str]:
    """Chromosome mistakes a run would otherwise meet only after many jobs, naming the key:
    regexes that do not compile, listed chromosome names the workflow's wildcards (file
    names) cannot hold or listed twice, and split chromosomes in both splits, outside the
    genome selection (``genome_prep``) or outside the corpus's own chromosome regex.
    ``chrom_sizes`` (an earlier genome preparation), when given, is the genome."""
    problems: list[str] = []
    compiled: dict[str, re.Pattern[str]] = {}
    for key, value in _regex_keys(config):
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(
                f"{config_name}: {key}: {value!r} is not a regular expression (a string)"
            )
            continue
        try:
            compiled[key] = re.compile(value)
        except re.error as exc:
            problems.append(f"{config_name}: {key}: invalid regular expression {value!r} ({exc})")
    listed = list(_get(config, "genome_prep.chromosomes") or [])
    seen: set[str] = set()
    for name in listed:
        why = bad_chromosome_name(name)
        if why:
            problems.append(f"{config_name}: genome_prep.chromosomes: {name!r} is {why}")
        if name in seen:
            problems.append(f"{config_name}: genome_prep.chromosomes: {name!r} is listed twice")
        seen.add(name)
    genome_regex = compiled.get("genome_prep.chromosome_regex")

    def in_genome(chrom: str) -> str:
        if chrom_sizes is not None:
            return "" if chrom in chrom_sizes else "not in the prepared genome"
        if listed:
            return "" if chrom in seen else "not in genome_prep.chromosomes"
        if genome_regex is not None and not genome_regex.fullmatch(chrom):
            return f"not selected by genome_prep.chromosome_regex {genome_regex.pattern!r}"
        return ""

    for key, regex_key in SPLIT_KEYS.items():
        splits = _get(config, key)
        corpus = key.rsplit(".", 1)[0]
        if (
            not isinstance(splits, Mapping)
            or config.get(key.split(".")[0]) is None
            or (
                isinstance(_get(config, corpus), Mapping)
                and "name" in _get(config, corpus)
                and _get(config, f"{corpus}.name") is None
            )
        ):
            continue  # the stage or its corpus is switched off
        own = compiled.get(regex_key) if regex_key else None
        where: dict[str, str] = {}
        for split in sorted(splits):
            for chrom in splits[split] or []:
                if chrom in where and where[chrom] != split:
                    problems.append(
                        f"{config_name}: {key}: {chrom!r} is in both {where[chrom]} and {split}"
                    )
                where.setdefault(chrom, split)
                why = bad_chromosome_name(chrom) or in_genome(chrom)
                if not why and own is not None and not own.fullmatch(chrom):
                    why = f"not selected by {regex_key} {own.pattern!r}"
                if why:
                    problems.append(f"{config_name}: {key}.{split}: {chrom!r} is {why}")
    return problems
