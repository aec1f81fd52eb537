"""Single-layer 2D materials (ARISE table S5/S6 classes from the C2DB part of the CMR).

Each entry is a layer definition: space group of the slab, in-plane lattice, Wyckoff representatives
with fractional in-plane coordinates and the height along the layer normal in Å, expanded in a cell
whose normal length is ``NORMAL`` Å (the vacuum of the built structure is set by the builder).

Hexagonal layers use the close-packing sites A = (0, 0), B = (1/3, 2/3), C = (2/3, 1/3).  Where the
declared space group differs from the C2DB entry it is because the ideal (unrelaxed) layer is given:
phosphorene (Pmna rather than Pma2), the puckered SnS layer (Pmn2_1), the ideal MnPSe3 layer
(P-31m) and the ordered 1H alloys CrWS4 (Pmm2) and CrW3S8 (P-6m2).  TiCl3 is a trigonally twisted
prismatic MX3 honeycomb (P321), BiI3 the octahedral honeycomb with rotated iodine triangles (P-3),
ReS2 a 1T layer with inversion-symmetric Re clustering (P-1), WTe2 the 1T' (P2_1/m) phase.
"""

from __future__ import annotations

from arisekit.prototypes.data import hexagonal, layer, monoclinic, orthorhombic, tetragonal

CATEGORY = "2D"

#: Cell length (Å) along the normal used to expand the Wyckoff orbits of every layer below.
NORMAL = 30.0

_A, _B, _C = (0.0, 0.0), (1 / 3, 2 / 3), (2 / 3, 1 / 3)


def _at(site: tuple[float, float], height: float) -> tuple[float, float, float]:
    """Basis position at a hexagonal close-packing site and a height (Å)."""
    return (site[0], site[1], height)


# MXene stacking: metal-carbon spacing 1.22 Å (Ti-C 2.15 Å), O 0.86 Å above the outer Ti, O-H 0.97 Å
_TI3C2 = (["Ti", "C", "Ti"], [_at(_A, 0.0), _at(_B, 1.22), _at(_C, 2.44)])
_TI4C3 = (
    ["Ti", "C", "Ti", "C", "Ti", "C", "Ti"],
    [
        _at(_A, -3.66),
        _at(_B, -2.44),
        _at(_C, -1.22),
        _at(_A, 0.0),
        _at(_B, 1.22),
        _at(_A, 2.44),
        _at(_C, 3.66),
    ],
)

