"""The README's "Train a model" examples run as written on the demo outputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def train_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Train a model", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_has_one_example_per_tokenizer():
    blocks = train_blocks()
    assert len(blocks) == 3
    assert "IntervalTokenizer" in blocks[0] and "SequenceTokenizer" in blocks[1]
    assert all(len(b.strip().splitlines()) <= 20 for b in blocks)


@pytest.mark.parametrize("index", range(3))
def test_readme_example_runs(demo_run, index, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("datasets")
    out = next((demo_run / "results").glob("genovocab-demo-*"))
    code = train_blocks()[index].replace('"results/genovocab-demo-0.1.0"', repr(str(out)))
    assert repr(str(out)) in code
    exec(compile(code, f"README.md example {index + 1}", "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out
    assert re.search(r"\d", printed)
