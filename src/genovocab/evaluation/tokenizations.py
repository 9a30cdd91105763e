"""The tokenizations the evaluation compares, behind one small interface.

Each turns a :class:`~genovocab.evaluation.pieces.Block` of gap-free pieces into

* ``ids``: the token ids in order (int64), for the counts;
* ``boundaries``: sorted genome positions between tokens, piece ends included (``None`` when
  tokens overlap, as overlapping k-mers do), for motif integrity.

They are the release's own tokenizers (BPE, BPE + G-grams, motif tokens) and the baselines
built in the run (k-mers; extra BPE sizes are plain :class:`Bpe` of another tokenizer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genovocab.evaluation.kmers import encode_bases, kmer_codes
from genovocab.evaluation.pieces import Block

__all__ = ["Bpe", "BpeGgrams", "Encoded", "Kmers", "MotifDna", "MotifGenome", "Tokenization"]


@dataclass
class Encoded:
    ids: np.ndarray
    boundaries: np.ndarray | None
    bp: int | None = None  # bases tokenized when not the whole block (a capped control)


def _with_piece_edges(ends: np.ndarray, block: Block) -> np.ndarray:
    return np.unique(np.concatenate([ends.astype(np.int64), block.starts, block.ends]))


class Tokenization:
    """A named tokenization: vocabulary size, special ids (not counted as vocabulary), the
    ``<unk>`` id (None: it has none) and :meth:`encode`."""

    name: str = ""
    kind: str = ""
    vocab_size: int = 0
    special_ids: tuple[int, ...] = ()
    unk_id: int | None = None

    def encode(self, block: Block) -> Encoded:
        raise NotImplementedError


class Bpe(Tokenization):
    """A Hugging Face BPE ``tokenizers.Tokenizer`` (the release's, or one trained here)."""

    kind = "bpe"

    def __init__(self, tokenizer, name: str):
        from genovocab.sequence import bpe as _bpe

        self.tokenizer, self.name = tokenizer, name
        self.vocab_size = int(tokenizer.get_vocab_size())
        vocab = tokenizer.get_vocab()
        self.special_ids = tuple(sorted(vocab[t] for t in _bpe.SPECIAL_TOKENS if t in vocab))
        self.unk_id = vocab.get("[UNK]")
        self.lengths = np.zeros(self.vocab_size, dtype=np.int64)
        for token, i in vocab.items():
            if i not in self.special_ids:
                self.lengths[i] = len(token)
        self._last: tuple[list[str], tuple[np.ndarray, np.ndarray]] | None = None

    def ids_offsets(self, block: Block) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of every piece (flat) and per-piece offsets; the last block's are kept so
        BPE + G-grams reuses them."""
        if self._last is not None and self._last[0] is block.seqs:  # held: no id reuse
            return self._last[1]
        from genovocab.sequence.bpe import encode_ids

        ids, offsets = encode_ids(self.tokenizer, block.seqs)
        out = (ids.astype(np.int64), offsets)
        self._last = (block.seqs, out)
        return out

    def token_ends(
        self, block: Block, ids: np.ndarray, offsets: np.ndarray, lengths: np.ndarray
    ) -> np.ndarray:
        """Genome end of every token from its length in bp."""
        piece = np.repeat(np.arange(len(block.seqs)), np.diff(offsets))
        cum = np.cumsum(lengths)
        before = np.concatenate([[0], cum])[offsets[:-1]]
        return block.starts[piece] + cum - before[piece]

    def encode(self, block: Block) -> Encoded:
        ids, offsets = self.ids_offsets(block)
        ends = self.token_ends(block, ids, offsets, self.lengths[ids])
        return Encoded(ids, _with_piece_edges(ends, block))


class BpeGgrams(Tokenization):
    """BPE with every matched G-gram as one token: vocabulary G-grams are matched as the
    tokenizer does (:class:`~genovocab.tokenizers.sequence.GgramMatcher`), then taken left to
    right, longest first at each position, without overlap; the BPE pieces they cover become
    one token (id ``V + g - 1`` for G-gram ``g`` of a ``V``-token BPE)."""

    kind = "bpe+ggram"

    def __init__(self, bpe: Bpe, ggrams, name: str):
        from genovocab.tokenizers.sequence import GgramMatcher

        self.bpe, self.name = bpe, name
        self.matcher = GgramMatcher(ggrams, bpe.vocab_size)
        self.n_ggrams = len(ggrams)
        self.vocab_size = bpe.vocab_size + self.n_ggrams
        self.special_ids, self.unk_id = bpe.special_ids, bpe.unk_id
        self.last_matches = None

    @staticmethod
    def greedy(position: np.ndarray, length: np.ndarray) -> np.ndarray:
        """Indices of the matches kept: sorted by position then longest first, a match is
        kept when it starts at or after the end of the last kept one (flat positions)."""
        order = np.lexsort((-length, position))
        keep, cursor = [], -1
        for i, p, n in zip(order.tolist(), position[order].tolist(), length[order].tolist()):
            if p >= cursor:
                keep.append(i)
                cursor = p + n
        return np.asarray(keep, dtype=np.int64)

    def encode(self, block: Block) -> Encoded:
        ids, offsets = self.bpe.ids_offsets(block)
        m = self.matcher.match_stream(ids, offsets)
        self.last_matches = (m, ids.size)
        flat = offsets[m.seq] + m.position
        kept = self.greedy(flat, m.length)
        start, length = flat[kept], m.length[kept]
        covered = np.zeros(ids.size + 1, dtype=np.int64)
        np.add.at(covered, start, 1)
        np.add.at(covered, start + length, -1)
        inside = np.cumsum(covered[:-1]) > 0
        head = ~inside
        head[start] = True
        new_ids = ids.copy()
        new_ids[start] = self.bpe.vocab_size + m.ngram_id[kept] - 1
        lengths = self.bpe.lengths[ids]
        ends = self.bpe.token_ends(block, ids, offsets, lengths)
        # a token ends where the next BPE piece starts a token, or at its piece's end
        last_of_piece = np.zeros(ids.size, dtype=bool)
        last_of_piece[offsets[1:][np.diff(offsets) > 0] - 1] = True
        is_end = np.concatenate([head[1:], [True]]) | last_of_piece
        return Encoded(new_ids[head], _with_piece_edges(ends[is_end], block))


class Kmers(Tokenization):
    """k-mers (base-4 codes), overlapping or not (:mod:`genovocab.evaluation.kmers`)."""

    kind = "k-mer"

    def __init__(self, k: int, overlapping: bool):
        self.k, self.overlapping = int(k), bool(overlapping)
        self.name = f"{k}-mers ({'overlapping' if overlapping else 'non-overlapping'})"
        self.vocab_size = 4**self.k

    def encode(self, block: Block) -> Encoded:
        parts, bounds = [], []
        for seq, s in zip(block.seqs, block.starts.tolist()):
            parts.append(kmer_codes(encode_bases(seq), self.k, self.overlapping))
            if not self.overlapping:
                bounds.append(s + self.k * np.arange(1, len(seq) // self.k + 1))
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if self.overlapping:
            return Encoded(ids, None)
        ends = np.concatenate(bounds) if bounds else np.zeros(0, dtype=np.int64)
        return Encoded(ids, _with_piece_edges(ends, block))


class MotifGenome(Tokenization):
    """The release's motif tokens of the genome (stored bins): the bins that start inside a
    piece, their token ids; boundaries are the bin edges."""

    kind = "motif"

    def __init__(self, bins, vocab_size: int, name: str = "motif tokens"):
        """``bins(chrom)`` -> (bin edges, token id per bin), e.g. memory-mapped arrays of a
        motif tokenizer folder (:meth:`from_tokenizer`)."""
        from genovocab.motifs.vocabulary import SPECIAL_TOKENS

        self.bins, self.name = bins, name
        self.vocab_size = int(vocab_size)
        self.special_ids = tuple(i for i, t in enumerate(SPECIAL_TOKENS) if t != "<unk>")
        self.unk_id = SPECIAL_TOKENS.index("<unk>")

    @classmethod
    def from_tokenizer(cls, tokenizer, name: str = "motif tokens") -> MotifGenome:
        """The stored bins of a :class:`~genovocab.tokenizers.motif.MotifTokenizer`."""

        def bins(chrom: str):
            a = tokenizer.genome.arrays(chrom)
            return a.edges, a.ids

        return cls(bins, tokenizer.vocab_size, name)

    def encode(self, block: Block) -> Encoded:
        edges, bin_ids = self.bins(block.chrom)
        lo, hi = int(block.starts[0]), int(block.ends[-1])
        i0 = max(0, int(np.searchsorted(edges, lo, side="right")) - 1)
        i1 = int(np.searchsorted(edges, hi, side="left"))
        e = np.asarray(edges[i0 : i1 + 1], dtype=np.int64)
        starts = e[:-1]
        j = np.searchsorted(block.starts, starts, side="right") - 1
        inside = (j >= 0) & (starts < block.ends[np.maximum(j, 0)])
        ids = np.asarray(bin_ids[i0:i1], dtype=np.int64)[inside]
        return Encoded(ids, _with_piece_edges(e[(e > lo) & (e < hi)], block))


class MotifDna(Tokenization):
    """Motif tokens of any DNA (scan, bin, cluster, back off): the control's motif tokens.
    ``encoder`` is a :class:`~genovocab.tokenizers.motif.DnaEncoder`."""

    kind = "motif"

    def __init__(
        self, encoder, vocab_size: int, name: str = "motif tokens", max_bp: int | None = None
    ):
        """``max_bp``: tokenize only the first blocks up to this many bases (scanning is the
        costly step: tens of CPU-s per Mbp with the 841 JASPAR matrices)."""
        from genovocab.motifs.vocabulary import SPECIAL_TOKENS

        self.encoder, self.name, self.vocab_size = encoder, name, int(vocab_size)
        self.special_ids = tuple(i for i, t in enumerate(SPECIAL_TOKENS) if t != "<unk>")
        self.unk_id = SPECIAL_TOKENS.index("<unk>")
        self.max_bp, self.done_bp = max_bp, 0

    def encode(self, block: Block) -> Encoded:
        if self.max_bp is not None and self.done_bp >= self.max_bp:
            return Encoded(np.zeros(0, dtype=np.int64), None, bp=0)
        self.done_bp += block.bp
        ids, ends = [], []
        for seq, s in zip(block.seqs, block.starts.tolist()):
            bins = self.encoder.encode(seq, offset=s)
            ids.append(np.asarray(bins.ids, dtype=np.int64))
            ends.append(np.asarray(bins.ends, dtype=np.int64))
        flat = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return Encoded(flat, _with_piece_edges(np.concatenate(ends) if ends else flat, block))
