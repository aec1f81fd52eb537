"""Quaternary A2BCX4 chalcogenides of the ARISE table S5 (classes from the CMR).

Cation orderings on tetrahedral sphalerite or wurtzite frameworks (kesterite, stannite, wurtz-kesterite,
wurtz-stannite) and the Cu2KVS4 and Cu2BaGeSe4 types, each as the paper's own geometry
(:mod:`arisekit.prototypes.data.paper_geometry`); the declared space group is spglib's for it (symprec
1e-3).
"""

from __future__ import annotations

from arisekit.prototypes.data import paper_cell

CATEGORY = "quaternary"

ENTRIES = [
    dict(
        name="Cu2BaGeSe4",
        formula="Cu2BaGeSe4",
        spacegroup=144,
        aflow=None,
        paper=45,
        paper_label="Cu2BaGeSe4",
        description=(
            "trigonal Cu2BaGeSe4-type ordering (P3_1) of a sphalerite framework; paper geometry, spglib P3_1"
        ),
        structure=paper_cell("Cu2BaGeSe4"),
    ),
    dict(
        name="stannite",
        formula="Cu2CdSnS4",
        spacegroup=121,
        aflow="A2BC4D_tI16_121_d_a_i_b",
        paper=46,
        paper_label="Cu2CdSnS4",
        description="stannite Cu2CdSnS4 (H2_6), ordered sphalerite; paper geometry, spglib I-42m",
        structure=paper_cell("Cu2CdSnS4"),
    ),
    dict(
        name="kesterite",
        formula="Cu2ZnSnS4",
        spacegroup=82,
        aflow=None,
        paper=47,
        paper_label="Cu2ZnSnS4",
        description="kesterite Cu2ZnSnS4, ordered sphalerite; paper geometry, spglib I-4",
        structure=paper_cell("Cu2ZnSnS4"),
    ),
    dict(
        name="Cu2KVS4",
        formula="Cu2KVS4",
        spacegroup=40,
        aflow=None,
        paper=48,
        paper_label="Cu2KVS4",
        description=(
            "orthorhombic Cu2KVS4-type ordering (Ama2) of a sphalerite framework; paper geometry, spglib Ama2"
        ),
        structure=paper_cell("Cu2KVS4"),
    ),
    dict(
        name="wurtz-stannite",
        formula="Cu2CdGeS4",
        spacegroup=31,
        aflow=None,
        paper=49,
        paper_label="Cu2CdGeS4",
        description="wurtz-stannite Cu2CdGeS4, ordered wurtzite; paper geometry, spglib Pmn2_1",
        structure=paper_cell("Cu2CdGeS4"),
    ),
    dict(
        name="wurtz-kesterite",
        formula="Cu2ZnSiS4",
        spacegroup=31,
        aflow=None,
        paper=50,
        paper_label="Cu2ZnSiS4",
        description="wurtz-kesterite Cu2ZnSiS4, ordered wurtzite; paper geometry, spglib Pmn2_1",
        structure=paper_cell("Cu2ZnSiS4"),
    ),
]
