"""Unit tests of the benchmark package: metrics, baselines, out-of-library builders, protocol, Bain cells."""

from __future__ import annotations

import numpy as np
import pytest

from arisekit import prototypes
from arisekit.benchmark.bain import bct, grid_values
from arisekit.benchmark.baselines import (
    BASELINES,
    LOCAL_CLASSES,
    PTM_CLASSES,
    get_baseline,
    majority_label,
    ovito_atom_labels,
    spglib_spacegroup,
)
from arisekit.benchmark.metrics import accuracy, auroc, expected_calibration_error, reliability_bins
from arisekit.benchmark.out_of_library import (
    OUT_OF_LIBRARY,
    amorphous,
    build_out_of_library,
    out_of_library_names,
)
from arisekit.benchmark.protocol import Protocol, open_supercells


# ---------------------------------------------------------------------------------------------- metrics
def test_ece_hand_computed():
    # bins of width 1/15: 0.95 -> bin 14 (accuracy 1/2), 0.55 -> bin 8 (accuracy 1)
    conf = [0.95, 0.95, 0.55, 0.55]
    correct = [True, False, True, True]
    assert expected_calibration_error(conf, correct) == pytest.approx(0.5 * 0.45 + 0.5 * 0.45)
    bins = reliability_bins(conf, correct)
    assert bins["count"][14] == 2 and bins["count"][8] == 2 and bins["count"].sum() == 4
    # perfectly calibrated: confidence 1, always right
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    # a bin edge belongs to the lower bin: 2/15 -> bin 1
    assert reliability_bins([2 / 15], [True])["count"][1] == 1


def test_ece_rejects_bad_input():
    with pytest.raises(ValueError, match="confidence"):
        expected_calibration_error([1.2], [True])
    with pytest.raises(ValueError, match="shapes"):
        expected_calibration_error([0.5, 0.5], [True])
    with pytest.raises(ValueError, match="NaN"):
        expected_calibration_error([np.nan], [True])
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error([0.5], [True], n_bins=0)


def test_auroc_hand_computed():
    assert auroc([0.1, 0.4, 0.35, 0.8], [False, True, False, True]) == 1.0
    assert auroc([0.1, 0.4, 0.35, 0.8], [True, False, True, False]) == 0.0
    # one tie between a positive and a negative counts 1/2: (0.5 + 1 + 1 + 1) / 4
    assert auroc([1.0, 1.0, 2.0, 0.0], [True, False, True, False]) == pytest.approx(0.875)
    assert np.isnan(auroc([0.1, 0.2], [True, True]))


def test_auroc_matches_sklearn():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    labels = rng.random(200) < 0.3
    scores = np.round(rng.normal(size=200) + labels, 1)  # rounded: many ties
    assert auroc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))


def test_accuracy():
    assert accuracy([True, False, True, True]) == 0.75
    assert np.isnan(accuracy([]))


# ---------------------------------------------------------------------------------------------- baselines
def _periodic_supercell(name):
    atoms = prototypes.supercells(name, count=1)[0]
    atoms.pbc = prototypes.build(name).pbc
    return atoms


@pytest.mark.parametrize("name", ["fcc", "bcc", "hcp"])
def test_local_methods_recognise_perfect_metals(name):
    atoms = _periodic_supercell(name)
    for method in ("ptm", "cna", "acna", "baa"):
        labels = ovito_atom_labels(atoms, method)
        assert np.all(labels == name), (method, np.unique(labels))
        result = BASELINES[method].run(atoms, name)
        assert result.label == name and result.atom_fraction == 1.0


@pytest.mark.parametrize("name", ["diamond", "zincblende", "L1_2", "CsCl", "graphene"])
def test_ptm_types_map_to_library_classes(name):
    assert BASELINES["ptm"].run(_periodic_supercell(name)).label == name


def test_cna_fixed_cutoff_fails_on_unmatched_structure():
    # sc is not a CNA class: every atom is "other"
    assert set(ovito_atom_labels(_periodic_supercell("sc"), "cna")) == {"other"}


