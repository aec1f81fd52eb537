"""Interpreting clusters through geometry: nearest-neighbour distances per species pair in each box, their
difference Δd = d_AA − d_BB (ARISE Fig. 4b) and per-cluster histograms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from arisekit.explore.clustering import OUTLIER


def parse_pair(pair) -> tuple[str, str]:
    """("Fe", "Pt") from "Fe-Pt", "Fe,Pt" or a 2-sequence of chemical symbols."""
    from ase.data import atomic_numbers

    if isinstance(pair, str):
        parts = pair.replace(",", "-").split("-")
    else:
        parts = list(pair)
    if len(parts) != 2 or not all(isinstance(p, str) and p in atomic_numbers for p in parts):
        raise ValueError(f"pair must name two chemical symbols like 'Fe-Pt', got {pair!r}")
    return parts[0], parts[1]


def _pair_distance(atoms, a: str, b: str, method: str) -> float:
    from arisekit.geometry import nearest_neighbor_distance

    symbols = set(atoms.get_chemical_symbols())
    if a not in symbols or b not in symbols or (a == b and atoms.get_chemical_symbols().count(a) < 2):
        return float("nan")
    try:
        return nearest_neighbor_distance(atoms, a, b, method=method)
    except ValueError:  # no such neighbour within the search radii
        return float("nan")


def structure_distances(structures: Iterable, pairs: Sequence, method: str = "hist") -> dict[str, np.ndarray]:
    """d_NN (Å) of each species pair (centre, neighbour) in each structure, ARISE's histogram rule
    (``method="hist"``) or the mean nearest distance (``"mean"``). NaN where a species is missing.
    Keys are "A-B"."""
    if method not in ("hist", "mean"):
        raise ValueError(f"method must be 'hist' or 'mean', got {method!r}")
    parsed = [parse_pair(p) for p in pairs]
    if not parsed:
        raise ValueError("pairs: give at least one species pair such as 'Fe-Fe'")
    structures = list(structures)
    out = {f"{a}-{b}": np.full(len(structures), np.nan) for a, b in parsed}
    for i, atoms in enumerate(structures):
        for a, b in parsed:
            out[f"{a}-{b}"][i] = _pair_distance(atoms, a, b, method)
    return out


def box_structures(result, atoms, boxes) -> list:
    """The atoms of each box in ``boxes`` (indices into the SPM grid) as open ``ase.Atoms`` (Å)."""
    from ase import Atoms

    from arisekit.explore.maps import box_grid

    grid, sample = box_grid(result, atoms)
    numbers, positions = sample.get_atomic_numbers(), sample.get_positions()
    out = []
    for b in np.asarray(boxes, dtype=np.int64):
        idx = grid.members(int(b))
        out.append(Atoms(numbers=numbers[idx], positions=positions[idx], pbc=False))
    return out


def box_distances(result, atoms, boxes, pairs: Sequence, method: str = "hist") -> dict[str, np.ndarray]:
    """d_NN (Å) per species pair for the SPM boxes ``boxes`` of ``atoms``, computed from each box's atoms
    (cut out as an open structure, as in exact SPM mode). See :func:`structure_distances`."""
    return structure_distances(box_structures(result, atoms, boxes), pairs, method)


def delta_d(distances: dict[str, np.ndarray], a: str, b: str) -> np.ndarray:
    """Δd = d_aa − d_bb (Å) from a table of :func:`box_distances` holding the pairs "a-a" and "b-b"."""
    for key in (f"{a}-{a}", f"{b}-{b}"):
        if key not in distances:
            raise ValueError(f"distances lack the pair {key!r} (have {sorted(distances)})")
    return distances[f"{a}-{a}"] - distances[f"{b}-{b}"]


def cluster_histograms(values, labels, bins: int = 30, value_range=None) -> dict:
    """Histogram of ``values`` for every label (clusters and -1 = outliers), on common bin edges.

    Returns ``{"edges": array, "clusters": {label: {"counts", "n", "mean", "median", "std"}}}``; NaN
    values are ignored.
    """
    v = np.asarray(values, dtype=np.float64)
    lab = np.asarray(labels, dtype=np.int64)
    if v.shape != lab.shape:
        raise ValueError(f"values {v.shape} and labels {lab.shape} must have the same length")
    if int(bins) < 1:
        raise ValueError(f"bins must be a positive integer, got {bins}")
    finite = np.isfinite(v)
    if not finite.any():
        raise ValueError("values: no finite value to histogram (species missing from every box?)")
    if value_range is None:
        lo, hi = float(v[finite].min()), float(v[finite].max())
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        value_range = (lo, hi)
    edges = np.histogram_bin_edges(v[finite], bins=int(bins), range=value_range)
    clusters = {}
    for c in sorted(set(lab.tolist()), key=lambda x: (x == OUTLIER, x)):
        sel = v[(lab == c) & finite]
        counts, _ = np.histogram(sel, bins=edges)
        clusters[int(c)] = {
            "counts": counts,
            "n": int(len(sel)),
            "mean": float(sel.mean()) if len(sel) else float("nan"),
            "median": float(np.median(sel)) if len(sel) else float("nan"),
            "std": float(sel.std()) if len(sel) else float("nan"),
        }
    return {"edges": edges, "clusters": clusters}