ENTRIES = [
    dict(
        name="graphene",
        formula="C",
        spacegroup=191,
        aflow=None,
        paper=51,
        description="graphene, flat honeycomb",
        structure=layer(["C"], [_at(_B, 0.0)], 191, hexagonal(2.46, NORMAL)),
    ),
    dict(
        name="Ti3C2",
        formula="Ti3C2",
        spacegroup=187,
        aflow=None,
        paper=52,
        description="bare MXene Ti3C2 with mirror-symmetric stacking (P-6m2)",
        structure=layer(*_TI3C2, 187, hexagonal(3.07, NORMAL)),
    ),
    dict(
        name="Ti3C2O2",
        formula="Ti3C2O2",
        spacegroup=187,
        aflow=None,
        paper=53,
        description="O-terminated MXene Ti3C2O2",
        structure=layer(_TI3C2[0] + ["O"], _TI3C2[1] + [_at(_A, 3.30)], 187, hexagonal(3.07, NORMAL)),
    ),
    dict(
        name="MoS2",
        formula="MoS2",
        spacegroup=187,
        aflow=None,
        paper=54,
        description="1H-MoS2, trigonal prismatic transition-metal dichalcogenide",
        structure=layer(["Mo", "S"], [_at(_A, 0.0), _at(_B, 1.564)], 187, hexagonal(3.16, NORMAL)),
    ),
    dict(
        name="Ti3C2H2O2",
        formula="Ti3C2H2O2",
        spacegroup=187,
        aflow=None,
        paper=55,
        description="OH-terminated MXene Ti3C2(OH)2",
        structure=layer(
            _TI3C2[0] + ["O", "H"], _TI3C2[1] + [_at(_A, 3.30), _at(_A, 4.27)], 187, hexagonal(3.07, NORMAL)
        ),
    ),
    dict(
        name="GaS",
        formula="GaS",
        spacegroup=187,
        aflow=None,
        paper=56,
        description="GaS monolayer, S-Ga-Ga-S with vertical Ga2 dimers",
        structure=layer(["Ga", "S"], [_at(_A, 1.225), _at(_B, 2.385)], 187, hexagonal(3.58, NORMAL)),
    ),
    dict(
        name="BN",
        formula="BN",
        spacegroup=187,
        aflow=None,
        paper=57,
        description="hexagonal boron nitride monolayer",
        structure=layer(["B", "N"], [_at(_B, 0.0), _at(_C, 0.0)], 187, hexagonal(2.504, NORMAL)),
    ),
    dict(
        name="Ti2CH2O2",
        formula="Ti2CH2O2",
        spacegroup=164,
        aflow=None,
        paper=58,
        description="OH-terminated MXene Ti2C(OH)2",
        structure=layer(
            ["C", "Ti", "O", "H"],
            [_at(_A, 0.0), _at(_B, 1.15), _at(_C, 2.05), _at(_C, 3.02)],
            164,
            hexagonal(3.04, NORMAL),
        ),
    ),
    dict(
        name="Ti2CO2",
        formula="Ti2CO2",
        spacegroup=164,
        aflow=None,
        paper=59,
        description="O-terminated MXene Ti2CO2",
        structure=layer(
            ["C", "Ti", "O"], [_at(_A, 0.0), _at(_B, 1.15), _at(_C, 2.05)], 164, hexagonal(3.04, NORMAL)
        ),
    ),
    dict(
        name="CdI2",
        formula="CdI2",
        spacegroup=164,
        aflow=None,
        paper=60,
        description="1T CdI2-type octahedral MX2 layer",
        structure=layer(["Cd", "I"], [_at(_A, 0.0), _at(_B, 1.72)], 164, hexagonal(4.24, NORMAL)),
    ),
    dict(
        name="graphane",
        formula="CH",
        spacegroup=164,
        aflow=None,
        paper=61,
        description="graphane CH, chair-buckled fully hydrogenated graphene",
        structure=layer(["C", "H"], [_at(_B, 0.23), _at(_B, 1.33)], 164, hexagonal(2.54, NORMAL)),
    ),
    dict(
        name="CH2Si",
        formula="CH2Si",
        spacegroup=156,
        aflow=None,
        paper=62,
        description="buckled SiC honeycomb hydrogenated on both sides",
        structure=layer(
            ["C", "Si", "H", "H"],
            [_at(_B, 0.30), _at(_C, -0.30), _at(_B, 1.39), _at(_C, -1.78)],
            156,
            hexagonal(3.10, NORMAL),
        ),
    ),
    dict(
        name="Ti4C3",
        formula="Ti4C3",
        spacegroup=156,
        aflow=None,
        paper=63,
        description="bare MXene Ti4C3 with polar stacking (P3m1)",
        structure=layer(*_TI4C3, 156, hexagonal(3.07, NORMAL)),
    ),
    dict(
        name="BiTeI",
        formula="BiTeI",
        spacegroup=156,
        aflow=None,
        paper=64,
        description="Janus BiTeI layer (Te-Bi-I)",
        structure=layer(
            ["Bi", "Te", "I"], [_at(_A, 0.0), _at(_B, -1.72), _at(_C, 2.10)], 156, hexagonal(4.34, NORMAL)
        ),
    ),
    dict(
        name="Ti4C3O2",
        formula="Ti4C3O2",
        spacegroup=156,
        aflow=None,
        paper=65,
        description="O-terminated MXene Ti4C3O2",
        structure=layer(
            _TI4C3[0] + ["O", "O"], _TI4C3[1] + [_at(_B, 4.52), _at(_C, -4.52)], 156, hexagonal(3.07, NORMAL)
        ),
    ),
    dict(
        name="GeSe",
        formula="GeSe",
        spacegroup=156,
        aflow=None,
        paper=66,
        description="buckled honeycomb GeSe",
        structure=layer(["Ge", "Se"], [_at(_B, 0.70), _at(_C, -0.70)], 156, hexagonal(3.70, NORMAL)),
    ),
    dict(
        name="MoSSe",
        formula="MoSSe",
        spacegroup=156,
        aflow=None,
        paper=67,
        description="Janus 1H-MoSSe",
        structure=layer(
            ["Mo", "S", "Se"], [_at(_A, 0.0), _at(_B, -1.55), _at(_B, 1.67)], 156, hexagonal(3.25, NORMAL)
        ),
    ),
    dict(
        name="Ti4C3H2O2",
        formula="Ti4C3H2O2",
        spacegroup=156,
        aflow=None,
        paper=68,
        description="OH-terminated MXene Ti4C3(OH)2",
        structure=layer(
            _TI4C3[0] + ["O", "O", "H", "H"],
            _TI4C3[1] + [_at(_B, 4.52), _at(_C, -4.52), _at(_B, 5.49), _at(_C, -5.49)],
            156,
            hexagonal(3.07, NORMAL),
        ),
    ),
    dict(
        name="TiCl3",
        formula="TiCl3",
        spacegroup=150,
        aflow=None,
        paper=70,
        description="MX3 honeycomb TiCl3 with twisted trigonal-prismatic coordination (P321)",
        structure=layer(
            ["Ti", "Cl"], [(1 / 3, 2 / 3, 0.0), (0.631, 0.03, 1.635)], 150, hexagonal(6.0, NORMAL)
        ),
    ),
    dict(
        name="BiI3",
        formula="BiI3",
        spacegroup=147,
        aflow=None,
        paper=71,
        description="BiI3 honeycomb of edge-sharing octahedra with rotated I triangles (P-3)",
        structure=layer(
            ["Bi", "I"], [(1 / 3, 2 / 3, 0.0), (0.6716, 0.02, 1.74)], 147, hexagonal(7.5, NORMAL)
        ),
    ),
    dict(
        name="FeSe",
        formula="FeSe",
        spacegroup=129,
        aflow=None,
        paper=72,
        description="anti-PbO (litharge-type) FeSe layer, square Fe net",
        structure=layer(
            ["Fe", "Se"], [(0.75, 0.25, 0.0), (0.25, 0.25, 1.47)], 129, tetragonal(3.77, NORMAL), setting=2
        ),
    ),
    dict(
        name="PbSe",
        formula="PbSe",
        spacegroup=123,
        aflow=None,
        paper=73,
        description="flat square (checkerboard) PbSe monolayer",
        structure=layer(["Pb", "Se"], [(0, 0, 0.0), (0.5, 0.5, 0.0)], 123, tetragonal(4.30, NORMAL)),
    ),
    dict(
        name="GeS2",
        formula="GeS2",
        spacegroup=115,
        aflow=None,
        paper=74,
        description="square layer of edge-sharing GeS4 tetrahedra (P-4m2)",
        structure=layer(["Ge", "S"], [(0, 0, 0.0), (0.5, 0, 1.28)], 115, tetragonal(3.63, NORMAL)),
    ),
    dict(
        name="C3N",
        formula="C3N",
        spacegroup=65,
        aflow=None,
        paper=75,
        description="flat C3N honeycomb with N rows (Cmmm)",
        structure=layer(
            ["N", "C", "C", "N", "C", "C"],
            [
                (0, 1 / 6, 0.0),
                (0.25, 5 / 24, 0.0),
                (0.5, 1 / 6, 0.0),
                (0, 5 / 12, 0.0),
                (0.25, 11 / 24, 0.0),
                (0.5, 5 / 12, 0.0),
            ],
            65,
            orthorhombic(4.92, 17.0434, NORMAL),
        ),
    ),
    dict(
        name="FeOCl",
        formula="FeOCl",
        spacegroup=59,
        aflow=None,
        paper=76,
        description="FeOCl layer: Fe-O double sheet capped by Cl (Pmmn)",
        structure=layer(
            ["Fe", "O", "Cl"],
            [(0.25, 0.25, -0.898), (0.25, 0.75, 0.315), (0.25, 0.75, -2.641)],
            59,
            orthorhombic(3.78, 3.30, NORMAL),
            setting=2,
        ),
    ),
    dict(
        name="phosphorene",
        formula="P",
        spacegroup=53,
        aflow=None,
        paper=77,
        description="black phosphorene, puckered single layer of black P",
        structure=layer(
            ["P"], [(0, 1.0654, 0.91944)], 53, orthorhombic(3.3136, NORMAL, 4.3763), normal_axis=1
        ),
    ),
    dict(
        name="WTe2",
        formula="WTe2",
        spacegroup=11,
        aflow=None,
        paper=82,
        description="1T'-WTe2, distorted octahedral layer with W zigzag chains (P2_1/m)",
        structure=layer(
            ["W", "Te", "Te"],
            [(0.81, 0.75, 0.0), (0.10333, 0.75, 1.8), (0.60333, 0.25, 1.8)],
            11,
            monoclinic(6.25, 3.48, NORMAL, 90.0),
        ),
    ),
    dict(
        name="SnS",
        formula="SnS",
        spacegroup=31,
        aflow=None,
        paper=85,
        description="puckered (black-P-like) SnS monolayer (Pmn2_1)",
        structure=layer(
            ["Sn", "S"],
            [(0, 1.305, 0.9698), (0, -1.305, 0.0774)],
            31,
            orthorhombic(4.07, NORMAL, 4.24),
            normal_axis=1,
        ),
    ),
    dict(
        name="ReS2",
        formula="ReS2",
        spacegroup=2,
        aflow=None,
        paper=89,
        description="distorted 1T-ReS2 with Re clustering (P-1)",
        structure=layer(
            ["Re", "S", "S", "Re", "S", "S"],
            [
                (0.79159, 0.01443, 0.03),
                (0.92553, 0.3448, 1.4941),
                (0.07358, 0.1609, -1.3902),
                (0.7572, 0.46752, -0.02),
                (0.40893, 0.34261, 1.4975),
                (0.57969, 0.16098, -1.4855),
            ],
            2,
            hexagonal(6.4, NORMAL),
        ),
    ),
    dict(
        name="CrW3S8",
        formula="CrW3S8",
        spacegroup=187,
        aflow=None,
        paper=93,
        description="ordered 1H alloy CrW3S8 (2x2 WS2 cell, one Cr)",
        structure=layer(
            ["Cr", "W", "S", "S"],
            [(0, 0, 0.0), (0.5, 0.5, 0.0), (1 / 3, 1 / 6, 1.57), (1 / 3, 2 / 3, 1.57)],
            187,
            hexagonal(6.36, NORMAL),
        ),
    ),
    dict(
        name="CrWS4",
        formula="CrWS4",
        spacegroup=25,
        aflow=None,
        paper=95,
        description="ordered 1H alloy CrWS4 with Cr and W rows (Pmm2)",
        structure=layer(
            ["Cr", "W", "S", "S"],
            [(0, 0, 0), (0.5, 0, 0.5), (0.5, 1.57, 5 / 6), (0, 1.57, 1 / 3)],
            25,
            orthorhombic(3.18, NORMAL, 5.5079),
            normal_axis=1,
        ),
    ),
    dict(
        name="MnPSe3",
        formula="MnPSe3",
        spacegroup=162,
        aflow=None,
        paper=96,
        description="MnPSe3 layer: Mn honeycomb with P2 dimers in the hexagon centres (ideal P-31m)",
        structure=layer(
            ["Mn", "P", "Se"],
            [(1 / 3, 2 / 3, 0.0), (0, 0, 1.1), (1 / 3, 1 / 3, 1.62)],
            162,
            hexagonal(6.39, NORMAL),
        ),
    ),
    # addition beyond the ARISE list
    dict(
        name="Ti2C",
        formula="Ti2C",
        spacegroup=164,
        aflow=None,
        paper=None,
        description="bare MXene Ti2C",
        structure=layer(["C", "Ti"], [_at(_A, 0.0), _at(_B, 1.15)], 164, hexagonal(3.04, NORMAL)),
    ),
]
