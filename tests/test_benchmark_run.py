"""End-to-end tests of the accuracy benchmark, the out-of-library study and the Bain scan (metal model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from arisekit.benchmark.protocol import Protocol
from arisekit.benchmark.report import accuracy_table, calibration_summary, summary, write_report
from arisekit.benchmark.runner import run_accuracy
from arisekit.cli import main


@pytest.fixture(scope="module")
def run(metal_model):
    protocol = Protocol(classes=["fcc", "sc"], realizations=2, pristine_supercells=1, defect_supercells=1)
    return run_accuracy(
        protocol, metal_model, n_samples=20, workers=1, out_of_library=["fluorite"], ool_realizations=1,
        progress=False,
    )  # fmt: skip


def test_table_has_every_method_and_column(run):
    table = accuracy_table(run)
    columns = [lvl.label for lvl in run.protocol.levels()]
    assert len(columns) == 21
    expected_rows = ["arise", "arise-periodic", "arise-open", "spglib-loose", "spglib-tight", "ptm", "cna",
                     "acna", "baa"]  # fmt: skip
    assert list(table) == expected_rows
    for key in expected_rows:
        assert list(table[key]) == columns
    # ARISE: fcc only (sc is not a class of the metal model): per level 2 draws x 2 boundaries
    assert run.coverage["arise"] == ["fcc"]
    assert table["arise"]["δ=1%"]["n"] == 4 and table["arise"]["pristine"]["n"] == 2
    assert table["arise-periodic"]["δ=1%"]["n"] == 2
    # baselines only on their classes (sc: spglib and PTM; not CNA/a-CNA/BAA), periodic structures only
    assert table["ptm"]["η=5%"]["n"] == 4 and table["cna"]["η=5%"]["n"] == 2
    for key in expected_rows:
        assert table[key]["pristine"]["accuracy"] == 100.0, key
    # physics of the baselines: tight spglib fails at any displacement; PTM and a-CNA tolerate 1 %
    assert table["spglib-tight"]["δ=1%"]["accuracy"] == 0.0
    assert table["ptm"]["δ=1%"]["accuracy"] == 100.0 and table["acna"]["δ=1%"]["accuracy"] == 100.0
    assert table["arise"]["δ=1%"]["accuracy"] == 100.0


def test_calibration_and_out_of_library(run):
    cal = calibration_summary(run)
    assert 0.0 <= cal["ece"] <= 1.0
    assert cal["n_in_library"] == sum(c["n"] for c in accuracy_table(run)["arise"].values())
    # fluorite: pristine periodic + open, 20 levels x 1 draw x 2 boundaries
    assert cal["n_out_of_library"] == 42
    assert 0.0 <= cal["auroc_mi_out_vs_in"] <= 1.0
    data = summary(run)
    assert data["settings"]["n_samples"] == 20
    assert data["settings"]["model"]["sha256_weights"]
    assert data["protocol"]["seed"] == 1000
    assert set(data["out_of_library"]["fluorite"]["pristine"]) == {"periodic/supercell0", "open/supercell0"}
    assert data["atom_accuracy"]["ptm"]["pristine"] == 100.0


def test_report_files(run, tmp_path):
    paths = write_report(run, tmp_path)
    text = paths["markdown"].read_text()
    for col in ("pristine", "δ=0.1%", "η=30%", "(η,δ)=(30%,10%)"):
        assert col in text
    assert "| PTM (2 / 2) |" in text and "| CNA (1 / 2) |" in text
    data = json.loads(paths["json"].read_text())
    assert data["accuracy"]["arise"]["pristine"]["accuracy"] == 100.0
    assert paths["png"].stat().st_size > 10_000
    lines = paths["csv"].read_text().splitlines()
    assert len(lines) == 1 + len(run.scores)


def test_run_validates_arguments(metal_model):
    p = Protocol(classes=["fcc"], realizations=1)
    with pytest.raises(ValueError, match="unknown baseline"):
        run_accuracy(p, metal_model, ["arise", "xyz"], progress=False)
    with pytest.raises(ValueError, match="none of the selected classes"):
        run_accuracy(Protocol(classes=["NaCl"], realizations=1), metal_model, ["arise"], progress=False)
    with pytest.raises(ValueError, match="n_samples"):
        run_accuracy(p, metal_model, n_samples=0, progress=False)
    with pytest.raises(TypeError, match="n_sample"):
        run_accuracy(p, metal_model, n_sample=10, progress=False)  # a misspelt option is no silent default


@pytest.fixture(scope="module")
def model_dir(metal_model, tmp_path_factory):
    return str(metal_model.save(tmp_path_factory.mktemp("bench_model") / "metal"))


def test_cli_accuracy_with_workers(model_dir, tmp_path, capsys):
    out = tmp_path / "acc"
    code = main(["benchmark", "accuracy", "--model", model_dir, "--classes", "bcc", "--realizations", "1",
                 "--methods", "arise", "ptm", "--no-out-of-library", "--workers", "2", "--quiet", "--no-plot",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    data = json.loads((out / "accuracy.json").read_text())
    assert list(data["accuracy"]) == ["arise", "arise-periodic", "arise-open", "ptm"]
    assert data["settings"]["model"]["sha256_model_keras"]
    assert "| ARISE (1 / 1) |" in capsys.readouterr().out


def test_cli_out_of_library(model_dir, tmp_path, capsys):
    code = main(["benchmark", "out-of-library", "--model", model_dir, "--names", "fluorite", "clathrate_Si46",
                 "--samples", "20", "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    preds = json.loads((tmp_path / "out_of_library.json").read_text())["predictions"]
    assert [(p["name"], p["form"]) for p in preds] == [
        ("fluorite", "periodic cell"), ("fluorite", "open supercell"),
        ("clathrate_Si46", "periodic cell"), ("clathrate_Si46", "open supercell"),
    ]  # fmt: skip
    for p in preds:
        assert len(p["top"]) == 3 and p["mutual_information"] >= 0
        assert sum(q for _, q in p["top"]) <= 1.0 + 1e-5  # float32 probabilities
    assert preds[0]["spacegroup"] == 225 and preds[2]["spacegroup"] == 223
    assert "fcc sublattice" in capsys.readouterr().out


def test_cli_bain(model_dir, tmp_path):
    code = main(["benchmark", "bain", "--model", model_dir, "--min", "3.0", "--max", "5.0", "--step", "0.5",
                 "--samples", "20", "--quiet", "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    data = json.loads((tmp_path / "bain.json").read_text())
    assert data["a"] == [3.0, 3.5, 4.0, 4.5, 5.0] and len(data["argmax"]) == 5
    assert abs(sum(data["fraction_of_grid"].values()) - 1.0) < 1e-9
    # on the c = a diagonal every cell is bcc up to scale: one answer for all of them
    diagonal = {data["argmax"][i][i] for i in range(5)}
    assert len(diagonal) == 1
    mi = np.array(data["mutual_information"])
    assert mi.shape == (5, 5) and np.all(mi >= 0)
    assert (tmp_path / "bain.png").stat().st_size > 10_000


def test_holdout_study_scores_held_out_classes_as_out_of_library():
    from arisekit.benchmark.holdout import holdout_study

    run = holdout_study(["fcc", "bcc"], ["hcp"], realizations=1, epochs=5, n_samples=10)
    held = [m for m in run.structures if not m["in_library"]]
    assert {m["name"] for m in held} == {"hcp"} and len(
        held
    ) == 1 + 3 + 20 * 3 * 2  # 3 supercells, open + periodic
    cal = calibration_summary(run)
    assert cal["n_out_of_library"] == len(held) and 0.0 <= cal["auroc_mi_out_vs_in"] <= 1.0
    assert run.coverage["arise"] == ["fcc", "bcc"]
    with pytest.raises(ValueError, match="also training"):
        holdout_study(["fcc", "bcc"], ["bcc"])


def test_run_rejects_bad_out_of_library_names(metal_model):
    p = Protocol(classes=["fcc"], realizations=1)
    with pytest.raises(ValueError, match="is a class of the model"):
        run_accuracy(p, metal_model, ["arise"], out_of_library=["bcc"], progress=False)
    with pytest.raises(ValueError, match="unknown prototype"):
        run_accuracy(p, metal_model, ["arise"], out_of_library=["quartz"], progress=False)


def test_accuracy_options_object():
    import dataclasses

    from arisekit.benchmark import AccuracyOptions

    opts = AccuracyOptions.from_kwargs(AccuracyOptions(workers=1), n_samples=20, out_of_library=["fluorite"])
    assert (opts.workers, opts.n_samples, opts.out_of_library) == (1, 20, ("fluorite",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.workers = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="workers"):
        AccuracyOptions(workers=0)
    with pytest.raises(ValueError, match="out_of_library"):
        AccuracyOptions(out_of_library="fluorite")
