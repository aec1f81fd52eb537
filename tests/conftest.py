"""Shared fixtures: a small classifier trained in seconds on four elemental structures."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

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


@pytest.fixture(scope="session")
def metal_model():
    """ARISEClassifier for fcc / bcc / hcp / diamond (trained once per test session)."""
    from arisekit.model import ARISEClassifier

    X, y = metal_training_set()
    return ARISEClassifier(
        epochs=150, learning_rate=2e-3, standardize=True, validation_fraction=0.0, seed=1
    ).fit(
        X,
        y,
        class_names=list(METALS),
        class_metadata=[{"name": n, "category": "elemental"} for n in METALS],
        descriptor_params=dict(cutoff=4.0, atom_sigma=0.1, extrinsic_scale=1.0),
    )


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
