"""Monte-Carlo dropout inference and uncertainty measures (NumPy only, no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from arisekit import _core
from arisekit.model.mc_dropout import MCDropoutEngine, draw_dropout_masks, mc_dropout_predict
from arisekit.model.network import MLPWeights, deterministic_forward, hidden_representations
from arisekit.model.uncertainty import entropy, uncertainty_from_samples


def random_weights(dims=(20, 16, 24, 5), rate=0.1, seed=1, standardize=False) -> MLPWeights:
    rng = np.random.default_rng(seed)
    kernels = [rng.normal(0, 1.5 / np.sqrt(a), (a, b)) for a, b in zip(dims[:-1], dims[1:], strict=True)]
    biases = [rng.normal(0, 0.2, b) for b in dims[1:]]
    mean = scale = None
    if standardize:
        mean, scale = rng.normal(0, 1, dims[0]), rng.uniform(0.5, 2, dims[0])
    return MLPWeights(kernels, biases, [rate] * (len(dims) - 1), mean, scale)


def reference_mc(weights: MLPWeights, X: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
    """Straightforward per-pass loop with explicit inverted-dropout scaling: (T, n, C) probabilities."""
    rng = np.random.default_rng(seed)
    masks = draw_dropout_masks(rng, weights, n_samples)
    out = []
    for t in range(n_samples):
        h = weights.standardize(X).astype(np.float64)
        for i, (k, b) in enumerate(zip(weights.kernels, weights.biases, strict=True)):
            if masks[i] is not None:
                h = h * masks[i][t] / (1.0 - weights.dropout_rates[i])
            h = h @ k + b
            if i < len(weights.kernels) - 1:
                h = np.maximum(h, 0.0)
        e = np.exp(h - h.max(axis=1, keepdims=True))
        out.append(e / e.sum(axis=1, keepdims=True))
    return np.stack(out)


def test_entropy_limits():
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(np.log(8))
    assert entropy(np.eye(4)[2]) == 0.0


def test_measures_on_hand_example():
    # two passes, one structure: certain but contradicting -> MI = ln 2, variation ratio 1/2
    s = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    u = uncertainty_from_samples(s)
    assert u["predictive_entropy"][0] == pytest.approx(np.log(2))
    assert u["expected_entropy"][0] == pytest.approx(0.0)
    assert u["mutual_information"][0] == pytest.approx(np.log(2))
    assert u["variation_ratio"][0] == pytest.approx(0.5)
    # agreeing but uncertain passes: entropy high, MI zero
    s = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])
    u = uncertainty_from_samples(s)
    assert u["mutual_information"][0] == pytest.approx(0.0)
    assert u["predictive_entropy"][0] == pytest.approx(np.log(2))


def test_batched_engine_matches_reference_loop():
    w = random_weights(rate=0.2, standardize=True)
    X = np.random.default_rng(5).normal(size=(7, 20))
    res = mc_dropout_predict(w, X, n_samples=60, seed=11, chunk_rows=50, return_samples=True)
    ref = reference_mc(w, X, 60, 11)
    np.testing.assert_allclose(res.samples, ref, atol=2e-5)
    expected = uncertainty_from_samples(ref)
    for key in ("probabilities", "predictive_entropy", "expected_entropy", "mutual_information"):
        np.testing.assert_allclose(getattr(res, key), expected[key], atol=2e-5, err_msg=key)
    np.testing.assert_array_equal(res.variation_ratio, expected["variation_ratio"])
    assert res.samples.shape == (60, 7, 5)


@pytest.mark.parametrize(
    ("dims", "rates"),
    [
        ((20, 16, 24, 5), (0.2, 0.2, 0.2)),
        ((20, 16, 24, 5), (0.0, 0.3, 0.0)),  # no input dropout, one hidden dropout layer
        ((20, 16, 24, 5), (0.25, 0.0, 0.0)),  # input dropout only
        ((20, 16, 5), (0.0, 0.0)),  # no dropout at all
        ((20, 5), (0.3,)),  # a single dense layer: the input layer gives the logits
    ],
)
def test_block_parallel_plan_matches_reference_loop(dims, rates):
    # many structures: blocks run pass by pass with compacted kernels on worker threads
    rng = np.random.default_rng(7)
    kernels = [rng.normal(0, 1.5 / np.sqrt(a), (a, b)) for a, b in zip(dims[:-1], dims[1:], strict=True)]
    biases = [rng.normal(0, 0.2, b) for b in dims[1:]]
    w = MLPWeights(kernels, biases, rates, rng.normal(0, 1, dims[0]), rng.uniform(0.5, 2, dims[0]))
    X = rng.normal(size=(MCDropoutEngine.PASS_MAJOR_MIN_ROWS + 37, dims[0]))
    n_samples = 45  # more than one group of planned passes
    res = mc_dropout_predict(w, X, n_samples=n_samples, seed=5, chunk_rows=200, return_samples=True,
                             n_threads=2)  # fmt: skip
    ref = reference_mc(w, X, n_samples, 5)
    np.testing.assert_allclose(res.samples, ref, atol=2e-5)
    expected = uncertainty_from_samples(ref)
    for key in ("probabilities", "predictive_entropy", "expected_entropy", "mutual_information"):
        np.testing.assert_allclose(getattr(res, key), expected[key], atol=2e-5, err_msg=key)
    np.testing.assert_array_equal(res.variation_ratio, expected["variation_ratio"])
    # the same numbers with one thread and with the small-batch plan (up to float32 rounding)
    one = mc_dropout_predict(w, X, n_samples=n_samples, seed=5, n_threads=1)
    np.testing.assert_allclose(one.probabilities, res.probabilities, atol=1e-6)
    engine = MCDropoutEngine(w)
    engine.PASS_MAJOR_MIN_ROWS = len(X) + 1
    batched = engine.predict(X, n_samples, seed=5)
    np.testing.assert_allclose(batched.probabilities, res.probabilities, atol=1e-6)
    np.testing.assert_allclose(batched.mutual_information, res.mutual_information, atol=2e-6)


def test_n_threads_is_checked():
    with pytest.raises(ValueError, match="n_threads"):
        mc_dropout_predict(random_weights(), np.zeros((1, 20)), n_samples=2, n_threads=-1)


def test_fused_kernels_match_numpy():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(37, 11)).astype(np.float32)
    b = rng.normal(size=11).astype(np.float32)
    out = z.copy()
    _core.bias_relu(out, b)
    np.testing.assert_array_equal(out, np.maximum(z + b, 0))
    base = rng.normal(size=(37, 20)).astype(np.float32)
    cols = np.sort(rng.choice(20, 11, replace=False)).astype(np.int64)
    out = z.copy()
    _core.gathered_difference_relu(out, base, cols)
    np.testing.assert_array_equal(out, np.maximum(base[:, cols] - z, 0))
    # softmax with logits spanning the float32 range (underflowing exponentials included)
    logits = np.concatenate([rng.normal(0, 30, (36, 109)), np.zeros((1, 109))]).astype(np.float32)
    logits[0, :5] = [0.0, -90.0, -200.0, 50.0, 49.0]
    p = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    prob_sum, ent_sum, counts = np.ones((37, 109)), np.ones(37), np.zeros((37, 109), np.int64)
    work = logits.copy()
    _core.softmax_accumulate(work, prob_sum, ent_sum, counts)
    np.testing.assert_allclose(work, p, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(prob_sum - 1.0, p, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(ent_sum - 1.0, entropy(p), atol=1e-6)
    np.testing.assert_array_equal(counts.argmax(axis=1), logits.argmax(axis=1))
    assert counts.sum() == 37 and counts[36, 0] == 1  # ties: the first maximum
    # rows of several passes accumulate into their structure (row r -> structure r % m)
    prob_sum, ent_sum, counts = np.zeros((1, 109)), np.zeros(1), np.zeros((1, 109), np.int64)
    _core.softmax_accumulate(logits.copy(), prob_sum, ent_sum, counts)
    np.testing.assert_allclose(prob_sum[0], p.sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(ent_sum[0], entropy(p).sum(), rtol=1e-6)
    np.testing.assert_array_equal(counts[0], np.bincount(logits.argmax(axis=1), minlength=109))


def test_fused_kernels_reject_bad_arrays():
    z = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="z"):
        _core.bias_relu(z.astype(np.float64), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="bias"):
        _core.bias_relu(z, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="out of range"):
        _core.gathered_difference_relu(z, np.zeros((4, 5), np.float32), np.array([0, 1, 5]))
    with pytest.raises(ValueError, match="base"):
        _core.gathered_difference_relu(z, np.zeros((3, 5), np.float32), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="shapes"):
        _core.softmax_accumulate(z, np.zeros((4, 2)), np.zeros(4), np.zeros((4, 3), np.int64))
    with pytest.raises(ValueError, match="dividing"):
        _core.softmax_accumulate(z, np.zeros((3, 3)), np.zeros(3), np.zeros((3, 3), np.int64))
    with pytest.raises(ValueError, match="entropy_sum"):
        _core.softmax_accumulate(z, np.zeros((4, 3)), np.zeros(3), np.zeros((4, 3), np.int64))
    with pytest.raises(ValueError, match="z"):
        _core.bias_relu(z[:, ::2], np.zeros(2, np.float32))  # not contiguous


def test_result_independent_of_batch_and_chunking():
    w = random_weights()
    X = np.random.default_rng(2).normal(size=(9, 20))
    full = mc_dropout_predict(w, X, n_samples=200, seed=3)
    alone = mc_dropout_predict(w, X[4], n_samples=200, seed=3, chunk_rows=37)
    np.testing.assert_allclose(alone.probabilities[0], full.probabilities[4], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(alone.mutual_information[0], full.mutual_information[4], atol=1e-6)
    small = mc_dropout_predict(w, X, n_samples=200, seed=3, chunk_rows=4)  # chunks over structures too
    np.testing.assert_allclose(small.probabilities, full.probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(small.variation_ratio, full.variation_ratio)


def test_seeded_reproducibility():
    w = random_weights(rate=0.3)
    X = np.random.default_rng(0).normal(size=(3, 20))
    a = mc_dropout_predict(w, X, n_samples=100, seed=42)
    b = mc_dropout_predict(w, X, n_samples=100, seed=42)
    c = mc_dropout_predict(w, X, n_samples=100, seed=43)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    np.testing.assert_array_equal(a.mutual_information, b.mutual_information)
    assert not np.array_equal(a.probabilities, c.probabilities)


def test_no_dropout_equals_deterministic_forward():
    w = random_weights(rate=0.0, standardize=True)
    X = np.random.default_rng(0).normal(size=(6, 20))
    res = mc_dropout_predict(w, X, n_samples=5, seed=0)
    np.testing.assert_allclose(res.probabilities, deterministic_forward(w, X), atol=1e-6)
    assert np.all(res.mutual_information < 1e-5)
    assert np.all(res.variation_ratio == 0)


def test_mask_keep_rate_and_independence():
    w = MLPWeights([np.zeros((400, 3))], [np.zeros(3)], [0.25])
    (m,) = draw_dropout_masks(np.random.default_rng(0), w, 500)
    assert m.shape == (500, 400) and set(np.unique(m)) <= {0.0, 1.0}
    sigma = np.sqrt(0.25 * 0.75 / m.size)
    assert abs(m.mean() - 0.75) < 5 * sigma
    # passes and units are not correlated: per-pass keep fractions scatter binomially
    per_pass = m.mean(axis=1)
    assert per_pass.std() == pytest.approx(np.sqrt(0.25 * 0.75 / 400), rel=0.2)


def test_mc_mean_is_unbiased_for_linear_softmax_input():
    # a single dense layer with input dropout: E[scaled masked x] = x, so logits average to the
    # deterministic logits; with tiny weights softmax is ~linear and the MC mean approaches it
    rng = np.random.default_rng(4)
    w = MLPWeights([rng.normal(0, 1e-3, (50, 4))], [np.zeros(4)], [0.3])
    X = rng.normal(size=(2, 50))
    res = mc_dropout_predict(w, X, n_samples=20000, seed=1)
    np.testing.assert_allclose(res.probabilities, deterministic_forward(w, X), atol=2e-5)


def test_hidden_representations_are_pre_activations():
    w = random_weights(standardize=True)
    X = np.random.default_rng(1).normal(size=(4, 20))
    reps = hidden_representations(w, X)
    assert [r.shape for r in reps] == [(4, 16), (4, 24)]
    z0 = w.standardize(X) @ w.kernels[0] + w.biases[0]
    np.testing.assert_allclose(reps[0], z0, rtol=1e-5, atol=1e-6)
    assert (reps[0] < 0).any()  # before ReLU
    via_mc = mc_dropout_predict(w, X, n_samples=3, representations=[1]).representations
    assert len(via_mc) == 1
    np.testing.assert_array_equal(via_mc[0], reps[1])
    np.testing.assert_allclose(hidden_representations(w, X, layers=[1])[0], reps[1])
    with pytest.raises(ValueError, match="layers"):
        hidden_representations(w, X, layers=[2])


@pytest.mark.parametrize(
    ("X", "kwargs", "match"),
    [
        (np.zeros((2, 19)), {}, "descriptor length 19"),
        (np.full((1, 20), np.nan), {}, "NaN"),
        (np.zeros((0, 20)), {}, "no descriptors"),
        (np.zeros((1, 20)), {"n_samples": 0}, "n_samples"),
        (np.zeros((1, 20)), {"chunk_rows": 0}, "chunk_rows"),
    ],
)
def test_bad_input(X, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mc_dropout_predict(random_weights(), X, **kwargs)


def test_weight_validation():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="do not match"):
        MLPWeights([rng.normal(size=(3, 4))], [np.zeros(5)], [0.1])
    with pytest.raises(ValueError, match="dropout_rates"):
        MLPWeights([rng.normal(size=(3, 4))], [np.zeros(4)], [1.0])
    with pytest.raises(ValueError, match="previous layer"):
        MLPWeights([rng.normal(size=(3, 4)), rng.normal(size=(5, 2))], [np.zeros(4), np.zeros(2)], [0, 0])
    w = random_weights(dims=(316, 256, 512, 256, 108))
    assert w.n_parameters == 371_820  # Table 2 of the paper