def test_spglib_baseline():
    fcc = _periodic_supercell("fcc")
    assert spglib_spacegroup(fcc, 0.1, 5.0) == 225
    assert BASELINES["spglib-tight"].run(fcc).label == "225" == BASELINES["spglib-tight"].expected("fcc")
    # δ = 0.6 % of d_NN (≤ 0.015 Å per component) is within the loose tolerance (0.1 Å), not the tight one
    shaken = prototypes.displace(fcc, 0.006, 0)
    assert spglib_spacegroup(shaken, 0.1, 5.0) == 225
    assert spglib_spacegroup(shaken, 1e-4, 1.0) == 1


def test_baseline_coverage():
    assert {n for n in prototypes.names() if BASELINES["ptm"].covers(n)} == set(PTM_CLASSES)
    for key in ("cna", "acna", "baa"):
        assert {n for n in prototypes.names() if BASELINES[key].covers(n)} == set(LOCAL_CLASSES)
    spg = BASELINES["spglib-loose"]
    assert spg.covers("fcc") and spg.covers("NaCl")
    assert not spg.covers("CNT_3_3")  # nanotube
    assert not spg.covers("MoS2")  # CMR 2D class without an AFLOW label
    with pytest.raises(ValueError, match="unknown baseline"):
        get_baseline("nope")
    with pytest.raises(ValueError, match="method"):
        ovito_atom_labels(prototypes.build("fcc"), "xyz")


def test_majority_label():
    assert majority_label(np.array(["a", "b", "b", "a", "c"])) == "a"  # tie: first seen
    assert majority_label(np.array(["other", "fcc", "fcc"])) == "fcc"
    with pytest.raises(ValueError):
        majority_label(np.array([]))


# ------------------------------------------------------------------------------------------ out of library
@pytest.mark.parametrize(
    "name,sg,n",
    [("fluorite", 225, 12), ("rutile", 136, 6), ("cementite", 62, 16), ("clathrate_Si46", 223, 46),
     ("clathrate_Ba8Si46", 223, 54), ("NbO", 221, 6), ("SiC_4H", 186, 8), ("hBN_bulk", 194, 4)],
)  # fmt: skip
def test_out_of_library_space_groups(name, sg, n):
    atoms = build_out_of_library(name)
    assert len(atoms) == n
    assert spglib_spacegroup(atoms, 1e-3, 1.0) == sg == OUT_OF_LIBRARY[name].spacegroup


def test_clathrate_framework_is_four_coordinated():
    from ase.neighborlist import neighbor_list

    atoms = build_out_of_library("clathrate_Si46")
    i, d = neighbor_list("id", atoms, 2.6)
    assert np.all(np.bincount(i, minlength=len(atoms)) == 4)
    assert 2.3 < d.min() and d.max() < 2.5  # Si-Si bonds


def test_out_of_library_not_in_library():
    assert set(out_of_library_names(novel_only=True)) == set(OUT_OF_LIBRARY) - {"NbO", "SiC_4H", "hBN_bulk"}
    for name, o in OUT_OF_LIBRARY.items():
        assert o.reading is None or o.reading in prototypes.PROTOTYPES
        assert name not in prototypes.PROTOTYPES
        species = sorted(set(build_out_of_library(name).get_chemical_symbols()))
        # no library class has the same space group and species
        clash = [
            p.name
            for p in prototypes.list_prototypes()
            if o.spacegroup is not None and p.spacegroup == o.spacegroup and sorted(p.species) == species
        ]
        assert not clash, (name, clash)


def test_amorphous():
    a = amorphous(n_atoms=60, seed=1)
    b = amorphous(n_atoms=60, seed=1)
    assert np.allclose(a.positions, b.positions)
    assert not np.allclose(a.positions, amorphous(n_atoms=60, seed=2).positions)
    d = a.get_all_distances(mic=True)[np.triu_indices(60, 1)]
    assert d.min() >= 2.3
    assert spglib_spacegroup(a, 1e-3, 1.0) == 1
    with pytest.raises(ValueError, match="packing"):
        amorphous(packing=0.7)
    with pytest.raises(ValueError, match="unknown out-of-library"):
        build_out_of_library("quartz")


