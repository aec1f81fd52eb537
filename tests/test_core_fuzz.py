"""Property-based tests: random and degenerate input to every C++ entry point either gives a correct
answer or raises ValueError — never a crash.

Each property runs in two tiers: the default run draws ``ARISEKIT_FUZZ_EXAMPLES`` (150) examples per
entry point; the ``slow`` tier (``python3 -m pytest -m slow``, deselected by default, run by CI's slow
step) draws ``ARISEKIT_FUZZ_SLOW_EXAMPLES`` (3,000).
"""

import functools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arisekit import _core

finite = st.floats(-30, 30, allow_nan=False)
anything = st.floats(allow_nan=True, allow_infinity=True, width=64)
coords = st.one_of(finite, anything, st.sampled_from([0.0, 1e-300, -0.0, 1e12]))
cells = arrays(np.float64, (3, 3), elements=st.one_of(finite, st.sampled_from([0.0, 1e-12, np.nan])))
pbcs = st.lists(st.booleans(), min_size=3, max_size=3)
lengths = st.one_of(st.floats(0.05, 12), st.sampled_from([0.0, -1.0, np.nan, np.inf, 1e-9]))
FAST_EXAMPLES = int(os.environ.get("ARISEKIT_FUZZ_EXAMPLES", 150))
SLOW_EXAMPLES = int(os.environ.get("ARISEKIT_FUZZ_SLOW_EXAMPLES", 3000))


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


#: least share of examples that must be answered (not refused with ValueError); 10-27 % are at 150
#: examples, so this only fails when a strategy (or the core) stops producing answerable input
MIN_ANSWERED = 0.02


def tiers(**strategies):
    """The property ``body`` as two tests: the default tier and a ``slow``-marked one with more examples.

    ``body`` returns True when the entry point answered (and the answer was checked) and False when it
    refused the input with ValueError. Each test then asserts that at least ``MIN_ANSWERED`` of the
    examples were answered: a strategy that only produces refused input would check nothing.
    """

    def build(body):
        def tier(examples: int):
            outcomes: list[bool] = []

            @functools.wraps(body)
            def recorded(**kwargs):
                answered = body(**kwargs)
                assert isinstance(answered, bool), f"{body.__name__} must return True or False"
                outcomes.append(answered)

            run = _settings(examples)(given(**strategies)(recorded))

            def test():
                outcomes.clear()
                run()
                n = sum(outcomes)
                assert n >= MIN_ANSWERED * len(outcomes), (
                    f"{body.__name__}: only {n} of {len(outcomes)} examples were answered"
                )

            test.__name__ = test.__qualname__ = body.__name__.lstrip("_")
            return test

        return tier(FAST_EXAMPLES), pytest.mark.slow(tier(SLOW_EXAMPLES))

    return build


def _points(max_n=25):
    return st.integers(0, max_n).flatmap(lambda n: arrays(np.float64, (n, 3), elements=coords))


def _neighbor_list_never_crashes(pos, cell, pbc, cutoff):
    try:
        out = _core.neighbor_list(pos, cell, pbc, cutoff, True, True, 2)
    except ValueError:
        return False
    # Answered: every returned pair is within the cutoff and consistent with its shift.
    d = out["distance"]
    assert np.all(d < cutoff)
    vec = pos[out["j"]] - pos[out["i"]] + out["shift"] @ np.where(np.array(pbc)[:, None], cell, 0.0)
    np.testing.assert_allclose(
        np.linalg.norm(vec, axis=1), d, atol=1e-6 * max(1.0, np.abs(pos).max(initial=1))
    )
    return True


test_neighbor_list_never_crashes, test_neighbor_list_never_crashes_slow = tiers(
    pos=_points(), cell=cells, pbc=pbcs, cutoff=lengths
)(_neighbor_list_never_crashes)


def _nearest_distances_never_crashes(pos, cell, pbc, cutoff, data):
    n = len(pos)
    idx = st.lists(st.integers(-2, n + 1), max_size=8)
    centers, candidates = data.draw(idx), data.draw(idx)
    try:
        d = _core.nearest_distances(pos, cell, pbc, centers, candidates, cutoff, 2)
    except ValueError:
        return False
    assert len(d) == len(centers)
    assert np.all((d < cutoff) | np.isinf(d))
    return True


