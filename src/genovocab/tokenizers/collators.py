"""Data collators for pre-training on our tokenizers' outputs and corpora.

:class:`NgramMaskingCollator` is DNAZEN's pre-training masking (Mao et al.), batched: BERT's
80/10/10 rule (of the positions chosen with ``mlm_probability``, 80% become ``[MASK]``, 10% a
random token, 10% stay) plus *whole-G-gram masking*: a chosen position masks every G-gram row
covering it, each masked row is dropped (id, mask and matrix row zeroed) and the
remaining rows move to the front. ``labels`` hold the original id at masked positions and -100
elsewhere. Features may be tokenizer outputs or corpus rows (``input_ids`` without specials):
the tokenizer's :meth:`pad` lays both out.

One difference from DNAZEN's ``masking``, on purpose: DNAZEN makes one pass over the rows, so
when a later row's expansion masks a position of an earlier, overlapping row, that earlier
G-gram stays partly masked and is kept. We repeat the pass until nothing changes, so every
G-gram touched by a masked position is masked whole and dropped.

:class:`MotifCollator` batches motif corpus rows (either layout) into dense cluster vectors and
per-bin targets for a model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genovocab.errors import GenovocabError
from genovocab.tokenizers.base import BatchEncoding


class NgramMaskingCollator:
    """Pad a list of features and mask them for DNAZEN-style MLM (module doc)."""

    def __init__(
        self,
        tokenizer: Any,
        mlm_probability: float = 0.15,
        mask_replace_prob: float = 0.8,
        random_replace_prob: float = 0.1,
        whole_ngram_masking: bool = True,
        seed: int | None = None,
        return_tensors: str = "pt",
        pad_to_multiple_of: int | None = None,
        padding: bool | str = True,
        max_length: int | None = None,
    ) -> None:
        if not 0 <= mlm_probability <= 1:
            raise ValueError("mlm_probability must be between 0 and 1")
        if mask_replace_prob + random_replace_prob > 1:
            raise ValueError("mask_replace_prob + random_replace_prob must be at most 1")
        self.tokenizer = tokenizer
        self.mlm_probability = float(mlm_probability)
        self.mask_replace_prob = float(mask_replace_prob)
        self.random_replace_prob = float(random_replace_prob)
        self.whole_ngram_masking = whole_ngram_masking
        self.rng = np.random.default_rng(seed)
        self.return_tensors = return_tensors
        self.pad_to_multiple_of = pad_to_multiple_of
        self.padding = padding
        self.max_length = max_length

    def __call__(self, features: Sequence[Mapping[str, Any]]) -> BatchEncoding:
        batch = self.tokenizer.pad(
            list(features),
            padding=self.padding,
            max_length=self.max_length,
            pad_to_multiple_of=self.pad_to_multiple_of,
            return_tensors="np",
        )
        out = self.mask(batch)
        return out.convert_to_tensors(self.return_tensors)

    def _replace(self, ids: np.ndarray, chosen: np.ndarray) -> None:
        """80/10/10 at the ``chosen`` positions of ``ids`` (in place)."""
        p = self.rng.random(ids.shape)
        to_mask = chosen & (p < self.mask_replace_prob)
        to_random = (
            chosen
            & (p >= self.mask_replace_prob)
            & (p < self.mask_replace_prob + self.random_replace_prob)
        )
        ids[to_mask] = self.tokenizer.mask_token_id
        ids[to_random] = self.rng.integers(0, self.tokenizer.vocab_size, int(to_random.sum()))

    def mask(self, batch: Mapping[str, Any]) -> BatchEncoding:
        """Mask a padded numpy batch (module doc); returns a new :class:`BatchEncoding`."""
        tok = self.tokenizer
        original = np.asarray(batch["input_ids"], dtype=np.int64)
        ids = original.copy()
        special = np.isin(original, [tok.cls_token_id, tok.sep_token_id, tok.pad_token_id])
        chosen = (self.rng.random(ids.shape) < self.mlm_probability) & ~special
        self._replace(ids, chosen)
        masked = chosen.copy()
        out = BatchEncoding({k: np.asarray(v).copy() for k, v in batch.items()})
        if self.whole_ngram_masking and "ngram_attention_match" in out:
            gids = out["ngram_input_ids"]
            gmask = out["ngram_attention_mask"]
            match = out["ngram_attention_match"].astype(bool)
            changed = True
            while changed:  # to a fixpoint: every touched G-gram ends up masked whole
                changed = False
                for r in range(match.shape[1]):
                    real = gids[:, r] != 0
                    cover = match[:, r, :]
                    hit = real & (cover & masked).any(axis=1)
                    if not hit.any():
                        continue
                    changed = True
                    new = cover & ~masked & hit[:, None]
                    self._replace(ids, new)
                    masked |= new
                    gids[hit, r] = 0
                    gmask[hit, r] = 0
                    match[hit, r, :] = False
            order = np.argsort(gids == 0, axis=1, kind="stable")  # real rows first
            out["ngram_input_ids"] = np.take_along_axis(gids, order, axis=1)
            out["ngram_attention_mask"] = np.take_along_axis(gmask, order, axis=1)
            out["ngram_attention_match"] = np.take_along_axis(
                match, order[:, :, None], axis=1
            ).astype(np.int64)
            for key in ("ngram_positions", "ngram_lengths"):
                if key in out:
                    vals = np.where(gids == 0, 0, out[key])
                    out[key] = np.take_along_axis(vals, order, axis=1)
        out["input_ids"] = ids
        out["labels"] = np.where(masked, original, -100)
        return out


class MotifCollator:
    """Batches corpus rows for a model: ``input_ids``, ``attention_mask``, dense
    ``cluster_values`` (batch, bins, clusters) and ``targets`` (batch, bins, tracks),
    padded through the tokenizer's ``pad``. Use as a torch ``DataLoader``'s ``collate_fn``.
    Rows of either layout: a ``reference`` row's bins are read from the tokenizer's arrays
    (the same values a ``full`` row holds)."""

    def __init__(
        self, tokenizer, *, return_tensors: str = "pt", pad_to_multiple_of: int | None = None
    ):
        self.tokenizer = tokenizer
        self.return_tensors = return_tensors
        self.pad_to_multiple_of = pad_to_multiple_of

    def item(self, row: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """One row (``full`` or ``reference``: then its bins are read from the tokenizer)."""
        if "cluster_values" not in row and "n_bins" in row:
            first = int(row["first_bin"])
            bins = self.tokenizer.genome.bin_range(row["chrom"], first, first + int(row["n_bins"]))
            if bins.starts.size and (
                int(bins.starts[0]) != int(row["start"]) or int(bins.ends[-1]) != int(row["end"])
            ):
                raise GenovocabError(
                    f"corpus row {row.get('id')} does not match the "
                    "tokenizer's bin edges: a corpus of another tokenizer"
                )
            ids = bins.ids.astype(np.int64)
            dense = bins.clusters.toarray().astype(np.float32, copy=False)
        else:
            ids = np.asarray(row["input_ids"], dtype=np.int64)
            dense = np.zeros((ids.size, self.tokenizer.n_clusters), dtype=np.float32)
            for b, (ci, cv) in enumerate(zip(row["cluster_indices"], row["cluster_values"])):
                if len(ci):
                    dense[b, np.asarray(ci, dtype=np.int64)] = np.asarray(cv, dtype=np.float32)
        out = {"input_ids": ids, "cluster_values": dense}
        if "targets" in row and row["targets"] is not None:
            out["targets"] = np.asarray(
                [list(t) for t in row["targets"]], dtype=np.float32
            ).reshape(ids.size, -1)
        return out

    def __call__(self, rows: Sequence[Mapping[str, Any]]):
        return self.tokenizer.pad(
            [self.item(r) for r in rows],
            padding=True,
            pad_to_multiple_of=self.pad_to_multiple_of,
            return_tensors=self.return_tensors,
        )
