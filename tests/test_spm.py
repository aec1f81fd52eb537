"""Strided pattern matching on a bicrystal: maps, modes, files, projection and bad input."""

import numpy as np
import pytest
from helpers import bicrystal

from arisekit.spm import SPMResult, choose_geometry, project_to_atoms, spm


@pytest.fixture(scope="module")
def sample():
    return bicrystal()


@pytest.fixture(scope="module")
def exact_result(sample, metal_model):
    return spm(sample, box_size=12.0, stride=3.0, mode="exact", model=metal_model, n_samples=30)


def test_exact_mode_finds_both_grains(sample, exact_result):
    r = exact_result
    assert r.geometry == "bulk" and r.n_boxes == int(np.prod(r.shape))
    pred = np.array(r.predictions, dtype=object)
    x = r.centers[:, 0]
    interior_left = (x < 12) & r.valid
    interior_right = (x > 30) & r.valid
    assert np.mean(pred[interior_left] == "fcc") >= 0.9
    assert np.mean(pred[interior_right] == "bcc") >= 0.9
    assert set(r.class_fractions()) >= {"fcc", "bcc"}


def test_fast_mode_grid_matches_exact_and_is_labelled(sample, metal_model, exact_result):
    fast = spm(
        sample, box_size=12.0, stride=3.0, mode="fast", model=metal_model, n_samples=30, representations=[0]
    )
    assert fast.shape == exact_result.shape
    np.testing.assert_array_equal(fast.counts, exact_result.counts)
    assert fast.representations[0].shape == (fast.n_boxes, 256)
    agreement = np.mean(fast.argmax[fast.valid] == exact_result.argmax[fast.valid])
    assert 0.0 <= agreement <= 1.0  # measured (and reported) by benchmarks/spm.py
    assert np.all(np.isfinite(fast.mutual_information[fast.valid]))


def test_empty_boxes_are_nan(sample, metal_model):
    r = spm(sample, box_size=12.0, stride=3.0, model=metal_model, n_samples=5, min_atoms=10_000)
    assert not r.valid.any() and np.isnan(r.probabilities).all() and (r.argmax == -1).all()


def test_save_load_round_trip(tmp_path, exact_result):
    path = exact_result.save(tmp_path / "map.h5")
    back = SPMResult.load(path)
    np.testing.assert_array_equal(back.probabilities, exact_result.probabilities)
    assert back.class_names == exact_result.class_names and back.shape == exact_result.shape
    assert back.params["box_descriptors"] == "exact" and back.params["arisekit_version"]
    assert back.map("fcc").shape == exact_result.shape


def test_projection_onto_atoms(sample, exact_result):
    per_atom = project_to_atoms(exact_result, sample)
    pred = per_atom["prediction"]
    x = sample.positions[:, 0]
    assert np.mean(pred[x < 10] == exact_result.class_names.index("fcc")) > 0.9
    assert np.mean(pred[x > 32] == exact_result.class_names.index("bcc")) > 0.9


def test_geometry_choice():
    assert choose_geometry(np.array([50.0, 50, 50]), 16) == ("bulk", None)
    assert choose_geometry(np.array([50.0, 50, 10]), 16) == ("slab", 2)
    assert choose_geometry(np.array([10.0, 60, 10]), 16) == ("rod", 1)
    with pytest.raises(ValueError, match="exceeds the sample extent"):
        choose_geometry(np.array([10.0, 10, 10]), 16)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(box_size=100.0), "exceeds the sample extent"),
        (dict(box_size=12.0, stride=13.0), "larger than box_size"),
        (dict(box_size=-1.0), "box_size"),
        (dict(stride=0.0), "stride"),
        (dict(box_descriptors="approximate"), "box_descriptors"),
        (dict(mode="approximate"), "box_descriptors"),  # the older keyword
        (dict(n_samples=0), "n_samples"),
        (dict(stride=1e-4, max_memory=1e6), "memory limit"),
        (dict(geometry="sphere"), "geometry"),
    ],
)
def test_bad_input(sample, metal_model, kwargs, message):
    args = dict(box_size=12.0, stride=3.0, model=metal_model, n_samples=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        spm(sample, **args)


def test_empty_sample_is_rejected(metal_model):
    from ase import Atoms

    with pytest.raises(ValueError, match="no atoms"):
        spm(Atoms(), model=metal_model)


def test_load_rejects_other_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        SPMResult.load(tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="corrupt"):
        SPMResult.load(bad)


def test_fast_mode_uses_shared_coefficients_in_periodic_samples(metal_model):
    from ase.build import bulk

    crystal = bulk("Fe", "bcc", a=2.87, cubic=True).repeat((10, 10, 10))
    r = spm(crystal, box_size=12.0, stride=4.0, model=metal_model, n_samples=10)
    assert r.params["exact_boxes"] == 0 and r.valid.all()
    assert set(r.class_fractions()) == {"bcc"}


def test_fast_mode_falls_back_to_exact_at_free_surfaces(sample, metal_model, exact_result):
    fast = spm(sample, box_size=12.0, stride=3.0, model=metal_model, n_samples=30)
    assert fast.params["exact_boxes"] > 0
    pure = spm(sample, box_size=12.0, stride=3.0, model=metal_model, n_samples=30, surface_threshold=None)
    assert pure.params["exact_boxes"] == 0
    # With the fallback the slab's boxes (all touch its free surfaces) match exact mode.
    np.testing.assert_array_equal(fast.argmax, exact_result.argmax)


def test_boxes_of_another_scale_take_the_exact_path():
    """An ordered L1_2 block in a random fcc alloy: its (Al, Al) nearest distances are the cube edge, not
    the matrix's; those boxes are flagged (described with their own d_NN), a homogeneous crystal's not."""
    from ase.build import bulk

    from arisekit.spm.descriptors import scale_mismatch_boxes
    from arisekit.spm.grid import spm_grid

    rng = np.random.default_rng(0)
    a = 3.57
    sample = bulk("Ni", "fcc", a=a, cubic=True).repeat(10)
    frac = sample.get_scaled_positions() * 10
    corner = np.all(np.isclose(frac % 1.0, 0.0, atol=1e-6), axis=1)
    in_block = np.all(sample.positions < 4 * a - 0.1, axis=1)
    numbers = sample.numbers.copy()
    numbers[in_block & corner] = 13  # L1_2 Ni3Al block in one corner
    matrix = np.flatnonzero(~in_block)
    numbers[rng.choice(matrix, len(matrix) // 8, replace=False)] = 13  # random 12.5 % Al elsewhere
    sample.numbers = numbers
    grid, _, _ = spm_grid(sample.positions, 12.0, 6.0, "bulk", None, 4 * 1024**3)
    flagged = scale_mismatch_boxes(sample, grid)
    centres = grid.centers
    assert flagged[np.all(centres < 4 * a - 6.0 + 1e-9, axis=1)].all()  # boxes inside the block
    pure = bulk("Ni", "fcc", a=a, cubic=True).repeat(10)
    grid, _, _ = spm_grid(pure.positions, 12.0, 6.0, "bulk", None, 4 * 1024**3)
    assert not scale_mismatch_boxes(pure, grid).any()
    with pytest.raises(ValueError, match="tolerance"):
        scale_mismatch_boxes(pure, grid, tolerance=0.0)
