"""ARISE materials descriptor (species-pair SOAP on d_NN-scaled structures) against the quippy backend."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from ase import Atoms
from helpers import open_cluster, structure

from arisekit.descriptors import (
    ARISEDescriptor,
    arise_coefficients,
    arise_soap,
    arise_soap_batch,
    power_spectrum,
    species_pairs,
)

TOL = 1e-8  # issue bar: 1e-6


def _compare(atoms, **kw):
    ours = arise_soap(atoms, **kw)
    ref = arise_soap(atoms, backend="quippy", **kw)
    assert ours.shape == ref.shape == (316,)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL)
    return ours


@pytest.mark.parametrize(
    "name,repeat,delete",
    [
        ("fcc", (1, 1, 1), None),
        ("nacl", (1, 1, 1), None),
        ("perovskite", (1, 1, 1), None),
        ("hcp", (2, 1, 1), 0),
    ],
)
def test_matches_quippy_periodic(name, repeat, delete):
    _compare(structure(name, repeat=repeat, rattle=0.05, delete=delete, seed=7))


def test_matches_quippy_open_and_mixed_boundaries():
    _compare(open_cluster("cscl", 4.5, rattle=0.05))
    _compare(structure("nanotube"))


def test_matches_quippy_with_extrinsic_scale_and_central_weight():
    atoms = structure("wurtzite", rattle=0.05)
    _compare(atoms, extrinsic_scale=1.1, central_weight=0.5)


def test_lattice_constant_does_not_matter():
    """With the mean-distance d_NN rule the descriptor is exactly scale free (the histogram rule of a perfect
    crystal adds NumPy's fixed 0.005 Å bin offset, so it is only nearly so)."""
    small, big = structure("bcc", rattle=0.02), structure("bcc", rattle=0.02)
    big.set_cell(big.cell * 1.37, scale_atoms=True)
    a, b = arise_soap(small, d_nn_method="mean"), arise_soap(big, d_nn_method="mean")
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(arise_soap(big), arise_soap(small), atol=5e-3)


def test_cubic_prototypes_are_distinguished():
    fcc, bcc = arise_soap(structure("fcc")), arise_soap(structure("bcc"))
    assert np.linalg.norm(fcc - bcc) > 0.05


def test_pair_coefficients_reproduce_descriptor():
    atoms = structure("nacl", repeat=(2, 1, 1), rattle=0.05, delete=1)
    pairs = arise_coefficients(atoms)
    assert (
        [(p.centre, p.neighbour) for p in pairs]
        == species_pairs(atoms.numbers)
        == [
            (11, 11),
            (11, 17),
            (17, 11),
            (17, 17),
        ]
    )
    for p in pairs:
        assert p.coefficients.shape == (len(p.centres), 9 * 49)
        assert (atoms.numbers[p.centres] == p.centre).all()
        assert 2.5 < p.d_nn < 4.5
    spectra = power_spectrum(np.array([p.coefficients.mean(axis=0) for p in pairs]))
    np.testing.assert_allclose(spectra.mean(axis=0), arise_soap(atoms), atol=1e-14)


def test_batch_equals_single():
    structs = [structure("fcc"), structure("nacl"), structure("graphene")]
    batch = arise_soap_batch(structs, n_threads=1)
    assert batch.shape == (3, 316)
    for row, atoms in zip(batch, structs, strict=True):
        np.testing.assert_array_equal(row, arise_soap(atoms, n_threads=1))


def test_single_atom_raises():
    single = Atoms("Cu", positions=[[0, 0, 0]])
    with pytest.raises(ValueError, match="d_NN"):
        arise_soap(single)
    with pytest.raises(ValueError, match="isolated atom"):
        arise_soap(single, undefined_pairs="skip")
    with pytest.raises(ValueError, match="undefined_pairs"):
        arise_soap(single, undefined_pairs="ignore")


def test_lone_impurity_pair_raise_or_skip():
    """A single C atom in an open molecule: the (C, C) pair has no d_NN."""
    co2 = Atoms("CO2", positions=[[0, 0, 0], [0, 0, 1.16], [0, 0, -1.16]])
    with pytest.raises(ValueError, match=r"species pair \(6, 6\)"):
        arise_soap(co2)
    skipped = arise_soap(co2, undefined_pairs="skip")
    pairs = arise_coefficients(co2, undefined_pairs="skip")
    assert [(p.centre, p.neighbour) for p in pairs] == [(6, 8), (8, 6), (8, 8)]
    assert np.isfinite(skipped).all()
    ref = arise_soap(co2, undefined_pairs="skip", backend="quippy")  # quippy-ase: a hard dependency
    np.testing.assert_allclose(skipped, ref, atol=TOL, rtol=0)


def test_bad_inputs_raise():
    atoms = structure("fcc", repeat=(2, 1, 1))
    atoms.positions[0, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        arise_soap(atoms)
    with pytest.raises(ValueError, match="backend"):
        arise_soap(structure("fcc"), backend="dscribe")
    with pytest.raises(ValueError, match="extrinsic_scale"):
        arise_soap(structure("fcc"), extrinsic_scale=0.0)
    with pytest.raises(ValueError, match="cutoff"):
        arise_soap(structure("fcc"), cutoff=-4.0)
    with pytest.raises(ValueError, match="l_max"):
        arise_soap(structure("fcc"), l_max=99)
    with pytest.raises(ValueError, match="no atoms"):
        arise_soap(Atoms())
    with pytest.raises(ValueError, match="empty"):
        arise_soap_batch([])


def test_quippy_backend_without_quippy(monkeypatch):
    monkeypatch.setitem(sys.modules, "quippy", None)
    monkeypatch.setitem(sys.modules, "quippy.descriptors", None)
    with pytest.raises(ImportError, match="quippy-ase"):
        arise_soap(structure("fcc"), backend="quippy")


def test_float32_coefficients_in_blocks_equal_float64(monkeypatch):
    """dtype=float32 computes blocks of centres in float64 and rounds them: the float64 rows, rounded;
    box sums of float32 rows (C++, no float64 copy) equal the float64 sums of the same rounded values."""
    import arisekit.descriptors.arise as arise_module
    from arisekit import _core

    atoms = Atoms("Cu3Au", positions=[[0, 0, 0], [0, 1.9, 1.9], [1.9, 0, 1.9], [1.9, 1.9, 0]], cell=[3.8] * 3)
    atoms = atoms.repeat(3)
    atoms.pbc = True
    d = ARISEDescriptor()
    ref = d.coefficients(atoms)
    monkeypatch.setattr(arise_module, "COEFFICIENT_BLOCK", 7)  # several blocks per species pair
    low = d.coefficients(atoms, dtype=np.float32)
    assert [(p.centre, p.neighbour) for p in low] == [(p.centre, p.neighbour) for p in ref]
    for a, b in zip(ref, low, strict=True):
        assert b.coefficients.dtype == np.float32
        np.testing.assert_array_equal(a.centres, b.centres)
        np.testing.assert_array_equal(a.coefficients.astype(np.float32), b.coefficients)
    with pytest.raises(ValueError, match="dtype"):
        d.coefficients(atoms, dtype=np.int64)
    values = low[0].coefficients
    offsets = np.array([0, 3, 3, len(values)], dtype=np.int64)
    indices = np.r_[[0, 5, 2], np.arange(len(values))].astype(np.int32)
    boxes, row = np.arange(3, dtype=np.int64), np.arange(len(values), dtype=np.int64)
    s32, c32 = _core.box_row_sums(offsets, indices, boxes, row, values, 1)
    s64, c64 = _core.box_row_sums(offsets, indices, boxes, row, values.astype(np.float64), 1)
    np.testing.assert_array_equal(s32, s64)
    np.testing.assert_array_equal(c32, c64)
