"""Frozen, validated parameter objects: ARISEDescriptor (and the SPM run parameters)."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest
from ase.build import bulk

from arisekit.descriptors import ARISEDescriptor, Soap, arise_calculator, arise_soap, arise_soap_batch


def test_descriptor_defaults_are_the_paper_descriptor():
    d = ARISEDescriptor()
    assert (d.cutoff, d.atom_sigma, d.n_max, d.l_max, d.central_weight) == (4.0, 0.1, 9, 6, 0.0)
    assert d.dim == 316
    atoms = bulk("NaCl", "rocksalt", a=5.64)
    x = d.compute(atoms)
    assert x.shape == (d.dim,)
    np.testing.assert_array_equal(x, arise_soap(atoms))
    np.testing.assert_array_equal(d.compute_many([atoms, atoms]), arise_soap_batch([atoms, atoms]))
    pairs = d.coefficients(atoms)
    assert [(p.centre, p.neighbour) for p in pairs] == [(11, 11), (11, 17), (17, 11), (17, 17)]


def test_descriptor_is_frozen_hashable_and_round_trips():
    d = ARISEDescriptor(central_weight=1, d_nn_method="mean")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.cutoff = 5.0
    assert d == ARISEDescriptor(central_weight=1.0, d_nn_method="mean")
    assert hash(d) == hash(ARISEDescriptor(central_weight=1.0, d_nn_method="mean"))
    assert d != ARISEDescriptor()
    assert isinstance(d.central_weight, float)  # normalised: 1 -> 1.0
    text = json.dumps(d.to_dict())
    assert ARISEDescriptor.from_dict(json.loads(text)) == d
    _ = d.soap  # a built C++ calculator does not get in the way of pickling
    back = pickle.loads(pickle.dumps(d))
    assert back == d and isinstance(back.soap, Soap)
    assert d.replace(cutoff=5.0).cutoff == 5.0


def test_from_dict_reads_model_parameters():
    params = {"cutoff": 4.0, "atom_sigma": 0.1, "d_nn_method": "shell", "name": "arise", "length": 316}
    assert ARISEDescriptor.from_dict(params) == ARISEDescriptor(d_nn_method="shell")
    with pytest.raises(ValueError, match=r"\['bogus'\]: unknown"):
        ARISEDescriptor.from_dict({"bogus": 1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cutoff": -1.0}, "ARISEDescriptor.cutoff: must be a positive"),
        ({"atom_sigma": float("nan")}, "ARISEDescriptor.atom_sigma"),
        ({"extrinsic_scale": 0}, "ARISEDescriptor.extrinsic_scale"),
        ({"n_max": 0}, "ARISEDescriptor.n_max must be an integer in"),
        ({"l_max": 2.5}, "ARISEDescriptor.l_max"),
        ({"central_weight": float("inf")}, "ARISEDescriptor.central_weight"),
        ({"cutoff_transition_width": 5.0}, r"cutoff_transition_width: must lie in \[0, cutoff=4.0\]"),
        ({"d_nn_method": "median"}, "ARISEDescriptor.d_nn_method: must be one of"),
        ({"undefined_pairs": "ignore"}, "ARISEDescriptor.undefined_pairs"),
        ({"backend": "dscribe"}, "ARISEDescriptor.backend"),
    ],
)
def test_descriptor_validation_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ARISEDescriptor(**kwargs)


def test_unknown_keywords_are_not_swallowed():
    with pytest.raises(TypeError, match="ARISE descriptor parameters are"):
        arise_calculator(extrinsic_scal=2.0)
    with pytest.raises(TypeError, match="ARISE descriptor parameters are"):
        arise_soap(bulk("Cu"), cutof=3.0)
    assert arise_calculator(extrinsic_scale=2.0).central_weight == 0.0
