"""Distance-aware out-of-library check (novelty): fitting, files, the classifier and the shipped model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from arisekit.model import ARISEClassifier, ModelIntegrityError, NoveltyReference, load_model
from arisekit.model.io import add_novelty
from arisekit.model.novelty import NOVELTY_FILE, out_of_library

D = 40


def clusters(n_per_class: int, seed: int, spread: float = 0.05):
    """Three tight clusters in D dimensions around fixed centres (class indices 0, 1, 2)."""
    centres = np.random.default_rng(3).normal(0, 1, (3, D))
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + spread * rng.normal(0, 1, (n_per_class, D)) for c in centres])
    return X, np.repeat(np.arange(3), n_per_class), centres


def test_novelty_is_small_inside_a_class_and_large_far_away():
    X, y, centres = clusters(60, seed=0)
    ref = NoveltyReference.fit(X, y, 3, n_components=8, quantile=0.99)
    Xn, yn, _ = clusters(40, seed=1)  # fresh rows of the same classes
    inside = ref.score(Xn, yn)
    assert np.mean(inside <= 1.0) > 0.9 and np.all(inside < 2.0)
    # halfway between two classes, and far from all: out of library for the class it would be given
    between = 0.5 * (centres[0] + centres[1])[None, :]
    far = (centres[2] + 3.0)[None, :]
    assert ref.score(between, np.array([0]))[0] > 3.0
    assert ref.score(far, np.array([2]))[0] > 3.0
    assert out_of_library(ref.score(far, np.array([2])))[0]


def test_skipped_classes_get_no_check_and_bad_input_is_named():
    X, y, _ = clusters(30, seed=0)
    ref = NoveltyReference.fit(X, y, 3, skip=[1], n_components=4)
    assert np.isnan(ref.scale[1]) and np.all(np.isfinite(ref.scale[[0, 2]]))
    assert np.isnan(ref.score(X[:2], np.array([1, 1]))).all()
    assert out_of_library(np.nan) is False
    with pytest.raises(ValueError, match="descriptors"):
        ref.score(X[:, :5], y)
    with pytest.raises(ValueError, match="outside"):
        ref.score(X[:1], np.array([7]))


def test_file_round_trip_and_corrupt_file(tmp_path):
    X, y, _ = clusters(30, seed=0)
    ref = NoveltyReference.fit(X, y, 3, n_components=6)
    ref.save(tmp_path / "n.npz")
    back = NoveltyReference.load(tmp_path / "n.npz")
    np.testing.assert_array_equal(back.score(X, y), ref.score(X, y))
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="bad.npz"):
        NoveltyReference.load(tmp_path / "bad.npz")


def test_classifier_fits_saves_and_loads_its_novelty_check(tmp_path):
    X, y, centres = clusters(40, seed=0)
    clf = ARISEClassifier(hidden_units=(16,), epochs=3, batch_size=16, standardize=False)
    clf.fit(X, y, class_names=["a", "b", "c"])
    assert clf.novelty_ is not None
    far = (centres[0] + 4.0)[None, :]
    res = clf.predict_uncertainty(np.concatenate([X[:3], far]), n_samples=10)
    assert res.novelty.shape == (4,) and res.novelty[-1] > 1.0 > np.max(res.novelty[:3])
    out = clf.save(tmp_path / "m")
    manifest = json.loads((out / "manifest.json").read_text())
    assert NOVELTY_FILE in manifest["files"]
    back = load_model(out)
    np.testing.assert_allclose(
        back.predict_uncertainty(far, n_samples=10).novelty, res.novelty[-1:], rtol=1e-2
    )
    # a novelty file of another model is refused when loading, and add_novelty checks the shapes
    other = NoveltyReference.fit(X[:, :20], y, 3, n_components=4)
    with pytest.raises(ValueError, match="features"):
        add_novelty(out, other)
    other.save(out / NOVELTY_FILE)
    with pytest.raises(ModelIntegrityError):
        load_model(out)  # checksum
    add_novelty(out, clf.novelty_)
    assert load_model(out).novelty_ is not None


def test_shipped_model_flags_unknown_crystals_and_gases_but_not_hot_crystals():
    """Si46 clathrate and small random gases are out of library; thermal fcc/bcc are not."""
    from arisekit import classify, prototypes
    from arisekit.benchmark.out_of_library import build_out_of_library
    from arisekit.dataset.disorder import gaussian_displacements, random_gas
    from arisekit.geometry import nearest_neighbor_distance

    rng = np.random.default_rng(11)
    hot = []
    for name in ("fcc", "bcc", "hcp", "diamond"):
        cell = prototypes.supercells(name)[1]
        cell.pbc = True
        hot.append(gaussian_displacements(cell, 0.05, rng, nearest_neighbor_distance(cell)))
    # seed 1017 of the gas sweep in benchmarks/disorder_cases.py: 1.6 Å hard core, open, named hcp
    gas_rng = np.random.default_rng(1017)
    gas = random_gas(int(gas_rng.integers(60, 400)), gas_rng, periodic=True, hard_core=0.0)
    res = classify([*hot, build_out_of_library("clathrate_Si46"), gas], n_samples=50, min_open_atoms=0)
    assert [r.prediction for r in res[:4]] == ["fcc", "bcc", "hcp", "diamond"]
    assert not any(r.out_of_library for r in res[:4])
    assert res[4].out_of_library and res[4].to_dict()["out_of_library"]
    assert res[5].disordered or res[5].out_of_library


def test_out_of_library_verdict_reaches_spm_ase_cli_and_ovito(tmp_path, capsys):
    """The Si46 clathrate through every front end: SPM map (saved, projected), ASE, CLI, OVITO."""
    import ase.io

    from arisekit.ase import ARISECalculator
    from arisekit.benchmark.out_of_library import build_out_of_library
    from arisekit.cli import main
    from arisekit.spm import SPMResult, project_to_atoms, spm

    cell = build_out_of_library("clathrate_Si46").repeat(2)
    res = spm(cell, box_size=12.0, stride=6.0, n_samples=20)
    assert res.novelty is not None and res.novelty.shape == (res.n_boxes,)
    assert res.out_of_library[res.valid].mean() > 0.5
    back = SPMResult.load(res.save(tmp_path / "m.h5"))
    np.testing.assert_array_equal(back.novelty, res.novelty)
    assert np.array_equal(back.map("novelty"), res.map("novelty"), equal_nan=True)
    per_atom = project_to_atoms(res, cell)
    assert np.nanmedian(per_atom["novelty"]) > 1.0

    calc = ARISECalculator(n_samples=20)
    assert calc.get_property("out_of_library", cell) and calc.get_property("novelty", cell) > 1.0

    path = tmp_path / "clathrate.xyz"
    ase.io.write(path, cell, format="extxyz")
    assert main(["classify", str(path), "--samples", "20"]) == 0
    assert "out of library: novelty" in capsys.readouterr().out

    import ovito
    from ovito.io import import_file

    from arisekit.ovito import ARISEModifier

    pipeline = import_file(str(path))
    pipeline.modifiers.append(ARISEModifier(mode="global", n_samples=20))
    data = pipeline.compute()
    assert data.attributes["ARISE.out_of_library"] == 1 and data.attributes["ARISE.novelty"] > 1.0
    assert np.all(np.asarray(data.particles["Novelty"]) > 1.0)
    assert ovito is not None
