"""Adaptive Monte-Carlo dropout (arisekit.spm.adaptive, experimental): settled boxes keep the fixed-T class
(and here, on the bicrystal, MI within the tolerance; benchmarks/spm_adaptive.py shows frames where MI does
not); unsettled boxes are exactly the fixed-T result."""

import numpy as np
import pytest
from helpers import METALS, bicrystal

from arisekit.spm.adaptive import AdaptiveMC, adaptive_predict, settled
from arisekit.spm.core import _descriptor, _prepare
from arisekit.spm.descriptors import exact_descriptors
from arisekit.spm.grid import spm_grid


@pytest.fixture(scope="module")
def X(metal_model):
    sample = _prepare(bicrystal())  # grains and a boundary: settled and unsettled boxes
    grid, _, _ = spm_grid(sample.positions, 10.0, 2.0)
    valid = grid.counts >= 10
    return np.concatenate([x for _, x in exact_descriptors(sample, grid, _descriptor(metal_model), valid)])


def test_adaptive_matches_fixed_t(X, metal_model):
    T, rule = 100, AdaptiveMC(first=16)
    ref = metal_model.predict_uncertainty(X, n_samples=T, seed=5)
    res = adaptive_predict(metal_model, X, T, 5, rule)
    early = res.passes < T
    assert early.any()
    np.testing.assert_array_equal(np.argmax(res.probabilities, 1), np.argmax(ref.probabilities, 1))
    assert np.abs(res.mutual_information - ref.mutual_information)[early].max() <= rule.mi_tolerance
    np.testing.assert_allclose(res.probabilities[~early], ref.probabilities[~early], atol=1e-6)
    np.testing.assert_allclose(res.mutual_information[~early], ref.mutual_information[~early], atol=1e-6)


def test_rule_settles_agreeing_passes_only():
    rule = AdaptiveMC(first=10)
    sure = np.tile([0.98, 0.01, 0.01], (10, 1))[:, None, :]
    torn = np.array([[0.9, 0.1, 0.0], [0.1, 0.9, 0.0]] * 5)[:, None, :]
    assert settled(np.concatenate([sure, torn], axis=1), 100, rule).tolist() == [True, False]
    assert settled(torn, 10, rule).all()  # all passes run: nothing left to settle


def test_arguments_are_checked(X, metal_model):
    with pytest.raises(ValueError, match="seed"):
        adaptive_predict(metal_model, X[:3], 50, None, AdaptiveMC())
    with pytest.raises(ValueError, match="first"):
        AdaptiveMC(first=1)
    assert METALS  # helpers import used by the shared fixtures
