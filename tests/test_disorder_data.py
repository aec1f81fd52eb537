"""Disorder training rows (thermal, solid solutions, gases, MD clusters), their build and merge, and the
disorder verdict of the results."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from arisekit.dataset import disorder
from arisekit.model.uncertainty import DISORDERED_CLASS, disorder_score

A_CU = 3.61
D_CU = A_CU / np.sqrt(2)


def _fcc(n=4):
    return bulk("Cu", "fcc", a=A_CU, cubic=True) * (n, n, n)


def test_gaussian_and_correlated_displacements_have_the_requested_size():
    atoms = _fcc(5)
    g = disorder.gaussian_displacements(atoms, 0.05, np.random.default_rng(0), D_CU)
    c = disorder.correlated_displacements(atoms, 0.05, np.random.default_rng(0), D_CU)
    for moved in (g, c):
        u = moved.positions - atoms.positions
        assert np.sqrt(np.mean(u**2)) == pytest.approx(0.05 * D_CU, rel=0.1)
    # correlated: nearest neighbours move together, independent ones do not
    from arisekit.geometry import neighbor_list

    nl = neighbor_list(atoms, 1.1 * D_CU)
    i, j = np.asarray(nl.i), np.asarray(nl.j)

    def neighbour_correlation(moved):
        u = moved.positions - atoms.positions
        return np.mean(np.einsum("ij,ij->i", u[i], u[j])) / np.mean(u**2) / 3

    assert neighbour_correlation(c) > 0.3
    assert abs(neighbour_correlation(g)) < 0.1


def test_substitute_gives_at_least_one_atom_and_the_requested_fraction():
    atoms = bulk("Cu", "fcc", a=A_CU, cubic=True) * (3, 3, 3)  # 108 atoms
    one = disorder.substitute(atoms, 0.001, np.random.default_rng(0))
    assert one.get_chemical_symbols().count("Au") == 1
    many = disorder.substitute(atoms, 0.3, np.random.default_rng(0))
    assert many.get_chemical_symbols().count("Au") == round(0.3 * 108)


@pytest.mark.parametrize("periodic", [True, False])
def test_random_gas_respects_its_hard_core(periodic):
    from arisekit.geometry import nearest_distances

    gas = disorder.random_gas(120, np.random.default_rng(1), periodic=periodic, hard_core=1.6)
    assert len(gas) == 120 and bool(gas.pbc.all()) == periodic
    assert nearest_distances(gas).min() >= 1.6 - 1e-9
    poisson = disorder.random_gas(120, np.random.default_rng(1), periodic=periodic)
    assert nearest_distances(poisson).min() < 1.6


def test_cut_cluster_takes_the_nearest_minimum_images():
    frame = _fcc(4)
    cluster = disorder.cut_cluster(frame, 0, 13)  # an atom and its 12 nearest neighbours across the boundary
    assert len(cluster) == 13 and not cluster.pbc.any()
    r = np.linalg.norm(cluster.positions, axis=1)
    assert r[0] == 0.0 and np.allclose(r[1:], D_CU)


def test_rows_are_labelled_and_deterministic():
    rows = list(disorder.thermal_rows(["fcc"]))
    assert {r.label for r in rows} == {"fcc"}
    assert len(rows) == 2 * 2 * len(disorder.THERMAL_SIGMAS)
    again = list(disorder.thermal_rows(["fcc"]))
    assert all(np.array_equal(a.atoms.positions, b.atoms.positions) for a, b in zip(rows, again))
    solid = list(disorder.solid_solution_rows(1, lattices=("bcc",)))
    assert {r.label for r in solid} == {"bcc"} and all("Au" in r.atoms.get_chemical_symbols() for r in solid)
    gases = list(disorder.gas_rows(2))
    assert len(gases) == 8 and {r.label for r in gases} == {DISORDERED_CLASS}


def test_md_rows_of_a_liquid_frame_include_a_binary_copy_and_clusters():
    from arisekit.dataset.md_training import TrainingFrame

    liquid = disorder.random_gas(300, np.random.default_rng(2), periodic=True, hard_core=1.6)
    rows = list(disorder.md_rows([TrainingFrame(liquid, DISORDERED_CLASS, "Cu", "liquid", 2000.0)]))
    assert len(rows) == 2 * (1 + disorder.CLUSTERS_PER_FRAME)
    assert {r.variant for r in rows} == {
        "md_liquid",
        "md_liquid_cluster",
        "md_liquid_binary",
        "md_liquid_binary_cluster",
    }
    lo, hi = disorder.CLUSTER_ATOMS
    assert all(lo <= len(r.atoms) < hi for r in rows if r.variant.endswith("cluster"))


def test_disorder_build_resumes_and_merges(tmp_path, monkeypatch):
    from arisekit.dataset import disorder_build
    from arisekit.model.dataset import load_dataset, write_dataset

    monkeypatch.setattr(disorder, "SOLID_SOLUTION_LATTICES", ("fcc",))
    monkeypatch.setattr(disorder, "THERMAL_SIGMAS", (0.03,))
    monkeypatch.setattr(disorder, "SUBSTITUTION_FRACTIONS", (0.1,))
    monkeypatch.setattr(disorder, "SOLID_SOLUTION_SIGMAS", (0.0,))
    real_gas_rows = disorder.gas_rows
    monkeypatch.setattr(disorder, "gas_rows", lambda count=30: real_gas_rows(1))
    monkeypatch.setattr(disorder_build, "_groups", _small_groups(disorder_build._groups))
    kw = dict(cutoff=4.0, atom_sigma=0.1, extrinsic_scale=1.0, central_weight=0.0, d_nn_method="shell")
    out = tmp_path / "dis.h5"
    disorder_build.build_disorder_dataset(
        out, descriptor_kwargs=kw, with_md=False, workers=1, classes=["fcc"]
    )
    ds = load_dataset(out)
    assert ds.class_names[-1] == DISORDERED_CLASS
    labels = [ds.class_names[k] for k in ds.y]
    assert labels.count(DISORDERED_CLASS) == 4 and set(labels) == {"fcc", DISORDERED_CLASS}
    parts = sorted((tmp_path / "dis.h5.parts").glob("*.npz"))
    assert parts  # kept: a second build reuses them
    mtimes = [p.stat().st_mtime_ns for p in parts]
    disorder_build.build_disorder_dataset(
        out, descriptor_kwargs=kw, with_md=False, workers=1, classes=["fcc"]
    )
    assert [p.stat().st_mtime_ns for p in parts] == mtimes
    other = tmp_path / "other.h5"
    write_dataset(other, ds.X[:3], np.array([0, 1, 1]), ["bcc", "fcc"], None, kw, ["pristine"] * 3)
    merged = load_dataset(disorder_build.merge_datasets([other, out], tmp_path / "m.h5"))
    assert merged.class_names[:2] == ["bcc", "fcc"] and merged.class_names[-1] == DISORDERED_CLASS
    assert len(merged.y) == 3 + len(ds.y)
    assert [merged.class_names[k] for k in merged.y[3:]] == labels
    write_dataset(other, ds.X[:3], np.array([0, 1, 1]), ["bcc", "fcc"], None, {**kw, "d_nn_method": "hist"})
    with pytest.raises(ValueError, match="descriptor_params"):
        disorder_build.merge_datasets([other, out], tmp_path / "m2.h5")
    # a changed recipe level makes new parts instead of reusing rows made by the old recipe
    monkeypatch.setattr(disorder, "THERMAL_SIGMAS", (0.03, 0.05))
    disorder_build.build_disorder_dataset(
        out, descriptor_kwargs=kw, with_md=False, workers=1, classes=["fcc"]
    )
    assert len(list((tmp_path / "dis.h5.parts").glob("*.npz"))) == 2 * len(parts)
    assert sum(v.startswith("thermal") for v in load_dataset(out).variant) == 2 * sum(
        v.startswith("thermal") for v in ds.variant
    )


def _small_groups(groups):
    def small(class_names, md_cache, with_md, log):
        keep = ("thermal|", "solid|fcc", "gas")
        return [g for g in groups(class_names, md_cache, with_md, log) if g[0].startswith(keep)]

    return small


def test_disorder_score_and_verdict_of_a_classification():
    from arisekit.model.classification import Classification

    names = ("fcc", "bcc", DISORDERED_CLASS)
    p = np.array([0.2, 0.1, 0.7])
    c = Classification(DISORDERED_CLASS, p, names, 0.1, 0.5, 0.2, {"name": DISORDERED_CLASS})
    assert c.disordered and c.disorder_score == pytest.approx(0.8)
    d = c.to_dict()
    assert d["disordered"] is True and d["disorder_score"] == pytest.approx(0.8)
    crystal = Classification("fcc", np.array([0.9, 0.05, 0.05]), names, 0.01, 0.3, 0.0, {"name": "fcc"})
    assert not crystal.disordered and crystal.disorder_score == pytest.approx(0.1)
    # a model without the class: the score is 1 - the top probability
    assert disorder_score(np.array([[0.6, 0.4]]), ["fcc", "bcc"]) == pytest.approx([0.4])
    with pytest.raises(ValueError, match="classes"):
        disorder_score(np.array([0.5, 0.5]), ["fcc"])


def test_disordered_type_is_grey_in_ovito_outputs():
    from arisekit.ovito.palette import type_table

    table = type_table(["fcc", DISORDERED_CLASS])
    assert table[2][1] == DISORDERED_CLASS and table[2][2] == (0.6, 0.6, 0.6)


def test_ptm_check_of_the_md_training_frames():
    from arisekit.dataset.md_training import lattice_fraction

    hot = disorder.gaussian_displacements(_fcc(4), 0.04, np.random.default_rng(3), D_CU)
    assert lattice_fraction(hot, "fcc") > 0.95 and lattice_fraction(hot, "bcc") < 0.05
    gas = disorder.random_gas(256, np.random.default_rng(3), periodic=True, hard_core=1.6)
    assert lattice_fraction(gas, None) < 0.1


def test_bad_parameters_are_refused_clearly():
    atoms, rng = _fcc(2), np.random.default_rng(0)
    with pytest.raises(ValueError, match="sigma"):
        disorder.gaussian_displacements(atoms, -0.1, rng, D_CU)
    with pytest.raises(ValueError, match="d_nn"):
        disorder.correlated_displacements(atoms, 0.1, rng, 0.0)
    with pytest.raises(ValueError, match="fraction"):
        disorder.substitute(atoms, 1.5, rng)
    with pytest.raises(ValueError, match="n_atoms"):
        disorder.random_gas(0, rng, periodic=True)
    with pytest.raises(ValueError, match="too large"):
        disorder.random_gas(200, rng, periodic=True, hard_core=5.0)


def test_antisites_swap_keeps_composition_and_flip_changes_sites():
    from arisekit import prototypes

    atoms = prototypes.supercells("L1_2")[0]  # 108 atoms, Cu3Au
    rng = np.random.default_rng(1)
    swapped = disorder.antisites(atoms, 0.05, rng)
    changed = np.flatnonzero(swapped.numbers != atoms.numbers)
    assert len(changed) == 2 * round(0.05 * 108 / 2)
    assert sorted(swapped.numbers) == sorted(atoms.numbers)  # composition kept
    flipped = disorder.antisites(atoms, 0.03, rng, swap=False)
    assert np.count_nonzero(flipped.numbers != atoms.numbers) == round(0.03 * 108)
    assert np.allclose(flipped.positions, atoms.positions)
    with pytest.raises(ValueError, match="binary"):
        disorder.antisites(_fcc(2), 0.1, rng)


def test_tetragonal_strain_keeps_volume_and_sets_c_over_a():
    from arisekit import prototypes

    l10 = prototypes.build("L1_0")
    a, _, c = l10.cell.cellpar()[:3]
    reference = c / (a * np.sqrt(2.0))
    for ratio in (0.90, 0.96, 1.0):
        s = disorder.tetragonal(l10, ratio, reference)
        a2, _, c2 = s.cell.cellpar()[:3]
        assert c2 / (a2 * np.sqrt(2.0)) == pytest.approx(ratio)
        assert s.get_volume() == pytest.approx(l10.get_volume())
    rows = list(disorder.tetragonal_l10_rows(realizations=1))
    assert {r.label for r in rows} == {"L1_0"} and len(rows) == 2 * len(disorder.L10_C_OVER_A) * 2 * len(
        disorder.ANTISITE_SIGMAS
    )
    anti = list(disorder.antisite_rows(("CsCl",), realizations=1))
    assert {r.label for r in anti} == {"CsCl"} and len(anti) == 2 * len(disorder.ANTISITE_FRACTIONS) * len(
        disorder.ANTISITE_SIGMAS
    ) * 2


def test_tetragonal_refuses_a_non_positive_c_over_a():
    from arisekit import prototypes

    l10 = prototypes.build("L1_0")
    for bad in (0.0, -0.9, float("nan")):
        with pytest.raises(ValueError, match="c/a must be positive"):
            disorder.tetragonal(l10, bad, 0.927)
    with pytest.raises(ValueError, match="fraction"):
        disorder.antisites(l10, 0.0, np.random.default_rng(0))


def test_boundary_rows_cut_bulk_and_thin_film_bicrystals():
    bulk = list(disorder.boundary_rows(samples=1, clusters=3, slab_samples=0))
    film = list(disorder.boundary_rows(samples=0, clusters=3, slab_samples=2))
    assert len(bulk) == 3 and len(film) == 6
    allowed = {*disorder.BOUNDARY_LATTICES, DISORDERED_CLASS}
    for row in bulk + film:
        assert row.label in allowed and row.variant in ("boundary_mixed", "boundary_grain")
        assert disorder.CLUSTER_ATOMS[0] <= len(row.atoms) < disorder.CLUSTER_ATOMS[1]
        assert not row.atoms.pbc.any()
    thickness = [np.ptp(r.atoms.positions[:, 2]) for r in film]
    assert max(thickness) <= 20.0  # through a 10-20 Å film
