"""Two-dimensional UMAP projection of representations (structure-similarity maps, ARISE Figs. 2e–g, 4b)."""

from __future__ import annotations

import warnings

import numpy as np


def umap_embedding(
    features,
    n_neighbors: int = 15,
    *,
    min_dist: float = 0.1,
    metric: str = "euclidean",
    seed: int = 0,
) -> np.ndarray:
    """UMAP coordinates (n, 2) of ``features`` (n, width); axes are not interpretable, distances are.

    ``n_neighbors`` sets the balance of local vs. global structure (ARISE: 500 for ~8000 boxes, 50 for the
    L1_0 subset); it must be smaller than the number of points. ``seed`` makes the map reproducible.
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim != 2 or not np.isfinite(X).all():
        raise ValueError(f"features must be a finite 2D array (n_points, width), got shape {X.shape}")
    k = int(n_neighbors)
    if k != n_neighbors or k < 2:
        raise ValueError(f"n_neighbors must be an integer >= 2, got {n_neighbors}")
    if k >= len(X):
        raise ValueError(
            f"n_neighbors={k} must be smaller than the number of points ({len(X)}): "
            "lower it or keep more points"
        )
    if not 0 <= min_dist <= 1:
        raise ValueError(f"min_dist must be in [0, 1], got {min_dist}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba / n_jobs notices
        import umap

        model = umap.UMAP(
            n_neighbors=k, n_components=2, min_dist=float(min_dist), metric=metric, random_state=int(seed)
        )
        return np.asarray(model.fit_transform(X), dtype=np.float64)
