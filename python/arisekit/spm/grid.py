"""Choosing the SPM box grid: bulk (3D), slab (2D, boxes span the thinnest axis) or rod (1D)."""

from __future__ import annotations

import numpy as np

from arisekit.geometry import BoxGrid, strided_boxes

GEOMETRIES = ("auto", "bulk", "slab", "rod")


def choose_geometry(extent: np.ndarray, box_size: float) -> tuple[str, int | None]:
    """Grid type for a sample of bounding-box ``extent`` (Å per axis): axes thinner than the box are
    spanned. Returns (geometry, axis) where axis is the spanned axis (slab) or the long axis (rod)."""
    thin = np.flatnonzero(extent < box_size)
    if len(thin) == 0:
        return "bulk", None
    if len(thin) == 1:
        return "slab", int(thin[0])
    if len(thin) == 2:
        return "rod", int(np.argmax(extent))
    raise ValueError(
        f"box_size {box_size} Å exceeds the sample extent {np.round(extent, 2).tolist()} Å along every axis: "
        "use a smaller box or classify the whole structure with arisekit.classify"
    )


def spm_grid(
    positions: np.ndarray,
    box_size: float,
    stride: float,
    geometry: str = "auto",
    axis: int | None = None,
    max_memory: float = 4 * 1024**3,
) -> tuple[BoxGrid, str, int | None]:
    """Validate SPM parameters and build the box grid over ``positions`` (Å)."""
    if geometry not in GEOMETRIES:
        raise ValueError(f"geometry must be one of {GEOMETRIES}, got {geometry!r}")
    if not np.isfinite(box_size) or box_size <= 0:
        raise ValueError(f"box_size must be a positive length in Å, got {box_size}")
    if not np.isfinite(stride) or stride <= 0:
        raise ValueError(f"stride must be a positive length in Å, got {stride}")
    if stride > box_size:
        raise ValueError(
            f"stride {stride} Å is larger than box_size {box_size} Å: atoms between boxes would be skipped"
        )
    if len(positions) == 0:
        raise ValueError("the sample has no atoms")
    extent = positions.max(axis=0) - positions.min(axis=0)
    if geometry == "auto":
        geometry, axis = choose_geometry(extent, box_size)
    elif geometry != "bulk":
        axis = 2 if axis is None else int(axis)
    if geometry == "bulk" and (extent < box_size).all():
        raise ValueError(
            f"box_size {box_size} Å exceeds the sample extent {np.round(extent, 2).tolist()} Å "
            "along every axis"
        )
    grid = strided_boxes(positions, box_size, stride, geometry=geometry, axis=axis, max_memory=max_memory)
    return grid, geometry, axis
