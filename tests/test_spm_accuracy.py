"""SPM with the shipped model on synthetic samples with ground truth (issue acceptance, small sizes)."""

import numpy as np
import pytest

from arisekit.samples import boundary_distance, polycrystal, superalloy
from arisekit.spm import project_to_atoms, spm


@pytest.fixture(scope="module")
def polycrystal_map():
    grains = ["fcc", "bcc", "hcp", "diamond"]
    sample = polycrystal(grains, (64.0, 64.0, 12.0), geometry="slab", seed=0, species="Cu")
    return sample, spm(sample, box_size=12.0, stride=3.0, n_samples=50, seed=0)


def test_grain_interiors_get_their_grains_class(polycrystal_map):
    sample, result = polycrystal_map
    per_atom = project_to_atoms(result, sample)
    names = np.asarray(result.class_names + ["none"])[per_atom["prediction"]]
    truth = np.asarray(sample.info["class_names"])[sample.arrays["class_label"]]
    interior = sample.arrays["boundary_distance"] >= 12.0  # one box length from any boundary
    assert interior.sum() > 300
    assert np.mean(names[interior] == truth[interior]) >= 0.98


def test_boundary_boxes_are_more_uncertain_than_interior_boxes(polycrystal_map):
    sample, result = polycrystal_map
    seeds = np.asarray(sample.info["grain_seeds"])
    nearest = np.argmin(((result.centers[:, None, :2] - seeds[None, :, :2]) ** 2).sum(-1), axis=1)
    d = boundary_distance(result.centers, seeds, nearest, dims=2)
    mi = result.mutual_information
    boundary = np.nanmedian(mi[result.valid & (d < 3.0)])
    interior = np.nanmedian(mi[result.valid & (d >= 12.0)])
    assert boundary >= 3 * max(interior, 1e-4)


def test_l12_precipitate_is_found_in_the_random_fcc_matrix():
    sample = superalloy(edge=56.0, precipitate_edge=20.0, seed=0)
    # 16 Å boxes, the paper's size for its FePt nanoparticle: 12 Å boxes of this random alloy hold only
    # ~12 Al atoms, too few for the (Al, Al) substructure to read as disordered (many look ordered)
    result = spm(sample, box_size=16.0, stride=4.0, n_samples=50, seed=0)
    centre = sample.get_positions().mean(axis=0)
    pred = np.asarray(result.predictions, dtype=object)
    offset = np.abs(result.centers - centre).max(axis=1)  # Chebyshev distance of the box centre (Å)
    inside = offset <= 2.0  # boxes (16 Å) entirely inside the 20 Å precipitate
    matrix = result.valid & (offset >= 18.0)  # boxes entirely in the matrix
    # the precipitate's (Al, Al) distances differ from the matrix's: those boxes take the exact path
    assert inside.any() and np.all(pred[inside] == "L1_2")
    assert np.mean(pred[matrix] == "fcc") >= 0.6
    assert np.mean(pred[matrix] == "fcc") > np.mean(pred[matrix] == "L1_2")
