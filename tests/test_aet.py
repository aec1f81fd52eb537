"""AET workflow on a small FePt-like annealing series with known truth (issue 17; the full run is
benchmarks/aet.py): order rises over the series, the median MI of the SPM map falls, and the L1_0 boxes
are named L1_0. Also the truth-scoring helpers on hand-made maps."""

import numpy as np
import pytest

from arisekit.samples import aet_errors, annealing_series
from arisekit.samples.truth_scores import (
    BoxTruth,
    atom_accuracy,
    box_truth,
    class_accuracy,
    confident,
    domain_separation,
    region_accuracy,
    tetragonality_probe,
)
from arisekit.spm import SPMResult


@pytest.fixture(scope="module")
def small_series():
    """One L1_0 domain of 1800 atoms (no shell, no variant domains), S = 0.85, 0.92, 1.0, with 20 pm
    noise, 3 % species errors, 2 % missing and 1 % spurious atoms; SPM with 12 Å boxes, 6 Å stride, exact
    mode."""
    from arisekit.spm import spm

    clean = annealing_series(
        1500, seed=0, regions=("L1_0",), orders=(0.85, 0.92, 1.0), shells=(0, 0, 0), subdomains=(1, 1, 1)
    )
    steps = [aet_errors(p, seed=k) for k, p in enumerate(clean)]
    maps = [spm(p, box_size=12.0, stride=6.0, mode="exact", n_samples=30) for p in steps]
    return steps, maps


def test_series_mi_falls_monotonically_with_order(small_series):
    steps, maps = small_series
    order = [p.info["order_parameter"] for p in steps]
    mi = [float(np.median(m.mutual_information[m.valid])) for m in maps]
    assert order[0] < order[1] < order[2]
    assert mi[0] > mi[1] > mi[2], mi
    assert mi[0] - mi[2] > 0.1  # partially ordered (S = 0.85) boxes are uncertain, ordered ones are not


def test_series_l10_accuracy(small_series):
    steps, maps = small_series
    last, res = steps[-1], maps[-1]
    truth = box_truth(res, last)
    acc = class_accuracy(res, truth)
    full = res.valid & (res.counts >= 0.5 * res.counts.max())  # boxes at least half inside the particle
    inner = res.valid & (res.counts >= 0.6 * res.counts.max())  # mostly inside the 1,500-atom particle
    pred = np.asarray(res.predictions, dtype=object)
    assert full.sum() >= 40 and inner.sum() >= 40
    assert np.mean(pred[inner] == "L1_0") >= 0.95
    # surface-cut boxes not named L1_0 say they are unsure: never a confident wrong class
    assert np.all((pred[full] == "L1_0") | (res.mutual_information[full] > 0.3))
    assert acc["L1_0"]["interior_boxes"] == int(res.valid.sum())  # one region: every box is interior
    # surface slivers included (boxes of 30-120 atoms cut by the surface): L1_0, its parent lattice fcc, or
    # flagged (uncertain or out of library), never a confident other crystal
    nov = np.asarray(res.novelty)
    v = res.valid
    named = (pred == "L1_0") | (pred == "fcc") | (res.mutual_information > 0.3) | (nov > 1)
    assert named[v].all(), list(zip(pred[v & ~named], res.counts[v & ~named]))
    assert acc["L1_0"]["interior_accuracy"] >= 0.6
    assert confident(res, "L1_0", 0.8)[full].mean() >= 0.9


def _fake_result(pred: list[str], p_l10=None) -> SPMResult:
    names = ["fcc", "L1_0", "L1_2", "disordered"]
    n = len(pred)
    prob = np.zeros((n, len(names)))
    for k, name in enumerate(pred):
        prob[k, names.index(name)] = 1.0
    if p_l10 is not None:
        prob[:, 1] = p_l10
    return SPMResult(
        shape=(n, 1, 1),
        geometry="bulk",
        centers=np.zeros((n, 3)),
        box_size=np.full(3, 12.0),
        stride=2.0,
        counts=np.full(n, 100),
        probabilities=prob,
        mutual_information=np.zeros(n),
        predictive_entropy=np.zeros(n),
        variation_ratio=np.zeros(n),
        class_names=names,
    )


