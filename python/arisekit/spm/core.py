"""Strided pattern matching: slide a box over a sample and classify every box (ARISE Figs. 1f–m, 2–4)."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator

import numpy as np

from arisekit.descriptors import ARISEDescriptor
from arisekit.geometry import Structure, as_structure, strided_boxes
from arisekit.modes import BOX_DESCRIPTORS
from arisekit.parallel import resolve_threads
from arisekit.spm.adaptive import (
    AdaptiveMC,
    AuditTally,
    adaptive_predict,
    applies,
    audit_params,
    needs_rerun,
    rerun_params,
)
from arisekit.spm.descriptors import (
    exact_descriptors,
    fast_descriptors,
    scale_mismatch_boxes,
    surface_boxes,
)
from arisekit.spm.grid import spm_grid
from arisekit.spm.parameters import SPMParameters
from arisekit.spm.result import SPMResult

#: How boxes are described (:data:`arisekit.modes.BOX_DESCRIPTORS`).
MODES = BOX_DESCRIPTORS


def _descriptor(model) -> ARISEDescriptor:
    """The model's descriptor (its ``descriptor_params_``)."""
    return ARISEDescriptor.from_dict(model.descriptor_params_)


def _prepare(atoms) -> Structure:
    """The sample as a :class:`~arisekit.geometry.Structure` (converted once; positions in Å) with periodic
    axes wrapped into the cell (as ``ase.Atoms.wrap``)."""
    s = as_structure(atoms)  # validates NaN/inf and singular cells
    if len(s) == 0:
        raise ValueError("the sample has no atoms")
    if any(s.pbc):
        from ase.geometry import wrap_positions

        s = Structure(wrap_positions(s.positions, s.cell, s.pbc), s.cell, s.pbc, s.numbers)
    return s


def spm(
    atoms,
    params: SPMParameters | None = None,
    *,
    model=None,
    n_threads: int | None = None,
    progress: bool = False,
    domains=None,
    **overrides,
) -> SPMResult:
    """Classify every box of a strided grid over ``atoms``; returns probability and uncertainty maps.

    Parameters
    ----------
    atoms : ase.Atoms, OVITO DataCollection or Structure
        The sample (positions in Å; periodic axes are wrapped, open samples used as they are); anything
        :func:`arisekit.geometry.as_structure` accepts.
    params : SPMParameters or None
        The run: box size and stride (Å), ``box_descriptors`` ("fast"/"exact"), ``geometry``, Monte-Carlo
        samples, ... (None: the defaults).
    model : ARISEClassifier, path or None
        Classifier (default: the shipped model).
    n_threads : int or None
        Threads for descriptors and inference (None: the process-wide setting of :mod:`arisekit.parallel`).
    progress : bool
        Show a progress bar (boxes classified).
    domains : DomainOptions, float or None
        Stream the sample domain by domain (:mod:`arisekit.spm.domains`: memory set by the domain size,
        optionally on Dask and into a resumable HDF5 file); a number is the domain size in Å. The result is
        the in-memory one (float32 rounding). None: the whole sample at once.
    **overrides
        Fields of :class:`SPMParameters` set here (``spm(atoms, box_size=12.0, stride=2.0,
        box_descriptors="exact")``); ``mode="fast"/"exact"`` is read as ``box_descriptors``.
    """
    steps = iter_spm(atoms, params, model=model, n_threads=n_threads, domains=domains, **overrides)
    from tqdm.auto import tqdm

    with tqdm(
        total=1.0, disable=not progress, desc="SPM", bar_format="{l_bar}{bar}| {elapsed}<{remaining}"
    ) as bar:
        try:
            while True:
                fraction = next(steps)
                bar.update(fraction - bar.n)
        except StopIteration as stop:
            return stop.value


