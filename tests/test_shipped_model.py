"""The model shipped with the package: integrity, every pristine prototype, uncertainty under noise."""

import json

import numpy as np
import pytest

from arisekit import prototypes
from arisekit.descriptors import arise_soap_batch
from arisekit.model import default_model_dir, load_model


@pytest.fixture(scope="module")
def model():
    return load_model()


def describe(model, structures):
    """Descriptors made the way the model's training data were (its recorded central weight included)."""
    return arise_soap_batch(structures, **model.descriptor_params_)


def test_shipped_model_matches_the_library(model):
    assert list(model.classes_) == prototypes.names()
    assert model.n_features_in_ == 316
    recorded = json.loads((default_model_dir() / "metadata.json").read_text())["descriptor_params"]
    # a model file that does not record central_weight was trained with 1.0 (arisekit's former default)
    weight = recorded.get("central_weight", 1.0)
    assert model.descriptor_params_ == {
        "cutoff": 4.0,
        "atom_sigma": 0.1,
        "extrinsic_scale": 1.0,
        "central_weight": weight,
    }
    assert weight in (0.0, 1.0)
    manifest = json.loads((default_model_dir() / "manifest.json").read_text())
    assert set(manifest["files"]) == {"model.keras", "metadata.json"}


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
    mi = model.predict_uncertainty(describe(model, structures), n_samples=300, seed=0).mutual_information
    per_level = mi.reshape(len(levels), 4).mean(axis=1)
    assert per_level[0] < 0.01
    assert per_level[-1] > 10 * max(per_level[0], 1e-3)
    assert per_level[-1] > per_level[1]
