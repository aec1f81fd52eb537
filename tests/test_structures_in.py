"""Structures in: ase.Atoms, OVITO DataCollection, (positions, cell, pbc, numbers) arrays and Structure are
accepted directly and converted once; as_structure returns a Structure unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

import arisekit
from arisekit.descriptors import ARISEDescriptor
from arisekit.geometry import Structure, _input, as_structure, is_structure_like


@pytest.fixture
def nacl():
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True).repeat(2)
    atoms.rattle(0.02, seed=3)
    return atoms


def _same(a: Structure, b: Structure) -> None:
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.cell, b.cell)
    np.testing.assert_array_equal(a.numbers, b.numbers)
    assert a.pbc == b.pbc


def test_as_structure_is_idempotent(nacl):
    s = as_structure(nacl)
    assert as_structure(s) is s
    assert as_structure(as_structure(s)) is s
    open_copy = as_structure(s, pbc=False)  # explicit overrides still apply to a Structure
    assert open_copy.pbc == (False, False, False) and open_copy.positions is s.positions


def test_array_tuple_and_atoms_agree(nacl):
    s = as_structure(nacl)
    t = (nacl.get_positions(), np.asarray(nacl.cell), nacl.pbc, nacl.numbers)
    assert is_structure_like(t) and is_structure_like(nacl) and is_structure_like(s)
    assert not is_structure_like([nacl, nacl])
    _same(as_structure(t), s)
    d = ARISEDescriptor()
    np.testing.assert_array_equal(d.compute(t), d.compute(nacl))
    np.testing.assert_array_equal(d.compute(s), d.compute(nacl))


def test_converted_once_per_structure(nacl, monkeypatch):
    calls = []
    real = _input.check_positions

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_input, "check_positions", counting)
    ARISEDescriptor().compute(nacl)  # 4 species pairs: d_NN and SOAP of each reuse the one Structure
    assert len(calls) == 1


def test_ovito_data_collection(nacl, metal_model):
    from ovito.io.ase import ase_to_ovito

    data = ase_to_ovito(nacl)
    assert is_structure_like(data)
    s = as_structure(data)
    np.testing.assert_allclose(s.positions, nacl.get_positions(), atol=1e-12)
    np.testing.assert_array_equal(s.numbers, nacl.numbers)  # named types keep their elements
    d = ARISEDescriptor()
    np.testing.assert_allclose(d.compute(data), d.compute(nacl), atol=1e-12)
    from_data = arisekit.classify(data, n_samples=10, model=metal_model)
    from_atoms = arisekit.classify(as_structure(data), n_samples=10, model=metal_model)
    np.testing.assert_array_equal(from_data.probabilities, from_atoms.probabilities)


def test_classify_and_spm_take_arrays(metal_model):
    from arisekit.spm import spm

    cu = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(4)
    t = (cu.get_positions(), np.asarray(cu.cell), cu.pbc, cu.numbers)
    a = arisekit.classify(cu, n_samples=10, model=metal_model)
    b = arisekit.classify(t, n_samples=10, model=metal_model)  # one structure, not a list
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    (c,) = arisekit.classify([t], n_samples=10, model=metal_model)
    np.testing.assert_array_equal(a.probabilities, c.probabilities)
    r1 = spm(cu, box_size=8.0, stride=4.0, n_samples=5, model=metal_model)
    r2 = spm(t, box_size=8.0, stride=4.0, n_samples=5, model=metal_model)
    np.testing.assert_array_equal(r1.probabilities, r2.probabilities)
    with pytest.raises(ValueError, match=r"atoms\[0\]: expected an ase.Atoms"):
        arisekit.classify([object()], model=metal_model)


def test_ovito_modifier_reads_data_once_as_arrays(nacl):
    from ovito.io.ase import ase_to_ovito

    from arisekit.ovito.convert import data_to_atoms, data_to_structure, fingerprint

    data = ase_to_ovito(nacl)
    s, origin = data_to_structure(data)
    atoms, origin2 = data_to_atoms(data)
    assert isinstance(s, Structure)
    np.testing.assert_array_equal(origin, origin2)
    _same(s, as_structure(atoms))
    assert fingerprint(s) == fingerprint(atoms)  # the modifier's cache key does not depend on the type
