"""FePt-like nanoparticles (arisekit.samples.fept_nanoparticle / annealing_series) and AET-like errors:
atom counts, truth labels, tetragonal distortion, seeded reproducibility, error rates, files."""

import numpy as np
import pytest

from arisekit.geometry import neighbor_list
from arisekit.samples import (
    aet_errors,
    annealing_series,
    fept_nanoparticle,
    particle_template,
    read_truth,
    write_aet,
)
from arisekit.samples._fept_chemistry import FE, PT, sublattice

N = 3000
REGIONS = ("L1_0", "L1_0", "Fe3Pt", "FePt3")


@pytest.fixture(scope="module")
def particle():
    return fept_nanoparticle(N, seed=2, regions=REGIONS, shell_thickness=4.0, c_over_a=(0.96, 0.98))


@pytest.fixture(scope="module")
def series():
    return annealing_series(
        N, seed=1, regions=("L1_0", "Fe3Pt"), orders=(0.8, 0.9, 1.0), shells=(8, 6, 4), subdomains=(3, 2, 1)
    )


def test_atom_count_shape_and_metadata(particle):
    # the smallest truncated octahedron with >= N sites, minus the few atoms thinned at incoherent walls
    assert 0.97 * N <= len(particle) <= 1.15 * N
    assert not particle.pbc.any()
    assert particle.info["class_names"] == ["fcc", "L1_0", "L1_2"]
    assert particle.info["region_kinds"] == ["A1", *REGIONS]
    np.testing.assert_allclose(particle.info["region_c_over_a"], [1.0, 0.96, 0.98, 1.0, 1.0])
    assert list(particle.info["region_c_axis"]) == [-1, 2, 0, -1, -1]
    # faceted: {100} facets at h100, {111} facets at 0.87 h100 (Å), centred at the origin
    h = particle.info["h100"]
    p = np.abs(particle.positions)
    assert p.max() <= h + 0.5
    assert (p.sum(axis=1) / np.sqrt(3)).max() <= 0.87 * h + 0.5
    assert np.all(particle.arrays["depth"] >= 0)


def test_truth_labels_follow_the_regions(particle):
    region, label = particle.arrays["region_id"], particle.arrays["class_label"]
    kinds = particle.info["region_kinds"]
    expected = {"A1": 0, "L1_0": 1, "Fe3Pt": 2, "FePt3": 2}
    for r, kind in enumerate(kinds):
        sel = region == r
        assert sel.any(), f"region {r} ({kind}) holds no atom"
        assert set(label[sel]) == {expected[kind]}
        assert set(particle.arrays["c_axis"][sel]) == {int(particle.info["region_c_axis"][r])}
    # the shell is exactly the atoms shallower than shell_thickness
    np.testing.assert_array_equal(region == 0, particle.arrays["depth"] < 4.0)
    # compositions: L1_0 1:1, Fe3Pt 3:1, FePt3 1:3, A1 shell at the requested Pt fraction
    z = particle.numbers
    for r, fe_share in ((1, 0.5), (2, 0.5), (3, 0.75), (4, 0.25), (0, 0.5)):
        sel = region == r
        assert np.mean(z[sel] == FE) == pytest.approx(fe_share, abs=0.04)
    # fully ordered (order=1): every ordered-region atom holds its ideal species
    assert particle.arrays["ordered"][region > 0].all()
    assert not particle.arrays["ordered"][region == 0].any()
    assert particle.info["lro"] == pytest.approx(1.0)
    # wall distance: 0 < d, and atoms next to another region are within ~ one d_NN of it
    wd = particle.arrays["wall_distance"]
    assert wd.min() > 0 and wd.min() < particle.info["d_nn"] * 1.05


def test_l10_planes_and_l12_sublattice(particle):
    """L1_0: Fe and Pt fill alternate planes normal to c; L1_2: the minority fills one cubic sublattice."""
    a = particle.info["lattice_constant"]
    region, z = particle.arrays["region_id"], particle.numbers
    for r in (1, 2):
        sel = region == r
        axis = int(particle.info["region_c_axis"][r])
        centre = np.asarray(particle.info["region_centers"][r])
        gamma = particle.info["region_c_over_a"][r]
        coord = centre[axis] + (particle.positions[sel, axis] - centre[axis]) / gamma ** (2 / 3)
        plane = np.mod(np.rint(2 * coord / a), 2)
        assert len(set(zip(plane, z[sel], strict=True))) == 2  # each plane parity holds one species
    for r, minority in ((3, PT), (4, FE)):  # Fe3Pt: Pt minority; FePt3: Fe minority
        sel = region == r
        sub = sublattice(np.round(2 * particle.positions[sel] / a) / 2)
        assert len(set(sub[z[sel] == minority])) == 1
        assert len(set(sub[z[sel] != minority])) == 3


