"""The exploration protocol of ARISE in one call: filter → HDBSCAN sweep (DBCV) → clustering with soft
assignment → UMAP map → cluster maps on grid and atoms → geometry per cluster → exemplars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from arisekit.explore.clustering import SOFT_THRESHOLD, Clustering, SweepRow, best_size, sweep
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


def explore(
    source,
    *,
    layer: int = 0,
    only_class: str | None = None,
    mi_range=None,
    min_cluster_sizes: Sequence[int] | None = None,
    min_cluster_size: int | None = None,
    min_samples: int | None = None,
    soft_threshold: float = SOFT_THRESHOLD,
    validity: str = "relative",
    embed: bool = True,
    n_neighbors: int = 15,
    seed: int = 0,
    atoms=None,
    pairs: Sequence | None = None,
    delta=None,
    bins: int = 30,
    use_soft: bool = False,
    top: int = 5,
    out_dir=None,
    plots: bool = True,
) -> Exploration:
    """Run the ARISE exploration protocol on an SPM result (or on :class:`ExplorationData`).

    Parameters
    ----------
    source : SPMResult or ExplorationData
        SPM result with stored representations, or points from :func:`arisekit.explore.from_structures`.
    layer : int
        Hidden layer, 0 = first (the command line's ``--layer 1``).
    only_class, mi_range : filters (the AET protocol keeps only L1_0 boxes).
    min_cluster_sizes : sweep values (default: ARISE's 25 .. 1000 and 5, 10, up to half the points).
    min_cluster_size : size used for the final clustering (default: the sweep's highest DBCV).
    soft_threshold : outliers join their most probable cluster at this membership probability (10 %).
    embed, n_neighbors, seed : UMAP 2D map (skipped with ``embed=False``).
    atoms : the sample of the SPM result: enables per-atom cluster labels and geometry.
    pairs, delta : species pairs "A-B" whose d_NN (Å) is measured per box, and a pair (A, B) for
        Δd = d_AA − d_BB; histogrammed per cluster (``use_soft`` selects the soft labels).
    out_dir : directory for tables and figures (see :func:`arisekit.explore.report.write_report`).
    """
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
    rows, results = sweep(data.features, sizes, min_samples, soft_threshold=soft_threshold, validity=validity)
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
        n_neighbors=int(n_neighbors) if embed else None,
        seed=int(seed),
        use_soft=bool(use_soft),
    )
    if embed:
        ex.embedding = umap_embedding(data.features, n_neighbors, seed=seed)
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
