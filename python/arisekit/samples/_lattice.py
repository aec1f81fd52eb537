"""Prototype cells for sample building and filling boxes with rotated lattices."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ase import Atoms

#: Sites generated per chunk while a lattice fills a box (bounds peak memory).
_CHUNK_SITES = 2_000_000


def prototype_cell(grain: str | Atoms) -> tuple[str, Atoms]:
    """Class name and periodic cell of a grain specification (class name or periodic ``ase.Atoms``).

    Class names are looked up in :mod:`arisekit.prototypes`. An ``Atoms`` object is used as is; its class
    name is ``atoms.info["class_name"]`` (or ``"name"``), else its chemical formula.
    """
    if isinstance(grain, Atoms):
        atoms = grain
        name = str(atoms.info.get("class_name", atoms.info.get("name", atoms.get_chemical_formula())))
    elif isinstance(grain, str):
        name = grain
        atoms = _build_prototype(grain)
    else:
        raise ValueError(
            f"grains: each entry must be a class name or an ase.Atoms, got {type(grain).__name__}"
        )
    if len(atoms) == 0:
        raise ValueError(f"grains: the cell of {name!r} has no atoms")
    if not all(atoms.pbc):
        raise ValueError(f"grains: {name!r} must be periodic along all three axes (3D bulk cell)")
    cell = np.asarray(atoms.get_cell(), dtype=np.float64)
    if abs(np.linalg.det(cell)) < 1e-9:
        raise ValueError(f"grains: the cell of {name!r} is singular")
    return name, atoms


def _build_prototype(name: str) -> Atoms:
    from arisekit import prototypes

    try:
        return prototypes.build(name)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"grains: {exc}") from exc


def nearest_distance(atoms: Atoms) -> float:
    """Shortest interatomic distance (Å) of a periodic cell: its nearest-neighbour distance d_NN."""
    from arisekit.geometry import nearest_distances

    return float(np.min(nearest_distances(atoms)))


def fill_box(
    cell: np.ndarray,
    basis: np.ndarray,
    rotation: np.ndarray,
    origin: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield chunks ``(positions, basis_index)`` of the rotated lattice sites inside the box [lo, hi) (Å).

    Site ``n @ cell + basis[k]`` (fractional ``basis`` times ``cell`` rows, Å) is placed at
    ``origin + rotation @ site``.
    """
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    frac = ((corners - origin) @ rotation) @ np.linalg.inv(cell)  # back-rotated, in lattice coordinates
    n_lo = np.floor(frac.min(axis=0)).astype(np.int64) - 1
    n_hi = np.ceil(frac.max(axis=0)).astype(np.int64) + 1
    basis_cart = basis @ cell
    n1 = np.arange(n_lo[1], n_hi[1] + 1)
    n2 = np.arange(n_lo[2], n_hi[2] + 1)
    plane = np.stack(np.meshgrid(n1, n2, indexing="ij"), axis=-1).reshape(-1, 2)
    rows = max(1, _CHUNK_SITES // max(1, len(plane) * len(basis)))
    for start in range(n_lo[0], n_hi[0] + 1, rows):
        n0 = np.arange(start, min(start + rows, n_hi[0] + 1))
        n = np.concatenate([np.repeat(n0, len(plane))[:, None], np.tile(plane, (len(n0), 1))], axis=1)
        sites = (n @ cell)[:, None, :] + basis_cart[None, :, :]
        pos = origin + sites.reshape(-1, 3) @ rotation.T
        kind = np.tile(np.arange(len(basis)), len(n))
        inside = np.all((pos >= lo) & (pos < hi), axis=1)
        if inside.any():
            yield pos[inside], kind[inside]


def random_rotation(rng: np.random.Generator, kind: str = "uniform") -> np.ndarray:
    """Random proper rotation matrix: uniform (Haar) over SO(3), or about the z axis only (``kind="z"``)."""
    if kind == "z":
        t = rng.uniform(0.0, 2.0 * np.pi)
        c, s = np.cos(t), np.sin(t)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    if kind != "uniform":
        raise ValueError(f"rotation must be 'uniform' or 'z', got {kind!r}")
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
