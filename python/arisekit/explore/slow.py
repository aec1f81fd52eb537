"""Spatially slow features of SPM boxes (slow feature analysis on the SPM grid).

A domain-level property — a strain state, a variant, a tetragonality — is the same in many neighbouring
boxes and changes only at domain walls, while box-to-box variation from noise, species errors and the
boxes' changing content is fast. The slow features are the directions ``w`` of a box representation ``h``
that maximise ``var(w·h) / var(w·(h_a − h_b))`` over pairs (a, b) of boxes adjacent on the grid: the
generalised eigenvectors of the representation's covariance against the covariance of neighbour
differences. Being a ratio, they do not depend on how each unit is scaled. Clustering the few slowest
ones separates domains whose difference is a small, low-variance direction of the representation that
Euclidean clustering of all units misses (``benchmarks/aet_clusters.py``).
"""

from __future__ import annotations

import numpy as np


def grid_neighbour_pairs(ids: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """(m, 2) rows (into ``ids``) of the pairs of boxes that are next to each other along one grid axis;
    ``ids``: flat box indices of a grid of ``shape`` (C order)."""
    ids = np.asarray(ids, dtype=np.int64)
    shape = tuple(int(s) for s in shape)
    n = int(np.prod(shape))
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"box ids must lie in [0, {n}) for a grid of shape {shape}")
    row = np.full(n, -1, dtype=np.int64)
    row[ids] = np.arange(len(ids))
    ijk = np.stack(np.unravel_index(ids, shape), axis=1)
    pairs = []
    for axis in range(len(shape)):
        inside = ijk[:, axis] + 1 < shape[axis]
        nb = ijk[inside].copy()
        nb[:, axis] += 1
        other = row[np.ravel_multi_index(tuple(nb.T), shape)]
        here = np.flatnonzero(inside)
        both = other >= 0
        pairs.append(np.stack([here[both], other[both]], axis=1))
    return np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)


def slow_features(
    features: np.ndarray, ids: np.ndarray, shape: tuple[int, ...], n_components: int = 3
) -> np.ndarray:
    """The ``n_components`` slowest directions of ``features`` (one row per box ``ids`` of a grid of
    ``shape``), slowest first, each scaled to zero mean and unit variance: (n, n_components)."""
    from scipy.linalg import eigh

    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) != len(ids):
        raise ValueError(f"features: one row per box id expected, got shape {x.shape} for {len(ids)} ids")
    if not np.isfinite(x).all():
        raise ValueError("features: NaN or infinite values")
    k = int(n_components)
    x = x[:, x.std(axis=0) > 0]
    if not 1 <= k <= x.shape[1]:
        raise ValueError(f"n_components must be in 1 .. {x.shape[1]} (units with spread), got {n_components}")
    pairs = grid_neighbour_pairs(ids, shape)
    if len(pairs) < 2 * k:
        raise ValueError(
            f"slow features need at least {2 * k} pairs of adjacent boxes for {k} components, got "
            f"{len(pairs)} (a finer stride or more boxes)"
        )
    x = x - x.mean(axis=0)
    keep = min(x.shape[1], len(pairs) // 2)
    if keep < x.shape[1]:  # too few neighbour differences for every unit: the leading principal components
        x = x @ np.linalg.svd(x, full_matrices=False)[2][:keep].T
    total = np.cov(x, rowvar=False)
    fast = np.cov(x[pairs[:, 0]] - x[pairs[:, 1]], rowvar=False)
    fast += 1e-6 * np.trace(fast) / len(fast) * np.eye(len(fast))  # units constant between neighbours
    d = len(total)
    _, vectors = eigh(total, fast, subset_by_index=[d - k, d - 1])
    from arisekit.explore.pipeline import standardized

    return standardized(x @ vectors[:, ::-1])
