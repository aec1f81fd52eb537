"""Neighbour lists (C++ cell list): periodic in any subset of axes, triclinic, or open."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arisekit import _core
from arisekit.geometry._input import as_structure
from arisekit.parallel import resolve_threads


@dataclass(frozen=True)
class NeighborList:
    """Full neighbour list: pair k joins atom ``i[k]`` to atom ``j[k]`` (image ``shift[k]``).

    ``distance`` in Å; ``vector[k] = r[j] - r[i] + shift[k] @ cell`` (Å); ``offsets`` is the CSR index
    by centre atom (pairs of atom a are ``offsets[a]:offsets[a+1]``). ``vector``/``shift`` are None
    unless requested.
    """

    i: np.ndarray
    j: np.ndarray
    distance: np.ndarray
    offsets: np.ndarray
    vector: np.ndarray | None = None
    shift: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.i)


def neighbor_list(
    structure,
    cutoff: float,
    *,
    cell=None,
    pbc=None,
    vectors: bool = False,
    shifts: bool = False,
    n_threads: int | None = None,
) -> NeighborList:
    """All ordered pairs of atoms closer than ``cutoff`` (Å), periodic images included.

    Parameters
    ----------
    structure : ase.Atoms or array (n, 3)
        Positions in Å. Arrays are open point clouds unless ``cell``/``pbc`` are given.
    cutoff : float
        Pair cutoff in Å (strict: pairs with distance < cutoff). May exceed the cell size.
    vectors, shifts : bool
        Also return pair vectors (Å) and integer image shifts.
    n_threads : int or None
        Worker threads (None: the process-wide setting, :mod:`arisekit.parallel`).
    """
    s = as_structure(structure, cell=cell, pbc=pbc)
    _check_cutoff(cutoff)
    raw = _core.neighbor_list(
        s.positions, s.cell, list(s.pbc), float(cutoff), vectors, shifts, resolve_threads(n_threads)
    )
    return NeighborList(
        i=raw["i"],
        j=raw["j"],
        distance=raw["distance"],
        offsets=raw["offsets"],
        vector=raw.get("vector"),
        shift=raw.get("shift"),
    )


def _check_cutoff(cutoff: float) -> None:
    if not np.isfinite(cutoff) or cutoff <= 0:
        raise ValueError(f"cutoff must be a positive finite length in Å, got {cutoff}")


def surface_exposure(
    structure, radius: float, *, cell=None, pbc=None, n_threads: int | None = None
) -> np.ndarray:
    """Per-atom length of the mean neighbour vector within ``radius`` (Å), divided by ``radius``.

    About 0 for atoms with a complete environment (bulk, periodic images included), rising to ~0.4–0.6
    for atoms at a free surface: a cheap marker of environments cut by the sample's boundary. Atoms
    without neighbours get 1.
    """
    s = as_structure(structure, cell=cell, pbc=pbc)
    _check_cutoff(radius)
    total, count = _core.neighbor_centroids(
        s.positions, s.cell, list(s.pbc), float(radius), resolve_threads(n_threads)
    )
    out = np.ones(len(s))
    has = count > 0
    out[has] = np.linalg.norm(total[has], axis=1) / count[has] / radius
    return out
