"""Ternary perovskites and layered perovskites of the ARISE table S4 (classes from the CMR).

Cubic ABX3 perovskites, the tetragonal (a0a0c+ octahedral rotation, P4/mbm) and orthorhombic
(a-b+a-, GdFeO3-type Pnma) distorted perovskites, and the n = 1 and n = 2 Ruddlesden-Popper phases
(K2NiF4- and Sr3Ti2O7-type, I4/mmm).  Internal coordinates are typical values of the structure types.

The paper's cubic AgNbO3 and CsSnI3 rows are one prototype (E2_1): after isotropic scaling their ARISE
descriptors coincide (species do not enter), so no classifier could tell them apart. They are one class here.
"""

from __future__ import annotations

from arisekit.prototypes.data import crystal, cubic, orthorhombic, tetragonal

CATEGORY = "ternary"

ENTRIES = [
    dict(
        name="AgNbO3_cubic",
        formula="AgNbO3",
        spacegroup=221,
        aflow="AB3C_cP5_221_a_c_b",
        paper=39,
        description=(
            "cubic ABX3 perovskite (E2_1), AgNbO3; also stands for CsSnI3 (paper row 40), the same prototype"
        ),
        structure=crystal(["Ag", "Nb", "O"], [(0, 0, 0), (0.5, 0.5, 0.5), (0, 0.5, 0.5)], 221, cubic(3.97)),
    ),
    dict(
        name="CsSnCl3_tetragonal",
        formula="CsSnCl3",
        spacegroup=127,
        aflow=None,
        paper=41,
        description="tetragonal halide perovskite CsSnCl3, in-phase octahedral rotation (P4/mbm)",
        structure=crystal(
            ["Sn", "Cs", "Cl", "Cl"],
            [(0, 0, 0), (0, 0.5, 0.5), (0, 0, 0.5), (0.22, 0.72, 0)],
            127,
            tetragonal(7.78, 5.60),
        ),
    ),
    dict(
        name="Cs2WO4_tetragonal",
        formula="Cs2WO4",
        spacegroup=139,
        aflow=None,
        paper=42,
        description="n = 1 Ruddlesden-Popper phase Cs2WO4 (K2NiF4-type)",
        structure=crystal(
            ["W", "Cs", "O", "O"],
            [(0, 0, 0), (0, 0, 0.355), (0, 0.5, 0), (0, 0, 0.148)],
            139,
            tetragonal(4.00, 13.20),
        ),
    ),
    dict(
        name="Ca3Ge2O7_tetragonal",
        formula="Ca3Ge2O7",
        spacegroup=139,
        aflow=None,
        paper=43,
        description="n = 2 Ruddlesden-Popper phase Ca3Ge2O7 (Sr3Ti2O7-type)",
        structure=crystal(
            ["Ge", "Ca", "Ca", "O", "O", "O"],
            [(0, 0, 0.0975), (0, 0, 0.5), (0, 0, 0.3185), (0, 0, 0), (0, 0, 0.1950), (0, 0.5, 0.0975)],
            139,
            tetragonal(3.80, 19.80),
        ),
    ),
    dict(
        name="CsSnCl3_orthorhombic",
        formula="CsSnCl3",
        spacegroup=62,
        aflow=None,
        paper=44,
        description="orthorhombic GdFeO3-type halide perovskite CsSnCl3 (a-b+a- tilts, Pnma)",
        structure=crystal(
            ["Cs", "Sn", "Cl", "Cl"],
            [(0.0496, 0.25, 0.9890), (0, 0, 0.5), (0.4716, 0.25, 0.0851), (0.3048, 0.0530, 0.6944)],
            62,
            orthorhombic(8.10, 11.08, 7.73),
        ),
    ),
]
