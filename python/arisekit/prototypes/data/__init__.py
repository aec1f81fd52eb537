"""Crystallographic definitions of the prototype library, one module per category.

Every module exposes ``CATEGORY`` (a string) and ``ENTRIES`` (a list of dictionaries).  An entry holds

``name``         unique class label (ASCII, no spaces)
``formula``      chemical formula of the prototype (the species actually used in the structure)
``spacegroup``   space-group number of the built structure (for 2D layers: of the slab with vacuum;
                 ``None`` for nanotubes)
``aflow``        AFLOW prototype label where one exists, else ``None``
``description``  one line
``paper``        index of the class in the ARISE supplementary tables S4-S6, ``None`` for additions
``paper_label``  the paper's label of the class (its prototype's folder name, e.g. ``fcc_Cu_A_cF4_225_a``),
                 ``None`` for additions
``structure``    definition understood by :func:`arisekit.prototypes.builders.build_structure`

Lengths are in Å and angles in degrees.  The helpers below only spell lattice parameters.
"""

from __future__ import annotations


def cubic(a: float) -> list[float]:
    """Cell parameters of a cubic cell with edge ``a`` (Å)."""
    return [a, a, a, 90.0, 90.0, 90.0]


def hexagonal(a: float, c: float) -> list[float]:
    """Cell parameters of a hexagonal cell (also the hexagonal setting of rhombohedral groups)."""
    return [a, a, c, 90.0, 90.0, 120.0]


def tetragonal(a: float, c: float) -> list[float]:
    """Cell parameters of a tetragonal cell."""
    return [a, a, c, 90.0, 90.0, 90.0]


def orthorhombic(a: float, b: float, c: float) -> list[float]:
    """Cell parameters of an orthorhombic cell."""
    return [a, b, c, 90.0, 90.0, 90.0]


def monoclinic(a: float, b: float, c: float, beta: float) -> list[float]:
    """Cell parameters of a monoclinic cell (unique axis b)."""
    return [a, b, c, 90.0, beta, 90.0]


def crystal(
    symbols: list[str],
    basis: list[tuple[float, float, float]],
    spacegroup: int,
    cellpar: list[float],
    setting: int = 1,
) -> dict:
    """A bulk ``crystal`` structure definition."""
    return {
        "kind": "crystal",
        "symbols": symbols,
        "basis": basis,
        "spacegroup": spacegroup,
        "cellpar": cellpar,
        "setting": setting,
    }


def layer(
    symbols: list[str],
    basis: list[tuple[float, float, float]],
    spacegroup: int,
    cellpar: list[float],
    normal_axis: int = 2,
    setting: int = 1,
) -> dict:
    """A 2D ``layer`` definition; the basis coordinate along ``normal_axis`` is a height in Å."""
    return {
        "kind": "layer",
        "symbols": symbols,
        "basis": basis,
        "spacegroup": spacegroup,
        "cellpar": cellpar,
        "normal_axis": normal_axis,
        "setting": setting,
    }


def paper_cell(label: str) -> dict:
    """The ARISE paper's own geometry of class ``label`` as an explicit ``cell`` definition
    (:mod:`arisekit.prototypes.data.paper_geometry`); 2D layers get vacuum along z."""
    from arisekit.prototypes.data.paper_geometry import GEOMETRIES

    if label not in GEOMETRIES:
        raise ValueError(
            f"no paper geometry labelled {label!r} (see arisekit.prototypes.data.paper_geometry)"
        )
    category, symbols, lattice, positions = GEOMETRIES[label]
    return {
        "kind": "cell",
        "symbols": list(symbols),
        "lattice": [list(v) for v in lattice],
        "positions": [list(p) for p in positions],
        "layer": category == "2D_materials",
    }
