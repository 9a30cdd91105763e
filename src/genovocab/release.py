"""Releases: one versioned, verifiable folder (and tarball) holding every vocabulary of a run.

A release ``<name>-<version>/`` holds ``README.md`` (release card with Hugging Face metadata),
``release.json`` (manifest), ``SHA256SUMS`` (every other file, ``sha256sum -c`` format),
``provenance/`` (resolved config, sources, software, chrom.sizes), ``intervals/`` (universe +
tokenizer configs, gtars-loadable), ``sequence/`` (BPE + G-grams in one folder), ``motifs/``
and ``corpora/<name>/`` (Hugging Face dataset folders). :func:`build_release` writes it from
the stage outputs, :func:`write_tarball` packs it deterministically, :func:`load_release`
verifies and opens it (folder or ``.tar.gz``), returning a :class:`Release`.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from genovocab._version import __version__
from genovocab.corpora.card import license_metadata
from genovocab.errors import GenovocabError, InputError
from genovocab.fileutil import MARKER as _OUTPUT_MARKER
from genovocab.fileutil import sha256_file, write_text_atomic
from genovocab.tokenizers.interval import IntervalTokenizer

MANIFEST = "release.json"
SUMS = "SHA256SUMS"
CARD = "README.md"
TOP_LEVEL = (CARD, MANIFEST, SUMS, "LICENSE.md", "provenance", "intervals", "sequence",
             "motifs", "corpora")
#: build time when SOURCE_DATE_EPOCH is unset: a fixed instant, never the wall clock
DEFAULT_EPOCH = 0
#: packages whose versions go into provenance/software.tsv when installed
SOFTWARE = ("genovocab", "numpy", "pandas", "scipy", "pyarrow", "pyfaidx", "tokenizers",
            "scikit-learn", "MOODS-python", "pyBigWig", "hmmlearn", "numba", "matplotlib",
            "PyYAML", "jsonschema", "tqdm", "snakemake", "torch")
SOURCE_SIDECAR = ".source.json"
CITATIONS = {
    "ENCODE": "ENCODE Project Consortium, Expanded encyclopaedias of DNA elements in the human "
              "and mouse genomes, Nature 583, 699-710 (2020)",
    "JASPAR 2022": "Castro-Mondragon et al., JASPAR 2022: the 9th release of the open-access "
                   "database of transcription factor binding profiles, NAR 50, D165-D173 (2022)",
    "UCSC": "Nassar et al., The UCSC Genome Browser database: 2023 update, NAR 51, D1188 (2023)",
    "Motif-aware tokenization": "Davarmanesh and Radhakrishnan, Motif-aware Tokenization of the "
                                "Genome: Towards Interpretable Modeling of Gene Regulation",
    "Interval tokenizers": "LeRoy et al., Fast, memory-efficient genomic interval tokenizers "
                           "for modern machine learning (gtars)",
    "DNAZEN": "Mao et al., DNAZEN: Enhanced Gene Sequence Representations via Mixed "
              "Granularities of Coding Units",
}
#: the licence file of the release and of each corpus folder in it (cards link to it)
LICENSE_FILE = "LICENSE.md"


class ReleaseError(GenovocabError):
    """A release folder or tarball that fails verification; ``problems`` lists every file."""

    def __init__(self, path: str | os.PathLike, problems: list[str]):
        self.path = os.fspath(path)
        self.problems = problems
        super().__init__(f"{self.path}: release verification failed:\n  " + "\n  ".join(problems))


# ---------------------------------------------------------------------- small helpers
def source_date_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds convention) or :data:`DEFAULT_EPOCH`."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return int(value) if value else DEFAULT_EPOCH
    except ValueError as exc:
        raise InputError(None, f"SOURCE_DATE_EPOCH must be an integer, not {value!r}") from exc


def source_record(name: str, path: str | os.PathLike, url: str = "") -> dict[str, Any]:
    """``{name, url, sha256, bytes}`` of a downloaded file.

    Prefers the download step's sidecar ``<path>.source.json`` (what it verified); without
    one, the digest and size are computed from the file itself.
    """
    path = Path(path)
    sidecar = path.with_name(path.name + SOURCE_SIDECAR)
    if sidecar.is_file():
        rec = json.loads(sidecar.read_text(encoding="utf-8"))
        return {"name": name, "url": rec.get("url", url), "sha256": rec["sha256"],
                "bytes": int(rec["bytes"])}
    return {"name": name, "url": url, "sha256": sha256_file(path),
            "bytes": path.stat().st_size}


def software_versions(packages: Iterable[str] = SOFTWARE) -> list[tuple[str, str]]:
    """``(package, version)`` of Python and of every installed package of ``packages``."""
    rows = [("python", platform.python_version())]
    for name in packages:
        if name == "genovocab":
            rows.append((name, __version__))
            continue
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return rows


def read_chrom_sizes_text(text: str) -> dict[str, int]:
    """``chrom -> length`` of chrom.sizes text (two tab-separated columns)."""
    sizes = {}
    for line in text.splitlines():
        if line.strip():
            chrom, length = line.split("\t")[:2]
            sizes[chrom] = int(length)
    return sizes


def _files(root: Path) -> list[str]:
    """Every regular file under ``root`` as a sorted list of POSIX relative paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


