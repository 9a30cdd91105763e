"""Opening a release (folder or archive), verified: :class:`Release` and :func:`load_release`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from genovocab.errors import InputError
from genovocab.fileutil import read_yaml
from genovocab.io.chromsizes import chrom_sizes_from_text
from genovocab.release import MANIFEST, ReleaseError
from genovocab.release.archive import unpack_tarball
from genovocab.release.card import read_tsv_rows
from genovocab.release.digest import read_manifest, release_digest
from genovocab.release.tokenizer import ReleaseIntervalTokenizer
from genovocab.release.verification import verify as verify_release
from genovocab.tokenizers.interval import IntervalTokenizer


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
            out.append(
                "other lengths: "
                + ", ".join(
                    f"{c} (release {a}, file {b})"
                    for c, a, b in ((c, *v) for c, v in self.mismatched.items())
                )
            )
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
        return {
            "config": read_yaml(prov / "config.yaml"),
            "sources": read_tsv_rows(prov / "sources.tsv"),
            "software": read_tsv_rows(prov / "software.tsv"),
            "chrom_sizes": chrom_sizes_from_text(
                (prov / "chrom.sizes").read_text(encoding="utf-8")
            ),
        }

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
            chrom_sizes = chrom_sizes_from_text(Path(chrom_sizes).read_text(encoding="utf-8"))
        mine = self.chrom_sizes
        return GenomeCheck(
            missing=[c for c in mine if c not in chrom_sizes],
            extra=[c for c in chrom_sizes if c not in mine],
            mismatched={
                c: (mine[c], int(chrom_sizes[c]))
                for c in mine
                if c in chrom_sizes and int(chrom_sizes[c]) != mine[c]
            },
        )

    def info(self) -> str:
        """A human-readable summary: vocabularies, sizes, genome, sources, software."""
        m = self.manifest
        g = m["genome"]
        lines = [
            f"release {self.name} (genovocab {m['genovocab_version']}, "
            f"build time {m['build_time']})",
            f"path {self.path}",
            f"release digest {self.digest} (sha256 of {MANIFEST})",
            f"genome {g['name']}: {len(g['chromosomes'])} chromosomes, "
            f"{sum(g['chromosomes'].values()):,} bp (chrom.sizes sha256 "
            f"{g['chrom_sizes_sha256']})",
            "vocabularies:",
        ]
        for key, e in {**m["vocabularies"], **m["corpora"]}.items():
            extra = f", {e['ngrams']} G-grams" if "ngrams" in e else ""
            unit = "rows" if e["kind"] == "corpus" else "tokens"
            lines.append(
                f"  {key:<16} {e['kind']:<18} {e['size']:>10,} {unit}{extra}  {e['path']}/"
            )
        lines.append("sources:")
        for s in self.provenance["sources"]:
            lines.append(f"  {s['name']:<16} {int(s['bytes']):>12,} B  {s['sha256']}  {s['url']}")
        lines.append(
            "software: "
            + ", ".join(f"{r['package']} {r['version']}" for r in self.provenance["software"])
        )
        return "\n".join(lines)


def load_release(
    path: str | os.PathLike,
    verify: bool = True,
    cache_dir: str | os.PathLike | None = None,
    sha256: str | None = None,
) -> Release:
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
        raise InputError(
            p,
            "a .tar.zst release is opened as its folder: unpack it first "
            "(tar --zstd -xf) and load the folder",
        )
    if not p.exists():
        raise InputError(p, "no such release folder or tarball")
    if not (p / MANIFEST).is_file():
        raise InputError(p, f"not a release: no {MANIFEST}")
    if verify:
        problems = verify_release(p, sha256)
        if problems:
            raise ReleaseError(p, problems)
    elif sha256 is not None and release_digest(p) != sha256.strip().lower():
        raise ReleaseError(
            p, [f"release digest is {release_digest(p)}, not the pinned {sha256.strip().lower()}"]
        )
    manifest = read_manifest(p)
    return Release(path=p, manifest=manifest)