def test_tetragonal_distortion_of_each_domain(particle):
    """Second-neighbour bonds along c are shorter than those in the basal plane by c/a."""
    nl = neighbor_list(particle, 4.2, vectors=True)
    region = particle.arrays["region_id"]
    interior = particle.arrays["wall_distance"] > 4.0
    for r in (1, 2):
        axis = int(particle.info["region_c_axis"][r])
        sel = (region[nl.i] == r) & (region[nl.j] == r) & interior[nl.i] & interior[nl.j]
        v = np.abs(nl.vector[sel])
        along = v[:, axis] > 3.0
        other = [k for k in range(3) if k != axis]
        basal = v[:, other[0]] > 3.0
        c = nl.distance[sel][along].mean()
        a = nl.distance[sel][basal].mean()
        assert c / a == pytest.approx(particle.info["region_c_over_a"][r], abs=1e-6)
    # tetragonality differs by >= 2 % between the two domains
    ca = particle.info["region_c_over_a"]
    assert abs(ca[1] - ca[2]) / ca[1:3].mean() >= 0.02


def test_template_is_shared_and_reproducible():
    t = particle_template(N, seed=2, regions=REGIONS, c_over_a=(0.96, 0.98))
    a = fept_nanoparticle(template=t, order=0.9, step=1)
    b = fept_nanoparticle(N, seed=2, regions=REGIONS, c_over_a=(0.96, 0.98), order=0.9, step=1)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.numbers, b.numbers)
    assert t.kinds == REGIONS and list(t.c_over_a[:2]) == [0.96, 0.98]
    # the annealing state as one frozen object; keywords override its fields
    from arisekit.samples import ParticleState

    state = ParticleState(order=0.9, step=1)
    c = fept_nanoparticle(template=t, state=state)
    np.testing.assert_array_equal(c.numbers, a.numbers)
    d = fept_nanoparticle(template=t, state=ParticleState(order=0.5), order=0.9, step=1)
    np.testing.assert_array_equal(d.numbers, a.numbers)
    with pytest.raises(ValueError, match="subdomains"):
        ParticleState(subdomains=9)
    with pytest.raises(ValueError, match="order"):
        fept_nanoparticle(template=t, order=1.5)


def test_seeded_reproducibility():
    a = fept_nanoparticle(1500, seed=4, regions=("L1_0", "Fe3Pt"), order=0.9)
    b = fept_nanoparticle(1500, seed=4, regions=("L1_0", "Fe3Pt"), order=0.9)
    c = fept_nanoparticle(1500, seed=5, regions=("L1_0", "Fe3Pt"), order=0.9)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.numbers, b.numbers)
    assert not (len(a) == len(c) and np.array_equal(a.numbers, c.numbers))
    ea, eb = aet_errors(a, seed=3), aet_errors(b, seed=3)
    np.testing.assert_array_equal(ea.positions, eb.positions)
    np.testing.assert_array_equal(ea.numbers, eb.numbers)


def test_annealing_series_order_grows(series):
    assert [p.info["step"] for p in series] == [0, 1, 2]
    lro = [p.info["lro"] for p in series]
    for p, s in zip(series, (0.8, 0.9, 1.0), strict=True):
        assert p.info["lro"] == pytest.approx(s, abs=0.05)
    assert lro[0] < lro[1] < lro[2]
    shell = [int((p.arrays["region_id"] == 0).sum()) for p in series]
    assert shell[0] > shell[1] > shell[2]
    order = [p.info["order_parameter"] for p in series]
    assert order[0] < order[1] < order[2]
    # domains coarsen: 3, 2, 1 variant domains per template region (one L1_0, one Fe3Pt region)
    assert [p.info["subdomains"] for p in series] == [3, 2, 1]
    assert [len(p.info["region_kinds"]) for p in series] == [7, 5, 3]
    for p in series:
        parent = np.asarray(p.info["region_parent"])
        kinds = p.info["region_kinds"]
        assert parent[0] == -1 and kinds[0] == "A1"
        assert all(kinds[d] == ("L1_0", "Fe3Pt")[parent[d]] for d in range(1, len(kinds)))
        # sub-domains of one region are other variants of it (antiphase / c axis / L1_2 sublattice)
        for r in (0, 1):
            ds = np.flatnonzero(parent == r)
            keys = {(int(p.info["region_c_axis"][d]), int(p.info["region_variants"][d])) for d in ds}
            assert len(keys) == len(ds)
    # one template: the region of every atom deeper than the thickest shell is the same at every step
    deep = [p.arrays["depth"] >= 8.0 for p in series]
    parents = [np.asarray(p.info["region_parent"])[p.arrays["region_id"]][d] for p, d in zip(series, deep)]
    np.testing.assert_array_equal(parents[0], parents[2])


