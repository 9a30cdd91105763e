"""Building a release folder from the stage outputs, atomically, with its manifest and
SHA256SUMS."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genovocab._version import __version__
from genovocab.errors import InputError
from genovocab.fileutil import sha256_file, staged_folder, write_text_atomic
from genovocab.io.chromsizes import chrom_sizes_from_text
from genovocab.release import CARD, LICENSE_FILE, MANIFEST, SUMS, TOP_LEVEL
from genovocab.release.card import (
    _corpus_entries,
    _vocab_entries,
    file_digest,
    license_text,
    release_card,
)
from genovocab.release.digest import ZERO_DIGEST, file_entries, with_release_digest
from genovocab.release.parts import (
    _hash_and_check,
    _map_threads,
    _part_files,
    place_file,
    release_files,
    software_versions,
    source_date_epoch,
)


def build_release(
    out_dir: str | os.PathLike,
    *,
    parts: Mapping[str, str | os.PathLike],
    config: Mapping[str, Any],
    chrom_sizes: str | os.PathLike,
    sources: list[dict[str, Any]],
    software: list[tuple[str, str]] | None = None,
    threads: int = 1,
    link: bool = True,
) -> Path:
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
    with staged_folder(out, _check_release_target, writer="build of this release") as tmp:
        files = _part_files(parts)
        hashed = _map_threads(
            _hash_and_check, [(src, rec) for _, src, rec in files], max(1, int(threads))
        )
        digests: dict[str, str] = {}
        for (rel, src, _), digest in zip(files, hashed):
            place_file(src, tmp / rel, link)
            digests[rel] = digest
        prov = tmp / "provenance"
        prov.mkdir(parents=True, exist_ok=True)
        _write_new(prov / "config.yaml", yaml.safe_dump(plain(config), sort_keys=True))
        _write_new(prov / "chrom.sizes", Path(chrom_sizes).read_text(encoding="utf-8"))
        sources = sorted(sources, key=lambda s: s["name"])
        _write_new(
            prov / "sources.tsv",
            "name\turl\tsha256\tbytes\n"
            + "".join(f"{s['name']}\t{s['url']}\t{s['sha256']}\t{s['bytes']}\n" for s in sources),
        )
        _write_new(
            prov / "software.tsv",
            "package\tversion\n"
            + "".join(f"{n}\t{v}\n" for n, v in (software or software_versions())),
        )
        rel = config["release"]
        sizes_text = (prov / "chrom.sizes").read_text(encoding="utf-8")
        manifest = {
            "name": rel["name"],
            "version": str(rel["version"]),
            "genovocab_version": __version__,
            "build_time": source_date_epoch(),
            "genome": {
                "name": config.get("genome", ""),
                "chromosomes": chrom_sizes_from_text(sizes_text),
                "chrom_sizes_sha256": sha256_file(prov / "chrom.sizes"),
            },
            "vocabularies": _vocab_entries(tmp, digests),
            "corpora": _corpus_entries(tmp, digests),
        }
        licence = license_text(config, sources)
        for folder in [tmp, *sorted(p for p in (tmp / "corpora").glob("*") if p.is_dir())]:
            _write_new(folder / LICENSE_FILE, licence)
            digests.pop((folder / LICENSE_FILE).relative_to(tmp).as_posix(), None)
        card = with_release_digest(release_card(tmp, manifest, config, sources), ZERO_DIGEST)
        _write_new(tmp / CARD, card)
        manifest["files"] = file_entries(tmp, digests)
        write_text_atomic(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _write_new(tmp / CARD, with_release_digest(card, sha256_file(tmp / MANIFEST)))
        write_sums(tmp, digests)
    return out


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file at ``path``: a packaged file of that name is unlinked
    first, so the write can never reach a work-folder file through a hard link."""
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def _check_release_target(path: Path) -> None:
    """Refuse to replace ``path`` unless it is missing or :func:`_is_release_folder`: checked
    before the build and again just before its folder is renamed into place."""
    if path.exists() and not _is_release_folder(path):
        raise InputError(path, "exists and is not a genovocab release folder; not replacing it")


def _is_release_folder(path: Path) -> bool:
    """True for an empty folder or one an earlier :func:`build_release` wrote (only the
    release's top-level entries, with ``provenance/config.yaml``)."""
    if not path.is_dir():
        return False
    names = {p.name for p in path.iterdir()}
    return not names or (
        (path / "provenance" / "config.yaml").is_file() and names <= set(TOP_LEVEL)
    )


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
    lines = [
        f"{file_digest(root, digests, rel)}  {rel}\n" for rel in release_files(root) if rel != SUMS
    ]
    (root / SUMS).write_text("".join(lines), encoding="utf-8")
    return root / SUMS
