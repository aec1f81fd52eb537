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


# ----------------------------------------------------------------------------------------- SPMParameters
def test_spm_parameters_defaults_round_trip_and_hash():
    from arisekit.spm import SPMParameters

    p = SPMParameters(box_size=12, stride=2, box_descriptors="exact", representations=[0, 1])
    assert p.box_size == 12.0 and isinstance(p.box_size, float) and p.representations == (0, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.stride = 3.0
    assert hash(p) == hash(
        SPMParameters(box_size=12.0, stride=2.0, box_descriptors="exact", representations=(0, 1))
    )
    back = SPMParameters.from_dict(json.loads(json.dumps(p.to_dict())))
    assert back == p
    assert pickle.loads(pickle.dumps(p)) == p
    assert SPMParameters().n_samples == 100  # arisekit.modes.DEFAULT_N_SAMPLES["spm"]


def test_spm_parameters_older_keywords_and_overrides():
    from arisekit.spm import SPMParameters

    p = SPMParameters.from_kwargs(None, mode="exact", box_size=10.0, stride=5.0)
    assert p.box_descriptors == "exact"
    assert SPMParameters.from_kwargs(p, spm_mode="fast").box_descriptors == "fast"
    assert p.replace(n_samples=7).n_samples == 7 and p.replace(n_samples=7).box_size == 10.0
    with pytest.raises(ValueError, match=r"\['box'\]: unknown"):
        SPMParameters.from_kwargs(p, box=3.0)
    with pytest.raises(ValueError, match="given twice"):
        SPMParameters.from_kwargs(None, mode="exact", box_descriptors="fast")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"box_size": 0.0}, "SPMParameters.box_size: must be a positive length in Å"),
        ({"stride": float("nan")}, "SPMParameters.stride"),
        ({"stride": 20.0}, "stride: 20.0 Å is larger than box_size 16.0 Å"),
        ({"box_descriptors": "approximate"}, r"box_descriptors: must be one of \('fast', 'exact'\)"),
        ({"geometry": "sphere"}, "SPMParameters.geometry"),
        ({"axis": 3}, "SPMParameters.axis"),
        ({"n_samples": 0}, "SPMParameters.n_samples: must be an integer ≥ 1"),
        ({"min_atoms": 1}, "SPMParameters.min_atoms: must be an integer ≥ 2"),
        ({"seed": 1.5}, "SPMParameters.seed"),
        ({"surface_threshold": -1.0}, "SPMParameters.surface_threshold"),
        ({"chunk": 0}, "SPMParameters.chunk"),
        ({"adaptive": "yes"}, "SPMParameters.adaptive: must be True or False"),
    ],
)
def test_spm_parameters_validation_names_the_parameter(kwargs, message):
    from arisekit.spm import SPMParameters

    with pytest.raises(ValueError, match=message):
        SPMParameters(**kwargs)


def test_one_mode_vocabulary():
    from arisekit.ase.calculator import MODES as ASE_MODES
    from arisekit.batch import MODES as BATCH_MODES
    from arisekit.modes import MODES, check_mode, default_n_samples

    assert MODES == ASE_MODES == BATCH_MODES == ("global", "spm")
    assert check_mode("local") == check_mode("spm_atoms") == "spm"  # older spellings
    assert default_n_samples("global") == 1000 and default_n_samples("spm") == 100
    assert default_n_samples("spm", 7) == 7
    with pytest.raises(ValueError, match="mode: must be one of"):
        check_mode("nearby")


def test_spm_positional_box_size_gets_a_clear_message():
    from arisekit.spm import SPMParameters

    with pytest.raises(TypeError, match="pass box_size= and stride= by name"):
        SPMParameters.from_kwargs(12.0)
