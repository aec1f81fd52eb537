"""Shared test helpers (structures, training data): ``from helpers import ...`` in any test module.

Fixtures live in ``conftest.py``; test modules import helpers from here, never from each other.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk, graphene, nanotube

METALS = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61, cubic=True),
    "bcc": lambda: bulk("Fe", "bcc", a=2.87, cubic=True),
    "hcp": lambda: bulk("Mg", "hcp", a=3.21, c=5.21, orthorhombic=True),
    "diamond": lambda: bulk("Si", "diamond", a=5.43, cubic=True),
}
#: primitive cells of the same crystals: their open supercells (as the library's, which are the paper's
#: primitive cells) have other surfaces than the cubic clusters
PRIMITIVE = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61),
    "bcc": lambda: bulk("Fe", "bcc", a=2.87),
    "hcp": lambda: bulk("Mg", "hcp", a=3.21, c=5.21),
    "diamond": lambda: bulk("Si", "diamond", a=5.43),
}


def metal_training_set(seed: int = 0):
    """Descriptors of the four classes: periodic cells and open supercells, pristine and displaced."""
    from arisekit.descriptors import arise_soap_batch

    rng = np.random.default_rng(seed)
    structures, labels = [], []
    for k, name in enumerate(METALS):
        n = 1
        while len(PRIMITIVE[name]()) * n**3 < 100:
            n += 1
        for make, rep in [(METALS[name], r) for r in (1, 3, 4)] + [(PRIMITIVE[name], r) for r in (n, n + 1)]:
            atoms = make().repeat(rep)
            atoms.pbc = rep == 1
            for noise in (0.0, 0.02, 0.05):
                a = atoms.copy()
                a.positions += rng.uniform(-noise, noise, a.positions.shape) * 2.5
                structures.append(a)
                labels.append(k)
    return arise_soap_batch(structures), np.array(labels)


def bicrystal():
    """Open fcc | bcc bicrystal slab (Å): fcc for x < 20, bcc for x > 21.5, 14.4 Å thick."""
    left = METALS["fcc"]().repeat((6, 10, 4))
    left = left[left.positions[:, 0] < 20]
    right = METALS["bcc"]().repeat((8, 12, 5))
    right.positions[:, 0] += 21.5
    right = right[right.positions[:, 2] < 14.4]
    sample = left + right
    sample.pbc = False
    sample.cell = np.zeros((3, 3))
    return sample


def perovskite(a: float = 3.905) -> Atoms:
    """Cubic SrTiO3 (5 atoms)."""
    return Atoms(
        "SrTiO3",
        scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
        cell=[a, a, a],
        pbc=True,
    )


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
