"""Strided boxes and spheres over a sample, as CSR membership lists (C++ core)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arisekit import _core
from arisekit.geometry._input import as_structure
from arisekit.parallel import resolve_threads

#: Default cap on the memory a box grid may take (bytes).
DEFAULT_MAX_MEMORY = 4 * 1024**3
#: Hard cap on the number of boxes whatever the memory limit (keeps every count far inside int64).
MAX_BOXES = 2**40

_MODES = {"bulk": 0, "slab": 1, "rod": 2}


@dataclass(frozen=True)
class BoxGrid:
    """Boxes over a sample. Box b holds atoms ``indices[offsets[b]:offsets[b+1]]`` (ascending).

    ``shape`` is the grid shape (C order; spanned axes have length 1), ``origins``/``centers`` are the
    box lower corners / centres in Å with shape (n_boxes, 3), ``size`` the box edge lengths (Å) per axis.
    """

    shape: tuple[int, ...]
    origins: np.ndarray
    centers: np.ndarray
    size: np.ndarray
    offsets: np.ndarray
    indices: np.ndarray

    @property
    def n_boxes(self) -> int:
        return len(self.offsets) - 1

    @property
    def counts(self) -> np.ndarray:
        """Number of atoms per box."""
        return np.diff(self.offsets)

    def members(self, box: int) -> np.ndarray:
        """Indices of the atoms inside box ``box``."""
        return self.indices[self.offsets[box] : self.offsets[box + 1]]


def _triple(value, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (3,)).copy()
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise ValueError(f"{name} must be positive finite length(s) in Å, got {value}")
    return arr


def _grid_counts(
    positions: np.ndarray, size: np.ndarray, step: np.ndarray, spanned: list[bool]
) -> np.ndarray:
    """Boxes per axis (float, as the C++ core counts them): enough that the last box reaches the maximum."""
    extent = positions.max(axis=0) - positions.min(axis=0)
    counts = np.ones(3)
    for k in range(3):
        if not spanned[k] and extent[k] > size[k]:
            counts[k] = np.ceil((extent[k] - size[k]) / step[k] - 1e-9) + 1.0
    return counts


def _check_grid_size(
    positions: np.ndarray, size: np.ndarray, step: np.ndarray, spanned: list[bool], max_memory: float
) -> None:
    """ValueError naming the extent and the farthest atom when the grid is too large to build.

    Checked here, before the C++ core is called, so that no count it receives can overflow.
    """
    counts = _grid_counts(positions, size, step, spanned)
    n_boxes = float(np.prod(counts))
    if n_boxes * 8.0 <= max_memory and n_boxes <= MAX_BOXES:
        return
    extent = positions.max(axis=0) - positions.min(axis=0)
    centre = np.median(positions, axis=0)
    far = int(np.argmax(np.linalg.norm(positions - centre, axis=1)))
    distance = float(np.linalg.norm(positions[far] - centre))
    limit = (
        f"the memory limit of {max_memory / 2**20:.0f} MiB"
        if n_boxes * 8.0 > max_memory
        else (f"the limit of {MAX_BOXES:.3g} boxes")
    )

    def g(values) -> str:
        return ", ".join(f"{v:.3g}" for v in values)

    raise ValueError(
        f"box grid of {n_boxes:.3e} boxes ({' x '.join(f'{c:.3g}' for c in counts)} along x, y, z) exceeds "
        f"{limit}: the sample extent ({g(extent)}) Å is absurd for box_size ({g(size)}) Å and stride "
        f"({g(step)}) Å. Check the coordinates: atom {far} at ({g(positions[far])}) Å lies {distance:.3g} Å "
        "from the median atom position (a stray or unwrapped atom?); or use a larger stride"
    )


def strided_boxes(
    structure,
    box_size,
    stride,
    *,
    geometry: str = "bulk",
    axis: int | tuple[int, ...] | None = None,
    max_memory: float = DEFAULT_MAX_MEMORY,
    mode: str | None = None,
) -> BoxGrid:
    """Grid of boxes of edge ``box_size`` (Å) moved by ``stride`` (Å) over the sample's bounding box.

    ARISE convention per axis: enough boxes that the last one reaches the maximum coordinate, the
    overhang split evenly on both sides; an atom belongs to every box whose closed interval contains it.
    ``geometry="slab"`` spans ``axis`` (default 2, z) with one box (2D grid); ``geometry="rod"`` spans all
    axes but ``axis`` (default 2), giving a 1D grid (the words of :mod:`arisekit.modes`; ``mode=`` is the
    older keyword, still read). ``box_size``/``stride`` are scalars or per-axis triples.
    Raises ValueError when the grid needs more than ``max_memory`` bytes or more than ``MAX_BOXES`` boxes
    (an absurd extent, e.g. one stray atom far away: the message names it), before the C++ core is called.
    """
    s = as_structure(structure)
    if len(s) == 0:
        raise ValueError("the structure has no atoms")
    if mode is not None:  # the older keyword
        geometry = mode
    if geometry not in _MODES:
        raise ValueError(f"geometry (mode) must be one of {sorted(_MODES)}, got {geometry!r}")
    size = _triple(box_size, "box_size")
    step = _triple(stride, "stride")
    spanned = [False, False, False]
    if geometry != "bulk":
        ax = 2 if axis is None else int(axis)  # type: ignore[arg-type]
        if ax not in (0, 1, 2):
            raise ValueError(f"axis must be 0, 1 or 2, got {axis}")
        spanned = [k == ax for k in range(3)] if geometry == "slab" else [k != ax for k in range(3)]
    if not np.isfinite(max_memory) or max_memory <= 0:
        raise ValueError(f"max_memory must be a positive number of bytes, got {max_memory}")
    _check_grid_size(s.positions, size, step, spanned, float(max_memory))  # as_structure: finite
    raw = _core.strided_boxes(s.positions, size, step, spanned, float(max_memory))
    shape = tuple(int(c) for c in raw["shape"])
    axes = [np.asarray(raw["origin"][k]) + np.arange(shape[k]) * raw["stride"][k] for k in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    box = np.asarray(raw["size"], dtype=np.float64)
    return BoxGrid(shape, grid, grid + 0.5 * box, box, raw["offsets"], raw["indices"])


def sphere_members(structure, centers, radius: float, *, max_memory: float = DEFAULT_MAX_MEMORY) -> BoxGrid:
    """Atoms within ``radius`` (Å, inclusive) of each of ``centers`` (m, 3), open boundaries (threads:
    :mod:`arisekit.parallel`)."""
    s = as_structure(structure)
    if len(s) == 0:
        raise ValueError("the structure has no atoms")
    c = np.ascontiguousarray(centers, dtype=np.float64).reshape(-1, 3)
    if not np.isfinite(c).all():
        raise ValueError("centers contain NaN or infinite values")
    if not np.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius must be a positive length in Å, got {radius}")
    raw = _core.sphere_members(s.positions, c, float(radius), float(max_memory), resolve_threads())
    diameter = np.full(3, 2.0 * radius)
    return BoxGrid((len(c),), c - radius, c, diameter, raw["offsets"], raw["indices"])
