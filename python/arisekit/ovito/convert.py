"""OVITO ``DataCollection`` -> ``ase.Atoms`` for ARISE (positions in Å).

Positions are taken relative to the simulation-cell origin (ASE cells start at 0), so periodic axes wrap
correctly; add the returned ``origin`` to map ARISE coordinates (e.g. SPM box centres) back to OVITO's frame.

Species: a particle type whose name is a chemical symbol keeps it; any other type (e.g. the numeric types of a
LAMMPS dump) gets atomic number = its type id, as ``ase.io`` does for LAMMPS files (the next unused number if
that one is taken by a named type). Without a ``Particle Type`` property all particles are one species,
:data:`UNTYPED_SPECIES` (ASE's reading of LAMMPS type 1). The ARISE descriptor only distinguishes species, so
which element stands for a type does not change the classification.
"""

from __future__ import annotations

import hashlib

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, chemical_symbols

from arisekit.geometry import Structure

__all__ = ["UNTYPED_SPECIES", "data_to_atoms", "data_to_structure", "fingerprint", "type_numbers"]

#: Chemical symbol given to every particle when the data has no ``Particle Type`` property.
UNTYPED_SPECIES = "H"
_MAX_Z = len(chemical_symbols) - 1


def type_numbers(particles) -> np.ndarray:
    """Atomic numbers (int64) of an OVITO ``Particles`` object, one per particle (see module docstring)."""
    n = int(particles.count)
    ptypes = particles.particle_types
    if ptypes is None:
        return np.full(n, atomic_numbers[UNTYPED_SPECIES], dtype=np.int64)
    ids = np.asarray(ptypes, dtype=np.int64)
    named: dict[int, int] = {}
    for t in ptypes.types:
        if t.name in atomic_numbers and atomic_numbers[t.name] > 0:
            named[int(t.id)] = atomic_numbers[t.name]
    used = set(named.values())
    mapping = dict(named)
    for tid in sorted(set(np.unique(ids).tolist()) - set(named)):
        z = tid if 1 <= tid <= _MAX_Z and tid not in used else 1
        while z in used:
            z += 1
            if z > _MAX_Z:
                raise ValueError("particle types: more distinct types than chemical elements")
        mapping[tid] = z
        used.add(z)
    lut_ids = np.array(sorted(mapping), dtype=np.int64)
    lut_z = np.array([mapping[i] for i in lut_ids], dtype=np.int64)
    return lut_z[np.searchsorted(lut_ids, ids)]


def data_to_atoms(data) -> tuple[Atoms, np.ndarray]:
    """``(atoms, origin)``: an OVITO ``DataCollection``'s particles as ``ase.Atoms`` and the cell origin (Å).

    Positions of ``atoms`` are relative to ``origin``.

    Raises ValueError when there are no particles or positions are not finite.
    """
    from arisekit.geometry import ovito_arrays

    positions, vectors, pbc, numbers, origin = ovito_arrays(data)
    if not np.isfinite(positions).all():
        raise ValueError("data: particle positions contain NaN or inf")
    atoms = Atoms(numbers=numbers, positions=positions, cell=vectors, pbc=pbc)
    return atoms, origin


def data_to_structure(data) -> tuple[Structure, np.ndarray]:
    """``(structure, origin)``: an OVITO ``DataCollection``'s particles as an
    :class:`arisekit.geometry.Structure` (read once, no ``ase.Atoms`` in between) and the cell origin (Å).

    Positions are relative to ``origin``; species as :func:`type_numbers`. Raises ValueError when there are
    no particles or positions are not finite.
    """
    from arisekit.geometry import as_structure, ovito_arrays

    positions, vectors, pbc, numbers, origin = ovito_arrays(data)
    if not np.isfinite(positions).all():
        raise ValueError("data: particle positions contain NaN or inf")
    return as_structure(positions, cell=vectors, pbc=pbc, numbers=numbers), origin


def fingerprint(atoms) -> str:
    """Hash of positions, species, cell and pbc (of an ``ase.Atoms`` or a ``Structure``: the same hash for
    the same configuration): identifies one input configuration."""
    h = hashlib.blake2b(digest_size=16)
    for arr in (atoms.positions, atoms.numbers, np.asarray(atoms.cell), np.asarray(atoms.pbc)):
        a = np.ascontiguousarray(arr)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()