#: Snakemake's and genovocab's markers in folder outputs: bookkeeping, not release content
SNAKEMAKE_MARKER = ".snakemake_timestamp"
OUTPUT_MARKER = _OUTPUT_MARKER


def _copy(src: Path, dest: Path) -> None:
    """Copy a file's bytes (not its metadata), or a folder's files recursively (without
    Snakemake's timestamp markers)."""
    if src.is_dir():
        for rel in _files(src):
            if Path(rel).name not in (SNAKEMAKE_MARKER, OUTPUT_MARKER):
                _copy(src / rel, dest / rel)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


# ---------------------------------------------------------------------- interval tokenizer
def write_interval_tokenizer(universe_bed: str | os.PathLike, chrom_sizes: str | os.PathLike,
                             out_dir: str | os.PathLike) -> list[Path]:
    """The release's ``intervals/`` tokenizer files: ``universe.bed.gz``,
    ``tokenizer_config.json`` and ``special_tokens_map.json`` (via
    :meth:`IntervalTokenizer.save_pretrained`) and gtars' ``tokenizer.toml``
    (``universe = "universe.bed.gz"``, which ``gtars.tokenizers.Tokenizer.from_pretrained``
    reads)."""
    tok = IntervalTokenizer.from_bed(universe_bed, chrom_sizes)
    paths = [Path(p) for p in tok.save_pretrained(out_dir)]
    toml = Path(out_dir) / "tokenizer.toml"
    if toml not in paths:
        write_text_atomic(toml, 'universe = "universe.bed.gz"\n')
        paths.append(toml)
    return paths


class ReleaseIntervalTokenizer(IntervalTokenizer):
    """An :class:`IntervalTokenizer` that knows the release genome's chromosome lengths and
    rejects queries beyond them (coordinates of another assembly would silently map to other
    regions). Chromosomes absent from the genome give no tokens, as in gtars."""

    chrom_sizes: dict[str, int]

    def _encode(self, regions, count_unknown):  # type: ignore[override]
        lengths = np.array([self.chrom_sizes.get(c, np.iinfo(np.int64).max)
                            for c in regions.chroms], dtype=np.int64)
        if len(regions):
            limit = lengths[regions.chrom_index]
            bad = np.flatnonzero(regions.ends > limit)
            if len(bad):
                i = int(bad[0])
                chrom = regions.chroms[int(regions.chrom_index[i])]
                raise InputError(regions.path, f"region {chrom}:{int(regions.starts[i])}-"
                                 f"{int(regions.ends[i])} ends beyond {chrom}'s length "
                                 f"{self.chrom_sizes[chrom]} in the release genome "
                                 f"({len(bad)} such regions): is this file from another "
                                 "assembly?")
        return super()._encode(regions, count_unknown)


