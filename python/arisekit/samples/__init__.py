"""Synthetic samples with ground truth: Voronoi polycrystals and a Ni-superalloy precipitate model."""

from arisekit.samples._polycrystal import DEFAULT_D_NN, distance_to_boundary, polycrystal
from arisekit.samples._superalloy import superalloy
from arisekit.samples.voronoi import boundary_distance, surface_distance

__all__ = [
    "DEFAULT_D_NN",
    "boundary_distance",
    "distance_to_boundary",
    "polycrystal",
    "superalloy",
    "surface_distance",
]
