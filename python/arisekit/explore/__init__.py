"""Exploring ARISE's internal representations (ARISE Figs. 2d–g, 4b, S6, S9, S11).

Hidden-layer representations of SPM boxes or structures are clustered with HDBSCAN (minimum-cluster-size
sweeps with the DBCV validity index, soft assignment of outliers), projected with UMAP, written back as
cluster maps on the grid and the atoms, and interpreted through nearest-neighbour geometry, similarity to
prototypes/exemplars and MI time series.

Layer numbering: ``layer=0`` is the first hidden layer in the Python API; ``arisekit explore --layer 1``
means the same layer (the command line counts from 1, as the paper does).
"""

from arisekit.explore.clustering import (
    OUTLIER,
    Clustering,
    SweepRow,
    best_size,
    cluster,
    default_sizes,
    sweep,
)
from arisekit.explore.data import ExplorationData, filter_points, from_spm, from_structures
from arisekit.explore.embedding import umap_embedding
from arisekit.explore.geometry import box_distances, cluster_histograms, delta_d, structure_distances
from arisekit.explore.maps import EXCLUDED, atom_labels, grid_labels
from arisekit.explore.pipeline import Exploration, ExploreParameters, explore
from arisekit.explore.report import write_report, write_time_series
from arisekit.explore.similarity import (
    References,
    cosine_similarity,
    duplicate_groups,
    near_duplicates,
    nearest,
    prototype_references,
    rank_exemplars,
    reference_set,
)
from arisekit.explore.timeseries import MIHistograms, RadialProfile, mi_histograms, radial_mi_profile

__all__ = [
    "EXCLUDED",
    "OUTLIER",
    "Clustering",
    "Exploration",
    "ExplorationData",
    "ExploreParameters",
    "MIHistograms",
    "RadialProfile",
    "References",
    "SweepRow",
    "atom_labels",
    "best_size",
    "box_distances",
    "cluster",
    "cluster_histograms",
    "cosine_similarity",
    "default_sizes",
    "delta_d",
    "duplicate_groups",
    "explore",
    "filter_points",
    "from_spm",
    "from_structures",
    "grid_labels",
    "mi_histograms",
    "near_duplicates",
    "nearest",
    "prototype_references",
    "radial_mi_profile",
    "rank_exemplars",
    "reference_set",
    "structure_distances",
    "sweep",
    "umap_embedding",
    "write_report",
    "write_time_series",
]