# ---------------------------------------------------------------------- statistics
def _vocab_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Manifest entries ``{kind, path, size, main, sha256}`` of every vocabulary present."""
    out: dict[str, dict[str, Any]] = {}
    universe = root / "intervals" / "universe.bed.gz"
    if universe.is_file():
        with gzip.open(universe, "rt") as handle:
            n = sum(1 for line in handle if line.strip())
        out["intervals"] = {"kind": "interval universe", "path": "intervals", "size": n,
                            "main": "intervals/universe.bed.gz"}
    seq = root / "sequence" / "tokenizer.json"
    if seq.is_file():
        vocab = json.loads(seq.read_text(encoding="utf-8"))["model"]["vocab"]
        entry = {"kind": "BPE + G-grams", "path": "sequence", "size": len(vocab),
                 "main": "sequence/tokenizer.json"}
        ngram = root / "sequence" / "ngram.json"
        if ngram.is_file():
            data = json.loads(ngram.read_text(encoding="utf-8"))
            entry["ngrams"] = int(data.get("ngram_size", len(data.get("vocab", {}))))
        out["sequence"] = entry
    # the motif tokenizer's trained vocabulary, else the stage's full token vocabulary
    for name in ("vocab.tsv", "token_vocab.tsv"):
        vocab_tsv = root / "motifs" / name
        if vocab_tsv.is_file():
            n = max(0, sum(1 for line in vocab_tsv.open() if line.strip()) - 1)
            out["motifs"] = {"kind": "motif tokens", "path": "motifs", "size": n,
                             "main": f"motifs/{name}"}
            break
    for key, entry in out.items():
        entry["sha256"] = sha256_file(root / entry["main"])
        out[key] = entry
    return out


def _corpus_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Manifest entries of every corpus: rows over all shards, the shards' digests."""
    import pyarrow.parquet as pq

    out = {}
    corpora = root / "corpora"
    for folder in sorted(p for p in corpora.iterdir() if p.is_dir()) if corpora.is_dir() else []:
        shards = sorted((folder / "data").glob("*.parquet"))
        if not shards:
            continue
        rows = sum(pq.ParquetFile(s).metadata.num_rows for s in shards)
        rel = [s.relative_to(root).as_posix() for s in shards]
        out[folder.name] = {"kind": "corpus", "path": f"corpora/{folder.name}", "size": rows,
                            "main": rel[0], "sha256": sha256_file(shards[0]),
                            "shards": {r: sha256_file(root / r) for r in rel}}
    return out


def _tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln.rstrip("\n").split("\t") for ln in path.open(encoding="utf-8") if ln.strip()]
    return [dict(zip(lines[0], row)) for row in lines[1:]] if lines else []


def _table_md(rows: list[dict[str, str]], limit: int = 20) -> str:
    if not rows:
        return "_(empty)_\n"
    cols = list(rows[0])
    text = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    for row in rows[:limit]:
        text += "| " + " | ".join(str(row.get(c, "")) for c in cols) + " |\n"
    if len(rows) > limit:
        text += f"\n_{len(rows) - limit} more rows in the file._\n"
    return text


# ---------------------------------------------------------------------- the card
def license_text(config: Mapping[str, Any], sources: list[dict[str, Any]]) -> str:
    """``LICENSE.md``: what a release derives from is under each source's own terms; the
    terms are those the config lists in ``release.licenses`` (name -> terms)."""
    rel = config.get("release", {})
    terms = rel.get("licenses") or {}
    rows = "".join(f"| {s['name']} | {s['url']} | "
                   f"{terms.get(s['name'], 'not stated in the configuration: see the source')} |\n"
                   for s in sorted(sources, key=lambda s: s["name"]))
    return (f"# Licence terms of {rel.get('name', '')} {rel.get('version', '')}\n\n"
            f"Release licence: `{rel.get('license', 'other')}`. The vocabularies and corpora "
            "are derived from the sources below; what is derived from a source is under that "
            "source's terms.\n\n| source | url | terms |\n|---|---|---|\n" + rows)


