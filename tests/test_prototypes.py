"""Prototype library: coverage of the ARISE list, declared symmetry, geometry sanity and metadata."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import spglib
from ase.data import covalent_radii
from ase.formula import Formula
from ase.neighborlist import natural_cutoffs, neighbor_list
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from arisekit import prototypes

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:spglib")

ALL = prototypes.names()
WITH_SPACEGROUP = [p.name for p in prototypes.list_prototypes() if p.spacegroup is not None]
LAYERS = prototypes.names("2D")
TUBES = prototypes.names("nanotube")


def _spacegroup(atoms, symprec=1e-3) -> int:
    cell = (atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers)
    return spglib.get_symmetry_dataset(cell, symprec=symprec).number


def test_library_size_and_unique_names():
    assert len(ALL) >= 108
    assert len(set(ALL)) == len(ALL)
    assert len({n.lower() for n in ALL}) == len(ALL)
    assert all(re.fullmatch(r"[A-Za-z0-9_\-]+", n) for n in ALL)
    assert {p.category for p in prototypes.list_prototypes()} == set(prototypes.CATEGORIES)


def test_covers_the_arise_tables():
    rows = {p.paper_index for p in prototypes.list_prototypes() if p.paper_index is not None}
    # every row of the paper's tables S4-S6 is a class, with its paper label
    assert rows == set(range(1, 109))
    labels = [p.paper_label for p in prototypes.list_prototypes() if p.paper_index is not None]
    assert len(set(labels)) == 108 and None not in labels
    assert all(p.paper_label is None for p in prototypes.list_prototypes() if p.paper_index is None)
    indices = [p.paper_index for p in prototypes.list_prototypes() if p.paper_index is not None]
    assert len(indices) == len(set(indices))
    for name, category in [
        ("fcc", "elemental"),
        ("In", "elemental"),
        ("alpha-Pa", "elemental"),
        ("NaCl", "binary"),
        ("FeB", "binary"),
        ("kesterite", "quaternary"),
        ("MoS2", "2D"),
        ("CNT_7_0", "nanotube"),
    ]:
        assert prototypes.get(name).category == category
    # the paper's labels name the same classes
    assert prototypes.get("fcc_Cu_A_cF4_225_a").name == "fcc"
    assert prototypes.get("RockSalt_NaCl").name == "NaCl"
    assert prototypes.get("zigzag_cnt_nm_7_0_0.0_5.48").name == "CNT_7_0"


def test_out_of_library_examples_are_absent():
    formulas = {Formula(p.formula).reduce()[0].format("hill") for p in prototypes.list_prototypes()}
    for absent in ("CaF2", "O2Ti", "CFe3"):  # fluorite, rutile, cementite
        assert absent not in formulas
    assert not any("clathrate" in p.description.lower() for p in prototypes.list_prototypes())


@pytest.mark.parametrize("name", WITH_SPACEGROUP)
def test_declared_space_group(name):
    proto = prototypes.get(name)
    assert _spacegroup(proto.build()) == proto.spacegroup


@pytest.mark.parametrize("name", ALL)
def test_structure_is_sane(name):
    proto = prototypes.get(name)
    atoms = proto.build()
    assert len(atoms) > 0
    # stoichiometry and species match the metadata
    assert Formula(atoms.get_chemical_formula()).reduce()[0] == Formula(proto.formula).reduce()[0]
    assert set(atoms.get_chemical_symbols()) == set(proto.species)
    assert atoms.info["class_name"] == name
    # no two atoms closer than 0.6 x the sum of their covalent radii
    i, j, d = neighbor_list("ijd", atoms, 4.0)
    assert len(d) > 0
    limit = 0.6 * (covalent_radii[atoms.numbers[i]] + covalent_radii[atoms.numbers[j]])
    assert np.all(d >= limit), f"{name}: closest pair {d.min():.3f} Å"


@pytest.mark.parametrize("name", [p.name for p in prototypes.list_prototypes() if p.aflow])
def test_aflow_label_matches_structure(name):
    proto = prototypes.get(name)
    _, pearson, number, *_ = proto.aflow.split("_")
    assert int(number) == proto.spacegroup
    n_pearson = int(pearson[2:])
    n_cell = len(proto.build())
    # the conventional cell (rhombohedral groups: hexagonal axes, 3 x the primitive cell) or the primitive
    # cell (the paper's geometries) is built; the Pearson symbol counts the conventional cell (R: primitive)
    centring = {"P": 1, "I": 2, "F": 4, "C": 2, "A": 2, "B": 2, "R": 1}[pearson[1]]
    conventional = 3 * n_pearson if pearson[1] == "R" else n_pearson
    assert n_cell in (conventional, n_pearson // centring)


@pytest.mark.parametrize("name", LAYERS)
def test_layers_are_single_layers_with_vacuum(name):
    atoms = prototypes.build(name)
    assert tuple(atoms.pbc) == (True, True, False)
    cell = atoms.cell[:]
    assert np.allclose(cell[:2, 2], 0.0) and np.allclose(cell[2, :2], 0.0)
    z = atoms.positions[:, 2]
    assert cell[2, 2] - np.ptp(z) >= 10.0
    assert z.min() > 0 and z.max() < cell[2, 2]
    # one connected layer (bonds from natural cutoffs, periodic in-plane); the hybrid perovskite's
    # organic spacer molecules are not bonded to its inorganic sheet
    if name == "PbA2I4":
        return
    i, j = neighbor_list("ij", atoms, [1.2 * c for c in natural_cutoffs(atoms)])
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(atoms), len(atoms)))
    assert connected_components(graph, directed=False)[0] == 1


@pytest.mark.parametrize("name", TUBES)
def test_nanotubes_have_declared_chirality(name):
    proto = prototypes.get(name)
    n, m = proto.chiral_indices
    assert name == f"CNT_{n}_{m}"
    atoms = proto.build()
    assert tuple(atoms.pbc) == (False, False, True)
    a = np.sqrt(3.0) * 1.42
    assert proto.diameter == pytest.approx(a * np.sqrt(n * n + n * m + m * m) / np.pi, abs=1e-3)
    assert proto.chiral_angle == pytest.approx(np.degrees(np.arctan2(np.sqrt(3) * m, 2 * n + m)), abs=1e-2)
    assert 4.0 <= proto.diameter <= 6.0
    radial = np.linalg.norm(atoms.positions[:, :2] - atoms.positions[:, :2].mean(axis=0), axis=1)
    assert np.allclose(2 * radial, proto.diameter, atol=1e-3)
    # carbon atoms per translational period of an (n, m) tube: 4 (n^2 + nm + m^2) / gcd(2n + m, 2m + n)
    assert len(atoms) == 4 * (n * n + n * m + m * m) // np.gcd(2 * n + m, 2 * m + n)
    i, j, d = neighbor_list("ijd", atoms, 1.6)
    assert np.bincount(i, minlength=len(atoms)).tolist() == [3] * len(atoms)
    assert np.allclose(d, 1.42, atol=0.05)


def test_paper_chiral_angles_and_diameters():
    expected = {
        (3, 3): (30.0, 4.07),
        (4, 2): (19.11, 4.14),
        (5, 1): (8.95, 4.36),
        (6, 0): (0.0, 4.7),
        (7, 1): (6.59, 5.91),
    }
    for (n, m), (theta, diameter) in expected.items():
        proto = prototypes.get(f"CNT_{n}_{m}")
        assert proto.chiral_angle == pytest.approx(theta, abs=0.01)
        assert proto.diameter == pytest.approx(diameter, abs=0.01)


def test_build_returns_independent_copies():
    a = prototypes.build("fcc")
    a.positions += 1.0
    assert np.allclose(prototypes.build("fcc").positions[0], 0.0)


def test_metadata_table_and_json():
    table = prototypes.metadata_table()
    assert [row["name"] for row in table] == ALL
    keys = {
        "name",
        "category",
        "formula",
        "species",
        "spacegroup",
        "aflow",
        "description",
        "paper_index",
        "paper_label",
        "chiral_indices",
        "diameter",
        "chiral_angle",
    }
    assert all(set(row) == keys for row in table)
    assert all(row["description"] and "\n" not in row["description"] for row in table)
    assert json.loads(prototypes.to_json()) == table
    layers = json.loads(prototypes.to_json("2D"))
    assert {row["category"] for row in layers} == {"2D"} and len(layers) == len(LAYERS)
    bulk = [row for row in table if row["category"] not in ("2D", "nanotube")]
    assert all(isinstance(row["spacegroup"], int) for row in bulk)
    assert all(row["chiral_indices"] is None for row in bulk)
    assert prototypes.get("fcc").aflow == "A_cF4_225_a"
    assert prototypes.get("CNT_6_0").to_dict()["chiral_indices"] == [6, 0]


def test_unknown_class_suggests_closest_names():
    with pytest.raises(ValueError, match="did you mean 'fcc'"):
        prototypes.get("fc")
    with pytest.raises(ValueError, match="unknown prototype class"):
        prototypes.build("no-such-structure-xyz")
    assert prototypes.closest_names("wurzite")[0] == "wurtzite"


def test_bad_category():
    with pytest.raises(ValueError, match="category"):
        prototypes.list_prototypes("3D")


def test_bad_structure_definitions():
    from arisekit.prototypes.builders import build_structure

    with pytest.raises(ValueError, match="kind"):
        build_structure({"kind": "amorphous"})
    tilted = {
        "kind": "layer",
        "symbols": ["C"],
        "basis": [(0, 0, 0)],
        "spacegroup": 1,
        "cellpar": [2.5, 2.5, 30.0, 80.0, 90.0, 120.0],
    }
    with pytest.raises(ValueError, match="orthogonal"):
        build_structure(tilted)


def test_bad_cell_definitions():
    from arisekit.prototypes.builders import build_structure
    from arisekit.prototypes.data import paper_cell

    with pytest.raises(ValueError, match="no paper geometry"):
        paper_cell("fcc_Xx")
    cell = {"kind": "cell", "symbols": ["Cu"], "lattice": [[1, 0, 0], [0, 1, 0]], "positions": [[0, 0, 0]]}
    with pytest.raises(ValueError, match="3 lattice vectors"):
        build_structure(cell)
    tilted = {**cell, "lattice": [[3, 0, 1], [0, 3, 0], [0, 0, 20]], "layer": True}
    with pytest.raises(ValueError, match="third vector along z"):
        build_structure(tilted)
