"""One pass over held-out (and training) DNA measuring every tokenization side by side.

For each split (``held_out``: what the vocabularies were not built from; ``train``: a stretch
they were, so over-fitting shows as a gap between the two) the DNA is read block by block
(:mod:`~genovocab.evaluation.pieces`). Each block is tokenized by every tokenization and, on the
held-out split, also after a dinucleotide-preserving shuffle
(:mod:`~genovocab.evaluation.shuffle`, seeded per chromosome and block, so the control does not
depend on the order of work). Counts (:mod:`~genovocab.evaluation.sequence`), motif integrity
(:mod:`~genovocab.evaluation.integrity`, real DNA only: a shuffled sequence has no sites of its
own to keep) and the G-gram coverage (:mod:`~genovocab.evaluation.ggrams`) are added per block;
nothing grows with the amount of DNA but the per-cluster and per-id counters.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genovocab.evaluation.ggrams import GgramTally
from genovocab.evaluation.integrity import IntegrityTally, sites_inside
from genovocab.evaluation.pieces import Block, Region, iter_blocks
from genovocab.evaluation.sequence import TokenTally
from genovocab.evaluation.shuffle import dinucleotide_shuffle
from genovocab.evaluation.tokenizations import BpeGgrams, Tokenization
from genovocab.evaluation.zipf import PAPER_BAND

__all__ = ["Entry", "SequenceEvaluation", "SiteCursor", "shuffled_block"]

log = logging.getLogger(__name__)


@dataclass
class Entry:
    """A tokenization and the one that tokenizes the shuffled control (usually itself)."""

    real: Tokenization
    control: Tokenization | None = None

    @property
    def name(self) -> str:
        return self.real.name


class SiteCursor:
    """Motif sites of one chromosome in start order, handed out for increasing ranges.

    ``chunks`` yields ``(start, end, feature)`` arrays sorted by start (e.g. a site file read
    with :func:`~genovocab.motifs.sites.iter_site_file`); only the chunk being used is held.
    """

    def __init__(self, chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]):
        self.chunks: Iterator = iter(chunks)
        z = np.zeros(0, dtype=np.int64)
        self.buf = (z, z, z)
        self.done = False

    def take(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sites starting in ``[lo, hi)``; earlier ones are dropped."""
        while not self.done and (self.buf[0].size == 0 or self.buf[0][-1] < hi):
            try:
                s, e, f = next(self.chunks)
            except StopIteration:
                self.done = True
                break
            self.buf = tuple(
                np.concatenate([a, np.asarray(b, dtype=np.int64)])
                for a, b in zip(self.buf, (s, e, f))
            )
        start = self.buf[0]
        a = int(np.searchsorted(start, lo, side="left"))
        b = int(np.searchsorted(start, hi, side="left"))
        out = tuple(x[a:b] for x in self.buf)
        self.buf = tuple(x[b:] for x in self.buf)
        return out


