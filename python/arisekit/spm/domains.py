"""Domain-streamed strided pattern matching: one large sample mapped domain by domain.

The in-memory path (:func:`arisekit.spm.core.iter_spm`) holds the per-atom SOAP coefficients of the whole
sample (441 floats per atom and species pair) and the membership lists of every box: memory grows with the
sample. Here the box grid is cut into **domains**, blocks of whole boxes (``DomainOptions.size`` Å along
each gridded axis). A domain carries the atoms of its boxes and, around them, a halo of every atom (periodic
images included) within the SOAP radius (cutoff · d_NN(α, β) / extrinsic_scale, the largest over the
species pairs): each of its boxes and each SOAP environment its fast-mode boxes need is complete. A domain
is described, classified and written, then freed, so peak memory is set by the domain size, not by the
sample; domains can run on Dask workers (``DomainOptions.scheduler`` / ``n_workers``) and are saved one by
one (a journal beside the output file) into one :class:`~arisekit.spm.SPMResult` HDF5 file, resumable after
Ctrl-C or a lost worker.

Same results as the in-memory path, by construction:

* the grid is the in-memory grid (built from the sample's bounding box alone); a domain's box membership
  comes from the same C++ routine on the domain's atoms plus the two corners of the sample's bounding box,
  so memberships (and atom orders within boxes) are identical and every box belongs to exactly one domain;
* everything the in-memory path measures on the whole sample is measured once on the whole sample, before
  the domains, by the same functions: each species pair's d_NN (the fast-mode scaling), the free-surface
  flags and the per-atom nearest distances of the scale-mismatch check (and their sample means); a domain
  receives them for its atoms;
* exact-mode boxes are cut from the same coordinates; fast-mode per-atom coefficients differ only by the
  rounding of the image shifts (~1e-16 relative) before both paths round them to float32;
* Monte-Carlo dropout masks depend only on ``n_samples`` and ``seed``, never on the batch
  (:mod:`arisekit.model.mc_dropout`), so each box gets the same passes in any domain split.

The global measurements still read the whole sample (positions, a few floats per atom, the neighbour
search of d_NN); their memory is small next to the SOAP coefficients that set the in-memory path's peak.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from arisekit import _core
from arisekit.descriptors import ARISEDescriptor
from arisekit.descriptors.arise import ArisePair, defined_pairs, species_pairs
from arisekit.geometry import BoxGrid, Structure
from arisekit.parallel import resolve_threads
from arisekit.spm.adaptive import AuditTally, audit_params, needs_rerun, rerun_params
from arisekit.spm.descriptors import exact_descriptors, fast_descriptors
from arisekit.spm.grid import spm_grid
from arisekit.spm.parameters import SPMParameters
from arisekit.spm.result import FORMAT, SPMResult

__all__ = ["DomainOptions", "iter_domain_spm", "stream_spm"]

#: Extra halo (Å) beyond the SOAP radius: atoms at the cutoff itself, rounding of the image shifts.
HALO_MARGIN = 0.5
#: Slack (Å) when collecting a domain's box atoms (the C++ membership predicate decides exactly).
_EPS = 1e-6


@dataclass(frozen=True)
class DomainOptions:
    """How a large sample is streamed through SPM (not what is computed: that is :class:`SPMParameters`;
    the result does not depend on these options).

    Parameters
    ----------
    size : float
        Largest domain edge in Å along each gridded axis: each axis's box centres are cut into the fewest
        blocks of at most ``round(size / stride)`` centres, of equal length ±1 (a domain's atoms span about
        ``size + box_size + 2 ×`` the SOAP radius). Memory per domain grows as ``size³``.
    out : path or None
        HDF5 result file written domain by domain (journal ``<out>.domains/``, merged into ``out`` at the
        end; rerunning the same call keeps finished domains). None: results assembled in memory.
    scheduler : str or None
        Address of a running Dask scheduler (``tcp://HOST:PORT``): domains run on its workers.
    n_workers : int or None
        Without ``scheduler``: number of worker processes of an embedded Dask ``LocalCluster`` (None or 0:
        domains run in this process).
    threads_per_worker : int or None
        Threads of each Dask worker (and of each domain's work there); None: 1.
    """

    size: float = 120.0
    out: str | os.PathLike | None = None
    scheduler: str | None = None
    n_workers: int | None = None
    threads_per_worker: int | None = None

    def __post_init__(self) -> None:
        s = self.size
        if isinstance(s, bool) or not isinstance(s, (int, float, np.number)) or not np.isfinite(s) or s <= 0:
            raise ValueError(f"DomainOptions.size: must be a positive length in Å, got {s!r}")
        object.__setattr__(self, "size", float(s))
        for name in ("n_workers", "threads_per_worker"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0):
                raise ValueError(f"DomainOptions.{name}: must be an integer ≥ 0 or None, got {v!r}")
        if self.scheduler is not None and not isinstance(self.scheduler, str):
            raise ValueError(f"DomainOptions.scheduler: must be an address string, got {self.scheduler!r}")

    @classmethod
    def coerce(cls, value: DomainOptions | float | dict | None) -> DomainOptions | None:
        """``value`` as DomainOptions: a number is the domain size (Å), a dict its fields; None stays None."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, dict):
            return cls(**value)
        return cls(size=value)

    @property
    def distributed(self) -> bool:
        return bool(self.scheduler) or bool(self.n_workers)


# ----------------------------------------------------------------------------------------- the sample
class _AtomIndex:
    """Atoms binned on a coarse Cartesian grid (C order, stable: ascending ids within a bin): the atoms
    inside an axis-aligned box are found by reading whole bin runs."""

    def __init__(self, positions: np.ndarray, bin_size: float) -> None:
        self.positions = positions
        self.lo = positions.min(axis=0)
        self.hi = positions.max(axis=0)
        self.h = float(bin_size)
        self.nb = np.maximum(1, np.ceil((self.hi - self.lo) / self.h).astype(np.int64))
        b = np.minimum(((positions - self.lo) / self.h).astype(np.int64), self.nb - 1)
        key = (b[:, 0] * self.nb[1] + b[:, 1]) * self.nb[2] + b[:, 2]
        self.order = np.argsort(key, kind="stable")
        self.offsets = np.zeros(int(np.prod(self.nb)) + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=int(np.prod(self.nb))), out=self.offsets[1:])

    def query(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Ids (sorted) of the atoms with lo ≤ position ≤ hi on every axis."""
        if np.any(hi < self.lo) or np.any(lo > self.hi):
            return np.zeros(0, dtype=np.int64)
        b0 = np.clip(np.floor((lo - self.lo) / self.h), 0, self.nb - 1).astype(np.int64)
        b1 = np.clip(np.floor((hi - self.lo) / self.h), 0, self.nb - 1).astype(np.int64)
        parts = []
        for i in range(b0[0], b1[0] + 1):
            for j in range(b0[1], b1[1] + 1):
                first = (i * self.nb[1] + j) * self.nb[2]
                parts.append(self.order[self.offsets[first + b0[2]] : self.offsets[first + b1[2] + 1]])
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        p = self.positions[ids]
        return np.sort(ids[np.all((p >= lo) & (p <= hi), axis=1)])


def _image_shifts(cell: np.ndarray, pbc, lo: np.ndarray, hi: np.ndarray, q_lo, q_hi) -> list[np.ndarray]:
    """Lattice translations (Å) of the periodic axes that bring some part of the sample's bounding box
    [lo, hi] into the query box [q_lo, q_hi] (the zero shift first)."""
    periodic = [k for k in range(3) if pbc[k]]
    if not periodic:
        return [np.zeros(3)]
    full = np.array(cell, dtype=np.float64)
    for k in range(3):  # open axes: any vector completing a basis (only the periodic rows are used)
        if not pbc[k]:
            full[k] = 0.0
            full[k, k] = 1.0
    if abs(np.linalg.det(full)) < 1e-12:
        full = np.array(cell, dtype=np.float64)
        q, _ = np.linalg.qr(full[periodic].T, mode="complete")
        for n, k in zip(range(len(periodic), 3), [k for k in range(3) if not pbc[k]], strict=False):
            full[k] = q[:, n]
    widths = 1.0 / np.linalg.norm(np.linalg.inv(full).T, axis=1)
    reach = float(np.linalg.norm(np.maximum(hi, q_hi) - np.minimum(lo, q_lo)))
    ranges = [range(-m, m + 1) for m in (int(np.ceil(reach / widths[k])) + 1 for k in periodic)]
    shifts = [np.zeros(3)]
    for n in itertools.product(*ranges):
        if not any(n):
            continue
        s = np.asarray(n, dtype=np.float64) @ full[periodic]
        if np.all(lo + s <= q_hi) and np.all(hi + s >= q_lo):
            shifts.append(s)
    return shifts


# ------------------------------------------------------------------------------- sample-wide d_NN
#: Samples of more atoms than this measure the ``shell`` d_NN's first shells region by region (the whole
#: sample's neighbour list takes ~24 bytes per bond, 3 GB for 10⁷ fcc atoms); smaller ones call
#: :func:`arisekit.geometry.nearest_neighbor_distance` itself (bit for bit the in-memory value).
SHELL_CHUNK_ATOMS = 2_000_000
#: Centre atoms per region of the regional ``shell`` measurement.
SHELL_REGION_ATOMS = 1_000_000


def _pair_d_nn(sample: Structure, alpha: int, beta: int, method: str, index, n_threads) -> float:
    """d_NN(α, β) of the whole sample by ``method``, as :func:`nearest_neighbor_distance` measures it;
    for ``shell`` on samples above :data:`SHELL_CHUNK_ATOMS` atoms, the per-atom first-shell means are
    found region by region (the same values up to the rounding of the image shifts)."""
    from arisekit.geometry import nearest_neighbor_distance
    from arisekit.geometry import scaling as sc

    if method != "shell" or len(sample) <= SHELL_CHUNK_ATOMS:
        return float(nearest_neighbor_distance(sample, alpha, beta, method=method, n_threads=n_threads))
    s, found, d = sc._nearest_found(sample, alpha, beta, sc.DEFAULT_RADII, n_threads)
    if sc._is_discrete(d):
        return float(sc._histogram_mode(d, 100))
    centre, spread = sc._main_peak(d)
    window = sc.SHELL_WINDOW * min(spread, sc.MAX_RELATIVE_SPREAD * centre)
    radius = float(min(np.max(d), 2.0 * np.median(d)) + window)
    shell = np.empty(len(d))
    x = s.positions[found, 0]
    lo, hi = s.positions.min(axis=0), s.positions.max(axis=0)
    n_regions = max(1, -(-len(found) // SHELL_REGION_ATOMS))
    width = (hi[0] - lo[0]) / n_regions
    region = (
        np.minimum(((x - lo[0]) / width).astype(np.int64), n_regions - 1)
        if width > 0
        else np.zeros(len(x), dtype=np.int64)
    )
    for k in range(n_regions):
        rows = np.flatnonzero(region == k)  # centres of this region (each in exactly one)
        if len(rows) == 0:
            continue
        ids = found[rows]
        c_lo, c_hi = s.positions[ids].min(axis=0), s.positions[ids].max(axis=0)
        shell[rows] = _shell_means(s, ids, beta, d[rows], window, radius, (c_lo, c_hi), index, n_threads)
    return float(sc._main_peak(shell)[0])


def _shell_means(s, ids, beta, d, window, radius, bounds, index, n_threads) -> np.ndarray:
    """Mean distance of each centre ``ids`` to its ``beta`` neighbours up to its nearest distance + window
    (as :func:`arisekit.geometry.scaling._shell_distance`), from an open cut-out with periodic images."""
    from arisekit.geometry.neighbors import neighbor_list

    c_lo, c_hi = bounds
    q_lo, q_hi = c_lo - radius - HALO_MARGIN, c_hi + radius + HALO_MARGIN
    lo, hi = s.positions.min(axis=0), s.positions.max(axis=0)
    parts, numbers = [s.positions[ids]], [s.numbers[ids]]
    for shift in _image_shifts(s.cell, s.pbc, lo, hi, q_lo, q_hi):
        other = index.query(q_lo - shift, q_hi - shift)
        if not shift.any():
            other = other[~np.isin(other, ids, assume_unique=True)]
        parts.append(s.positions[other] + shift)
        numbers.append(s.numbers[other])
    local = Structure(np.concatenate(parts), np.zeros((3, 3)), (False, False, False), np.concatenate(numbers))
    nl = neighbor_list(local, radius, n_threads=n_threads)
    i, j, r = np.asarray(nl.i), np.asarray(nl.j), np.asarray(nl.distance)
    keep = (i < len(ids)) & (local.numbers[j] == beta)
    i, r = i[keep], r[keep]
    keep = r <= d[i] + window
    sums = np.bincount(i[keep], r[keep], minlength=len(ids))
    counts = np.bincount(i[keep], minlength=len(ids))
    return np.where(counts > 0, sums / np.maximum(counts, 1), d)


# --------------------------------------------------------------------------------- what domains share
@dataclass
class _Context:
    """Everything a domain needs besides its atoms (small; sent once to every worker)."""

    params: SPMParameters
    descriptor: dict
    geometry: str
    axis: int | None
    shape: tuple[int, int, int]
    size3: np.ndarray
    step3: np.ndarray
    spanned: list[bool]
    corners: np.ndarray  # (2, 3): the sample's bounding box, appended to every domain's atoms
    pairs: list[tuple[int, int, float]]  # fast mode: (α, β, d_NN in Å) of the whole sample
    mismatch: list[tuple[int, int, float]]  # scale check: (α, β, sample mean of the nearest distances)
    surface: bool  # whether the free-surface flags are checked
    n_threads: int | None = None


@dataclass
class _DomainTask:
    """One domain: its boxes (global ids, ascending), its box atoms (ascending global ids) and its halo."""

    index: int
    boxes: np.ndarray
    positions: np.ndarray
    numbers: np.ndarray
    halo_positions: np.ndarray
    halo_numbers: np.ndarray
    exposed: np.ndarray | None  # free-surface flag of each box atom
    nearest: list[np.ndarray] = field(default_factory=list)  # per mismatch pair: distance (NaN: not α)


@dataclass
class DomainResult:
    """Results of one domain's boxes (``boxes``: global box ids, ascending)."""

    index: int
    boxes: np.ndarray
    counts: np.ndarray
    probabilities: np.ndarray
    mutual_information: np.ndarray
    predictive_entropy: np.ndarray
    variation_ratio: np.ndarray
    novelty: np.ndarray | None
    representations: dict[int, np.ndarray]
    n_exact: int
    audit: tuple[int, int, int] = (0, 0, 0)  # adaptive MC: settled, audited, mismatches


def _even_blocks(n: int, most: int) -> list[tuple[int, int]]:
    """``n`` grid positions cut into the fewest blocks of at most ``most`` positions, of equal length ±1
    (a remainder block of a few boxes would describe its whole halo for them: more atoms per box)."""
    edges = np.linspace(0, n, -(-n // most) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


class _Plan:
    """The sample-wide measurements and the domain layout of one run (built in the calling process)."""

    def __init__(self, sample: Structure, p: SPMParameters, clf, options: DomainOptions, n_threads) -> None:
        from arisekit.geometry import nearest_distances, nearest_neighbor_distance, surface_exposure

        self.sample, self.p, self.options = sample, p, options
        pos = sample.positions
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        corners = np.stack([lo, hi])
        # the grid depends only on the bounding box: built from its two corners (no memberships)
        grid, geometry, axis = spm_grid(corners, p.box_size, p.stride, p.geometry, p.axis, p.max_memory)
        self.grid, self.geometry, self.axis = grid, geometry, axis
        shape = tuple(int(s) for s in grid.shape)
        spanned = [False] * 3
        if geometry != "bulk":
            spanned = [k == axis for k in range(3)] if geometry == "slab" else [k != axis for k in range(3)]
        origins = grid.origins.reshape(shape + (3,))
        self.axis_origins = [origins[:, 0, 0, 0], origins[0, :, 0, 1], origins[0, 0, :, 2]]
        self.lo, self.hi = lo, hi
        descriptor = ARISEDescriptor.from_dict(clf.descriptor_params_)
        self.descriptor = descriptor
        pairs: list[tuple[int, int, float]] = []
        mismatch: list[tuple[int, int, float]] = []
        self.nearest: list[np.ndarray] = []
        self.exposed = None
        surface = p.box_descriptors == "fast" and p.surface_threshold is not None
        if p.box_descriptors == "fast":
            for alpha, beta in defined_pairs(sample.numbers, sample.pbc, descriptor.undefined_pairs):
                d_nn = _pair_d_nn(sample, alpha, beta, descriptor.d_nn_method, self.index, n_threads)
                pairs.append((alpha, beta, d_nn))
        if surface:  # as spm.descriptors.surface_boxes / scale_mismatch_boxes, on the whole sample
            d_nn = nearest_neighbor_distance(sample)
            radius = descriptor.cutoff * d_nn / descriptor.extrinsic_scale
            self.exposed = surface_exposure(sample, radius, n_threads=n_threads) > p.surface_threshold
            from arisekit.spm.descriptors import SCALE_TOLERANCE

            self.tolerance = SCALE_TOLERANCE
            for alpha, beta in species_pairs(sample.numbers):
                centres = np.flatnonzero(sample.numbers == alpha)
                if alpha == beta and len(centres) < 2:
                    continue
                d = nearest_distances(sample, alpha, beta, n_threads=n_threads)
                if len(d) != len(centres):
                    continue
                full = np.full(len(sample), np.nan)
                full[centres] = d
                mismatch.append((alpha, beta, float(d.mean())))
                self.nearest.append(full)
        halo = max((descriptor.cutoff * d / descriptor.extrinsic_scale for _, _, d in pairs), default=0.0)
        self.halo = halo + HALO_MARGIN if pairs else 0.0
        self.context = _Context(
            params=p,
            descriptor=descriptor.to_dict(),
            geometry=geometry,
            axis=axis,
            shape=shape,
            size3=np.broadcast_to(np.float64(p.box_size), (3,)).copy(),
            step3=np.broadcast_to(np.float64(p.stride), (3,)).copy(),
            spanned=spanned,
            corners=corners,
            pairs=pairs,
            mismatch=mismatch,
            surface=surface,
            n_threads=n_threads,
        )
        per_domain = max(1, int(round(options.size / p.stride)))
        self.blocks = [[(0, 1)] if spanned[k] else _even_blocks(shape[k], per_domain) for k in range(3)]
        self.domains = list(itertools.product(*self.blocks))

    @property
    def index(self) -> _AtomIndex:
        """The sample's atoms binned for region queries (built on first use)."""
        if self.__dict__.get("_index") is None:
            self._index = _AtomIndex(self.sample.positions, max(self.options.size / 4.0, 4.0))
        return self._index

    @property
    def n_boxes(self) -> int:
        return int(np.prod(self.context.shape))

    def domain_boxes(self, d: int) -> np.ndarray:
        (a0, a1), (b0, b1), (c0, c1) = self.domains[d]
        i, j, k = np.meshgrid(np.arange(a0, a1), np.arange(b0, b1), np.arange(c0, c1), indexing="ij")
        return np.ravel_multi_index((i.ravel(), j.ravel(), k.ravel()), self.context.shape).astype(np.int64)

    def region(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """The closed region (Å) covered by domain ``d``'s boxes."""
        r_lo, r_hi = self.lo.copy(), self.hi.copy()
        for k, (a, b) in enumerate(self.domains[d]):
            if not self.context.spanned[k]:
                r_lo[k] = self.axis_origins[k][a]
                r_hi[k] = self.axis_origins[k][b - 1] + self.context.size3[k]
        return r_lo, r_hi

    def task(self, d: int) -> _DomainTask:
        s, index = self.sample, self.index
        r_lo, r_hi = self.region(d)
        inner_lo, inner_hi = r_lo - _EPS, r_hi + _EPS
        members = index.query(inner_lo, inner_hi)
        halo_pos, halo_num = [np.zeros((0, 3))], [np.zeros(0, dtype=s.numbers.dtype)]
        if self.halo > 0:
            q_lo, q_hi = r_lo - self.halo, r_hi + self.halo
            for shift in _image_shifts(s.cell, s.pbc, self.lo, self.hi, q_lo, q_hi):
                ids = index.query(q_lo - shift, q_hi - shift)
                p = s.positions[ids]
                if not shift.any():  # the box atoms themselves are not halo
                    outside = ~np.all((p >= inner_lo) & (p <= inner_hi), axis=1)
                    ids, p = ids[outside], p[outside]
                halo_pos.append(p + shift)
                halo_num.append(s.numbers[ids])
        return _DomainTask(
            index=d,
            boxes=self.domain_boxes(d),
            positions=s.positions[members],
            numbers=s.numbers[members],
            halo_positions=np.concatenate(halo_pos),
            halo_numbers=np.concatenate(halo_num),
            exposed=None if self.exposed is None else self.exposed[members],
            nearest=[full[members] for full in self.nearest],
        )


# ------------------------------------------------------------------------------------- one domain
class _GivenCoefficients(ARISEDescriptor):
    """The descriptor with the per-atom coefficients of a domain already computed (handed to
    :func:`arisekit.spm.descriptors.fast_descriptors`, which then only sums them per box)."""

    def coefficients(self, atoms, *, n_threads: int | None = None, dtype=np.float64) -> list[ArisePair]:
        return self.__dict__["_pairs"]


def _domain_grid(ctx: _Context, task: _DomainTask) -> BoxGrid:
    """The in-memory grid's membership lists of the domain's boxes, over the domain's box atoms."""
    n = len(task.positions)
    positions = np.ascontiguousarray(np.concatenate([task.positions, ctx.corners]), dtype=np.float64)
    raw = _core.strided_boxes(positions, ctx.size3, ctx.step3, ctx.spanned, float(ctx.params.max_memory))
    if tuple(int(c) for c in raw["shape"]) != tuple(ctx.shape):  # pragma: no cover - a broken invariant
        raise RuntimeError(f"domain grid {tuple(raw['shape'])} differs from the sample grid {ctx.shape}")
    offsets, indices = raw["offsets"], raw["indices"]
    b = task.boxes
    starts, lengths = offsets[b], offsets[b + 1] - offsets[b]
    owner = np.repeat(np.arange(len(b)), lengths)
    position = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    members = indices[np.repeat(starts, lengths) + position]
    keep = members < n  # the two corners are not atoms
    counts = np.bincount(owner[keep], minlength=len(b))
    local = np.zeros(len(b) + 1, dtype=np.int64)
    np.cumsum(counts, out=local[1:])
    zeros = np.zeros((len(b), 3))
    return BoxGrid((len(b),), zeros, zeros, ctx.size3, local, np.ascontiguousarray(members[keep]))


def _has(grid: BoxGrid, flags: np.ndarray, n_threads) -> np.ndarray:
    """Boxes holding at least one flagged atom."""
    row = np.where(flags, 0, -1).astype(np.int64)
    boxes = np.arange(grid.n_boxes, dtype=np.int64)
    return _core.box_row_sums(grid.offsets, grid.indices, boxes, row, np.zeros((1, 0)), n_threads)[1] > 0


def _mismatch(ctx: _Context, grid: BoxGrid, task: _DomainTask, n_threads) -> np.ndarray:
    """As :func:`arisekit.spm.descriptors.scale_mismatch_boxes`, with the sample's nearest distances."""
    from arisekit.spm.descriptors import SCALE_TOLERANCE

    out = np.zeros(grid.n_boxes, dtype=bool)
    boxes = np.arange(grid.n_boxes, dtype=np.int64)
    for (_, _, mean), d in zip(ctx.mismatch, task.nearest, strict=True):
        has_d = np.isfinite(d)
        row = np.full(len(d), -1, dtype=np.int64)
        row[has_d] = np.arange(int(has_d.sum()))
        sums, counts = _core.box_row_sums(
            grid.offsets, grid.indices, boxes, row, np.ascontiguousarray(d[has_d, None]), n_threads
        )
        has = counts > 0
        local = sums[has, 0] / counts[has]
        out[np.flatnonzero(has)[np.abs(local - mean) > float(SCALE_TOLERANCE) * mean]] = True
    return out


def _coefficients(ctx: _Context, descriptor: ARISEDescriptor, task: _DomainTask, n_threads) -> list:
    """Per-atom coefficients of the domain's box atoms (their environments from box atoms and halo),
    each pair scaled by the sample's d_NN."""
    calc = descriptor.soap._calc
    positions = np.concatenate([task.positions, task.halo_positions])
    numbers = np.ascontiguousarray(np.concatenate([task.numbers, task.halo_numbers]), dtype=np.int64)
    out = []
    for alpha, beta, d_nn in ctx.pairs:
        f = descriptor.extrinsic_scale / d_nn
        centres = np.flatnonzero(task.numbers == alpha).astype(np.int64)
        coeffs = calc.coefficients(
            np.ascontiguousarray(positions * f), numbers, np.zeros((3, 3)), [False] * 3, centres, [beta],
            resolve_threads(n_threads),
        )  # fmt: skip
        # float32, as the in-memory path stores them (ARISEDescriptor.coefficients(dtype=float32))
        out.append(ArisePair(alpha, beta, float(d_nn), centres, coeffs.astype(np.float32)))
    return out


def run_domain(ctx: _Context, task: _DomainTask, clf) -> DomainResult:
    """Describe and classify one domain's boxes (the in-memory path's plan, restricted to them)."""
    from arisekit.spm.core import BoxOutputs

    p, n_threads = ctx.params, ctx.n_threads
    descriptor = ARISEDescriptor.from_dict(ctx.descriptor)
    grid = _domain_grid(ctx, task)
    counts = grid.counts
    valid = counts >= p.min_atoms
    sub = Structure(task.positions, np.zeros((3, 3)), (False, False, False), task.numbers)
    out = BoxOutputs(
        clf, grid.n_boxes, p.representations, box_ids=task.boxes, grid_boxes=int(np.prod(ctx.shape))
    )
    n_exact = int(valid.sum())
    if p.box_descriptors == "fast":
        to_exact = np.zeros_like(valid)
        if ctx.surface:
            threads = resolve_threads(n_threads)
            to_exact = valid & _has(grid, task.exposed, threads)
            to_exact |= valid & _mismatch(ctx, grid, task, threads)
        fast = valid & ~to_exact
        given = descriptor
        if fast.any():
            given = _GivenCoefficients(**descriptor.to_dict())
            object.__setattr__(given, "_pairs", _coefficients(ctx, descriptor, task, n_threads))
        plan = [(fast_descriptors, fast, given), (exact_descriptors, to_exact, descriptor)]
        n_exact = int(to_exact.sum())
    else:
        plan = [(exact_descriptors, valid, descriptor)]
    for source, mask, desc in plan:
        for _ in out.fill(clf, source, sub, grid, desc, mask, p, n_threads):
            pass
    return DomainResult(
        task.index, task.boxes, counts, out.prob, out.mi, out.pe, out.vr, out.novelty, out.reps, n_exact,
        out.tally.counts(),
    )  # fmt: skip


def _run_remote(ctx: _Context, task: _DomainTask, model) -> DomainResult:
    """:func:`run_domain` on a Dask worker (``model``: the scattered classifier)."""
    return run_domain(ctx, task, model)


# ------------------------------------------------------------------------------------------ drivers
def _dask_client(options: DomainOptions):
    """(client, cluster or None) for ``options``: the scheduler's, or an embedded LocalCluster."""
    import logging

    from distributed import Client, LocalCluster

    from arisekit.batch.scheduler import connect_scheduler

    if options.scheduler:
        return connect_scheduler(options.scheduler, 30.0), None
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:  # the worker processes inherit an ignored SIGINT: Ctrl-C reaches only this process
        cluster = LocalCluster(
            n_workers=int(options.n_workers),
            threads_per_worker=int(options.threads_per_worker or 1),
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return Client(cluster, set_as_default=False), cluster


def _results(plan: _Plan, clf, todo: list[int], options: DomainOptions) -> Iterator[DomainResult]:
    """Results of domains ``todo``, in this process or on Dask (in completion order there); a domain whose
    worker was lost is resubmitted (Dask retries it; finished domains are never recomputed)."""
    if not options.distributed:
        for d in todo:
            yield run_domain(plan.context, plan.task(d), clf)
        return
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError

    client, cluster = _dask_client(options)
    try:
        threads = sum(client.nthreads().values()) or 1
        ctx = plan.context
        if ctx.n_threads is None:
            ctx = _Context(**{**ctx.__dict__, "n_threads": int(options.threads_per_worker or 1)})
        inputs = client.scatter([ctx, clf], broadcast=True, hash=False)  # context and model, once
        pending = iter(todo)
        queue = as_completed(loop=client.loop)
        domain_of: dict = {}
        lost: dict[int, int] = {}
        limit = 2 * threads  # domains in flight (their atoms and results are held here)

        def submit(d: int | None) -> bool:
            if d is None:
                return False
            future = client.submit(_run_remote, inputs[0], plan.task(d), inputs[1], pure=False, retries=3)
            domain_of[future.key] = d
            queue.add(future)
            return True

        for _ in range(limit):
            if not submit(next(pending, None)):
                break
        for future in queue:
            d = domain_of.pop(future.key)
            try:
                result = future.result()
            except (FutureCancelledError, KilledWorker) as exc:
                # a lost worker took the domain, or the only copy of its inputs, with it: scatter the
                # inputs again and resubmit the domain (a few times at most)
                lost[d] = lost.get(d, 0) + 1
                if lost[d] > 3:
                    raise RuntimeError(f"domain {d} was lost with its worker {lost[d]} times: {exc}") from exc
                inputs = client.scatter([ctx, clf], broadcast=True, hash=False)
                submit(d)
                continue
            future.release()
            submit(next(pending, None))
            yield result
    finally:
        with contextlib.suppress(Exception):
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def _prepare_run(atoms, params, model, n_threads, options, overrides):
    from arisekit.model import resolve_model
    from arisekit.spm.core import _prepare

    p = SPMParameters.from_kwargs(params, **overrides)
    resolve_threads(n_threads)
    clf = resolve_model(model)
    if isinstance(atoms, (str, os.PathLike)):  # a large LAMMPS dump / extended XYZ file: its last frame
        from arisekit.io.large import read_large

        atoms = read_large(atoms)
    sample = _prepare(atoms)
    return p, clf, sample, _Plan(sample, p, clf, options, n_threads)


def _result_params(
    plan: _Plan, clf, n_exact: int, tally: AuditTally, rerun_of: AuditTally | None = None
) -> dict:
    """The result's params; ``rerun_of``: the audit of the adaptive run this fixed-T run redoes."""
    from arisekit.spm.core import _model_checksum, _version

    params = dict(
        plan.p.to_dict(),
        axis=plan.axis,
        descriptor=plan.descriptor.to_dict(),
        model_checksum=_model_checksum(clf),
        arisekit_version=_version(),
        n_atoms=len(plan.sample),
        exact_boxes=int(n_exact),
        domains=dict(size=plan.options.size, count=len(plan.domains)),
        **audit_params(plan.p, tally),
    )
    if rerun_of is not None:
        params.update(rerun_params(rerun_of))
    return params


def iter_domain_spm(
    atoms,
    params: SPMParameters | None = None,
    *,
    model=None,
    n_threads: int | None = None,
    domains: DomainOptions | float = 120.0,
    **overrides,
):
    """:func:`arisekit.spm.iter_spm` domain by domain (same arguments and result; ``domains``: the
    :class:`DomainOptions` or just the domain size in Å). Yields the fraction of boxes done (0–1) and
    returns the :class:`SPMResult`; with ``domains.out`` set, the file is written (resumable) and read
    back."""
    options = DomainOptions.coerce(domains)
    if options.out is not None:
        path = yield from _stream(atoms, params, model, n_threads, options, overrides)
        return SPMResult.load(path)
    p, clf, sample, plan = _prepare_run(atoms, params, model, n_threads, options, overrides)
    n_boxes, n_classes = plan.n_boxes, len(clf.classes_)
    counts = np.zeros(n_boxes, dtype=np.int64)
    prob = np.full((n_boxes, n_classes), np.nan)
    mi, pe, vr = (np.full(n_boxes, np.nan) for _ in range(3))
    novelty = np.full(n_boxes, np.nan) if getattr(clf, "novelty_", None) is not None else None
    reps: dict[int, np.ndarray] = {}
    done, n_exact, tally = 0, 0, AuditTally()
    yield 0.0
    for r in _results(plan, clf, list(range(len(plan.domains))), options):
        b = r.boxes
        counts[b], prob[b] = r.counts, r.probabilities
        mi[b], pe[b], vr[b] = r.mutual_information, r.predictive_entropy, r.variation_ratio
        if novelty is not None and r.novelty is not None:
            novelty[b] = r.novelty
        for layer, h in r.representations.items():
            reps.setdefault(layer, np.full((n_boxes, h.shape[1]), np.nan, dtype=np.float32))[b] = h
        n_exact += r.n_exact
        tally.add(r.audit)
        done += len(b)
        yield min(done / max(n_boxes, 1), 1.0)
    if needs_rerun(p, tally):  # as arisekit.spm.iter_spm: the fixed-T result when the audit did not certify
        fixed = yield from iter_domain_spm(
            sample, replace(p, adaptive=False), model=clf, n_threads=n_threads, domains=options
        )
        fixed.params.update(rerun_params(tally))
        return fixed
    return SPMResult(
        shape=plan.context.shape,
        geometry=plan.geometry,
        centers=plan.grid.centers,
        box_size=plan.grid.size,
        stride=p.stride,
        counts=counts,
        probabilities=prob,
        mutual_information=mi,
        predictive_entropy=pe,
        variation_ratio=vr,
        class_names=[str(c) for c in clf.classes_],
        params=_result_params(plan, clf, n_exact, tally),
        representations=reps,
        novelty=novelty,
    )


# ------------------------------------------------------------------------------ streamed result file
_JOURNAL_FORMAT = "arisekit-spm-domains-1"
_ARRAYS = ("counts", "probabilities", "mutual_information", "predictive_entropy", "variation_ratio")


def journal_path(out: str | os.PathLike) -> Path:
    """The folder of finished domains of a streamed run writing ``out``: ``<out>.domains``."""
    out = Path(out)
    return out.with_name(out.name + ".domains")


def _fingerprint(plan: _Plan, clf) -> str:
    """Hash of everything a result depends on: the sample, the parameters, the model, the domain layout."""
    from arisekit.spm.core import _model_checksum

    h = hashlib.blake2b(digest_size=16)
    s = plan.sample
    for a in (s.positions, s.numbers, np.asarray(s.cell, dtype=np.float64), np.asarray(s.pbc)):
        h.update(np.ascontiguousarray(a).tobytes())
    meta = dict(
        params=plan.p.to_dict(),
        descriptor=plan.descriptor.to_dict(),
        model=_model_checksum(clf) or repr(clf.classes_),
        domains=[list(map(list, d)) for d in plan.domains],
    )
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _save_domain(folder: Path, r: DomainResult) -> None:
    from arisekit._atomic import replace_file, temp_name

    arrays = {name: getattr(r, name) for name in _ARRAYS}
    arrays["boxes"], arrays["n_exact"] = r.boxes, np.int64(r.n_exact)
    arrays["audit"] = np.asarray(r.audit, dtype=np.int64)
    if r.novelty is not None:
        arrays["novelty"] = r.novelty
    for layer, h in r.representations.items():
        arrays[f"rep_{int(layer)}"] = h
    final = folder / f"{r.index:06d}.npz"
    tmp = temp_name(final)
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    replace_file(tmp, final)


def _finished(folder: Path) -> dict[int, Path]:
    out = {}
    for f in folder.glob("[0-9]*.npz"):
        with contextlib.suppress(ValueError):
            out[int(f.stem)] = f
    return out


def _hyperslabs(boxes: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(start, stride, count, block) of the HDF5 hyperslabs covering the ascending box ids ``boxes``: runs
    of consecutive ids, those of equal length and equal spacing merged (a domain's block of the grid is
    one hyperslab per plane of its first axis)."""
    breaks = np.flatnonzero(np.diff(boxes) != 1) + 1
    starts = boxes[np.r_[0, breaks]].astype(np.int64)
    lengths = np.diff(np.r_[0, breaks, len(boxes)])
    out: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(starts):
        j = i + 1
        if j < len(starts) and lengths[j] == lengths[i]:
            step = starts[j] - starts[i]
            while j < len(starts) and lengths[j] == lengths[i] and starts[j] - starts[j - 1] == step:
                j += 1
            out.append((int(starts[i]), int(step), j - i, int(lengths[i])))
        else:
            out.append((int(starts[i]), 1, 1, int(lengths[i])))
        i = j
    return out


def _write_rows(dset, slabs: list[tuple[int, int, int, int]], values: np.ndarray) -> None:
    """Write ``values`` (one row per box, ascending box ids) into the rows of the HDF5 dataset ``dset``
    selected by ``slabs`` (:func:`_hyperslabs`), in one write."""
    from h5py import h5s

    values = np.ascontiguousarray(values, dtype=dset.dtype)
    tail = tuple(dset.shape[1:])
    space = dset.id.get_space()
    space.select_none()
    for start, stride, count, block in slabs:
        space.select_hyperslab(
            (start,) + (0,) * len(tail), (count,) + (1,) * len(tail), (stride,) + (1,) * len(tail),
            (block,) + tail, op=h5s.SELECT_OR,
        )  # fmt: skip
    dset.id.write(h5s.create_simple(values.shape), space, values)


def _merge(
    plan: _Plan, clf, folder: Path, out: Path, tally: AuditTally, rerun_of: AuditTally | None = None
) -> Path:
    """Write the SPMResult HDF5 file from the journal, domain by domain (atomically); ``tally``: the
    journal's audit (:func:`_journal_tally`); ``rerun_of``: the audit of the adaptive run this fixed-T
    journal redoes."""
    import h5py

    from arisekit._atomic import atomic_path
    from arisekit._json import dumps as json_dumps

    files = _finished(folder)
    n, n_classes = plan.n_boxes, len(clf.classes_)
    n_exact = 0
    with atomic_path(out, what="SPM result") as tmp, h5py.File(tmp, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["shape"] = np.asarray(plan.context.shape, dtype=np.int64)
        f.attrs["geometry"] = plan.geometry
        f.attrs["stride"] = float(plan.p.stride)
        f.attrs["box_size"] = np.asarray(plan.grid.size, dtype=np.float64)
        f.attrs["class_names"] = json.dumps([str(c) for c in clf.classes_])
        f.create_dataset("centers", data=plan.grid.centers)
        f["centers"].attrs["units"] = "Å"
        f.create_dataset("counts", shape=(n,), dtype=np.int64)
        f.create_dataset("probabilities", shape=(n, n_classes), dtype=np.float64, fillvalue=np.nan)
        for name in _ARRAYS[2:]:
            f.create_dataset(name, shape=(n,), dtype=np.float64, fillvalue=np.nan)
        if getattr(clf, "novelty_", None) is not None:
            f.create_dataset("novelty", shape=(n,), dtype=np.float64, fillvalue=np.nan)
        for d in range(len(plan.domains)):
            with np.load(files[d]) as z:
                n_exact += int(z["n_exact"])
                names = [k for k in z.files if k not in ("boxes", "n_exact", "audit")]
                data = {k: z[k] for k in names}
                for k in names:
                    if k.startswith("rep_") and f"representations/{k[4:]}" not in f:
                        f.create_dataset(
                            f"representations/{k[4:]}", shape=(n, data[k].shape[1]), dtype=np.float32,
                            fillvalue=np.nan,
                        )  # fmt: skip
                boxes = z["boxes"]
                order = None if np.all(np.diff(boxes) > 0) else np.argsort(boxes)
                slabs = _hyperslabs(boxes if order is None else boxes[order])
                for k in names:
                    target = f[f"representations/{k[4:]}"] if k.startswith("rep_") else f[k]
                    _write_rows(target, slabs, data[k] if order is None else data[k][order])
        f.attrs["params"] = json_dumps(_result_params(plan, clf, n_exact, tally, rerun_of))
    return out


def _stream(atoms, params, model, n_threads, options: DomainOptions, overrides) -> Iterator[float]:
    from arisekit._atomic import locked_output

    out = Path(options.out)
    with locked_output(out, what="SPM result"):
        p, clf, sample, plan = _prepare_run(atoms, params, model, n_threads, options, overrides)
        folder = journal_path(out)
        yield from _run_journal(plan, clf, folder, options)
        tally = _journal_tally(folder)
        if needs_rerun(p, tally):  # as arisekit.spm.iter_spm: fixed T when the audit did not certify
            fixed = _Plan(sample, replace(p, adaptive=False), clf, options, n_threads)
            rerun = folder.with_name(folder.name + ".fixed")  # its own journal: resumable too
            yield from _run_journal(fixed, clf, rerun, options)
            _merge(fixed, clf, rerun, out, AuditTally(), rerun_of=tally)
            shutil.rmtree(rerun, ignore_errors=True)
        else:
            _merge(plan, clf, folder, out, tally)
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _run_journal(plan: _Plan, clf, folder: Path, options: DomainOptions) -> Iterator[float]:
    """Run the domains of ``plan`` not yet in the journal ``folder`` and save each there."""
    key = _fingerprint(plan, clf)
    manifest = folder / "job.json"
    if folder.exists():
        try:
            job = json.loads(manifest.read_text())
        except (OSError, ValueError):
            job = {}
        if job.get("format") != _JOURNAL_FORMAT or job.get("fingerprint") != key:
            raise ValueError(
                f"{folder}: holds finished domains of another run (other sample, parameters, model or "
                "domain size); delete it or write to another file"
            )
    else:
        folder.mkdir()
        manifest.write_text(json.dumps({"format": _JOURNAL_FORMAT, "fingerprint": key}))
    finished = _finished(folder)
    todo = [d for d in range(len(plan.domains)) if d not in finished]
    sizes = {d: len(plan.domain_boxes(d)) for d in range(len(plan.domains))}
    done = sum(sizes[d] for d in finished if d < len(plan.domains))
    yield done / max(plan.n_boxes, 1)
    for r in _results(plan, clf, todo, options):
        _save_domain(folder, r)
        done += sizes[r.index]
        yield min(done / max(plan.n_boxes, 1), 1.0)


def _journal_tally(folder: Path) -> AuditTally:
    """The adaptive audit summed over the finished domains of a journal."""
    tally = AuditTally()
    for path in _finished(folder).values():
        with np.load(path) as z:
            if "audit" in z.files:
                tally.add(z["audit"])
    return tally


def stream_spm(
    atoms,
    out: str | os.PathLike,
    params: SPMParameters | None = None,
    *,
    model=None,
    n_threads: int | None = None,
    domains: DomainOptions | float = 120.0,
    progress: bool = False,
    **overrides,
) -> Path:
    """Domain-streamed SPM of ``atoms`` (a structure, or a path to a LAMMPS dump / extended XYZ file:
    its last frame) written to the HDF5 file ``out`` (:meth:`SPMResult.load` reads it); returns ``out``.
    Peak memory is set by the domain size; rerunning after Ctrl-C or a crash keeps finished domains.
    ``domains``: :class:`DomainOptions` (its ``out`` is replaced by ``out``) or the domain size in Å."""
    from tqdm.auto import tqdm

    options = DomainOptions.coerce(domains)
    options = replace(options, out=out)
    steps = _stream(atoms, params, model, n_threads, options, overrides)
    with tqdm(
        total=1.0, disable=not progress, desc="SPM domains", bar_format="{l_bar}{bar}| {elapsed}<{remaining}"
    ) as bar:
        try:
            while True:
                bar.update(next(steps) - bar.n)
        except StopIteration as stop:
            return stop.value
