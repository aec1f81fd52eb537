"""Summary plot of a batch results file: class fractions and mutual information per frame (PNG, Agg)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from arisekit.batch.results import BatchResults, load_results

__all__ = ["plot_summary"]

#: Classes below this fraction in every frame are drawn together as "other".
_MIN_FRACTION = 0.01
_MAX_CLASSES = 10


def _fractions(res: BatchResults) -> np.ndarray:
    """(n_frames, n_classes): class probabilities (global mode) or box fractions (SPM mode)."""
    name = "probabilities" if res.mode == "global" else "class_fractions"
    return np.array([rec.arrays[name] for rec in res.frames], dtype=np.float64).reshape(
        len(res.frames), len(res.class_names)
    )


def plot_summary(results: str | os.PathLike | BatchResults, path: str | os.PathLike) -> Path:
    """Write a two-panel PNG: top, stacked class fractions per frame (global mode: class probabilities;
    SPM mode: fraction of classified boxes per class); bottom, mutual information per frame (global: one
    value; SPM: median and 5-95 % / 25-75 % bands over the boxes), in nats. Frames are ordered by input
    file, then frame number; file boundaries are marked."""
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    res = results if isinstance(results, BatchResults) else load_results(results)
    path = Path(path)
    n = len(res.frames)
    fig = Figure(figsize=(max(6.0, min(16.0, 4 + 0.15 * n)), 6.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax_f, ax_mi = fig.subplots(2, 1, sharex=True)
    x = np.arange(n)
    if n == 0:
        ax_f.text(0.5, 0.5, "no finished frames", ha="center", va="center", transform=ax_f.transAxes)
    else:
        frac = _fractions(res)
        peak = frac.max(axis=0)
        order = [k for k in np.argsort(-peak, kind="stable") if peak[k] >= _MIN_FRACTION][:_MAX_CLASSES]
        layers = [frac[:, k] for k in order]
        labels = [res.class_names[k] for k in order]
        rest = 1.0 - np.sum(layers, axis=0) if layers else np.ones(n)
        if np.any(rest > 1e-6):
            layers.append(np.clip(rest, 0.0, 1.0))
            labels.append("other / unclassified")
        bottom = np.zeros(n)
        cmap = colormaps["tab10"]
        for j, (layer, label) in enumerate(zip(layers, labels, strict=True)):
            color = "0.8" if label.startswith("other") else cmap(j % 10)
            if n <= 200:
                ax_f.bar(x, layer, bottom=bottom, width=1.0, color=color, label=label, linewidth=0)
            else:
                ax_f.fill_between(
                    x, bottom, bottom + layer, step="mid", color=color, label=label, linewidth=0
                )
            bottom = bottom + layer
        ax_f.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _plot_mi(ax_mi, res, x)
        _mark_files(res, ax_f, ax_mi)
    what = "class probability" if res.mode == "global" else "fraction of boxes"
    ax_f.set_ylabel(what)
    ax_f.set_ylim(0, 1)
    ax_f.set_title(f"arisekit batch ({res.mode} mode): {n} frames")
    ax_mi.set_ylabel("mutual information (nats)")
    ax_mi.set_xlabel("frame (ordered by file, then frame number)")
    from arisekit._atomic import atomic_path

    with atomic_path(path, what="summary plot") as tmp:
        fig.savefig(tmp, dpi=110)
    return path


def _plot_mi(ax, res: BatchResults, x: np.ndarray) -> None:
    if res.mode == "global":
        mi = np.array([rec.attrs["mutual_information"] for rec in res.frames], dtype=np.float64)
        for part in _file_slices(res):  # one line per input file
            ax.plot(x[part], mi[part], "o-" if len(x) <= 200 else "-", markersize=3, color="C3")
        return
    q = np.array([rec.arrays["mi_quantiles"] for rec in res.frames], dtype=np.float64)  # 5, 25, 50, 75, 95 %
    for k, part in enumerate(_file_slices(res)):  # one band per input file
        xs, qs = x[part], q[part]
        labels = ("5-95 % of boxes", "25-75 %", "median") if k == 0 else (None, None, None)
        ax.fill_between(xs, qs[:, 0], qs[:, 4], color="C3", alpha=0.2, step="mid", label=labels[0])
        ax.fill_between(xs, qs[:, 1], qs[:, 3], color="C3", alpha=0.4, step="mid", label=labels[1])
        ax.plot(xs, qs[:, 2], "o-" if len(x) <= 200 else "-", markersize=3, color="C3", label=labels[2])
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _file_slices(res: BatchResults) -> list[slice]:
    files = [rec.file for rec in res.frames]
    starts = [i for i in range(len(files)) if i == 0 or files[i] != files[i - 1]]
    return [slice(a, b) for a, b in zip(starts, [*starts[1:], len(files)], strict=True)]


def _mark_files(res: BatchResults, *axes) -> None:
    files = [rec.file for rec in res.frames]
    starts = [i for i in range(len(files)) if i == 0 or files[i] != files[i - 1]]
    for i in starts[1:]:
        for ax in axes:
            ax.axvline(i - 0.5, color="k", linewidth=0.6, linestyle=":")
    if len(starts) <= 12:  # label each file's first frame on the shared x axis
        axes[-1].set_xticks(starts, [files[i] for i in starts], rotation=30, ha="right", fontsize="small")
