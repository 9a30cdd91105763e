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

import errno
import gzip
import hashlib
import json
import os
import platform
import re
import shutil
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any
from zlib import error as zlib_error

import numpy as np

from genovocab._version import __version__
from genovocab.corpora.card import license_metadata
from genovocab.errors import GenovocabError, InputError, OutputError
from genovocab.fileutil import MARKER as _OUTPUT_MARKER
from genovocab.fileutil import (
    folder_digests,
    old_name,
    owner_is_gone,
    owner_tag,
    read_yaml,
    recorded_digest,
    remove_stale_temps,
    sha256_file,
    tmp_name,
    with_path,
    write_text_atomic,
)
from genovocab.tokenizers.interval import IntervalTokenizer

MANIFEST = "release.json"
SUMS = "SHA256SUMS"
CARD = "README.md"
TOP_LEVEL = (CARD, MANIFEST, SUMS, "LICENSE.md", "provenance", "intervals", "sequence",
             "motifs", "corpora", "evaluation")
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


#: files at least this large enter a release by hard link (or reflink) instead of a copy;
#: smaller ones are copied (cheap, and a copy shares nothing with the work folder)
LINK_MIN_BYTES = 1 << 20
#: Linux ``FICLONE`` ioctl: a copy-on-write clone (btrfs, XFS, bcachefs, ...)
_FICLONE = 0x40049409
#: read size of the hashing and archiving passes
_BLOCK = 4 << 20


def _part_files(parts: Mapping[str, str | os.PathLike]) -> list[tuple[str, Path, str | None]]:
    """``(release path, stage file, recorded digest)`` of every file of ``parts``, sorted by
    release path; a folder part contributes its files (without the markers of Snakemake and
    :func:`~genovocab.fileutil.atomic_dir`), each with the digest its folder's marker lists."""
    out = {}
    for dest in sorted(parts):
        src = Path(parts[dest])
        if src.is_dir():
            digests = folder_digests(src)
            for rel in _files(src):
                if Path(rel).name not in (SNAKEMAKE_MARKER, OUTPUT_MARKER):
                    out[f"{dest}/{rel}"] = (src / rel, digests.get(rel))
        else:
            out[dest] = (src, None)
    return [(rel, src, recorded) for rel, (src, recorded) in sorted(out.items())]


def _reflink(src: Path, dest: Path) -> bool:
    """A copy-on-write clone of ``src`` at ``dest`` where the file system has them."""
    import fcntl

    try:
        with open(src, "rb") as s, open(dest, "xb") as d:
            fcntl.ioctl(d.fileno(), _FICLONE, s.fileno())
        return True
    except OSError:
        dest.unlink(missing_ok=True)
        return False


def place_file(src: Path, dest: Path, link: bool = True) -> str:
    """Put ``src``'s bytes at ``dest`` (which must not exist): ``"link"`` (a hard link, no
    bytes written), ``"reflink"`` (a copy-on-write clone) or ``"copy"``; returns which.

    A hard link shares the file with the work folder. That is safe because no genovocab
    writer changes an existing file: each writes a temporary and renames it over the name
    (:func:`~genovocab.fileutil.atomic_path`, :func:`~genovocab.fileutil.atomic_dir`), and
    Snakemake removes a job's outputs before it reruns it, so a rebuild gives the work
    folder a new file and leaves the release's bytes alone. The permissions stay as they
    are: a read-only output would make Snakemake refuse to rerun its job
    (``ProtectedOutputException``). What a link cannot stop, a write into the file itself
    by another program, is not hidden: ``release verify`` names the file, and the next
    build refuses it (:func:`check_part`, against the digest its job recorded). Files
    smaller than :data:`LINK_MIN_BYTES`, and every file when ``link`` is false, are cloned
    or copied.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if link and src.stat().st_size >= LINK_MIN_BYTES:
        try:
            os.link(src, dest)
        except OSError:
            pass
        else:
            return "link"
    if _reflink(src, dest):
        return "reflink"
    shutil.copyfile(src, dest)
    return "copy"


def _hash_and_check(src: Path, recorded: str | None) -> str:
    """sha256 of a stage file (read once), validated by :func:`check_part`."""
    digest = sha256_file(src, _BLOCK)
    check_part(src, recorded, digest=digest)
    return digest


def _map_threads(func, items: list, threads: int) -> list:
    """``[func(*item) for item in items]``, on ``threads`` threads (hashlib, zlib and pyarrow
    release the GIL on large buffers); the first exception is raised, in order."""
    if threads <= 1 or len(items) <= 1:
        return [func(*item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(func, *item) for item in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def check_part(path: str | os.PathLike, recorded: str | None = None, *,
               digest: str | None = None) -> None:
    """Raise :class:`InputError` naming ``path`` when a stage output is not what its job wrote.

    What goes into a release is checked as it is packaged, so a corrupted work file is
    reported here and never certified by the release's digests. The digest the job recorded
    (``recorded``: its folder's marker; else the file's own attribute, see
    :func:`~genovocab.fileutil.record_digest`) must match; and every file is decoded:
    Parquet files are read page
    by page (with page checksums where the writer stored them), ``.npz`` members are checked
    against their CRC-32, ``.npy`` headers against the file size, ``.gz`` streams against
    their CRC-32 and length, ``.json`` files parsed, ``.tsv``/``.txt``/``.md``/``.toml``
    decoded as UTF-8. Other files (plots) are taken as they are. ``digest`` is the file's
    sha256 when the caller has it already (so the file is hashed once).
    """
    path = Path(path)
    name = path.name
    recorded = recorded or recorded_digest(path)
    if recorded is not None:
        found = digest or sha256_file(path)
        if found != recorded:
            raise InputError(path, f"changed since the job that made it wrote it (sha256 "
                                   f"{found}, recorded {recorded}); not packaged: rerun "
                                   "that job")
    try:
        if name.endswith(".parquet"):
            _check_parquet(path)
        elif name.endswith(".npz"):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
            if bad is not None:
                raise InputError(path, f"corrupt .npz: member {bad} fails its CRC-32 check")
        elif name.endswith(".npy"):
            array = np.load(path, mmap_mode="r", allow_pickle=False)
            end = int(getattr(array, "offset", 0)) + int(array.nbytes)
            del array
            size = path.stat().st_size
            if end != size:
                raise InputError(path, f"corrupt .npy: header describes {end:,} bytes, the "
                                       f"file has {size:,}")
        elif name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass
        elif name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith((".tsv", ".txt", ".md", ".toml", ".yaml", ".bed", ".jaspar",
                            ".sizes")):
            with path.open(encoding="utf-8") as handle:
                while handle.read(1 << 20):
                    pass
    except InputError:
        raise
    except OSError as exc:
        if exc.errno is not None and exc.filename is None:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        if exc.errno is not None:
            raise
        raise InputError(path, f"corrupt stage output, not packaged: {exc}") from exc
    except (ValueError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InputError(path, f"corrupt stage output, not packaged: "
                               f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # pyarrow's ArrowException and its kin
        if type(exc).__module__.split(".")[0] != "pyarrow":
            raise
        raise InputError(path, f"corrupt stage output, not packaged: "
                               f"{type(exc).__name__}: {exc}") from exc


def _check_parquet(path: Path) -> None:
    import pyarrow.parquet as pq

    # streamed (no pre-buffering, 1 MiB reads): a 200 MB column chunk costs ~140 MB, not 260
    options = {"pre_buffer": False, "buffer_size": 1 << 20}
    try:
        parquet = pq.ParquetFile(path, page_checksum_verification=True, **options)
    except TypeError:  # an older pyarrow without page checksums
        parquet = pq.ParquetFile(path, **options)
    rows = 0
    # small batches: memory stays flat whatever the row groups' size
    for batch in parquet.iter_batches(batch_size=4096, use_threads=False):
        batch.validate(full=True)
        rows += batch.num_rows
    if rows != parquet.metadata.num_rows:
        raise InputError(path, f"corrupt Parquet file: {rows:,} rows decoded, its footer says "
                               f"{parquet.metadata.num_rows:,}")


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
def _digest_of(root: Path, digests: Mapping[str, str] | None, rel: str) -> str:
    """A release file's sha256: the one computed while it was packaged, else read now."""
    found = digests.get(rel) if digests is not None else None
    return found if found is not None else sha256_file(root / rel, _BLOCK)


