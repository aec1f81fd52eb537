"""Structure variants: open supercells, seeded displacements and vacancies, the variant plan."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from arisekit import prototypes
from arisekit.geometry import nearest_neighbor_distance


def test_bulk_supercells_are_the_smallest_isotropic_replicas_with_100_atoms():
    cells = prototypes.supercells("fcc")  # the paper's fcc is the 1-atom primitive cell
    assert [c.info["repeat"] for c in cells] == [(5, 5, 5), (6, 6, 6), (7, 7, 7)]
    assert [len(c) for c in cells] == [125, 216, 343]
    assert all(not any(c.pbc) for c in cells)
    # alpha-Mn has 58 atoms per cell: 2 x 2 x 2 is already enough
    assert prototypes.supercell_repeats("alpha-Mn") == [(2, 2, 2), (3, 3, 3), (4, 4, 4)]
    for name in ("NaCl", "hcp", "kesterite", "corundum"):
        n_cell = len(prototypes.build(name))
        n = prototypes.supercell_repeats(name)[0][0]
        assert n_cell * n**3 >= 100 > n_cell * (n - 1) ** 3


def test_layer_supercells_replicate_in_plane_only():
    cells = prototypes.supercells("graphene")
    assert [c.info["repeat"] for c in cells] == [(8, 8, 1), (9, 9, 1), (10, 10, 1)]
    z = prototypes.build("graphene").positions[:, 2]
    assert np.allclose(cells[2].positions[:, 2], z[0])


def test_nanotube_supercell_is_the_shortest_tube_with_100_atoms():
    (tube,) = prototypes.supercells("CNT_3_3")
    assert tube.info["repeat"] == (1, 1, 9) and len(tube) == 108 and not any(tube.pbc)
    assert len(prototypes.supercells("CNT_4_3")[0]) == 148  # one period already has >= 100 atoms
    assert len(prototypes.supercells("CNT_6_0", count=2)) == 2


def test_supercell_cells_keep_periodic_geometry():
    cell = prototypes.build("wurtzite")
    big = prototypes.supercells("wurtzite")[0]
    assert np.allclose(big.cell[:], cell.cell[:] * np.array(big.info["repeat"])[:, None])
    assert nearest_neighbor_distance(big) == pytest.approx(nearest_neighbor_distance(cell), abs=0.02)


def test_displace_is_uniform_bounded_and_seeded():
    atoms = prototypes.supercells("bcc")[0]
    d_nn = nearest_neighbor_distance(atoms)
    a = prototypes.displace(atoms, 0.04, np.random.default_rng(3))
    b = prototypes.displace(atoms, 0.04, np.random.default_rng(3))
    c = prototypes.displace(atoms, 0.04, np.random.default_rng(4))
    shift = a.positions - atoms.positions
    assert np.array_equal(a.positions, b.positions) and not np.allclose(a.positions, c.positions)
    assert np.abs(shift).max() <= 0.04 * d_nn + 1e-12
    assert np.abs(shift).max() > 0.9 * 0.04 * d_nn  # 3 x 128 uniform draws nearly reach the bound
    assert abs(shift.mean()) < 0.01 * d_nn
    assert a.info["d_nn"] == pytest.approx(d_nn) and a.info["displacement"] == 0.04
    assert np.array_equal(prototypes.supercells("bcc")[0].positions, atoms.positions)  # input untouched
    same = prototypes.displace(atoms, 0.0, 1)
    assert np.array_equal(same.positions, atoms.positions)
    explicit = prototypes.displace(atoms, 0.1, 0, d_nn=1.0)
    assert np.abs(explicit.positions - atoms.positions).max() <= 0.1


def test_remove_atoms_counts_and_seed():
    atoms = prototypes.supercells("fcc")[0]  # 125 atoms
    for eta, expected in [(0.01, 124), (0.05, 119), (0.10, 112), (0.20, 100), (0.25, 94), (0.30, 87)]:
        out = prototypes.remove_atoms(atoms, eta, np.random.default_rng(0))
        assert len(out) == expected
    a = prototypes.remove_atoms(atoms, 0.2, np.random.default_rng(5))
    b = prototypes.remove_atoms(atoms, 0.2, 5)
    assert np.array_equal(a.positions, b.positions)
    kept = {tuple(p) for p in np.round(atoms.positions, 8)}
    assert all(tuple(p) in kept for p in np.round(a.positions, 8))
    assert len(prototypes.remove_atoms(atoms, 0.0, 0)) == 125


def test_variant_spec_is_deterministic_and_combines_defects():
    spec = prototypes.VariantSpec("NaCl", "supercell1", delta=0.02, eta=0.1, seed=11)
    a, b = spec.build(), spec.build()
    assert np.array_equal(a.positions, b.positions) and a.get_chemical_symbols() == b.get_chemical_symbols()
    assert len(a) == 250 - 25 and not any(a.pbc)  # 5 x 5 x 5 primitive cells (the paper's), 10 % removed
    assert a.info["variant"] == spec.label == "both_0.02_0.1"
    assert prototypes.VariantSpec("NaCl", "periodic").build().info["variant"] == "pristine"
    assert len(prototypes.VariantSpec("MoS2", "supercell0").build()) == len(prototypes.supercells("MoS2")[0])


def test_variant_plan_layout():
    plan = prototypes.variant_plan(["fcc", "CNT_6_0"], seed=1)
    fcc = [s for s in plan if s.class_name == "fcc"]
    tube = [s for s in plan if s.class_name == "CNT_6_0"]
    per_base = 1 + 7 + 6 + 7 * 6
    assert len(fcc) == 1 + 3 * per_base and len(tube) == per_base
    assert {s.base for s in tube} == {"supercell0"}
    assert [s for s in fcc if s.base == "periodic"] == [
        prototypes.VariantSpec("fcc", "periodic", 0.0, 0.0, fcc[0].seed)
    ]
    assert len({s.seed for s in plan}) == len(plan)
    assert plan == prototypes.variant_plan(["fcc", "CNT_6_0"], seed=1)
    assert plan != prototypes.variant_plan(["fcc", "CNT_6_0"], seed=2)
    assert {(s.delta, s.eta) for s in fcc if s.base == "supercell2"} >= {(0.001, 0.0), (0.0, 0.3), (0.1, 0.3)}
    small = prototypes.variant_plan(
        ["sc"], deltas=[0.01], etas=[0.05], combined=False, defects_on_periodic=True
    )
    assert [(s.base, s.label) for s in small][:3] == [
        ("periodic", "pristine"),
        ("periodic", "displaced_0.01"),
        ("periodic", "missing_0.05"),
    ]
    specs_atoms = list(prototypes.iter_variants(small[:4]))
    assert [s for s, _ in specs_atoms] == small[:4]
    assert all(isinstance(a, Atoms) for _, a in specs_atoms)


@pytest.mark.parametrize("delta", [-0.01, 1.0, 2.5, float("nan"), float("inf"), "abc"])
def test_bad_delta(delta):
    with pytest.raises(ValueError, match="delta"):
        prototypes.displace(prototypes.build("fcc"), delta, 0)


@pytest.mark.parametrize("eta", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_eta(eta):
    with pytest.raises(ValueError, match="eta"):
        prototypes.remove_atoms(prototypes.build("fcc"), eta, 0)


def test_removing_all_atoms_is_an_error():
    with pytest.raises(ValueError, match="remove all"):
        prototypes.remove_atoms(prototypes.build("sc"), 0.5, 0)  # 1 atom
    with pytest.raises(ValueError, match="remove all"):
        prototypes.remove_atoms(prototypes.build("bcc"), 0.8, 0)  # 2 atoms
    with pytest.raises(ValueError, match="no atoms"):
        prototypes.remove_atoms(Atoms(), 0.1, 0)


def test_other_bad_input():
    with pytest.raises(ValueError, match="unknown prototype class"):
        prototypes.supercells("fcc-ish-unknown")
    with pytest.raises(ValueError, match="rng"):
        prototypes.displace(prototypes.build("fcc"), 0.01, "seed")
    with pytest.raises(ValueError, match="d_nn"):
        prototypes.displace(prototypes.build("fcc"), 0.01, 0, d_nn=-1.0)
    with pytest.raises(ValueError, match="no atoms"):
        prototypes.displace(Atoms(), 0.01, 0)
    with pytest.raises(ValueError, match="min_atoms"):
        prototypes.supercells("fcc", min_atoms=0)
    with pytest.raises(ValueError, match="count"):
        prototypes.supercells("fcc", count=0)
    with pytest.raises(ValueError, match="base"):
        prototypes.VariantSpec("fcc", "slab").build()
    with pytest.raises(ValueError, match="deltas"):
        prototypes.variant_plan(["fcc"], deltas=[0.5, 1.2])
    with pytest.raises(ValueError, match="unknown prototype class"):
        prototypes.variant_plan(["fcc", "bogus-class"])
    with pytest.raises(ValueError, match="either"):
        next(prototypes.iter_variants([], seed=3))
