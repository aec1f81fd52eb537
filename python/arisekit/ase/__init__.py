"""ASE integration: :class:`ARISECalculator` (ARISE predictions as calculator properties) and ase.db helpers.

This subpackage is ``arisekit.ase``; the ``ase`` package itself is always reached by absolute imports
(``import ase``), so it is not shadowed.
"""

from __future__ import annotations

from arisekit.ase.calculator import ATOM_PROPERTIES, GLOBAL_PROPERTIES, ARISECalculator
from arisekit.ase.db import to_data, to_key_value_pairs

__all__ = ["ATOM_PROPERTIES", "ARISECalculator", "GLOBAL_PROPERTIES", "to_data", "to_key_value_pairs"]