# ---------------------------------------------------------------------------------------------- protocol
def test_protocol_structures():
    p = Protocol(classes=["fcc"], realizations=2)
    structures = list(p.structures("fcc"))
    levels = p.levels()
    assert len(levels) == 1 + 7 + 6 + 7
    # pristine: periodic + 3 open supercells; defects (the paper's protocol): 3 supercells x 2 draws x
    # (periodic + open)
    assert len(structures) == 4 + 20 * 3 * 2 * 2
    assert {s.boundary for s in structures} == {"periodic", "open"}
    assert {s.base for s in structures if s.level.group != "pristine"} == {
        "supercell0",
        "supercell1",
        "supercell2",
    }
    # the same draw is used for the periodic and the open version
    pair = [
        s
        for s in structures
        if s.level.label == "(η,δ)=(10%,1%)" and s.realization == 1 and s.base == "supercell0"
    ]
    assert len(pair) == 2 and len(pair[0].atoms) == len(pair[1].atoms) == 125 - 13
    assert pair[0].atoms.pbc.all() and not pair[1].atoms.pbc.any()
    # different supercells get different draws
    one = Protocol(classes=["fcc"], realizations=1, defect_supercells=1)
    assert len(list(one.structures("fcc"))) == 4 + 20 * 2
    # reproducible and seed dependent
    again = [s for s in p.structures("fcc") if s.level.label == "δ=2%"][1].atoms
    first = [s for s in structures if s.level.label == "δ=2%"][1].atoms
    assert np.allclose(again.positions, first.positions)
    other = [s for s in Protocol(seed=1, realizations=2).structures("fcc") if s.level.label == "δ=2%"][1]
    assert not np.allclose(other.atoms.positions, first.positions)


def test_protocol_nanotube_only_open():
    structures = list(
        Protocol(realizations=1, displacements=(), missing=(0.1,), combined=()).structures("CNT_3_3")
    )
    assert {s.boundary for s in structures} == {"open"}
    assert len(structures) == 2


def test_protocol_validation():
    with pytest.raises(ValueError, match="realizations"):
        Protocol(realizations=0).validate()
    with pytest.raises(ValueError, match="displacements"):
        Protocol(displacements=(1.5,)).validate()
    with pytest.raises(ValueError, match="unknown prototype"):
        Protocol(classes=["fccc"]).class_names()
    with pytest.raises(ValueError, match="periodic"):
        open_supercells(prototypes.supercells("fcc", count=1)[0], 1)


# ---------------------------------------------------------------------------------------------- Bain path
def test_bct_limits():
    assert spglib_spacegroup(bct(3.0, 3.0), 1e-4, 1.0) == 229  # c/a = 1: bcc
    assert spglib_spacegroup(bct(3.0, 3.0 * np.sqrt(2.0)), 1e-4, 1.0) == 225  # c/a = √2: fcc
    assert spglib_spacegroup(bct(3.0, 4.0), 1e-4, 1.0) == 139
    assert len(grid_values(3.0, 6.0, 0.05)) == 61
    with pytest.raises(ValueError):
        bct(-1.0, 3.0)


def test_paper_comparison_and_per_class_markdown():
    from arisekit.benchmark.report import PAPER_ACCURACY, paper_comparison_markdown, per_class_markdown

    assert len(PAPER_ACCURACY) == 21
    table = {"arise": {c: {"accuracy": v, "n": 10} for c, v in PAPER_ACCURACY.items()}}
    table["arise"]["δ=10%"]["accuracy"] = 90.0
    text = paper_comparison_markdown(table)
    assert "Met or beaten in 20 of 21 columns; short in: δ=10%." in text
    per = {"fcc": {"accuracy": 100.0, "n": 4, "most_common_wrong": None},
           "hcp": {"accuracy": 75.0, "n": 4, "most_common_wrong": "dhcp"}}  # fmt: skip
    text = per_class_markdown(per, weakest=1)
    assert "- hcp: 75.00 % of 4 (most often taken for dhcp)" in text and "fcc | 100.00" in text