def site_file_chunks(path) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(start, end, feature)`` chunks of a site file (sorted by start)."""
    from genovocab.motifs.sites import iter_site_file

    for s in iter_site_file(path, scores=False):
        start = np.asarray(s.start, dtype=np.int64)
        yield (
            start,
            start + np.asarray(s.length, dtype=np.int64),
            np.asarray(s.feature, dtype=np.int64),
        )


def shuffled_block(block: Block, seed: int) -> Block:
    """The block with every piece dinucleotide-shuffled; the generator is seeded by ``seed``,
    the chromosome name and the block number only."""
    key = [int(seed), zlib.crc32(block.chrom.encode()), int(block.index)]
    rng = np.random.default_rng(key)
    return Block(
        block.chrom,
        block.index,
        block.starts,
        block.ends,
        [dinucleotide_shuffle(s, rng) for s in block.seqs],
    )


def _bp(encoded, block: Block) -> int:
    return block.bp if encoded.bp is None else int(encoded.bp)


@dataclass
class SequenceEvaluation:
    """Set up with the DNA and the tokenizations, then :meth:`run`.

    ``sites``: chromosome -> cursor factory (``() -> SiteCursor``) for motif integrity;
    ``labels``: cluster of each site feature; ``cluster_names``: per cluster, its motifs.
    """

    fasta: object
    chrom_sizes: Mapping[str, int]
    entries: Sequence[Entry]
    held_out: Sequence[Region]
    train: Sequence[Region] = ()
    window: int = 10_000
    max_bp: int | None = None
    train_max_bp: int | None = None
    seed: int = 0
    band: tuple[int, int] = PAPER_BAND
    sites: Mapping[str, Callable[[], SiteCursor]] = field(default_factory=dict)
    labels: np.ndarray | None = None
    cluster_names: list[str] = field(default_factory=list)
    progress: Callable[[str], None] | None = None

    def _tallies(self, control: bool) -> dict[str, TokenTally]:
        out = {}
        for e in self.entries:
            tok = e.control if control else e.real
            if tok is not None:
                out[e.name] = TokenTally(tok.vocab_size, tok.special_ids, tok.unk_id)
        return out

    def run(self) -> dict:
        n_clusters = (
            int(self.labels.max()) + 1 if self.labels is not None and self.labels.size else 1
        )
        tallies = {
            ("held_out", "real"): self._tallies(False),
            ("held_out", "shuffled"): self._tallies(True),
            ("train", "real"): self._tallies(False),
        }
        integrity = {
            (split, e.name): IntegrityTally(n_clusters)
            for split in ("held_out", "train")
            for e in self.entries
        }
        ggrams = {split: GgramTally() for split in ("held_out", "train")}
        has_sites = {split: False for split in ("held_out", "train")}
        for split, regions, limit in (
            ("held_out", self.held_out, self.max_bp),
            ("train", self.train, self.train_max_bp),
        ):
            for region in regions:
                cursor = self.sites[region.chrom]() if region.chrom in self.sites else None
                for block in iter_blocks(
                    self.fasta, [region], self.chrom_sizes, window=self.window, max_bp=limit
                ):
                    self._block(split, block, tallies, integrity, ggrams, cursor, has_sites)
                    if self.progress:
                        self.progress(f"{split} {block.chrom}:{block.starts[0]}-{block.ends[-1]}")
        return self._tables(tallies, integrity, ggrams, has_sites)

    def _block(self, split, block, tallies, integrity, ggrams, cursor, has_sites) -> None:
        site_start = site_end = site_cluster = None
        if cursor is not None:
            s, e, f = cursor.take(int(block.starts[0]), int(block.ends[-1]))
            keep = sites_inside(s, e, block.starts, block.ends)
            site_start, site_end = s[keep], e[keep]
            labels = self.labels if self.labels is not None else np.zeros(1, np.int64)
            f = f[keep]
            if f.size and f.max() >= labels.size:
                raise ValueError(
                    f"site feature {int(f.max())} has no cluster ({labels.size} features)"
                )
            site_cluster = labels[f] if f.size else f
            has_sites[split] = True
        for e in self.entries:
            enc = e.real.encode(block)
            tallies[(split, "real")][e.name].add(enc.ids, _bp(enc, block))
            if enc.boundaries is not None and site_start is not None:
                integrity[(split, e.name)].add(site_start, site_end, site_cluster, enc.boundaries)
            if (
                isinstance(e.real, BpeGgrams)
                and e.real.last_matches is not None
                and e is self._first_ggram()
            ):
                m, n_tokens = e.real.last_matches
                _, offsets = e.real.bpe.ids_offsets(block)
                ggrams[split].add(offsets[m.seq] + m.position, m.length, n_tokens)
        if split == "held_out":
            shuffled = shuffled_block(block, self.seed)
            for e in self.entries:
                if e.control is not None:
                    enc = e.control.encode(shuffled)
                    tallies[(split, "shuffled")][e.name].add(enc.ids, _bp(enc, block))

    def _first_ggram(self):
        return next((e for e in self.entries if isinstance(e.real, BpeGgrams)), None)

    def _tables(self, tallies, integrity, ggrams, has_sites) -> dict:
        rows = []
        counts = {}
        for (split, dna), by_name in tallies.items():
            for e in self.entries:
                if e.name not in by_name or by_name[e.name].bp == 0:
                    continue
                t = by_name[e.name]
                row = {
                    "tokenization": e.name,
                    "kind": e.real.kind,
                    "split": split,
                    "dna": dna,
                    **t.measures(self.band),
                }
                it = integrity[(split, e.name)]
                row["sites"] = it.n_sites if dna == "real" and it.n_sites else None
                row["motif_integrity"] = (
                    it.integrity
                    if (dna == "real" and has_sites[split] and it.n_sites)
                    else float("nan")
                )
                rows.append(row)
                if split == "held_out":
                    counts[(e.name, dna)] = t.word_counts()
        per_cluster = []
        for e in self.entries:
            it = integrity[("held_out", e.name)]
            if it.n_sites:
                per_cluster.append(it.per_cluster(self.cluster_names).assign(tokenization=e.name))
        clusters = (
            pd.concat(per_cluster, ignore_index=True)
            if per_cluster
            else pd.DataFrame(
                columns=["tokenization", "cluster", "motifs", "sites", "whole", "cut", "integrity"]
            )
        )
        clusters = clusters[
            ["tokenization", "cluster", "motifs", "sites", "whole", "cut", "integrity"]
        ]
        gg = [{"split": s, **t.measures()} for s, t in ggrams.items() if t.tokens]
        return {
            "measures": pd.DataFrame(rows),
            "integrity_clusters": clusters,
            "ggrams": pd.DataFrame(gg),
            "counts": counts,
        }
