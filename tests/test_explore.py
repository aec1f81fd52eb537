"""Exploration of representations on a synthetic 4-grain slab polycrystal (ARISE Fig. 2d–g): HDBSCAN
clusters of the first hidden layer match the grains, outliers sit at grain boundaries; maps, files, CLI."""

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from arisekit.cli import main
from arisekit.explore import (
    EXCLUDED,
    OUTLIER,
    atom_labels,
    box_distances,
    cluster,
    explore,
    from_spm,
    grid_labels,
    sweep,
)
from arisekit.samples import polycrystal
from arisekit.samples.voronoi import boundary_distance, nearest_seed
from arisekit.spm import spm

BOX = 10.0


@pytest.fixture(scope="module")
def sample():
    """Mono-species (Cu) columnar polycrystal of fcc / bcc / hcp / diamond grains, 80 x 80 x 10 Å."""
    return polycrystal(
        ["fcc", "bcc", "hcp", "diamond"], size=(80, 80, 10), geometry="slab", seed=1, species="Cu"
    )


@pytest.fixture(scope="module")
def result(sample, metal_model):
    return spm(
        sample, box_size=BOX, stride=2.5, mode="exact", model=metal_model, n_samples=10, representations=True
    )


@pytest.fixture(scope="module")
def truth(sample, result):
    """Per box: majority grain id of its atoms and distance (Å) of its centre to the nearest boundary."""
    from arisekit.explore.maps import box_grid

    grid, _ = box_grid(result, sample)
    gid = sample.arrays["grain_id"]
    majority = np.array(
        [np.bincount(gid[grid.members(b)]).argmax() if grid.counts[b] else -1 for b in range(grid.n_boxes)]
    )
    seeds = np.asarray(sample.info["grain_seeds"])
    own = nearest_seed(result.centers, seeds, 2)
    return majority, boundary_distance(result.centers, seeds, own, 2)


def test_clusters_match_grains_and_outliers_lie_at_boundaries(result, truth):
    majority, dist = truth
    data = from_spm(result, layer=0)
    rows, runs = sweep(data.features, [20, 40, 60])
    assert [r.min_cluster_size for r in rows] == [20, 40, 60]
    assert all(np.isfinite(r.validity) and -1 <= r.validity <= 1 for r in rows)
    from arisekit.explore import best_size

    c = runs[best_size(rows)]
    assert c.n_clusters == 4
    clustered = c.labels != OUTLIER
    ari = adjusted_rand_score(majority[data.ids][clustered], c.labels[clustered])
    assert ari >= 0.9, ari
    outliers = data.ids[~clustered]
    assert 0 < len(outliers) < 0.5 * len(data)
    near = np.mean(dist[outliers] <= BOX)
    assert near >= 0.8, near
    # each grain is dominated by a different cluster
    dominant = {g: np.bincount(c.labels[clustered & (majority[data.ids] == g)]).argmax() for g in range(4)}
    assert len(set(dominant.values())) == 4
    # soft clustering only rescues outliers, never changes a cluster member
    assert np.all(c.soft_labels[clustered] == c.labels[clustered])
    assert c.soft_outlier_fraction <= c.outlier_fraction


def test_standardized_features_cluster_the_grains_too(result, truth):
    from arisekit.explore.pipeline import standardized

    majority, _ = truth
    data = from_spm(result, layer=0)
    z = standardized(data.features)
    spread = z.std(axis=0)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(spread, 1.0)
    np.testing.assert_array_equal(standardized(np.array([[1.0, 5.0], [3.0, 5.0]])), [[-1.0, 0.0], [1.0, 0.0]])
    ex = explore(result, layer=0, min_cluster_size=20, standardize=True, embed=False)
    assert ex.params["standardize"] is True
    c = ex.clustering
    clustered = c.labels != OUTLIER
    assert c.n_clusters == 4
    assert adjusted_rand_score(majority[data.ids][clustered], c.labels[clustered]) >= 0.9


def test_cluster_labels_on_grid_and_atoms(sample, result, truth):
    majority, _ = truth
    data = from_spm(result, layer=0)
    c = cluster(data.features, 20)
    grid = grid_labels(result, data.ids, c.labels)
    assert grid.shape == result.shape
    flat = grid.reshape(-1)
    assert np.all(flat[~result.valid] == EXCLUDED)
    np.testing.assert_array_equal(flat[data.ids], c.labels)
    per_atom = atom_labels(result, sample, grid)
    assert per_atom.shape == (len(sample),)
    interior = sample.arrays["boundary_distance"] > BOX
    gid = sample.arrays["grain_id"]
    for g in range(4):
        atoms_g = per_atom[interior & (gid == g)]
        values, counts = np.unique(atoms_g, return_counts=True)
        assert counts.max() / counts.sum() >= 0.9  # grain interiors carry one cluster label
        assert values[np.argmax(counts)] >= 0


