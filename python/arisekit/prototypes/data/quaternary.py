"""Quaternary A2BCX4 chalcogenides of the ARISE table S5 (classes from the CMR).

All six are cation orderings on a tetrahedral sphalerite or wurtzite framework with ideal (unrelaxed)
anion positions: kesterite (I-4) and stannite (I-42m) on sphalerite, wurtz-kesterite (Pc) and
wurtz-stannite (Pmn2_1) on wurtzite, and the Cu2KVS4 (Ama2) and Cu2BaGeSe4 (P3_1) space groups realised
as orderings of the sphalerite cation sites (the real compounds have larger K/Ba coordination; the
space group and the 2:1:1:4 composition are kept).  The Wyckoff tables were obtained by enumerating
the orderings of small supercells and standardising the result with spglib.
"""

from __future__ import annotations

from arisekit.prototypes.data import crystal, hexagonal, monoclinic, orthorhombic, tetragonal

CATEGORY = "quaternary"

ENTRIES = [
    dict(
        name="Cu2BaGeSe4",
        formula="Cu2BaGeSe4",
        spacegroup=144,
        aflow=None,
        paper=45,
        description="trigonal Cu2BaGeSe4-type ordering (P3_1) of a sphalerite framework",
        structure=crystal(
            ["Cu", "Cu", "Ba", "Ge", "Se", "Se", "Se", "Se"],
            [
                (5 / 6, 5 / 6, 0),
                (5 / 6, 1 / 3, 0),
                (1 / 6, 1 / 2, 1 / 3),
                (0, 2 / 3, 2 / 3),
                (5 / 6, 5 / 6, 1 / 4),
                (5 / 6, 1 / 3, 1 / 4),
                (1 / 6, 1 / 2, 7 / 12),
                (0, 2 / 3, 11 / 12),
            ],
            144,
            hexagonal(8.344, 10.219),
        ),
    ),
    dict(
        name="stannite",
        formula="Cu2CdSnS4",
        spacegroup=121,
        aflow="A2BC4D_tI16_121_d_a_i_b",
        paper=46,
        description="stannite Cu2CdSnS4 (H2_6), ordered sphalerite",
        structure=crystal(
            ["Cd", "Sn", "Cu", "S"],
            [(0, 0, 0), (0, 0, 0.5), (0, 0.5, 0.25), (0.25, 0.25, 0.125)],
            121,
            tetragonal(5.59, 11.18),
        ),
    ),
    dict(
        name="kesterite",
        formula="Cu2ZnSnS4",
        spacegroup=82,
        aflow=None,
        paper=47,
        description="kesterite Cu2ZnSnS4, ordered sphalerite (I-4)",
        structure=crystal(
            ["Cu", "Cu", "Zn", "Sn", "S"],
            [(0, 0, 0), (0.5, 0, 0.25), (0.5, 0.5, 0), (0, 0.5, 0.25), (0.75, 0.25, 0.375)],
            82,
            tetragonal(5.43, 10.86),
        ),
    ),
    dict(
        name="Cu2KVS4",
        formula="Cu2KVS4",
        spacegroup=40,
        aflow=None,
        paper=48,
        description="orthorhombic Cu2KVS4-type ordering (Ama2) of a sphalerite framework",
        structure=crystal(
            ["Cu", "Cu", "K", "V", "S", "S", "S"],
            [
                (0, 0, 0),
                (0.75, 0.25, 0.75),
                (0.75, 0.25, 0.25),
                (0, 0.5, 0),
                (0.25, 0.5, 0.625),
                (0.25, 0.5, 0.125),
                (0, 0.25, 0.875),
            ],
            40,
            orthorhombic(7.920, 7.920, 11.20),
        ),
    ),
    dict(
        name="wurtz-stannite",
        formula="Cu2CdGeS4",
        spacegroup=31,
        aflow=None,
        paper=49,
        description="wurtz-stannite Cu2CdGeS4, ordered wurtzite (Pmn2_1)",
        structure=crystal(
            ["Cu", "Cd", "Ge", "S", "S", "S"],
            [
                (0.75, 5 / 6, 0),
                (0, 1 / 3, 0),
                (0, 2 / 3, 0.5),
                (0.75, 1 / 6, 0.125),
                (0, 2 / 3, 0.125),
                (0, 1 / 3, 0.625),
            ],
            31,
            orthorhombic(7.70, 6.668, 6.30),
        ),
    ),
    dict(
        name="wurtz-kesterite",
        formula="Cu2ZnSiS4",
        spacegroup=7,
        aflow=None,
        paper=50,
        description="wurtz-kesterite Cu2ZnSiS4, ordered wurtzite (Pc)",
        structure=crystal(
            ["Cu", "Cu", "Zn", "Si", "S", "S", "S", "S"],
            [
                (0, 5 / 6, 0),
                (0.25, 1 / 3, 0.25),
                (0.5, 1 / 6, 0),
                (0.75, 2 / 3, 0.25),
                (0.875, 1 / 6, 0),
                (0.375, 5 / 6, 0),
                (0.125, 2 / 3, 0.25),
                (0.625, 1 / 3, 0.25),
            ],
            7,
            monoclinic(6.07, 6.409, 9.571, 129.36),
        ),
    ),
]
