"""Exploration building blocks on small synthetic data: clustering, sweeps, soft assignment, similarity,
duplicates, exemplars, geometry, MI time series, and bad input."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.explore import (
    OUTLIER,
    ExplorationData,
    best_size,
    cluster,
    cluster_histograms,
    cosine_similarity,
    default_sizes,
    delta_d,
    duplicate_groups,
    filter_points,
    from_spm,
    mi_histograms,
    near_duplicates,
    nearest,
    radial_mi_profile,
    rank_exemplars,
    structure_distances,
    sweep,
    umap_embedding,
)
from arisekit.explore.similarity import References
from arisekit.spm import SPMResult


def blobs(seed=0, n=60, bridge=8):
    """Three separated Gaussian blobs in 8D (sizes 2n, n + 10, n) and a few points between blobs 0, 1."""
    rng = np.random.default_rng(seed)
    centres = np.zeros((3, 8))
    centres[1, 0], centres[2, 1] = 12.0, 12.0
    X = np.vstack(
        [
            rng.normal(centres[0], 1.0, (2 * n, 8)),
            rng.normal(centres[1], 1.0, (n + 10, 8)),
            rng.normal(centres[2], 1.0, (n, 8)),
        ]
    )
    y = np.repeat([0, 1, 2], [2 * n, n + 10, n])
    t = rng.uniform(0.35, 0.65, bridge)[:, None]
    between = (1 - t) * centres[0] + t * centres[1] + rng.normal(0, 0.3, (bridge, 8))
    return np.vstack([X, between]), np.concatenate([y, np.full(bridge, -1)])


def test_cluster_finds_blobs_numbered_by_size():
    X, y = blobs()
    c = cluster(X, 20)
    assert c.n_clusters == 3
    core = y >= 0
    agree = [np.mean(c.labels[core & (y == k)] == k) for k in range(3)]  # largest blob is cluster 0
    assert min(agree) > 0.85
    assert c.membership.shape == (len(X), 3)
    assert np.all((c.probabilities >= 0) & (c.probabilities <= 1))
    assert np.all(c.probabilities[c.labels == OUTLIER] == 0)
    assert 0 < c.validity <= 1
    assert sum(c.sizes().values()) == len(X)


def test_soft_threshold_controls_outlier_rescue():
    X, _ = blobs()
    none = cluster(X, 20, soft_threshold=1.01)
    np.testing.assert_array_equal(none.soft_labels, none.labels)
    every = cluster(X, 20, soft_threshold=0.0)
    assert every.soft_outlier_fraction == 0.0 and none.outlier_fraction > 0
    paper = cluster(X, 20)  # 10 %
    out = paper.labels == OUTLIER
    rescued = out & (paper.soft_labels != OUTLIER)
    assert np.all(paper.membership[rescued].max(axis=1) >= 0.1)
    assert np.all(paper.membership[out & ~rescued].max(axis=1) < 0.1)
    np.testing.assert_array_equal(paper.soft_labels[rescued], paper.membership[rescued].argmax(axis=1))


def test_sweep_table_and_choice():
    X, _ = blobs()
    rows, runs = sweep(X, [5, 20, 100])
    assert [r.min_cluster_size for r in rows] == [5, 20, 100]
    assert rows[2].n_clusters < rows[1].n_clusters  # a cluster must hold 100 points: blobs 1, 2 cannot
    for r in rows:
        assert r.n_outliers == int(np.sum(runs[r.min_cluster_size].labels == OUTLIER))
        assert r.outlier_fraction == pytest.approx(r.n_outliers / len(X))
    assert best_size(rows) in (5, 20)
    assert default_sizes(300) == [5, 10, 25, 50, 100]
    assert default_sizes(6) == [5] and default_sizes(3) == [3]


def test_full_dbcv_and_single_cluster():
    X, _ = blobs()
    full = cluster(X, 20, validity="full")
    assert 0 < full.validity <= 1
    rng = np.random.default_rng(1)
    one = cluster(rng.normal(size=(40, 4)), 10)
    assert one.n_clusters <= 1 and np.isnan(one.validity)
    assert one.membership.shape[0] == 40


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(min_cluster_size=500), "larger than the number of points"),
        (dict(min_cluster_size=1), "min_cluster_size must be an integer >= 2"),
        (dict(min_cluster_size=5, min_samples=0), "min_samples"),
        (dict(min_cluster_size=5, soft_threshold=-0.1), "soft_threshold"),
        (dict(min_cluster_size=5, validity="dbcv"), "validity"),
    ],
)
def test_cluster_bad_parameters(kwargs, message):
    X, _ = blobs()
    with pytest.raises(ValueError, match=message):
        cluster(X, **kwargs)


def test_cluster_bad_points():
    with pytest.raises(ValueError, match="at least 2 points"):
        cluster(np.zeros((1, 3)), 2)
    with pytest.raises(ValueError, match="NaN"):
        cluster(np.full((10, 3), np.nan), 2)
    with pytest.raises(ValueError, match=r"\[500\] are larger than the number of points"):
        sweep(blobs()[0], [5, 500])


def test_umap_embedding_is_seeded_and_validated():
    X, _ = blobs(n=20, bridge=0)
    with pytest.raises(ValueError, match="smaller than the number of points"):
        umap_embedding(X, n_neighbors=len(X))
    with pytest.raises(ValueError, match="n_neighbors"):
        umap_embedding(X, n_neighbors=1)


@pytest.mark.slow  # UMAP's first call compiles with numba (~30 s)
def test_umap_embedding_separates_blobs():
    X, y = blobs(n=20, bridge=0)
    a = umap_embedding(X, n_neighbors=10, seed=3)
    np.testing.assert_allclose(a, umap_embedding(X, n_neighbors=10, seed=3))
    centroids = np.array([a[y == k].mean(axis=0) for k in range(3)])
    spread = max(np.linalg.norm(a[y == k] - centroids[k], axis=1).max() for k in range(3))
    gaps = [np.linalg.norm(centroids[i] - centroids[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > spread


def points(n=30):
    rng = np.random.default_rng(0)
    return ExplorationData(
        features=rng.normal(size=(n, 4)),
        ids=np.arange(n),
        predictions=np.arange(n) % 3,
        mutual_information=np.linspace(0, 0.3, n),
        class_names=["fcc", "bcc", "hcp"],
        layer=0,
    )


def test_filter_points_and_errors():
    d = points()
    bcc = filter_points(d, only_class="bcc")
    assert set(bcc.predicted_names) == {"bcc"} and len(bcc) == 10
    low = filter_points(d, mi_range=(0.0, 0.1))
    assert np.all(low.mutual_information <= 0.1)
    with pytest.raises(ValueError, match=r"unknown class 'bcx'.*Did you mean \['bcc'\]"):
        filter_points(d, only_class="bcx")
    with pytest.raises(ValueError, match="mi_range"):
        filter_points(d, mi_range=(0.2, 0.1))
    with pytest.raises(ValueError, match="no points left"):
        filter_points(d, mi_range=(5.0, 6.0))


def tiny_result(representations):
    n = 4
    return SPMResult(
        shape=(2, 2, 1),
        geometry="slab",
        centers=np.zeros((n, 3)),
        box_size=np.ones(3),
        stride=1.0,
        counts=np.full(n, 20),
        probabilities=np.full((n, 2), 0.5),
        mutual_information=np.zeros(n),
        predictive_entropy=np.zeros(n),
        variation_ratio=np.zeros(n),
        class_names=["a", "b"],
        representations=representations,
    )


def test_from_spm_errors():
    with pytest.raises(ValueError, match="no hidden-layer representations.*representations=True"):
        from_spm(tiny_result({}))
    with pytest.raises(ValueError, match=r"layer 2 .*stored layers: \[0\]"):
        from_spm(tiny_result({0: np.ones((4, 3))}), layer=2)
    d = from_spm(tiny_result({0: np.arange(12.0).reshape(4, 3)}))
    assert len(d) == 4 and d.features.shape == (4, 3)


def test_cosine_nearest_and_duplicates():
    refs = References(
        ["x", "y", "xy"], np.array([[1.0, 0, 0], [0, 1.0, 0], [1.0, 1.0, 0]]), "descriptor", None
    )
    sim = cosine_similarity([[2.0, 0, 0]], refs.features)
    np.testing.assert_allclose(sim, [[1.0, 0.0, 1 / np.sqrt(2)]])
    best = nearest([[2.0, 0.1, 0], [0, 3.0, 0]], refs, k=2)
    assert [b[0][0] for b in best] == ["x", "y"] and best[0][1][0] == "xy"
    with pytest.raises(ValueError, match="zero vectors"):
        cosine_similarity([[0.0, 0, 0]], refs.features)
    with pytest.raises(ValueError, match="widths"):
        cosine_similarity([[1.0, 0]], refs.features)
    X = np.array([[1.0, 0, 0], [1.0, 1e-4, 0], [0, 1.0, 0], [0, 1.0, 1e-5], [0, 0, 1.0]])
    pairs = near_duplicates(X, threshold=0.9999, chunk=2)
    assert [(i, j) for i, j, _ in pairs] == [(2, 3), (0, 1)]
    assert duplicate_groups(len(X), pairs) == [[0, 1], [2, 3]]


def test_rank_exemplars_by_membership():
    X, _ = blobs()
    c = cluster(X, 20)
    names = [f"s{k}" for k in range(len(X))]
    ranked = rank_exemplars(c, ids=np.arange(len(X)) + 100, names=names, top=3)
    assert set(ranked) == set(range(c.n_clusters))
    for k, members in ranked.items():
        assert len(members) == 3
        assert all(c.labels[m["index"]] == k for m in members)
        probs = [m["probability"] for m in members]
        assert probs == sorted(probs, reverse=True)
        assert probs[0] == c.probabilities[c.labels == k].max()
        assert (
            members[0]["id"] == members[0]["index"] + 100 and members[0]["name"] == names[members[0]["index"]]
        )


def two_sublattices(a_fe=2.5, a_pt=2.8):
    """Open structure: a simple-cubic Fe block (spacing a_fe Å) beside a Pt block (spacing a_pt Å)."""
    g = np.stack(np.meshgrid(*[np.arange(3)] * 3, indexing="ij"), -1).reshape(-1, 3).astype(float)
    fe = Atoms("Fe27", positions=g * a_fe)
    pt = Atoms("Pt27", positions=g * a_pt + [20.0, 0, 0])
    return fe + pt


def test_structure_distances_and_delta_d():
    d = structure_distances(
        [two_sublattices(), two_sublattices(2.7, 2.6), bulk("Cu", cubic=True)],
        ["Fe-Fe", "Pt-Pt"],
        method="mean",
    )
    np.testing.assert_allclose(d["Fe-Fe"][:2], [2.5, 2.7])
    np.testing.assert_allclose(delta_d(d, "Fe", "Pt")[:2], [-0.3, 0.1], atol=1e-9)
    assert np.isnan(d["Fe-Fe"][2])  # no Fe in Cu
    with pytest.raises(ValueError, match="pair"):
        structure_distances([two_sublattices()], ["Fe-Xx"])
    with pytest.raises(ValueError, match="lack the pair"):
        delta_d(d, "Fe", "Cu")


def test_cluster_histograms():
    values = np.array([0.1, 0.2, 0.15, 0.9, 1.0, np.nan, 0.5])
    labels = np.array([0, 0, 0, 1, 1, 1, -1])
    h = cluster_histograms(values, labels, bins=5)
    assert list(h["clusters"]) == [0, 1, -1]
    assert h["clusters"][0]["n"] == 3 and h["clusters"][1]["n"] == 2
    assert h["clusters"][0]["median"] == pytest.approx(0.15)
    assert sum(h["clusters"][c]["counts"].sum() for c in h["clusters"]) == 6
    with pytest.raises(ValueError, match="no finite value"):
        cluster_histograms([np.nan], [0])


def test_mi_histograms_and_cumulative_change():
    early = np.array([0.01, 0.07, 0.17, 0.5, np.nan])
    late = np.array([0.01, 0.02, 0.03, 0.17])
    h = mi_histograms([early, late], ["t1", "t2"], bins=4, mi_max=0.2)
    np.testing.assert_allclose(h.edges, [0, 0.05, 0.1, 0.15, 0.2])
    np.testing.assert_allclose(h.fractions[0], [0.25, 0.25, 0.0, 0.25])  # 0.5 counts in the normalisation
    np.testing.assert_allclose(h.cumulative[1], [0.75, 0.75, 0.75, 1.0])
    np.testing.assert_allclose(h.change(0, 1), [2.0, 0.5, 0.5, 0.25 / 0.75])
    assert len(h.rows()) == 8
    with pytest.raises(ValueError, match="no classified box"):
        mi_histograms([np.array([np.nan])])
    with pytest.raises(ValueError, match="mi_max"):
        mi_histograms([early], mi_max=0)


def test_radial_mi_profile():
    xs = np.arange(-2, 3) * 5.0
    centers = np.stack(np.meshgrid(xs, xs, xs, indexing="ij"), -1).reshape(-1, 3)
    r = np.linalg.norm(centers, axis=1)
    n = len(centers)
    res = SPMResult(
        shape=(5, 5, 5),
        geometry="bulk",
        centers=centers,
        box_size=np.full(3, 10.0),
        stride=5.0,
        counts=np.full(n, 50),
        probabilities=np.full((n, 2), 0.5),
        mutual_information=0.01 * r,
        predictive_entropy=np.zeros(n),
        variation_ratio=np.zeros(n),
        class_names=["a", "b"],
    )
    p = radial_mi_profile(res, bin_width=5.0)
    np.testing.assert_allclose(p.center, 0.0)
    assert p.counts.sum() == n and p.counts[0] == 1
    inner = (r >= 5) & (r < 10)
    assert p.values[1] == pytest.approx(np.median(0.01 * r[inner]))
    assert np.all(np.diff(p.values[np.isfinite(p.values)]) > 0)  # MI grows outwards here
    with pytest.raises(ValueError, match="bin_width"):
        radial_mi_profile(res, bin_width=0)


@pytest.mark.parametrize("geometry, shape", [("bulk", (3, 3, 3)), ("slab", (3, 1, 3)), ("rod", (1, 5, 1))])
def test_cluster_map_figures(tmp_path, geometry, shape):
    from arisekit.explore import plots

    n = int(np.prod(shape))
    idx = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), -1).reshape(-1, 3)
    res = SPMResult(
        shape=shape,
        geometry=geometry,
        centers=idx * 2.0 + 1.0,
        box_size=np.full(3, 4.0),
        stride=2.0,
        counts=np.full(n, 20),
        probabilities=np.full((n, 2), 0.5),
        mutual_information=np.zeros(n),
        predictive_entropy=np.zeros(n),
        variation_ratio=np.zeros(n),
        class_names=["a", "b"],
    )
    labels = (np.arange(n) % 4) - 2  # -2 excluded, -1 outlier, clusters 0 and 1
    image, extent, _ = plots._plane(res, labels.reshape(shape))
    assert image.ndim == 2 and extent[1] >= extent[0]
    path = plots.save(plots.cluster_map(res, labels.reshape(shape)), tmp_path / "map.png")
    assert path.stat().st_size > 1000
