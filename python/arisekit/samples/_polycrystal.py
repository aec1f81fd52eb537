"""Synthetic polycrystals with ground truth: Voronoi grains of randomly rotated prototype lattices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ase import Atoms

from arisekit.geometry import neighbor_list
from arisekit.samples._lattice import fill_box, nearest_distance, prototype_cell, random_rotation
from arisekit.samples.defects import check_fraction, displace_uniform, remove_random
from arisekit.samples.voronoi import (
    boundary_distance,
    cell_bounds,
    draw_seeds,
    nearest_seed,
    surface_distance,
)

#: Default nearest-neighbour distance (Å) every grain is scaled to (a typical metal).
DEFAULT_D_NN = 2.5
#: Atoms of two grains closer than this fraction of d_NN are thinned (the higher grain id loses).
MIN_DISTANCE_FACTOR = 0.7


@dataclass(frozen=True)
class PolycrystalOptions:
    """How the grains of a :func:`polycrystal` are built and perturbed (frozen, validated on creation).

    Parameters
    ----------
    noise : float
        Uniform displacement of each coordinate in [-noise * d_NN, +noise * d_NN] (fraction of d_NN, < 0.5).
    missing : float
        Fraction of atoms removed at random, in [0, 1).
    min_distance : float, optional
        Atoms of different grains closer than this (Å) are thinned, keeping the lower grain id. Default
        ``0.7 * d_NN`` (the larger d_NN of the two grains when the prototypes keep their own scale).
    d_nn : float or None
        Every prototype is scaled isotropically so that its nearest-neighbour distance is ``d_nn`` Å
        (default 2.5 Å, typical of metals, so all grains share one length scale). ``None`` keeps each
        prototype's own lattice parameters.
    rotation : {"uniform", "z"}
        Grain orientations: uniform over SO(3), or about the z axis only (columns viewed down a zone axis).
    species : str, optional
        Chemical symbol given to every atom (mono-species sample); default keeps the prototype species.
    """

    noise: float = 0.0
    missing: float = 0.0
    min_distance: float | None = None
    d_nn: float | None = DEFAULT_D_NN
    rotation: str = "uniform"
    species: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "noise", check_fraction(self.noise, "noise", 0.5))
        object.__setattr__(self, "missing", check_fraction(self.missing, "missing", 1.0))
        if self.rotation not in ("uniform", "z"):
            raise ValueError(f"rotation must be 'uniform' or 'z', got {self.rotation!r}")
        if self.d_nn is not None and (not np.isfinite(self.d_nn) or self.d_nn <= 0):
            raise ValueError(f"d_nn must be a positive length in Å or None, got {self.d_nn}")
        md = self.min_distance
        if md is not None and (not np.isfinite(md) or md <= 0):
            raise ValueError(f"min_distance must be a positive length in Å or None, got {md}")
        if self.species is not None:
            from ase.data import atomic_numbers

            if self.species not in atomic_numbers:
                raise ValueError(f"species: unknown chemical symbol {self.species!r}")

    @classmethod
    def from_kwargs(cls, options: PolycrystalOptions | None = None, **overrides: Any) -> PolycrystalOptions:
        """``options`` (default: the defaults) with the fields in ``overrides`` replaced; TypeError for a
        keyword that is no field."""
        from arisekit._params import with_overrides

        return with_overrides(cls, options, overrides, arg="options", caller="polycrystal")


def polycrystal(
    grains: Sequence[str | Atoms],
    size: Sequence[float],
    n_grains: int | None = None,
    geometry: str = "slab",
    seed: int = 0,
    options: PolycrystalOptions | None = None,
    **overrides: Any,
) -> Atoms:
    """Voronoi polycrystal of the given prototype classes in the box [0, Lx) x [0, Ly) x [0, Lz) (Å).

    Grain k (k = 0 .. n_grains-1) is the class ``grains[k % len(grains)]``: a randomly rotated lattice of
    that prototype's periodic cell with its origin on the grain seed, kept where that seed is the nearest
    one. In ``geometry="slab"`` the seeds lie on the mid-plane and only x, y enter the tessellation
    (columnar grains through the thickness Lz); in ``geometry="bulk"`` the tessellation is 3D. Seeds are
    uniform in the box, Poisson-disc thinned (no two closer than half the mean grain spacing).

    Parameters
    ----------
    grains : sequence of str or ase.Atoms
        Prototype class names (:func:`arisekit.prototypes.build`) or periodic cells.
    size : (Lx, Ly, Lz)
        Sample box in Å.
    n_grains : int, optional
        Number of grains (default ``len(grains)``); must be >= ``len(grains)``.
    geometry : {"slab", "bulk"}
        Columnar (2D Voronoi) or 3D grains (the words of :mod:`arisekit.modes`; ``mode=`` is the older
        keyword).
    seed : int
        Seed of ``numpy.random.default_rng``: seeds, rotations, missing atoms and noise.
    options : PolycrystalOptions, optional
        Noise, missing atoms, boundary thinning, d_NN scaling, rotations and species of the grains.
    **overrides
        Fields of :class:`PolycrystalOptions` by keyword (``noise=0.05, species="Cu"``), applied on top of
        ``options``.

    Returns
    -------
    ase.Atoms
        Open sample (pbc False, cell = the box). Per-atom arrays: ``grain_id`` (int), ``class_label``
        (int index into ``info["class_names"]``), ``boundary_distance`` (Å, to the nearest Voronoi
        boundary plane; x-y only in slab geometry), ``surface_distance`` (Å, to the nearest box face; x-y
        only in slab geometry). ``info`` holds ``grain_seeds`` (n_grains, 3) Å, ``grain_orientations``
        (n_grains, 3, 3) rotation matrices, ``grain_classes`` (class name per grain), ``class_names``,
        ``grain_d_nn`` (Å per grain), ``geometry`` (also as ``mode``, the older key), ``seed``, ``noise``,
        ``missing``.
    """
    if "mode" in overrides:  # the older keyword of geometry
        mode = overrides.pop("mode")
        if geometry != "slab" and geometry != mode:
            raise TypeError("polycrystal(): give geometry= or its older name mode=, not both")
        geometry = mode
    opts = PolycrystalOptions.from_kwargs(options, **overrides)
    noise, missing, min_distance = opts.noise, opts.missing, opts.min_distance
    d_nn, rotation, species = opts.d_nn, opts.rotation, opts.species
    specs = list(grains) if not isinstance(grains, (str, Atoms)) else [grains]
    if not specs:
        raise ValueError("grains must name at least one prototype class")
    box = np.asarray(size, dtype=np.float64).reshape(-1)
    if box.shape != (3,) or not np.isfinite(box).all() or (box <= 0).any():
        raise ValueError(f"size must be three positive lengths (Lx, Ly, Lz) in Å, got {size}")
    n = len(specs) if n_grains is None else int(n_grains)
    if n < len(specs):
        raise ValueError(f"n_grains ({n}) must be at least the number of grain classes ({len(specs)})")
    if geometry not in ("slab", "bulk"):
        raise ValueError(f"geometry (mode) must be 'slab' or 'bulk', got {geometry!r}")

    cells = [prototype_cell(g) for g in specs]
    class_names = list(dict.fromkeys(name for name, _ in cells))
    dims = 2 if geometry == "slab" else 3
    lo, hi = np.zeros(3), box
    rng = np.random.default_rng(seed)
    seeds = draw_seeds(rng, n, lo, hi, dims)
    rotations = np.array([random_rotation(rng, rotation) for _ in range(n)])

    proto_dnn = [nearest_distance(atoms) for _, atoms in cells]
    pos_parts, num_parts, grain_parts = [], [], []
    grain_dnn = np.empty(n)
    for k in range(n):
        c = k % len(cells)
        atoms = cells[c][1]
        scale = 1.0 if d_nn is None else d_nn / proto_dnn[c]
        grain_dnn[k] = proto_dnn[c] * scale
        cell = np.asarray(atoms.get_cell(), dtype=np.float64) * scale
        basis = atoms.get_scaled_positions(wrap=True)
        cell_lo, cell_hi = cell_bounds(seeds, k, lo, hi, dims)
        for pos, kind in fill_box(cell, basis, rotations[k], seeds[k], cell_lo, cell_hi):
            mine = nearest_seed(pos, seeds, dims) == k
            pos_parts.append(pos[mine])
            num_parts.append(atoms.numbers[kind[mine]])
            grain_parts.append(np.full(int(mine.sum()), k, dtype=np.int64))
    positions = np.concatenate(pos_parts) if pos_parts else np.zeros((0, 3))
    numbers = np.concatenate(num_parts) if num_parts else np.zeros(0, dtype=np.int64)
    grain_id = np.concatenate(grain_parts) if grain_parts else np.zeros(0, dtype=np.int64)

    keep = _thin_boundaries(positions, grain_id, grain_dnn, min_distance)
    sample = Atoms(numbers=numbers[keep], positions=positions[keep], cell=np.diag(box), pbc=False)
    sample.arrays["grain_id"] = grain_id[keep]
    class_of_grain = np.array([class_names.index(cells[k % len(cells)][0]) for k in range(n)], dtype=np.int64)
    sample.arrays["class_label"] = class_of_grain[grain_id[keep]]
    if species is not None:
        sample.set_chemical_symbols([species] * len(sample))

    sample = remove_random(sample, missing, rng)
    displace_uniform(sample, noise, grain_dnn[sample.arrays["grain_id"]], rng)
    if len(sample) == 0:
        raise ValueError(f"size {tuple(box)} Å holds no atoms of the requested grains")
    gid = sample.arrays["grain_id"]
    sample.arrays["boundary_distance"] = boundary_distance(sample.positions, seeds, gid, dims)
    sample.arrays["surface_distance"] = surface_distance(sample.positions, lo, hi, dims)
    sample.info.update(
        sample="polycrystal",
        geometry=geometry,
        mode=geometry,
        seed=int(seed),
        noise=noise,
        missing=missing,
        class_names=class_names,
        grain_classes=[cells[k % len(cells)][0] for k in range(n)],
        grain_seeds=seeds,
        grain_orientations=rotations,
        grain_d_nn=grain_dnn,
    )
    return sample


def _thin_boundaries(positions: np.ndarray, grain_id: np.ndarray, grain_dnn: np.ndarray, min_distance):
    """Mask of atoms kept after removing, grain by grain in increasing id, atoms too close to a kept atom of
    a lower grain id."""
    keep = np.ones(len(positions), dtype=bool)
    if len(positions) < 2 or len(grain_dnn) < 2:
        return keep
    cutoff = MIN_DISTANCE_FACTOR * grain_dnn.max() if min_distance is None else float(min_distance)
    nl = neighbor_list(positions, cutoff)
    gi, gj = grain_id[nl.i], grain_id[nl.j]
    cross = gi > gj
    i, j, d = nl.i[cross], nl.j[cross], nl.distance[cross]
    if min_distance is None:
        limit = MIN_DISTANCE_FACTOR * np.maximum(grain_dnn[gi[cross]], grain_dnn[gj[cross]])
        close = d < limit
        i, j = i[close], j[close]
    gi = grain_id[i]
    for g in np.unique(gi):
        sel = gi == g
        drop = i[sel][keep[j[sel]]]
        keep[drop] = False
    return keep


def distance_to_boundary(atoms: Atoms) -> np.ndarray:
    """Distance (Å) of every atom of a :func:`polycrystal` sample to its nearest grain-boundary plane.

    Recomputed from ``atoms.info["grain_seeds"]``, ``atoms.info["geometry"]`` (or ``"mode"``, the older key)
    and the ``grain_id`` array (so it
    follows edits of the positions); see :func:`arisekit.samples.voronoi.boundary_distance`.
    """
    if "grain_seeds" not in atoms.info or not ("geometry" in atoms.info or "mode" in atoms.info):
        missing = "grain_seeds" if "grain_seeds" not in atoms.info else "geometry"
        raise ValueError(f"atoms.info lacks {missing!r}: not a polycrystal sample")
    if "grain_id" not in atoms.arrays:
        raise ValueError("atoms lack the per-atom array 'grain_id': not a polycrystal sample")
    dims = 2 if atoms.info.get("geometry", atoms.info.get("mode")) == "slab" else 3
    return boundary_distance(
        atoms.positions, np.asarray(atoms.info["grain_seeds"]), atoms.arrays["grain_id"], dims
    )
