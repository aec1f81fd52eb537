"""The ARISE descriptor as the paper computed it (central_weight=0), and every structure with a d_NN.

The paper's saved descriptor vectors are quippy's

    soap cutoff=4.0 l_max=6 n_max=9 atom_sigma=0.1 n_Z=1 Z={α} n_species=1 species_Z={β}
         central_weight=0.0 average=T

of the structure scaled by d_NN(α, β), averaged over the ordered species pairs. ``arise_soap`` with its
default arguments must give exactly that. Structures are built with ase.build only.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, fcc100
from helpers import perovskite

from arisekit.descriptors import (
    ARISEDescriptor,
    arise_calculator,
    arise_coefficients,
    arise_soap,
    arise_soap_batch,
    species_pairs,
)
from arisekit.descriptors.arise import DEFAULT_CENTRAL_WEIGHT, LEGACY_CENTRAL_WEIGHT
from arisekit.geometry import nearest_distances, nearest_neighbor_distance, scale_isotropically

TOL = 1e-8

PAPER = (
    "soap cutoff=4.0 l_max=6 n_max=9 atom_sigma=0.1 n_Z=1 Z={{{a}}} n_species=1 species_Z={{{b}}} "
    "central_weight=0.0 average=T"
)


def paper_descriptor(atoms: Atoms) -> np.ndarray:
    """The paper's descriptor through quippy itself: one descriptor string per ordered species pair."""
    from quippy.descriptors import Descriptor

    vectors = []
    for a, b in species_pairs(atoms.numbers):
        scaled, _ = scale_isotropically(atoms, a, b)
        vectors.append(np.asarray(Descriptor(PAPER.format(a=a, b=b)).calc(scaled)["data"][0]))
    return np.mean(vectors, axis=0)


def cu3au(a: float = 3.75) -> Atoms:
    """L1_2 Cu3Au (4 atoms, Au on the corners)."""
    return Atoms(
        "AuCu3",
        scaled_positions=[[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]],
        cell=[a, a, a],
        pbc=True,
    )


def defective(atoms: Atoms, n_remove: int, seed: int) -> Atoms:
    """Rattled copy (0.05 Å Gaussian) with ``n_remove`` random atoms removed."""
    out = atoms.copy()
    rng = np.random.default_rng(seed)
    out.positions += rng.normal(0.0, 0.05, out.positions.shape)
    del out[sorted(rng.choice(len(out), n_remove, replace=False))]
    return out


def open_supercell(atoms: Atoms) -> Atoms:
    out = atoms.copy()
    out.pbc = False
    return out


def one_atom(symbol: str, cell, pbc) -> Atoms:
    return Atoms(symbol, positions=[[0.3, 0.2, 0.1]], cell=cell, pbc=pbc)


PAPER_CASES = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2),
    "nacl": lambda: bulk("NaCl", "rocksalt", a=5.64, cubic=True),
    "open_fcc_supercell": lambda: open_supercell(bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3)),
    "open_nacl_supercell": lambda: open_supercell(bulk("NaCl", "rocksalt", a=5.64, cubic=True).repeat(2)),
    "cu3au": lambda: cu3au().repeat(2),
    "perovskite": lambda: perovskite().repeat(2),
    "defective_fcc": lambda: defective(bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3), 5, 1),
    "defective_cu3au": lambda: defective(cu3au().repeat(2), 3, 2),
    "defective_open_perovskite": lambda: open_supercell(defective(perovskite().repeat(2), 4, 3)),
    "fcc_primitive_1_atom": lambda: bulk("Cu", "fcc", a=3.61),
    "bcc_primitive_1_atom": lambda: bulk("Fe", "bcc", a=2.87),
    "slab_ttf": lambda: fcc100("Cu", (2, 2, 3), vacuum=6.0, periodic=False),
}


@pytest.mark.parametrize("name", sorted(PAPER_CASES))
def test_default_arise_soap_is_the_papers_quippy_descriptor(name):
    atoms = PAPER_CASES[name]()
    if name == "slab_ttf":
        atoms.pbc = (True, True, False)
    ours = arise_soap(atoms)
    ref = paper_descriptor(atoms)
    assert ours.shape == ref.shape == (316,)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL)


def test_default_central_weight_is_zero():
    assert DEFAULT_CENTRAL_WEIGHT == 0.0 and LEGACY_CENTRAL_WEIGHT == 1.0
    assert ARISEDescriptor().central_weight == 0.0  # every function builds its ARISEDescriptor
    assert arise_calculator().central_weight == 0.0
    for atoms in (bulk("NaCl", "rocksalt", a=5.64), defective(cu3au().repeat(2), 2, 0)):
        default = arise_soap(atoms)
        np.testing.assert_array_equal(default, arise_soap(atoms, central_weight=0.0))
        np.testing.assert_array_equal(default, arise_soap_batch([atoms])[0])
        assert np.abs(default - arise_soap(atoms, central_weight=1.0)).max() > 1e-3


