"""Cluster maps: labels of explored boxes written back onto the SPM grid and onto the sample's atoms."""

from __future__ import annotations

import numpy as np

from arisekit.explore.clustering import OUTLIER

#: Label of boxes (or atoms) that were not clustered: empty boxes or boxes removed by a filter.
EXCLUDED = -2


def grid_labels(result, ids, labels) -> np.ndarray:
    """Labels on the SPM grid, array of ``result.shape``: cluster index, -1 outlier, -2 not clustered."""
    ids = np.asarray(ids, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    if ids.shape != labels.shape:
        raise ValueError(f"ids {ids.shape} and labels {labels.shape} must have the same length")
    if len(ids) and (ids.min() < 0 or ids.max() >= result.n_boxes):
        raise ValueError(f"ids must index the {result.n_boxes} boxes of the SPM result")
    out = np.full(result.n_boxes, EXCLUDED, dtype=np.int64)
    out[ids] = labels
    return out.reshape(result.shape)


def prepare_sample(atoms):
    """Copy of ``atoms`` wrapped into the cell along periodic axes (as SPM does)."""
    from arisekit.geometry import as_structure

    s = as_structure(atoms)
    if len(s) == 0:
        raise ValueError("atoms: the sample has no atoms")
    sample = atoms.copy()
    if any(s.pbc):
        sample.wrap()
    return sample


def box_grid(result, atoms):
    """The SPM box grid of ``result`` rebuilt over ``atoms`` (the sample the result was computed on).

    Returns ``(grid, sample)``: :class:`arisekit.geometry.BoxGrid` and the wrapped copy of the atoms.
    """
    from arisekit.geometry import strided_boxes

    sample = prepare_sample(atoms)
    if "box_size" not in result.params:
        raise ValueError("the SPM result lacks params['box_size']: cannot rebuild its box grid")
    grid = strided_boxes(
        sample.get_positions(),
        float(result.params["box_size"]),
        float(result.stride),
        geometry=result.geometry,
        axis=result.params.get("axis"),
    )
    if grid.n_boxes != result.n_boxes:
        raise ValueError(
            f"atoms do not match the SPM result: they give {grid.n_boxes} boxes, the result has "
            f"{result.n_boxes} (pass the sample the SPM map was computed on)"
        )
    return grid, sample


def atom_labels(result, atoms, box_labels) -> np.ndarray:
    """Per-atom cluster labels: majority vote of the clustered boxes (outliers included, as -1) that
    contain each atom; -2 where no clustered box contains it. ``box_labels`` as :func:`grid_labels`."""
    import scipy.sparse as sp

    grid, sample = box_grid(result, atoms)
    lab = np.asarray(box_labels, dtype=np.int64).reshape(-1)
    if len(lab) != grid.n_boxes:
        raise ValueError(f"box_labels has {len(lab)} entries, the SPM grid has {grid.n_boxes} boxes")
    member = sp.csr_matrix(
        (np.ones(len(grid.indices)), grid.indices, grid.offsets), shape=(grid.n_boxes, len(sample))
    ).T.tocsr()
    values = np.unique(lab[lab != EXCLUDED])
    if len(values) == 0:
        return np.full(len(sample), EXCLUDED, dtype=np.int64)
    votes = np.column_stack([member @ (lab == v).astype(np.float64) for v in values])
    # clusters win ties against outliers: order the columns so that real clusters come first
    order = np.argsort(values == OUTLIER, kind="stable")
    best = order[np.argmax(votes[:, order], axis=1)]
    out = values[best].astype(np.int64)
    out[votes.sum(axis=1) == 0] = EXCLUDED
    return out
