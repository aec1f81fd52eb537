"""Synthetic samples: Voronoi polycrystals and the superalloy precipitate model against their ground truth."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.geometry import nearest_neighbor_distance, neighbor_list
from arisekit.samples import distance_to_boundary, polycrystal, superalloy
from arisekit.samples._lattice import nearest_distance, prototype_cell

CLASSES = ["fcc", "bcc", "hcp", "diamond"]
D_NN = 2.5


@pytest.fixture(scope="module")
def slab():
    return polycrystal(CLASSES, (40.0, 40.0, 10.0), geometry="slab", seed=3)


@pytest.fixture(scope="module")
def block():
    return polycrystal(["fcc", "bcc"], (24.0, 24.0, 24.0), n_grains=5, geometry="bulk", seed=1)


def test_slab_grains_labels_and_metadata(slab):
    gid = slab.arrays["grain_id"]
    assert sorted(np.unique(gid)) == [0, 1, 2, 3]
    assert slab.info["class_names"] == CLASSES
    assert slab.info["grain_classes"] == CLASSES
    assert np.asarray(slab.info["grain_seeds"]).shape == (4, 3)
    rot = np.asarray(slab.info["grain_orientations"])
    assert rot.shape == (4, 3, 3)
    for r in rot:
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(r) == pytest.approx(1.0)
    # class_label follows the grain's class
    names = np.asarray(slab.info["class_names"])
    for k, cls in enumerate(slab.info["grain_classes"]):
        assert set(names[slab.arrays["class_label"][gid == k]]) == {cls}
    assert not slab.pbc.any()
    np.testing.assert_allclose(slab.cell.array, np.diag([40.0, 40.0, 10.0]))


def test_slab_geometry_thickness_and_columnar_grains(slab):
    z = slab.positions[:, 2]
    assert z.min() >= 0.0 and z.max() < 10.0
    assert np.ptp(z) > 10.0 - 2 * D_NN  # the slab is filled through its thickness
    assert slab.positions[:, :2].min() >= 0.0 and slab.positions[:, :2].max() < 40.0
    np.testing.assert_allclose(np.asarray(slab.info["grain_seeds"])[:, 2], 5.0)
    # columnar: the grain is decided by x, y alone
    from arisekit.samples.voronoi import nearest_seed

    shifted = slab.positions.copy()
    shifted[:, 2] = 0.0
    np.testing.assert_array_equal(
        nearest_seed(shifted, np.asarray(slab.info["grain_seeds"]), 2), slab.arrays["grain_id"]
    )


def test_atoms_do_not_overlap(slab, block):
    for sample in (slab, block):
        assert len(neighbor_list(sample, 0.6 * D_NN)) == 0
        # inside grains the prototype spacing is kept: the nearest distance is d_NN
        assert nearest_neighbor_distance(sample) == pytest.approx(D_NN, abs=0.02)


@pytest.mark.parametrize("k", range(4))
def test_grain_atoms_sit_on_the_rotated_prototype_lattice(slab, k):
    name = slab.info["grain_classes"][k]
    _, proto = prototype_cell(name)
    scale = D_NN / nearest_distance(proto)
    cell = proto.cell.array * scale
    rot = np.asarray(slab.info["grain_orientations"])[k]
    seed = np.asarray(slab.info["grain_seeds"])[k]
    pos = slab.positions[slab.arrays["grain_id"] == k]
    frac = ((pos - seed) @ rot) @ np.linalg.inv(cell)
    basis = proto.get_scaled_positions(wrap=True)
    diff = frac[:, None, :] - basis[None, :, :]
    off = np.abs(diff - np.round(diff)).max(axis=2).min(axis=1)
    assert off.max() < 1e-8
    # and no site is missing: atoms whose 1.1 d_NN neighbourhood stays inside the box and 0.7 d_NN (thinning
    # range) away from the grain boundaries are fully coordinated
    cn = np.diff(
        neighbor_list(Atoms(proto.numbers, cell=cell, scaled_positions=basis, pbc=True), 1.1 * D_NN).offsets
    )
    assert len(set(cn)) == 1
    nl = neighbor_list(slab, 1.1 * D_NN)
    z = slab.positions[:, 2]
    interior = (
        (slab.arrays["grain_id"] == k)
        & (slab.arrays["boundary_distance"] > 1.8 * D_NN)
        & (slab.arrays["surface_distance"] > 1.1 * D_NN)
        & (z > 1.1 * D_NN)
        & (z < 10.0 - 1.1 * D_NN)
    )
    assert interior.sum() >= 5
    np.testing.assert_array_equal(np.diff(nl.offsets)[interior], cn[0])


def test_cell_bounding_boxes_lose_no_atoms(monkeypatch):
    import arisekit.samples._polycrystal as module

    args = (["fcc", "bcc", "hcp"], (24.0, 24.0, 24.0))
    fast = polycrystal(*args, n_grains=6, geometry="bulk", seed=5)
    monkeypatch.setattr(module, "cell_bounds", lambda seeds, i, lo, hi, dims: (lo.copy(), hi.copy()))
    full = polycrystal(*args, n_grains=6, geometry="bulk", seed=5)
    assert len(fast) == len(full)
    np.testing.assert_allclose(np.sort(fast.positions, axis=0), np.sort(full.positions, axis=0), atol=1e-9)


def test_boundary_distance_balls_stay_inside_the_grain(slab, block):
    for sample in (slab, block):
        bd = sample.arrays["boundary_distance"]
        np.testing.assert_allclose(distance_to_boundary(sample), bd)
        assert bd.min() >= 0.0
        r = 4.0
        nl = neighbor_list(sample, r)
        gid = sample.arrays["grain_id"]
        deep = bd[nl.i] > r
        assert deep.any()
        assert np.all(gid[nl.i][deep] == gid[nl.j][deep])
        # and atoms next to another grain have a small boundary distance
        cross = gid[nl.i] != gid[nl.j]
        assert bd[nl.i[cross]].max() <= r


def test_surface_distance(slab, block):
    p = slab.positions
    expected = np.minimum(p[:, :2], 40.0 - p[:, :2]).min(axis=1)
    np.testing.assert_allclose(slab.arrays["surface_distance"], expected)
    q = block.positions
    np.testing.assert_allclose(block.arrays["surface_distance"], np.minimum(q, 24.0 - q).min(axis=1))


def test_bulk_mode_cycles_classes_over_grains(block):
    assert sorted(np.unique(block.arrays["grain_id"])) == list(range(5))
    assert block.info["grain_classes"] == ["fcc", "bcc", "fcc", "bcc", "fcc"]
    assert block.info["class_names"] == ["fcc", "bcc"]
    seeds = np.asarray(block.info["grain_seeds"])
    assert np.ptp(seeds[:, 2]) > 0.0  # 3D tessellation


def test_seed_reproducibility():
    a = polycrystal(["fcc", "hcp"], (20.0, 20.0, 8.0), seed=7)
    b = polycrystal(["fcc", "hcp"], (20.0, 20.0, 8.0), seed=7)
    c = polycrystal(["fcc", "hcp"], (20.0, 20.0, 8.0), seed=8)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.arrays["grain_id"], b.arrays["grain_id"])
    np.testing.assert_array_equal(a.info["grain_seeds"], b.info["grain_seeds"])
    assert not np.array_equal(np.asarray(a.info["grain_seeds"]), np.asarray(c.info["grain_seeds"]))


def test_noise_and_missing_atoms():
    args = (["fcc", "bcc"], (20.0, 20.0, 8.0))
    clean = polycrystal(*args, seed=2)
    noisy = polycrystal(*args, seed=2, noise=0.02)
    shift = noisy.positions - clean.positions
    assert np.abs(shift).max() <= 0.02 * D_NN + 1e-12
    assert np.abs(shift).max() > 0.01 * D_NN
    assert np.abs(shift.mean(axis=0)).max() < 0.005
    thinned = polycrystal(*args, seed=2, missing=0.2)
    assert len(thinned) == len(clean) - round(0.2 * len(clean))
    assert np.unique(thinned.arrays["grain_id"]).size == 2


def test_own_scale_keeps_prototype_lattice_parameters():
    sample = polycrystal(["fcc", "diamond"], (20.0, 20.0, 8.0), seed=0, d_nn=None)
    dnn = np.asarray(sample.info["grain_d_nn"])
    # the library's (the paper's) cells: fcc Cu a = 3.615 Å, diamond C a = 3.550 Å
    assert dnn[0] == pytest.approx(3.615 / np.sqrt(2), rel=1e-3)  # Cu
    assert dnn[1] == pytest.approx(3.550 * np.sqrt(3) / 4, rel=1e-3)  # C
    assert len(neighbor_list(sample, 0.6 * dnn.min())) == 0


def test_atoms_grains_and_mono_species():
    cell = bulk("Al", "fcc", a=4.05, cubic=True)
    cell.info["class_name"] = "my_fcc"
    sample = polycrystal([cell, "bcc"], (16.0, 16.0, 8.0), seed=0, species="Fe")
    assert sample.info["class_names"] == ["my_fcc", "bcc"]
    assert set(sample.get_chemical_symbols()) == {"Fe"}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(grains=[]), "grains"),
        (dict(grains=["no_such_class"]), "no_such_class"),
        (dict(grains=[42]), "grains"),
        (dict(size=(10.0, -1.0, 5.0)), "size"),
        (dict(size=(10.0, 10.0)), "size"),
        (dict(size=(10.0, np.nan, 5.0)), "size"),
        (dict(n_grains=1), "n_grains"),
        (dict(mode="rod"), "mode"),
        (dict(geometry="rod"), "geometry"),
        (dict(noise=-0.1), "noise"),
        (dict(noise=0.5), "noise"),
        (dict(missing=1.0), "missing"),
        (dict(d_nn=0.0), "d_nn"),
        (dict(min_distance=np.nan), "min_distance"),
        (dict(rotation="random"), "rotation"),
        (dict(species="Qq"), "species"),
    ],
)
def test_polycrystal_rejects_bad_input(kwargs, match):
    args = dict(grains=["fcc", "bcc"], size=(12.0, 12.0, 6.0))
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        polycrystal(**args)


def test_non_periodic_grain_cell_is_rejected():
    with pytest.raises(ValueError, match="periodic"):
        polycrystal([Atoms("Cu", positions=[[0, 0, 0]])], (10.0, 10.0, 5.0))
    with pytest.raises(ValueError, match="periodic"):
        polycrystal(["graphene"], (10.0, 10.0, 5.0))


def test_ordered_binary_grains_keep_their_order():
    sample = polycrystal(["L1_2", "fcc"], (20.0, 20.0, 8.0), seed=0)
    grain = sample[sample.arrays["grain_id"] == 0]
    assert set(grain.get_chemical_symbols()) == {"Cu", "Au"}
    # Au on the cube corners of the L1_2 cell: Au-Au nearest distance a = sqrt(2) d_NN
    assert nearest_neighbor_distance(grain, "Au", "Au", method="mean") == pytest.approx(np.sqrt(2) * D_NN)


@pytest.fixture(scope="module")
def alloy():
    return superalloy(edge=30.0, precipitate_edge=12.0, seed=0)


def test_superalloy_composition_and_labels(alloy):
    inside = alloy.arrays["in_precipitate"]
    np.testing.assert_array_equal(alloy.arrays["class_label"], inside.astype(int))
    assert alloy.info["class_names"] == ["fcc", "L1_2"]
    sym = np.asarray(alloy.get_chemical_symbols())
    assert set(sym) == {"Ni", "Al"}
    m = 3  # round(12 / 3.57)
    assert inside.sum() == 4 * m**3
    assert (sym[inside] == "Al").sum() == m**3  # Ni3Al
    matrix_al = (sym[~inside] == "Al").mean()
    assert matrix_al == pytest.approx(0.125, abs=1 / (~inside).sum())
    lo, hi = np.asarray(alloy.info["precipitate_lo"]), np.asarray(alloy.info["precipitate_hi"])
    np.testing.assert_allclose(0.5 * (lo + hi), 15.0, atol=3.57 / 2)
    p = alloy.positions[inside]
    assert np.all((p >= lo - 1e-9) & (p < hi))
    assert len(neighbor_list(alloy, 0.9 * 3.57 / np.sqrt(2))) == 0


def test_superalloy_precipitate_is_ordered_l12(alloy):
    a = 3.57
    inside = alloy.arrays["in_precipitate"]
    sub = alloy[inside]
    # Al only on the cube corners: Al-Al nearest distance a, Al-Ni a / sqrt(2)
    assert nearest_neighbor_distance(sub, "Al", "Al", method="mean") == pytest.approx(a, abs=1e-9)
    assert nearest_neighbor_distance(sub, "Al", "Ni", method="mean") == pytest.approx(
        a / np.sqrt(2), abs=1e-9
    )
    frac = sub.positions[np.asarray(sub.get_chemical_symbols()) == "Al"] / a
    np.testing.assert_allclose(frac, np.round(frac), atol=1e-9)
    # the random matrix has Al-Al nearest neighbours at a / sqrt(2)
    matrix = alloy[~inside]
    assert nearest_neighbor_distance(matrix, "Al", "Al") == pytest.approx(a / np.sqrt(2), abs=0.02)


def test_superalloy_default_size_and_speed():
    import time

    start = time.perf_counter()
    big = superalloy()
    elapsed = time.perf_counter() - start
    assert len(big) > 130_000
    assert np.ptp(big.positions, axis=0).max() < 120.0
    assert elapsed < 10.0


def test_superalloy_defects_and_reproducibility():
    clean = superalloy(edge=20.0, precipitate_edge=8.0, seed=4)
    again = superalloy(edge=20.0, precipitate_edge=8.0, seed=4)
    np.testing.assert_array_equal(clean.numbers, again.numbers)
    defective = superalloy(edge=20.0, precipitate_edge=8.0, seed=4, missing=0.2, noise=0.05)
    assert len(defective) == len(clean) - round(0.2 * len(clean))
    assert superalloy(edge=20.0, precipitate_edge=8.0, seed=5).numbers.tolist() != clean.numbers.tolist()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(edge=2.0), "edge"),
        (dict(precipitate_edge=200.0), "precipitate_edge"),
        (dict(lattice_constant=-1.0), "lattice_constant"),
        (dict(al_fraction=1.5), "al_fraction"),
        (dict(noise=np.nan), "noise"),
        (dict(missing=-0.1), "missing"),
    ],
)
def test_superalloy_rejects_bad_input(kwargs, match):
    args = dict(edge=20.0, precipitate_edge=8.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        superalloy(**args)


def test_cli_build_writes_labelled_extxyz(tmp_path, capsys):
    import ase.io

    from arisekit.cli import main

    out = tmp_path / "poly.xyz"
    rc = main(["build", "polycrystal", "--grains", "fcc", "bcc", "--size", "16", "16", "8", "--seed", "1",
               "--geometry", "slab", "--out", str(out)])  # fmt: skip
    assert rc == 0
    assert "polycrystal" in capsys.readouterr().out
    back = ase.io.read(out)
    ref = polycrystal(["fcc", "bcc"], (16.0, 16.0, 8.0), seed=1)
    np.testing.assert_allclose(back.positions, ref.positions, atol=1e-7)  # extxyz keeps 8 decimals
    np.testing.assert_array_equal(back.arrays["grain_id"], ref.arrays["grain_id"])
    np.testing.assert_array_equal(back.arrays["class_label"], ref.arrays["class_label"])
    assert back.info["class_names"] == ["fcc", "bcc"]
    np.testing.assert_allclose(distance_to_boundary(back), ref.arrays["boundary_distance"], atol=1e-6)

    out2 = tmp_path / "alloy.xyz"
    assert main(["build", "superalloy", "--edge", "20", "--precipitate-edge", "8", "--out", str(out2)]) == 0
    alloy = ase.io.read(out2)
    assert alloy.arrays["in_precipitate"].sum() == 4 * 2**3
    assert main(["build", "superalloy", "--edge", "-3", "--out", str(out2)]) == 2
    assert "edge" in capsys.readouterr().err


def test_polycrystal_options_object_and_older_keywords():
    """Grain options as one frozen object; keywords override it; mode= is the older name of geometry."""
    import dataclasses

    from arisekit.samples import PolycrystalOptions

    args = (["fcc", "bcc"], (16.0, 16.0, 6.0))
    by_keywords = polycrystal(*args, geometry="slab", seed=2, noise=0.02, missing=0.1, species="Cu")
    opts = PolycrystalOptions(noise=0.02, missing=0.1, species="Cu")
    by_object = polycrystal(*args, seed=2, options=opts)
    older = polycrystal(*args, mode="slab", seed=2, noise=0.02, missing=0.1, species="Cu")
    for other in (by_object, older):
        np.testing.assert_array_equal(other.positions, by_keywords.positions)
        np.testing.assert_array_equal(other.numbers, by_keywords.numbers)
    assert by_keywords.info["geometry"] == by_keywords.info["mode"] == "slab"
    assert polycrystal(*args, seed=2, options=opts, noise=0.0).info["noise"] == 0.0  # keyword wins
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.noise = 0.1  # type: ignore[misc]
    with pytest.raises(ValueError, match="rotation"):
        PolycrystalOptions(rotation="random")
    with pytest.raises(TypeError, match="colour"):
        polycrystal(*args, colour="red")
    with pytest.raises(ValueError, match="geometry"):
        polycrystal(*args, geometry="rod")
