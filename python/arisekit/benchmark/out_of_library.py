"""Structures that are *not* in the prototype library, built from their crystallographic definitions.

Used to test how ARISE behaves when it is forced to fail (ARISE supplementary section S2.3): which library
classes it assigns and how large the mutual information is. Every crystal is expanded from its space
group, Wyckoff positions and lattice parameters with :func:`arisekit.prototypes.builders.build_structure`;
the amorphous sample is a seeded random dense packing. Positions are in Å.

Sources of the crystallographic data (standard literature values):

* fluorite CaF2: Fm-3m (225), a = 5.463 Å, Ca 4a (0, 0, 0), F 8c (1/4, 1/4, 1/4);
* rutile TiO2: P4_2/mnm (136), a = 4.594 Å, c = 2.959 Å, Ti 2a (0, 0, 0), O 4f (x, x, 0), x = 0.3048;
* cementite Fe3C: Pnma (62), a = 5.082, b = 6.742, c = 4.512 Å, Fe 8d (0.1840, 0.0581, 0.3332),
  Fe 4c (0.0344, 1/4, 0.8393), C 4c (0.8961, 1/4, 0.4479) (neutron diffraction, Wood et al. 2004);
* type-I clathrate Ba8Si46 (and the empty framework Si46): Pm-3n (223), a = 10.328 Å, framework Si 6c
  (1/4, 0, 1/2), 16i (x, x, x) x = 0.1847, 24k (0, y, z) y = 0.3088, z = 0.1173; guests Ba 2a (0, 0, 0)
  and 6d (1/4, 1/2, 0);
* NbO: Pm-3m (221), a = 4.2101 Å, Nb 3c (0, 1/2, 1/2), O 3d (1/2, 0, 0) (rock salt with 25 % ordered
  vacancies on both sites; AFLOW AB_cP6_221_c_d);
* 4H SiC (moissanite): P6_3mc (186), a = 3.081 Å, c = 10.085 Å, Si 2a z = 0 and 2b z = 1/4, C 2a
  z = 3/16 and 2b z = 7/16 (ideal tetrahedra; AFLOW AB_hP8_186_ab_ab);
* bulk hexagonal BN: P6_3/mmc (194), a = 2.504 Å, c = 6.656 Å, B 2c (1/3, 2/3, 1/4), N 2d (1/3, 2/3, 3/4)
  (AFLOW AB_hP4_194_c_d);
* amorphous: random dense packing of one species (see :func:`amorphous`).

NbO, 4H SiC and bulk h-BN are three of the paper's own out-of-sample examples (S2.3): it reads them as
rock salt, wurtzite and hexagonal graphite, the physically expected answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from arisekit.prototypes.builders import build_structure

__all__ = [
    "OUT_OF_LIBRARY",
    "OutOfLibrary",
    "amorphous",
    "build_out_of_library",
    "cementite",
    "clathrate_ba8si46",
    "clathrate_si46",
    "fluorite",
    "hexagonal_bn",
    "nbo",
    "out_of_library_names",
    "rutile",
    "sic_4h",
]


def _crystal(symbols, basis, spacegroup, cellpar) -> Atoms:
    return build_structure(
        {"kind": "crystal", "symbols": symbols, "basis": basis, "spacegroup": spacegroup, "cellpar": cellpar}
    )


def fluorite(a: float = 5.463) -> Atoms:
    """Fluorite CaF2 (Fm-3m, 12 atoms per conventional cell); ``a`` in Å."""
    return _crystal(["Ca", "F"], [(0, 0, 0), (0.25, 0.25, 0.25)], 225, [a, a, a, 90, 90, 90])


def rutile(a: float = 4.594, c: float = 2.959, x: float = 0.3048) -> Atoms:
    """Rutile TiO2 (P4_2/mnm, 6 atoms per cell); ``a``, ``c`` in Å, ``x`` the O 4f parameter."""
    return _crystal(["Ti", "O"], [(0, 0, 0), (x, x, 0)], 136, [a, a, c, 90, 90, 90])


def cementite() -> Atoms:
    """Cementite Fe3C (Pnma, 16 atoms per cell; Wood et al. 2004, 160 K)."""
    return _crystal(
        ["Fe", "Fe", "C"],
        [(0.1840, 0.0581, 0.3332), (0.0344, 0.25, 0.8393), (0.8961, 0.25, 0.4479)],
        62,
        [5.082, 6.742, 4.512, 90, 90, 90],
    )


def nbo(a: float = 4.2101) -> Atoms:
    """NbO (Pm-3m, 6 atoms): rock salt with a quarter of both sites vacant, ordered; ``a`` in Å."""
    return _crystal(["Nb", "O"], [(0, 0.5, 0.5), (0.5, 0, 0)], 221, [a, a, a, 90, 90, 90])


def sic_4h(a: float = 3.081, c: float = 10.085) -> Atoms:
    """4H SiC (P6_3mc, 8 atoms, ABAC stacking of ideal tetrahedral layers); ``a``, ``c`` in Å."""
    third = (1 / 3, 2 / 3)
    return _crystal(
        ["Si", "Si", "C", "C"],
        [(0, 0, 0), (*third, 0.25), (0, 0, 3 / 16), (*third, 7 / 16)],
        186,
        [a, a, c, 90, 90, 120],
    )


def hexagonal_bn(a: float = 2.504, c: float = 6.656) -> Atoms:
    """Bulk hexagonal BN (P6_3/mmc, 4 atoms, B over N between layers); ``a``, ``c`` in Å."""
    return _crystal(["B", "N"], [(1 / 3, 2 / 3, 0.25), (1 / 3, 2 / 3, 0.75)], 194, [a, a, c, 90, 90, 120])


_CLATHRATE_FRAMEWORK = [(0.25, 0.0, 0.5), (0.1847, 0.1847, 0.1847), (0.0, 0.3088, 0.1173)]


def clathrate_si46(a: float = 10.328) -> Atoms:
    """Empty type-I clathrate framework Si46 (Pm-3n, 46 four-coordinated Si atoms); ``a`` in Å."""
    return _crystal(["Si"] * 3, _CLATHRATE_FRAMEWORK, 223, [a, a, a, 90, 90, 90])


def clathrate_ba8si46(a: float = 10.328) -> Atoms:
    """Filled type-I clathrate Ba8Si46 (Pm-3n, 54 atoms: Ba in the 2a and 6d cages); ``a`` in Å."""
    return _crystal(
        ["Si"] * 3 + ["Ba", "Ba"],
        _CLATHRATE_FRAMEWORK + [(0.0, 0.0, 0.0), (0.25, 0.5, 0.0)],
        223,
        [a, a, a, 90, 90, 90],
    )


def amorphous(
    n_atoms: int = 250,
    symbol: str = "Fe",
    d_min: float = 2.3,
    packing: float = 0.5,
    seed: int = 0,
    max_sweeps: int = 2000,
) -> Atoms:
    """Periodic random dense packing of ``n_atoms`` hard spheres of diameter ``d_min`` (Å).

    Random positions in a cubic box sized for the sphere ``packing`` fraction are pushed apart (minimum
    image convention) until no pair is closer than ``d_min``: a melt-quenched-like amorphous solid without
    long-range order. Deterministic for ``seed``; ValueError if the packing cannot be reached.
    """
    if int(n_atoms) < 2:
        raise ValueError(f"n_atoms must be at least 2, got {n_atoms}")
    if not (np.isfinite(d_min) and d_min > 0):
        raise ValueError(f"d_min must be a positive distance in Å, got {d_min}")
    if not 0.0 < packing < 0.64:
        raise ValueError(f"packing must be a sphere volume fraction in (0, 0.64), got {packing}")
    n = int(n_atoms)
    length = (n * np.pi * d_min**3 / 6.0 / packing) ** (1.0 / 3.0)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.0, length, (n, 3))
    target = 1.05 * d_min  # push a little beyond d_min so that the sweeps converge quickly
    for _ in range(int(max_sweeps)):
        diff = pos[:, None, :] - pos[None, :, :]
        diff -= length * np.round(diff / length)
        dist = np.linalg.norm(diff, axis=2)
        np.fill_diagonal(dist, np.inf)
        if dist.min() >= d_min:
            break
        overlap = np.clip(target - dist, 0.0, None)
        push = (overlap / dist)[:, :, None] * diff
        pos = (pos + 0.5 * push.sum(axis=1)) % length
    else:
        raise ValueError(f"amorphous: no packing without overlaps after {max_sweeps} sweeps; lower packing")
    atoms = Atoms([symbol] * n, positions=pos, cell=[length] * 3, pbc=True)
    atoms.info["seed"] = int(seed)
    return atoms


@dataclass(frozen=True)
class OutOfLibrary:
    """One out-of-library structure: builder, space group (None if amorphous) and its crystallographic
    relations to library classes (the physically expected nearest classes)."""

    name: str
    formula: str
    spacegroup: int | None
    description: str
    expectation: str
    builder: Callable[[], Atoms]
    #: library class that is the physically right reading (the structure is a defective or re-stacked
    #: version of it); None for genuinely novel structures, which the novelty scores use
    reading: str | None = None

    def build(self) -> Atoms:
        atoms = self.builder()
        atoms.info["class_name"] = self.name
        atoms.info["out_of_library"] = True
        return atoms


OUT_OF_LIBRARY: dict[str, OutOfLibrary] = {
    o.name: o
    for o in (
        OutOfLibrary(
            "fluorite", "CaF2", 225, "fluorite CaF2 (C1), Fm-3m",
            "Ca forms an fcc sublattice and F a simple-cubic sublattice filling all tetrahedral holes; "
            "every Ca sits in an F8 cube (the 8-fold cubic coordination of Cs in CsCl: fluorite is CsCl "
            "with every second cube centre empty) and every F in a Ca4 tetrahedron (as in zincblende): "
            "expect CsCl-like and fcc-derived binary classes (zincblende, NaCl, C15 Laves, cuprite).",
            fluorite,
        ),
        OutOfLibrary(
            "rutile", "TiO2", 136, "rutile TiO2 (C4), P4_2/mnm",
            "Ti sits on a body-centred tetragonal lattice (c/a = 0.64) in distorted O octahedra; O is "
            "three-coordinated by Ti: expect tetragonal binaries with octahedral/tI lattices (C11b, PtS, "
            "D0_22) or the CdI2/AlB2 family of octahedral / trigonal-prismatic AB2 compounds.",
            rutile,
        ),
        OutOfLibrary(
            "cementite", "Fe3C", 62, "cementite Fe3C (D0_11), Pnma",
            "A distorted close-packed Fe arrangement (trigonal prisms of Fe around C) with 3:1 "
            "stoichiometry: expect orthorhombic metal-metalloid binaries of the same space group "
            "(FeB, MnP, CrB: trigonal-prismatic B/P in Fe/Mn) or close-packed A3B classes (D0_19, L1_2).",
            cementite,
        ),
        OutOfLibrary(
            "clathrate_Si46", "Si46", 223, "empty type-I clathrate framework Si46, Pm-3n",
            "Every Si is tetrahedrally four-coordinated as in diamond, but the rings are 5- and "
            "6-membered (cages): expect the tetrahedral classes (diamond, hexagonal diamond, zincblende, "
            "wurtzite) with lower confidence.",
            clathrate_si46,
        ),
        OutOfLibrary(
            "clathrate_Ba8Si46", "Ba8Si46", 223, "type-I clathrate Ba8Si46, Pm-3n",
            "Tetrahedral Si framework with Ba guests in 20- and 24-atom cages; the Ba sublattice is the "
            "A15 (Cr3Si) arrangement (2a + 6d = Pm-3n sites of A15): expect A15 or cage compounds such as "
            "CaB6, besides tetrahedral classes.",
            clathrate_ba8si46,
        ),
        OutOfLibrary(
            "NbO", "NbO", 221, "NbO, Pm-3m: rock salt with 25 % ordered vacancies on both sites",
            "Both sublattices are the rock-salt ones with a quarter of the sites empty, each atom "
            "square-planar 4-coordinated: expect NaCl (the paper: NaCl, p 0.9996).",
            nbo,
            "NaCl",
        ),
        OutOfLibrary(
            "SiC_4H", "SiC", 186, "moissanite 4H SiC, P6_3mc (ABAC stacking)",
            "Tetrahedral AB layers stacked ABAC: half the layers in hexagonal (wurtzite) and half in cubic "
            "(zincblende) sequence: expect wurtzite or zincblende (the paper: wurtzite, p 0.9974).",
            sic_4h,
            "wurtzite",
        ),
        OutOfLibrary(
            "hBN_bulk", "BN", 194, "bulk hexagonal BN, P6_3/mmc (AA' stacking of BN sheets)",
            "Graphite-like honeycomb sheets of alternating B and N: expect hexagonal graphite (the paper: "
            "hexagonal graphite, p 0.63) or the BN monolayer.",
            hexagonal_bn,
            "hexagonal_graphite",
        ),
        OutOfLibrary(
            "amorphous", "Fe", None, "amorphous Fe: random dense packing, 250 atoms, d_min 2.3 Å",
            "No long-range order; dense random packing (about 9 neighbours within 1.3 d_min) with "
            "distorted close-packed and icosahedral motifs: expect close-packed classes (fcc, hcp, bcc) or "
            "complex metallic ones (alpha-Mn, beta-Mn, A15), with high mutual information.",
            amorphous,
        ),
    )
}  # fmt: skip


def out_of_library_names(novel_only: bool = False) -> list[str]:
    """Names of the out-of-library structures; ``novel_only``: without those that have a physically
    right library reading (NbO, 4H SiC, bulk h-BN)."""
    return [n for n, o in OUT_OF_LIBRARY.items() if not (novel_only and o.reading)]


def build_out_of_library(name: str) -> Atoms:
    """The periodic cell of out-of-library structure ``name`` (Å)."""
    try:
        return OUT_OF_LIBRARY[name].build()
    except KeyError:
        raise ValueError(
            f"unknown out-of-library structure {name!r}; choose from {', '.join(OUT_OF_LIBRARY)}"
        ) from None
