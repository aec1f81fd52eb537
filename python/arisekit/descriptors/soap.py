"""SOAP power spectrum on the C++ core, numerically equal to quippy's ``soap`` descriptor.

Conventions (matched to quippy-ase 0.10 by comparing numbers, quippy treated as a black box):

* atomic density: Gaussians of width ``atom_sigma`` on every neighbour within ``cutoff``, weighted by the
  cosine switch ``0.5 (1 + cos(pi (r - cutoff + w) / w))`` on ``[cutoff - w, cutoff]`` with
  ``w = cutoff_transition_width``; the centre's own Gaussian has weight ``central_weight``;
* radial basis: ``n_max`` Gaussians of width ``atom_sigma`` centred on an equispaced grid
  ``a (cutoff + atom_sigma sqrt(2 E ln 10)) / n_max`` (``E = basis_error_exponent``), orthonormalised with the
  Cholesky factor of their overlap matrix;
* power spectrum ``p[k1, k2, l] = (2l+1)^(-1/2) sum_m c[k1, l, m] c[k2, l, m]`` for ``k2 <= k1`` (``k`` runs
  over (neighbour species, n)), off-diagonal entries times sqrt(2), components ordered (k1, k2, l), the vector
  scaled to unit length, plus one trailing entry equal to 0 (quippy's ``covariance_sigma0``).

Per-atom expansion coefficients are public: the descriptor of any group of atoms is
``power_spectrum(coefficients[group].mean(axis=0))``. Lengths are in Å (or in d_NN units for structures
already scaled by the nearest-neighbour distance).
"""

from __future__ import annotations

import numpy as np

from arisekit import _core
from arisekit.geometry import as_structure
from arisekit.parallel import resolve_threads

__all__ = ["Soap", "power_spectrum", "soap", "soap_coefficients"]


def _atomic_numbers(species, name: str) -> list[int] | None:
    """None, a symbol/number or a sequence of them -> list of atomic numbers (None stays None)."""
    if species is None:
        return None
    items = [species] if isinstance(species, (str, int, np.integer)) else list(species)
    if not items:
        raise ValueError(f"{name} must not be empty (use None for all species)")
    out = []
    for s in items:
        if isinstance(s, str):
            from ase.data import atomic_numbers

            if s not in atomic_numbers:
                raise ValueError(f"{name}: unknown chemical symbol {s!r}")
            out.append(int(atomic_numbers[s]))
        elif isinstance(s, (int, np.integer)) and int(s) > 0:
            out.append(int(s))
        else:
            raise ValueError(f"{name}: expected chemical symbols or positive atomic numbers, got {s!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} contains duplicates: {out}")
    return out


