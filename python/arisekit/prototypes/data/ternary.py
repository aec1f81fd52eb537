"""Ternary perovskites and layered perovskites of the ARISE table S4 (classes from the CMR).

Cubic ABX3 perovskites (AgNbO3, CsSnI3), the tetragonal and orthorhombic distorted halide perovskites and
the n = 1 and n = 2 Ruddlesden-Popper phases, each as the paper's own geometry
(:mod:`arisekit.prototypes.data.paper_geometry`). The declared space group is spglib's for that geometry
(symprec 1e-3): the relaxed CMR cells are less symmetric than their ideal structure types (the paper's
"cubic" AgNbO3 has Ag off-centre, P4mm). Their descriptors differ (cosine < 0.995), so the two cubic rows
are two classes.
"""

from __future__ import annotations

from arisekit.prototypes.data import paper_cell

CATEGORY = "ternary"

ENTRIES = [
    dict(
        name="AgNbO3_cubic",
        formula="AgNbO3",
        spacegroup=99,
        aflow=None,
        paper=39,
        paper_label="3_cubic",
        description="cubic ABX3 perovskite AgNbO3 with Ag off-centre; paper geometry, spglib P4mm",
        structure=paper_cell("3_cubic"),
    ),
    dict(
        name="CsSnI3_cubic",
        formula="CsSnI3",
        spacegroup=160,
        aflow=None,
        paper=40,
        paper_label="3_halides_cubic",
        description="cubic halide perovskite CsSnI3; paper geometry, spglib R3m",
        structure=paper_cell("3_halides_cubic"),
    ),
    dict(
        name="CsSnCl3_tetragonal",
        formula="CsSnCl3",
        spacegroup=1,
        aflow=None,
        paper=41,
        paper_label="3_halides_tetragonal",
        description=("tetragonal halide perovskite CsSnCl3; paper geometry, spglib P1"),
        structure=paper_cell("3_halides_tetragonal"),
    ),
    dict(
        name="Cs2WO4_tetragonal",
        formula="Cs2WO4",
        spacegroup=6,
        aflow=None,
        paper=42,
        paper_label="24_RP",
        description="n = 1 Ruddlesden-Popper phase Cs2WO4 (K2NiF4-type); paper geometry, spglib Pm",
        structure=paper_cell("24_RP"),
    ),
    dict(
        name="Ca3Ge2O7_tetragonal",
        formula="Ca3Ge2O7",
        spacegroup=25,
        aflow=None,
        paper=43,
        paper_label="327_RP",
        description="n = 2 Ruddlesden-Popper phase Ca3Ge2O7 (Sr3Ti2O7-type); paper geometry, spglib Pmm2",
        structure=paper_cell("327_RP"),
    ),
    dict(
        name="CsSnCl3_orthorhombic",
        formula="CsSnCl3",
        spacegroup=1,
        aflow=None,
        paper=44,
        paper_label="3_halides_orthorhombic",
        description=("orthorhombic GdFeO3-type halide perovskite CsSnCl3; paper geometry, spglib P1"),
        structure=paper_cell("3_halides_orthorhombic"),
    ),
]
