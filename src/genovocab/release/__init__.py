"""Releases: one versioned, verifiable folder (and tarball) holding every vocabulary of a run.

A release ``<name>-<version>/`` holds ``README.md`` (release card with Hugging Face metadata),
``release.json`` (manifest), ``SHA256SUMS`` (every other file, ``sha256sum -c`` format),
``provenance/`` (resolved config, sources, software, chrom.sizes), ``intervals/`` (universe +
tokenizer configs, gtars-loadable), ``sequence/`` (BPE + G-grams in one folder), ``motifs/``
and ``corpora/<name>/`` (Hugging Face dataset folders). :func:`build_release` writes it from
the stage outputs, :func:`write_tarball` packs it deterministically, :func:`load_release`
verifies and opens it (folder or ``.tar.gz``), returning a :class:`Release`.

The modules, one subject each:

- :mod:`.parts`: what goes into a release: source records, software versions, and the checked
  copy of a stage output (every file validated before it enters).
- :mod:`.tokenizer`: the release's interval tokenizer folder and the tokenizer class that loads
  it with the release's chromosome sizes.
- :mod:`.card`: the release card (README.md with Hugging Face metadata), its statistics tables
  and the licence file.
- :mod:`.build`: building a release folder from the stage outputs, atomically, with its manifest
  and SHA256SUMS.
- :mod:`.archive`: the release archive: deterministic packing, and safe, bounded unpacking into a
  cache.
- :mod:`.digest`: the release digest (sha256 of release.json) and the manifest's file entries.
- :mod:`.verification`: every file of a release against its manifest and SHA256SUMS.
- :mod:`.load`: opening a release (folder or archive), verified: :class:`Release` and
  :func:`load_release`.

The public names are importable from the package itself
(``from genovocab.release import load_release``); each module is imported on first use."""

from __future__ import annotations

import os

from genovocab.errors import GenovocabError
from genovocab.lazy import lazy_exports

MANIFEST = "release.json"
SUMS = "SHA256SUMS"


CARD = "README.md"


TOP_LEVEL = (
    CARD,
    MANIFEST,
    SUMS,
    "LICENSE.md",
    "provenance",
    "intervals",
    "sequence",
    "motifs",
    "corpora",
    "evaluation",
)


#: build time when SOURCE_DATE_EPOCH is unset: a fixed instant, never the wall clock
DEFAULT_EPOCH = 0


#: packages whose versions go into provenance/software.tsv when installed
SOFTWARE = (
    "genovocab",
    "numpy",
    "pandas",
    "scipy",
    "pyarrow",
    "pyfaidx",
    "tokenizers",
    "scikit-learn",
    "MOODS-python",
    "pyBigWig",
    "hmmlearn",
    "numba",
    "matplotlib",
    "PyYAML",
    "jsonschema",
    "tqdm",
    "snakemake",
    "torch",
)


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


#: public name -> the module of this package that defines it
_LAZY = {
    "ARCHIVES": "archive",
    "DIGEST_LINE": "digest",
    "GZIP_LEVEL": "archive",
    "GZIP_PIECE": "archive",
    "GenomeCheck": "load",
    "LINK_MIN_BYTES": "parts",
    "MAX_BYTES": "archive",
    "MAX_INDEX_BYTES": "archive",
    "MAX_MEMBERS": "archive",
    "OUTPUT_MARKER": "parts",
    "PARTIAL_TAG": "archive",
    "Release": "load",
    "ReleaseIntervalTokenizer": "tokenizer",
    "SNAKEMAKE_MARKER": "parts",
    "ZERO_DIGEST": "digest",
    "ZSTD_LEVEL": "archive",
    "archive_path": "archive",
    "build_release": "build",
    "card_digest": "digest",
    "check_part": "parts",
    "clean_partials": "archive",
    "evaluation_card_section": "card",
    "gzip_member": "archive",
    "license_text": "card",
    "load_release": "load",
    "place_file": "parts",
    "plain": "build",
    "read_manifest": "digest",
    "release_card": "card",
    "release_digest": "digest",
    "software_versions": "parts",
    "source_date_epoch": "parts",
    "source_record": "parts",
    "unpack_tarball": "archive",
    "verify": "verification",
    "with_release_digest": "digest",
    "write_archive": "archive",
    "write_interval_tokenizer": "tokenizer",
    "write_sums": "build",
    "write_tarball": "archive",
}

__all__ = [
    "ARCHIVES",
    "DIGEST_LINE",
    "GZIP_LEVEL",
    "GZIP_PIECE",
    "GenomeCheck",
    "LINK_MIN_BYTES",
    "MAX_BYTES",
    "MAX_INDEX_BYTES",
    "MAX_MEMBERS",
    "OUTPUT_MARKER",
    "PARTIAL_TAG",
    "Release",
    "ReleaseIntervalTokenizer",
    "SNAKEMAKE_MARKER",
    "ZERO_DIGEST",
    "ZSTD_LEVEL",
    "archive_path",
    "build_release",
    "card_digest",
    "check_part",
    "clean_partials",
    "evaluation_card_section",
    "gzip_member",
    "license_text",
    "load_release",
    "place_file",
    "plain",
    "read_manifest",
    "release_card",
    "release_digest",
    "software_versions",
    "source_date_epoch",
    "source_record",
    "unpack_tarball",
    "verify",
    "with_release_digest",
    "write_archive",
    "write_interval_tokenizer",
    "write_sums",
    "write_tarball",
]


__getattr__, __dir__ = lazy_exports(
    __name__, {name: f"{__name__}.{module}" for name, module in _LAZY.items()}
)
