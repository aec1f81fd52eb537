"""Matplotlib figures of SPM maps: 2D maps (slabs) and slices of 3D grids, probabilities and MI."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arisekit.spm.result import SPMResult


def _plane(result: SPMResult, quantity: str, axis: int, index: int | None) -> tuple[np.ndarray, np.ndarray]:
    """2D array of ``quantity`` in the plane perpendicular to ``axis`` and the extent of that plane (Å)."""
    values = result.map(quantity)
    centers = result.centers.reshape(*result.shape, 3)
    if index is None:
        index = result.shape[axis] // 2
    if not 0 <= index < result.shape[axis]:
        raise ValueError(
            f"slice index {index} outside the grid (0..{result.shape[axis] - 1} along axis {axis})"
        )
    plane = np.take(values, index, axis=axis)
    pc = np.take(centers, index, axis=axis)
    keep = [k for k in range(3) if k != axis]
    xs, ys = pc[..., keep[0]], pc[..., keep[1]]
    extent = np.array([xs.min(), xs.max(), ys.min(), ys.max()])
    return plane, extent


def plot_map(
    result: SPMResult,
    quantity: str = "mutual_information",
    *,
    axis: int | None = None,
    index: int | None = None,
    ax=None,
    cmap: str | None = None,
):
    """Draw one quantity (a class name, "mutual_information", "argmax", ...) as an image.

    For slabs the spanned axis is the viewing direction; for bulk grids ``axis`` (default 2) and
    ``index`` (default: middle) choose the slice. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if axis is None:
        axis = int(np.argmin(result.shape)) if result.geometry != "bulk" else 2
    plane, extent = _plane(result, quantity, axis, index)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    if quantity == "argmax":
        from matplotlib.colors import ListedColormap

        present = np.unique(plane[plane >= 0]).astype(int)
        palette = plt.get_cmap(cmap or "tab10" if len(present) <= 10 else "tab20")
        colours = [palette(k % palette.N) for k in range(max(len(present), 1))]
        index = np.full(plane.shape, -1.0)
        for k, cls in enumerate(present):
            index[plane == cls] = k
        ax.imshow(
            np.ma.masked_less(index, 0).T,
            origin="lower",
            extent=extent,
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=len(colours) - 0.5,
            interpolation="nearest",
        )
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[k]) for k in range(len(present))]
        ax.legend(  # beside the map, where it hides nothing
            handles,
            [result.class_names[c] for c in present],
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            frameon=False,
        )
    else:
        vmax = None if quantity in ("mutual_information", "predictive_entropy") else 1.0
        image = ax.imshow(
            plane.T,
            origin="lower",
            extent=extent,
            cmap=cmap or ("magma" if vmax is None else "viridis"),
            vmin=0.0,
            vmax=vmax,
            interpolation="nearest",
        )
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
    label = {"mutual_information": "mutual information (nats)", "argmax": "most probable class"}.get(
        quantity, quantity if quantity in ("predictive_entropy", "variation_ratio") else f"P({quantity})"
    )
    ax.set_title(label)
    names = "xyz"
    keep = [k for k in range(3) if k != axis]
    ax.set_xlabel(f"{names[keep[0]]} (Å)")
    ax.set_ylabel(f"{names[keep[1]]} (Å)")
    return ax


def plot_overview(result: SPMResult, classes: Sequence[str] | None = None, path=None, top: int = 4):
    """Figure with the argmax map, the mutual-information map and the probability maps of ``classes``
    (default: the ``top`` most frequent classes). Saved to ``path`` when given; returns the Figure."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if classes is None:
        fractions = sorted(result.class_fractions().items(), key=lambda kv: -kv[1])
        classes = [name for name, _ in fractions[:top]]
    panels = ["argmax", "mutual_information", *classes]
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.8 * rows), squeeze=False)
    for ax, quantity in zip(axes.flat, panels):
        plot_map(result, quantity, ax=ax)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.tight_layout()
    if path is not None:
        from arisekit._atomic import atomic_path

        with atomic_path(path, what="plot") as tmp:
            fig.savefig(tmp, dpi=120)
        plt.close(fig)
    return fig
