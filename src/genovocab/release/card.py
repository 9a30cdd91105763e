"""The release card (README.md with Hugging Face metadata), its statistics tables and the licence
file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genovocab.corpora.card import license_metadata
from genovocab.fileutil import sha256_file
from genovocab.release import CITATIONS
from genovocab.release.parts import READ_BLOCK, release_files


def file_digest(root: Path, digests: Mapping[str, str] | None, rel: str) -> str:
    """A release file's sha256: the one computed while it was packaged, else read now."""
    found = digests.get(rel) if digests is not None else None
    return found if found is not None else sha256_file(root / rel, READ_BLOCK)


def _vocab_entries(
    root: Path, digests: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Manifest entries ``{kind, path, size, main, sha256}`` of every vocabulary present."""
    out: dict[str, dict[str, Any]] = {}
    universe = root / "intervals" / "universe.bed.gz"
    if universe.is_file():
        with gzip.open(universe, "rt") as handle:
            n = sum(1 for line in handle if line.strip())
        out["intervals"] = {
            "kind": "interval universe",
            "path": "intervals",
            "size": n,
            "main": "intervals/universe.bed.gz",
        }
    seq = root / "sequence" / "tokenizer.json"
    if seq.is_file():
        vocab = json.loads(seq.read_text(encoding="utf-8"))["model"]["vocab"]
        entry = {
            "kind": "BPE + G-grams",
            "path": "sequence",
            "size": len(vocab),
            "main": "sequence/tokenizer.json",
        }
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
            out["motifs"] = {
                "kind": "motif tokens",
                "path": "motifs",
                "size": n,
                "main": f"motifs/{name}",
            }
            break
    for key, entry in out.items():
        entry["sha256"] = file_digest(root, digests, entry["main"])
        out[key] = entry
    return out


def _corpus_entries(
    root: Path, digests: Mapping[str, str] | None = None
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
        out[folder.name] = {
            "kind": "corpus",
            "path": f"corpora/{folder.name}",
            "size": rows,
            "main": rel[0],
            "sha256": file_digest(root, digests, rel[0]),
            "shards": {r: file_digest(root, digests, r) for r in rel},
        }
    return out


def read_tsv_rows(path: Path) -> list[dict[str, str]]:
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


def license_text(config: Mapping[str, Any], sources: list[dict[str, Any]]) -> str:
    """``LICENSE.md``: what a release derives from is under each source's own terms; the
    terms are those the config lists in ``release.licenses`` (name -> terms)."""
    rel = config.get("release", {})
    terms = rel.get("licenses") or {}
    rows = "".join(
        f"| {s['name']} | {s['url']} | "
        f"{terms.get(s['name'], 'not stated in the configuration: see the source')} |\n"
        for s in sorted(sources, key=lambda s: s["name"])
    )
    return (
        f"# Licence terms of {rel.get('name', '')} {rel.get('version', '')}\n\n"
        f"Release licence: `{rel.get('license', 'other')}`. The vocabularies and corpora "
        "are derived from the sources below; what is derived from a source is under that "
        "source's terms.\n\n| source | url | terms |\n|---|---|---|\n" + rows
    )


def evaluation_card_section(root: Path) -> list[str]:
    """The card's evaluation section: ``evaluation/summary.md`` (the vocabularies measured on
    held-out DNA beside baselines and a shuffled control; docs/evaluation.md)."""
    summary = root / "evaluation" / "summary.md"
    if not summary.is_file():
        return []
    return [
        "## Evaluation\n",
        "Every vocabulary measured on held-out DNA beside k-mer "
        "baselines and a dinucleotide-shuffled control (`evaluation/`: tables and "
        "`rank_frequency.png`).\n",
        summary.read_text(encoding="utf-8"),
    ]


def release_card(
    root: Path,
    manifest: Mapping[str, Any],
    config: Mapping[str, Any],
    sources: list[dict[str, Any]],
) -> str:
    """The release ``README.md``: Hugging Face YAML metadata, then what each vocabulary is,
    how it was built, statistics, plots, a "load it" snippet, sources and citations."""
    import yaml

    rel = config.get("release", {})
    licenses = rel.get("licenses") or {}
    meta = {
        "pretty_name": rel.get("pretty_name") or f"{manifest['name']} {manifest['version']}",
        **license_metadata(rel.get("license", "other")),
        "tags": list(rel.get("tags") or ["genomics", "tokenizer", "genovocab"]),
    }
    meta["configs"] = [
        {
            "config_name": name,
            "data_files": [
                {"split": s, "path": f"corpora/{name}/data/{s}-*.parquet"}
                for s in sorted({Path(p).name.split("-")[0] for p in e["shards"]})
            ],
        }
        for name, e in manifest["corpora"].items()
    ]
    head = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n\n"
    g = manifest["genome"]
    parts = [
        f"# {meta['pretty_name']}\n",
        f"Genome vocabularies of `{g['name']}` ({len(g['chromosomes'])} chromosomes, "
        f"{sum(g['chromosomes'].values()):,} bp), built by genovocab "
        f"{manifest['genovocab_version']}. Every file is listed in `SHA256SUMS`; "
        "`release.json` is the manifest; `provenance/` holds the resolved configuration, "
        "the digests of every input and the software versions.\n",
        "## Load it\n",
        '```python\nimport genovocab\n\nrelease = genovocab.load_release(".")  '
        '# verifies SHA256SUMS\nrelease.intervals("peaks.bed")       '
        '# interval tokens\nrelease.sequence("ACGTACGT")         # BPE + G-grams\n'
        "```\n",
        "## Vocabularies\n",
        "| vocabulary | kind | folder | size | main file sha256 |\n|---|---|---|---|---|\n",
    ]
    for key, e in {**manifest["vocabularies"], **manifest["corpora"]}.items():
        parts[-1] += (
            f"| {key} | {e['kind']} | `{e['path']}/` | {e['size']:,} | `{e['sha256'][:16]}...` |\n"
        )
    u = config.get("universe", {})
    if "intervals" in manifest["vocabularies"]:
        parts.append("### intervals\n")
        parts.append(
            f"A consensus universe of regulatory regions from the peak samples "
            f"(method `{u.get('method', 'cc')}`, coverage window +-"
            f"{u.get('window', 25)} bp), as in the consensus-universe work behind "
            "Atacformer. A query region becomes the ids of every universe region it "
            "overlaps. `intervals/` loads with `genovocab.IntervalTokenizer` and "
            "gtars' `Tokenizer.from_pretrained`.\n"
        )
        for fname, title in (
            ("assessment.tsv", "Assessment against the samples"),
            ("stats.tsv", "Statistics"),
        ):
            if (root / "intervals" / fname).is_file():
                parts.append(
                    f"**{title}** (`intervals/{fname}`)\n\n"
                    + _table_md(read_tsv_rows(root / "intervals" / fname))
                )
    if "sequence" in manifest["vocabularies"]:
        b = config.get("sequence", {}).get("bpe", {})
        gg = config.get("sequence", {}).get("ggram", {})
        parts.append("### sequence\n")
        parts.append(
            f"DNABERT-2-style byte-pair encoding (vocabulary {b.get('vocab_size')}) "
            f"plus PMI G-grams as in DNAZEN (Mao et al.; PMI >= {gg.get('min_pmi')}, "
            f"{gg.get('min_len')}-{gg.get('max_len')} tokens). `sequence/` loads with "
            "`transformers.AutoTokenizer`, `genovocab.SequenceTokenizer` and DNAZEN's "
            "`NgramTokenizer`.\n"
        )
        if (root / "sequence" / "stats.tsv").is_file():
            parts.append(
                "**Statistics** (`sequence/stats.tsv`)\n\n"
                + _table_md(read_tsv_rows(root / "sequence" / "stats.tsv"))
            )
    if "motifs" in manifest["vocabularies"]:
        ids = config.get("ids", {})
        parts.append("### motifs\n")
        parts.append(
            "Motif-aware bins and tokens (Davarmanesh et al.): JASPAR 2022 motif "
            "sites are smoothed into bins, motif features are clustered by their "
            "InterDependence Score (IDS; linkage "
            f"`{ids.get('linkage', 'average')}`, threshold "
            f"{ids.get('threshold')}), and every bin gets a token from a bounded "
            "vocabulary by back-off.\n"
        )
        summary = root / "motifs" / "vocab_summary.md"
        if summary.is_file():
            parts.append(summary.read_text(encoding="utf-8"))
        for fname in ("stats.tsv", "cluster_summary.tsv"):
            if (root / "motifs" / fname).is_file():
                rows = read_tsv_rows(root / "motifs" / fname)
                parts.append(f"**`motifs/{fname}`**\n\n" + _table_md(rows))
    if manifest["corpora"]:
        parts.append("### corpora\n")
        parts.append(
            'Hugging Face dataset folders (`datasets.load_dataset("corpora/<name>")`)'
            ":\n\n"
            + "".join(
                f"- `{e['path']}`: {e['size']:,} rows in {len(e['shards'])} shards\n"
                for e in manifest["corpora"].values()
            )
        )
    parts.extend(evaluation_card_section(root))
    plots = [p for p in release_files(root) if p.endswith(".png")]
    if plots:
        parts.append("## Plots\n")
        parts.append("".join(f"![{Path(p).stem}]({p})\n\n" for p in plots))
    parts.append("## Sources\n")
    rows = "| name | url | bytes | sha256 | license |\n|---|---|---|---|---|\n"
    for s in sources:
        rows += (
            f"| {s['name']} | {s['url']} | {s['bytes']:,} | `{s['sha256']}` | "
            f"{licenses.get(s['name'], '')} |\n"
        )
    parts.append(rows)
    parts.append("Citations:\n\n" + "".join(f"- {k}: {v}\n" for k, v in CITATIONS.items()))
    return head + "\n".join(parts)
