"""HDBSCAN clustering of representations: sweeps of the minimum cluster size with the DBCV validity index,
and soft clustering that rescues outliers (ARISE Methods: membership probability >= 10 %)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

#: Label of points that belong to no cluster.
OUTLIER = -1
#: Default soft-clustering threshold on the membership probability (ARISE Methods).
SOFT_THRESHOLD = 0.10
VALIDITY = ("relative", "full", "none")


@dataclass(frozen=True)
class Clustering:
    """HDBSCAN result for ``n`` points; clusters are numbered by decreasing size (0 = largest).

    ``labels``: hard labels (-1 = outlier). ``probabilities``: HDBSCAN membership strength of each point
    in its hard cluster (0 for outliers). ``membership``: (n, n_clusters) soft-clustering probabilities.
    ``soft_labels``: hard labels, with outliers assigned to their most probable cluster when that
    probability is >= ``soft_threshold``. ``validity``: DBCV index (NaN with fewer than two clusters).
    """

    labels: np.ndarray
    probabilities: np.ndarray
    membership: np.ndarray
    soft_labels: np.ndarray
    min_cluster_size: int
    min_samples: int | None
    soft_threshold: float
    validity: float

    @property
    def n_clusters(self) -> int:
        return int(self.labels.max()) + 1 if len(self.labels) else 0

    @property
    def outlier_fraction(self) -> float:
        return float(np.mean(self.labels == OUTLIER))

    @property
    def soft_outlier_fraction(self) -> float:
        return float(np.mean(self.soft_labels == OUTLIER))

    def sizes(self, soft: bool = False) -> dict[int, int]:
        """Number of points per label (-1 = outliers)."""
        lab = self.soft_labels if soft else self.labels
        values, counts = np.unique(lab, return_counts=True)
        return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


@dataclass(frozen=True)
class SweepRow:
    """One minimum cluster size of a sweep: cluster count, outlier fractions (hard and soft), DBCV."""

    min_cluster_size: int
    min_samples: int | None
    n_clusters: int
    n_outliers: int
    outlier_fraction: float
    soft_outlier_fraction: float
    validity: float

    def to_dict(self) -> dict:
        return asdict(self)


def _check_points(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"features must be a 2D array (n_points, width), got shape {X.shape}")
    if len(X) < 2:
        raise ValueError(f"features: clustering needs at least 2 points, got {len(X)}")
    if not np.isfinite(X).all():
        raise ValueError("features contain NaN or inf (empty SPM boxes must be removed first)")
    return X


def _check_size(min_cluster_size, n: int) -> int:
    m = int(min_cluster_size)
    if m != min_cluster_size or m < 2:
        raise ValueError(f"min_cluster_size must be an integer >= 2, got {min_cluster_size}")
    if m > n:
        raise ValueError(
            f"min_cluster_size={m} is larger than the number of points ({n}): choose a value <= {n} "
            f"(e.g. {max(2, n // 10)}), or widen the class / MI filter to keep more points"
        )
    return m


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Permutation old -> new so that cluster 0 is the largest (ties: lower old label first)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    counts = np.bincount(labels[labels >= 0], minlength=k)
    order = sorted(range(k), key=lambda c: (-counts[c], c))
    perm = np.empty(k, dtype=np.int64)
    perm[order] = np.arange(k)
    return perm


def _validity(clusterer, X: np.ndarray, labels: np.ndarray, n_clusters: int, kind: str) -> float:
    if n_clusters < 2 or kind == "none":
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if kind == "relative":
            value = clusterer.relative_validity_
        else:
            from hdbscan.validity import validity_index

            value = validity_index(X, labels)
    return float(value) if np.isfinite(value) else float("nan")


def cluster(
    features,
    min_cluster_size: int = 25,
    min_samples: int | None = None,
    *,
    soft_threshold: float = SOFT_THRESHOLD,
    validity: str = "relative",
    metric: str = "euclidean",
    cluster_selection_method: str = "eom",
) -> Clustering:
    """HDBSCAN clustering of ``features`` (n, width) with soft cluster assignment of outliers.

    Parameters
    ----------
    min_cluster_size : int
        Smallest group HDBSCAN calls a cluster (ARISE sweeps 25 .. 1000 for ~8000 boxes).
    min_samples : int, optional
        HDBSCAN's density smoothing (default: ``min_cluster_size``).
    soft_threshold : float
        Outliers whose largest soft-membership probability reaches this value (default 0.10) get that
        cluster in ``soft_labels``; 1.0 (or more) keeps every outlier.
    validity : {"relative", "full", "none"}
        DBCV estimate: hdbscan's fast ``relative_validity_``, the full ``validity_index`` (O(n²)) or none.
    """
    import hdbscan

    X = _check_points(features)
    m = _check_size(min_cluster_size, len(X))
    if min_samples is not None and not 1 <= int(min_samples) <= len(X):
        raise ValueError(f"min_samples must be in 1 .. {len(X)} (number of points), got {min_samples}")
    if not np.isfinite(soft_threshold) or soft_threshold < 0:
        raise ValueError(f"soft_threshold must be a probability >= 0, got {soft_threshold}")
    if validity not in VALIDITY:
        raise ValueError(f"validity must be one of {VALIDITY}, got {validity!r}")
    clusterer = hdbscan.HDBSCAN(
        min_cluster_size=m,
        min_samples=None if min_samples is None else int(min_samples),
        metric=metric,
        cluster_selection_method=cluster_selection_method,
        gen_min_span_tree=validity == "relative",
        prediction_data=True,
    ).fit(X)
    raw = np.asarray(clusterer.labels_, dtype=np.int64)
    k = int(raw.max()) + 1
    perm = _relabel_by_size(raw)
    labels = np.where(raw >= 0, perm[np.maximum(raw, 0)] if k else raw, OUTLIER)
    probs = np.where(labels >= 0, np.asarray(clusterer.probabilities_, dtype=np.float64), 0.0)
    membership = np.zeros((len(X), k))
    if k:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            raw_m = np.asarray(hdbscan.all_points_membership_vectors(clusterer), dtype=np.float64)
        membership[:, perm] = np.nan_to_num(raw_m.reshape(len(X), k))
    soft = labels.copy()
    if k:
        out = labels == OUTLIER
        best = membership.argmax(axis=1)
        rescue = out & (membership.max(axis=1) >= soft_threshold)
        soft[rescue] = best[rescue]
    return Clustering(
        labels=labels,
        probabilities=probs,
        membership=membership,
        soft_labels=soft,
        min_cluster_size=m,
        min_samples=None if min_samples is None else int(min_samples),
        soft_threshold=float(soft_threshold),
        validity=_validity(clusterer, X, raw, k, validity),
    )


def default_sizes(n_points: int) -> list[int]:
    """Sweep values for ``n_points`` points: the ARISE values {25, 50, 100, 250, 500, 1000} and small ones
    (5, 10), kept where at most half the points (at least one value)."""
    sizes = [s for s in (5, 10, 25, 50, 100, 250, 500, 1000) if s <= n_points // 2]
    return sizes or [max(2, min(n_points, 5))]


def sweep(
    features, sizes: Sequence[int] | None = None, min_samples: int | None = None, **kwargs
) -> tuple[list[SweepRow], dict[int, Clustering]]:
    """Cluster with every minimum cluster size in ``sizes`` (default :func:`default_sizes`).

    Returns the table rows (cluster count, outlier fraction, DBCV per size) and the clusterings by size.
    Extra keyword arguments go to :func:`cluster`.
    """
    X = _check_points(features)
    sizes = default_sizes(len(X)) if sizes is None else [int(s) for s in sizes]
    if not sizes:
        raise ValueError("sizes: give at least one minimum cluster size")
    too_big = [s for s in sizes if s > len(X)]
    if too_big:
        raise ValueError(
            f"min_cluster_size values {too_big} are larger than the number of points ({len(X)}): "
            f"use values <= {len(X)} or widen the class / MI filter"
        )
    rows, results = [], {}
    for s in dict.fromkeys(sizes):
        c = cluster(X, s, min_samples, **kwargs)
        results[s] = c
        rows.append(
            SweepRow(
                min_cluster_size=s,
                min_samples=c.min_samples,
                n_clusters=c.n_clusters,
                n_outliers=int(np.sum(c.labels == OUTLIER)),
                outlier_fraction=c.outlier_fraction,
                soft_outlier_fraction=c.soft_outlier_fraction,
                validity=c.validity,
            )
        )
    return rows, results


def best_size(rows: Sequence[SweepRow]) -> int:
    """Minimum cluster size with the highest DBCV among rows with >= 2 clusters (ties: fewer outliers,
    then the larger size); without any such row, the size giving the most clusters."""
    if not rows:
        raise ValueError("rows: empty sweep")
    scored = [r for r in rows if r.n_clusters >= 2 and np.isfinite(r.validity)]
    if scored:
        best = max(scored, key=lambda r: (round(r.validity, 6), -r.outlier_fraction, r.min_cluster_size))
    else:
        best = max(rows, key=lambda r: (r.n_clusters, -r.outlier_fraction, r.min_cluster_size))
    return best.min_cluster_size