def test_annealing_series_rejects_disorder_growth():
    with pytest.raises(ValueError, match="orders"):
        annealing_series(1500, orders=(0.9, 0.8), shells=(6, 6), subdomains=(1, 1))
    with pytest.raises(ValueError, match="shells"):
        annealing_series(1500, orders=(0.8, 0.9), shells=(4, 6), subdomains=(1, 1))
    with pytest.raises(ValueError, match="subdomains"):
        annealing_series(1500, orders=(0.8, 0.9), shells=(4, 4), subdomains=(1, 2))


def test_aet_error_rates(particle):
    n = len(particle)
    noisy = aet_errors(particle, seed=0, position_noise=0.2, species_error=0.03, missing=0.02, spurious=0.01)
    assert noisy.info["n_missing"] == round(0.02 * n)
    assert noisy.info["n_spurious"] == round(0.01 * n) == int(noisy.arrays["spurious"].sum())
    assert noisy.info["n_mislabelled"] == round(0.03 * n) == int(noisy.arrays["mislabelled"].sum())
    assert len(noisy) == n - round(0.02 * n) + round(0.01 * n)
    flip = noisy.arrays["mislabelled"]
    assert np.all(noisy.numbers[flip] != noisy.arrays["true_numbers"][flip])
    assert np.all(noisy.numbers[~flip] == noisy.arrays["true_numbers"][~flip])
    spur = noisy.arrays["spurious"]
    assert np.all(noisy.arrays["region_id"][spur] == -1)
    assert np.all(noisy.arrays["class_label"][spur] == -1)


def test_aet_position_noise_and_spurious_spacing(particle):
    clean = aet_errors(particle, seed=1, position_noise=0.25, species_error=0, missing=0, spurious=0)
    shift = clean.positions - particle.positions
    assert shift.std() == pytest.approx(0.25, rel=0.05)
    assert abs(shift.mean()) < 0.02
    spur = aet_errors(particle, seed=1, position_noise=0, species_error=0, missing=0, spurious=0.03)
    from scipy.spatial import cKDTree

    added = spur.positions[spur.arrays["spurious"]]
    d, _ = cKDTree(particle.positions).query(added)
    d_nn = particle.info["d_nn"]
    assert d.min() >= 0.5 * d_nn - 1e-9 and d.max() <= 1.2 * d_nn + 1e-9


def test_point_cloud_and_truth_files_round_trip(particle, tmp_path):
    import ase.io

    from arisekit.io import read_point_cloud

    noisy = aet_errors(particle, seed=0)
    files = write_aet(noisy, tmp_path / "sub" / "p.csv")
    assert [f.name for f in files] == ["p.csv", "p.truth.npz"]
    cloud = read_point_cloud(files[0])
    np.testing.assert_array_equal(cloud.numbers, noisy.numbers)
    np.testing.assert_allclose(cloud.positions, noisy.positions, rtol=0, atol=0)
    arrays, info = read_truth(files[0])
    for key in ("class_label", "region_id", "wall_distance", "spurious", "mislabelled", "true_numbers"):
        np.testing.assert_array_equal(arrays[key], noisy.arrays[key])
    assert info["region_kinds"] == noisy.info["region_kinds"]
    assert info["n_spurious"] == noisy.info["n_spurious"]
    write_aet(noisy, tmp_path / "p.xyz")
    back = ase.io.read(tmp_path / "p.xyz")
    np.testing.assert_array_equal(back.arrays["region_id"], noisy.arrays["region_id"])


def test_build_nanoparticle_cli(tmp_path, capsys):
    from arisekit.cli import main

    out = tmp_path / "np.csv"
    code = main(
        ["build", "nanoparticle", "--atoms", "1500", "--regions", "L1_0", "Fe3Pt", "--steps", "2",
         "--orders", "0.9", "1.0", "--shells", "6", "4", "--subdomains", "2", "1", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    for k in (0, 1):
        assert (tmp_path / f"np_t{k}.csv").exists() and (tmp_path / f"np_t{k}.truth.npz").exists()
    text = capsys.readouterr().out
    assert "step 1" in text and "spurious" in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="regions"):
        fept_nanoparticle(1500, regions=("B2",))
    with pytest.raises(ValueError, match="c_over_a"):
        fept_nanoparticle(1500, regions=("L1_0",), c_over_a=(0.5,))
    with pytest.raises(ValueError, match="position_noise"):
        aet_errors(fept_nanoparticle(1500, regions=("L1_0",)), position_noise=-1)
