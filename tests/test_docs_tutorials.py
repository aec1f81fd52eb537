"""The code of the documentation's tutorials runs (docs/site/tutorials)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "site" / "tutorials"


def python_blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (TUTORIALS / name).read_text(), re.S)


def test_tutorials_exist():
    assert {p.name for p in TUTORIALS.glob("*.md")} >= {"classify.md", "polycrystal.md", "ovito_md.md"}
    for name in ("classify.md", "polycrystal.md", "ovito_md.md"):
        assert python_blocks(name), name


def test_classifying_structures_tutorial_runs():
    """Every Python block of the tutorial, in order, in one namespace (the shipped model)."""
    namespace: dict = {}
    for block in python_blocks("classify.md"):
        exec(compile(block, "classify.md", "exec"), namespace)
    assert namespace["result"].prediction == "bcc"
    assert list(namespace["clf"].predict(namespace["X"])) == ["fcc", "hcp", "diamond"]


@pytest.mark.parametrize("name", ["polycrystal.md", "ovito_md.md"])
def test_tutorial_code_compiles(name):
    for block in python_blocks(name):
        compile(block, name, "exec")
