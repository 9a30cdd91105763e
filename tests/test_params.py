"""Rule params that do not depend on the config file's key order nor on its YAML formatting."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import pytest
import yaml

from genovocab.params import CanonicalDict, canonical
from tests.conftest import run_snakemake


def test_repr_sorts_keys_at_every_depth():
    a = canonical({"url": "u", "sha256": "s", "opts": {"z": 1, "a": [{"y": 2, "b": 3}]}})
    b = canonical({"opts": {"a": [{"b": 3, "y": 2}], "z": 1}, "sha256": "s", "url": "u"})
    expected = "{'opts': {'a': [{'b': 3, 'y': 2}], 'z': 1}, 'sha256': 's', 'url': 'u'}"
    assert repr(a) == repr(b) == expected


def test_value_and_order_unchanged():
    raw = {"b": 1, "a": {"d": 2, "c": 3}}
    value = canonical(raw)
    assert value == raw
    assert list(value) == ["b", "a"] and list(value["a"]) == ["d", "c"]
    assert type(value) is CanonicalDict and isinstance(value, dict)
    assert json.dumps(value) == json.dumps(raw)  # what a job writes from it is unchanged


def test_lists_keep_their_order_and_their_repr():
    """A list is order-meaningful (tracks, chromosomes): reordering it is a change."""
    assert canonical(["b", "a"]) == ["b", "a"]
    assert repr(canonical({"t": ["b", "a"]})) != repr(canonical({"t": ["a", "b"]}))
    assert canonical(("x", {"b": 1, "a": 2})) == ("x", {"b": 1, "a": 2})
    assert repr(canonical(("x", {"b": 1, "a": 2}))) == "('x', {'a': 2, 'b': 1})"


def test_scalars_pass_through():
    for value in (None, 1, 0.5, "s", True):
        assert canonical(value) is value


def test_pickle_and_yaml_round_trip():
    """Snakemake pickles params into a job's script; jobs may write them as YAML."""
    value = canonical({"b": 1, "a": {"d": [1, 2]}})
    back = pickle.loads(pickle.dumps(value))
    assert type(back) is CanonicalDict and list(back) == ["b", "a"] and back == value
    assert yaml.safe_load(yaml.safe_dump(value)) == {"a": {"d": [1, 2]}, "b": 1}
    assert yaml.safe_dump(value, sort_keys=False).startswith("b: 1\n")


def test_mixed_key_types_sort():
    assert repr(canonical({2: "x", "a": 1, 1: "y"})) == "{1: 'y', 2: 'x', 'a': 1}"


# --------------------------------------------------------------------------- the workflow


def _digests(workdir: Path) -> dict[str, str]:
    """sha256 of every file under results/ (the demo's outputs and release)."""
    return {
        str(p.relative_to(workdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((workdir / "results").rglob("*"))
        if p.is_file()
    }


def _resaved(workdir: Path, tmp_path: Path) -> dict[str, Path]:
    """The demo config saved again: keys sorted (block style, 4-space indent), and keys sorted
    in flow style with every string double-quoted (JSON is YAML)."""
    config = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    files = {"sorted": tmp_path / "sorted.yaml", "flow": tmp_path / "flow.yaml"}
    files["sorted"].write_text(yaml.safe_dump(config, sort_keys=True, indent=4))
    files["flow"].write_text(json.dumps(config, sort_keys=True, indent=3))
    assert files["sorted"].read_text() != (workdir / "config" / "config.yaml").read_text()
    return files


@pytest.mark.workflow
def test_resaved_config_has_nothing_to_do(demo_run, tmp_path):
    before = _digests(demo_run)
    for name, path in _resaved(demo_run, tmp_path).items():
        dry = run_snakemake(demo_run, "-n", "--configfile", str(path))
        assert dry.returncode == 0, dry.stderr[-3000:]
        text = dry.stdout + dry.stderr
        assert "Nothing to be done" in text, f"{name}: {text[-3000:]}"
        assert "Job stats" not in text, name
    real = run_snakemake(demo_run, "--cores", "1", "--configfile", str(path))
    assert real.returncode == 0, real.stderr[-3000:]
    assert "Nothing to be done" in real.stdout + real.stderr
    assert _digests(demo_run) == before


@pytest.mark.workflow
def test_reordered_list_is_a_change(demo_run, tmp_path):
    """Lists keep their order in the params: universe.compare_methods reversed reruns the jobs
    that take it (the known answer that order-meaningful values still count)."""
    config = yaml.safe_load((demo_run / "config" / "config.yaml").read_text())
    methods = config["universe"]["compare_methods"]
    assert len(methods) >= 2
    config["universe"]["compare_methods"] = methods[::-1]
    path = tmp_path / "reversed.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=True))
    dry = run_snakemake(demo_run, "-n", "--configfile", str(path))
    assert dry.returncode == 0, dry.stderr[-3000:]
    text = dry.stdout + dry.stderr
    assert "Nothing to be done" not in text
    assert "Params have changed" in text
