"""Isotropic scaling by the nearest-neighbour distance d_NN (ARISE supplementary section 1.1)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arisekit import _core
from arisekit.geometry._input import as_structure
from arisekit.parallel import resolve_threads

#: Search radii (Å) tried in turn until every centre atom has a neighbour of the requested species (the
#: first one covers nearly all bonds and keeps the search cheap; the result never depends on the radii).
DEFAULT_RADII: tuple[float, ...] = (4.5, 10.0, 20.0, 30.0, 40.0, 50.0)


def _species_indices(numbers: np.ndarray, species, role: str) -> np.ndarray:
    if species is None:
        return np.arange(len(numbers), dtype=np.int64)
    z = _atomic_number(species)
    idx = np.flatnonzero(numbers == z).astype(np.int64)
    if len(idx) == 0:
        raise ValueError(f"{role} species {species!r} is not present in the structure")
    return idx


def _atomic_number(species) -> int:
    if isinstance(species, str):
        from ase.data import atomic_numbers

        if species not in atomic_numbers:
            raise ValueError(f"unknown chemical symbol {species!r}")
        return atomic_numbers[species]
    return int(species)


def nearest_distances(
    structure,
    center_species=None,
    neighbor_species=None,
    *,
    radii: Sequence[float] = DEFAULT_RADII,
    n_threads: int | None = None,
) -> np.ndarray:
    """Distance (Å) from every centre atom (of ``center_species``) to its nearest ``neighbor_species`` atom.

    The search radius grows through ``radii`` while some centre has no such neighbour; centres still
    without one after the last radius are dropped. Species are symbols or atomic numbers; None = all.
    """
    return _nearest_found(structure, center_species, neighbor_species, radii, n_threads)[2]


def _nearest_found(structure, center_species, neighbor_species, radii, n_threads):
    """:func:`nearest_distances` with the validated structure and the centres it kept, in order:
    ``(structure, kept_centres, distances)``."""
    s = as_structure(structure)
    if len(s) == 0:
        raise ValueError("the structure has no atoms")
    centers = _species_indices(s.numbers, center_species, "centre")
    candidates = _species_indices(s.numbers, neighbor_species, "neighbour")
    if len(radii) == 0 or any(not np.isfinite(r) or r <= 0 for r in radii):
        raise ValueError(f"radii must be positive lengths in Å, got {list(radii)}")
    d = np.full(len(centers), np.inf)
    for radius in radii:
        d = _core.nearest_distances(
            s.positions, s.cell, list(s.pbc), centers, candidates, float(radius), resolve_threads(n_threads)
        )
        if np.isfinite(d).all():
            break
    reached = np.isfinite(d)
    found = d[reached]
    if len(found) == 0:
        raise ValueError(
            f"no {_label(neighbor_species)} atom lies within {max(radii)} Å of any {_label(center_species)} "
            "atom: d_NN is undefined (single atom or isolated species?)"
        )
    if found.min() < 1e-6:
        raise ValueError("overlapping atoms (distance < 1e-6 Å): d_NN is undefined")
    return s, centers[reached], found


def _label(species) -> str:
    return "" if species is None else f"{species}"


#: Nearest distances whose spread is below this fraction of their value count as one distance in d_NN.
EQUAL_DISTANCE_TOL = 1e-6

#: ``method="shell"``: an atom's first shell holds its neighbours up to its nearest distance plus this many
#: robust standard deviations of the nearest distances around their main peak (thermal noise).
SHELL_WINDOW = 5.0

#: A structure in which at least this fraction of the per-atom nearest distances is shared (to
#: :data:`EQUAL_DISTANCE_TOL`) by three or more atoms counts as a perfect crystal (vacancies, surfaces and
#: dilute species included): ``method="shell"`` then gives the paper's value. (Two is not enough: in a
#: thermal frame mutual nearest neighbours share their distance.)
SHARED_FRACTION = 1.0 / 3.0

#: ``method="shell"``: the noise estimate is capped at this fraction of d_NN (beyond it, about the
#: Lindemann limit, nothing is a crystal and the first shell must not reach the second).
MAX_RELATIVE_SPREAD = 0.06

D_NN_METHODS: tuple[str, ...] = ("hist", "shell", "mean")


def nearest_neighbor_distance(
    structure,
    center_species=None,
    neighbor_species=None,
    *,
    method: str = "hist",
    bins: int = 100,
    radii: Sequence[float] = DEFAULT_RADII,
    n_threads: int | None = None,
) -> float:
    """Nearest-neighbour distance d_NN (Å) of a structure or of its (centre, neighbour) species pair.

    ``method="hist"`` is the ARISE rule: histogram (``bins`` bins, NumPy's ``histogram``) of the per-atom
    nearest distances, counts divided by the squared bin centre, centre of the maximal bin. NumPy widens a
    zero-width range to ±0.5 Å, so a perfect crystal gives its distance + 0.005 Å (100 bins); distances equal
    to a relative :data:`EQUAL_DISTANCE_TOL` count as one distance and give the same, whatever the rounding
    of the coordinates (NumPy itself would put such a value in the bin below or above the central edge
    depending on its last bits).

    ``method="shell"`` keeps that value for perfect crystals (per-atom nearest distances taking few
    distinct values, vacancies and surfaces included) and stays right under thermal noise, where the
    nearest of an atom's ~12 thermally spread neighbours lies well below their mean (≈ 7 % in fcc at half
    the melting point): the robust spread s of the nearest distances around their main peak measures the
    noise; each atom's first shell is its neighbours up to its nearest distance + :data:`SHELL_WINDOW` · s;
    d_NN is the main peak (weighted as the ARISE rule) of the per-atom first-shell mean distances. It
    tends continuously to the ARISE value as the noise vanishes.

    ``method="mean"`` is the mean nearest distance.
    """
    s, found, d = _nearest_found(structure, center_species, neighbor_species, radii, n_threads)
    if method not in D_NN_METHODS:
        raise ValueError(f"method must be one of {D_NN_METHODS}, got {method!r}")
    if method == "mean":
        return float(np.mean(d))
    if int(bins) < 1:
        raise ValueError(f"bins must be a positive integer, got {bins}")
    if method == "shell" and not _is_discrete(d):
        return _shell_distance(s, found, neighbor_species, d, n_threads)
    return _histogram_mode(d, int(bins))


def _histogram_mode(d: np.ndarray, bins: int) -> float:
    if np.ptp(d) <= EQUAL_DISTANCE_TOL * float(np.max(d)):
        # one distance up to rounding. NumPy widens the zero-width range to ±0.5 Å, so the value sits on the
        # central bin edge and belongs (half-open bins, exact arithmetic) to the bin above it; in floating
        # point its last bits would decide the bin. Return that bin's centre, whatever the rounding.
        return float(np.mean(d)) + 0.5 / bins
    counts, edges = np.histogram(d, bins=bins)
    centres = 0.5 * (edges[1:] + edges[:-1])
    return float(centres[np.argmax(counts / centres**2)])


def _is_discrete(d: np.ndarray) -> bool:
    """True when at least :data:`SHARED_FRACTION` of the distances belong to groups of three or more
    equal ones (to :data:`EQUAL_DISTANCE_TOL`), or there are at most two distances."""
    if len(d) <= 2:
        return True
    x = np.sort(d)
    starts = np.flatnonzero(np.r_[True, np.diff(x) > EQUAL_DISTANCE_TOL * x[-1]])
    sizes = np.diff(np.r_[starts, len(x)])
    return bool(sizes[sizes >= 3].sum() >= SHARED_FRACTION * len(x))


def _main_peak(d: np.ndarray) -> tuple[float, float]:
    """Centre and robust standard deviation (Å) of the main peak of a set of distances: the maximum of their
    histogram (counts / r², smoothed over 3 bins, ~8 values per bin), its half-maximum width, and the
    median absolute deviation of the values within 3 half-widths of its centre."""
    bins = int(np.clip(len(d) // 8, 10, 100))
    counts, edges = np.histogram(d, bins=bins)
    centres = 0.5 * (edges[1:] + edges[:-1])
    smooth = np.convolve(counts / centres**2, np.ones(3) / 3.0, mode="same")
    top = int(np.argmax(smooth))
    lo = hi = top
    while lo > 0 and smooth[lo - 1] >= 0.5 * smooth[top]:
        lo -= 1
    while hi < bins - 1 and smooth[hi + 1] >= 0.5 * smooth[top]:
        hi += 1
    inside = d[(d >= edges[lo]) & (d <= edges[hi + 1])]
    centre = float(np.median(inside))
    half_width = max(edges[hi + 1] - centre, centre - edges[lo])
    near = d[np.abs(d - centre) <= 3.0 * half_width]
    return centre, float(1.4826 * np.median(np.abs(near - centre)))


def _shell_distance(s, found: np.ndarray, neighbor_species, d: np.ndarray, n_threads: int) -> float:
    """``method="shell"`` on the structure ``s``; ``d[k]`` is the nearest distance of centre ``found[k]``."""
    from arisekit.geometry.neighbors import neighbor_list

    centre, spread = _main_peak(d)
    window = SHELL_WINDOW * min(spread, MAX_RELATIVE_SPREAD * centre)
    radius = float(min(np.max(d), 2.0 * np.median(d)) + window)
    nl = neighbor_list(s, radius, n_threads=n_threads)
    i, j, r = np.asarray(nl.i), np.asarray(nl.j), np.asarray(nl.distance)
    row = np.full(len(s.numbers), -1, dtype=np.int64)
    row[found] = np.arange(len(found))
    keep = row[i] >= 0
    if neighbor_species is not None:
        keep &= s.numbers[j] == _atomic_number(neighbor_species)
    i, r = row[i[keep]], r[keep]
    keep = r <= d[i] + window
    sums = np.bincount(i[keep], r[keep], minlength=len(d))
    counts = np.bincount(i[keep], minlength=len(d))
    shell = np.where(counts > 0, sums / np.maximum(counts, 1), d)
    return _main_peak(shell)[0]


def scale_isotropically(
    atoms,
    center_species=None,
    neighbor_species=None,
    *,
    method: str = "hist",
    extrinsic_scale: float = 1.0,
    d_nn: float | None = None,
):
    """Copy of ``atoms`` with positions and cell divided by d_NN and multiplied by ``extrinsic_scale``.

    Returns ``(scaled_atoms, d_nn)`` with d_NN in Å; the scaled structure is in d_NN units. Pass ``d_nn``
    to reuse a known value instead of computing it.
    """
    if not np.isfinite(extrinsic_scale) or extrinsic_scale <= 0:
        raise ValueError(f"extrinsic_scale must be positive, got {extrinsic_scale}")
    if d_nn is None:
        d_nn = nearest_neighbor_distance(atoms, center_species, neighbor_species, method=method)
    elif not np.isfinite(d_nn) or d_nn <= 0:
        raise ValueError(f"d_nn must be a positive length in Å, got {d_nn}")
    factor = extrinsic_scale / d_nn
    scaled = atoms.copy()
    scaled.set_positions(atoms.get_positions() * factor)
    scaled.set_cell(np.asarray(atoms.get_cell()) * factor, scale_atoms=False)
    return scaled, float(d_nn)
