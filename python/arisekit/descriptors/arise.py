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
vectors exactly. It is the default of :class:`ARISEDescriptor` (:data:`DEFAULT_CENTRAL_WEIGHT`); quippy's own
default (1.0), kept by the generic :class:`~arisekit.descriptors.Soap` and
:func:`~arisekit.descriptors.quippy_soap`, does not reproduce them.

Every structure with a defined d_NN can be described: a periodic cell of any size (one atom included; its
periodic images are its neighbours) with any subset of periodic axes, and open structures of at least two
atoms. A single isolated atom (one atom, no periodic axis) has no d_NN. In an open structure, a species with
a single atom has no d_NN of its own pair (α, α): see ``undefined_pairs``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from arisekit.descriptors.soap import Soap, power_spectrum
from arisekit.geometry import Structure, as_structure, nearest_neighbor_distance, scale_isotropically

__all__ = [
    "ARISEDescriptor",
    "DEFAULT_CENTRAL_WEIGHT",
    "LEGACY_CENTRAL_WEIGHT",
    "ArisePair",
    "arise_calculator",
    "arise_coefficients",
    "arise_soap",
    "arise_soap_batch",
    "check_describable",
    "defined_pairs",
    "species_pairs",
]

#: Weight of the centre's own Gaussian in the ARISE descriptor: 0 (not quippy's default 1.0). With 0 the
#: descriptor equals the paper's saved vectors (checked against them); models trained before this default
#: was fixed used 1.0 and record no ``central_weight`` (see :data:`LEGACY_CENTRAL_WEIGHT`).
DEFAULT_CENTRAL_WEIGHT = 0.0
#: Central weight of descriptors made before ``central_weight`` was recorded with a model or dataset
#: (arisekit's earlier default, quippy's default).
LEGACY_CENTRAL_WEIGHT = 1.0


#: Centres per float64 block of :meth:`ARISEDescriptor.coefficients` with ``dtype=float32`` (231 MB).
COEFFICIENT_BLOCK = 65_536


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


def defined_pairs(numbers: np.ndarray, pbc, undefined_pairs: str) -> list[tuple[int, int]]:
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


_INFO_KEYS = frozenset({"descriptor", "name", "length", "n_features", "version"})
_FLOAT_FIELDS = ("cutoff", "atom_sigma", "extrinsic_scale", "central_weight", "cutoff_transition_width")


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"ARISEDescriptor.{name}: must be a positive number, got {value!r}")
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"ARISEDescriptor.{name}: must be a positive finite number, got {value!r}")
    return v


def _choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"ARISEDescriptor.{name}: must be one of {tuple(choices)}, got {value!r}")
    return str(value)


