"""Rule parameters whose fingerprint does not depend on the order of a mapping's keys.

Snakemake decides that a job's parameters changed by comparing the ``repr`` of each value with
the one recorded for its outputs. A ``dict``'s ``repr`` lists its keys in insertion order,
which is the order they were written in the config file: the same configuration saved with its
keys sorted (or merged from two files in another order) would read as changed and rerun every
job that takes a mapping, hours of work on a genome-scale build.

:func:`canonical` wraps every mapping inside a value in :class:`CanonicalDict`: a plain ``dict``
(same keys, same values, same iteration order, so the job sees exactly what it saw before)
whose ``repr`` lists the keys sorted. Lists and tuples keep their order, both in the value and
in the ``repr``: where order means something (the tracks of a corpus, the chromosomes of a
run) it is a list, and a reordered list is a real change. A mapping whose key order means
something must also be passed as a list of its keys (``motifs.corpus.targets`` is passed as
``track_names``), so that reordering it still reruns the job.

YAML formatting (flow or block style, quoting, indentation, comments) never reaches the
parameters: the file is parsed first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CanonicalDict", "canonical"]


def _key_order(key: Any) -> tuple[str, str]:
    """Sort key of a mapping key: by type name, then ``repr`` (keys of mixed types compare)."""
    return type(key).__name__, repr(key)


class CanonicalDict(dict):
    """A ``dict`` whose ``repr`` lists its keys sorted; everything else is ``dict``'s."""

    __slots__ = ()

    def __repr__(self) -> str:
        items = sorted(self.items(), key=lambda kv: _key_order(kv[0]))
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in items) + "}"


def canonical(value: Any) -> Any:
    """``value`` with every mapping in it (nested in mappings, lists or tuples) a
    :class:`CanonicalDict`; lists stay lists and tuples tuples, in their order."""
    if isinstance(value, Mapping):
        return CanonicalDict((k, canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(canonical(v) for v in value)
    return value


def _register_yaml() -> None:
    """Let ``yaml.safe_dump`` write a :class:`CanonicalDict` as the mapping it is."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return
    for dumper in (yaml.SafeDumper, yaml.Dumper):
        dumper.add_representer(CanonicalDict, yaml.representer.SafeRepresenter.represent_dict)


_register_yaml()
