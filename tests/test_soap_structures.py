"""Tests of the small SOAP test structures (``helpers.structure``, ``helpers.open_cluster``)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BUILDERS, open_cluster, structure


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_give_finite_structures(name):
    atoms = structure(name, repeat=(2, 2, 2), rattle=0.05, delete=0)
    assert len(atoms) >= 1
    assert np.isfinite(atoms.positions).all()
    assert len(open_cluster(name, 4.0)) > 4