def iter_spm(
    atoms,
    params: SPMParameters | None = None,
    *,
    model=None,
    n_threads: int | None = None,
    domains=None,
    **overrides,
) -> Generator[float, None, SPMResult]:
    """Generator form of :func:`spm` (same arguments): yields the fraction of boxes done (0–1) after
    each chunk and returns the :class:`SPMResult` — for progress reporting and cancellation (OVITO)."""
    if domains is not None:
        from arisekit.spm.domains import iter_domain_spm

        return (
            yield from iter_domain_spm(
                atoms, params, model=model, n_threads=n_threads, domains=domains, **overrides
            )
        )
    from arisekit.model import resolve_model

    p = SPMParameters.from_kwargs(params, **overrides)
    resolve_threads(n_threads)  # rejects negative or non-integer counts before any work
    clf = resolve_model(model)
    sample = _prepare(atoms)
    grid, geometry, axis = spm_grid(sample.positions, p.box_size, p.stride, p.geometry, p.axis, p.max_memory)
    counts = grid.counts
    valid = counts >= p.min_atoms
    descriptor = _descriptor(clf)
    out = BoxOutputs(clf, grid.n_boxes, p.representations, grid_boxes=grid.n_boxes)
    plan = [(exact_descriptors, valid)]
    n_exact = int(valid.sum())
    if p.box_descriptors == "fast":
        to_exact = np.zeros_like(valid)
        if p.surface_threshold is not None:
            to_exact = valid & surface_boxes(sample, grid, descriptor, p.surface_threshold, n_threads)
            to_exact |= valid & scale_mismatch_boxes(sample, grid, n_threads=n_threads)
        plan = [(fast_descriptors, valid & ~to_exact), (exact_descriptors, to_exact)]
        n_exact = int(to_exact.sum())
    total, done = max(int(valid.sum()), 1), 0
    yield 0.0
    for source, mask in plan:
        for n_rows in out.fill(clf, source, sample, grid, descriptor, mask, p, n_threads):
            done += n_rows
            yield min(done / total, 1.0)
    if needs_rerun(p, out.tally):  # the audit did not certify the settled boxes: the fixed-T result instead
        fixed = yield from iter_spm(
            sample, dataclasses.replace(p, adaptive=False), model=clf, n_threads=n_threads
        )
        fixed.params.update(rerun_params(out.tally))
        return fixed
    return SPMResult(
        shape=tuple(int(s) for s in grid.shape),
        geometry=geometry,
        centers=grid.centers,
        box_size=grid.size,
        stride=p.stride,
        counts=counts,
        probabilities=out.prob,
        mutual_information=out.mi,
        predictive_entropy=out.pe,
        variation_ratio=out.vr,
        class_names=[str(c) for c in clf.classes_],
        params=dict(
            p.to_dict(),
            axis=axis,  # the axis used (chosen by geometry="auto")
            descriptor=descriptor.to_dict(),
            model_checksum=_model_checksum(clf),
            arisekit_version=_version(),
            n_atoms=len(sample),
            exact_boxes=n_exact,
            **audit_params(p, out.tally),
        ),
        representations=out.reps,
        novelty=out.novelty,
    )


