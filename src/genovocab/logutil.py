"""Logging set-up for workflow scripts and the CLI: everything goes to one place.

Every ``workflow/scripts/*.py`` adapter starts with ``log = configure_logging(snakemake)``: the
root logger (all genovocab modules, warnings included) writes to the rule's ``log:`` file, an
uncaught exception is written there too with its traceback before the job fails (as PyPSA-Eur's
``configure_logging`` does), and thread pools started later (the Rust ``tokenizers``' rayon pool)
use the rule's ``threads:``.
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType
from typing import Any

__all__ = ["configure_logging", "log_to_file"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file(path: str | os.PathLike | None, level: int = logging.INFO) -> logging.Logger:
    """Send the root logger (all genovocab modules) to ``path`` (stderr when None)."""
    handler: logging.Handler = (
        logging.FileHandler(path, mode="w") if path else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    return logging.getLogger("genovocab")


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """``sys.excepthook``: the exception and its traceback into the log, then the default hook."""
    if not issubclass(kind, KeyboardInterrupt):
        logging.getLogger("genovocab").error(
            "uncaught %s: %s", kind.__name__, value, exc_info=(kind, value, tb)
        )
    sys.__excepthook__(kind, value, tb)


def configure_logging(snakemake: Any, level: int = logging.INFO) -> logging.Logger:
    """The one boilerplate of a workflow script (``snakemake`` is the object Snakemake injects).

    Logs go to the rule's first ``log:`` file (stderr when the rule has none), uncaught
    exceptions are logged there with their traceback, and ``RAYON_NUM_THREADS`` is set to the
    rule's threads unless already set. Returns the ``genovocab`` logger.
    """
    logs = list(getattr(snakemake, "log", []) or [])
    threads = getattr(snakemake, "threads", None)
    if threads:
        os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
    logger = log_to_file(logs[0] if logs else None, level)
    sys.excepthook = _log_uncaught
    return logger
