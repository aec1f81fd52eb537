"""ARISE materials descriptor: SOAP averaged over all ordered species pairs of d_NN-scaled structures.

ARISE supplementary sections 1.1-1.2: for every ordered pair (α, β) of species present, the structure is
scaled isotropically by the nearest-neighbour distance d_NN(α, β) (positions and cell divided by d_NN and
multiplied by ``extrinsic_scale``), the SOAP coefficients of the α centres seeing only β neighbours are
averaged, turned into a normalised power spectrum, and the S² vectors are averaged. ``cutoff``,
``atom_sigma`` and ``cutoff_transition_width`` are in d_NN units.

Each pair's vector is quippy's ::

    soap cutoff=4.0 l_max=6 n_max=9 atom_sigma=0.1 n_Z=1 Z={α} n_species=1 species_Z={β}
         central_weight=0.0 average=T

on the d_NN-scaled structure. The ARISE descriptor uses **central_weight = 0** (the centre's own Gaussian
is left out of the density, for every pair, α = β included): this reproduces the paper's saved descriptor
vectors exactly. It is the default of every function here (:data:`DEFAULT_CENTRAL_WEIGHT`); quippy's own
default (1.0), kept by the generic :class:`~arisekit.descriptors.Soap` and
:func:`~arisekit.descriptors.quippy_soap`, does not reproduce them.

Every structure with a defined d_NN can be described: a periodic cell of any size (one atom included; its
periodic images are its neighbours) with any subset of periodic axes, and open structures of at least two
atoms. A single isolated atom (one atom, no periodic axis) has no d_NN. In an open structure, a species with
a single atom has no d_NN of its own pair (α, α): see ``undefined_pairs``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from arisekit.descriptors.soap import Soap, power_spectrum
from arisekit.geometry import as_structure, nearest_neighbor_distance, scale_isotropically

__all__ = [
    "DEFAULT_CENTRAL_WEIGHT",
    "LEGACY_CENTRAL_WEIGHT",
    "ArisePair",
    "arise_calculator",
    "arise_coefficients",
    "arise_soap",
    "arise_soap_batch",
    "check_describable",
    "species_pairs",
]

#: Weight of the centre's own Gaussian in the ARISE descriptor: 0 (not quippy's default 1.0). With 0 the
#: descriptor equals the paper's saved vectors (checked against them); models trained before this default
#: was fixed used 1.0 and record no ``central_weight`` (see :data:`LEGACY_CENTRAL_WEIGHT`).
DEFAULT_CENTRAL_WEIGHT = 0.0
#: Central weight of descriptors made before ``central_weight`` was recorded with a model or dataset
#: (arisekit's earlier default, quippy's default).
LEGACY_CENTRAL_WEIGHT = 1.0


@dataclass(frozen=True)
class ArisePair:
    """SOAP coefficients of one ordered species pair (centre α, neighbour β) of the d_NN-scaled structure.

    ``centres`` are atom indices (species α) of the original structure; ``coefficients`` has shape
    (len(centres), n_max * (l_max+1)**2); ``d_nn`` is in Å.
    """

    centre: int
    neighbour: int
    d_nn: float
    centres: np.ndarray
    coefficients: np.ndarray


def species_pairs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """All ordered pairs (α, β) of the atomic numbers present, sorted by α then β."""
    z = sorted({int(x) for x in numbers})
    return [(a, b) for a in z for b in z]


def check_describable(n_atoms: int, pbc) -> None:
    """ValueError unless a structure of ``n_atoms`` atoms with periodic axes ``pbc`` has a d_NN.

    Any periodic cell (one atom included: its images are its neighbours) and any open structure of two
    or more atoms qualifies; an empty structure and a single isolated atom do not.
    """
    if n_atoms == 0:
        raise ValueError("the structure has no atoms")
    if n_atoms == 1 and not any(bool(p) for p in np.atleast_1d(pbc)):
        raise ValueError(
            "a single isolated atom (1 atom, no periodic axis): d_NN is undefined for an isolated atom, so "
            "it has no ARISE descriptor (a periodic cell of one atom is fine: set its cell and pbc)"
        )


def _defined_pairs(numbers: np.ndarray, pbc, undefined_pairs: str) -> list[tuple[int, int]]:
    """Species pairs whose d_NN exists: in an open structure a species with a single atom has no
    neighbour of its own species. ``undefined_pairs`` = "raise" (ValueError) or "skip" (leave them out)."""
    if undefined_pairs not in ("raise", "skip"):
        raise ValueError(f"undefined_pairs must be 'raise' or 'skip', got {undefined_pairs!r}")
    check_describable(len(numbers), pbc)
    pairs = []
    for alpha, beta in species_pairs(numbers):
        if alpha == beta and not any(pbc) and np.count_nonzero(numbers == alpha) == 1:
            if undefined_pairs == "raise":
                raise ValueError(
                    f"species pair ({alpha}, {beta}): the only atom of species {alpha} in this open "
                    "structure has no neighbour of its own species, so d_NN is undefined (single atom or "
                    "lone impurity); pass undefined_pairs='skip' to leave such pairs out"
                )
            continue
        pairs.append((alpha, beta))
    if not pairs:
        raise ValueError(
            "no species pair has a defined d_NN (every species has a single atom in this open structure)"
        )
    return pairs


def _calculator(cutoff, atom_sigma, n_max, l_max, central_weight, cutoff_transition_width) -> Soap:
    return Soap(
        cutoff,
        n_max=n_max,
        l_max=l_max,
        atom_sigma=atom_sigma,
        central_weight=central_weight,
        cutoff_transition_width=cutoff_transition_width,
    )


def arise_calculator(
    *,
    cutoff: float = 4.0,
    atom_sigma: float = 0.1,
    n_max: int = 9,
    l_max: int = 6,
    central_weight: float = DEFAULT_CENTRAL_WEIGHT,
    cutoff_transition_width: float = 0.5,
    **_other,
) -> Soap:
    """SOAP calculator (radial tables built once) for ARISE descriptor parameters (d_NN units); pass it
    as ``calculator=`` to :func:`arise_soap` when describing many structures. Other keywords of
    :func:`arise_soap` (``extrinsic_scale``, ``d_nn_method``, ...) are accepted and ignored."""
    return _calculator(cutoff, atom_sigma, n_max, l_max, central_weight, cutoff_transition_width)


def _check_scale(extrinsic_scale: float) -> float:
    v = float(extrinsic_scale)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"extrinsic_scale must be a positive number, got {extrinsic_scale!r}")
    return v


def arise_coefficients(
    atoms,
    *,
    cutoff: float = 4.0,
    atom_sigma: float = 0.1,
    extrinsic_scale: float = 1.0,
    n_max: int = 9,
    l_max: int = 6,
    central_weight: float = DEFAULT_CENTRAL_WEIGHT,
    cutoff_transition_width: float = 0.5,
    d_nn_method: str = "hist",
    undefined_pairs: str = "raise",
    n_threads: int = 0,
    calculator: Soap | None = None,
) -> list[ArisePair]:
    """Per-atom SOAP coefficients of every ordered species pair of the d_NN-scaled structure.

    The descriptor of any group of atoms follows from these: for each pair, average the rows of the
    group's centres and take :func:`~arisekit.descriptors.power_spectrum`; then average over pairs (see
    :func:`arise_soap`). Pass ``calculator`` to reuse radial tables (its parameters win).
    """
    scale = _check_scale(extrinsic_scale)
    s = as_structure(atoms)
    if len(s) == 0:
        raise ValueError("atoms: the structure has no atoms")
    calc = calculator or _calculator(
        cutoff, atom_sigma, n_max, l_max, central_weight, cutoff_transition_width
    )
    out = []
    for alpha, beta in _defined_pairs(s.numbers, s.pbc, undefined_pairs):
        d_nn = nearest_neighbor_distance(atoms, alpha, beta, method=d_nn_method, n_threads=n_threads)
        f = scale / d_nn
        centres = np.flatnonzero(s.numbers == alpha).astype(np.int64)
        coeffs = calc._calc.coefficients(
            s.positions * f, s.numbers, s.cell * f, list(s.pbc), centres, [beta], int(n_threads)
        )
        out.append(ArisePair(alpha, beta, float(d_nn), centres, coeffs))
    return out


def arise_soap(
    atoms,
    *,
    cutoff: float = 4.0,
    atom_sigma: float = 0.1,
    extrinsic_scale: float = 1.0,
    n_max: int = 9,
    l_max: int = 6,
    central_weight: float = DEFAULT_CENTRAL_WEIGHT,
    cutoff_transition_width: float = 0.5,
    d_nn_method: str = "hist",
    undefined_pairs: str = "raise",
    backend: str = "cpp",
    n_threads: int = 0,
    calculator: Soap | None = None,
) -> np.ndarray:
    """ARISE materials descriptor of one structure, shape (n_max (n_max+1) / 2 (l_max+1) + 1,) = (316,).

    Parameters
    ----------
    atoms : ase.Atoms
        Structure in Å: a periodic cell of any size (one atom included) with any subset of periodic axes,
        or an open structure of at least two atoms. A single isolated atom raises ValueError (d_NN is
        undefined for an isolated atom).
    cutoff, atom_sigma, cutoff_transition_width : float
        SOAP cutoff, Gaussian width and cosine-switch width in d_NN units (ARISE: 4.0 and 0.1; the switch
        width is quippy's default 0.5).
    extrinsic_scale : float
        Extra factor applied after dividing by d_NN (ARISE data augmentation; 1.0 = plain scaling).
    central_weight : float
        Weight of the centre's own Gaussian, for every pair (α ≠ β included, as quippy does). Default 0.0:
        the ARISE descriptor (equal to the paper's saved vectors). quippy's default 1.0 gives a different
        descriptor, used by models trained before this default was fixed (a model records its value in
        ``descriptor_params``).
    d_nn_method : str
        "hist" (ARISE histogram rule) or "mean"; see :func:`arisekit.geometry.nearest_neighbor_distance`.
    undefined_pairs : str
        What to do with a pair (α, α) whose d_NN does not exist because an open structure holds a single α
        atom (a lone impurity, or one atom of each species in a heteronuclear dimer): "raise" (ValueError)
        or "skip" (average over the remaining pairs). Periodic structures never have such pairs.
    backend : str
        "cpp" (arisekit's C++ core) or "quippy" (needs quippy-ase; the reference implementation).
    n_threads : int
        Threads for the C++ backend (0 = all cores).
    """
    if backend == "quippy":
        return _arise_soap_quippy(
            atoms,
            undefined_pairs,
            cutoff,
            atom_sigma,
            _check_scale(extrinsic_scale),
            n_max,
            l_max,
            central_weight,
            cutoff_transition_width,
            d_nn_method,
        )
    if backend != "cpp":
        raise ValueError(f"backend must be 'cpp' or 'quippy', got {backend!r}")
    calc = calculator or _calculator(
        cutoff, atom_sigma, n_max, l_max, central_weight, cutoff_transition_width
    )
    pairs = arise_coefficients(
        atoms,
        extrinsic_scale=extrinsic_scale,
        d_nn_method=d_nn_method,
        undefined_pairs=undefined_pairs,
        n_threads=n_threads,
        calculator=calc,
    )
    means = np.array([p.coefficients.mean(axis=0) for p in pairs])
    return power_spectrum(means, n_max=calc.n_max, l_max=calc.l_max).mean(axis=0)


def arise_soap_batch(
    structures: Iterable,
    *,
    cutoff: float = 4.0,
    atom_sigma: float = 0.1,
    extrinsic_scale: float = 1.0,
    n_max: int = 9,
    l_max: int = 6,
    central_weight: float = DEFAULT_CENTRAL_WEIGHT,
    cutoff_transition_width: float = 0.5,
    d_nn_method: str = "hist",
    undefined_pairs: str = "raise",
    backend: str = "cpp",
    n_threads: int = 0,
) -> np.ndarray:
    """ARISE descriptors of many structures, shape (n_structures, dim); arguments as :func:`arise_soap`.
    The radial tables are built once and shared by all structures."""
    calc = None
    if backend == "cpp":
        calc = _calculator(cutoff, atom_sigma, n_max, l_max, central_weight, cutoff_transition_width)
    rows = [
        arise_soap(
            a,
            cutoff=cutoff,
            atom_sigma=atom_sigma,
            extrinsic_scale=extrinsic_scale,
            n_max=n_max,
            l_max=l_max,
            central_weight=central_weight,
            cutoff_transition_width=cutoff_transition_width,
            d_nn_method=d_nn_method,
            undefined_pairs=undefined_pairs,
            backend=backend,
            n_threads=n_threads,
            calculator=calc,
        )
        for a in structures
    ]
    if not rows:
        raise ValueError("structures is empty")
    return np.array(rows)


def _arise_soap_quippy(
    atoms,
    undefined_pairs,
    cutoff,
    atom_sigma,
    extrinsic_scale,
    n_max,
    l_max,
    central_weight,
    width,
    d_nn_method,
) -> np.ndarray:
    from arisekit.descriptors.quippy_backend import quippy_soap

    if len(atoms) == 0:
        raise ValueError("atoms: the structure has no atoms")
    vectors = []
    pbc = atoms.get_pbc()
    for alpha, beta in _defined_pairs(atoms.get_atomic_numbers(), pbc, undefined_pairs):
        scaled, _ = scale_isotropically(
            atoms, alpha, beta, method=d_nn_method, extrinsic_scale=extrinsic_scale
        )
        vectors.append(
            quippy_soap(
                scaled,
                cutoff=cutoff,
                n_max=n_max,
                l_max=l_max,
                atom_sigma=atom_sigma,
                central_weight=central_weight,
                cutoff_transition_width=width,
                centre_species=alpha,
                neighbour_species=beta,
                average=True,
            )
        )
    return np.mean(vectors, axis=0)
