"""Deprecated alias of :mod:`genovocab.motifs.steps` (renamed to say what it holds); kept for
one release."""

from genovocab.motifs.steps import *  # noqa: F403
from genovocab.motifs.steps import __all__  # noqa: F401
