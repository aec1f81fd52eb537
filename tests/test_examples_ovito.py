"""Smoke tests of examples/ovito_pipeline.py and examples/ovito_render.py on tiny settings (test model)."""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import ovito  # noqa: F401  (a hard dependency: its absence fails, not skips)
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TINY = ["--grains", "fcc", "bcc", "--n-grains", "2", "--size", "30", "30", "8", "--box-size", "10",
        "--stride", "5", "--n-samples", "5", "--box-descriptors", "exact"]  # fmt: skip


@pytest.fixture(scope="module")
def model_dir(metal_model, tmp_path_factory) -> Path:
    return metal_model.save(tmp_path_factory.mktemp("ovito_examples") / "model")


def run_example(name: str, *args: str) -> str:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"
    return proc.stdout


def vulkan_missing() -> str | None:
    """Why OVITO cannot render here (no Vulkan loader or no driver), or None."""
    lib = ctypes.util.find_library("vulkan") or "libvulkan.so.1"
    try:
        ctypes.CDLL(lib)
    except OSError:
        return "no Vulkan loader (apt-get install libvulkan1 mesa-vulkan-drivers)"
    dirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"]
    if not os.environ.get("VK_ICD_FILENAMES") and not any(glob.glob(f"{d}/*.json") for d in dirs):
        return "no Vulkan driver (apt-get install mesa-vulkan-drivers)"
    return None


def test_pipeline_example(model_dir, tmp_path):
    out = tmp_path / "results"
    stdout = run_example("ovito_pipeline.py", "-o", str(out), "--model", str(model_dir), *TINY)
    accuracy = float(stdout.split("grain-interior accuracy:")[1].split()[0])
    assert 0.0 <= accuracy <= 1.0
    lines = (out / "arise_atoms.xyz").read_text().splitlines()
    n_atoms = int(lines[0])
    assert n_atoms > 100 and len(lines) == n_atoms + 2
    structure_types = {line.split()[4] for line in lines[2:]}  # OVITO writes the type names
    assert structure_types <= {"Unclassified", "fcc", "bcc", "hcp", "diamond"} and structure_types & {
        "fcc",
        "bcc",
    }
    assert (out / "arise_spm.vtk").stat().st_size > 0 and "fcc" in (out / "arise_fractions.txt").read_text()


def test_render_example(model_dir, tmp_path):
    reason = vulkan_missing()
    if reason:
        pytest.skip(f"OVITO rendering needs Vulkan: {reason}")
    import matplotlib.image

    out = tmp_path / "images"
    run_example("ovito_render.py", str(out), "--model", str(model_dir), "--image-size", "160", "120", *TINY)
    for name in ("structure_types.png", "mutual_information.png", "spm_mutual_information.png"):
        img = matplotlib.image.imread(out / name)
        assert img.shape[:2] == (120, 160)
        assert np.std(img[..., :3]) > 0.02  # something was drawn on the white background
