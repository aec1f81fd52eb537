"""Figures of the AET benchmark (benchmarks/aet.py): class maps against truth, MI slices over an annealing
series (ARISE Fig. 4c) and median MI against the series' order parameter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: Colours of the classes drawn in class maps; every other class is "other".
CLASS_COLOURS = {
    "fcc": "#4daf4a",
    "L1_0": "#e41a1c",
    "L1_2": "#377eb8",
    "disordered": "#999999",
    "other": "#ff7f00",
}


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _slice(result, values: np.ndarray, index: int | None = None, axis: int = 2):
    """Plane of ``values`` (one per box) normal to ``axis`` through grid index ``index`` (middle), and its
    extent (Å)."""
    grid = np.asarray(values).reshape(result.shape)
    centers = np.asarray(result.centers).reshape(*result.shape, 3)
    index = result.shape[axis] // 2 if index is None else int(index)
    plane = np.take(grid, index, axis=axis)
    pc = np.take(centers, index, axis=axis)
    keep = [k for k in range(3) if k != axis]
    extent = [pc[..., keep[0]].min(), pc[..., keep[0]].max(), pc[..., keep[1]].min(), pc[..., keep[1]].max()]
    return plane, extent, float(pc[..., axis].mean())


def _categories(names: Sequence) -> np.ndarray:
    keys = list(CLASS_COLOURS)
    out = np.full(len(names), np.nan)
    for i, n in enumerate(names):
        if n is None:
            continue
        out[i] = keys.index(n) if n in keys else keys.index("other")
    return out


def class_maps(result, truth, path, title: str = "") -> Path:
    """Two z slices (the central one and the one crossing most L1_2 boxes): truth class and truth domain
    of each box (majority of its atoms), predicted class, P(L1_0), P(L1_2), P(fcc) and MI."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    names = [truth.class_names[c] if c >= 0 else None for c in truth.class_label]
    l12 = (np.asarray(truth.class_label) == truth.class_names.index("L1_2")).reshape(result.shape)
    rows = [result.shape[2] // 2]
    if l12.any():
        rows.append(int(np.argmax(l12.sum(axis=(0, 1)))))
    domain = np.where(truth.region >= 0, truth.region, np.nan).astype(float)
    cmap = ListedColormap(list(CLASS_COLOURS.values()))
    cat = dict(cmap=cmap, vmin=-0.5, vmax=4.5)
    unit = dict(cmap="viridis", vmin=0, vmax=1)
    panels = [
        ("truth class", _categories(names), cat),
        ("truth domain (0 = shell)", domain, dict(cmap="tab10", vmin=-0.5, vmax=9.5)),
        ("ARISE prediction", _categories(result.predictions), cat),
        ("P(L1_0)", result.probabilities[:, result.class_index("L1_0")], unit),
        ("P(L1_2)", result.probabilities[:, result.class_index("L1_2")], unit),
        ("P(fcc)", result.probabilities[:, result.class_index("fcc")], unit),
        ("mutual information (nats)", result.mutual_information, dict(cmap="magma", vmin=0, vmax=0.7)),
    ]
    fig, axes = plt.subplots(
        len(rows),
        len(panels),
        figsize=(3.0 * len(panels), 3.2 * len(rows)),
        layout="constrained",
        squeeze=False,
    )
    for r, index in enumerate(rows):
        for ax, (name, values, kw) in zip(axes[r], panels, strict=True):
            plane, extent, z = _slice(result, values, index)
            im = ax.imshow(plane.T, origin="lower", extent=extent, interpolation="nearest", **kw)
            if r == 0:
                ax.set_title(name, fontsize=9)
            ax.set_xlabel("x (Å)", fontsize=8)
            if ax is axes[r, 0]:
                ax.set_ylabel(f"z = {z:.0f} Å\ny (Å)", fontsize=8)
            if "P(" in name or "mutual" in name:
                fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, shrink=0.8)
    handles = [Patch(color=c, label=k) for k, c in CLASS_COLOURS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def mi_slices(
    results: Sequence, labels: Sequence[str], path, n_slices: int = 5, spacing: float = 4.0
) -> Path:
    """MI in ``n_slices`` central z slices about ``spacing`` Å apart for each step (ARISE Fig. 4c)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(results), n_slices, figsize=(2.4 * n_slices, 2.4 * len(results)), squeeze=False
    )
    im = None
    for row, (res, label) in enumerate(zip(results, labels, strict=True)):
        mid, step = res.shape[2] // 2, max(1, int(round(spacing / res.stride)))
        for col in range(n_slices):
            k = int(np.clip(mid + (col - n_slices // 2) * step, 0, res.shape[2] - 1))
            plane, extent, z = _slice(res, res.mutual_information, k)
            ax = axes[row, col]
            im = ax.imshow(plane.T, origin="lower", extent=extent, cmap="magma", vmin=0, vmax=0.7)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"z = {z:.0f} Å", fontsize=9)
            if col == 0:
                ax.set_ylabel(label, fontsize=9)
    fig.colorbar(im, ax=axes, fraction=0.02, pad=0.02, label="mutual information (nats)")
    return _save(fig, path)


def mi_over_annealing(series: dict, hists: dict, path) -> Path:
    """Median MI of all classified boxes against the series' order parameter (one line per box size),
    and the cumulative MI distributions of each step (first box size)."""
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    for box, rows in series.items():
        order = [r["order_parameter"] for r in rows]
        a.plot(order, [r["mi_median"] for r in rows], marker="o", label=f"{box:g} Å box, median")
        a.plot(order, [r["mi_mean"] for r in rows], marker="s", linestyle="--", label=f"{box:g} Å box, mean")
        for r in rows:
            a.annotate(
                r["label"],
                (r["order_parameter"], r["mi_median"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    a.set_xlabel("order parameter of the step (LRO × ordered fraction)")
    a.set_ylabel("mutual information (nats)")
    a.set_title("MI over the annealing series")
    a.legend(fontsize=8)
    box, h = next(iter(hists.items()))
    for f, label in enumerate(h.labels):
        b.stairs(h.cumulative[f], h.edges, label=label, linewidth=1.5, baseline=None)
    b.set_xlabel("mutual information (nats)")
    b.set_ylabel("cumulative fraction of boxes")
    b.set_title(f"cumulative MI distribution ({box:g} Å box)")
    b.legend(fontsize=8)
    return _save(fig, path)
