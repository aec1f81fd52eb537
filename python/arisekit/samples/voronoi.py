"""Voronoi tessellation helpers: grain seeds, cell bounding boxes, distance to the grain boundaries."""

from __future__ import annotations

import numpy as np

#: Atoms per chunk when distances to all seeds are evaluated (bounds peak memory).
_CHUNK = 65_536
#: Margin (Å) added to the linear-programming bounds so that solver tolerance never drops a site.
_LP_MARGIN = 1e-6


def draw_seeds(rng: np.random.Generator, n: int, lo: np.ndarray, hi: np.ndarray, dims: int) -> np.ndarray:
    """``n`` seed points (Å) uniform in the box [lo, hi), Poisson-disc thinned in the first ``dims`` axes.

    A candidate closer than half the mean grain spacing, ``0.5 * (volume / n) ** (1 / dims)`` measured in
    the first ``dims`` coordinates, to an accepted seed is redrawn, so that no grain degenerates to a
    sliver. In 2D (``dims=2``) the third coordinate is the box centre.
    """
    extent = (hi - lo)[:dims]
    spacing = 0.5 * (np.prod(extent) / n) ** (1.0 / dims)
    seeds = np.empty((n, 3))
    for k in range(n):
        for _ in range(10_000):
            p = rng.uniform(lo, hi)
            if dims == 2:
                p[2] = 0.5 * (lo[2] + hi[2])
            if k == 0 or np.min(np.linalg.norm(seeds[:k, :dims] - p[:dims], axis=1)) >= spacing:
                break
        else:  # pragma: no cover - the thinning radius leaves ample room
            raise ValueError(f"n_grains: could not place {n} grain seeds in the sample")
        seeds[k] = p
    return seeds


def cell_bounds(
    seeds: np.ndarray, i: int, lo: np.ndarray, hi: np.ndarray, dims: int
) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounding box (Å) of Voronoi cell ``i`` clipped to the box [lo, hi] (linear programs).

    Only the first ``dims`` axes are tessellated; the remaining ones keep the box limits.
    """
    from scipy.optimize import linprog

    s = seeds[:, :dims]
    others = np.delete(np.arange(len(s)), i)
    a_ub = s[others] - s[i]
    b_ub = 0.5 * (np.einsum("ij,ij->i", s[others], s[others]) - s[i] @ s[i])
    box_lo, box_hi = lo.copy(), hi.copy()
    if len(others) == 0:
        return box_lo, box_hi
    bounds = list(zip(lo[:dims], hi[:dims], strict=True))
    for k in range(dims):
        for sign in (1.0, -1.0):
            c = np.zeros(dims)
            c[k] = sign
            res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            if not res.success:  # pragma: no cover - the seed itself is always feasible
                raise ValueError(f"Voronoi cell {i}: bounding box failed ({res.message})")
            if sign > 0:
                box_lo[k] = max(lo[k], res.x[k] - _LP_MARGIN)
            else:
                box_hi[k] = min(hi[k], res.x[k] + _LP_MARGIN)
    return box_lo, box_hi


def nearest_seed(points: np.ndarray, seeds: np.ndarray, dims: int) -> np.ndarray:
    """Index of the nearest seed (in the first ``dims`` coordinates) of every point."""
    from scipy.spatial import cKDTree

    _, idx = cKDTree(seeds[:, :dims]).query(points[:, :dims], k=1)
    return np.asarray(idx, dtype=np.int64)


def boundary_distance(positions, seeds, grain_id, dims: int = 3) -> np.ndarray:
    """Distance (Å) of every point to the nearest Voronoi boundary plane of its grain.

    For point p in grain i (seed s_i) this is ``min_j (|p - s_j|^2 - |p - s_i|^2) / (2 |s_j - s_i|)``
    over the other seeds j, using the first ``dims`` coordinates only (``dims=2``: columnar slab grains).
    Negative values mean p lies beyond a boundary (e.g. displaced by noise); +inf with a single grain.
    """
    p = np.asarray(positions, dtype=np.float64)
    s = np.asarray(seeds, dtype=np.float64)
    g = np.asarray(grain_id, dtype=np.int64)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"positions must have shape (n, 3), got {p.shape}")
    if s.ndim != 2 or s.shape[1] != 3 or len(s) == 0:
        raise ValueError(f"seeds must have shape (n_grains, 3), got {s.shape}")
    if g.shape != (len(p),):
        raise ValueError(f"grain_id must have shape ({len(p)},), got {g.shape}")
    if len(g) and (g.min() < 0 or g.max() >= len(s)):
        raise ValueError(f"grain_id must index the {len(s)} seeds")
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims}")
    p, s = p[:, :dims], s[:, :dims]
    out = np.full(len(p), np.inf)
    if len(s) == 1:
        return out
    for start in range(0, len(p), _CHUNK):
        pc, gc = p[start : start + _CHUNK], g[start : start + _CHUNK]
        d2 = ((pc[:, None, :] - s[None, :, :]) ** 2).sum(axis=-1)  # (m, n_grains)
        own = s[gc]
        sep = np.linalg.norm(s[None, :, :] - own[:, None, :], axis=-1)
        rows = np.arange(len(pc))
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = (d2 - d2[rows, gc][:, None]) / (2.0 * sep)
        dist[rows, gc] = np.inf
        out[start : start + _CHUNK] = dist.min(axis=1)
    return out


def surface_distance(positions, lo, hi, dims: int = 3) -> np.ndarray:
    """Distance (Å) of every point to the nearest face of the box [lo, hi] among the first ``dims`` axes."""
    p = np.asarray(positions, dtype=np.float64)[:, :dims]
    lo = np.asarray(lo, dtype=np.float64)[:dims]
    hi = np.asarray(hi, dtype=np.float64)[:dims]
    return np.minimum(p - lo, hi - p).min(axis=1)
