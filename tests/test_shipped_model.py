"""The model shipped with the package: integrity, every pristine prototype, uncertainty under noise."""

import json

import numpy as np
import pytest

from arisekit import prototypes
from arisekit.descriptors import arise_soap_batch
from arisekit.model import default_model_dir, load_model
from arisekit.model.uncertainty import DISORDERED_CLASS, disorder_score


@pytest.fixture(scope="module")
def model():
    return load_model()


def describe(model, structures):
    """Descriptors made the way the model's training data were (its recorded central weight included)."""
    return arise_soap_batch(structures, **model.descriptor_params_)


def test_shipped_model_matches_the_library(model):
    # the library's classes, then the disorder verdict
    assert list(model.classes_) == [*prototypes.names(), DISORDERED_CLASS]
    assert model.n_features_in_ == 316
    recorded = json.loads((default_model_dir() / "metadata.json").read_text())["descriptor_params"]
    # a model file that does not record central_weight was trained with 1.0 (arisekit's former default)
    weight = recorded.get("central_weight", 1.0)
    assert model.descriptor_params_ == {
        "cutoff": 4.0,
        "atom_sigma": 0.1,
        "extrinsic_scale": 1.0,
        "central_weight": weight,
        "d_nn_method": "shell",
    }
    assert weight in (0.0, 1.0)
    manifest = json.loads((default_model_dir() / "manifest.json").read_text())
    assert set(manifest["files"]) == {"model.keras", "metadata.json", "novelty.npz"}


def test_every_pristine_prototype_is_recognised_with_low_uncertainty(model):
    names = prototypes.names()
    X = describe(model, [prototypes.supercells(name)[0] for name in names])
    res = model.predict_uncertainty(X, n_samples=200, seed=0)
    predicted = [model.classes_[k] for k in res.probabilities.argmax(axis=1)]
    wrong = [(n, p) for n, p in zip(names, predicted) if n != p]
    assert not wrong
    assert np.median(res.mutual_information) < 0.01
    assert res.mutual_information.max() < 0.2


def test_mutual_information_rises_with_noise(model):
    rng = np.random.default_rng(5)
    base = prototypes.supercells("fcc")[0]
    levels = (0.0, 0.04, 0.10, 0.20)
    structures = [
        prototypes.displace(base, delta, rng) if delta else base for delta in levels for _ in range(4)
    ]
    res = model.predict_uncertainty(describe(model, structures), n_samples=300, seed=0)
    per_level = res.mutual_information.reshape(len(levels), 4).mean(axis=1)
    score = disorder_score(res.probabilities, model.classes_).reshape(len(levels), 4).mean(axis=1)
    assert per_level[0] < 0.01 and score[0] < 0.01
    # 20 % uniform displacements: the answer is uncertain, or the structure is called disordered
    assert per_level[-1] > 10 * max(per_level[0], 1e-3) or score[-1] > 0.5
    assert per_level[-1] + score[-1] > per_level[1] + score[1]


def test_thermal_crystals_liquid_like_matter_and_a_gas(model):
    """Gaussian (thermal) noise of 5 % of d_NN keeps fcc/bcc; a random gas gets the disorder verdict."""
    from arisekit.dataset.disorder import gaussian_displacements, random_gas
    from arisekit.geometry import nearest_neighbor_distance

    rng = np.random.default_rng(11)
    cells = [prototypes.supercells(name)[1] for name in ("fcc", "bcc")]
    for cell in cells:
        cell.pbc = True
    hot = [gaussian_displacements(c, 0.05, rng, nearest_neighbor_distance(c)) for c in cells]
    gas = [random_gas(300, rng, periodic=True), random_gas(150, rng, periodic=False)]
    res = model.predict_uncertainty(describe(model, hot + gas), n_samples=100, seed=0)
    predicted = [model.classes_[k] for k in res.probabilities.argmax(axis=1)]
    assert predicted == ["fcc", "bcc", DISORDERED_CLASS, DISORDERED_CLASS]


def test_demo_polycrystal_boundaries_get_the_verdict_not_a_third_crystal(tmp_path):
    """The demo's 4-grain slab: grain interiors right, boundary boxes 'disordered' (no third crystal)."""
    from arisekit.demo import DEMO_GRAINS, run_demo

    summary = run_demo(tmp_path, n_samples=20)
    assert summary["grain_interior_atom_accuracy"] >= 0.99
    fractions = summary["spm"]["class_fractions"]
    assert set(fractions) <= {*DEMO_GRAINS, DISORDERED_CLASS}
    assert 0.05 < fractions[DISORDERED_CLASS] < 0.4
