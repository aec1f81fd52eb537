"""The ARISE d_NN rule on crystals with known answers, species pairs, and bad input."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.descriptors.arise import species_pairs
from arisekit.geometry import nearest_distances, nearest_neighbor_distance, scale_isotropically

# Perfect crystals: every nearest distance equals d, NumPy widens the range to d ± 0.5 Å with 100 bins,
# and the centre of the maximal bin is d + 0.005 Å.
KNOWN = [
    (bulk("Cu", "fcc", a=3.61), 3.61 / np.sqrt(2)),
    (bulk("Fe", "bcc", a=2.87), 2.87 * np.sqrt(3) / 2),
    (bulk("Si", "diamond", a=5.43), 5.43 * np.sqrt(3) / 4),
    (bulk("NaCl", "rocksalt", a=5.64), 5.64 / 2),
    (bulk("Mg", "hcp", a=3.21, c=3.21 * np.sqrt(8 / 3)), 3.21),
]


@pytest.mark.parametrize("atoms, d", KNOWN)
def test_histogram_rule_on_perfect_crystals(atoms, d):
    assert nearest_neighbor_distance(atoms) == pytest.approx(d + 0.005, abs=1e-9)
    assert nearest_neighbor_distance(atoms, method="mean") == pytest.approx(d, abs=1e-9)


def test_supercell_and_open_cluster_give_the_same_rule():
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(4)
    atoms.pbc = False
    # Open cluster: surface atoms have the same nearest distance; the replicated positions differ by
    # rounding only, which must not change the rule: same d_NN as the periodic crystal.
    periodic = bulk("Cu", "fcc", a=3.61, cubic=True)
    assert nearest_neighbor_distance(atoms) == pytest.approx(3.61 / np.sqrt(2) + 0.005, abs=1e-9)
    assert nearest_neighbor_distance(atoms) == pytest.approx(nearest_neighbor_distance(periodic), abs=1e-12)


def test_rounding_noise_does_not_move_d_nn():
    """Distances equal up to rounding give one d_NN, whatever their last bits (paper geometries stored
    with 10 decimals must give the paper's d_NN)."""
    atoms = bulk("Cr", "bcc", a=2.88, cubic=True).repeat(3)
    ref = nearest_neighbor_distance(atoms)
    rng = np.random.default_rng(3)
    for _ in range(5):
        noisy = atoms.copy()
        noisy.positions += rng.uniform(-1e-9, 1e-9, noisy.positions.shape)
        assert nearest_neighbor_distance(noisy) == pytest.approx(ref, abs=1e-8)


def test_species_pairs_in_rocksalt():
    atoms = bulk("NaCl", "rocksalt", a=5.64)
    assert nearest_neighbor_distance(atoms, "Na", "Cl") == pytest.approx(2.82 + 0.005)
    # A single Na centre: one distance, which sits on NumPy's central bin edge: the bin above it, always.
    d = 5.64 / np.sqrt(2)
    assert nearest_neighbor_distance(atoms, "Na", "Na") == pytest.approx(d + 0.005, abs=1e-12)
    assert nearest_neighbor_distance(atoms, 17, 11) == pytest.approx(2.82 + 0.005)


def test_histogram_picks_the_dominant_distance_in_noisy_data():
    rng = np.random.default_rng(0)
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(5)
    atoms.positions += rng.uniform(-0.05, 0.05, atoms.positions.shape)
    d = nearest_distances(atoms)
    counts, edges = np.histogram(d, bins=100)
    centres = 0.5 * (edges[1:] + edges[:-1])
    assert nearest_neighbor_distance(atoms) == centres[np.argmax(counts / centres**2)]
    assert abs(nearest_neighbor_distance(atoms) - 2.5527) < 0.1


def test_rounding_only_differences_count_as_one_distance():
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    atoms.positions[0] += 1e-15  # distances now differ by rounding only: the perfect crystal's rule holds
    d = nearest_distances(atoms)
    assert d.max() - d.min() < 1e-12
    assert nearest_neighbor_distance(atoms) == pytest.approx(np.mean(d) + 0.005, abs=1e-12)


def test_search_radius_grows_for_sparse_structures():
    atoms = Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 35.0]])
    assert nearest_neighbor_distance(atoms, method="mean") == pytest.approx(35.0)


def test_scale_isotropically_divides_positions_and_cell():
    atoms = bulk("Cu", "fcc", a=3.61)
    scaled, d = scale_isotropically(atoms, extrinsic_scale=1.05)
    assert d == pytest.approx(3.61 / np.sqrt(2) + 0.005)
    np.testing.assert_allclose(scaled.cell.array, atoms.cell.array * 1.05 / d)
    np.testing.assert_allclose(scaled.positions, atoms.positions * 1.05 / d)
    assert atoms.cell.array[0, 1] == pytest.approx(1.805)  # input untouched


