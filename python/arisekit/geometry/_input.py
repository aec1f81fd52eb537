"""Coercion and validation of structure-like inputs (``ase.Atoms``, OVITO ``DataCollection``, arrays)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:  # ase is a hard dependency, but keep the import local to this module
    from ase import Atoms
except ImportError:  # pragma: no cover
    Atoms = None  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class Structure:
    """Plain arrays describing a structure: positions (n, 3) in Å, cell rows (3, 3) in Å, pbc (3,),
    atomic numbers (n,)."""

    positions: np.ndarray
    cell: np.ndarray
    pbc: tuple[bool, bool, bool]
    numbers: np.ndarray

    def __len__(self) -> int:
        return len(self.positions)


def check_positions(positions: np.ndarray, name: str = "positions") -> np.ndarray:
    """Return ``positions`` as a C-contiguous float64 (n, 3) array; ValueError on bad shape or NaN/inf."""
    arr = np.ascontiguousarray(positions, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n, 3), got {arr.shape}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise ValueError(f"{name} contain NaN or infinite values (atom {int(np.flatnonzero(bad)[0])})")
    return arr


def is_structure_like(obj) -> bool:
    """Whether ``obj`` is one structure as :func:`as_structure` reads it (not a list of structures):
    a :class:`Structure`, an ``ase.Atoms``, an OVITO ``DataCollection`` or a ``(positions, cell, pbc,
    numbers)`` tuple."""
    if isinstance(obj, Structure) or (Atoms is not None and isinstance(obj, Atoms)):
        return True
    return _is_data_collection(obj) or _is_array_tuple(obj)


def _is_data_collection(obj) -> bool:
    return hasattr(obj, "particles") and hasattr(obj, "cell") and not isinstance(obj, np.ndarray)


def _is_array_tuple(obj) -> bool:
    return isinstance(obj, tuple) and len(obj) == 4 and np.ndim(obj[0]) == 2 and np.ndim(obj[2]) <= 1


def ovito_arrays(data) -> tuple[np.ndarray, np.ndarray, tuple[bool, bool, bool], np.ndarray, np.ndarray]:
    """``(positions, cell, pbc, numbers, origin)`` of an OVITO ``DataCollection`` (Å): positions relative to
    the cell origin (ASE cells start at 0), species as :func:`arisekit.ovito.convert.type_numbers`.
    ValueError when there are no particles."""
    from arisekit.ovito.convert import type_numbers  # only reached with OVITO data, so OVITO is installed

    particles = data.particles
    if particles is None or int(particles.count) == 0:
        raise ValueError("data: the pipeline output has no particles to classify")
    positions = np.array(particles.positions, dtype=np.float64)
    cell = data.cell
    if cell is None:
        origin, vectors, pbc = np.zeros(3), np.zeros((3, 3)), (False, False, False)
    else:
        matrix = np.array(cell[...], dtype=np.float64)
        origin, vectors, pbc = matrix[:, 3].copy(), matrix[:, :3].T.copy(), tuple(bool(p) for p in cell.pbc)
    return positions - origin, vectors, pbc, type_numbers(particles), origin


def as_structure(obj, cell=None, pbc=None, numbers=None) -> Structure:
    """Turn a structure-like input into a validated :class:`Structure` (positions and cell in Å).

    Accepted, each converted once: a :class:`Structure` (returned unchanged: ``as_structure`` is idempotent),
    an ``ase.Atoms``, an OVITO ``DataCollection`` (positions relative to the cell origin, species from the
    particle types, see :mod:`arisekit.ovito.convert`), a ``(positions, cell, pbc, numbers)`` tuple, or an
    (n, 3) array of positions. For arrays, ``cell`` defaults to zeros, ``pbc`` to all False (an open point
    cloud) and ``numbers`` to ones. Explicit ``cell``/``pbc``/``numbers`` override the values of the input.
    """
    if isinstance(obj, Structure) and cell is None and pbc is None and numbers is None:
        return obj
    if isinstance(obj, Structure):
        cell = obj.cell if cell is None else cell
        pbc = obj.pbc if pbc is None else pbc
        numbers = obj.numbers if numbers is None else numbers
        positions = obj.positions
    elif Atoms is not None and isinstance(obj, Atoms):
        positions = obj.get_positions()
        cell = np.asarray(obj.get_cell(), dtype=np.float64) if cell is None else cell
        pbc = tuple(bool(p) for p in obj.get_pbc()) if pbc is None else pbc
        numbers = obj.get_atomic_numbers() if numbers is None else numbers
    elif _is_data_collection(obj):
        positions, c, p, z, _ = ovito_arrays(obj)
        cell, pbc = (c if cell is None else cell), (p if pbc is None else pbc)
        numbers = z if numbers is None else numbers
    elif _is_array_tuple(obj):
        positions, c, p, z = obj
        cell, pbc = (c if cell is None else cell), (p if pbc is None else pbc)
        numbers = z if numbers is None else numbers
    else:
        positions = obj
    positions = check_positions(positions)
    n = len(positions)
    cell = np.zeros((3, 3)) if cell is None else np.asarray(cell, dtype=np.float64)
    if cell.shape == (3,):
        cell = np.diag(cell)
    if cell.shape != (3, 3):
        raise ValueError(f"cell must have shape (3, 3) or (3,), got {cell.shape}")
    if not np.isfinite(cell).all():
        raise ValueError("cell contains NaN or infinite values")
    if pbc is None:
        pbc = (False, False, False)
    elif np.ndim(pbc) == 0:
        pbc = (bool(pbc),) * 3
    pbc = tuple(bool(p) for p in pbc)
    if len(pbc) != 3:
        raise ValueError(f"pbc must have three entries, got {len(pbc)}")
    for k in range(3):
        if pbc[k] and not np.linalg.norm(cell[k]) > 0:
            raise ValueError(f"cell vector {k} is zero but the axis is periodic (singular cell)")
    if any(pbc):
        per = [cell[k] for k in range(3) if pbc[k]]
        gram = np.array([[a @ b for b in per] for a in per])
        scale = np.prod([a @ a for a in per])
        if np.linalg.det(gram) <= 1e-20 * scale:
            raise ValueError("cell: the periodic lattice vectors are linearly dependent (singular cell)")
    numbers = np.ones(n, dtype=np.int64) if numbers is None else np.asarray(numbers, dtype=np.int64)
    if numbers.shape != (n,):
        raise ValueError(f"numbers must have shape ({n},), got {numbers.shape}")
    return Structure(positions, np.ascontiguousarray(cell), pbc, numbers)  # type: ignore[arg-type]
