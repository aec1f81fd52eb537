"""Binary compounds: the 11 AFLOW prototypes of the ARISE table S4 plus common intermetallic and
ionic structure types a user would expect (A15, Laves phases, AlB2, D0_19, D0_22, C11_b, WC, pyrite,
cuprite, corundum, CaB6, PtS).

Fluorite, rutile and cementite are deliberately absent: they serve as out-of-library examples, and so
are close derivatives of fluorite (Heusler, half-Heusler, D0_3).
"""

from __future__ import annotations

from arisekit.prototypes.data import crystal, cubic, hexagonal, orthorhombic, tetragonal

CATEGORY = "binary"

ENTRIES = [
    dict(
        name="NaCl",
        formula="NaCl",
        spacegroup=225,
        aflow="AB_cF8_225_a_b",
        paper=28,
        description="rock salt (B1)",
        structure=crystal(["Na", "Cl"], [(0, 0, 0), (0.5, 0.5, 0.5)], 225, cubic(5.640)),
    ),
    dict(
        name="CsCl",
        formula="CsCl",
        spacegroup=221,
        aflow="AB_cP2_221_a_b",
        paper=29,
        description="caesium chloride (B2)",
        structure=crystal(["Cs", "Cl"], [(0, 0, 0), (0.5, 0.5, 0.5)], 221, cubic(4.123)),
    ),
    dict(
        name="L1_2",
        formula="Cu3Au",
        spacegroup=221,
        aflow="AB3_cP4_221_a_c",
        paper=30,
        description="Cu3Au ordered fcc superstructure (L1_2)",
        structure=crystal(["Au", "Cu"], [(0, 0, 0), (0, 0.5, 0.5)], 221, cubic(3.750)),
    ),
    dict(
        name="zincblende",
        formula="ZnS",
        spacegroup=216,
        aflow="AB_cF8_216_c_a",
        paper=31,
        description="zinc blende / sphalerite ZnS (B3)",
        structure=crystal(["Zn", "S"], [(0, 0, 0), (0.25, 0.25, 0.25)], 216, cubic(5.410)),
    ),
    dict(
        name="FeSi",
        formula="FeSi",
        spacegroup=198,
        aflow="AB_cP8_198_a_a",
        paper=32,
        description="FeSi (B20)",
        structure=crystal(["Fe", "Si"], [(0.1358, 0.1358, 0.1358), (0.844, 0.844, 0.844)], 198, cubic(4.489)),
    ),
    dict(
        name="NiAs",
        formula="NiAs",
        spacegroup=194,
        aflow="AB_hP4_194_c_a",
        paper=33,
        description="nickeline NiAs (B8_1)",
        structure=crystal(["Ni", "As"], [(0, 0, 0), (1 / 3, 2 / 3, 0.25)], 194, hexagonal(3.619, 5.034)),
    ),
    dict(
        name="wurtzite",
        formula="ZnS",
        spacegroup=186,
        aflow="AB_hP4_186_b_b",
        paper=34,
        description="wurtzite ZnS (B4)",
        structure=crystal(
            ["Zn", "S"], [(1 / 3, 2 / 3, 0), (1 / 3, 2 / 3, 0.375)], 186, hexagonal(3.821, 6.257)
        ),
    ),
    dict(
        name="L1_0",
        formula="CuAu",
        spacegroup=123,
        aflow="AB_tP2_123_a_d",
        paper=35,
        description="CuAu ordered tetragonal fcc superstructure (L1_0)",
        structure=crystal(["Au", "Cu"], [(0, 0, 0), (0.5, 0.5, 0.5)], 123, tetragonal(2.806, 3.673)),
    ),
    dict(
        name="CrB",
        formula="CrB",
        spacegroup=63,
        aflow="AB_oC8_63_c_c",
        paper=36,
        description="CrB (B_f / B33)",
        structure=crystal(
            ["Cr", "B"], [(0, 0.146, 0.25), (0, 0.440, 0.25)], 63, orthorhombic(2.969, 7.858, 2.932)
        ),
    ),
    dict(
        name="MnP",
        formula="MnP",
        spacegroup=62,
        aflow="AB_oP8_62_c_c",
        paper=37,
        description="MnP (B31)",
        structure=crystal(
            ["Mn", "P"],
            [(0.0049, 0.25, 0.1965), (0.1878, 0.25, 0.5686)],
            62,
            orthorhombic(5.260, 3.173, 5.917),
        ),
    ),
    dict(
        name="FeB",
        formula="FeB",
        spacegroup=62,
        aflow="AB_oP8_62_c_c",
        paper=38,
        description="FeB (B27)",
        structure=crystal(
            ["Fe", "B"], [(0.180, 0.25, 0.125), (0.036, 0.25, 0.610)], 62, orthorhombic(5.495, 2.946, 4.053)
        ),
    ),
    # additions beyond the ARISE list
    dict(
        name="A15",
        formula="Cr3Si",
        spacegroup=223,
        aflow="A3B_cP8_223_c_a",
        paper=None,
        description="Cr3Si / beta-W type (A15)",
        structure=crystal(["Si", "Cr"], [(0, 0, 0), (0.25, 0, 0.5)], 223, cubic(4.556)),
    ),
    dict(
        name="C15_Laves",
        formula="MgCu2",
        spacegroup=227,
        aflow="A2B_cF24_227_c_b",
        paper=None,
        description="cubic Laves phase MgCu2 (C15)",
        structure=crystal(
            ["Mg", "Cu"], [(0.125, 0.125, 0.125), (0.5, 0.5, 0.5)], 227, cubic(7.035), setting=2
        ),
    ),
    dict(
        name="C14_Laves",
        formula="MgZn2",
        spacegroup=194,
        aflow="AB2_hP12_194_f_ah",
        paper=None,
        description="hexagonal Laves phase MgZn2 (C14)",
        structure=crystal(
            ["Mg", "Zn", "Zn"],
            [(1 / 3, 2 / 3, 0.0629), (0, 0, 0), (0.8303, 0.6606, 0.25)],
            194,
            hexagonal(5.221, 8.567),
        ),
    ),
    dict(
        name="AlB2",
        formula="AlB2",
        spacegroup=191,
        aflow="AB2_hP3_191_a_d",
        paper=None,
        description="AlB2 (C32), graphite-like B sheets",
        structure=crystal(["Al", "B"], [(0, 0, 0), (1 / 3, 2 / 3, 0.5)], 191, hexagonal(3.009, 3.262)),
    ),
    dict(
        name="D0_19",
        formula="Ni3Sn",
        spacegroup=194,
        aflow="A3B_hP8_194_h_c",
        paper=None,
        description="Ni3Sn ordered hcp superstructure (D0_19)",
        structure=crystal(
            ["Sn", "Ni"], [(1 / 3, 2 / 3, 0.25), (5 / 6, 2 / 3, 0.25)], 194, hexagonal(5.29, 4.24)
        ),
    ),
    dict(
        name="D0_22",
        formula="Al3Ti",
        spacegroup=139,
        aflow="A3B_tI8_139_bd_a",
        paper=None,
        description="Al3Ti ordered fcc superstructure (D0_22)",
        structure=crystal(
            ["Ti", "Al", "Al"], [(0, 0, 0), (0, 0, 0.5), (0, 0.5, 0.25)], 139, tetragonal(3.848, 8.596)
        ),
    ),
    dict(
        name="C11b",
        formula="MoSi2",
        spacegroup=139,
        aflow="AB2_tI6_139_a_e",
        paper=None,
        description="MoSi2 (C11_b)",
        structure=crystal(["Mo", "Si"], [(0, 0, 0), (0, 0, 0.333)], 139, tetragonal(3.203, 7.855)),
    ),
    dict(
        name="WC",
        formula="WC",
        spacegroup=187,
        aflow="AB_hP2_187_d_a",
        paper=None,
        description="tungsten carbide (B_h)",
        structure=crystal(["W", "C"], [(0, 0, 0), (1 / 3, 2 / 3, 0.5)], 187, hexagonal(2.906, 2.837)),
    ),
    dict(
        name="pyrite",
        formula="FeS2",
        spacegroup=205,
        aflow="AB2_cP12_205_a_c",
        paper=None,
        description="pyrite FeS2 (C2)",
        structure=crystal(["Fe", "S"], [(0, 0, 0), (0.385, 0.385, 0.385)], 205, cubic(5.417)),
    ),
    dict(
        name="cuprite",
        formula="Cu2O",
        spacegroup=224,
        aflow="A2B_cP6_224_b_a",
        paper=None,
        description="cuprite Cu2O (C3)",
        structure=crystal(["O", "Cu"], [(0.25, 0.25, 0.25), (0, 0, 0)], 224, cubic(4.270), setting=2),
    ),
    dict(
        name="corundum",
        formula="Al2O3",
        spacegroup=167,
        aflow="A2B3_hR10_167_c_e",
        paper=None,
        description="corundum alpha-Al2O3 (D5_1)",
        structure=crystal(["Al", "O"], [(0, 0, 0.3523), (0.3064, 0, 0.25)], 167, hexagonal(4.759, 12.991)),
    ),
    dict(
        name="CaB6",
        formula="CaB6",
        spacegroup=221,
        aflow="AB6_cP7_221_a_f",
        paper=None,
        description="calcium hexaboride CaB6 (D2_1)",
        structure=crystal(["Ca", "B"], [(0, 0, 0), (0.207, 0.5, 0.5)], 221, cubic(4.145)),
    ),
    dict(
        name="PtS",
        formula="PtS",
        spacegroup=131,
        aflow="AB_tP4_131_c_e",
        paper=None,
        description="cooperite PtS (B17)",
        structure=crystal(["Pt", "S"], [(0, 0.5, 0), (0, 0, 0.25)], 131, tetragonal(3.470, 6.110)),
    ),
]