@pytest.mark.parametrize(
    "atoms, kwargs, message",
    [
        (Atoms("Cu", positions=[[0, 0, 0]]), {}, "no .*atom lies within"),
        (Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 80]]), {}, "no .*atom lies within"),
        (Atoms(), {}, "no atoms"),
        (Atoms("Cu2", positions=[[0, 0, 0], [0, 0, np.nan]]), {}, "NaN"),
        (Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 0]]), {}, "overlapping"),
        (bulk("Cu"), {"center_species": "Na"}, "not present"),
        (bulk("Cu"), {"method": "median"}, "method"),
        (bulk("Cu"), {"bins": 0}, "bins"),
        (bulk("Cu"), {"radii": ()}, "radii"),
    ],
)
def test_bad_input(atoms, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearest_neighbor_distance(atoms, **kwargs)


def test_bad_scaling_arguments():
    with pytest.raises(ValueError, match="extrinsic_scale"):
        scale_isotropically(bulk("Cu"), extrinsic_scale=0)
    with pytest.raises(ValueError, match="d_nn"):
        scale_isotropically(bulk("Cu"), d_nn=-1.0)


# --- method="shell": thermal-noise-robust d_NN -------------------------------------------------------


def _thermal(atoms, sigma_fraction: float, d: float, seed: int = 0):
    """Copy with seeded Gaussian displacements of ``sigma_fraction`` · d Å per Cartesian component."""
    out = atoms.copy()
    out.positions += np.random.default_rng(seed).normal(0.0, sigma_fraction * d, out.positions.shape)
    return out


@pytest.mark.parametrize(
    "atoms, d",
    [
        (bulk("Cu", "fcc", a=3.61, cubic=True) * (6, 6, 6), 3.61 / np.sqrt(2)),
        (bulk("Fe", "bcc", a=2.87, cubic=True) * (7, 7, 7), 2.87 * np.sqrt(3) / 2),
        (bulk("Si", "diamond", a=5.43, cubic=True) * (4, 4, 4), 5.43 * np.sqrt(3) / 4),
    ],
    ids=["fcc", "bcc", "diamond"],
)
def test_shell_d_nn_stays_right_under_thermal_noise(atoms, d):
    """Gaussian noise of 5 % of d_NN per component (about the melting point): the ARISE histogram rule
    falls > 5 % short (nearest of ~12 spread neighbours), the shell rule stays within 2 %."""
    hot = _thermal(atoms, 0.05, d)
    assert nearest_neighbor_distance(hot) < 0.95 * d
    assert nearest_neighbor_distance(hot, method="shell") == pytest.approx(d, rel=0.02)


def test_shell_d_nn_is_the_paper_value_on_perfect_crystals_and_continuous():
    from arisekit import prototypes

    for name in ("fcc", "alpha-Mn", "NaCl", "L1_2"):
        atoms = prototypes.supercells(name)[-1]
        for a, b in species_pairs(atoms.get_atomic_numbers()):
            paper = nearest_neighbor_distance(atoms, a, b)
            assert nearest_neighbor_distance(atoms, a, b, method="shell") == paper
    fcc = prototypes.supercells("fcc")[-1]
    d = nearest_neighbor_distance(fcc) - 0.005
    assert nearest_neighbor_distance(_thermal(fcc, 1e-4, d), method="shell") == pytest.approx(d, rel=1e-3)
    # a vacancy keeps the distances discrete: the paper's value
    assert nearest_neighbor_distance(fcc[1:], method="shell") == nearest_neighbor_distance(fcc[1:])


def test_shell_d_nn_of_an_open_thermal_box_and_of_a_species_pair():
    box = bulk("Cu", "fcc", a=3.61, cubic=True) * (3, 3, 3)
    box.pbc = False
    d = 3.61 / np.sqrt(2)
    assert nearest_neighbor_distance(_thermal(box, 0.05, d, 1), method="shell") == pytest.approx(d, rel=0.03)
    nacl = bulk("NaCl", "rocksalt", a=5.64) * (5, 5, 5)
    hot = _thermal(nacl, 0.04, 2.82, 2)
    assert nearest_neighbor_distance(hot, "Na", "Cl", method="shell") == pytest.approx(2.82, rel=0.02)
    assert nearest_neighbor_distance(hot, "Na", "Cl") < 0.95 * 2.82


def test_d_nn_method_is_validated():
    with pytest.raises(ValueError, match="method must be one of"):
        nearest_neighbor_distance(bulk("Cu", "fcc", a=3.61), method="median")


def test_shell_d_nn_pairs_each_centre_with_its_own_nearest_distance_when_one_is_out_of_reach():
    """A centre with no neighbour within the search radii is dropped; the others keep their own values
    (the isolated atom first, so a shifted pairing would mix the centres up)."""
    rng = np.random.default_rng(0)
    grid = np.array([[i % 4, (i // 4) % 4, i // 16] for i in range(64)], dtype=float) * 2.5
    hot = grid + rng.normal(0.0, 0.05, grid.shape)
    lone = Atoms("Cu" * 65, positions=np.vstack([[[20.0, 20.0, 20.0]], hot]))  # ~21 Å away
    assert nearest_neighbor_distance(lone, method="shell", radii=(4.5,)) == nearest_neighbor_distance(
        Atoms("Cu" * 64, positions=hot), method="shell"
    )
