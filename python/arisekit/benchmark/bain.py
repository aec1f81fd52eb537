"""Bain-path scan (ARISE supplementary S2.2): classify body-centred tetragonal cells on an (a, c) grid.

A body-centred tetragonal (bct) cell with lattice parameters a, a, c and atoms at (0, 0, 0) and
(1/2, 1/2, 1/2) is bcc for c/a = 1 and fcc for c/a = √2; the library's tetragonal tI2 classes lie on
c/a = 1.521 (In) and 0.825 (alpha-Pa). Because descriptors are d_NN-scaled, every line of constant c/a is
one structure up to scale. The grid is the paper's: a, c ∈ [3.0, 6.0] Å in 0.05 Å steps (3721 cells).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms

__all__ = ["BAIN_LINES", "BainScan", "bain_scan", "bct", "grid_values"]

#: Reference lines of constant c/a drawn on the maps.
BAIN_LINES: dict[str, float] = {
    "bcc": 1.0,
    "fcc": math.sqrt(2.0),
    "In": 4.9461 / 3.2523,
    "alpha-Pa": 3.238 / 3.925,
}


def bct(a: float, c: float, symbol: str = "Fe") -> Atoms:
    """Periodic body-centred tetragonal cell (2 atoms), lattice parameters ``a`` and ``c`` in Å."""
    for name, v in (("a", a), ("c", c)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive length in Å, got {v}")
    return Atoms([symbol] * 2, scaled_positions=[(0, 0, 0), (0.5, 0.5, 0.5)], cell=[a, a, c], pbc=True)


def grid_values(start: float = 3.0, stop: float = 6.0, step: float = 0.05) -> np.ndarray:
    """Grid ``start``, ``start + step``, ... ≤ ``stop`` (Å), rounded to 1e-6 Å."""
    if not (step > 0 and stop >= start > 0):
        raise ValueError(f"grid: need 0 < start ≤ stop and step > 0, got {start}, {stop}, {step}")
    n = int(math.floor((stop - start) / step + 1e-9)) + 1
    return np.round(start + step * np.arange(n), 6)


@dataclass
class BainScan:
    """Result of :func:`bain_scan`. Arrays are indexed [i_c, i_a]; MI in nats."""

    a: np.ndarray
    c: np.ndarray
    class_names: list[str]
    probabilities: np.ndarray = field(repr=False)  # (n_c, n_a, n_classes)
    mutual_information: np.ndarray = field(repr=False)  # (n_c, n_a)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def argmax(self) -> np.ndarray:
        """Index of the most probable class at every grid point."""
        return self.probabilities.argmax(axis=2)

    def winners(self) -> list[str]:
        """Classes that are the arg-max somewhere, by decreasing number of grid points."""
        idx, counts = np.unique(self.argmax, return_counts=True)
        return [self.class_names[i] for i in idx[np.argsort(-counts, kind="stable")]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: grid, arg-max class names, their probability, MI, and the probability maps of the
        winning classes and of the reference classes bcc, fcc, In, alpha-Pa (where the model has them)."""
        keep = list(dict.fromkeys(self.winners() + [n for n in BAIN_LINES if n in self.class_names]))
        names = np.array(self.class_names, dtype=object)
        return {
            "settings": self.settings,
            "a": self.a.tolist(),
            "c": self.c.tolist(),
            "argmax": names[self.argmax].tolist(),
            "max_probability": np.round(self.probabilities.max(axis=2), 5).tolist(),
            "mutual_information": np.round(self.mutual_information, 6).tolist(),
            "probability_maps": {
                n: np.round(self.probabilities[:, :, self.class_names.index(n)], 5).tolist() for n in keep
            },
            "fraction_of_grid": {
                n: float(np.mean(self.argmax == self.class_names.index(n))) for n in self.winners()
            },
        }

    def save_json(self, path: str | Path) -> Path:
        from arisekit._json import write_json

        return write_json(path, self.to_dict(), indent=None)

    def plot(self, path: str | Path) -> Path:
        """PNG: arg-max class map (left) and mutual-information map (right), with constant-c/a lines."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch

        winners = self.winners()
        code = {self.class_names.index(n): k for k, n in enumerate(winners)}
        img = np.vectorize(code.get)(self.argmax)
        colors = plt.get_cmap("tab20").colors
        cmap = ListedColormap([colors[k % len(colors)] for k in range(len(winners))])
        da = (self.a[-1] - self.a[0]) / max(len(self.a) - 1, 1)
        dc = (self.c[-1] - self.c[0]) / max(len(self.c) - 1, 1)
        extent = (self.a[0] - da / 2, self.a[-1] + da / 2, self.c[0] - dc / 2, self.c[-1] + dc / 2)
        fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
        axes[0].imshow(img, origin="lower", extent=extent, cmap=cmap, vmin=-0.5, vmax=len(winners) - 0.5,
                       interpolation="nearest", aspect="auto")  # fmt: skip
        axes[0].legend(handles=[Patch(color=cmap(k), label=n) for k, n in enumerate(winners[:20])],
                       fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # fmt: skip
        axes[0].set_title("arg-max class")
        im = axes[1].imshow(self.mutual_information, origin="lower", extent=extent, cmap="viridis",
                            interpolation="nearest", aspect="auto")  # fmt: skip
        fig.colorbar(im, ax=axes[1], label="mutual information (nats)")
        axes[1].set_title("uncertainty")
        xs = np.linspace(self.a[0], self.a[-1], 50)
        for ax in axes:
            for name, ratio in BAIN_LINES.items():
                ax.plot(xs, ratio * xs, "w-" if ax is axes[1] else "k-", lw=0.8)
                x_end = min(self.a[-1], self.c[-1] / ratio)
                ax.text(x_end, ratio * x_end, f"{name} ", fontsize=8, va="top", ha="right",
                        color="w" if ax is axes[1] else "k")  # fmt: skip
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
            ax.set_xlabel("a (Å)")
            ax.set_ylabel("c (Å)")
        fig.suptitle(
            f"Bain path: body-centred tetragonal cells ({self.settings.get('n_samples')} MC samples)"
        )
        fig.tight_layout()
        path = Path(path)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def bain_scan(
    model=None,
    a_values=None,
    c_values=None,
    *,
    symbol: str = "Fe",
    n_samples: int = 100,
    seed: int = 0,
    progress: bool = False,
) -> BainScan:
    """Classify bct cells for every (a, c) of the grid (default 3.0–6.0 Å in 0.05 Å steps).

    ``model``: ARISEClassifier, a model directory, or None for the shipped model.
    """
    from tqdm.auto import tqdm

    from arisekit.benchmark.runner import descriptor_kwargs
    from arisekit.descriptors import ARISEDescriptor
    from arisekit.model import resolve_model

    a_values = grid_values() if a_values is None else np.asarray(a_values, dtype=float)
    c_values = grid_values() if c_values is None else np.asarray(c_values, dtype=float)
    if a_values.ndim != 1 or c_values.ndim != 1 or not a_values.size or not c_values.size:
        raise ValueError("a_values, c_values: need non-empty 1-D grids")
    clf = resolve_model(model)
    kwargs = descriptor_kwargs(clf.descriptor_params_)
    descriptor = ARISEDescriptor(**kwargs)
    rows = []
    points = [(c, a) for c in c_values for a in a_values]
    for c, a in tqdm(points, disable=not progress, desc="bain", unit="cell"):
        rows.append(descriptor.compute(bct(a, c, symbol)))
    out = clf.predict_uncertainty(np.array(rows), n_samples=int(n_samples), seed=seed)
    shape = (len(c_values), len(a_values))
    return BainScan(
        a=a_values,
        c=c_values,
        class_names=[str(n) for n in clf.classes_],
        probabilities=out.probabilities.reshape(*shape, -1),
        mutual_information=out.mutual_information.reshape(shape),
        settings={"symbol": symbol, "n_samples": int(n_samples), "seed": int(seed), "n_points": len(points)},
    )
