"""SPM exact mode in C++ (``_core.arise_box_descriptors``, arisekit.spm._exact_batch) against the Python
path it replaces (each box an open structure through ARISEDescriptor.compute): the same d_NN bit for bit,
the same descriptors to rounding, the same boxes dropped, the same SPM classes."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from arisekit import _core
from arisekit.descriptors import ARISEDescriptor
from arisekit.geometry import as_structure, nearest_neighbor_distance
from arisekit.spm import _exact_batch
from arisekit.spm import descriptors as spm_descriptors
from arisekit.spm.grid import spm_grid


@pytest.fixture(scope="module")
def particle():
    """A small FePt particle with AET-like errors (noise, species errors, missing and spurious atoms)."""
    from arisekit.samples import aet_errors, annealing_series

    clean = annealing_series(1500, 0)
    return aet_errors(clean[-1], 2, position_noise=0.2, species_error=0.03, missing=0.02, spurious=0.01)


@pytest.fixture(scope="module")
def grid(particle):
    return spm_grid(as_structure(particle).positions, 10.0, 3.0)[0]


def _boxes(grid, n, seed=0):
    valid = np.flatnonzero(grid.counts >= 10)
    return np.sort(np.random.default_rng(seed).choice(valid, min(n, len(valid)), replace=False))


def _dnn_python(pos, num, a, b, method):
    try:
        return nearest_neighbor_distance(Atoms(numbers=num, positions=pos), a, b, method=method)
    except ValueError:
        return None


def _dnn_cpp(pos, num, a, b, method):
    try:
        return _core.open_pair_dnn(pos, num.astype(np.int64), a, b, method, 100)
    except ValueError:
        return None


@pytest.mark.parametrize("method", ["shell", "hist", "mean"])
def test_box_dnn_bit_for_bit(particle, grid, method):
    s = as_structure(particle)
    n = 0
    for b in _boxes(grid, 40):
        idx = grid.members(b)
        pos, num = np.ascontiguousarray(s.positions[idx]), s.numbers[idx]
        for a in np.unique(num):
            for c in np.unique(num):
                assert _dnn_cpp(pos, num, int(a), int(c), method) == _dnn_python(
                    pos, num, int(a), int(c), method
                )
                n += 1
    assert n >= 100


def test_dnn_errors_match():
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 8, (30, 3))
    num = np.full(30, 26)
    num[0] = 78  # a lone Pt: (Pt, Pt) is undefined
    assert _dnn_cpp(pos, num, 78, 78, "shell") is None and _dnn_python(pos, num, 78, 78, "shell") is None
    assert _dnn_cpp(pos, num, 78, 26, "shell") == _dnn_python(pos, num, 78, 26, "shell")
    pos[5] = pos[4]  # overlapping atoms
    assert _dnn_cpp(pos, num, 26, 26, "hist") is None and _dnn_python(pos, num, 26, 26, "hist") is None


def _describe(source, particle, grid, descriptor, boxes):
    valid = np.zeros(grid.n_boxes, dtype=bool)
    valid[boxes] = True
    out = {int(r): x for rows, X in source(particle, grid, descriptor, valid, 16, 2) for r, x in zip(rows, X)}
    return out, valid


@pytest.mark.parametrize(
    "descriptor",
    [
        ARISEDescriptor(d_nn_method="shell"),  # the shipped model's
        ARISEDescriptor(d_nn_method="hist", central_weight=1.0, extrinsic_scale=1.1),
    ],
)
def test_descriptors_equal_python_path(particle, grid, descriptor):
    boxes = _boxes(grid, 40, seed=1)
    old, valid_old = _describe(spm_descriptors._exact_descriptors_python, particle, grid, descriptor, boxes)
    new, valid_new = _describe(spm_descriptors.exact_descriptors, particle, grid, descriptor, boxes)
    assert np.array_equal(valid_old, valid_new) and sorted(old) == sorted(new) and len(new) >= 30
    for b, x in old.items():
        assert new[b].shape == x.shape == (descriptor.dim,)
        np.testing.assert_allclose(new[b], x, rtol=0, atol=1e-12 * np.abs(x).max())


def test_undefined_boxes_dropped_alike():
    """Boxes holding a lone atom of one species have no descriptor on either path; the others agree."""
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 16, (300, 3))
    num = np.full(300, 26)
    num[7] = 78
    atoms = Atoms(numbers=num, positions=pos)
    grid = spm_grid(pos, 8.0, 4.0)[0]
    d = ARISEDescriptor(d_nn_method="shell")
    boxes = np.flatnonzero(grid.counts >= 10)
    old, valid_old = _describe(spm_descriptors._exact_descriptors_python, atoms, grid, d, boxes)
    new, valid_new = _describe(spm_descriptors.exact_descriptors, atoms, grid, d, boxes)
    lone = [b for b in boxes if 7 in grid.members(b)]
    assert lone and not valid_new[lone].any() and np.array_equal(valid_old, valid_new)
    for b, x in old.items():
        np.testing.assert_allclose(new[b], x, rtol=0, atol=1e-12 * np.abs(x).max())


def test_unsupported_parameters_use_python_path(particle, grid):
    d = ARISEDescriptor(undefined_pairs="skip")
    assert not _exact_batch.supported(d) and _exact_batch.supported(ARISEDescriptor())
    boxes = _boxes(grid, 5)
    old, _ = _describe(spm_descriptors._exact_descriptors_python, particle, grid, d, boxes)
    new, _ = _describe(spm_descriptors.exact_descriptors, particle, grid, d, boxes)
    assert sorted(old) == sorted(new) and all(np.array_equal(old[b], new[b]) for b in old)


def test_spm_map_same_classes(particle, monkeypatch):
    from arisekit.spm import spm

    kw = dict(box_size=10.0, stride=4.0, box_descriptors="exact", n_samples=20, n_threads=2)
    new = spm(particle, **kw)
    monkeypatch.setattr(_exact_batch, "supported", lambda descriptor: False)
    old = spm(particle, **kw)
    assert np.array_equal(old.valid, new.valid) and new.valid.sum() >= 20
    v = new.valid
    assert np.array_equal(old.probabilities[v].argmax(1), new.probabilities[v].argmax(1))
    np.testing.assert_allclose(new.probabilities[v], old.probabilities[v], atol=1e-9)
    np.testing.assert_allclose(new.mutual_information[v], old.mutual_information[v], atol=1e-9)
