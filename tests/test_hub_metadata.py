"""Hub-ready metadata: every corpus and the release load with `datasets` without a warning,
and every card's licence is in the Hub's form (an id, or `other` with a name and a link to a
file in the folder)."""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.workflow
datasets = pytest.importorskip("datasets")


def card_metadata(folder: Path) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1])


def load_quietly(path: Path, name: str | None = None):
    """``datasets.load_dataset`` with every warning and datasets log record captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("datasets")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = datasets.load_dataset(str(path), name)
    finally:
        logger.removeHandler(handler)
    return loaded, [str(w.message) for w in caught] + stream.getvalue().splitlines()


def release_of(demo_run: Path) -> Path:
    return next((demo_run / "results").glob("genovocab-demo-*[0-9]"))


def check_licence(meta: dict, folder: Path) -> None:
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", meta["license"]), meta["license"]
    if meta["license"] == "other":
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", meta["license_name"])
        assert (folder / meta["license_link"]).is_file()


def test_every_corpus_loads_without_a_warning(demo_run):
    release = release_of(demo_run)
    corpora = sorted(p for p in (release / "corpora").iterdir() if p.is_dir())
    assert {p.name for p in corpora} == {"peaks", "ccre_sequences", "motif_fragments"}
    for folder in corpora:
        meta = card_metadata(folder)
        check_licence(meta, folder)
        loaded, noise = load_quietly(folder)
        assert noise == [], (folder.name, noise)
        splits = {s["name"]: s for s in meta["dataset_info"]["splits"]}
        assert set(splits) == set(loaded)
        for name, split in splits.items():
            assert split["num_examples"] == loaded[name].num_rows
            assert split["num_bytes"] > 0 or loaded[name].num_rows == 0


def test_the_release_loads_every_corpus_config_without_a_warning(demo_run):
    release = release_of(demo_run)
    meta = card_metadata(release)
    check_licence(meta, release)
    assert "Davarmanesh et al." in (release / "README.md").read_text(encoding="utf-8")
    for config in meta["configs"]:
        loaded, noise = load_quietly(release, config["config_name"])
        assert noise == [], (config["config_name"], noise)
        direct = datasets.load_dataset(str(release / "corpora" / config["config_name"]))
        assert {k: v.num_rows for k, v in loaded.items()} == {
            k: v.num_rows for k, v in direct.items()
        }