def test_quippy_backend_follows_the_default():
    atoms = defective(cu3au().repeat(2), 2, 5)
    np.testing.assert_allclose(arise_soap(atoms, backend="quippy"), arise_soap(atoms), atol=TOL, rtol=0)
    np.testing.assert_allclose(arise_soap(atoms, backend="quippy"), paper_descriptor(atoms), atol=TOL, rtol=0)


# ------------------------------------------------------------------ periodic cells of any size


ONE_ATOM_CELLS = {
    "fcc": (lambda: bulk("Cu"), 3.61 / np.sqrt(2)),
    "bcc": (lambda: bulk("Fe"), 2.87 * np.sqrt(3) / 2),
    "sc": (lambda: one_atom("Po", np.eye(3) * 3.35, True), 3.35),
    "square_monolayer_ttf": (lambda: one_atom("Cu", np.diag([2.5, 2.5, 12.0]), (True, True, False)), 2.5),
    "chain_fft": (lambda: one_atom("Cu", np.diag([12.0, 12.0, 2.4]), (False, False, True)), 2.4),
}


@pytest.mark.parametrize("name", sorted(ONE_ATOM_CELLS))
def test_d_nn_of_one_atom_periodic_cells(name):
    make, d = ONE_ATOM_CELLS[name]
    atoms = make()
    assert len(atoms) == 1
    np.testing.assert_allclose(nearest_distances(atoms), [d], rtol=1e-12)
    assert nearest_neighbor_distance(atoms, method="mean") == pytest.approx(d, rel=1e-12)
    # the histogram rule of a single distance: centre of the bin above NumPy's central edge (d + 0.005 Å)
    assert nearest_neighbor_distance(atoms) == pytest.approx(d + 0.005, abs=1e-12)
    z = int(atoms.numbers[0])
    assert nearest_neighbor_distance(atoms, z, z) == nearest_neighbor_distance(atoms)
    x = arise_soap(atoms)
    assert x.shape == (316,) and np.isfinite(x).all() and np.linalg.norm(x) > 0.5


@pytest.mark.parametrize(
    "primitive, conventional",
    [
        (lambda: bulk("Cu"), lambda: bulk("Cu", cubic=True).repeat(3)),
        (lambda: bulk("Fe"), lambda: bulk("Fe", cubic=True).repeat(3)),
        (lambda: one_atom("Po", np.eye(3) * 3.35, True), lambda: one_atom("Po", np.eye(3) * 3.35, True) * 4),
        (lambda: bulk("NaCl", "rocksalt", a=5.64), lambda: bulk("NaCl", "rocksalt", a=5.64, cubic=True) * 2),
    ],
)
def test_primitive_cell_has_the_descriptor_of_its_supercell(primitive, conventional):
    small, big = primitive(), conventional()
    np.testing.assert_allclose(arise_soap(small), arise_soap(big), atol=1e-10, rtol=0)


def test_one_atom_monolayer_equals_its_supercell():
    cell = np.diag([2.5, 2.5, 12.0])
    small = one_atom("Cu", cell, (True, True, False))
    np.testing.assert_allclose(arise_soap(small), arise_soap(small * (3, 4, 1)), atol=1e-10, rtol=0)


# ------------------------------------------------------------------ structures without a d_NN


def test_isolated_atom_has_no_descriptor():
    for atoms in (Atoms("Cu", positions=[[0, 0, 0]]), Atoms("Cu", positions=[[1, 2, 3]], cell=np.eye(3) * 4)):
        for kw in ({}, {"undefined_pairs": "skip"}):
            with pytest.raises(ValueError, match="d_NN is undefined for an isolated atom"):
                arise_soap(atoms, **kw)
        with pytest.raises(ValueError, match="isolated atom"):
            arise_coefficients(atoms)


def test_open_dimers():
    """A homonuclear dimer has a d_NN (its bond); a heteronuclear one has none for (α, α) and (β, β)."""
    cu2 = Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 2.5]])
    x = arise_soap(cu2)
    assert np.isfinite(x).all() and np.linalg.norm(x) > 0.5
    co = Atoms("CO", positions=[[0, 0, 0], [0, 0, 1.13]])
    with pytest.raises(ValueError, match=r"species pair \(6, 6\).*undefined_pairs='skip'"):
        arise_soap(co)
    pairs = arise_coefficients(co, undefined_pairs="skip")
    assert [(p.centre, p.neighbour) for p in pairs] == [(6, 8), (8, 6)]
    assert np.isfinite(arise_soap(co, undefined_pairs="skip")).all()
