"""Box descriptors for SPM.

* ``fast``: per-atom SOAP coefficients are computed once for the whole sample (each species pair scaled
  by the sample's d_NN(α, β)); a box's descriptor is the power spectrum of the mean coefficients of its
  α atoms, averaged over the species pairs present in the box. Neighbours outside the box still count,
  and d_NN is global — the two differences from exact mode. The coefficients are kept as float32 (441 × 4
  bytes per atom and species pair: 1.8 GB for 10⁶ atoms; summed per box in float64).
  Boxes containing atoms whose SOAP environment is cut by a free surface of the sample (mean
  neighbour vector longer than ``surface_threshold`` × the cutoff radius) fall back to exact mode, since
  such half-environments never occur in training; so do boxes where a species pair's local nearest
  distance differs from the sample's by more than :data:`SCALE_TOLERANCE` (a region of another phase or
  chemistry — an ordered precipitate in a random alloy — would be scaled wrongly by the global d_NN). For
  periodic homogeneous samples and the interior of large ones fast mode applies throughout.
* ``exact``: the ARISE procedure — each box is cut out as an open structure, scaled by its own d_NN and
  described from scratch.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from arisekit import _core
from arisekit._parallel import thread_map
from arisekit.descriptors import ARISEDescriptor, power_spectrum
from arisekit.geometry import BoxGrid, Structure, as_structure, nearest_neighbor_distance, surface_exposure
from arisekit.parallel import resolve_threads
from arisekit.spm import _exact_batch

#: Default threshold on :func:`arisekit.geometry.surface_exposure` above which an atom's environment
#: counts as cut by a free surface.
SURFACE_THRESHOLD = 0.08


def surface_boxes(
    atoms,
    grid: BoxGrid,
    descriptor: ARISEDescriptor,
    threshold: float = SURFACE_THRESHOLD,
    n_threads: int | None = None,
):
    """Boolean mask of boxes holding at least one atom whose SOAP environment (radius = cutoff · d_NN) is
    cut by a free surface of the sample."""
    descriptor = ARISEDescriptor.from_dict(descriptor)
    d_nn = nearest_neighbor_distance(atoms)
    radius = descriptor.cutoff * d_nn / descriptor.extrinsic_scale
    exposed = (surface_exposure(atoms, radius, n_threads=n_threads) > threshold).astype(np.float64)
    return _membership(grid, len(atoms)) @ exposed > 0


#: Relative difference between a box's mean nearest (α, β) distance and the sample's above which the
#: box is described in exact mode (its own d_NN) instead of with the sample's d_NN.
SCALE_TOLERANCE = 0.03


def scale_mismatch_boxes(
    atoms, grid: BoxGrid, tolerance: float = SCALE_TOLERANCE, n_threads: int | None = None
):
    """Boolean mask of boxes in which, for some species pair (α, β), the mean distance of the box's α atoms
    to their nearest β atom (in the whole sample) differs from the sample-wide mean by more than
    ``tolerance`` (relative): there the sample's d_NN(α, β) would scale the box wrongly."""
    from arisekit.descriptors.arise import species_pairs
    from arisekit.geometry import nearest_distances

    numbers = as_structure(atoms).numbers
    if not (np.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive fraction, got {tolerance}")
    out = np.zeros(grid.n_boxes, dtype=bool)
    boxes = np.arange(grid.n_boxes, dtype=np.int64)
    for alpha, beta in species_pairs(numbers):
        centres = np.flatnonzero(numbers == alpha)
        if alpha == beta and len(centres) < 2:
            continue
        d = nearest_distances(atoms, alpha, beta, n_threads=n_threads)
        if len(d) != len(centres):  # some centre has no β neighbour in reach: no per-atom check for this pair
            continue
        row = np.full(len(numbers), -1, dtype=np.int64)
        row[centres] = np.arange(len(centres))
        sums, counts = _core.box_row_sums(
            grid.offsets, grid.indices, boxes, row, d[:, None], resolve_threads(n_threads)
        )
        has = counts > 0
        local = sums[has, 0] / counts[has]
        out[np.flatnonzero(has)[np.abs(local - d.mean()) > float(tolerance) * d.mean()]] = True
    return out


def _membership(grid: BoxGrid, n_atoms: int) -> sp.csr_matrix:
    data = np.ones(len(grid.indices), dtype=np.float64)
    return sp.csr_matrix((data, grid.indices, grid.offsets), shape=(grid.n_boxes, n_atoms))


def fast_descriptors(
    atoms,
    grid: BoxGrid,
    descriptor: ARISEDescriptor,
    valid: np.ndarray,
    chunk: int = 4096,
    n_threads: int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (box indices, descriptors) chunk by chunk for the boxes marked ``valid``."""
    descriptor = ARISEDescriptor.from_dict(descriptor)
    pairs = descriptor.coefficients(atoms, n_threads=n_threads, dtype=np.float32)  # 1.8 GB per 10^6 atoms
    n_max, l_max = descriptor.n_max, descriptor.l_max
    numbers = as_structure(atoms).numbers
    no_values = np.zeros((1, 0))

    def box_sums(rows: np.ndarray, atom_row: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _core.box_row_sums(
            grid.offsets, grid.indices, rows, atom_row, values, resolve_threads(n_threads)
        )

    species_row = {z: np.where(numbers == z, 0, -1).astype(np.int64) for z in np.unique(numbers)}
    pair_row = []
    for pair in pairs:
        row = np.full(len(numbers), -1, dtype=np.int64)
        row[pair.centres] = np.arange(len(pair.centres))
        pair_row.append(row)
    boxes = np.flatnonzero(valid).astype(np.int64)
    for start in range(0, len(boxes), chunk):
        rows = boxes[start : start + chunk]
        total = None
        n_pairs = np.zeros(len(rows))
        present = {z: box_sums(rows, r, no_values)[1] for z, r in species_row.items()}
        for pair, atom_row in zip(pairs, pair_row, strict=True):
            counts = present[pair.centre]
            use = (counts > 0) & (present[pair.neighbour] > 0)
            if not use.any():
                continue
            sums, _ = box_sums(rows[use], atom_row, pair.coefficients)
            ps = power_spectrum(sums / counts[use, None], n_max=n_max, l_max=l_max, n_threads=n_threads)
            if total is None:
                total = np.zeros((len(rows), ps.shape[1]))
            total[use] += ps
            n_pairs[use] += 1
        yield rows, total / n_pairs[:, None]


def exact_descriptors(
    atoms,
    grid: BoxGrid,
    descriptor: ARISEDescriptor,
    valid: np.ndarray,
    chunk: int = 256,
    n_threads: int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (box indices, descriptors) chunk by chunk; boxes whose descriptor is undefined (an isolated
    species) are dropped from ``valid`` in place. Boxes are described concurrently, one per thread
    (``n_threads``; None: :mod:`arisekit.parallel`'s setting): a chunk in one C++ call
    (:mod:`arisekit.spm._exact_batch`), or for descriptors it does not handle (quippy backend,
    ``undefined_pairs="skip"``) box by box through :meth:`ARISEDescriptor.compute`
    (:func:`_exact_descriptors_python`, the reference: same descriptors to rounding)."""
    descriptor = ARISEDescriptor.from_dict(descriptor)
    if _exact_batch.supported(descriptor):
        return _exact_batch.exact_descriptors_batch(atoms, grid, descriptor, valid, chunk, n_threads)
    return _exact_descriptors_python(atoms, grid, descriptor, valid, chunk, n_threads)


def _exact_descriptors_python(
    atoms, grid: BoxGrid, descriptor: ARISEDescriptor, valid: np.ndarray, chunk: int, n_threads: int | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`exact_descriptors` box by box in Python (each box an open Structure through
    :meth:`ARISEDescriptor.compute`, a thread pool over boxes)."""
    _ = descriptor.soap  # radial tables built once for all boxes, before the threads start
    s = as_structure(atoms)
    numbers, positions, no_cell = s.numbers, s.positions, np.zeros((3, 3))

    def describe(b: int) -> np.ndarray | None:
        idx = grid.members(b)
        sub = Structure(positions[idx], no_cell, (False, False, False), numbers[idx])  # an open box
        try:
            return descriptor.compute(sub, n_threads=1)
        except ValueError:
            return None

    boxes = np.flatnonzero(valid)
    with thread_map(resolve_threads(n_threads)) as run:
        for start in range(0, len(boxes), chunk):
            rows, out = [], []
            part = boxes[start : start + chunk]
            for b, x in zip(part, run(describe, part)):
                if x is None:
                    valid[b] = False
                else:
                    rows.append(b)
                    out.append(x)
            if rows:
                yield np.asarray(rows), np.asarray(out)