def _vocab_entries(root: Path, digests: Mapping[str, str] | None = None
                   ) -> dict[str, dict[str, Any]]:
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
        entry["sha256"] = _digest_of(root, digests, entry["main"])
        out[key] = entry
    return out


def _corpus_entries(root: Path, digests: Mapping[str, str] | None = None
                    ) -> dict[str, dict[str, Any]]:
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
                            "main": rel[0], "sha256": _digest_of(root, digests, rel[0]),
                            "shards": {r: _digest_of(root, digests, r) for r in rel}}
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


def evaluation_card_section(root: Path) -> list[str]:
    """The card's evaluation section: ``evaluation/summary.md`` (the vocabularies measured on
    held-out DNA beside baselines and a shuffled control; docs/evaluation.md)."""
    summary = root / "evaluation" / "summary.md"
    if not summary.is_file():
        return []
    return ["## Evaluation\n", "Every vocabulary measured on held-out DNA beside k-mer "
            "baselines and a dinucleotide-shuffled control (`evaluation/`: tables and "
            "`rank_frequency.png`).\n", summary.read_text(encoding="utf-8")]


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
                     f"{ids.get('threshold')}), and every bin gets a token from a bounded "
                     "vocabulary by back-off.\n")
        summary = root / "motifs" / "vocab_summary.md"
        if summary.is_file():
            parts.append(summary.read_text(encoding="utf-8"))
        for fname in ("stats.tsv", "cluster_summary.tsv"):
            if (root / "motifs" / fname).is_file():
                parts.append(f"**`motifs/{fname}`**\n\n" + _table_md(_tsv(root / "motifs" / fname)))
    if manifest["corpora"]:
        parts.append("### corpora\n")
        parts.append("Hugging Face dataset folders (`datasets.load_dataset(\"corpora/<name>\")`)"
                     ":\n\n" + "".join(f"- `{e['path']}`: {e['size']:,} rows in "
                                       f"{len(e['shards'])} shards\n"
                                       for e in manifest["corpora"].values()))
    parts.extend(evaluation_card_section(root))
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
                  software: list[tuple[str, str]] | None = None, threads: int = 1,
                  link: bool = True) -> Path:
    """Write the release folder ``out_dir`` (which must not exist) from the stage outputs.

    ``parts`` maps a release path (``intervals/universe.bed.gz``, ``motifs``) to a stage file
    or folder. Each stage file is read once, on ``threads`` threads, for its sha256 and its
    check (:func:`check_part`); then it enters the release by hard link where it is large
    and ``link`` allows it, else by reflink or copy (:func:`place_file`). Its digest serves
    the manifest and ``SHA256SUMS``. ``config`` is the resolved configuration (defaults
    filled), ``sources`` the :func:`source_record` of every downloaded input. The folder is
    assembled beside ``out_dir`` and renamed into place, so a failure leaves nothing.
    """
    import yaml

    out = Path(out_dir)
    if out.exists() and not _is_release_folder(out):
        raise InputError(out, "exists and is not a genovocab release folder; not replacing it")
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)  # a killed build's temporaries (never a live one's)
    tmp = out.parent / tmp_name(out)
    tmp.mkdir()
    try:
        files = _part_files(parts)
        hashed = _map_threads(_hash_and_check, [(src, rec) for _, src, rec in files],
                              max(1, int(threads)))
        digests: dict[str, str] = {}
        for (rel, src, _), digest in zip(files, hashed):
            place_file(src, tmp / rel, link)
            digests[rel] = digest
        prov = tmp / "provenance"
        prov.mkdir(parents=True, exist_ok=True)
        _write_new(prov / "config.yaml", yaml.safe_dump(plain(config), sort_keys=True))
        _write_new(prov / "chrom.sizes", Path(chrom_sizes).read_text(encoding="utf-8"))
        sources = sorted(sources, key=lambda s: s["name"])
        _write_new(prov / "sources.tsv", "name\turl\tsha256\tbytes\n" + "".join(
            f"{s['name']}\t{s['url']}\t{s['sha256']}\t{s['bytes']}\n" for s in sources))
        _write_new(prov / "software.tsv", "package\tversion\n" + "".join(
            f"{n}\t{v}\n" for n, v in (software or software_versions())))
        rel = config["release"]
        sizes_text = (prov / "chrom.sizes").read_text(encoding="utf-8")
        manifest = {
            "name": rel["name"], "version": str(rel["version"]),
            "genovocab_version": __version__, "build_time": source_date_epoch(),
            "genome": {"name": config.get("genome", ""),
                       "chromosomes": read_chrom_sizes_text(sizes_text),
                       "chrom_sizes_sha256": sha256_file(prov / "chrom.sizes")},
            "vocabularies": _vocab_entries(tmp, digests),
            "corpora": _corpus_entries(tmp, digests),
        }
        licence = license_text(config, sources)
        for folder in [tmp, *sorted(p for p in (tmp / "corpora").glob("*") if p.is_dir())]:
            _write_new(folder / LICENSE_FILE, licence)
            digests.pop((folder / LICENSE_FILE).relative_to(tmp).as_posix(), None)
        card = with_release_digest(release_card(tmp, manifest, config, sources), ZERO_DIGEST)
        _write_new(tmp / CARD, card)
        manifest["files"] = _file_entries(tmp, digests)
        write_text_atomic(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _write_new(tmp / CARD, with_release_digest(card, sha256_file(tmp / MANIFEST)))
        write_sums(tmp, digests)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file at ``path``: a packaged file of that name is unlinked
    first, so the write can never reach a work-folder file through a hard link."""
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def _swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished release ``tmp`` onto ``out``; an earlier build of it is moved to
    a backup name of this process and removed. When another build of the same release
    renamed its folder in first, this one loses with :class:`OutputError` (theirs stays)."""
    old = None
    if out.exists():
        if not _is_release_folder(out):  # something appeared meanwhile
            raise InputError(out, "exists and is not a genovocab release folder; "
                                  "not replacing it")
        old = out.parent / old_name(out)
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise OutputError(out, "another build of this release finished at the same time; "
                               "kept its result, discarded this one") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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


def write_sums(root: Path, digests: Mapping[str, str] | None = None) -> Path:
    """``SHA256SUMS`` of every file under ``root`` but itself, sorted by path (``digests``:
    those already known, by release path; the others are read)."""
    lines = [f"{_digest_of(root, digests, rel)}  {rel}\n" for rel in _files(root)
             if rel != SUMS]
    (root / SUMS).write_text("".join(lines), encoding="utf-8")
    return root / SUMS


#: ``release.archive`` choices and their file suffixes (``none``: the folder is the release)
ARCHIVES = {"tar.gz": ".tar.gz", "tar": ".tar", "tar.zst": ".tar.zst", "none": ""}
#: the uncompressed tar stream is cut into pieces of this size, each compressed on its own
#: (a gzip member, in parallel): fixed cuts, so the bytes do not depend on the thread count
GZIP_PIECE = 8 << 20
GZIP_LEVEL = 6
#: zstd level of ``tar.zst`` (the zstd command line's default)
ZSTD_LEVEL = 3


def archive_path(release_dir: str | os.PathLike, archive: str) -> Path | None:
    """``<release folder><suffix>`` of an archive choice, or None for ``none``."""
    if archive not in ARCHIVES:
        raise InputError(None, f"release.archive must be one of {', '.join(ARCHIVES)}, "
                               f"not {archive!r}")
    suffix = ARCHIVES[archive]
    root = Path(release_dir)
    return root.with_name(root.name + suffix) if suffix else None


def write_tarball(release_dir: str | os.PathLike, tar_path: str | os.PathLike,
                  epoch: int | None = None, *, archive: str = "tar.gz",
                  threads: int = 1) -> Path:
    """A deterministic archive of the release folder (top folder ``<name>-<version>/``):
    sorted entries, mtime ``epoch`` (default SOURCE_DATE_EPOCH or 0), uid/gid 0, no user
    names, modes 0644/0755, PAX format. ``archive``: ``tar.gz`` (gzip level 6 in independent
    members of :data:`GZIP_PIECE` input bytes each, compressed on ``threads`` threads; any
    gzip reader reads the concatenation, and the gzip headers have mtime 0 and no file
    name), ``tar`` (uncompressed; file bytes copied by the kernel where it can) or
    ``tar.zst`` (the ``zstandard`` module, or the ``zstd`` command). Same folder and choice,
    same bytes, whatever ``threads``."""
    if archive not in ARCHIVES or archive == "none":
        raise InputError(None, f"an archive must be one of tar.gz, tar, tar.zst, not "
                               f"{archive!r}")
    root = Path(release_dir)
    mtime = source_date_epoch() if epoch is None else epoch
    entries = sorted({p.relative_to(root).as_posix() for p in root.rglob("*")})
    tar_path = Path(tar_path)
    remove_stale_temps(tar_path)
    tmp = tar_path.with_name(tmp_name(tar_path))
    try:
        with tmp.open("wb") as raw:
            sink: _Sink
            if archive == "tar":
                sink = _Sink(raw)
            elif archive == "tar.gz":
                sink = _GzipSink(raw, max(1, int(threads)))
            else:
                sink = _zstd_sink(raw, max(1, int(threads)))
            try:
                _write_tar(root, entries, sink, mtime)
            except BaseException:
                sink.abort()
                raise
            sink.close()
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise with_path(exc, tar_path) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(tar_path)
    return tar_path


def write_archive(release_dir: str | os.PathLike, archive: str, *, threads: int = 1,
                  epoch: int | None = None) -> Path | None:
    """The release's archive beside its folder (:func:`archive_path`), or None for
    ``none``; an archive of another choice left by an earlier build is not touched."""
    path = archive_path(release_dir, archive)
    if path is None:
        return None
    return write_tarball(release_dir, path, epoch, archive=archive, threads=threads)


def _write_tar(root: Path, entries: list[str], sink: _Sink, mtime: int) -> None:
    """The tar stream of ``entries``, as :class:`tarfile.TarFile` writes it (PAX headers,
    512-byte blocks, two zero blocks and padding to a 10,240-byte record at the end), with
    the files' bytes handed to ``sink`` unread where it can copy them itself."""
    offset = 0
    for rel in [""] + entries:
        path = root / rel if rel else root
        info = tarfile.TarInfo(f"{root.name}/{rel}" if rel else root.name)
        info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
        if path.is_dir():
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            size = 0
        else:
            info.mode, info.size = 0o644, path.stat().st_size
            size = info.size
        header = info.tobuf(tarfile.PAX_FORMAT, tarfile.ENCODING, "surrogateescape")
        sink.write(header)
        offset += len(header)
        if size:
            sink.write_file(path, size)
            offset += size
            pad = -size % tarfile.BLOCKSIZE
            if pad:
                sink.write(bytes(pad))
                offset += pad
    end = tarfile.BLOCKSIZE * 2
    offset += end
    end += -offset % tarfile.RECORDSIZE
    sink.write(bytes(end))


class _Sink:
    """Where the tar stream goes: here straight into the file (``tar``)."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data: bytes) -> None:
        self.raw.write(data)

    def write_file(self, path: Path, size: int) -> None:
        """``size`` bytes of ``path`` (a file that changed size meanwhile is an error)."""
        self.raw.flush()
        with path.open("rb") as src:
            done = 0
            copy = getattr(os, "copy_file_range", None)
            while copy is not None and done < size:
                try:
                    n = copy(src.fileno(), self.raw.fileno(), size - done)
                except OSError as exc:
                    if done or exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL,
                                                 errno.EOPNOTSUPP):
                        raise
                    break
                if n == 0:
                    break
                done += n
            if done and done < size:
                raise InputError(path, "changed size while it was archived")
            if done:
                self.raw.seek(0, os.SEEK_END)  # copy_file_range moved the file offset
                return
            for block in _blocks(src, size, path):
                self.raw.write(block)

    def close(self) -> None:
        self.raw.flush()

    def abort(self) -> None:
        pass


def _blocks(handle, size: int, path: Path, block: int = _BLOCK):
    """The first ``size`` bytes of an open file in blocks; too few is an error."""
    left = size
    while left:
        data = handle.read(min(block, left))
        if not data:
            raise InputError(path, "changed size while it was archived")
        left -= len(data)
        yield data


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One gzip member of ``data`` (RFC 1952): mtime 0, no file name, OS byte 255 and the
    extra flags Python's :mod:`gzip` writes; its deflate stream is zlib's at ``level``."""
    import struct
    import zlib

    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    xfl = 2 if level == 9 else 4 if level == 1 else 0
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes([xfl, 255])
    tail = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return head + body + tail


class _Pieces(_Sink):
    """Collects the stream into pieces of ``piece`` bytes (the last one shorter) and
    compresses them on ``threads`` threads, writing the results in order; at most
    ``threads + 1`` pieces are in flight, so memory stays ~``2 * (threads + 2) * piece``."""

    def __init__(self, raw, threads: int, piece: int):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        super().__init__(raw)
        self.piece = piece
        self.buffer = bytearray()
        self.pending: deque = deque()
        self.limit = threads + 1
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def compress(self, data: bytes) -> bytes:
        raise NotImplementedError

    def _submit(self, data: bytes) -> None:
        self.pending.append(self.pool.submit(self.compress, data))
        while len(self.pending) > self.limit:
            self.raw.write(self.pending.popleft().result())

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= self.piece:
            self._submit(bytes(self.buffer[:self.piece]))
            del self.buffer[:self.piece]

    def write_file(self, path: Path, size: int) -> None:
        with path.open("rb") as src:
            left = size
            while left:
                want = min(left, self.piece - len(self.buffer))
                data = src.read(want)
                if len(data) != want:
                    raise InputError(path, "changed size while it was archived")
                left -= want
                if not self.buffer and want == self.piece:
                    self._submit(data)
                else:
                    self.write(data)

    def close(self) -> None:
        if self.buffer:
            self._submit(bytes(self.buffer))
            self.buffer = bytearray()
        while self.pending:
            self.raw.write(self.pending.popleft().result())
        self.pool.shutdown()
        self.raw.flush()

    def abort(self) -> None:
        for future in self.pending:
            future.cancel()
        self.pool.shutdown()


class _GzipSink(_Pieces):
    """``tar.gz``: one gzip member per piece (:func:`gzip_member`)."""

    def __init__(self, raw, threads: int, piece: int | None = None):
        super().__init__(raw, threads, piece or GZIP_PIECE)

    def compress(self, data: bytes) -> bytes:
        return gzip_member(data)


class _ZstdCommand(_Sink):
    """``tar.zst`` through the ``zstd`` command (``-T<threads>``: its multi-threaded output
    is the same for every thread count)."""

    def __init__(self, raw, threads: int, program: str):
        import subprocess

        super().__init__(raw)
        self.proc = subprocess.Popen([program, "-q", f"-{ZSTD_LEVEL}", f"-T{threads}", "-c"],
                                     stdin=subprocess.PIPE, stdout=raw)

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def write_file(self, path: Path, size: int) -> None:
        with path.open("rb") as src:
            for block in _blocks(src, size, path):
                self.write(block)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise OutputError(self.raw.name, f"zstd failed (exit status {self.proc.returncode})")

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _zstd_sink(raw, threads: int) -> _Sink:
    program = shutil.which("zstd")
    if program is None:
        raise InputError(None, "release.archive tar.zst needs the zstd command "
                               "(Debian: apt-get install zstd); choose tar.gz, tar or none")
    return _ZstdCommand(raw, threads, program)


# ---------------------------------------------------------------------- release digest
#: the card line that states the release digest; the manifest lists the card's digest with
#: this value replaced by :data:`ZERO_DIGEST` (the card cannot hold its own digest)
DIGEST_LINE = re.compile(r"^(\*\*Release digest\*\* \(sha256 of `release\.json`\): `)"
                         r"([0-9a-f]{64})(`)", re.MULTILINE)
ZERO_DIGEST = "0" * 64


def with_release_digest(card: str, digest: str) -> str:
    """The card with its release-digest line set to ``digest`` (added after the title)."""
    if DIGEST_LINE.search(card):
        return DIGEST_LINE.sub(lambda m: m.group(1) + digest + m.group(3), card, count=1)
    line = (f"**Release digest** (sha256 of `release.json`): `{digest}`\n\n"
            "Pin it: `genovocab.load_release(path, sha256=...)` or "
            "`genovocab release verify PATH --sha256 ...` fail on any other release.\n")
    head, sep, rest = card.partition("\n# ")
    if not sep:
        return line + "\n" + card
    title, nl, body = rest.partition("\n")
    return f"{head}{sep}{title}{nl}\n{line}{body}"


def card_digest(data: bytes) -> tuple[str, str | None]:
    """``(sha256 of the card with its digest line zeroed, the digest the card states)``."""
    text = data.decode("utf-8", errors="surrogateescape")
    match = DIGEST_LINE.search(text)
    if not match:
        return hashlib.sha256(data).hexdigest(), None
    zeroed = with_release_digest(text, ZERO_DIGEST)
    return (hashlib.sha256(zeroed.encode("utf-8", errors="surrogateescape")).hexdigest(),
            match.group(2))


def _file_entries(root: Path, digests: Mapping[str, str] | None = None
                  ) -> dict[str, dict[str, Any]]:
    """``{path: {sha256, bytes}}`` of every file but the manifest and SHA256SUMS (the card's
    digest with its digest line zeroed)."""
    out = {}
    for rel in _files(root):
        if rel in (MANIFEST, SUMS):
            continue
        digest = card_digest((root / rel).read_bytes())[0] if rel == CARD else \
            _digest_of(root, digests, rel)
        out[rel] = {"sha256": digest, "bytes": (root / rel).stat().st_size}
    return out


def release_digest(path: str | os.PathLike) -> str:
    """The release digest: sha256 of ``release.json``, which lists every file's digest, so
    any change to any file (and a consistent rewrite of the lists) changes it."""
    return sha256_file(Path(path) / MANIFEST)


def read_manifest(path: str | os.PathLike) -> dict[str, Any]:
    """``release.json`` of a release folder; :class:`InputError` naming it when unreadable."""
    file = Path(path) / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(file, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(file, f"not valid JSON: {exc.msg} (column {exc.colno})",
                         exc.lineno) from None
    if not isinstance(data, dict):
        raise InputError(file, "not a release manifest (a JSON object)")
    return data


# ---------------------------------------------------------------------- verification
def verify(path: str | os.PathLike, sha256: str | None = None) -> list[str]:
    """Problems of a release folder: files changed, missing or extra against SHA256SUMS and
    the manifest's file list, manifest digests that differ from the files, a card stating
    another release digest, and (with ``sha256``) a release digest other than the pinned
    one. An empty list means the release is intact (and, pinned, the one expected)."""
    root = Path(path)
    problems = []
    if sha256 is not None:
        pinned = sha256.strip().lower()
        if not (root / MANIFEST).is_file():
            problems.append(f"{MANIFEST}: missing, so the release digest cannot match the "
                            f"pinned {pinned}")
        else:
            found = release_digest(root)
            if found != pinned:
                problems.append(f"release digest is {found}, not the pinned {pinned} "
                                "(another or a rewritten release)")
    sums = root / SUMS
    if not sums.is_file():
        return [*problems, f"{SUMS}: missing"]
    expected: dict[str, str] = {}
    try:
        sums_text = sums.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [*problems, f"{SUMS}: not UTF-8 text"]
    for n, line in enumerate(sums_text.splitlines(), 1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{SUMS}, line {n}: not '<sha256>  <path>'")
            continue
        expected[rel] = digest
    present = set(_files(root)) - {SUMS}
    actual: dict[str, str] = {}
    for rel in sorted(set(expected) | present):
        if rel not in present:
            problems.append(f"{rel}: missing (expected sha256 {expected[rel]})")
            continue
        actual[rel] = sha256_file(root / rel)
        if rel not in expected:
            problems.append(f"{rel}: extra file not in {SUMS} (sha256 {actual[rel]})")
        elif actual[rel] != expected[rel]:
            problems.append(f"{rel}: changed (expected sha256 {expected[rel]}, "
                            f"found {actual[rel]})")
    if MANIFEST in present:
        try:
            manifest = read_manifest(root)
        except InputError as exc:
            return [*problems, f"{MANIFEST}: {exc.problem}"]
        problems += _manifest_problems(root, manifest, expected, present, actual)
    return problems


def _manifest_problems(root: Path, manifest: Mapping[str, Any], expected: Mapping[str, str],
                       present: set[str], actual: Mapping[str, str]) -> list[str]:
    problems = []
    entries = list(manifest.get("vocabularies", {}).values()) + list(
        manifest.get("corpora", {}).values())
    for e in entries:
        checks = dict(e.get("shards", {}))
        checks[e["main"]] = e["sha256"]
        for rel, digest in checks.items():
            if rel in present and expected.get(rel) not in (None, digest):
                problems.append(f"{MANIFEST}: {rel} listed with sha256 {digest}, "
                                f"{SUMS} has {expected[rel]}")
    files = manifest.get("files")
    if files is None:  # a release of an earlier version: SHA256SUMS alone lists the files
        return problems
    listed = set(files)
    # a file SHA256SUMS already reports (missing, extra, changed) is not reported twice
    for rel in sorted(listed | (present - {MANIFEST})):
        if rel not in present:
            if rel not in expected:
                problems.append(f"{rel}: missing (listed in {MANIFEST})")
            continue
        if rel not in listed:
            if rel in expected:
                problems.append(f"{rel}: extra file not in {MANIFEST}")
            continue
        want = files[rel].get("sha256") if isinstance(files[rel], Mapping) else None
        if rel == CARD:
            found, stated = card_digest((root / rel).read_bytes())
            if stated is not None and stated != release_digest(root):
                problems.append(f"{CARD}: states release digest {stated}, but {MANIFEST} "
                                f"has sha256 {release_digest(root)}")
        else:
            found = actual.get(rel) or sha256_file(root / rel)
            if rel in expected and expected[rel] != found:
                continue
        if found != want:
            problems.append(f"{rel}: changed (sha256 {found}, {MANIFEST} lists {want})")
    return problems


_verify = verify  # load_release's ``verify`` argument shadows the name


# ---------------------------------------------------------------------- unpacking
#: hard bounds on an archive before anything is written (``GENOVOCAB_UNPACK_MAX_MEMBERS``
#: and ``GENOVOCAB_UNPACK_MAX_BYTES`` change them)
MAX_MEMBERS = 100_000
MAX_BYTES = 64 << 30
#: the largest manifest or SHA256SUMS read into memory while checking an archive
MAX_INDEX_BYTES = 256 << 20
PARTIAL_TAG = ".partial-"


def _cache_root() -> Path:
    base = os.environ.get("GENOVOCAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "genovocab")
    return Path(base) / "releases"


def _limit(value: int | None, env: str, default: int) -> int:
    if value is not None:
        return int(value)
    text = os.environ.get(env, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise InputError(None, f"{env} must be a whole number, not {text!r}")
    return int(text)


def clean_partials(cache: Path) -> list[Path]:
    """Remove unpack folders (``<digest>.partial-<owner>``) whose process is gone (killed
    mid-unpack); a live unpack's folder stays. Returns what was removed."""
    removed = []
    if not cache.is_dir():
        return removed
    for entry in sorted(cache.iterdir()):
        head, sep, tag = entry.name.partition(PARTIAL_TAG)
        if not sep or len(head) != 64:
            continue
        gone = owner_is_gone(tag, entry) if not tag.isdigit() else not _pid_alive(int(tag))
        if gone:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _pid_alive(pid: int) -> bool:
    from genovocab.fileutil import pid_alive

    return pid_alive(pid)


@dataclass
class _Plan:
    """What the first pass over an archive found: its members and index files."""

    top: str = ""
    members: list[tuple[str, bool, int]] = field(default_factory=list)  # (name, is_dir, size)
    total: int = 0
    sums: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] | None = None
    seen: set[str] = field(default_factory=set)


def _read_mode(tar_path: Path) -> str:
    """``tarfile`` mode of a release archive: ``.tar`` uncompressed, else gzip."""
    return "r:" if tar_path.name.endswith(".tar") else "r:gz"


def _safe_name(tar_path: Path, member: tarfile.TarInfo) -> str:
    name = member.name
    parts = Path(name).parts
    if (name.startswith("/") or not parts or ".." in parts or "\\" in name
            or any(ord(c) < 32 for c in name)):
        raise InputError(tar_path, f"unsafe tar entry {name!r} (absolute or outside the "
                                   "release folder)")
    if not (member.isfile() or member.isdir()):
        kind = ("link" if member.issym() or member.islnk() else "device or special file")
        raise InputError(tar_path, f"unsafe tar entry {name!r}: a {kind}; a release holds "
                                   "only files and folders")
    return "/".join(parts)


def _plan(tar_path: Path, max_members: int, max_bytes: int, free_bytes: int) -> _Plan:
    """Read every member header (no file is written): bounds, names, types, one top folder,
    SHA256SUMS and the manifest."""
    plan = _Plan()
    with tarfile.open(tar_path, _read_mode(tar_path)) as tar:
        for member in tar:
            if len(plan.members) >= max_members:
                raise InputError(tar_path, f"more than {max_members:,} members; refusing to "
                                           "unpack (GENOVOCAB_UNPACK_MAX_MEMBERS raises the "
                                           "bound)")
            name = _safe_name(tar_path, member)
            top = name.split("/")[0]
            if plan.top and top != plan.top:
                raise InputError(tar_path, "a release tarball holds exactly one top folder "
                                           f"(found {plan.top!r} and {top!r})")
            plan.top = top
            size = member.size if member.isfile() else 0
            plan.total += size
            if plan.total > max_bytes:
                raise InputError(tar_path, f"unpacks to more than {max_bytes:,} bytes; "
                                           "refusing to unpack (GENOVOCAB_UNPACK_MAX_BYTES "
                                           "raises the bound)")
            if plan.total > free_bytes:
                raise OutputError(tar_path, f"unpacks to more than the {free_bytes:,} bytes "
                                            "free on the cache's disk; refusing to unpack")
            rel_name = name.partition("/")[2]
            if plan.sums and member.isfile() and rel_name not in plan.sums and rel_name != SUMS:
                # SHA256SUMS came first: an unlisted file is refused before reading it
                raise ReleaseError(tar_path, [f"{rel_name}: extra file not in {SUMS}; nothing "
                                              "unpacked"])
            if name in plan.seen:
                raise InputError(tar_path, f"tar entry {name!r} appears twice")
            plan.seen.add(name)
            plan.members.append((name, member.isdir(), size))
            rel = name.partition("/")[2]
            if member.isfile() and rel in (SUMS, MANIFEST):
                if size > MAX_INDEX_BYTES:
                    raise InputError(tar_path, f"{name}: {size:,} bytes; not a release index")
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if rel == SUMS:
                    for line in data.decode("utf-8", errors="replace").splitlines():
                        digest, sep, path = line.partition("  ")
                        if sep and len(digest) == 64:
                            plan.sums[path] = digest
                else:
                    try:
                        plan.manifest = json.loads(data.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError):
                        raise InputError(tar_path, f"{name}: not valid JSON") from None
        # to the end of the gzip stream: a cut trailer (CRC-32, length) is an error too
        while tar.fileobj is not None and tar.fileobj.read(1 << 20):
            pass
    if not plan.top:
        raise InputError(tar_path, "empty archive: no release folder")
    _check_plan(tar_path, plan)
    return plan


def _check_plan(tar_path: Path, plan: _Plan) -> None:
    """Every file must be one SHA256SUMS (and the manifest, when it lists files) names, with
    the size the manifest gives: nothing unlisted is ever written."""
    if not plan.sums:
        raise InputError(tar_path, f"no {SUMS} in the release folder; not a release")
    files = (plan.manifest or {}).get("files") if isinstance(plan.manifest, dict) else None
    for name, is_dir, size in plan.members:
        rel = name.partition("/")[2]
        if is_dir or rel in (SUMS, ""):
            continue
        if rel not in plan.sums:
            raise ReleaseError(tar_path, [f"{rel}: extra file not in {SUMS}; nothing unpacked"])
        if isinstance(files, dict) and rel != MANIFEST:
            entry = files.get(rel)
            if not isinstance(entry, dict):
                raise ReleaseError(tar_path, [f"{rel}: extra file not in {MANIFEST}; nothing "
                                              "unpacked"])
            if "bytes" in entry and int(entry["bytes"]) != size:
                raise ReleaseError(tar_path, [f"{rel}: changed ({size:,} bytes, {MANIFEST} "
                                              f"lists {int(entry['bytes']):,}); nothing "
                                              "unpacked"])


def _extract(tar_path: Path, plan: _Plan, dest: Path) -> None:
    """Write the planned members under ``dest``: folders 0755, files 0644, no owners, no
    other modes; each file's sha256 checked against SHA256SUMS as it is written."""
    expected = iter(plan.members)
    with tarfile.open(tar_path, _read_mode(tar_path)) as tar:
        for member in tar:
            name, is_dir, size = next(expected, ("", False, -1))
            if _safe_name(tar_path, member) != name or member.isdir() != is_dir or (
                    member.isfile() and member.size != size):
                raise InputError(tar_path, "the archive changed while it was unpacked")
            target = dest / name
            if is_dir:
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                os.chmod(target, 0o755)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            digest = hashlib.sha256()
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(target, flags, 0o644)
                with os.fdopen(fd, "wb") as out:
                    while handle is not None and (block := handle.read(1 << 20)):
                        digest.update(block)
                        out.write(block)
            except OSError as exc:  # a full disk's write(2) names no file
                raise with_path(exc, target) from exc
            os.chmod(target, 0o644)
            rel = name.partition("/")[2]
            want = plan.sums.get(rel)
            if want is not None and digest.hexdigest() != want:
                raise ReleaseError(tar_path, [f"{rel}: changed (expected sha256 {want}, "
                                              f"found {digest.hexdigest()})"])
    for root, dirs, _ in os.walk(dest):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)


def unpack_tarball(tar_path: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                   *, max_members: int | None = None, max_bytes: int | None = None) -> Path:
    """Unpack a release tarball once into ``cache_dir/<tarball sha256>/`` (default
    ``$GENOVOCAB_CACHE`` or ``~/.cache/genovocab``); returns the release folder inside.

    The archive is untrusted. A first pass reads only its headers and index files and refuses
    (naming the archive) more than ``max_members`` members or ``max_bytes`` bytes, more bytes
    than the disk has free, links, devices, absolute or escaping names, several top folders
    and files SHA256SUMS or the manifest do not list. The second pass writes files 0644 and
    folders 0755 (no setuid, no owners) into ``<digest>.partial-<owner>/``, checking each
    file's digest as it goes; the whole release is verified before the folder is renamed to
    its visible name. Any failure removes the partial folder; one left by a killed process
    is removed by the next call.
    """
    tar_path = Path(tar_path)
    if not tar_path.is_file():
        raise InputError(tar_path, "no such file" if not tar_path.exists() else "is not a file")
    members_cap = _limit(max_members, "GENOVOCAB_UNPACK_MAX_MEMBERS", MAX_MEMBERS)
    bytes_cap = _limit(max_bytes, "GENOVOCAB_UNPACK_MAX_BYTES", MAX_BYTES)
    digest = sha256_file(tar_path)
    cache = Path(cache_dir) if cache_dir is not None else _cache_root()
    target = cache / digest
    clean_partials(cache)
    if not target.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            plan = _plan(tar_path, members_cap, bytes_cap, shutil.disk_usage(cache).free)
        except (tarfile.TarError, EOFError, OSError, zlib_error) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise
            raise InputError(tar_path, f"truncated or corrupt archive: {exc}") from None
        tmp = cache / f"{digest}{PARTIAL_TAG}{owner_tag()}"
        tmp.mkdir()
        try:
            try:
                _extract(tar_path, plan, tmp)
            except (tarfile.TarError, EOFError, zlib_error) as exc:
                raise InputError(tar_path, f"truncated or corrupt archive: {exc}") from None
            problems = _verify(tmp / plan.top)
            if problems:
                raise ReleaseError(tar_path, problems)
            try:
                os.rename(tmp, target)
            except OSError as exc:  # another process unpacked it first
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
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
    def digest(self) -> str:
        """The release digest: sha256 of ``release.json`` (pin it with ``sha256=``)."""
        return release_digest(self.path)

    @property
    def chrom_sizes(self) -> dict[str, int]:
        """The release genome: chromosome -> length."""
        return {k: int(v) for k, v in self.manifest["genome"]["chromosomes"].items()}

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """``config`` (dict), ``sources`` and ``software`` (lists of rows), ``chrom_sizes``."""

        prov = self.path / "provenance"
        return {"config": read_yaml(prov / "config.yaml"),
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
        ``pyarrow.Table`` of its shards. A motif corpus stored by reference gives its full
        rows (token ids and cluster vectors read from ``motifs/bins/``)."""
        if name not in self.corpora:
            raise KeyError(f"no corpus {name!r} in {self.name}; have {sorted(self.corpora)}")
        folder = self.corpora[name]
        shards = sorted(str(p) for p in (folder / "data").glob(f"{split}-*.parquet"))
        if not shards:
            raise KeyError(f"corpus {name!r} has no split {split!r}")
        from genovocab.corpora.motif import MotifRows, is_reference

        try:
            import datasets
        except ImportError:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.concat_tables([pq.read_table(s) for s in shards])
            if is_reference(table.column_names) and self.motifs is not None:
                full = MotifRows(self.motifs).table(table.to_pydict())
                if "targets" in table.column_names:
                    full = full.append_column("targets", table.column("targets"))
                return full
            return table
        ds = datasets.load_dataset("parquet", data_files={split: shards}, split=split)
        if is_reference(ds.column_names) and self.motifs is not None:
            return ds.with_transform(MotifRows(self.motifs))
        return ds

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
                 f"release digest {self.digest} (sha256 of {MANIFEST})",
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
                 cache_dir: str | os.PathLike | None = None,
                 sha256: str | None = None) -> Release:
    """Open a release folder or its ``.tar.gz`` or ``.tar`` (unpacked once into a cache folder).

    With ``verify`` (default) every file is checked against ``SHA256SUMS`` and the manifest;
    a changed, missing or extra file raises :class:`ReleaseError` naming it and both digests.
    ``sha256`` pins the release digest (sha256 of ``release.json``, printed by the card,
    ``genovocab release info`` and ``verify``): any other release, including one whose files
    and lists were rewritten consistently, raises :class:`ReleaseError`.
    """
    p = Path(path)
    if p.is_file() and p.name.endswith((".tar.gz", ".tgz", ".tar")):
        p = unpack_tarball(p, cache_dir)
    elif p.is_file() and p.name.endswith(".tar.zst"):
        raise InputError(p, "a .tar.zst release is opened as its folder: unpack it first "
                            "(tar --zstd -xf) and load the folder")
    if not p.exists():
        raise InputError(p, "no such release folder or tarball")
    if not (p / MANIFEST).is_file():
        raise InputError(p, f"not a release: no {MANIFEST}")
    if verify:
        problems = _verify(p, sha256)
        if problems:
            raise ReleaseError(p, problems)
    elif sha256 is not None and release_digest(p) != sha256.strip().lower():
        raise ReleaseError(p, [f"release digest is {release_digest(p)}, not the pinned "
                               f"{sha256.strip().lower()}"])
    manifest = read_manifest(p)
    return Release(path=p, manifest=manifest)
