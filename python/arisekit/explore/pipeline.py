"""The exploration protocol of ARISE in one call: filter → HDBSCAN sweep (DBCV) → clustering with soft
assignment → UMAP map → cluster maps on grid and atoms → geometry per cluster → exemplars."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arisekit.explore.clustering import SOFT_THRESHOLD, VALIDITY, Clustering, SweepRow, best_size, sweep
from arisekit.explore.data import ExplorationData, from_spm
from arisekit.explore.embedding import umap_embedding
from arisekit.explore.geometry import box_distances, cluster_histograms, delta_d, parse_pair
from arisekit.explore.maps import atom_labels, grid_labels
from arisekit.explore.similarity import rank_exemplars


@dataclass
class Exploration:
    """Everything an exploration produced (see :func:`explore`).

    ``grid``/``soft_grid``: labels on the SPM grid (array of the result's shape; -1 outlier, -2 not
    clustered); ``atom_labels``/``atom_soft_labels``: per atom; ``distances``: d_NN (Å) per species pair
    (and Δd) for every explored point; ``histograms``: per-cluster histograms of those; ``files``: outputs.
    """

    data: ExplorationData
    sweep: list[SweepRow]
    clustering: Clustering
    embedding: np.ndarray | None = None
    grid: np.ndarray | None = None
    soft_grid: np.ndarray | None = None
    atom_labels: np.ndarray | None = None
    atom_soft_labels: np.ndarray | None = None
    distances: dict[str, np.ndarray] = field(default_factory=dict)
    histograms: dict[str, dict] = field(default_factory=dict)
    exemplars: dict[int, list] = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def labels(self, soft: bool = False) -> np.ndarray:
        return self.clustering.soft_labels if soft else self.clustering.labels

    def summary(self) -> dict:
        """Per-cluster sizes, predicted-class composition and MI statistics (hard and soft labels)."""
        c = self.clustering
        out = {
            "params": self.params,
            "n_points": len(self.data),
            "min_cluster_size": c.min_cluster_size,
            "n_clusters": c.n_clusters,
            "outlier_fraction": c.outlier_fraction,
            "soft_outlier_fraction": c.soft_outlier_fraction,
            "validity": c.validity,
        }
        for kind in ("hard", "soft"):
            lab = self.labels(kind == "soft")
            clusters = {}
            for c in sorted(set(lab.tolist())):
                sel = lab == c
                names, counts = np.unique(np.asarray(self.data.predicted_names)[sel], return_counts=True)
                mi = self.data.mutual_information[sel]
                clusters["outlier" if c < 0 else str(c)] = {
                    "size": int(sel.sum()),
                    "classes": {str(n): int(k) for n, k in zip(names, counts, strict=True)},
                    "mi_mean": float(np.mean(mi)),
                    "mi_median": float(np.median(mi)),
                }
            out[f"clusters_{kind}"] = clusters
        return out


def _geometry(result, atoms, ids, labels, pairs, delta, bins):
    wanted = [parse_pair(p) for p in (pairs or [])]
    if delta is not None:
        a, b = parse_pair(delta)
        wanted += [(a, a), (b, b)]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return {}, {}
    dist = box_distances(result, atoms, ids, [f"{a}-{b}" for a, b in wanted])
    if delta is not None:
        a, b = parse_pair(delta)
        dist[f"delta_{a}{a}-{b}{b}"] = delta_d(dist, a, b)
    hists = {}
    for key, values in dist.items():
        if np.isfinite(values).any():
            hists[key] = cluster_histograms(values, labels, bins=bins)
    return dist, hists


def standardized(features: np.ndarray) -> np.ndarray:
    """``features`` (n, d) scaled to zero mean and unit variance per column; columns with no spread are 0."""
    x = np.asarray(features, dtype=np.float64)
    spread = x.std(axis=0)
    return np.where(spread > 0, (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0), 0.0)


def _tuple(value):
    return None if value is None else tuple(value)


@dataclass(frozen=True)
class ExploreParameters:
    """How :func:`explore` explores (frozen, validated on creation).

    Parameters
    ----------
    layer : int
        Hidden layer, 0 = first (the command line's ``--layer 1``).
    only_class, mi_range : filters (the AET protocol keeps only L1_0 boxes); ``mi_range`` = (low, high).
    min_cluster_sizes : sweep values (default: ARISE's 25 .. 1000 and 5, 10, up to half the points).
    min_cluster_size : size used for the final clustering (default: the sweep's highest DBCV).
    min_samples : HDBSCAN's ``min_samples`` (default: ``min_cluster_size``).
    soft_threshold : outliers join their most probable cluster at this membership probability (10 %).
    validity : DBCV estimate, ``"relative"``, ``"full"`` or ``"none"`` (:func:`arisekit.explore.sweep`).
    standardize : cluster and map the features scaled to zero mean and unit variance per unit (units
        with no spread are left at zero), so that every hidden unit counts alike in HDBSCAN's Euclidean
        distances, not only the few with large activations (default False: the paper's raw features).
    slow_features : cluster and map the ``slow_features`` spatially slowest directions of the features
        instead (:mod:`arisekit.explore.slow`: those that change least between boxes adjacent on the SPM
        grid relative to their spread; SPM results only). Separates domains that differ by a small but
        spatially coherent change (e.g. tetragonality) that box-to-box noise hides. 0: off (default).
    embed, n_neighbors, seed : UMAP 2D map (skipped with ``embed=False``).
    pairs, delta : species pairs "A-B" whose d_NN (Å) is measured per box, and a pair (A, B) for
        Δd = d_AA − d_BB; histogrammed per cluster in ``bins`` bins (``use_soft`` selects the soft labels).
    top : exemplars per cluster.
    plots : write figures with the report (when :func:`explore` has an ``out_dir``).
    """

    layer: int = 0
    only_class: str | None = None
    mi_range: tuple[float, float] | None = None
    min_cluster_sizes: tuple[int, ...] | None = None
    min_cluster_size: int | None = None
    min_samples: int | None = None
    soft_threshold: float = SOFT_THRESHOLD
    validity: str = "relative"
    standardize: bool = False
    slow_features: int = 0
    embed: bool = True
    n_neighbors: int = 15
    seed: int = 0
    pairs: tuple | None = None
    delta: Any = None
    bins: int = 30
    use_soft: bool = False
    top: int = 5
    plots: bool = True

    def __post_init__(self) -> None:
        for name in ("mi_range", "min_cluster_sizes", "pairs"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        if self.delta is not None and not isinstance(self.delta, str):
            object.__setattr__(self, "delta", tuple(self.delta))
        if self.mi_range is not None and len(self.mi_range) != 2:
            raise ValueError(f"mi_range: (low, high), got {self.mi_range!r}")
        if self.validity not in VALIDITY:
            raise ValueError(f"validity: must be one of {VALIDITY}, got {self.validity!r}")
        if not 0.0 <= float(self.soft_threshold) <= 1.0:
            raise ValueError(f"soft_threshold: must be in [0, 1], got {self.soft_threshold!r}")
        for name, low in (("bins", 1), ("top", 0), ("n_neighbors", 2), ("layer", 0), ("slow_features", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < low:
                raise ValueError(f"{name}: must be an integer ≥ {low}, got {value!r}")

    @classmethod
    def from_kwargs(cls, params: ExploreParameters | None = None, **overrides: Any) -> ExploreParameters:
        """``params`` (default: the defaults) with the fields in ``overrides`` replaced; TypeError for a
        keyword that is no field."""
        from arisekit._params import with_overrides

        return with_overrides(cls, params, overrides, arg="params", caller="explore")


def explore(
    source,
    params: ExploreParameters | None = None,
    *,
    atoms=None,
    out_dir=None,
    **overrides: Any,
) -> Exploration:
    """Run the ARISE exploration protocol on an SPM result (or on :class:`ExplorationData`).

    Parameters
    ----------
    source : SPMResult or ExplorationData
        SPM result with stored representations, or points from :func:`arisekit.explore.from_structures`.
    params : ExploreParameters, optional
        Layer, filters, the HDBSCAN sweep and clustering, the UMAP map, geometry per cluster, exemplars,
        plots (defaults: :class:`ExploreParameters`).
    atoms : the sample of the SPM result: enables per-atom cluster labels and geometry.
    out_dir : directory for tables and figures (see :func:`arisekit.explore.report.write_report`).
    **overrides
        Fields of :class:`ExploreParameters` by keyword (``layer=0, only_class="L1_0"``), applied on top of
        ``params``.
    """
    p = ExploreParameters.from_kwargs(params, **overrides)
    layer, only_class, mi_range = p.layer, p.only_class, p.mi_range
    min_cluster_sizes, min_cluster_size, min_samples = p.min_cluster_sizes, p.min_cluster_size, p.min_samples
    soft_threshold, validity, embed, n_neighbors, seed = (
        p.soft_threshold,
        p.validity,
        p.embed,
        p.n_neighbors,
        p.seed,
    )
    pairs, delta, bins, use_soft, top, plots = p.pairs, p.delta, p.bins, p.use_soft, p.top, p.plots
    is_spm = not isinstance(source, ExplorationData)
    data = from_spm(source, layer, only_class, mi_range) if is_spm else source
    if not is_spm and (only_class is not None or mi_range is not None):
        from arisekit.explore.data import filter_points

        data = filter_points(data, only_class, mi_range)
    sizes = list(min_cluster_sizes) if min_cluster_sizes else None
    if min_cluster_size is not None and sizes is not None and min_cluster_size not in sizes:
        sizes.append(int(min_cluster_size))
    if min_cluster_size is not None and sizes is None:
        sizes = [int(min_cluster_size)]
    if p.slow_features:
        if not is_spm:
            raise ValueError("slow_features: needs an SPM result (boxes on a grid), not ExplorationData")
        from arisekit.explore.slow import slow_features

        features = slow_features(data.features, data.ids, source.shape, p.slow_features)
    else:
        features = standardized(data.features) if p.standardize else data.features
    rows, results = sweep(features, sizes, min_samples, soft_threshold=soft_threshold, validity=validity)
    chosen = int(min_cluster_size) if min_cluster_size is not None else best_size(rows)
    clustering = results[chosen]
    ex = Exploration(data=data, sweep=rows, clustering=clustering)
    ex.params = dict(
        layer=data.layer,
        space=data.space,
        only_class=only_class,
        mi_range=None if mi_range is None else list(mi_range),
        min_cluster_sizes=[r.min_cluster_size for r in rows],
        min_cluster_size=chosen,
        min_samples=min_samples,
        soft_threshold=float(soft_threshold),
        validity=validity,
        standardize=bool(p.standardize),
        slow_features=int(p.slow_features),
        n_neighbors=int(n_neighbors) if embed else None,
        seed=int(seed),
        use_soft=bool(use_soft),
    )
    if embed:
        ex.embedding = umap_embedding(features, n_neighbors, seed=seed)
    if is_spm:
        ex.grid = grid_labels(source, data.ids, clustering.labels)
        ex.soft_grid = grid_labels(source, data.ids, clustering.soft_labels)
        if atoms is not None:
            ex.atom_labels = atom_labels(source, atoms, ex.grid)
            ex.atom_soft_labels = atom_labels(source, atoms, ex.soft_grid)
            ex.distances, ex.histograms = _geometry(
                source, atoms, data.ids, ex.labels(use_soft), pairs, delta, bins
            )
    elif pairs or delta is not None:
        raise ValueError("pairs/delta: geometry per box needs an SPM result and its atoms")
    ex.exemplars = rank_exemplars(clustering, data.ids, data.names, top=top)
    if out_dir is not None:
        from arisekit.explore.report import write_report

        write_report(ex, out_dir, result=source if is_spm else None, atoms=atoms, plots=plots)
    return ex
