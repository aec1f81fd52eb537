"""Geometry on the C++ core: neighbour lists, isotropic scaling by d_NN, strided boxes."""

from arisekit.geometry._input import Structure, as_structure, is_structure_like, ovito_arrays
from arisekit.geometry.boxes import BoxGrid, sphere_members, strided_boxes
from arisekit.geometry.neighbors import NeighborList, neighbor_list, surface_exposure
from arisekit.geometry.scaling import nearest_distances, nearest_neighbor_distance, scale_isotropically

__all__ = [
    "BoxGrid",
    "NeighborList",
    "Structure",
    "as_structure",
    "is_structure_like",
    "nearest_distances",
    "nearest_neighbor_distance",
    "neighbor_list",
    "ovito_arrays",
    "scale_isotropically",
    "sphere_members",
    "strided_boxes",
    "surface_exposure",
]
