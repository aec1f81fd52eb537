"""Figures of an exploration (matplotlib, no global pyplot state): UMAP scatter plots, cluster maps,
per-cluster histograms, MI time series and radial profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from arisekit.explore.clustering import OUTLIER
from arisekit.explore.maps import EXCLUDED

#: Outliers are orange, as in ARISE Fig. 2d–e; clusters take the other tab10/tab20 colours.
OUTLIER_COLOR = "#ff7f0e"
EXCLUDED_COLOR = "#ffffff"


def _figure(width: float = 5.5, height: float = 4.5):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save(fig, path) -> Path:
    """Write ``fig`` (PNG by the file suffix) atomically and return the path."""
    from arisekit._atomic import atomic_path

    path = Path(path)
    with atomic_path(path, what="figure", lock=False) as tmp:  # callers lock the output folder
        fig.savefig(tmp, dpi=120)
    return path


def _palette(n: int) -> list:
    from matplotlib import colormaps

    base = [c for k, c in enumerate(colormaps["tab10"].colors) if k != 1]  # drop orange (outliers)
    if n > len(base):
        base = [c for k, c in enumerate(colormaps["tab20"].colors) if k not in (2, 3)]
    return [base[k % len(base)] for k in range(n)]


def cluster_name(label: int) -> str:
    return "outlier" if label == OUTLIER else ("not clustered" if label == EXCLUDED else f"cluster {label}")


def scatter_categories(xy, categories: Sequence, title: str, order: Sequence | None = None):
    """Scatter of 2D points coloured by category (cluster labels or class names)."""
    xy = np.asarray(xy, dtype=np.float64)
    cats = list(categories)
    order = list(dict.fromkeys(cats)) if order is None else list(order)
    named = [c for c in order if c not in (OUTLIER, "outlier")]
    colors = dict(zip(named, _palette(len(named)), strict=True))
    fig = _figure()
    ax = fig.add_subplot()
    arr = np.asarray(cats, dtype=object)
    for c in order:
        sel = arr == c
        if not sel.any():
            continue
        color = OUTLIER_COLOR if c in (OUTLIER, "outlier") else colors[c]
        name = cluster_name(c) if isinstance(c, (int, np.integer)) else str(c)
        ax.scatter(xy[sel, 0], xy[sel, 1], s=6, color=color, label=f"{name} ({int(sel.sum())})", linewidths=0)
    ax.set_title(title)
    ax.set_xlabel("UMAP 1")
    ax.set_ylabel("UMAP 2")
    ax.legend(markerscale=2, fontsize="small", loc="best")
    return fig


def scatter_values(xy, values, title: str, label: str = "mutual information (nats)"):
    """Scatter of 2D points coloured by a continuous value."""
    xy = np.asarray(xy, dtype=np.float64)
    fig = _figure()
    ax = fig.add_subplot()
    c = np.asarray(values, dtype=np.float64)
    sc = ax.scatter(xy[:, 0], xy[:, 1], s=6, c=c, cmap="viridis", linewidths=0)
    fig.colorbar(sc, ax=ax, label=label)
    ax.set_title(title)
    ax.set_xlabel("UMAP 1")
    ax.set_ylabel("UMAP 2")
    return fig


def _plane(result, grid: np.ndarray):
    """2D view of a grid of values: slab → its plane, rod → a strip, bulk → central slice along the last
    axis. Returns (image (rows, cols), extent, axis names)."""
    shape = tuple(result.shape)
    g = np.asarray(grid).reshape(shape)
    centers = np.asarray(result.centers, dtype=np.float64).reshape(*shape, 3)
    names = "xyz"
    if result.geometry == "bulk":
        k = shape[2] // 2
        g, centers, axes = g[:, :, k], centers[:, :, k], (0, 1)
    else:
        keep = [a for a in range(3) if shape[a] > 1] or [0]
        axes = tuple(keep[:2]) if len(keep) >= 2 else (keep[0], next(a for a in range(3) if a != keep[0]))
        idx = tuple(slice(None) if a in axes else 0 for a in range(3))
        g, centers = g[idx], centers[idx]
    c0, c1 = centers[..., axes[0]], centers[..., axes[1]]
    h = 0.5 * float(result.stride)  # pixels are centred on the box centres
    extent = (float(c0.min()) - h, float(c0.max()) + h, float(c1.min()) - h, float(c1.max()) + h)
    return g.T, extent, (names[axes[0]], names[axes[1]])


def cluster_map(result, grid_labels, title: str = "HDBSCAN clusters"):
    """Cluster labels on the SPM grid (plane of a slab, central slice of a bulk grid)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    image, extent, (xa, ya) = _plane(result, grid_labels)
    k = int(max(image.max(), -1)) + 1
    colors = [EXCLUDED_COLOR, OUTLIER_COLOR, *_palette(k)]
    fig = _figure()
    ax = fig.add_subplot()
    ax.imshow(
        image - EXCLUDED,
        origin="lower",
        extent=extent,
        cmap=ListedColormap(colors),
        vmin=-0.5,
        vmax=len(colors) - 0.5,
        interpolation="nearest",
        aspect="equal",
    )
    present = sorted(set(np.unique(image).tolist()) - {EXCLUDED})
    ax.legend(
        handles=[Patch(color=colors[v - EXCLUDED], label=cluster_name(v)) for v in present],
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    ax.set_xlabel(f"{xa} (Å)")
    ax.set_ylabel(f"{ya} (Å)")
    ax.set_title(title)
    return fig


def histograms(hist: Mapping, title: str, xlabel: str):
    """Per-cluster histograms of :func:`arisekit.explore.geometry.cluster_histograms` as step lines
    (each normalised to unit area)."""
    edges = np.asarray(hist["edges"])
    clusters = hist["clusters"]
    named = [c for c in clusters if c != OUTLIER]
    colors = dict(zip(named, _palette(len(named)), strict=True))
    fig = _figure(6.0, 4.5)
    ax = fig.add_subplot()
    width = np.diff(edges)
    for c, h in clusters.items():
        counts = np.asarray(h["counts"], dtype=np.float64)
        if counts.sum() == 0:
            continue
        density = counts / (counts.sum() * width)
        ax.stairs(
            density,
            edges,
            color=OUTLIER_COLOR if c == OUTLIER else colors[c],
            label=f"{cluster_name(c)} (n={h['n']}, median {h['median']:.3f})",
            linewidth=1.5,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(fontsize="small")
    return fig


def mi_series(hists):
    """MI histograms, cumulative distributions and (with several frames) the fractional change of the
    cumulative distribution between consecutive frames (ARISE Fig. S11a, b, d)."""
    n_panels = 3 if len(hists.labels) > 1 else 2
    fig = _figure(5.0 * n_panels, 4.0)
    axes = fig.subplots(1, n_panels)
    for f, label in enumerate(hists.labels):
        axes[0].stairs(hists.fractions[f], hists.edges, label=label, linewidth=1.5, baseline=None)
        axes[1].stairs(hists.cumulative[f], hists.edges, label=label, linewidth=1.5, baseline=None)
    names = ["fraction of boxes", "cumulative fraction"]
    if n_panels == 3:
        mid = hists.edges[1:]
        for f in range(1, len(hists.labels)):
            axes[2].plot(
                mid,
                hists.change(f - 1, f),
                marker="o",
                markersize=3,
                label=f"{hists.labels[f - 1]} → {hists.labels[f]}",
            )
        axes[2].axhline(0.0, color="grey", linewidth=0.8)
        names.append("fractional change of cumulative")
    for ax, name in zip(axes, names, strict=True):
        ax.set_xlabel("mutual information (nats)")
        ax.set_ylabel(name)
        ax.legend(fontsize="small")
    return fig


def radial_profiles(profiles: Mapping):
    """Radial MI profiles {label: RadialProfile} (ARISE Fig. S11c)."""
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    for label, p in profiles.items():
        mid = 0.5 * (p.edges[1:] + p.edges[:-1])
        ax.plot(mid, p.values, marker="o", markersize=3, label=str(label))
    ax.set_xlabel("distance from the central box (Å)")
    ax.set_ylabel("mutual information (nats), shell " + next(iter(profiles.values())).statistic)
    ax.legend(fontsize="small")
    return fig