@dataclass(frozen=True)
class ARISEDescriptor:
    """The ARISE materials descriptor for one parameter set: frozen, validated, hashable.

    Mirrors :class:`~arisekit.descriptors.Soap`: build once, reuse (the radial tables are built on first use
    and shared by every call), ``coefficients`` / ``compute`` / ``compute_many``. Lengths ``cutoff``,
    ``atom_sigma`` and ``cutoff_transition_width`` are in d_NN units. A model stores its descriptor as
    :meth:`to_dict` (``descriptor_params``); :meth:`from_dict` reads it back.

    Parameters
    ----------
    cutoff, atom_sigma, cutoff_transition_width : float
        SOAP cutoff, Gaussian width and cosine-switch width in d_NN units (ARISE: 4.0 and 0.1; the switch
        width is quippy's default 0.5).
    extrinsic_scale : float
        Extra factor applied after dividing by d_NN (ARISE data augmentation; 1.0 = plain scaling).
    n_max, l_max : int
        Radial and angular band limits (ARISE: 9 and 6, a 316-long vector).
    central_weight : float
        Weight of the centre's own Gaussian, for every pair (α ≠ β included, as quippy does). Default 0.0:
        the ARISE descriptor (equal to the paper's saved vectors). quippy's default 1.0 gives a different
        descriptor, used by models trained before this default was fixed (a model records its value in
        ``descriptor_params``).
    d_nn_method : str
        How d_NN is measured, see :func:`arisekit.geometry.nearest_neighbor_distance` ("hist": the ARISE
        histogram rule).
    undefined_pairs : "raise" or "skip"
        What to do with a pair (α, α) whose d_NN does not exist because an open structure holds a single α
        atom (a lone impurity, or one atom of each species in a heteronuclear dimer): ValueError, or
        average over the remaining pairs. Periodic structures never have such pairs.
    backend : "cpp" or "quippy"
        arisekit's C++ core, or quippy (needs quippy-ase; the reference implementation).

    Examples
    --------
    >>> d = ARISEDescriptor()                       # the paper's descriptor
    >>> d.compute(atoms).shape, d.dim               # ((316,), 316)
    >>> d.compute_many([a, b, c])                   # (3, 316), one set of radial tables
    >>> ARISEDescriptor.from_dict(model.descriptor_params_) == ARISEDescriptor(**d.to_dict())
    """

    cutoff: float = 4.0
    atom_sigma: float = 0.1
    extrinsic_scale: float = 1.0
    n_max: int = 9
    l_max: int = 6
    central_weight: float = DEFAULT_CENTRAL_WEIGHT
    cutoff_transition_width: float = 0.5
    d_nn_method: str = "hist"
    undefined_pairs: str = "raise"
    backend: str = "cpp"

    def __post_init__(self) -> None:
        from arisekit.descriptors.soap import _check_int
        from arisekit.geometry.scaling import D_NN_METHODS

        for name in ("cutoff", "atom_sigma", "extrinsic_scale"):
            object.__setattr__(self, name, _positive(getattr(self, name), name))
        for name, hi in (("n_max", 40), ("l_max", 20)):
            lo = 1 if name == "n_max" else 0
            try:
                object.__setattr__(self, name, _check_int(getattr(self, name), name, lo, hi))
            except ValueError as exc:
                raise ValueError(f"ARISEDescriptor.{exc}") from None
        w = self.central_weight
        if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) or not np.isfinite(w):
            raise ValueError(f"ARISEDescriptor.central_weight: must be a finite number, got {w!r}")
        object.__setattr__(self, "central_weight", float(w))
        t = self.cutoff_transition_width
        if isinstance(t, bool) or not isinstance(t, (int, float, np.number)) or not 0 <= t <= self.cutoff:
            raise ValueError(
                f"ARISEDescriptor.cutoff_transition_width: must lie in [0, cutoff={self.cutoff}], got {t!r}"
            )
        object.__setattr__(self, "cutoff_transition_width", float(t))
        object.__setattr__(self, "d_nn_method", _choice(self.d_nn_method, "d_nn_method", D_NN_METHODS))
        object.__setattr__(
            self, "undefined_pairs", _choice(self.undefined_pairs, "undefined_pairs", ("raise", "skip"))
        )
        object.__setattr__(self, "backend", _choice(self.backend, "backend", ("cpp", "quippy")))

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_dict(cls, params: Mapping[str, Any] | None) -> ARISEDescriptor:
        """From a model's ``descriptor_params`` (or :meth:`to_dict`); entries that only describe the
        descriptor (its name, length, version) are ignored, any other unknown key is a ValueError."""
        if isinstance(params, ARISEDescriptor):
            return params
        params = dict(params or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - known - _INFO_KEYS)
        if unknown:
            raise ValueError(
                f"descriptor parameters {unknown}: unknown (ARISEDescriptor takes {sorted(known)})"
            )
        return cls(**{k: v for k, v in params.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (every field), as stored in a model's ``descriptor_params``."""
        return asdict(self)

    def replace(self, **changes: Any) -> ARISEDescriptor:
        """A copy with some parameters changed (validated)."""
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ SOAP engine
    @property
    def soap(self) -> Soap:
        """The SOAP calculator of this parameter set (d_NN units; built once, on first use)."""
        calc = self.__dict__.get("_soap")
        if calc is None:
            calc = Soap(
                self.cutoff,
                n_max=self.n_max,
                l_max=self.l_max,
                atom_sigma=self.atom_sigma,
                central_weight=self.central_weight,
                cutoff_transition_width=self.cutoff_transition_width,
            )
            object.__setattr__(self, "_soap", calc)
        return calc

    def __getstate__(self) -> dict[str, Any]:  # the C++ calculator is rebuilt after unpickling
        return {k: v for k, v in self.__dict__.items() if k != "_soap"}

    @property
    def dim(self) -> int:
        """Length of the descriptor, n_max (n_max + 1) / 2 (l_max + 1) + 1 (316 for ARISE)."""
        return self.n_max * (self.n_max + 1) // 2 * (self.l_max + 1) + 1

    # ------------------------------------------------------------------ computation
    def coefficients(
        self, atoms, *, n_threads: int | None = None, dtype: np.dtype | type = np.float64
    ) -> list[ArisePair]:
        """Per-atom SOAP coefficients of every ordered species pair of the d_NN-scaled structure.

        ``atoms``: anything :func:`arisekit.geometry.as_structure` accepts (``ase.Atoms``, an OVITO
        ``DataCollection``, a :class:`~arisekit.geometry.Structure`). The descriptor of any group of atoms
        follows from these: for each pair, average the rows of the group's centres and take
        :func:`~arisekit.descriptors.power_spectrum`; then average over pairs (see :meth:`compute`).
        ``dtype``: float64, or float32 to store them in half the memory (computed in float64 for blocks of
        :data:`COEFFICIENT_BLOCK` centres, then rounded: large samples, fast-mode SPM).
        """
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(f"dtype: float64 or float32, got {dtype}")
        s = as_structure(atoms)
        if len(s) == 0:
            raise ValueError("atoms: the structure has no atoms")
        calc = self.soap
        f0 = self.extrinsic_scale
        out = []
        for alpha, beta in defined_pairs(s.numbers, s.pbc, self.undefined_pairs):
            d_nn = nearest_neighbor_distance(s, alpha, beta, method=self.d_nn_method, n_threads=n_threads)
            f = f0 / d_nn
            scaled = Structure(s.positions * f, s.cell * f, s.pbc, s.numbers)
            centres = np.flatnonzero(s.numbers == alpha).astype(np.int64)
            if dtype == np.float64:
                coeffs = calc.coefficients(
                    scaled, centre_species=alpha, neighbour_species=[beta], n_threads=n_threads
                )
            else:
                coeffs = np.empty((len(centres), calc.n_coeff), dtype=dtype)
                for start in range(0, len(centres), COEFFICIENT_BLOCK):
                    part = centres[start : start + COEFFICIENT_BLOCK]
                    coeffs[start : start + len(part)] = calc.centre_coefficients(
                        scaled, part, neighbour_species=[beta], n_threads=n_threads
                    )
            out.append(ArisePair(alpha, beta, float(d_nn), centres, coeffs))
        return out

    def compute(self, atoms, *, n_threads: int | None = None) -> np.ndarray:
        """The descriptor of one structure, shape (:attr:`dim`,).

        ``atoms``: a periodic cell of any size (one atom included) with any subset of periodic axes, or an
        open structure of at least two atoms, in Å. A single isolated atom raises ValueError (d_NN is
        undefined for an isolated atom).
        """
        if self.backend == "quippy":
            return _arise_soap_quippy(_as_atoms(atoms), self)
        pairs = self.coefficients(atoms, n_threads=n_threads)
        means = np.array([p.coefficients.mean(axis=0) for p in pairs])
        return power_spectrum(means, n_max=self.n_max, l_max=self.l_max, n_threads=n_threads).mean(axis=0)

    def compute_many(self, structures: Iterable, *, n_threads: int | None = None) -> np.ndarray:
        """Descriptors of many structures, shape (n_structures, :attr:`dim`); one set of radial tables."""
        rows = [self.compute(a, n_threads=n_threads) for a in structures]
        if not rows:
            raise ValueError("structures is empty")
        return np.array(rows)


def _as_atoms(atoms):
    from ase import Atoms

    if isinstance(atoms, Atoms):
        return atoms
    s = as_structure(atoms)
    return Atoms(numbers=s.numbers, positions=s.positions, cell=s.cell, pbc=s.pbc)


def _descriptor(params: dict[str, Any]) -> ARISEDescriptor:
    try:
        return ARISEDescriptor(**params)
    except TypeError as exc:  # an unknown keyword
        known = sorted(f.name for f in fields(ARISEDescriptor))
        raise TypeError(f"{exc}; ARISE descriptor parameters are {known}") from None


def arise_calculator(**params: Any) -> Soap:
    """SOAP calculator (d_NN units) of the ARISE descriptor with these parameters,
    ``ARISEDescriptor(**params).soap``. Unknown keywords raise TypeError. Prefer :class:`ARISEDescriptor`,
    which holds it."""
    return _descriptor(params).soap


def arise_coefficients(atoms, *, n_threads: int | None = None, **params: Any) -> list[ArisePair]:
    """``ARISEDescriptor(**params).coefficients(atoms)``: per-atom SOAP coefficients of every ordered
    species pair of the d_NN-scaled structure (see :meth:`ARISEDescriptor.coefficients`)."""
    return _descriptor(params).coefficients(atoms, n_threads=n_threads)


def arise_soap(atoms, *, n_threads: int | None = None, **params: Any) -> np.ndarray:
    """ARISE materials descriptor of one structure, shape (n_max (n_max+1) / 2 (l_max+1) + 1,) = (316,).

    ``ARISEDescriptor(**params).compute(atoms)``: keyword arguments are the fields of
    :class:`ARISEDescriptor` (``cutoff``, ``atom_sigma``, ``extrinsic_scale``, ``n_max``, ``l_max``,
    ``central_weight``, ``cutoff_transition_width``, ``d_nn_method``, ``undefined_pairs``, ``backend``);
    ``n_threads`` overrides :mod:`arisekit.parallel`'s setting for this call. To describe many
    structures, build the :class:`ARISEDescriptor` once.
    """
    return _descriptor(params).compute(atoms, n_threads=n_threads)


def arise_soap_batch(structures: Iterable, *, n_threads: int | None = None, **params: Any) -> np.ndarray:
    """ARISE descriptors of many structures, shape (n_structures, dim); ``ARISEDescriptor(**params)
    .compute_many(structures)`` (the radial tables are built once and shared by all structures)."""
    return _descriptor(params).compute_many(structures, n_threads=n_threads)


def _arise_soap_quippy(atoms, d: ARISEDescriptor) -> np.ndarray:
    from arisekit.descriptors.quippy_backend import quippy_soap

    if len(atoms) == 0:
        raise ValueError("atoms: the structure has no atoms")
    vectors = []
    pbc = atoms.get_pbc()
    for alpha, beta in defined_pairs(atoms.get_atomic_numbers(), pbc, d.undefined_pairs):
        scaled, _ = scale_isotropically(
            atoms, alpha, beta, method=d.d_nn_method, extrinsic_scale=d.extrinsic_scale
        )
        vectors.append(
            quippy_soap(
                scaled,
                cutoff=d.cutoff,
                n_max=d.n_max,
                l_max=d.l_max,
                atom_sigma=d.atom_sigma,
                central_weight=d.central_weight,
                cutoff_transition_width=d.cutoff_transition_width,
                centre_species=alpha,
                neighbour_species=beta,
                average=True,
            )
        )
    return np.mean(vectors, axis=0)
