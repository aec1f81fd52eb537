"""Every structure with a d_NN is classified (1-atom periodic cells included), with the model's own
descriptor parameters (its recorded central weight) on every path: classify, SPM, OVITO, ASE."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

import arisekit
from arisekit.descriptors import arise as arise_module
from arisekit.descriptors import arise_soap
from arisekit.model import classify_descriptors, load_model


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def _sc(a: float = 3.35) -> Atoms:
    return Atoms("Po", positions=[[0, 0, 0]], cell=np.eye(3) * a, pbc=True)


@pytest.mark.parametrize(
    "make, expected",
    [(lambda: bulk("Cu"), "fcc"), (lambda: bulk("Fe"), "bcc"), (_sc, "sc")],
    ids=["fcc", "bcc", "sc"],
)
def test_one_atom_periodic_cells_are_classified(shipped, make, expected):
    atoms = make()
    assert len(atoms) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # periodic: no few-atoms warning
        res = arisekit.classify(atoms, n_samples=10, model=shipped)
    assert res.prediction == expected and res.n_atoms == 1


def test_partly_periodic_one_atom_cells_are_accepted(shipped):
    square = Atoms("Cu", positions=[[0, 0, 0]], cell=np.diag([2.5, 2.5, 12.0]), pbc=(True, True, False))
    chain = Atoms("Cu", positions=[[0, 0, 0]], cell=np.diag([12.0, 12.0, 2.5]), pbc=(False, False, True))
    results = arisekit.classify([square, chain], n_samples=10, model=shipped)
    assert [r.n_atoms for r in results] == [1, 1]
    assert all(np.isfinite(r.probabilities).all() for r in results)


def test_isolated_atom_and_dimers(shipped):
    with pytest.raises(ValueError, match=r"atoms\[0\]: .*d_NN is undefined for an isolated atom"):
        arisekit.classify(Atoms("Cu", positions=[[0, 0, 0]]), n_samples=10, model=shipped)
    with pytest.raises(ValueError, match=r"atoms\[1\]: .*isolated atom"):
        arisekit.classify([bulk("Cu"), Atoms("Fe", positions=[[1, 1, 1]])], n_samples=10, model=shipped)
    # an open homonuclear dimer has a d_NN (its bond): classified, with the few-atoms warning
    with pytest.warns(UserWarning, match="non-periodic structure with only 2 atoms"):
        res = arisekit.classify(Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 2.5]]), n_samples=10, model=shipped)
    assert res.n_atoms == 2
    # an open heteronuclear dimer: (C, C) and (O, O) have no d_NN (documented undefined_pairs rule)
    with pytest.raises(ValueError, match=r"atoms\[0\]: species pair \(6, 6\)"):
        arisekit.classify(Atoms("CO", positions=[[0, 0, 0], [0, 0, 1.13]]), model=shipped, min_open_atoms=0)


def test_classify_uses_the_models_central_weight(shipped):
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    atoms.rattle(0.05, seed=3)
    weight = shipped.descriptor_params_["central_weight"]
    for w in (weight, 1.0 - weight):  # the recorded weight, and the other one
        model = copy.deepcopy(shipped)
        model.descriptor_params_["central_weight"] = w
        got = arisekit.classify(atoms, n_samples=20, model=model, seed=1)
        x = arise_soap(atoms, **model.descriptor_params_)
        assert model.descriptor_params_ == {"cutoff": 4.0, "atom_sigma": 0.1, "extrinsic_scale": 1.0,
                                            "central_weight": w, "d_nn_method": "shell"}  # fmt: skip
        (ref,) = classify_descriptors(x[None], model, n_samples=20, seed=1)
        np.testing.assert_array_equal(got.probabilities, ref.probabilities)


def test_spm_ovito_and_ase_paths_describe_with_the_models_weight(shipped, monkeypatch):
    """Every SOAP calculator built on the way gets the model's central weight."""
    from arisekit.ase import ARISECalculator
    from arisekit.ovito.compute import run_global
    from arisekit.spm import spm

    model = copy.deepcopy(shipped)
    model.descriptor_params_["central_weight"] = 0.25  # neither default: it must come from the model
    seen = []
    original = arise_module.Soap

    def spy(cutoff, **kwargs):
        seen.append(kwargs["central_weight"])
        return original(cutoff, **kwargs)

    monkeypatch.setattr(arise_module, "Soap", spy)  # ARISEDescriptor.soap builds its calculator with it
    sample = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(4)
    for mode in ("fast", "exact"):
        spm(sample, box_size=8.0, stride=6.0, mode=mode, n_samples=5, model=model, min_atoms=2)
    gen = run_global(bulk("Cu"), model, 5, 0)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        assert stop.value.classification.n_atoms == 1
    ARISECalculator(model=model, n_samples=5).get_property("prediction", bulk("Fe"))
    assert seen and set(seen) == {0.25}
