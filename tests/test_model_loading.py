"""arisekit.load_model: cached per file version, checksums verified once; resolve_model; the model
package's import graph has no cycle."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import numpy as np
import pytest

import arisekit
import arisekit.model.io as model_io
from arisekit.model import (
    ARISEClassifier,
    ModelIntegrityError,
    NotFittedError,
    clear_model_cache,
    load_model,
    resolve_model,
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.2, (20, 6)) for c in (-2.0, 0.0, 2.0)])
    y = np.repeat(["a", "b", "c"], 20)
    clf = ARISEClassifier(hidden_units=(8,), epochs=2, batch_size=16, validation_fraction=0.0).fit(X, y)
    return clf.save(tmp_path_factory.mktemp("loading") / "m")


@pytest.fixture
def hashed(monkeypatch) -> list[Path]:
    seen: list[Path] = []
    original = model_io.sha256_file

    def spy(path):
        seen.append(Path(path))
        return original(path)

    monkeypatch.setattr(model_io, "sha256_file", spy)
    return seen


def test_load_model_is_exported_at_top_level():
    assert arisekit.load_model is load_model
    assert "load_model" in arisekit.__all__ and "load_model" in dir(arisekit)


def test_checksums_are_verified_once_per_file_version(saved, hashed):
    clear_model_cache()
    first = load_model(saved)
    n = len(hashed)
    assert n >= 2  # model.keras, metadata.json (and the novelty file where there is one)
    assert load_model(saved) is first and load_model(saved / "model.keras") is first
    assert resolve_model(str(saved)) is first and resolve_model(saved) is first
    assert len(hashed) == n  # no file read again
    # a changed file is a new version: read and verified again, and a tampered one is refused
    meta = saved / "metadata.json"
    original = meta.read_bytes()
    meta.write_bytes(original.replace(b'"a"', b'"x"', 1))
    with pytest.raises(ModelIntegrityError, match="metadata.json"):
        load_model(saved)
    meta.write_bytes(original)
    os.utime(meta, ns=(0, 10**18))  # another modification time: another version, though equal bytes
    again = load_model(saved)
    assert again is not first and len(hashed) > n
    assert list(again.classes_) == ["a", "b", "c"]


def test_load_reads_a_private_copy(saved):
    shared = load_model(saved)
    private = ARISEClassifier.load(saved)
    assert private is not shared and private is not ARISEClassifier.load(saved)
    assert (
        private.checksum_
        == shared.checksum_
        == json.loads((saved / "manifest.json").read_text())["files"]["model.keras"]["sha256"]
    )
    unverified = load_model(saved, verify=False)
    assert unverified is not shared and unverified is load_model(saved, verify=False)


def test_resolve_model(saved):
    clf = ARISEClassifier.load(saved)
    assert resolve_model(clf) is clf
    with pytest.raises(NotFittedError, match="not fitted"):
        resolve_model(ARISEClassifier())
    with pytest.raises(ValueError, match="expected an ARISEClassifier, a path or None, got int"):
        resolve_model(3)


MODEL_PACKAGE = Path(arisekit.__file__).parent / "model"


def _relative_imports(path: Path) -> set[str]:
    """Sibling modules a model module imports, at any level (function bodies included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                out.add(node.module.split(".")[0])
            elif node.module and node.module.startswith("arisekit.model."):
                out.add(node.module.split(".")[2])
            elif node.level == 1 or node.module == "arisekit.model":
                out.update(alias.name for alias in node.names)
    return out


def test_the_model_package_has_no_import_cycle():
    modules = {p.stem for p in MODEL_PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = {m: _relative_imports(MODEL_PACKAGE / f"{m}.py") & modules for m in modules}
    assert "classifier" not in graph["io"] and "loading" not in graph["io"]

    def visit(m, stack):
        assert m not in stack, f"import cycle: {' -> '.join([*stack, m])}"
        for n in graph[m]:
            visit(n, [*stack, m])

    for m in sorted(modules):
        visit(m, [])


#: package-wide internals every subpackage may use (the compiled core, safe outputs, threads, JSON)
SHARED_PRIVATE = {"_core", "_atomic", "_parallel", "_json", "_params"}
#: still to move: none (cli/build.py takes the nanoparticle defaults from arisekit.samples)
NOT_YET: set[str] = set()


def test_no_private_name_is_imported_across_subpackages():
    """``from arisekit.<sub>.<module> import name``: neither a private name nor a private module of another
    subpackage (``_core``, ``_atomic``, ``_parallel``, ``_json`` and ``_params`` are shared)."""
    root = Path(arisekit.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        sub = rel.parts[0]
        if sub in NOT_YET or rel.as_posix() in NOT_YET:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("arisekit.")):
                continue
            parts = node.module.split(".")[1:]
            if parts[0] in SHARED_PRIVATE or parts[0] == sub:
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            private += [m for m in parts if m.startswith("_")]
            if private:
                found.append(f"{rel}: from {node.module} import {[a.name for a in node.names]}")
    assert found == []
