"""Ni-based superalloy model (ARISE Fig. 2h): ordered L1_2 Ni3Al precipitate in a random fcc Ni/Al matrix."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from arisekit.samples.defects import check_fraction, displace_uniform, remove_random

#: Conventional-cell sites of the fcc lattice (fractional); the first one is the L1_2 minority (Al) site.
_FCC_BASIS = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])
#: Class names of the matrix and the precipitate, as in :mod:`arisekit.prototypes`.
CLASS_NAMES = ["fcc", "L1_2"]


def superalloy(
    edge: float = 120.0,
    precipitate_edge: float = 40.0,
    seed: int = 0,
    *,
    lattice_constant: float = 3.57,
    al_fraction: float = 0.125,
    noise: float = 0.0,
    missing: float = 0.0,
) -> Atoms:
    """Cube of fcc Ni/Al (random occupation) with a cubic, coherent L1_2 Ni3Al precipitate at its centre.

    Sites are fcc positions ``(n + basis) * lattice_constant`` inside [0, edge)^3 (Å). The precipitate is
    the block of ``round(precipitate_edge / a)``^3 conventional cells nearest the centre: Al on the cube
    corners, Ni on the face centres (L1_2). In the matrix exactly ``round(al_fraction * n_matrix)`` sites,
    chosen at random, hold Al, the rest Ni. The default (120 Å, a = 3.57 Å) holds 157,216 atoms; ARISE
    reports 132,127 atoms for its 120 Å cube, which implies a lower density than fcc Ni.

    Parameters
    ----------
    edge, precipitate_edge : float
        Edge lengths (Å) of the sample cube and of the precipitate.
    seed : int
        Seed of ``numpy.random.default_rng`` (matrix occupation, missing atoms, noise).
    lattice_constant : float
        Cubic lattice parameter a (Å); d_NN = a / sqrt(2).
    al_fraction : float
        Fraction of Al on the matrix sites, in [0, 1).
    noise, missing : float
        Uniform displacements in [-noise * d_NN, +noise * d_NN] per coordinate; fraction of atoms removed.

    Returns
    -------
    ase.Atoms
        Open sample (pbc False, cell = the cube). Per-atom arrays ``class_label`` (0 = "fcc" matrix,
        1 = "L1_2" precipitate; names in ``info["class_names"]``) and ``in_precipitate`` (bool). ``info``
        holds ``precipitate_lo``/``precipitate_hi`` (Å, corners of the precipitate block),
        ``lattice_constant``, ``d_nn``, ``al_fraction``, ``seed``, ``noise``, ``missing``.
    """
    a = float(lattice_constant)
    if not np.isfinite(a) or a <= 0:
        raise ValueError(f"lattice_constant must be a positive length in Å, got {lattice_constant}")
    if not np.isfinite(edge) or edge < a:
        raise ValueError(f"edge must be a length in Å of at least one lattice constant ({a}), got {edge}")
    if not np.isfinite(precipitate_edge) or precipitate_edge < a or precipitate_edge > edge:
        limits = f"between a ({a}) and edge ({edge})"
        raise ValueError(f"precipitate_edge must be a length in Å {limits}, got {precipitate_edge}")
    al_fraction = check_fraction(al_fraction, "al_fraction", 1.0)
    noise = check_fraction(noise, "noise", 0.5)
    missing = check_fraction(missing, "missing", 1.0)
    rng = np.random.default_rng(seed)

    n_cells = int(np.ceil(edge / a))
    cells = np.stack(np.meshgrid(*[np.arange(n_cells)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    frac = (cells[:, None, :] + _FCC_BASIS[None, :, :]).reshape(-1, 3)  # lattice coordinates (units of a)
    corner = np.tile(np.arange(4) == 0, len(cells))
    inside = np.all(frac * a < edge, axis=1)
    frac, corner = frac[inside], corner[inside]

    m = max(1, int(round(precipitate_edge / a)))
    start = int(round(0.5 * edge / a - 0.5 * m))
    in_prec = np.all((frac >= start) & (frac < start + m), axis=1)

    ni, al = atomic_numbers["Ni"], atomic_numbers["Al"]
    numbers = np.full(len(frac), ni, dtype=np.int64)
    numbers[in_prec & corner] = al
    matrix = np.flatnonzero(~in_prec)
    numbers[rng.choice(matrix, size=int(round(al_fraction * len(matrix))), replace=False)] = al

    sample = Atoms(numbers=numbers, positions=frac * a, cell=np.diag([edge] * 3), pbc=False)
    sample.arrays["class_label"] = in_prec.astype(np.int64)
    sample.arrays["in_precipitate"] = in_prec
    sample = remove_random(sample, missing, rng)
    d_nn = a / np.sqrt(2.0)
    displace_uniform(sample, noise, d_nn, rng)
    sample.info.update(
        sample="superalloy",
        class_names=list(CLASS_NAMES),
        lattice_constant=a,
        d_nn=d_nn,
        al_fraction=al_fraction,
        precipitate_lo=np.full(3, start * a),
        precipitate_hi=np.full(3, (start + m) * a),
        seed=int(seed),
        noise=noise,
        missing=missing,
    )
    return sample