test_nearest_distances_never_crashes, test_nearest_distances_never_crashes_slow = tiers(
    pos=_points(), cell=cells, pbc=pbcs, cutoff=lengths, data=st.data()
)(_nearest_distances_never_crashes)


def _strided_boxes_never_crash(pos, size, stride, spanned):
    try:
        out = _core.strided_boxes(pos, [size] * 3, [stride] * 3, spanned, 2e7)
    except ValueError:
        return False
    counts = np.diff(out["offsets"])
    assert counts.sum() == len(out["indices"])
    assert np.all(out["indices"] < len(pos))
    return True


test_strided_boxes_never_crash, test_strided_boxes_never_crash_slow = tiers(
    pos=_points(), size=lengths, stride=lengths, spanned=pbcs
)(_strided_boxes_never_crash)


def _sphere_members_never_crash(pos, centers, radius):
    try:
        out = _core.sphere_members(pos, centers, radius, 2e7, 2)
    except ValueError:
        return False
    for c in range(len(centers)):
        members = out["indices"][out["offsets"][c] : out["offsets"][c + 1]]
        assert np.all(np.linalg.norm(pos[members] - centers[c], axis=1) <= radius * (1 + 1e-12))
    return True


test_sphere_members_never_crash, test_sphere_members_never_crash_slow = tiers(
    pos=_points(), centers=_points(6), radius=lengths
)(_sphere_members_never_crash)


_dense_dtypes = st.sampled_from([np.float32, np.float64, np.int64])
_small = st.integers(0, 5)


def _matrix(dtype, rows, cols, contiguous):
    a = np.random.default_rng(rows * 7 + cols).normal(size=(rows, 2 * cols)).astype(dtype)
    return a[:, ::2] if not contiguous else np.ascontiguousarray(a[:, :cols])


def _dense_kernels_never_crash(types, shape, contiguous, special):
    n, w, m, wb = shape
    z = _matrix(types[0], n, w, contiguous)
    if z.size:
        z.flat[0] = special if z.dtype.kind == "f" else 0
    answered = False  # by at least one of the three kernels
    for call in (
        lambda: _core.bias_relu(z, np.zeros(w, types[1])),
        lambda: _core.gathered_difference_relu(
            z, _matrix(types[1], n, wb, True), np.arange(w, dtype=types[2]) % max(wb, 1)
        ),
        lambda: _core.softmax_accumulate(
            z, np.zeros((m, w), types[1]), np.zeros(m, types[2]), np.zeros((m, w), types[3])
        ),
    ):
        try:
            call()
        except ValueError:
            continue
        answered = True
    return answered


test_dense_kernels_never_crash, test_dense_kernels_never_crash_slow = tiers(
    types=st.tuples(_dense_dtypes, _dense_dtypes, _dense_dtypes, _dense_dtypes),
    shape=st.tuples(_small, _small, _small, _small),
    contiguous=st.booleans(),
    special=st.sampled_from([0.0, np.nan, np.inf, -np.inf]),
)(_dense_kernels_never_crash)


def _box_row_sums_never_crash(offsets, indices, boxes, atom_row, shape):
    values = np.ones(shape)
    try:
        sums, counts = _core.box_row_sums(
            np.array(offsets, dtype=np.int64),
            np.array(indices, dtype=np.int32),
            np.array(boxes, dtype=np.int64),
            np.array(atom_row, dtype=np.int64),
            values,
        )
    except ValueError:
        return False
    assert sums.shape == (len(boxes), shape[1]) and np.all(counts >= 0)
    return True


test_box_row_sums_never_crash, test_box_row_sums_never_crash_slow = tiers(
    offsets=st.lists(st.integers(-2, 8), min_size=0, max_size=5),
    indices=st.lists(st.integers(-2, 6), max_size=8),
    boxes=st.lists(st.integers(-2, 5), max_size=5),
    atom_row=st.lists(st.integers(-2, 4), max_size=6),
    shape=st.tuples(st.integers(0, 4), st.integers(0, 3)),
)(_box_row_sums_never_crash)
