"""Strided boxes and spheres against brute-force membership."""

import numpy as np
import pytest

from arisekit.geometry import sphere_members, strided_boxes


def _brute_force(pos, grid):
    lo = grid.origins
    hi = grid.origins + grid.size
    inside = np.all((pos[None] >= lo[:, None]) & (pos[None] <= hi[:, None]), axis=-1)
    return [np.flatnonzero(row) for row in inside]


@pytest.mark.parametrize("seed", range(5))
def test_bulk_boxes_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, rng.uniform(10, 30, 3), (300, 3))
    box, stride = rng.uniform(3, 9), rng.uniform(1, 4)
    grid = strided_boxes(pos, box, stride)
    assert grid.n_boxes == int(np.prod(grid.shape))
    for b, expected in enumerate(_brute_force(pos, grid)):
        np.testing.assert_array_equal(grid.members(b), expected)


def test_arise_convention_last_box_reaches_maximum_and_overhang_is_centred():
    pos = np.array([[0.0, 0, 0], [10.0, 0, 0], [0, 7.0, 0], [0, 0, 3.0]])
    grid = strided_boxes(pos, 4.0, 3.0)
    # x: extent 10, box 4, stride 3 -> ceil(6/3)+1 = 3 boxes covering 10 -> no overhang
    # y: extent 7 -> ceil(3/3)+1 = 2 boxes covering 7; z: extent 3 < 4 -> one box, overhang 1
    assert grid.shape == (3, 2, 1)
    np.testing.assert_allclose(grid.origins[0], [0.0, 0.0, -0.5])
    assert grid.origins[:, 0].max() + 4.0 == pytest.approx(10.0)
    pos2 = np.array([[0.0, 0, 0], [11.0, 0, 0]])
    g2 = strided_boxes(pos2, 4.0, 3.0)  # 4 boxes cover 13: overhang 2 split evenly
    assert g2.shape[0] == 4 and g2.origins[0, 0] == pytest.approx(-1.0)
    assert g2.centers[0, 0] == pytest.approx(1.0)


def test_slab_and_rod_modes_span_axes():
    rng = np.random.default_rng(1)
    pos = rng.uniform(0, 20, (200, 3))
    slab = strided_boxes(pos, 6.0, 2.0, geometry="slab")
    old = strided_boxes(pos, 6.0, 2.0, mode="slab")  # the older keyword
    assert old.shape == slab.shape and np.array_equal(old.indices, slab.indices)
    assert slab.shape[2] == 1 and slab.shape[0] > 1
    for b, expected in enumerate(_brute_force(pos, slab)):
        np.testing.assert_array_equal(slab.members(b), expected)
    rod = strided_boxes(pos, 6.0, 2.0, geometry="rod", axis=0)
    assert rod.shape[1:] == (1, 1) and rod.shape[0] > 1
    assert rod.counts.sum() >= len(pos)


def test_spheres_match_brute_force():
    rng = np.random.default_rng(2)
    pos = rng.uniform(0, 15, (400, 3))
    centers = rng.uniform(0, 15, (30, 3))
    grid = sphere_members(pos, centers, 3.5)
    dist = np.linalg.norm(pos[None] - centers[:, None], axis=-1)
    for b in range(len(centers)):
        np.testing.assert_array_equal(grid.members(b), np.flatnonzero(dist[b] <= 3.5))


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros((0, 3)), 4.0, 1.0), {}, "no atoms"),
        ((np.ones((5, 3)), 0.0, 1.0), {}, "box_size"),
        ((np.ones((5, 3)), 4.0, -1.0), {}, "stride"),
        ((np.ones((5, 3)), np.nan, 1.0), {}, "box_size"),
        ((np.array([[0, 0, 0], [np.nan, 0, 0]]), 4.0, 1.0), {}, "NaN"),
        ((np.array([[0, 0, 0], [1e6, 1e6, 1e6]]), 4.0, 1e-3), {}, "absurd|memory limit"),
        ((np.array([[0, 0, 0], [100, 100, 100]]), 4.0, 1.0), {"max_memory": 1e5}, "memory limit"),
        ((np.ones((5, 3)), 4.0, 1.0), {"geometry": "sphere"}, "geometry"),
        ((np.ones((5, 3)), 4.0, 1.0), {"mode": "sphere"}, "mode"),  # the older keyword
        ((np.ones((5, 3)), 4.0, 1.0), {"geometry": "slab", "axis": 3}, "axis"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        strided_boxes(*args, **kwargs)


def test_bad_sphere_input():
    with pytest.raises(ValueError, match="radius"):
        sphere_members(np.ones((3, 3)), np.zeros((1, 3)), 0.0)
    with pytest.raises(ValueError, match="centers"):
        sphere_members(np.ones((3, 3)), np.full((1, 3), np.nan), 1.0)


def test_box_row_sums_match_numpy():
    from arisekit import _core

    rng = np.random.default_rng(4)
    pos = rng.uniform(0, 20, (400, 3))
    grid = strided_boxes(pos, 6.0, 2.5)
    atom_row = np.where(rng.random(400) < 0.6, -1, 0)
    atom_row[atom_row == 0] = np.arange(np.count_nonzero(atom_row == 0))
    values = rng.normal(size=(int(atom_row.max()) + 1, 7))
    boxes = rng.choice(grid.n_boxes, 40, replace=False)
    for n_threads in (1, 2):
        sums, counts = _core.box_row_sums(grid.offsets, grid.indices, boxes, atom_row, values, n_threads)
        for k, b in enumerate(boxes):
            rows = atom_row[grid.members(b)]
            rows = rows[rows >= 0]
            assert counts[k] == len(rows)
            np.testing.assert_allclose(sums[k], values[rows].sum(axis=0), atol=1e-12)
    # zero-width values give the counts only
    counted = np.where(atom_row >= 0, 0, -1)
    _, counts_only = _core.box_row_sums(grid.offsets, grid.indices, boxes, counted, np.zeros((1, 0)))
    np.testing.assert_array_equal(counts_only, counts)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"boxes": np.array([10**6])}, "boxes"),
        ({"atom_row": np.full(5, 3)}, "atom_row"),  # only 3 value rows
        ({"indices": np.array([0, 1, 9], dtype=np.int32)}, "indices"),
        ({"offsets": np.array([0, 2, 1, 3])}, "offsets"),
        ({"values": np.zeros(3)}, "values"),
    ],
)
def test_box_row_sums_reject_bad_input(change, match):
    from arisekit import _core

    args = dict(
        offsets=np.array([0, 1, 2, 3]),
        indices=np.array([0, 1, 2], dtype=np.int32),
        boxes=np.array([0, 1, 2]),
        atom_row=np.array([0, 1, 2, -1, -1]),
        values=np.ones((3, 2)),
    )
    args.update(change)
    with pytest.raises(ValueError, match=match):
        _core.box_row_sums(**args)


def test_sphere_query_far_from_a_nearly_flat_point_set():
    # the points span ~1e-31 Å along z: a query 19 Å off the plane once overflowed the bin range (segfault)
    pos = np.array([[0.0, 18.884858030626802, 0.0], [0.0, 6.1e-156, 5.9e-31]])
    centers = np.array([[0.0, 18.884858030626802, 0.0], [0.0, 6.1e-156, 18.884858030626802]])
    grid = sphere_members(pos, centers, 1.9)
    assert [list(grid.members(c)) for c in range(2)] == [[0], []]
