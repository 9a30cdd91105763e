"""The release's interval tokenizer folder and the tokenizer class that loads it with the
release's chromosome sizes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from genovocab.errors import InputError
from genovocab.fileutil import write_text_atomic
from genovocab.tokenizers.interval import IntervalTokenizer


def write_interval_tokenizer(
    universe_bed: str | os.PathLike, chrom_sizes: str | os.PathLike, out_dir: str | os.PathLike
) -> list[Path]:
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
        lengths = np.array(
            [self.chrom_sizes.get(c, np.iinfo(np.int64).max) for c in regions.chroms],
            dtype=np.int64,
        )
        if len(regions):
            limit = lengths[regions.chrom_index]
            bad = np.flatnonzero(regions.ends > limit)
            if len(bad):
                i = int(bad[0])
                chrom = regions.chroms[int(regions.chrom_index[i])]
                raise InputError(
                    regions.path,
                    f"region {chrom}:{int(regions.starts[i])}-"
                    f"{int(regions.ends[i])} ends beyond {chrom}'s length "
                    f"{self.chrom_sizes[chrom]} in the release genome "
                    f"({len(bad)} such regions): is this file from another "
                    "assembly?",
                )
        return super()._encode(regions, count_unknown)
