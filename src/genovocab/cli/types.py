"""Argparse option types: numbers are checked where they are parsed, so a bad value is a usage
error (exit 2) naming the option, never a traceback from deep inside a stage."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable


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


def _checked(
    parse: Callable[[str], float], accept: Callable[[float], bool], wanted: str, doc: str
) -> Callable[[str], float]:
    """An argparse type: ``parse`` the text, then refuse a value ``accept`` rejects, saying
    what was ``wanted``."""

    def check(text: str):
        value = parse(text)
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    check.__doc__ = doc
    return check


positive_int = _checked(_int, lambda v: v >= 1, "a positive integer", "An integer >= 1.")
non_negative_int = _checked(_int, lambda v: v >= 0, "an integer >= 0", "An integer >= 0.")
positive_float = _checked(_float, lambda v: v > 0, "a number > 0", "A finite number > 0.")
fraction = _checked(
    _float, lambda v: 0.0 <= v <= 1.0, "a fraction in [0, 1]", "A finite number in [0, 1]."
)
probability = _checked(
    _float, lambda v: 0.0 < v <= 1.0, "in (0, 1]", "A finite number in (0, 1] (a p-value cut)."
)
per_mille = _checked(
    _int,
    lambda v: 0 <= v <= 1000,
    "an integer in [0, 1000]",
    "An integer in [0, 1000] (a relative score x1000).",
)


def finite_float(text: str) -> float:
    """Any finite number (no nan, no inf)."""
    return _float(text)
