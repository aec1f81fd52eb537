"""Atomic-electron-tomography-like measurement errors on a sample with truth, and writing the result as a
point cloud plus truth arrays.

Errors (applied in this order, each drawn from one seeded generator):

* missing atoms: a fraction of the atoms is removed (undetected peaks);
* spurious atoms: ``spurious * N`` atoms are added at random points of the sample's volume (not closer
  than ``min_distance`` to a real atom, and within 1.2 d_NN of one), with species drawn from the sample's
  composition; their truth arrays read −1 / NaN / False;
* species mislabelled: a fraction of the atoms gets another species of the sample (Fe ↔ Pt);
* position noise: Gaussian, ``position_noise`` Å standard deviation per Cartesian component (the 3D rms
  displacement is sqrt(3) times larger: 0.2 Å per component = 0.35 Å in 3D).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from ase import Atoms

from arisekit._json import dumps as json_dumps
from arisekit.samples.defects import check_fraction, remove_random

#: Point-cloud suffixes written with :func:`arisekit.io.write_point_cloud` (+ a ``.truth.npz`` sidecar).
POINT_CLOUD_SUFFIXES = (".csv", ".txt", ".dat")


def aet_errors(
    atoms: Atoms,
    seed: int = 0,
    *,
    position_noise: float = 0.2,
    species_error: float = 0.03,
    missing: float = 0.02,
    spurious: float = 0.01,
    min_distance: float | None = None,
) -> Atoms:
    """Copy of ``atoms`` with AET-like errors (see the module docstring); truth arrays follow the atoms.

    Parameters
    ----------
    position_noise : float
        Standard deviation (Å) of the Gaussian displacement of each coordinate (0.2 Å = 20 pm).
    species_error, missing, spurious : float
        Fractions (of the atom count before errors) mislabelled, removed and added.
    min_distance : float, optional
        Closest approach (Å) of a spurious atom to a real one; default 0.5 d_NN (``info["d_nn"]`` or the
        sample's nearest-neighbour distance).

    Returns
    -------
    ase.Atoms
        With per-atom arrays ``spurious`` and ``mislabelled`` (bool) added to those of ``atoms`` and
        ``true_numbers`` (species before mislabelling; created if absent). ``info`` gains
        ``position_noise``, ``species_error``, ``missing``, ``spurious``, ``n_missing``, ``n_spurious``,
        ``n_mislabelled`` and ``error_seed``.
    """
    if not np.isfinite(position_noise) or position_noise < 0:
        raise ValueError(f"position_noise must be a length in Å >= 0, got {position_noise}")
    species_error = check_fraction(species_error, "species_error", 1.0)
    missing = check_fraction(missing, "missing", 1.0)
    spurious = check_fraction(spurious, "spurious", 1.0)
    if len(atoms) < 2:
        raise ValueError("atoms: need at least two atoms")
    rng = np.random.default_rng([int(seed), 17])
    out = atoms.copy()
    if "true_numbers" not in out.arrays:
        out.arrays["true_numbers"] = out.numbers.copy()
    out.arrays["spurious"] = np.zeros(len(out), dtype=bool)
    out.arrays["mislabelled"] = np.zeros(len(out), dtype=bool)
    n0 = len(out)
    d_nn = float(out.info.get("d_nn") or _d_nn(out))
    out = remove_random(out, missing, rng)
    n_missing = n0 - len(out)
    out = _add_spurious(out, int(round(spurious * n0)), d_nn, min_distance, rng)
    n_flip = int(round(species_error * n0))
    species = np.unique(out.numbers)
    if n_flip and len(species) > 1:
        idx = rng.choice(len(out), size=min(n_flip, len(out)), replace=False)
        z = out.numbers.copy()
        for i in idx:
            z[i] = rng.choice(species[species != z[i]])
        out.numbers = z
        out.arrays["mislabelled"][idx] = True
    if position_noise > 0:
        out.positions += rng.normal(0.0, float(position_noise), size=(len(out), 3))
    out.info.update(
        position_noise=float(position_noise),
        species_error=species_error,
        missing=missing,
        spurious=spurious,
        n_missing=int(n_missing),
        n_spurious=int(out.arrays["spurious"].sum()),
        n_mislabelled=int(out.arrays["mislabelled"].sum()),
        error_seed=int(seed),
    )
    return out


def _d_nn(atoms: Atoms) -> float:
    from arisekit.geometry import nearest_neighbor_distance

    return float(nearest_neighbor_distance(atoms))


def _add_spurious(atoms: Atoms, n: int, d_nn: float, min_distance, rng: np.random.Generator) -> Atoms:
    if n == 0:
        return atoms
    from scipy.spatial import cKDTree

    lo_d = 0.5 * d_nn if min_distance is None else float(min_distance)
    if not np.isfinite(lo_d) or lo_d <= 0:
        raise ValueError(f"min_distance must be a positive length in Å, got {min_distance}")
    tree = cKDTree(atoms.positions)
    lo, hi = atoms.positions.min(axis=0), atoms.positions.max(axis=0)
    found: list[np.ndarray] = []
    for _ in range(1000):
        cand = rng.uniform(lo, hi, size=(max(4 * n, 1000), 3))
        d, _ = tree.query(cand)
        found.extend(cand[(d >= lo_d) & (d <= 1.2 * d_nn)])
        if len(found) >= n:
            break
    else:  # pragma: no cover - dense samples always leave interstitial room at 0.5 d_NN
        raise ValueError(f"could not place {n} spurious atoms at >= {lo_d:.2f} Å from the real ones")
    pos = np.asarray(found[:n])
    numbers = atoms.numbers[rng.integers(0, len(atoms), size=n)]
    extra = Atoms(numbers=numbers, positions=pos)
    for name, arr in atoms.arrays.items():
        if name in ("numbers", "positions"):
            continue
        extra.arrays[name] = _missing_value(arr, n)
    extra.arrays["true_numbers"] = numbers.copy()
    extra.arrays["spurious"] = np.ones(n, dtype=bool)
    merged = atoms.copy()
    merged.extend(extra)
    return merged


def _missing_value(arr: np.ndarray, n: int) -> np.ndarray:
    shape = (n, *arr.shape[1:])
    if arr.dtype == bool:
        return np.zeros(shape, dtype=bool)
    if np.issubdtype(arr.dtype, np.integer):
        return np.full(shape, -1, dtype=arr.dtype)
    if np.issubdtype(arr.dtype, np.floating):
        return np.full(shape, np.nan, dtype=arr.dtype)
    return np.zeros(shape, dtype=arr.dtype)


def truth_path(path) -> Path:
    """Sidecar file of a point cloud's truth: ``particle.csv`` → ``particle.truth.npz``."""
    path = Path(path)
    return path.with_name(path.stem + ".truth.npz")


def write_aet(atoms: Atoms, path, fmt: str | None = None) -> list[Path]:
    """Write a sample with truth: a point cloud (``.csv``/``.txt``/``.dat``: species x y z in Å, read by
    :func:`arisekit.io.read_point_cloud`) plus ``<stem>.truth.npz`` (every per-atom array, rows in the
    point cloud's order, and ``info`` as JSON); any other suffix is written by ``ase.io`` (extended XYZ
    for ``.xyz``, which keeps the truth arrays itself). Missing folders are created. Returns the files
    written."""
    import ase.io

    from arisekit.io import write_point_cloud

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt is None and path.suffix.lower() in POINT_CLOUD_SUFFIXES:
        write_point_cloud(atoms, path)
        arrays = {k: v for k, v in atoms.arrays.items() if k not in ("positions",)}
        info = json_dumps(atoms.info)
        np.savez_compressed(truth_path(path), info=np.array(info), **arrays)
        return [path, truth_path(path)]
    if fmt is None and path.suffix.lower() == ".xyz":
        fmt = "extxyz"
    ase.io.write(path, atoms, format=fmt)
    return [path]


def read_truth(path) -> tuple[dict[str, np.ndarray], dict]:
    """Per-atom truth arrays and the info dict of a point cloud written by :func:`write_aet` (give the
    point cloud's path or the ``.truth.npz`` itself)."""
    path = Path(path)
    npz = path if path.name.endswith(".truth.npz") else truth_path(path)
    if not npz.exists():
        raise FileNotFoundError(f"truth file not found: {npz}")
    with np.load(npz) as f:
        arrays = {k: f[k] for k in f.files if k != "info"}
        info = json.loads(str(f["info"])) if "info" in f.files else {}
    return arrays, info
