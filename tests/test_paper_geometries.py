"""The library's paper classes are the ARISE paper's own geometries (``../shared/arise-prototypes``).

For each of the paper's 108 prototype files, the class with that paper label is built by arisekit's own
tables and its ARISE descriptor (central weight 0, the paper's) must have cosine >= 0.999 to the file's.
2D layers are compared as single layers (pbc T, T, F): the files' 15 Å vacuum lets some layers see their
periodic images within the 4 d_NN cutoff, which a single layer does not have. Nanotubes are the paper's
open tubes, compared with the smallest open supercell (at least 100 atoms) of the class.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from ase.io import read

from arisekit import prototypes
from arisekit.descriptors import arise_soap

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "arise-prototypes"
FILES = sorted(SHARED.glob("*/*/*.in")) if SHARED.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="../shared/arise-prototypes is not present")


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        atoms = read(path, format="aims")
    if path.parent.parent.name == "Nanotubes":
        atoms.pbc = False
    elif path.parent.parent.name == "2D_materials":
        atoms.pbc = (True, True, False)
    return atoms


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_all_108_paper_prototypes_are_present():
    assert len(FILES) == 108
    labels = {p.paper_label for p in prototypes.list_prototypes() if p.paper_label}
    assert {f.parent.name for f in FILES} == labels


@pytest.mark.parametrize("path", FILES, ids=[f.parent.name for f in FILES])
def test_library_class_has_the_papers_geometry(path):
    proto = prototypes.get(path.parent.name)
    assert proto.paper_label == path.parent.name
    ours = prototypes.supercells(proto.name)[0] if proto.category == "nanotube" else proto.build()
    ref = _read(path)
    assert sorted(ours.get_chemical_symbols()) == sorted(ref.get_chemical_symbols())
    cos = _unit(arise_soap(ours, undefined_pairs="skip")) @ _unit(arise_soap(ref, undefined_pairs="skip"))
    assert cos >= 0.999, f"{proto.name}: cosine {cos:.6f} to the paper's {path.parent.name}"