def release_card(root: Path, manifest: Mapping[str, Any], config: Mapping[str, Any],
                 sources: list[dict[str, Any]]) -> str:
    """The release ``README.md``: Hugging Face YAML metadata, then what each vocabulary is,
    how it was built, statistics, plots, a "load it" snippet, sources and citations."""
    import yaml

    rel = config.get("release", {})
    licenses = rel.get("licenses") or {}
    meta = {"pretty_name": rel.get("pretty_name") or f"{manifest['name']} {manifest['version']}",
            **license_metadata(rel.get("license", "other")),
            "tags": list(rel.get("tags") or ["genomics", "tokenizer", "genovocab"])}
    meta["configs"] = [{"config_name": name, "data_files": [
        {"split": s, "path": f"corpora/{name}/data/{s}-*.parquet"}
        for s in sorted({Path(p).name.split("-")[0] for p in e["shards"]})]}
        for name, e in manifest["corpora"].items()]
    head = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n\n"
    g = manifest["genome"]
    parts = [f"# {meta['pretty_name']}\n",
             f"Genome vocabularies of `{g['name']}` ({len(g['chromosomes'])} chromosomes, "
             f"{sum(g['chromosomes'].values()):,} bp), built by genovocab "
             f"{manifest['genovocab_version']}. Every file is listed in `SHA256SUMS`; "
             "`release.json` is the manifest; `provenance/` holds the resolved configuration, "
             "the digests of every input and the software versions.\n",
             "## Load it\n",
             "```python\nimport genovocab\n\nrelease = genovocab.load_release(\".\")  "
             "# verifies SHA256SUMS\nrelease.intervals(\"peaks.bed\")       "
             "# interval tokens\nrelease.sequence(\"ACGTACGT\")         # BPE + G-grams\n"
             "```\n",
             "## Vocabularies\n",
             "| vocabulary | kind | folder | size | main file sha256 |\n|---|---|---|---|---|\n"]
    for key, e in {**manifest["vocabularies"], **manifest["corpora"]}.items():
        parts[-1] += f"| {key} | {e['kind']} | `{e['path']}/` | {e['size']:,} | " \
                     f"`{e['sha256'][:16]}...` |\n"
    u = config.get("universe", {})
    if "intervals" in manifest["vocabularies"]:
        parts.append("### intervals\n")
        parts.append(f"A consensus universe of regulatory regions from the peak samples "
                     f"(method `{u.get('method', 'cc')}`, coverage window +-"
                     f"{u.get('window', 25)} bp), as in the consensus-universe work behind "
                     "Atacformer. A query region becomes the ids of every universe region it "
                     "overlaps. `intervals/` loads with `genovocab.IntervalTokenizer` and "
                     "gtars' `Tokenizer.from_pretrained`.\n")
        for fname, title in (("assessment.tsv", "Assessment against the samples"),
                             ("stats.tsv", "Statistics")):
            if (root / "intervals" / fname).is_file():
                parts.append(f"**{title}** (`intervals/{fname}`)\n\n"
                             + _table_md(_tsv(root / "intervals" / fname)))
    if "sequence" in manifest["vocabularies"]:
        b = config.get("sequence", {}).get("bpe", {})
        gg = config.get("sequence", {}).get("ggram", {})
        parts.append("### sequence\n")
        parts.append(f"DNABERT-2-style byte-pair encoding (vocabulary {b.get('vocab_size')}) "
                     f"plus PMI G-grams as in DNAZEN (Mao et al.; PMI >= {gg.get('min_pmi')}, "
                     f"{gg.get('min_len')}-{gg.get('max_len')} tokens). `sequence/` loads with "
                     "`transformers.AutoTokenizer`, `genovocab.SequenceTokenizer` and DNAZEN's "
                     "`NgramTokenizer`.\n")
        if (root / "sequence" / "stats.tsv").is_file():
            parts.append("**Statistics** (`sequence/stats.tsv`)\n\n"
                         + _table_md(_tsv(root / "sequence" / "stats.tsv")))
    if "motifs" in manifest["vocabularies"]:
        ids = config.get("ids", {})
        parts.append("### motifs\n")
        parts.append("Motif-aware bins and tokens (Davarmanesh et al.): JASPAR 2022 motif "
                     "sites are smoothed into bins, motif features are clustered by their "
                     "InterDependence Score (IDS; linkage "
                     f"`{ids.get('linkage', 'average')}`, threshold "
                     f"{ids.get('threshold')}), and each bin's active clusters form a token.\n")
        for fname in ("stats.tsv", "cluster_summary.tsv"):
            if (root / "motifs" / fname).is_file():
                parts.append(f"**`motifs/{fname}`**\n\n" + _table_md(_tsv(root / "motifs" / fname)))
    if manifest["corpora"]:
        parts.append("### corpora\n")
        parts.append("Hugging Face dataset folders (`datasets.load_dataset(\"corpora/<name>\")`)"
                     ":\n\n" + "".join(f"- `{e['path']}`: {e['size']:,} rows in "
                                       f"{len(e['shards'])} shards\n"
                                       for e in manifest["corpora"].values()))
    plots = [p for p in _files(root) if p.endswith(".png")]
    if plots:
        parts.append("## Plots\n")
        parts.append("".join(f"![{Path(p).stem}]({p})\n\n" for p in plots))
    parts.append("## Sources\n")
    rows = "| name | url | bytes | sha256 | license |\n|---|---|---|---|---|\n"
    for s in sources:
        rows += (f"| {s['name']} | {s['url']} | {s['bytes']:,} | `{s['sha256']}` | "
                 f"{licenses.get(s['name'], '')} |\n")
    parts.append(rows)
    parts.append("Citations:\n\n" + "".join(f"- {k}: {v}\n" for k, v in CITATIONS.items()))
    return head + "\n".join(parts)