def test_filters_and_geometry(sample, result):
    only_fcc = from_spm(result, layer=0, only_class="fcc")
    assert len(only_fcc) > 0 and set(only_fcc.predicted_names) == {"fcc"}
    low = from_spm(result, layer=0, mi_range=(0.0, 0.05))
    assert np.all(low.mutual_information <= 0.05) and len(low) < int(result.valid.sum())
    d = box_distances(result, sample, only_fcc.ids[:20], ["Cu-Cu"])["Cu-Cu"]
    assert np.allclose(d, 2.5, atol=0.05)  # the polycrystal scales every grain to d_NN = 2.5 Å


def test_explore_writes_outputs_without_umap(tmp_path, sample, result):
    ex = explore(
        result,
        layer=0,
        min_cluster_sizes=[10, 20],
        embed=False,
        atoms=sample,
        pairs=["Cu-Cu"],
        delta=("Cu", "Cu"),
        out_dir=tmp_path,
    )
    assert set(ex.distances) == {"Cu-Cu", "delta_CuCu-CuCu"} and set(ex.histograms) == set(ex.distances)
    np.testing.assert_allclose(ex.distances["delta_CuCu-CuCu"], 0.0)
    assert ex.atom_labels.shape == (len(sample),)
    for name in (
        "sweep.csv",
        "sweep.json",
        "points.csv",
        "summary.json",
        "exemplars.json",
        "cluster_grid.npy",
        "cluster_map.png",
        "atoms_clusters.extxyz",
        "geometry_histograms.json",
        "hist_Cu_Cu.png",
    ):
        assert (tmp_path / name).is_file(), name
    assert not (tmp_path / "umap_clusters.png").exists()
    table = json.loads((tmp_path / "sweep.json").read_text())
    assert [r["min_cluster_size"] for r in table["rows"]] == [10, 20]
    assert table["chosen_min_cluster_size"] == ex.clustering.min_cluster_size
    np.testing.assert_array_equal(np.load(tmp_path / "cluster_grid.npy"), ex.grid)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["n_clusters"] == ex.clustering.n_clusters
    assert sum(c["size"] for c in summary["clusters_hard"].values()) == len(ex.data)
    # exemplars: the most probable members first
    for members in ex.exemplars.values():
        probs = [m["probability"] for m in members]
        assert probs == sorted(probs, reverse=True) and probs[0] > 0


