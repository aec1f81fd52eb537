"""Coercion and validation of structure-like inputs (``ase.Atoms`` or NumPy arrays)."""

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


def as_structure(obj, cell=None, pbc=None, numbers=None) -> Structure:
    """Turn an ``ase.Atoms`` or an (n, 3) array of positions (Å) into a validated :class:`Structure`.

    For arrays, ``cell`` defaults to zeros and ``pbc`` to all False (an open point cloud). Explicit
    ``cell``/``pbc`` override the values of an ``Atoms`` object.
    """
    if isinstance(obj, Structure) and cell is None and pbc is None and numbers is None:
        return obj
    if Atoms is not None and isinstance(obj, Atoms):
        positions = obj.get_positions()
        cell = np.asarray(obj.get_cell(), dtype=np.float64) if cell is None else cell
        pbc = tuple(bool(p) for p in obj.get_pbc()) if pbc is None else pbc
        numbers = obj.get_atomic_numbers() if numbers is None else numbers
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
