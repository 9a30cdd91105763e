"""Deprecated alias of :mod:`genovocab.universe.files` (the module was renamed: it reads too)."""

from genovocab.tables import write_tsv
from genovocab.universe.files import *  # noqa: F403
from genovocab.universe.files import __all__ as _files_all

__all__ = [*_files_all, "write_tsv"]