# ---------------------------------------------------------------------- building
def build_release(out_dir: str | os.PathLike, *, parts: Mapping[str, str | os.PathLike],
                  config: Mapping[str, Any], chrom_sizes: str | os.PathLike,
                  sources: list[dict[str, Any]],
                  software: list[tuple[str, str]] | None = None) -> Path:
    """Write the release folder ``out_dir`` (which must not exist) from the stage outputs.

    ``parts`` maps a release path (``intervals/universe.bed.gz``, ``motifs``) to a stage file
    or folder, copied byte for byte. ``config`` is the resolved configuration (defaults
    filled), ``sources`` the :func:`source_record` of every downloaded input. The folder is
    assembled beside ``out_dir`` and renamed into place, so a failure leaves nothing.
    """
    import yaml

    out = Path(out_dir)
    if out.exists() and not _is_release_folder(out):
        raise InputError(out, "exists and is not a genovocab release folder; not replacing it")
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        for dest in sorted(parts):
            _copy(Path(parts[dest]), tmp / dest)
        prov = tmp / "provenance"
        prov.mkdir(parents=True, exist_ok=True)
        (prov / "config.yaml").write_text(yaml.safe_dump(plain(config), sort_keys=True),
                                          encoding="utf-8")
        shutil.copyfile(chrom_sizes, prov / "chrom.sizes")
        sources = sorted(sources, key=lambda s: s["name"])
        (prov / "sources.tsv").write_text(
            "name\turl\tsha256\tbytes\n" + "".join(
                f"{s['name']}\t{s['url']}\t{s['sha256']}\t{s['bytes']}\n" for s in sources),
            encoding="utf-8")
        (prov / "software.tsv").write_text(
            "package\tversion\n" + "".join(f"{n}\t{v}\n"
                                           for n, v in (software or software_versions())),
            encoding="utf-8")
        rel = config["release"]
        sizes_text = (prov / "chrom.sizes").read_text(encoding="utf-8")
        manifest = {
            "name": rel["name"], "version": str(rel["version"]),
            "genovocab_version": __version__, "build_time": source_date_epoch(),
            "genome": {"name": config.get("genome", ""),
                       "chromosomes": read_chrom_sizes_text(sizes_text),
                       "chrom_sizes_sha256": sha256_file(prov / "chrom.sizes")},
            "vocabularies": _vocab_entries(tmp), "corpora": _corpus_entries(tmp),
        }
        write_text_atomic(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        licence = license_text(config, sources)
        for folder in [tmp, *sorted(p for p in (tmp / "corpora").glob("*") if p.is_dir())]:
            (folder / LICENSE_FILE).write_text(licence, encoding="utf-8")
        (tmp / CARD).write_text(release_card(tmp, manifest, config, sources), encoding="utf-8")
        write_sums(tmp)
        if out.exists():  # an earlier build of this release: replace it
            old = out.with_name(out.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            shutil.rmtree(old)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _is_release_folder(path: Path) -> bool:
    """True for an empty folder or one an earlier :func:`build_release` wrote (only the
    release's top-level entries, with ``provenance/config.yaml``)."""
    if not path.is_dir():
        return False
    names = {p.name for p in path.iterdir()}
    return not names or ((path / "provenance" / "config.yaml").is_file()
                         and names <= set(TOP_LEVEL))


def plain(value: Any) -> Any:
    """Config with Snakemake's mapping types turned into plain dicts/lists (for YAML)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def write_sums(root: Path) -> Path:
    """``SHA256SUMS`` of every file under ``root`` but itself, sorted by path."""
    lines = [f"{sha256_file(root / rel)}  {rel}\n" for rel in _files(root) if rel != SUMS]
    (root / SUMS).write_text("".join(lines), encoding="utf-8")
    return root / SUMS


def write_tarball(release_dir: str | os.PathLike, tar_path: str | os.PathLike,
                  epoch: int | None = None) -> Path:
    """A deterministic ``.tar.gz`` of the release folder (top folder ``<name>-<version>/``):
    sorted entries, mtime ``epoch`` (default SOURCE_DATE_EPOCH or 0), uid/gid 0, no user
    names, modes 0644/0755, gzip header mtime 0 and no file name. Same folder, same bytes."""
    root = Path(release_dir)
    mtime = source_date_epoch() if epoch is None else epoch
    entries = sorted({p.relative_to(root).as_posix() for p in root.rglob("*")})
    tar_path = Path(tar_path)
    tmp = tar_path.with_name(tar_path.name + ".partial")
    try:
        _write_tar(root, entries, tmp, mtime)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(tar_path)
    return tar_path


def _write_tar(root: Path, entries: list[str], tmp: Path, mtime: int) -> None:
    # streamed (constant memory); gzip level 6: most members are already compressed
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in [""] + entries:
            path = root / rel if rel else root
            name = f"{root.name}/{rel}" if rel else root.name
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode, info.size = 0o644, path.stat().st_size
                with path.open("rb") as handle:
                    tar.addfile(info, handle)


# ---------------------------------------------------------------------- verification
def verify(path: str | os.PathLike) -> list[str]:
    """Problems of a release folder: files changed, missing or extra against SHA256SUMS, and
    manifest digests that differ from the files. An empty list means the release is intact."""
    root = Path(path)
    sums = root / SUMS
    if not sums.is_file():
        return [f"{SUMS}: missing"]
    expected: dict[str, str] = {}
    problems = []
    for n, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{SUMS}, line {n}: not '<sha256>  <path>'")
            continue
        expected[rel] = digest
    present = set(_files(root)) - {SUMS}
    for rel in sorted(set(expected) | present):
        if rel not in present:
            problems.append(f"{rel}: missing (expected sha256 {expected[rel]})")
        elif rel not in expected:
            problems.append(f"{rel}: extra file not in {SUMS} (sha256 {sha256_file(root / rel)})")
        else:
            actual = sha256_file(root / rel)
            if actual != expected[rel]:
                problems.append(f"{rel}: changed (expected sha256 {expected[rel]}, "
                                f"found {actual})")
    if MANIFEST in present:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        entries = list(manifest.get("vocabularies", {}).values()) + list(
            manifest.get("corpora", {}).values())
        for e in entries:
            checks = dict(e.get("shards", {}))
            checks[e["main"]] = e["sha256"]
            for rel, digest in checks.items():
                if rel in present and expected.get(rel) not in (None, digest):
                    problems.append(f"{MANIFEST}: {rel} listed with sha256 {digest}, "
                                    f"{SUMS} has {expected[rel]}")
    return problems


_verify = verify  # load_release's ``verify`` argument shadows the name


def _cache_root() -> Path:
    base = os.environ.get("GENOVOCAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "genovocab")
    return Path(base) / "releases"


def unpack_tarball(tar_path: str | os.PathLike, cache_dir: str | os.PathLike | None = None
                   ) -> Path:
    """Unpack a release tarball once into ``cache_dir/<tarball sha256>/`` (default
    ``$GENOVOCAB_CACHE`` or ``~/.cache/genovocab``); returns the release folder inside."""
    tar_path = Path(tar_path)
    digest = sha256_file(tar_path)
    target = Path(cache_dir) if cache_dir is not None else _cache_root()
    target = target / digest
    if not target.is_dir():
        tmp = target.with_name(target.name + f".partial-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with tarfile.open(tar_path, "r:gz") as tar:
            for member in tar.getmembers():
                name = Path(member.name)
                if name.is_absolute() or ".." in name.parts or not (
                        member.isfile() or member.isdir()):
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise InputError(tar_path, f"unsafe tar entry {member.name!r}")
            tar.extractall(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another process unpacked it first
            shutil.rmtree(tmp, ignore_errors=True)
    folders = [p for p in target.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise InputError(tar_path, "a release tarball holds exactly one top folder")
    return folders[0]


# ---------------------------------------------------------------------- loading
@dataclass
class GenomeCheck:
    """How a chrom.sizes compares with a release genome."""

    missing: list[str] = field(default_factory=list)  # in the release, not in the file
    extra: list[str] = field(default_factory=list)  # in the file, not in the release
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)  # chrom -> (rel, file)

    @property
    def ok(self) -> bool:
        """True when every release chromosome is present with the same length."""
        return not self.missing and not self.mismatched

    def __str__(self) -> str:
        if self.ok and not self.extra:
            return "genome matches the release"
        out = []
        if self.mismatched:
            out.append("other lengths: " + ", ".join(
                f"{c} (release {a}, file {b})" for c, a, b in
                ((c, *v) for c, v in self.mismatched.items())))
        if self.missing:
            out.append("missing from the file: " + ", ".join(self.missing))
        if self.extra:
            out.append("not in the release: " + ", ".join(self.extra))
        return "; ".join(out)


@dataclass
class Release:
    """An opened release: tokenizers (loaded on first use), corpora, manifest, provenance."""

    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.manifest['name']}-{self.manifest['version']}"

    @property
    def chrom_sizes(self) -> dict[str, int]:
        """The release genome: chromosome -> length."""
        return {k: int(v) for k, v in self.manifest["genome"]["chromosomes"].items()}

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """``config`` (dict), ``sources`` and ``software`` (lists of rows), ``chrom_sizes``."""
        import yaml

        prov = self.path / "provenance"
        return {"config": yaml.safe_load((prov / "config.yaml").read_text(encoding="utf-8")),
                "sources": _tsv(prov / "sources.tsv"),
                "software": _tsv(prov / "software.tsv"),
                "chrom_sizes": read_chrom_sizes_text(
                    (prov / "chrom.sizes").read_text(encoding="utf-8"))}

    @cached_property
    def intervals(self) -> ReleaseIntervalTokenizer | None:
        """The interval tokenizer, rejecting coordinates beyond the release genome."""
        folder = self.path / "intervals"
        if not (folder / "tokenizer_config.json").is_file():
            return None
        tok = IntervalTokenizer.from_pretrained(folder)
        # same state, plus the genome check: the saved config names IntervalTokenizer, so
        # load it as one and switch the class
        tok.__class__ = ReleaseIntervalTokenizer
        tok.chrom_sizes = self.chrom_sizes
        return tok

    @cached_property
    def sequence(self):
        """The BPE + G-gram :class:`~genovocab.tokenizers.sequence.SequenceTokenizer`."""
        folder = self.path / "sequence"
        if not (folder / "tokenizer.json").is_file():
            return None
        from genovocab.tokenizers.sequence import SequenceTokenizer

        return SequenceTokenizer.from_pretrained(folder)

    @cached_property
    def motifs(self):
        """The motif tokenizer loaded from ``motifs/``, when built and available; else None."""
        folder = self.path / "motifs"
        if not folder.is_dir():
            return None
        try:
            from genovocab.tokenizers.motif import MotifTokenizer  # type: ignore
        except ImportError:
            return None
        return MotifTokenizer.from_pretrained(folder)

    @property
    def corpora(self) -> dict[str, Path]:
        """Corpus name -> its Hugging Face dataset folder."""
        return {name: self.path / e["path"] for name, e in self.manifest["corpora"].items()}

    def load_corpus(self, name: str, split: str = "train"):
        """One split of a corpus: a ``datasets.Dataset`` when ``datasets`` is installed, else a
        ``pyarrow.Table`` of its shards."""
        if name not in self.corpora:
            raise KeyError(f"no corpus {name!r} in {self.name}; have {sorted(self.corpora)}")
        folder = self.corpora[name]
        shards = sorted(str(p) for p in (folder / "data").glob(f"{split}-*.parquet"))
        if not shards:
            raise KeyError(f"corpus {name!r} has no split {split!r}")
        try:
            import datasets
        except ImportError:
            import pyarrow as pa
            import pyarrow.parquet as pq

            return pa.concat_tables([pq.read_table(s) for s in shards])
        return datasets.load_dataset("parquet", data_files={split: shards}, split=split)

    def check_genome(self, chrom_sizes: str | os.PathLike | Mapping[str, int]) -> GenomeCheck:
        """Compare a chrom.sizes (path or mapping) with the release genome: chromosomes
        missing from it, extra, or with other lengths (e.g. hg19 against an hg38 release)."""
        if not isinstance(chrom_sizes, Mapping):
            chrom_sizes = read_chrom_sizes_text(Path(chrom_sizes).read_text(encoding="utf-8"))
        mine = self.chrom_sizes
        return GenomeCheck(
            missing=[c for c in mine if c not in chrom_sizes],
            extra=[c for c in chrom_sizes if c not in mine],
            mismatched={c: (mine[c], int(chrom_sizes[c])) for c in mine
                        if c in chrom_sizes and int(chrom_sizes[c]) != mine[c]})

    def info(self) -> str:
        """A human-readable summary: vocabularies, sizes, genome, sources, software."""
        m = self.manifest
        g = m["genome"]
        lines = [f"release {self.name} (genovocab {m['genovocab_version']}, "
                 f"build time {m['build_time']})", f"path {self.path}",
                 f"genome {g['name']}: {len(g['chromosomes'])} chromosomes, "
                 f"{sum(g['chromosomes'].values()):,} bp (chrom.sizes sha256 "
                 f"{g['chrom_sizes_sha256']})", "vocabularies:"]
        for key, e in {**m["vocabularies"], **m["corpora"]}.items():
            extra = f", {e['ngrams']} G-grams" if "ngrams" in e else ""
            unit = "rows" if e["kind"] == "corpus" else "tokens"
            lines.append(f"  {key:<16} {e['kind']:<18} {e['size']:>10,} {unit}{extra}  "
                         f"{e['path']}/")
        lines.append("sources:")
        for s in self.provenance["sources"]:
            lines.append(f"  {s['name']:<16} {int(s['bytes']):>12,} B  {s['sha256']}  {s['url']}")
        lines.append("software: " + ", ".join(f"{r['package']} {r['version']}"
                                              for r in self.provenance["software"]))
        return "\n".join(lines)


def load_release(path: str | os.PathLike, verify: bool = True,
                 cache_dir: str | os.PathLike | None = None) -> Release:
    """Open a release folder or its ``.tar.gz`` (unpacked once into a cache folder).

    With ``verify`` (default) every file is checked against ``SHA256SUMS`` and the manifest;
    a changed, missing or extra file raises :class:`ReleaseError` naming it and both digests.
    """
    p = Path(path)
    if p.is_file() and p.name.endswith((".tar.gz", ".tgz")):
        p = unpack_tarball(p, cache_dir)
    if not (p / MANIFEST).is_file():
        raise InputError(p, f"not a release: no {MANIFEST}")
    if verify:
        problems = _verify(p)
        if problems:
            raise ReleaseError(p, problems)
    manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    return Release(path=p, manifest=manifest)