@pytest.mark.slow  # UMAP's first call compiles with numba (~30 s)
def test_cli_explore_with_umap_and_frames(tmp_path, sample, result, capsys):
    path = result.save(tmp_path / "poly.h5")
    structure = tmp_path / "poly.extxyz"
    sample.write(structure)
    out = tmp_path / "explore"
    code = main(
        [
            "explore",
            str(path),
            "--layer",
            "1",
            "--min-cluster-size",
            "10",
            "20",
            "--n-neighbors",
            "15",
            "--structure",
            str(structure),
            "--pairs",
            "Cu-Cu",
            "--frames",
            str(path),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "DBCV" in text and "results written to" in text
    for name in (
        "umap_clusters.png",
        "umap_classes.png",
        "umap_mi.png",
        "cluster_map.png",
        "sweep.csv",
        "timeseries/mi_histograms.csv",
        "timeseries/radial_mi.csv",
        "timeseries/mi_histograms.png",
    ):
        assert (out / name).is_file(), name
    header = (out / "points.csv").read_text().splitlines()[0].split(",")
    assert {"cluster", "cluster_soft", "umap_x", "umap_y", "predicted", "mutual_information"} <= set(header)


def test_cli_bad_input(tmp_path, result, capsys):
    from dataclasses import replace

    bare = replace(result, representations={}).save(tmp_path / "bare.h5")
    assert main(["explore", str(bare), "--out", str(tmp_path / "x")]) == 2
    assert "representations" in capsys.readouterr().err
    path = result.save(tmp_path / "poly.h5")
    assert main(["explore", str(path), "--only-class", "fcx", "--no-umap", "--out", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert "unknown class 'fcx'" in err and "fcc" in err
    assert main(["explore", str(path), "--min-cluster-size", "100000", "--no-umap"]) == 2
    assert "larger than the number of points" in capsys.readouterr().err
    assert main(["explore", str(path), "--layer", "0"]) == 2
    assert "counted from 1" in capsys.readouterr().err
    assert main(["explore", str(path), "--layer", "9"]) == 2
    assert "layer 8" in capsys.readouterr().err


def open_metals(seed=0, noise=0.05):
    """Rattled (Gaussian, ``noise`` Å) open 3x3x3 supercells of the four classes of ``metal_model``, in
    class order."""
    from helpers import METALS

    rng = np.random.default_rng(seed)
    out = []
    for make in METALS.values():
        a = make().repeat(3)
        a.pbc = False
        a.positions += rng.normal(0, noise, a.positions.shape)
        out.append(a)
    return list(METALS), out


def test_nearest_prototypes_of_structures_and_boxes(sample, result, metal_model):
    from arisekit.explore import from_structures, nearest, prototype_references
    from arisekit.explore.maps import box_grid
    from arisekit.explore.similarity import box_features

    names, structures = open_metals()
    refs = prototype_references(metal_model, names=[*names, "sc"])  # last hidden layer
    assert refs.layer == 2 and set(refs.names) == {*names, "sc"} and len(refs.names) == 10
    data = from_structures(structures, metal_model, layer=refs.layer, n_samples=10, names=names)
    best = nearest(data, refs, k=2)
    assert [b[0][0] for b in best] == names
    assert all(b[0][1] > b[1][1] for b in best)
    with pytest.raises(ValueError, match="same space and layer"):
        nearest(from_structures(structures, metal_model, layer=0, n_samples=10), refs)
    # boxes well inside the grains: nearest prototype is the grain's class
    grid, _ = box_grid(result, sample)
    bd, gid = sample.arrays["boundary_distance"], sample.arrays["grain_id"]
    inside = [b for b in range(grid.n_boxes) if grid.counts[b] > 10 and bd[grid.members(b)].min() > 3][::3]
    truth = [sample.info["grain_classes"][np.bincount(gid[grid.members(b)]).argmax()] for b in inside]
    hits = [
        n[0][0] == t for n, t in zip(nearest(box_features(result, sample, inside, metal_model), refs), truth)
    ]
    assert len(inside) >= 20 and np.mean(hits) >= 0.8, np.mean(hits)


def test_user_exemplars_and_duplicates(metal_model):
    from arisekit.explore import duplicate_groups, from_structures, near_duplicates, nearest, reference_set

    # raw descriptors (no network) of small rattled open clusters: at 0.05 Å noise (3.5 % of bcc's d_NN)
    # the paper's descriptor (central weight 0) puts a bcc cluster as close to hcp as to bcc; use 0.03 Å
    names, structures = open_metals(noise=0.03)
    refs = reference_set(dict(zip(names, structures)), model=metal_model, space="descriptor")
    assert refs.layer is None and refs.names == names
    _, again = open_metals(seed=5, noise=0.03)
    queries = from_structures(again, metal_model, space="descriptor", n_samples=5)
    assert [b[0][0] for b in nearest(queries, refs, k=1)] == names
    frames = [structures[0], structures[0].copy(), structures[1], again[0]]
    frames[1].positions += 1e-4
    feats = from_structures(frames, metal_model, space="descriptor", n_samples=5).features
    pairs = near_duplicates(feats, threshold=0.99999)
    assert (0, 1) in [(i, j) for i, j, _ in pairs] and all(2 not in (i, j) for i, j, _ in pairs)
    assert [0, 1] == duplicate_groups(len(frames), pairs)[0][:2]


def test_explore_structures(tmp_path, metal_model):
    from arisekit.explore import from_structures

    structures, names = [], []
    for seed in range(4):
        classes, made = open_metals(seed)
        structures += made
        names += [f"{c}_{seed}" for c in classes]
    data = from_structures(structures, metal_model, layer=0, n_samples=5, names=names)
    ex = explore(data, min_cluster_sizes=[2, 3], embed=False, out_dir=tmp_path)
    assert ex.grid is None and ex.clustering.n_clusters >= 2
    inlier = ex.clustering.labels >= 0
    kinds = np.array([n.split("_")[0] for n in names])
    assert adjusted_rand_score(kinds[inlier], ex.clustering.labels[inlier]) >= 0.9
    rows = (tmp_path / "points.csv").read_text().splitlines()
    assert rows[0].startswith("id,name,cluster") and len(rows) == 17
    with pytest.raises(ValueError, match="needs an SPM result"):
        explore(data, min_cluster_sizes=[2], embed=False, pairs=["Cu-Cu"])
    # the same run from one parameter object; keywords override its fields
    from arisekit.explore import ExploreParameters

    params = ExploreParameters(min_cluster_sizes=[2, 3], embed=False, top=2)
    again = explore(data, params, top=5)
    np.testing.assert_array_equal(again.clustering.labels, ex.clustering.labels)
    assert again.params == ex.params
    with pytest.raises(TypeError, match="min_cluster"):
        explore(data, min_cluster=3)
    with pytest.raises(ValueError, match="validity"):
        ExploreParameters(validity="dbcv")
    with pytest.raises(TypeError, match="only_klass"):
        from_structures(structures, metal_model, only_klass="fcc")
    fcc = from_structures(structures, metal_model, layer=0, n_samples=5, only_class="fcc")
    assert set(fcc.predicted_names) == {"fcc"}
