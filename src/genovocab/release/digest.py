"""The release digest (sha256 of release.json) and the manifest's file entries."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genovocab.errors import InputError
from genovocab.fileutil import sha256_file
from genovocab.release import CARD, MANIFEST, SUMS
from genovocab.release.card import file_digest
from genovocab.release.parts import release_files

#: the card line that states the release digest; the manifest lists the card's digest with
#: this value replaced by :data:`ZERO_DIGEST` (the card cannot hold its own digest)
DIGEST_LINE = re.compile(
    r"^(\*\*Release digest\*\* \(sha256 of `release\.json`\): `)"
    r"([0-9a-f]{64})(`)",
    re.MULTILINE,
)


ZERO_DIGEST = "0" * 64


def with_release_digest(card: str, digest: str) -> str:
    """The card with its release-digest line set to ``digest`` (added after the title)."""
    if DIGEST_LINE.search(card):
        return DIGEST_LINE.sub(lambda m: m.group(1) + digest + m.group(3), card, count=1)
    line = (
        f"**Release digest** (sha256 of `release.json`): `{digest}`\n\n"
        "Pin it: `genovocab.load_release(path, sha256=...)` or "
        "`genovocab release verify PATH --sha256 ...` fail on any other release.\n"
    )
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
    return (
        hashlib.sha256(zeroed.encode("utf-8", errors="surrogateescape")).hexdigest(),
        match.group(2),
    )


def file_entries(root: Path, digests: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """``{path: {sha256, bytes}}`` of every file but the manifest and SHA256SUMS (the card's
    digest with its digest line zeroed)."""
    out = {}
    for rel in release_files(root):
        if rel in (MANIFEST, SUMS):
            continue
        digest = (
            card_digest((root / rel).read_bytes())[0]
            if rel == CARD
            else file_digest(root, digests, rel)
        )
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
        raise InputError(
            file, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from None
    if not isinstance(data, dict):
        raise InputError(file, "not a release manifest (a JSON object)")
    return data
