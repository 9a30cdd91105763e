"""Argparse option types: numbers are checked where they are parsed, so a bad value is a usage
error (exit 2) naming the option, never a traceback from deep inside a stage."""

from __future__ import annotations

import argparse
import math
import re


def _int(text: str) -> int:
    # ASCII digits only: int() would also take other scripts' digits and "1_000"
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
    return int(text.strip())


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """Any finite number (no nan, no inf)."""
    return _float(text)


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    """A finite number in [0, 1]."""
    value = _float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1], got {text!r}")
    return value


def probability(text: str) -> float:
    """A finite number in (0, 1] (a p-value cut)."""
    value = _float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text!r}")
    return value


def per_mille(text: str) -> int:
    """An integer in [0, 1000] (a relative score x1000)."""
    value = _int(text)
    if not 0 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 1000], got {text!r}")
    return value