def _check_int(value, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def _check_length(value, name: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite length, got {value!r}")
    return v


class Soap:
    """SOAP calculator for one parameter set; build once and reuse (the radial tables are built here).

    Parameters
    ----------
    cutoff : float
        Radial cutoff (Å, or d_NN units for scaled structures). quippy ``cutoff``.
    n_max, l_max : int
        Radial and angular band limits (1 <= n_max <= 40, 0 <= l_max <= 20).
    atom_sigma : float
        Width of the atomic Gaussians (same unit as ``cutoff``).
    central_weight : float
        Weight of the centre's own Gaussian (quippy default 1.0, kept here for generic SOAP; the ARISE
        descriptor, :func:`arisekit.descriptors.arise_soap`, uses 0.0).
    cutoff_transition_width : float
        Width of the cosine switch below the cutoff (quippy default 0.5, same unit as ``cutoff``).
    basis_error_exponent : float
        Extends the radial grid to ``cutoff + atom_sigma * sqrt(2 * E * ln 10)`` (quippy default 10).
    central_reference_all_species : bool
        With several neighbour species, put the central Gaussian in every species channel instead of only
        the centre's own (with one neighbour species it is always included, as in quippy).
    """

    def __init__(
        self,
        cutoff: float,
        *,
        n_max: int = 9,
        l_max: int = 6,
        atom_sigma: float = 0.5,
        central_weight: float = 1.0,
        cutoff_transition_width: float = 0.5,
        basis_error_exponent: float = 10.0,
        central_reference_all_species: bool = False,
    ) -> None:
        self.cutoff = _check_length(cutoff, "cutoff")
        self.atom_sigma = _check_length(atom_sigma, "atom_sigma")
        self.n_max = _check_int(n_max, "n_max", 1, 40)
        self.l_max = _check_int(l_max, "l_max", 0, 20)
        if not np.isfinite(central_weight):
            raise ValueError(f"central_weight must be finite, got {central_weight!r}")
        self.central_weight = float(central_weight)
        w = float(cutoff_transition_width)
        if not (0.0 <= w <= self.cutoff):
            raise ValueError(f"cutoff_transition_width must lie in [0, cutoff={self.cutoff}], got {w!r}")
        self.cutoff_transition_width = w
        self.basis_error_exponent = _check_length(basis_error_exponent, "basis_error_exponent")
        self.central_reference_all_species = bool(central_reference_all_species)
        self._calc = _core.SoapCalculator(
            self.cutoff,
            self.n_max,
            self.l_max,
            self.atom_sigma,
            self.central_weight,
            self.cutoff_transition_width,
            self.basis_error_exponent,
            self.central_reference_all_species,
        )

    @property
    def n_coeff(self) -> int:
        """Number of coefficients per neighbour-species channel, ``n_max * (l_max + 1)**2``."""
        return int(self._calc.n_coeff_per_channel)

    def dim(self, n_species: int = 1) -> int:
        """Length of the SOAP vector (including the trailing entry) for ``n_species`` neighbour species."""
        return int(self._calc.n_power(int(n_species))) + 1

    def coefficients(
        self,
        atoms,
        *,
        centre_species=None,
        neighbour_species=None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """Expansion coefficients of every centre atom, shape (n_centres, n_channels * n_coeff).

        ``centre_species``: symbol/number or sequence (quippy ``Z``), None = all atoms, in index order.
        ``neighbour_species``: None = one density of all atoms; a symbol/number or a sequence gives one
        density channel per species (quippy ``species_Z``). Layout per row: (channel, n, l, m), real
        spherical harmonics with m = -l..l.
        """
        s = as_structure(atoms)
        if len(s) == 0:
            raise ValueError("atoms: the structure has no atoms")
        centres = _select(s.numbers, _atomic_numbers(centre_species, "centre_species"))
        return self.centre_coefficients(s, centres, neighbour_species=neighbour_species, n_threads=n_threads)

    def centre_coefficients(
        self,
        atoms,
        centres: np.ndarray,
        *,
        neighbour_species=None,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """:meth:`coefficients` of the listed centre atoms (indices into ``atoms``, in that order)."""
        s = as_structure(atoms)
        idx = np.asarray(centres, dtype=np.int64)
        if idx.ndim != 1 or (len(idx) and (idx.min() < 0 or idx.max() >= len(s))):
            raise ValueError(f"centres: atom indices in [0, {len(s)}) expected")
        channels = _atomic_numbers(neighbour_species, "neighbour_species") or []
        return self._calc.coefficients(
            s.positions, s.numbers, s.cell, list(s.pbc), idx, channels, resolve_threads(n_threads)
        )

    def power_spectrum(
        self,
        coefficients: np.ndarray,
        *,
        n_species: int = 1,
        normalise: bool = True,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """Power spectrum (m, dim) of rows (m, n_species * n_coeff); see :func:`power_spectrum`."""
        return power_spectrum(
            coefficients,
            n_max=self.n_max,
            l_max=self.l_max,
            n_species=n_species,
            normalise=normalise,
            n_threads=n_threads,
        )

    def compute(
        self,
        atoms,
        *,
        centre_species=None,
        neighbour_species=None,
        average: bool = False,
        normalise: bool = True,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """SOAP vectors: (n_centres, dim) per atom, or (dim,) with ``average=True`` (quippy ``average=T``:
        coefficients averaged over the centres before the power spectrum). Raises ValueError if
        ``average=True`` and there is no centre atom."""
        c = self.coefficients(
            atoms, centre_species=centre_species, neighbour_species=neighbour_species, n_threads=n_threads
        )
        n_species = len(_atomic_numbers(neighbour_species, "neighbour_species") or [0])
        if average:
            if len(c) == 0:
                raise ValueError(f"average=True: no centre atom of species {centre_species!r} in the atoms")
            mean = c.mean(axis=0, keepdims=True)
            return self.power_spectrum(mean, n_species=n_species, normalise=normalise)[0]
        return self.power_spectrum(c, n_species=n_species, normalise=normalise, n_threads=n_threads)

    def __repr__(self) -> str:
        return (
            f"Soap(cutoff={self.cutoff}, n_max={self.n_max}, l_max={self.l_max}, "
            f"atom_sigma={self.atom_sigma}, "
            f"central_weight={self.central_weight}, cutoff_transition_width={self.cutoff_transition_width})"
        )


def _select(numbers: np.ndarray, species: list[int] | None) -> np.ndarray:
    if species is None:
        return np.arange(len(numbers), dtype=np.int64)
    return np.flatnonzero(np.isin(numbers, species)).astype(np.int64)


def power_spectrum(
    coefficients: np.ndarray,
    *,
    n_max: int = 9,
    l_max: int = 6,
    n_species: int = 1,
    normalise: bool = True,
    n_threads: int | None = None,
) -> np.ndarray:
    """SOAP power spectrum of coefficient rows, quippy's ordering and normalisation.

    Parameters
    ----------
    coefficients : array (m, n_species * n_max * (l_max+1)**2) or (n_coeff,)
        Rows of expansion coefficients (e.g. per-atom coefficients, or their sum/mean over a box).
    normalise : bool
        Scale every row to unit length (rows that are all zero stay zero instead of NaN).

    Returns
    -------
    array (m, dim) (or (dim,) for a 1-D input); dim = K (K+1) / 2 * (l_max+1) + 1 with K = n_species * n_max,
    i.e. 316 for the ARISE settings n_max=9, l_max=6; the last entry is 0.
    """
    c = np.asarray(coefficients, dtype=np.float64)
    one = c.ndim == 1
    c2 = np.ascontiguousarray(c[None, :] if one else c)
    if c2.ndim != 2:
        raise ValueError(f"coefficients must be 1-D or 2-D, got shape {c.shape}")
    if not np.isfinite(c2).all():
        raise ValueError("coefficients contain NaN or infinite values")
    n_max = _check_int(n_max, "n_max", 1, 40)
    l_max = _check_int(l_max, "l_max", 0, 20)
    n_species = _check_int(n_species, "n_species", 1, 1000)
    out = _core.soap_power_spectrum(
        c2, n_max, l_max, n_species, bool(normalise), 0.0, resolve_threads(n_threads)
    )
    return out[0] if one else out


def soap_coefficients(
    atoms,
    *,
    cutoff: float,
    centre_species=None,
    neighbour_species=None,
    n_threads: int | None = None,
    **params,
) -> np.ndarray:
    """Per-atom SOAP coefficients (n_centres, n_channels * n_max * (l_max+1)**2): ``Soap(cutoff, **params)
    .coefficients(atoms, ...)``; ``params`` are the keyword arguments of :class:`Soap` (``n_max``, ``l_max``,
    ``atom_sigma``, ``central_weight``, ``cutoff_transition_width``, ...)."""
    return Soap(cutoff, **params).coefficients(
        atoms, centre_species=centre_species, neighbour_species=neighbour_species, n_threads=n_threads
    )


def soap(
    atoms,
    *,
    cutoff: float,
    centre_species=None,
    neighbour_species=None,
    average: bool = False,
    normalise: bool = True,
    n_threads: int | None = None,
    **params,
) -> np.ndarray:
    """SOAP descriptor equal to quippy's ``soap`` descriptor with the same parameters.

    quippy ``soap cutoff=rc l_max=L n_max=N atom_sigma=s central_weight=w n_Z=.. Z={centre_species}
    n_species=.. species_Z={neighbour_species} average=T/F`` corresponds to this call. Returns
    (n_centres, dim) per atom or (dim,) with ``average=True``. ``params`` are the keyword arguments of
    :class:`Soap` (``n_max=9``, ``l_max=6``, ``atom_sigma=0.5``, ``central_weight=1.0``,
    ``cutoff_transition_width=0.5``, ``basis_error_exponent``, ``central_reference_all_species``); build the
    :class:`Soap` once to describe many structures.
    """
    return Soap(cutoff, **params).compute(
        atoms,
        centre_species=centre_species,
        neighbour_species=neighbour_species,
        average=average,
        normalise=normalise,
        n_threads=n_threads,
    )
