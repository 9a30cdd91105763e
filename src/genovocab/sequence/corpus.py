"""Deprecated alias of :mod:`genovocab.sequence.windows` (renamed: it holds windows, not a
corpus); kept for one release."""

from genovocab.sequence.windows import *  # noqa: F403
from genovocab.sequence.windows import __all__  # noqa: F401
