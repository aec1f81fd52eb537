"""Random defects of synthetic samples: missing atoms and uniform displacements (ARISE Table 1)."""

from __future__ import annotations

import numpy as np
from ase import Atoms


def check_fraction(value: float, name: str, upper: float) -> float:
    """``value`` as float; ValueError unless finite and in [0, upper)."""
    v = float(value)
    if not np.isfinite(v) or v < 0.0 or v >= upper:
        raise ValueError(f"{name} must be a number in [0, {upper}), got {value}")
    return v


def remove_random(atoms: Atoms, fraction: float, rng: np.random.Generator) -> Atoms:
    """Copy of ``atoms`` without ``round(fraction * len(atoms))`` randomly chosen atoms (order kept)."""
    n_remove = int(round(fraction * len(atoms)))
    if n_remove == 0:
        return atoms
    keep = np.ones(len(atoms), dtype=bool)
    keep[rng.choice(len(atoms), size=n_remove, replace=False)] = False
    return atoms[keep]


def displace_uniform(atoms: Atoms, noise: float, d_nn, rng: np.random.Generator) -> None:
    """Displace every Cartesian coordinate by a uniform random amount in [-noise * d_NN, +noise * d_NN].

    ``d_nn`` (Å) is a scalar or one value per atom. Modifies ``atoms`` in place.
    """
    if noise == 0.0 or len(atoms) == 0:
        return
    scale = noise * np.broadcast_to(np.asarray(d_nn, dtype=np.float64), (len(atoms),))
    shift = rng.uniform(-1.0, 1.0, size=(len(atoms), 3)) * scale[:, None]
    atoms.positions += shift
