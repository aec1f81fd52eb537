"""Turn the crystallographic definitions of :mod:`arisekit.prototypes.data` into ``ase.Atoms``.

Three kinds of definition are understood (the ``structure`` dictionary of a data entry):

``{"kind": "crystal", "symbols", "basis", "spacegroup", "cellpar", "setting"=1}``
    bulk crystal from a space group, one representative position (fractional) per Wyckoff orbit and
    the lattice parameters (Å, degrees), expanded with :func:`ase.spacegroup.crystal`.

``{"kind": "layer", ..., "normal_axis"=2}``
    the same for a single 2D layer, except that the coordinate along ``normal_axis`` of every basis
    position is given in Å (fraction times the cell length along the normal); the normal cell vector
    must be orthogonal to the in-plane ones and long enough to separate the layer from its images.
    After expansion the layer is rotated so that its normal is the z axis, given ``vacuum`` Å of empty
    space (the nominal normal length is discarded) and ``pbc = (True, True, False)``.

``{"kind": "cell", "symbols", "lattice", "positions", "layer"=False}``
    an explicit cell: lattice vectors (Å, rows) and fractional positions, as the ARISE paper's own
    geometries are stated (:mod:`arisekit.prototypes.data.paper_geometry`). With ``layer`` the cell is a
    single layer in the xy plane: its third vector (along z) is replaced by the layer thickness plus
    ``vacuum`` Å and ``pbc = (True, True, False)``.

``{"kind": "nanotube", "n", "m", "bond"}``
    a single-walled (n, m) nanotube from :func:`ase.build.nanotube`, periodic along z only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ase import Atoms
from ase.build import nanotube as ase_nanotube
from ase.spacegroup import crystal

#: Empty space (Å) between periodic images of a 2D layer along its normal.
LAYER_VACUUM = 20.0
#: Empty space (Å) around a nanotube in the two non-periodic directions.
TUBE_VACUUM = 20.0


def build_structure(structure: dict[str, Any]) -> Atoms:
    """Build ``ase.Atoms`` from one ``structure`` definition (see the module docstring)."""
    kind = structure.get("kind")
    if kind == "crystal":
        return _crystal(structure)
    if kind == "layer":
        return _layer(structure)
    if kind == "cell":
        return _cell(structure)
    if kind == "nanotube":
        return _nanotube(structure)
    raise ValueError(f"structure kind {kind!r} is not one of 'crystal', 'layer', 'cell', 'nanotube'")


def _expand(
    structure: dict[str, Any], basis: list[tuple[float, float, float]], cellpar: list[float]
) -> Atoms:
    atoms = crystal(
        symbols=list(structure["symbols"]),
        basis=[tuple(float(x) for x in b) for b in basis],
        spacegroup=int(structure["spacegroup"]),
        setting=int(structure.get("setting", 1)),
        cellpar=[float(x) for x in cellpar],
        symprec=1e-4,
        pbc=True,
        primitive_cell=False,
    )
    # a plain Atoms (no spacegroup object or per-atom kinds array attached by ase.spacegroup)
    plain = Atoms(atoms.get_chemical_symbols(), positions=atoms.positions, cell=atoms.cell[:], pbc=True)
    plain.wrap()
    return plain


def _cell(structure: dict[str, Any]) -> Atoms:
    lattice = np.array(structure["lattice"], dtype=float)
    frac = np.array(structure["positions"], dtype=float)
    symbols = list(structure["symbols"])
    if lattice.shape != (3, 3) or frac.shape != (len(symbols), 3):
        raise ValueError("cell definition: need 3 lattice vectors and one fractional position per symbol")
    atoms = Atoms(symbols, scaled_positions=frac, cell=lattice, pbc=True)
    if not structure.get("layer", False):
        return atoms
    if np.abs(lattice[:2, 2]).max() > 1e-9 or np.abs(lattice[2, :2]).max() > 1e-9:
        raise ValueError("cell definition: a layer needs in-plane vectors in xy and its third vector along z")
    pos = atoms.positions
    pos[:, 2] = _unwrap_normal(frac[:, 2]) * lattice[2, 2]
    return _with_vacuum(symbols, pos, lattice, float(structure.get("vacuum", LAYER_VACUUM)))


def _unwrap_normal(z: np.ndarray) -> np.ndarray:
    """Fractional coordinates along a layer's normal, shifted so that the largest empty gap between the
    layer and its periodic image lies at the cell boundary (the layer in one piece, in [0, 1))."""
    zs = np.sort(z % 1.0)
    gaps = np.diff(np.concatenate([zs, [zs[0] + 1.0]]))
    k = int(np.argmax(gaps))
    cut = (zs[k] + 0.5 * gaps[k]) % 1.0
    return (z - cut) % 1.0


def _with_vacuum(symbols: list[str], pos: np.ndarray, cell: np.ndarray, vacuum: float) -> Atoms:
    """A layer (in-plane vectors in xy, normal along z) in a cell of its thickness plus ``vacuum`` Å along
    z, centred, pbc (T, T, F)."""
    new_cell = np.array(cell, dtype=float)
    new_cell[2] = [0.0, 0.0, float(np.ptp(pos[:, 2])) + vacuum]
    pos = pos.copy()
    pos[:, 2] += 0.5 * new_cell[2, 2] - 0.5 * (pos[:, 2].max() + pos[:, 2].min())
    return Atoms(symbols, positions=pos, cell=new_cell, pbc=(True, True, False))


def _crystal(structure: dict[str, Any]) -> Atoms:
    if len(structure["symbols"]) != len(structure["basis"]):
        raise ValueError("crystal definition: 'symbols' and 'basis' differ in length")
    return _expand(structure, list(structure["basis"]), list(structure["cellpar"]))


def _layer(structure: dict[str, Any]) -> Atoms:
    axis = int(structure.get("normal_axis", 2))
    if axis not in (0, 1, 2):
        raise ValueError(f"layer definition: normal_axis must be 0, 1 or 2, got {axis}")
    cellpar = [float(x) for x in structure["cellpar"]]
    angles = cellpar[3:]
    # the two angles involving the normal axis must be 90 degrees (normal orthogonal to the plane)
    for k in range(3):
        if k != axis and abs(angles[3 - axis - k] - 90.0) > 1e-9:
            raise ValueError("layer definition: the normal cell vector must be orthogonal to the layer plane")
    normal = cellpar[axis]
    if not normal > 0.0:
        raise ValueError("layer definition: the cell length along the normal must be positive")
    basis = []
    for b in structure["basis"]:
        frac = [float(x) for x in b]
        frac[axis] = frac[axis] / normal
        basis.append(tuple(frac))
    atoms = _expand(structure, basis, cellpar)
    # cyclic permutation of the axes so that the normal becomes the third cell vector
    order = [(axis + 1) % 3, (axis + 2) % 3, axis]
    cell = atoms.cell[:][order]
    frac = atoms.get_scaled_positions(wrap=True)[:, order]
    frac[:, 2] = _unwrap_normal(frac[:, 2])
    layer = Atoms(atoms.get_chemical_symbols(), scaled_positions=frac, cell=cell, pbc=True)
    # rotate so that the in-plane vectors lie in the xy plane, normal along +z
    a1, a2 = layer.cell[0], layer.cell[1]
    ex = a1 / np.linalg.norm(a1)
    ez = np.cross(a1, a2)
    ez /= np.linalg.norm(ez)
    ey = np.cross(ez, ex)
    rot = np.array([ex, ey, ez])
    pos = layer.positions @ rot.T
    new_cell = layer.cell[:] @ rot.T
    return _with_vacuum(
        layer.get_chemical_symbols(), pos, new_cell, float(structure.get("vacuum", LAYER_VACUUM))
    )


def _nanotube(structure: dict[str, Any]) -> Atoms:
    n, m = int(structure["n"]), int(structure["m"])
    tube = ase_nanotube(
        n, m, length=1, bond=float(structure.get("bond", 1.42)), symbol=structure["symbols"][0]
    )
    xy = tube.positions[:, :2]
    diameter = 2.0 * float(np.max(np.linalg.norm(xy - xy.mean(axis=0), axis=1)))
    side = diameter + float(structure.get("vacuum", TUBE_VACUUM))
    tube.set_cell([side, side, tube.cell[2, 2]], scale_atoms=False)
    tube.positions[:, :2] += 0.5 * side - xy.mean(axis=0)
    tube.pbc = (False, False, True)
    return tube
