"""Faceted fcc nanoparticles: a truncated octahedron ({100} and {111} facets) cut from a cubic fcc lattice."""

from __future__ import annotations

import numpy as np

#: Conventional-cell sites of the fcc lattice (fractional). Site 0 is the cube corner.
FCC_BASIS = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])
#: Ratio h_111 / h_100 of the facet distances from the centre (the Wulff shape of an fcc metal with
#: surface energies gamma_111 / gamma_100 ≈ 0.87; 1/sqrt(3) = cube, sqrt(3) = octahedron ... limits).
WULFF_RATIO = 0.87


def fcc_sites(half_width: float, a: float) -> tuple[np.ndarray, np.ndarray]:
    """fcc sites (Å) and their lattice coordinates (units of a) in the cube [-half_width, half_width]^3.

    The lattice is ``(n + basis) * a`` centred on a cube-corner site at the origin. Returns positions
    (n, 3) Å and the fractional lattice coordinates (n, 3), whose doubled values are integers.
    """
    m = int(np.ceil(half_width / a)) + 1
    r = np.arange(-m, m + 1)
    cells = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 3)
    frac = (cells[:, None, :] + FCC_BASIS[None, :, :]).reshape(-1, 3)
    pos = frac * a
    keep = np.all(np.abs(pos) <= half_width + 1e-9, axis=1)
    return pos[keep], frac[keep]


def facet_depth(positions: np.ndarray, h100: float, ratio: float = WULFF_RATIO) -> np.ndarray:
    """Depth (Å) of each point below the surface of the truncated octahedron centred at the origin.

    The solid is ``max|x_i| <= h100`` and ``(|x| + |y| + |z|) / sqrt(3) <= ratio * h100`` (Å); the depth is
    the distance to the nearest facet plane (negative outside).
    """
    p = np.abs(np.asarray(positions, dtype=np.float64))
    d100 = h100 - p.max(axis=1)
    d111 = ratio * h100 - p.sum(axis=1) / np.sqrt(3.0)
    return np.minimum(d100, d111)


def faceted_particle(
    n_atoms: int, a: float, ratio: float = WULFF_RATIO
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """fcc sites of a truncated octahedron holding close to ``n_atoms`` atoms (lattice constant ``a`` Å).

    The facet distance h_100 is found by bisection on the site count (the count is a step function of
    h_100, so the result is the closest achievable count from above). Returns positions (Å), lattice
    coordinates (units of a), depth below the surface (Å) and h_100 (Å).
    """
    if int(n_atoms) < 13:
        raise ValueError(f"n_atoms must be at least 13 (one fcc shell), got {n_atoms}")
    if not np.isfinite(a) or a <= 0:
        raise ValueError(f"lattice constant must be a positive length in Å, got {a}")
    volume_per_atom = a**3 / 4.0
    # volume of the truncated octahedron ~ c * h100^3; start from a sphere estimate and bracket.
    lo, hi = 0.5 * a, 2.0 * (3.0 * int(n_atoms) * volume_per_atom / (4.0 * np.pi)) ** (1.0 / 3.0) + 2 * a
    pos, frac = fcc_sites(hi, a)

    def count(h: float) -> int:
        return int(np.count_nonzero(facet_depth(pos, h, ratio) >= -1e-9))

    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if count(mid) >= int(n_atoms):
            hi = mid
        else:
            lo = mid
    depth = facet_depth(pos, hi, ratio)
    inside = depth >= -1e-9
    return pos[inside], frac[inside], np.maximum(depth[inside], 0.0), float(hi)
