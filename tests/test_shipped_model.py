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


def test_shipped_model_matches_the_library(model):
    assert list(model.classes_) == prototypes.names()
    assert model.n_features_in_ == 316
    assert model.descriptor_params_ == {"cutoff": 4.0, "atom_sigma": 0.1, "extrinsic_scale": 1.0}
    manifest = json.loads((default_model_dir() / "manifest.json").read_text())
    assert set(manifest["files"]) == {"model.keras", "metadata.json"}


def test_every_pristine_prototype_is_recognised_with_low_uncertainty(model):
    names = prototypes.names()
    X = arise_soap_batch([prototypes.supercells(name)[0] for name in names])
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
    mi = model.predict_uncertainty(arise_soap_batch(structures), n_samples=300, seed=0).mutual_information
    per_level = mi.reshape(len(levels), 4).mean(axis=1)
    assert per_level[0] < 0.01
    assert per_level[-1] > 10 * max(per_level[0], 1e-3)
    assert per_level[-1] > per_level[1]
