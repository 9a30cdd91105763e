"""Logging set-up for workflow scripts: everything goes to the rule's log file."""

from __future__ import annotations

import logging
import os


def log_to_file(path: str | os.PathLike | None, level: int = logging.INFO) -> logging.Logger:
    """Send the root logger (all genovocab modules) to ``path`` (stderr when None)."""
    handler: logging.Handler = (logging.FileHandler(path, mode="w") if path
                                else logging.StreamHandler())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    return logging.getLogger("genovocab")
