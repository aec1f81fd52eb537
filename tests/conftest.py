"""Shared fixtures: a small classifier trained in seconds on four elemental structures.

Helpers (structures, training data) live in ``helpers.py``. The compiled core is imported here: an
unbuilt or broken core fails the whole suite at collection instead of skipping tests.
"""

from __future__ import annotations

import pytest

try:
    from arisekit import _core  # noqa: F401
except ImportError as exc:  # pragma: no cover - only without a built extension
    raise ImportError(
        f"arisekit._core is not built or does not load ({exc}); install the package with "
        "'python3 -m pip install .' (needs a C++17 compiler)"
    ) from exc

# test_batch.py, test_batch_integrity.py and test_safe_outputs.py still import these from conftest
from helpers import METALS, bicrystal, metal_training_set  # noqa: E402, F401


@pytest.fixture(scope="session")
def metal_model():
    """ARISEClassifier for fcc / bcc / hcp / diamond (trained once per test session)."""
    from arisekit.model import ARISEClassifier

    X, y = metal_training_set()
    return ARISEClassifier(
        epochs=150, learning_rate=2e-3, standardize=True, validation_fraction=0.0, seed=1
    ).fit(
        X,
        y,
        class_names=list(METALS),
        class_metadata=[{"name": n, "category": "elemental"} for n in METALS],
        descriptor_params=dict(cutoff=4.0, atom_sigma=0.1, extrinsic_scale=1.0),
    )
