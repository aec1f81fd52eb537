"""The demo and the `arisekit spm` command, run end to end with the small test model."""

import json

import numpy as np
import pytest
from ase.io import write
from helpers import bicrystal

from arisekit.cli import main
from arisekit.spm import SPMResult


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, metal_model):
    return str(metal_model.save(tmp_path_factory.mktemp("model") / "metal"))


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and "arisekit" in capsys.readouterr().out


def test_demo_writes_maps_plots_and_summary(tmp_path, model_dir, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--model", model_dir, "--mode", "exact", "--samples", "10"]) == 0
    for name in ("summary.json", "spm.h5", "spm_maps.png", "mutual_information.png", "polycrystal.xyz"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sample"]["grains"] == ["fcc", "bcc", "hcp", "diamond"]
    assert summary["grain_interior_atom_accuracy"] >= 0.9
    assert summary["global_examples"][0]["prediction"] == "fcc"
    assert "results in" in capsys.readouterr().out


def test_spm_command(tmp_path, model_dir, capsys):
    src = tmp_path / "bicrystal.xyz"
    write(src, bicrystal())
    out, png = tmp_path / "map.h5", tmp_path / "map.png"
    code = main(
        [
            "spm",
            str(src),
            "--out",
            str(out),
            "--model",
            model_dir,
            "--box-size",
            "12",
            "--stride",
            "3",
            "--mode",
            "exact",
            "--samples",
            "10",
            "--threads",
            "1",
            "--plot",
            str(png),
        ]
    )
    assert code == 0 and png.stat().st_size > 0
    result = SPMResult.load(out)
    assert set(result.class_fractions()) >= {"fcc", "bcc"}
    assert np.all(result.mutual_information[result.valid] >= 0)


def test_spm_command_reports_bad_input(tmp_path, model_dir, capsys):
    src = tmp_path / "bicrystal.xyz"
    write(src, bicrystal())
    code = main(["spm", str(src), "--out", str(tmp_path / "x.h5"), "--model", model_dir, "--box-size", "500"])
    assert code == 2 and "exceeds the sample extent" in capsys.readouterr().err
    code = main(["spm", str(src), "--out", str(tmp_path / "x.h5"), "--model", model_dir, "--threads", "-1"])
    assert code == 2 and "n_threads" in capsys.readouterr().err
    code = main(["spm", str(tmp_path / "missing.xyz"), "--out", str(tmp_path / "x.h5"), "--model", model_dir])
    assert code == 2
