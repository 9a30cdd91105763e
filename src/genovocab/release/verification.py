"""Verification: every file of a release against its manifest and SHA256SUMS."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genovocab.errors import InputError
from genovocab.fileutil import sha256_file
from genovocab.release import CARD, MANIFEST, SUMS
from genovocab.release.digest import card_digest, read_manifest, release_digest
from genovocab.release.parts import release_files


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
            problems.append(
                f"{MANIFEST}: missing, so the release digest cannot match the pinned {pinned}"
            )
        else:
            found = release_digest(root)
            if found != pinned:
                problems.append(
                    f"release digest is {found}, not the pinned {pinned} "
                    "(another or a rewritten release)"
                )
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
    present = set(release_files(root)) - {SUMS}
    actual: dict[str, str] = {}
    for rel in sorted(set(expected) | present):
        if rel not in present:
            problems.append(f"{rel}: missing (expected sha256 {expected[rel]})")
            continue
        actual[rel] = sha256_file(root / rel)
        if rel not in expected:
            problems.append(f"{rel}: extra file not in {SUMS} (sha256 {actual[rel]})")
        elif actual[rel] != expected[rel]:
            problems.append(
                f"{rel}: changed (expected sha256 {expected[rel]}, found {actual[rel]})"
            )
    if MANIFEST in present:
        try:
            manifest = read_manifest(root)
        except InputError as exc:
            return [*problems, f"{MANIFEST}: {exc.problem}"]
        problems += _manifest_problems(root, manifest, expected, present, actual)
    return problems


def _manifest_problems(
    root: Path,
    manifest: Mapping[str, Any],
    expected: Mapping[str, str],
    present: set[str],
    actual: Mapping[str, str],
) -> list[str]:
    problems = []
    entries = list(manifest.get("vocabularies", {}).values()) + list(
        manifest.get("corpora", {}).values()
    )
    for e in entries:
        checks = dict(e.get("shards", {}))
        checks[e["main"]] = e["sha256"]
        for rel, digest in checks.items():
            if rel in present and expected.get(rel) not in (None, digest):
                problems.append(
                    f"{MANIFEST}: {rel} listed with sha256 {digest}, {SUMS} has {expected[rel]}"
                )
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
                problems.append(
                    f"{CARD}: states release digest {stated}, but {MANIFEST} "
                    f"has sha256 {release_digest(root)}"
                )
        else:
            found = actual.get(rel) or sha256_file(root / rel)
            if rel in expected and expected[rel] != found:
                continue
        if found != want:
            problems.append(f"{rel}: changed (sha256 {found}, {MANIFEST} lists {want})")
    return problems