def test_class_and_region_accuracy_on_a_hand_made_map():
    #            shell   shell   L1_0    L1_0   L1_0 (wall)   L1_2
    region = np.array([0, 0, 1, 1, 1, 2])
    purity = np.array([1.0, 0.95, 1.0, 0.92, 0.6, 1.0])
    classes = np.array([0, 0, 1, 1, 1, 2])
    truth = BoxTruth(region, purity, classes, np.zeros((6, 3)), ["fcc", "L1_0", "L1_2"])
    res = _fake_result(["fcc", "disordered", "L1_0", "fcc", "L1_0", "L1_2"])
    acc = class_accuracy(res, truth)
    assert acc["L1_0"]["interior_boxes"] == 2 and acc["L1_0"]["interior_accuracy"] == 0.5
    assert acc["L1_0"]["wall_boxes"] == 1 and acc["L1_0"]["wall_accuracy"] == 1.0
    assert acc["fcc"]["interior_accuracy"] == 0.5 and acc["fcc"]["interior_flagged"] == 1.0
    assert acc["L1_2"]["interior_accuracy"] == 1.0
    reg = region_accuracy(res, truth, ["A1", "L1_0", "Fe3Pt"])
    assert reg["1"]["interior_boxes"] == 2 and reg["2"]["truth_class"] == "L1_2"


def test_domain_separation_counts_pairs_that_differ_in_tetragonality():
    # regions 1, 2 (c/a 0.96) and 3 (0.98): clusters 0 and 1 follow c/a, so pairs (1,3) and (2,3) separate
    region = np.array([1] * 4 + [2] * 4 + [3] * 4)
    truth = BoxTruth(region, np.ones(12), np.ones(12, dtype=int), np.zeros((12, 4)), ["fcc", "L1_0"])
    labels = np.array([0, 0, 0, -1, 0, 0, 0, 0, 1, 1, 1, 0])
    sep = domain_separation(labels, np.arange(12), truth, [1.0, 0.96, 0.96, 0.98])
    assert sep["pairs_total"] == 2 and sep["pairs_separated"] == 2
    assert sep["domains"][3]["majority_cluster"] == 1 and sep["domains"][3]["share"] == 0.75
    assert 0.0 < sep["adjusted_rand_index"] < 1.0
    mixed = domain_separation(np.zeros(12, dtype=int), np.arange(12), truth, [1.0, 0.96, 0.96, 0.98])
    assert mixed["pairs_separated"] == 0 and mixed["adjusted_rand_index"] == 0.0
    # shattered: every box its own cluster, majority clusters differ but hold 25 % of a domain each
    shattered = domain_separation(np.arange(12), np.arange(12), truth, [1.0, 0.96, 0.96, 0.98])
    assert shattered["pairs_separated"] == 0


def test_tetragonality_probe_generalises_across_domains_only_when_features_carry_c_over_a():
    # four domains, c/a 0.96 (1, 3) and 0.98 (2, 4); trained on 1 and 2, tested on 3 and 4
    rng = np.random.default_rng(0)
    region = np.repeat([1, 2, 3, 4], 30)
    truth = BoxTruth(region, np.ones(120), np.ones(120, dtype=int), np.zeros((120, 5)), ["fcc", "L1_0"])
    ca = [1.0, 0.96, 0.98, 0.96, 0.98]
    noise = rng.normal(size=(120, 6))
    signal = noise.copy()
    signal[:, 0] += np.where(np.isin(region, [1, 3]), -3.0, 3.0)  # one unit follows c/a
    good = tetragonality_probe(signal, np.arange(120), truth, ca)
    assert good["accuracy"] == 1.0 and good["train_boxes"] == 60 and good["test_boxes"] == 60
    assert tetragonality_probe(noise, np.arange(120), truth, ca)["accuracy"] < 0.75
    one_each = BoxTruth(np.repeat([1, 2], 30), np.ones(60), np.ones(60, dtype=int), np.zeros((60, 3)), [])
    assert np.isnan(tetragonality_probe(signal[:60], np.arange(60), one_each, ca)["accuracy"])
    with pytest.raises(ValueError, match="one row per box id"):
        tetragonality_probe(signal[:50], np.arange(120), truth, ca)


def test_atom_accuracy_uses_wall_distance(small_series):
    from arisekit.spm import project_to_atoms

    steps, maps = small_series
    last, res = steps[-1], maps[-1]
    out = atom_accuracy(project_to_atoms(res, last), res.class_names, last, wall=6.0)
    assert out["L1_0"]["interior_atoms"] > 0.9 * (last.arrays["class_label"] == 1).sum()
    assert out["L1_0"]["interior_accuracy"] >= 0.9
    assert out["fcc"]["interior_atoms"] == 0  # no shell in this particle
