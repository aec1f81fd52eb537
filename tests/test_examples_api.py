"""Smoke tests: the Python-API, ASE-calculator and batch examples run end to end (subprocesses)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def model_dir(metal_model, tmp_path_factory):
    return str(metal_model.save(tmp_path_factory.mktemp("examples") / "model"))


def _run(script: str, *args: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args], cwd=cwd, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_python_api_example(model_dir, tmp_path):
    out = _run("python_api.py", "--model", model_dir, "--samples", "50", cwd=tmp_path)
    assert "Cu fcc: fcc" in out and "Fe bcc: bcc" in out and "Si diamond: diamond" in out
    assert out.count("   3. ") == 5 and "mutual information" in out


def test_ase_calculator_example(model_dir, tmp_path):
    db = tmp_path / "arise.db"
    out = _run("ase_calculator.py", "--model", model_dir, "--samples", "20", "--db", str(db), cwd=tmp_path)
    assert "bcc Fe: bcc" in out and "bicrystal, 1920 atoms" in out
    assert "db row 1: Cu108, global: fcc" in out and "db row 3: Cu960Fe960, spm:" in out
    from ase.db import connect

    assert connect(db).count() == 3


def test_batch_local_example(model_dir, tmp_path):
    """Runs with one worker *process* (the default embedded cluster of ``arisekit batch``)."""
    args = [
        "--model",
        model_dir,
        "--workers",
        "1",
        "--frames",
        "2",
        "--samples",
        "20",
        "--workdir",
        str(tmp_path),
    ]
    out = _run("batch_local.py", *args, cwd=tmp_path)
    assert "first run: 4 frames computed, 0 skipped, 0 failed" in out
    assert "second run (resume): 0 frames computed, 4 skipped" in out
    assert "fcc_md[1]:   32 atoms -> fcc" in out
    assert (tmp_path / "results.h5").exists() and (tmp_path / "results.png").exists()
