"""Uncertainty over time (4D tomography, MD): mutual-information histograms and cumulative distributions
per frame, their fractional changes, and radial MI profiles from the particle centre (ARISE Fig. S11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _frame_mi(frame) -> np.ndarray:
    mi = frame.mutual_information if hasattr(frame, "mutual_information") else frame
    mi = np.asarray(mi, dtype=np.float64).reshape(-1)
    return mi[np.isfinite(mi)]


@dataclass(frozen=True)
class MIHistograms:
    """MI histograms of several frames on common ``edges`` (nats).

    ``fractions[f, b]``: boxes of frame f in bin b divided by all classified boxes of frame f (so values
    above the histogram range are counted in the normalisation, as in ARISE Fig. S11a); ``cumulative``:
    running sum over bins (Fig. S11b); ``n_boxes``: classified boxes per frame.
    """

    labels: list[str]
    edges: np.ndarray
    fractions: np.ndarray
    cumulative: np.ndarray
    n_boxes: np.ndarray

    def change(self, earlier: int, later: int) -> np.ndarray:
        """Fractional change of the cumulative distribution from frame ``earlier`` to ``later``:
        (C_later − C_earlier) / C_earlier per bin, NaN where C_earlier is 0 (Fig. S11d)."""
        c1, c2 = self.cumulative[int(earlier)], self.cumulative[int(later)]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(c1 > 0, (c2 - c1) / c1, np.nan)

    def rows(self) -> list[dict]:
        """Table rows: one per (frame, bin)."""
        out = []
        for f, label in enumerate(self.labels):
            for b in range(len(self.edges) - 1):
                out.append(
                    {
                        "frame": label,
                        "mi_lo": float(self.edges[b]),
                        "mi_hi": float(self.edges[b + 1]),
                        "fraction": float(self.fractions[f, b]),
                        "cumulative": float(self.cumulative[f, b]),
                    }
                )
        return out


def mi_histograms(
    frames: Sequence, labels: Sequence[str] | None = None, bins: int = 20, mi_max: float = 0.2
) -> MIHistograms:
    """Histograms of the mutual information (nats) of each frame (SPM results or arrays) in [0, ``mi_max``]
    (ARISE shows MI < 0.2, the low-uncertainty spots)."""
    frames = list(frames)
    if not frames:
        raise ValueError("frames: give at least one SPM result or MI array")
    labels = [f"frame_{k}" for k in range(len(frames))] if labels is None else [str(x) for x in labels]
    if len(labels) != len(frames):
        raise ValueError(f"labels: {len(labels)} labels for {len(frames)} frames")
    if int(bins) < 1:
        raise ValueError(f"bins must be a positive integer, got {bins}")
    if not np.isfinite(mi_max) or mi_max <= 0:
        raise ValueError(f"mi_max must be a positive MI value in nats, got {mi_max}")
    edges = np.linspace(0.0, float(mi_max), int(bins) + 1)
    fractions, n_boxes = [], []
    for label, frame in zip(labels, frames, strict=True):
        mi = _frame_mi(frame)
        if len(mi) == 0:
            raise ValueError(f"frame {label!r} has no classified box (no finite mutual information)")
        counts, _ = np.histogram(mi, bins=edges)
        fractions.append(counts / len(mi))
        n_boxes.append(len(mi))
    fractions = np.asarray(fractions)
    return MIHistograms(labels, edges, fractions, np.cumsum(fractions, axis=1), np.asarray(n_boxes))


@dataclass(frozen=True)
class RadialProfile:
    """MI statistic per spherical shell around ``center`` (Å): ``edges`` (Å), ``values`` (nats, NaN for
    empty shells), ``counts`` (boxes per shell)."""

    center: np.ndarray
    edges: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    statistic: str

    def rows(self, label: str | None = None) -> list[dict]:
        return [
            {
                **({"frame": label} if label is not None else {}),
                "r_lo": float(self.edges[b]),
                "r_hi": float(self.edges[b + 1]),
                f"mi_{self.statistic}": float(self.values[b]),
                "n_boxes": int(self.counts[b]),
            }
            for b in range(len(self.values))
        ]


def central_box(result) -> int:
    """Index of the classified box closest to the atom-count-weighted centroid of the classified boxes."""
    valid = np.flatnonzero(result.valid)
    if len(valid) == 0:
        raise ValueError("the SPM result has no classified box")
    c = np.asarray(result.centers, dtype=np.float64)[valid]
    w = np.asarray(result.counts, dtype=np.float64)[valid]
    centroid = (c * w[:, None]).sum(axis=0) / w.sum()
    return int(valid[np.argmin(np.linalg.norm(c - centroid, axis=1))])


def radial_mi_profile(
    result, center=None, bin_width: float = 2.5, max_radius: float | None = None, statistic: str = "median"
) -> RadialProfile:
    """MI of the classified boxes binned by the distance (Å) of their centres from ``center`` — by default
    the centre of the most central box (ARISE Fig. S11c) — in shells of ``bin_width`` Å."""
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be 'median' or 'mean', got {statistic!r}")
    if not np.isfinite(bin_width) or bin_width <= 0:
        raise ValueError(f"bin_width must be a positive length in Å, got {bin_width}")
    valid = np.flatnonzero(result.valid)
    if len(valid) == 0:
        raise ValueError("the SPM result has no classified box")
    centers = np.asarray(result.centers, dtype=np.float64)
    if center is None:
        center = centers[central_box(result)]
    center = np.asarray(center, dtype=np.float64).reshape(-1)
    if center.shape != (3,) or not np.isfinite(center).all():
        raise ValueError(f"center must be a point (x, y, z) in Å, got {center}")
    r = np.linalg.norm(centers[valid] - center, axis=1)
    mi = np.asarray(result.mutual_information, dtype=np.float64)[valid]
    top = float(r.max()) if max_radius is None else float(max_radius)
    if not np.isfinite(top) or top <= 0:
        raise ValueError(f"max_radius must be a positive length in Å, got {max_radius}")
    n_bins = max(1, int(np.ceil(top / bin_width + 1e-9)))
    edges = np.arange(n_bins + 1) * float(bin_width)
    if max_radius is None and edges[-1] <= top:
        edges = np.append(edges, edges[-1] + bin_width)
    which = np.digitize(r, edges) - 1
    values = np.full(len(edges) - 1, np.nan)
    counts = np.zeros(len(edges) - 1, dtype=np.int64)
    reduce = np.median if statistic == "median" else np.mean
    for b in range(len(values)):
        sel = mi[which == b]
        counts[b] = len(sel)
        if len(sel):
            values[b] = float(reduce(sel))
    return RadialProfile(center, edges, values, counts, statistic)
