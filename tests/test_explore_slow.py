"""Spatially slow features of SPM boxes (arisekit.explore.slow): neighbour pairs on the grid, recovery of a
small domain-level signal hidden under larger box-to-box noise, errors, and the explore() option."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from arisekit.explore.slow import grid_neighbour_pairs, slow_features


def test_neighbour_pairs_of_a_full_and_a_partial_grid():
    shape = (2, 3, 4)
    ids = np.arange(24)
    pairs = grid_neighbour_pairs(ids, shape)
    assert len(pairs) == 1 * 3 * 4 + 2 * 2 * 4 + 2 * 3 * 3
    a, b = (np.array(np.unravel_index(ids[pairs[:, k]], shape)) for k in (0, 1))
    assert np.all(np.abs(a - b).sum(axis=0) == 1)  # one step along exactly one axis
    # a 2 x 4 grid without boxes 1 and 5: no pair touches them, rows refer to the given ids
    kept = np.array([0, 2, 3, 4, 6, 7])
    sub = grid_neighbour_pairs(kept, (2, 4))
    assert sorted(map(tuple, kept[sub].tolist())) == [(0, 4), (2, 3), (2, 6), (3, 7), (6, 7)]
    with pytest.raises(ValueError, match="box ids"):
        grid_neighbour_pairs(np.array([0, 8]), (2, 4))


def _two_domains(seed=0, n=16, units=24):
    """Boxes of an n^3 grid, two half-space domains that differ along one unit of ``units``-dimensional
    features (5 times that unit's noise, which is 3-10 times smaller than every other unit's), under noise
    averaged over 4^3 neighbouring cells (as overlapping boxes share atoms) and a smooth nuisance."""
    from scipy.ndimage import uniform_filter

    rng = np.random.default_rng(seed)
    ijk = np.stack(np.unravel_index(np.arange(n**3), (n, n, n)), axis=1)
    domain = (ijk[:, 0] >= n // 2).astype(int)
    scale = rng.uniform(3.0, 10.0, size=units)
    scale[3] = 1.0
    cells = rng.normal(size=(n + 3, n + 3, n + 3, units)) * scale
    x = 4.0 * uniform_filter(cells, size=(4, 4, 4, 1))[1 : n + 1, 1 : n + 1, 1 : n + 1].reshape(n**3, units)
    spread = x.std(axis=0)
    signal = np.zeros(units)
    signal[3] = 1.0
    x += 5.0 * spread[3] * (domain[:, None] - 0.5) * signal  # the split: 5 times its unit's noise
    x += np.sin(ijk[:, 1] / n * np.pi)[:, None] * 0.5 * rng.normal(size=units)  # slow, not a split
    return np.arange(n**3), (n, n, n), x, domain


def test_slow_features_find_a_small_domain_split_that_pca_misses():
    ids, shape, x, domain = _two_domains()
    y = slow_features(x, ids, shape, 3)
    assert y.shape == (len(ids), 3)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.std(axis=0), 1.0)

    def split(v):  # share of boxes on the right side of the best linear threshold in these 3 features
        return LinearDiscriminantAnalysis().fit(v, domain).score(v, domain)

    assert split(y) >= 0.95
    assert split(PCA(3).fit_transform(x)) < 0.75
    # a ratio of variances: scaling the units changes nothing (but the tiny regularisation)
    z = slow_features(x * np.linspace(0.1, 10.0, x.shape[1]), ids, shape, 3)
    np.testing.assert_allclose(np.abs(np.sum(z * y, axis=0)) / len(y), 1.0, atol=1e-3)


def test_slow_features_reject_bad_input():
    ids, shape, x, _ = _two_domains(n=6, units=4)
    with pytest.raises(ValueError, match="n_components"):
        slow_features(x, ids, shape, 5)
    with pytest.raises(ValueError, match="n_components"):
        slow_features(x, ids, shape, 0)
    with pytest.raises(ValueError, match="one row per box"):
        slow_features(x[:-1], ids, shape, 2)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        slow_features(bad, ids, shape, 2)
    lonely = np.array([0, 2, 4, 12, 14, 16])  # no two of them adjacent on the 6^3 grid
    with pytest.raises(ValueError, match="adjacent boxes"):
        slow_features(x[: len(lonely)], lonely, shape, 2)
    # fewer neighbour pairs than units: the leading principal components are used, still 2 slow features
    few = np.arange(6)  # one row of the grid: 5 pairs for 4 units, so 2 principal components are kept
    assert slow_features(x[:6], few, shape, 2).shape == (6, 2)


def test_explore_clusters_slow_features_of_an_spm_result(metal_model):
    from arisekit.explore import explore
    from arisekit.samples import polycrystal
    from arisekit.spm import spm

    sample = polycrystal(["fcc", "bcc"], size=(60, 30, 10), geometry="slab", seed=1, species="Cu")
    result = spm(sample, box_size=10.0, stride=2.5, mode="exact", model=metal_model, n_samples=4,
                 representations=[0])  # fmt: skip
    ex = explore(result, layer=0, slow_features=2, min_cluster_size=10, embed=False)
    assert ex.params["slow_features"] == 2
    assert ex.clustering.n_clusters >= 2
    with pytest.raises(ValueError, match="slow_features"):
        explore(ex.data, slow_features=2, min_cluster_size=10, embed=False)
    with pytest.raises(ValueError, match="slow_features"):
        explore(result, slow_features=-1)
