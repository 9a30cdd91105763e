"""Figures: the headless matplotlib set-up and a deterministic, atomic PNG writer.

Every plot of the workflow goes through :func:`pyplot` (the ``Agg`` backend, selected before
``pyplot`` is imported, so jobs need no display) and :func:`save_png` (no ``Software`` metadata,
so equal figures give equal bytes; written under a temporary name and renamed).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["pyplot", "save_png"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive ``Agg`` backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig: Any, path: str | os.PathLike, **options: Any) -> None:
    """Write ``fig`` as a PNG atomically without date/software metadata, then close it;
    ``options`` go to ``savefig`` (e.g. ``dpi``)."""
    from genovocab.fileutil import atomic_path

    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None}, **options)
    pyplot().close(fig)
