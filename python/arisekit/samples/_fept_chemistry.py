"""Chemical order of FePt-like fcc alloys: ideal L1_0 / L1_2 species per lattice site, partial disorder,
and the long-range order parameter."""

from __future__ import annotations

import numpy as np

FE, PT = 26, 78
#: Region kinds: chemically disordered fcc (A1), L1_0 FePt, L1_2 Fe3Pt and L1_2 FePt3.
KINDS = ("A1", "L1_0", "Fe3Pt", "FePt3")
#: Class of each region kind among the model's classes (A1 is the chemically disordered fcc lattice).
KIND_CLASS = {"A1": "fcc", "L1_0": "L1_0", "Fe3Pt": "L1_2", "FePt3": "L1_2"}
#: Truth class names (indices of the per-atom ``class_label``), named as the model's classes.
CLASS_NAMES = ["fcc", "L1_0", "L1_2"]


def sublattice(frac: np.ndarray) -> np.ndarray:
    """Index 0..3 of the simple-cubic sublattice of each fcc site (lattice coordinates in units of a):
    0 = cube corner (0,0,0), 1 = (0,½,½), 2 = (½,0,½), 3 = (½,½,0)."""
    b = np.mod(np.rint(2.0 * np.asarray(frac)), 2).astype(np.int64)
    out = np.zeros(len(b), dtype=np.int64)
    face = b.sum(axis=1) == 2
    out[face] = 1 + np.argmin(b[face], axis=1)  # the axis whose coordinate is integer
    return out


def ideal_species(frac: np.ndarray, kind: str, c_axis: int = 2, variant: int = 0) -> np.ndarray:
    """Atomic numbers of perfectly ordered sites of a region.

    ``L1_0``: Fe and Pt alternate in planes normal to ``c_axis`` (0, 1, 2 = x, y, z); ``variant`` 0/1 puts
    Fe on the planes through the origin or the others (antiphase variants). ``Fe3Pt`` / ``FePt3``: the
    minority species occupies sublattice ``variant`` (0..3, :func:`sublattice`). ``A1`` has no ideal
    species (ValueError).
    """
    frac = np.asarray(frac, dtype=np.float64)
    if kind == "L1_0":
        plane = np.mod(np.rint(2.0 * frac[:, int(c_axis)]).astype(np.int64) + int(variant), 2)
        return np.where(plane == 0, FE, PT)
    if kind in ("Fe3Pt", "FePt3"):
        minority, majority = (PT, FE) if kind == "Fe3Pt" else (FE, PT)
        return np.where(sublattice(frac) == int(variant) % 4, minority, majority)
    raise ValueError(f"region kind {kind!r} has no ordered species (kinds: {KINDS})")


def random_fraction(kind: str) -> float:
    """Probability that a randomly occupied site of the region holds its ideal species (50:50 for L1_0,
    3:1 for L1_2: 0.75² + 0.25²)."""
    return 0.5 if kind == "L1_0" else 0.625


def disorder(
    numbers: np.ndarray, region: np.ndarray, u: np.ndarray, lro: float, rng: np.random.Generator
) -> np.ndarray:
    """Partially disordered copy of the ideal ``numbers``: in every region > 0 the atoms with
    ``u < 1 - lro`` exchange species at random among themselves (composition kept), so the region's
    long-range order parameter is ``lro`` in expectation. ``u`` (uniform in [0, 1), fixed per site) makes a
    series nested: an atom ordered at some ``lro`` stays ordered at every higher one."""
    out = np.array(numbers, dtype=np.int64, copy=True)
    mixed = (region > 0) & (np.asarray(u) < 1.0 - float(lro))
    for r in np.unique(region[mixed]):
        idx = np.flatnonzero(mixed & (region == r))
        out[idx] = out[rng.permutation(idx)]
    return out


def random_alloy(n: int, pt_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` atomic numbers, exactly ``round(pt_fraction * n)`` of them Pt, in random order (A1)."""
    z = np.full(int(n), FE, dtype=np.int64)
    z[: int(round(float(pt_fraction) * n))] = PT
    return rng.permutation(z)


def long_range_order(correct: np.ndarray, f_random: np.ndarray) -> float:
    """Long-range order parameter S = (f − f_rand) / (1 − f_rand) of atoms in ordered regions.

    ``correct`` is a boolean per atom (species equals the ideal one) and ``f_random`` per atom the chance
    that a random occupation is correct (:func:`random_fraction` of its region kind). 1 = perfect order,
    0 = random occupation. NaN without atoms.
    """
    correct = np.asarray(correct, dtype=np.float64)
    if len(correct) == 0:
        return float("nan")
    f_rand = float(np.mean(f_random))
    return float((correct.mean() - f_rand) / (1.0 - f_rand))
