"""Neighbour lists against ASE's independent implementation, and bad input."""

import numpy as np
import pytest
from ase import Atoms
from ase.neighborlist import neighbor_list as ase_neighbor_list

from arisekit.geometry import neighbor_list


def _pair_set(i, j, shifts):
    return set(zip(i.tolist(), j.tolist(), map(tuple, np.asarray(shifts).tolist())))


def _random_atoms(rng, n, pbc, scale=6.0):
    cell = np.diag(rng.uniform(0.6, 1.4, 3) * scale) + rng.uniform(-0.3, 0.3, (3, 3)) * scale
    frac = rng.uniform(-0.2, 1.2, (n, 3))  # some atoms outside the cell: wrapping is exercised
    return Atoms("X" * n, scaled_positions=frac, cell=cell, pbc=pbc)


@pytest.mark.parametrize("seed", range(12))
def test_matches_ase_on_random_triclinic_mixed_periodicity(seed):
    rng = np.random.default_rng(seed)
    pbc = tuple(bool(b) for b in rng.integers(0, 2, 3))
    atoms = _random_atoms(rng, int(rng.integers(1, 40)), pbc, scale=rng.uniform(2.0, 9.0))
    cutoff = float(rng.uniform(1.0, 6.0))
    i, j, d, S = ase_neighbor_list("ijdS", atoms, cutoff)
    nl = neighbor_list(atoms, cutoff, vectors=True, shifts=True)
    assert _pair_set(nl.i, nl.j, nl.shift) == _pair_set(i, j, S)
    expected = atoms.positions[nl.j] - atoms.positions[nl.i] + nl.shift @ atoms.cell.array
    np.testing.assert_allclose(nl.vector, expected, atol=1e-9)
    np.testing.assert_allclose(nl.distance, np.linalg.norm(expected, axis=1), atol=1e-9)
    assert np.all(np.diff(nl.i) >= 0), "pairs are sorted by centre atom"
    np.testing.assert_array_equal(np.diff(nl.offsets), np.bincount(nl.i, minlength=len(atoms)))


def test_cutoff_larger_than_tiny_cell_counts_all_images():
    atoms = Atoms("Cu", positions=[[0, 0, 0]], cell=np.eye(3) * 1.0, pbc=True)
    nl = neighbor_list(atoms, 2.5, shifts=True)
    i, j, S = ase_neighbor_list("ijS", atoms, 2.5)
    assert len(nl) == len(i) > 0
    assert _pair_set(nl.i, nl.j, nl.shift) == _pair_set(i, j, S)


def test_fcc_shell_counts():
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3)
    nl = neighbor_list(atoms, 5.0)
    assert np.all(np.diff(nl.offsets) == 42)  # 12 + 6 + 24 neighbours within 5 Å


def test_open_point_cloud_from_array_matches_brute_force():
    rng = np.random.default_rng(3)
    pos = rng.uniform(-20, 20, (200, 3))
    nl = neighbor_list(pos, 4.0)
    dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    bi, bj = np.nonzero((dist < 4.0) & ~np.eye(len(pos), dtype=bool))
    assert set(zip(nl.i.tolist(), nl.j.tolist())) == set(zip(bi.tolist(), bj.tolist()))


def test_multithreaded_equals_single_threaded():
    rng = np.random.default_rng(5)
    atoms = _random_atoms(rng, 600, (True, True, False), scale=20.0)
    a = neighbor_list(atoms, 3.0, shifts=True, n_threads=1)
    b = neighbor_list(atoms, 3.0, shifts=True, n_threads=4)
    np.testing.assert_array_equal(a.i, b.i)
    np.testing.assert_array_equal(a.j, b.j)
    np.testing.assert_array_equal(a.shift, b.shift)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(structure=np.array([[0, 0, np.nan]]), cutoff=1.0), "NaN"),
        (dict(structure=np.array([[0, 0, np.inf]]), cutoff=1.0), "NaN or infinite"),
        (dict(structure=np.zeros((2, 3)), cutoff=0.0), "cutoff"),
        (dict(structure=np.zeros((2, 3)), cutoff=-1.0), "cutoff"),
        (dict(structure=np.zeros((2, 3)), cutoff=float("nan")), "cutoff"),
        (dict(structure=np.zeros((2, 2)), cutoff=1.0), "shape"),
        (dict(structure=np.zeros((2, 3)), cutoff=1.0, cell=np.zeros((3, 3)), pbc=True), "singular"),
        (
            dict(structure=np.zeros((2, 3)), cutoff=1.0, cell=[[1, 0, 0], [2, 0, 0], [0, 0, 1]], pbc=True),
            "singular",
        ),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        neighbor_list(**kwargs)


def test_empty_structure_gives_empty_list():
    nl = neighbor_list(np.zeros((0, 3)), 3.0)
    assert len(nl) == 0 and list(nl.offsets) == [0]


def test_core_rejects_bad_input_directly():
    """The C++ entry point itself raises (no crash) even when the Python checks are bypassed."""
    from arisekit import _core

    with pytest.raises(ValueError):
        _core.neighbor_list(np.array([[np.nan, 0, 0]]), np.eye(3), [True] * 3, 1.0)
    with pytest.raises(ValueError):
        _core.neighbor_list(np.zeros((2, 3)), np.zeros((3, 3)), [True, False, False], 1.0)
    with pytest.raises(ValueError):
        _core.neighbor_list(np.zeros((2, 3)), np.eye(3), [True] * 3, -2.0)
    with pytest.raises(ValueError):
        _core.neighbor_list(np.zeros((2, 4)), np.eye(3), [True] * 3, 1.0)


def test_surface_exposure_marks_free_surfaces_only():
    from ase.build import bulk

    from arisekit.geometry import surface_exposure

    crystal = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(6)
    assert surface_exposure(crystal, 8.0).max() < 1e-9  # periodic: every environment complete
    crystal.pbc = False
    exposure = surface_exposure(crystal, 8.0)
    centre = np.linalg.norm(crystal.positions - crystal.positions.mean(axis=0), axis=1).argmin()
    corner = np.linalg.norm(crystal.positions, axis=1).argmin()
    assert exposure[centre] < 0.02 and exposure[corner] > 0.3
    lone = surface_exposure(np.array([[0.0, 0, 0], [50.0, 0, 0]]), 5.0)
    np.testing.assert_array_equal(lone, [1.0, 1.0])
    with pytest.raises(ValueError, match="cutoff"):
        surface_exposure(crystal, -1.0)