class BoxOutputs:
    """Per-box outputs of one SPM run (or one domain of it), filled chunk by chunk: probabilities, mutual
    information, predictive entropy, variation ratio, novelty (None without a novelty reference) and the
    requested hidden-layer representations (float32), NaN for boxes not classified."""

    def __init__(
        self, clf, n_boxes: int, representations, box_ids: np.ndarray | None = None, grid_boxes: int = 0
    ) -> None:
        self.n_boxes = int(n_boxes)
        #: global box index of each box (a domain's boxes are a part of the sample's grid)
        self.box_ids = np.arange(self.n_boxes) if box_ids is None else np.asarray(box_ids, dtype=np.int64)
        #: adaptive sampling settings for the whole grid (``grid_boxes`` boxes: the audit share)
        self.rule = AdaptiveMC().for_grid(grid_boxes or self.n_boxes)
        self.tally = AuditTally()
        self.prob = np.full((self.n_boxes, len(clf.classes_)), np.nan)
        self.mi, self.pe, self.vr = (np.full(self.n_boxes, np.nan) for _ in range(3))
        self.novelty = np.full(self.n_boxes, np.nan) if getattr(clf, "novelty_", None) is not None else None
        self.layers = _layers(representations, clf)
        self.reps: dict[int, np.ndarray] = {}

    def fill(self, clf, source, sample, grid, descriptor, mask, p: SPMParameters, n_threads) -> Iterator[int]:
        """Describe the boxes of ``mask`` with ``source`` (fast or exact descriptors) and classify them,
        chunk by chunk; yields the number of boxes of each chunk. Both modes classify ``p.chunk`` boxes
        at a time (4096 by default): the MC-dropout engine's block-parallel path costs ~25 % more per
        box in blocks of 512 rows than of 2048."""
        if not mask.any():
            return
        for rows, X in source(sample, grid, descriptor, mask, chunk=p.chunk, n_threads=n_threads):
            if applies(p):
                res = adaptive_predict(
                    clf, X, p.n_samples, p.seed, self.rule, n_threads, self.box_ids[rows], self.tally
                )
            else:
                res = clf.predict_uncertainty(X, n_samples=p.n_samples, seed=p.seed, n_threads=n_threads)
            self.prob[rows] = res.probabilities
            self.mi[rows], self.pe[rows] = res.mutual_information, res.predictive_entropy
            self.vr[rows] = res.variation_ratio
            if self.novelty is not None and res.novelty is not None:
                self.novelty[rows] = res.novelty
            hidden = clf.hidden_representations(X, self.layers) if self.layers else []
            for layer, h in zip(self.layers, hidden):
                empty = np.full((self.n_boxes, h.shape[1]), np.nan, dtype=np.float32)
                self.reps.setdefault(layer, empty)[rows] = h
            yield len(rows)


def _layers(representations, clf) -> list[int]:
    if representations is False or representations is None:
        return []
    n_hidden = len(clf.weights_.kernels) - 1
    if representations is True:
        return list(range(n_hidden))
    layers = [int(x) for x in representations]
    bad = [x for x in layers if not 0 <= x < n_hidden]
    if bad:
        raise ValueError(
            f"representations: layers {bad} do not exist (the model has {n_hidden} hidden layers)"
        )
    return layers


def _model_checksum(clf) -> str | None:
    training = getattr(clf, "training_", None) or {}
    return getattr(clf, "checksum_", None) or training.get("checksum")


def _version() -> str:
    from arisekit import __version__

    return __version__


def project_to_atoms(result: SPMResult, atoms) -> dict[str, np.ndarray]:
    """Per-atom results: each atom gets the mean of the probabilities (and uncertainties) of the
    classified boxes that contain it. Returns arrays ``probabilities`` (n_atoms, n_classes),
    ``mutual_information``, ``prediction`` (class index, -1 when no box covers the atom) and, when the
    result has a novelty map, ``novelty`` (mean over the covering boxes that have one; NaN if none)."""
    sample = _prepare(atoms)
    axis = result.params.get("axis")
    grid = strided_boxes(
        sample.positions, result.params["box_size"], result.stride, geometry=result.geometry, axis=axis
    )
    if grid.n_boxes != result.n_boxes:
        raise ValueError(
            f"atoms do not match the SPM result: they give {grid.n_boxes} boxes, "
            f"the result has {result.n_boxes}"
        )
    import scipy.sparse as sp

    valid = result.valid.astype(np.float64)
    member = sp.csr_matrix(
        (np.ones(len(grid.indices)), grid.indices, grid.offsets), shape=(grid.n_boxes, len(sample))
    ).T.tocsr()
    weights = member @ valid
    safe = np.where(weights > 0, weights, 1.0)
    probs = member @ np.nan_to_num(result.probabilities) / safe[:, None]
    mi = member @ np.nan_to_num(result.mutual_information) / safe
    covered = weights > 0
    probs[~covered] = np.nan
    mi[~covered] = np.nan
    pred = np.where(covered, np.argmax(np.nan_to_num(probs, nan=-1.0), axis=1), -1)
    out = {"probabilities": probs, "mutual_information": mi, "prediction": pred}
    if result.novelty is not None:
        checked = np.isfinite(result.novelty)
        n_checked = member @ checked.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["novelty"] = np.where(
                n_checked > 0, member @ np.where(checked, result.novelty, 0.0) / n_checked, np.nan
            )
    return out
