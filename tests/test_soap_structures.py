"""Small test structures for the SOAP tests (shared by test_soap.py and test_arise_descriptor.py)."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, graphene, nanotube
from conftest import perovskite


def _graphene() -> Atoms:
    """Graphene sheet, periodic in-plane only."""
    g = graphene(a=2.46, vacuum=5.0)
    g.pbc = (True, True, False)
    return g


#: name -> builder of a small periodic (or, for the nanotube, partly periodic) structure.
BUILDERS = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61),
    "bcc": lambda: bulk("Fe", "bcc", a=2.87),
    "hcp": lambda: bulk("Mg", "hcp", a=3.21, c=5.21),
    "diamond": lambda: bulk("Si", "diamond", a=5.43),
    "nacl": lambda: bulk("NaCl", "rocksalt", a=5.64),
    "cscl": lambda: bulk("CsCl", "cesiumchloride", a=4.12),
    "wurtzite": lambda: bulk("ZnO", "wurtzite", a=3.25, c=5.21),
    "perovskite": perovskite,
    "graphene": _graphene,
    "nanotube": lambda: nanotube(4, 0, length=1, bond=1.42, vacuum=4.0),
}


def structure(
    name: str, repeat=(1, 1, 1), rattle: float = 0.0, delete: int | None = None, seed: int = 0
) -> Atoms:
    """Builder output repeated, with Gaussian displacements (Å) and one atom removed if asked."""
    atoms = BUILDERS[name]() * repeat
    if rattle > 0:
        rng = np.random.default_rng(seed)
        atoms.positions += rng.normal(0.0, rattle, atoms.positions.shape)
    if delete is not None:
        del atoms[delete]
    return atoms


def open_cluster(name: str, radius: float, rattle: float = 0.0, seed: int = 0) -> Atoms:
    """Non-periodic ball of ``radius`` Å cut from a periodic supercell of ``name``."""
    bulk_atoms = BUILDERS[name]()
    reps = [
        max(1, int(np.ceil(2 * radius / np.linalg.norm(v))) + 1) if periodic else 1
        for v, periodic in zip(bulk_atoms.cell, bulk_atoms.pbc, strict=True)
    ]
    big = bulk_atoms * reps
    centre = big.positions.mean(axis=0)
    keep = np.linalg.norm(big.positions - centre, axis=1) <= radius
    out = big[keep]
    out.pbc = False
    out.cell = np.zeros((3, 3))
    out.positions -= centre
    if rattle > 0:
        out.positions += np.random.default_rng(seed).normal(0.0, rattle, out.positions.shape)
    return out


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_give_finite_structures(name):
    atoms = structure(name, repeat=(2, 2, 2), rattle=0.05, delete=0)
    assert len(atoms) >= 1
    assert np.isfinite(atoms.positions).all()
    assert len(open_cluster(name, 4.0)) > 4
