"""ARISECalculator: ASE property protocol, caching, parameters, spm mode, ase.db and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.calculator import PropertyNotImplementedError
from ase.db import connect
from ase.io import iread, write
from helpers import METALS, bicrystal

from arisekit.ase import ARISECalculator, to_data, to_key_value_pairs


@pytest.fixture()
def counted(metal_model, monkeypatch):
    """The metal model, counting its Monte-Carlo-dropout inferences."""
    calls = []
    original = metal_model.predict_uncertainty

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(metal_model, "predict_uncertainty", counting)
    return metal_model, calls


def _bcc():
    return METALS["bcc"]().repeat(3)


def test_properties_are_cached_until_the_atoms_change(counted):
    model, calls = counted
    atoms = _bcc()
    atoms.calc = ARISECalculator(model=model, n_samples=50)
    assert atoms.calc.get_property("prediction", atoms) == "bcc"
    probs = atoms.calc.get_property("probabilities", atoms)
    assert probs.shape == (4,) and abs(probs.sum() - 1) < 1e-6
    assert atoms.calc.get_property("probability", atoms) == pytest.approx(probs.max())
    mi = atoms.calc.get_property("mutual_information", atoms)
    assert 0 <= mi <= atoms.calc.get_property("predictive_entropy", atoms) + 1e-12
    assert atoms.calc.get_property("prediction") == "bcc"  # no atoms: the last structure
    assert len(calls) == 1
    atoms.rattle(0.02, seed=1)
    assert atoms.calc.get_property("prediction", atoms) == "bcc"
    atoms.calc.get_property("mutual_information", atoms)
    assert len(calls) == 2
    atoms.cell *= 1.01
    atoms.calc.get_property("probabilities", atoms)
    assert len(calls) == 3


def test_set_resets_results_only_on_change(counted, tmp_path):
    model, calls = counted
    atoms = _bcc()
    calc = ARISECalculator(model=model, n_samples=50)
    calc.get_property("prediction", atoms)
    assert calc.set(n_samples=50) == {} and calc.results  # unchanged: results kept
    assert calc.set(n_samples=20) == {"n_samples": 20} and calc.results == {}
    calc.get_property("prediction", atoms)
    assert len(calls) == 2
    calc.set(model=model)  # a new model always invalidates
    assert calc.results == {}
    calc.set(seed=3)
    calc.get_property("prediction", atoms)
    assert len(calls) == 3


def test_model_from_path_matches_object(metal_model, tmp_path):
    path = metal_model.save(tmp_path / "model")
    atoms = METALS["fcc"]().repeat(3)
    by_path = ARISECalculator(model=str(path), n_samples=30)
    by_object = ARISECalculator(model=metal_model, n_samples=30)
    np.testing.assert_allclose(
        by_path.get_property("probabilities", atoms),
        by_object.get_property("probabilities", atoms),
        atol=1e-6,
    )
    assert by_path.get_property("prediction", atoms) == "fcc"
    assert by_path.todict() == {"n_samples": 30, "model": str(path)}
    assert by_path.name == "arise" and by_path.class_names == tuple(METALS)


def test_local_mode_on_bicrystal(metal_model):
    sample = bicrystal()
    calc = ARISECalculator(model=metal_model, mode="spm", box_size=12.0, stride=4.0, n_samples=20)
    sample.calc = calc
    types = calc.get_property("structure_type", sample)
    assert types.shape == (len(sample),) and types.dtype.kind == "i"
    x = sample.positions[:, 0]
    fcc, bcc = calc.class_names.index("fcc"), calc.class_names.index("bcc")
    assert np.mean(types[x < 10] == fcc) > 0.9 and np.mean(types[x > 32] == bcc) > 0.9
    probs = calc.get_property("atom_probabilities", sample)
    covered = types >= 0
    assert probs.shape == (len(sample), 4) and np.allclose(probs[covered].sum(axis=1), 1, atol=1e-5)
    p = calc.get_property("atom_probability", sample)
    np.testing.assert_allclose(p[covered], probs[covered].max(axis=1))
    assert np.all(np.isfinite(calc.get_property("atom_mutual_information", sample)[covered]))
    assert calc.get_property("prediction", sample) in ("fcc", "bcc")
    assert calc.spm_result is not None and calc.spm_result.valid.any()
    names = calc.structure_names(sample)
    assert names[int(np.argmin(x))] == "fcc" and names[int(np.argmax(x))] == "bcc"

    glob = ARISECalculator(model=metal_model)
    with pytest.raises(PropertyNotImplementedError, match="mode='spm'"):
        glob.get_property("structure_type", sample)


def test_ase_db_round_trip(metal_model, tmp_path):
    db_path = tmp_path / "arise.db"
    structures = {"bcc": _bcc(), "fcc": METALS["fcc"]().repeat(3)}
    with connect(db_path) as db:
        for atoms in structures.values():
            atoms.calc = ARISECalculator(model=metal_model, n_samples=40)
            db.write(
                atoms, key_value_pairs=to_key_value_pairs(atoms.calc, atoms), data=to_data(atoms.calc, atoms)
            )
    db = connect(db_path)
    assert db.count() == 2 and db.count(prediction="fcc") == 1
    row = db.get(prediction="bcc")
    calc = structures["bcc"].calc
    assert row.mutual_information == pytest.approx(calc.get_property("mutual_information"))
    assert row.top2_class in METALS and row.arise_mode == "global" and row.arise_n_samples == 40
    np.testing.assert_allclose(row.data["probabilities"], calc.get_property("probabilities"))
    assert list(row.data["class_names"]) == list(METALS)
    assert row.calculator == "arise" and row.calculator_parameters == {"n_samples": 40}
    np.testing.assert_allclose(row.toatoms().positions, structures["bcc"].positions)


def test_local_results_in_db_data(metal_model, tmp_path):
    sample = bicrystal()
    sample.calc = ARISECalculator(model=metal_model, mode="spm", box_size=12.0, stride=6.0, n_samples=5)
    with connect(tmp_path / "local.db") as db:
        db.write(sample, key_value_pairs=to_key_value_pairs(sample.calc, sample), data=to_data(sample.calc))
    row = connect(tmp_path / "local.db").get(id=1)
    np.testing.assert_array_equal(row.data["structure_type"], sample.calc.get_property("structure_type"))
    assert row.arise_mode == "spm"


def test_trajectory_frames(counted, tmp_path):
    model, calls = counted
    path = tmp_path / "md.traj"
    write(path, [_bcc(), METALS["fcc"]().repeat(3), _bcc()])
    calc = ARISECalculator(model=model, n_samples=30)
    predictions = []
    for atoms in iread(path):
        atoms.calc = calc
        predictions.append(atoms.calc.get_property("prediction", atoms))
    assert predictions == ["bcc", "fcc", "bcc"] and len(calls) == 3


def test_real_ase_package_is_not_shadowed():
    import ase
    import ase.calculators.calculator as ase_calculator

    import arisekit.ase

    assert ase.__name__ == "ase" and hasattr(ase, "Atoms") and arisekit.ase.__name__ == "arisekit.ase"
    assert issubclass(ARISECalculator, ase_calculator.Calculator)


def test_one_atom_periodic_cells_are_classified(metal_model):
    """Primitive cells (1 atom; any periodic axes) have the descriptor of their conventional supercells."""
    calc = ARISECalculator(model=metal_model, n_samples=50)
    for atoms, expected in [(bulk("Cu", "fcc", a=3.61), "fcc"), (bulk("Fe", "bcc", a=2.87), "bcc")]:
        assert len(atoms) == 1
        assert calc.get_property("prediction", atoms) == expected
    square = Atoms("Cu", positions=[[0, 0, 0]], cell=np.diag([2.5, 2.5, 12.0]), pbc=(True, True, False))
    assert calc.get_property("prediction", square) in calc.class_names  # a 2D lattice: valid input


def test_bad_input(metal_model):
    calc = ARISECalculator(model=metal_model)
    with pytest.raises(ValueError, match="d_NN is undefined for an isolated atom"):
        calc.get_property("prediction", Atoms("Cu", positions=[[0, 0, 0]]))
    with pytest.raises(ValueError, match="no atoms"):
        calc.get_property("prediction", Atoms())
    nan = _bcc()
    nan.positions[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        calc.get_property("prediction", nan)
    with pytest.raises(ValueError, match="mode"):
        ARISECalculator(model=metal_model, mode="nearby")
    with pytest.raises(ValueError, match="unknown ARISECalculator parameter"):
        ARISECalculator(model=metal_model, n_sample=5)
    with pytest.raises(ValueError, match="n_samples"):
        calc.set(n_samples=0)
    with pytest.raises(ValueError, match="stride"):
        calc.set(stride=-1.0)
    with pytest.raises(ValueError, match="model"):
        ARISECalculator(model=42)
    with pytest.raises(FileNotFoundError):
        ARISECalculator(model="/nonexistent/model")
    with pytest.raises(ValueError, match="calc"):
        to_key_value_pairs(object())
    local = ARISECalculator(model=metal_model, mode="spm", box_size=40.0, stride=4.0)
    with pytest.raises(ValueError, match="box_size"):
        local.get_property("structure_type", _bcc())
