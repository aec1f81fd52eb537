"""ARISE computations for one OVITO frame, written as generators that yield progress.

Every ``run_*`` function is a generator: it yields status strings and progress fractions in [0, 1] (OVITO's
protocol for Python modifiers, which lets the GUI show progress and cancel between chunks) and returns a
:class:`FrameResult` (``result = yield from run_spm(...)``).

:func:`run_spm` is :func:`arisekit.spm.spm` split into steps; for the same arguments it gives the same
result (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

__all__ = ["FrameResult", "Progress", "run_global", "run_spm"]

#: What the generators yield: a status string or a progress fraction.
Progress = str | float


@dataclass
class FrameResult:
    """ARISE results of one frame.

    ``prediction`` (class index, -1 = unclassified), ``probabilities`` (n_atoms, n_classes) and
    ``mutual_information`` (nats) are per atom; they are None in "spm" mode (grid only). ``classification``
    is set in "global" mode, ``spm`` (an :class:`arisekit.spm.SPMResult` in the origin-shifted frame, see
    :func:`arisekit.ovito.convert.data_to_atoms`) in the SPM modes. ``origin`` is the OVITO cell origin (Å).
    """

    mode: str
    class_names: tuple[str, ...]
    n_atoms: int
    origin: np.ndarray
    classification: object | None = None
    spm: object | None = None
    prediction: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    mutual_information: np.ndarray | None = None
    key: tuple = ()

    @property
    def per_atom(self) -> bool:
        """Whether there are per-atom results."""
        return self.mode == "global" or self.prediction is not None

    def atom_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-atom (prediction, probabilities, mutual information); global mode broadcasts the one result."""
        if self.mode == "global":
            c = self.classification
            k = self.class_names.index(c.prediction)
            pred = np.full(self.n_atoms, k, dtype=np.int64)
            probs = np.broadcast_to(np.asarray(c.probabilities, dtype=np.float64), (self.n_atoms, len(self.class_names)))
            return pred, probs, np.full(self.n_atoms, float(c.mutual_information))
        if self.prediction is None:
            raise ValueError("this result has no per-atom data (mode 'spm')")
        return self.prediction, self.probabilities, self.mutual_information

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the arrays (bytes)."""
        total = 0
        for arr in (self.prediction, self.probabilities, self.mutual_information):
            total += 0 if arr is None else arr.nbytes
        if self.spm is not None:
            s = self.spm
            for arr in (s.centers, s.counts, s.probabilities, s.mutual_information, s.predictive_entropy,
                        s.variation_ratio):
                total += np.asarray(arr).nbytes
        return total


def run_global(atoms, clf, n_samples: int, seed: int | None) -> Generator[Progress, None, FrameResult]:
    """Classify the whole configuration as one structure (:func:`arisekit.classify`)."""
    from arisekit.model.classification import _check_atoms, classify_descriptors, compute_descriptors

    _check_atoms(atoms, 0, 50)
    yield "ARISE: computing the SOAP descriptor"
    X = compute_descriptors([atoms], clf.descriptor_params_)
    if X.shape[1] != clf.n_features_in_:
        raise ValueError(
            f"descriptor length {X.shape[1]} does not match the model's input length {clf.n_features_in_}"
        )
    yield f"ARISE: Monte-Carlo dropout ({n_samples} samples)"
    (result,) = classify_descriptors(X, clf, n_samples, seed, n_atoms=[len(atoms)])
    yield 1.0
    return FrameResult("global", tuple(result.class_names), len(atoms), np.zeros(3), classification=result)


def run_spm(
    atoms,
    clf,
    box_size: float,
    stride: float,
    spm_mode: str,
    n_samples: int,
    min_atoms: int,
    seed: int | None,
    project: bool,
) -> Generator[Progress, None, FrameResult]:
    """Strided pattern matching over ``atoms`` (Å), optionally projected to the atoms."""
    from arisekit.spm import SPMResult, project_to_atoms
    from arisekit.spm.core import MODES, _descriptor_params, _model_checksum, _prepare, _version
    from arisekit.spm.descriptors import exact_descriptors, fast_descriptors
    from arisekit.spm.grid import spm_grid

    if spm_mode not in MODES:
        raise ValueError(f"spm_mode: must be one of {MODES}, got {spm_mode!r}")
    sample = _prepare(atoms)
    grid, geometry, axis = spm_grid(sample.get_positions(), box_size, stride)
    valid = grid.counts >= int(min_atoms)
    params = _descriptor_params(clf)
    n_classes = len(clf.classes_)
    prob = np.full((grid.n_boxes, n_classes), np.nan)
    mi, pe, vr = (np.full(grid.n_boxes, np.nan) for _ in range(3))
    total = max(int(valid.sum()), 1)
    yield f"ARISE: SPM over {grid.n_boxes} boxes ({spm_mode} descriptors)"
    yield 0.0
    source = fast_descriptors if spm_mode == "fast" else exact_descriptors
    chunk = 4096 if spm_mode == "fast" else 256
    done = 0
    for k, (rows, X) in enumerate(source(sample, grid, params, valid, chunk=chunk)):
        res = clf.predict_uncertainty(X, n_samples=int(n_samples), seed=None if seed is None else seed + k)
        prob[rows] = res.probabilities
        mi[rows], pe[rows], vr[rows] = res.mutual_information, res.predictive_entropy, res.variation_ratio
        done += len(rows)
        yield min(done / total, 1.0)
    names = tuple(str(c) for c in clf.classes_)
    result = SPMResult(
        shape=tuple(int(s) for s in grid.shape),
        geometry=geometry,
        centers=grid.centers,
        box_size=grid.size,
        stride=float(stride),
        counts=grid.counts,
        probabilities=prob,
        mutual_information=mi,
        predictive_entropy=pe,
        variation_ratio=vr,
        class_names=list(names),
        params=dict(
            mode=spm_mode, n_samples=int(n_samples), seed=seed, min_atoms=int(min_atoms), axis=axis,
            box_size=float(box_size), descriptor=params, model_checksum=_model_checksum(clf),
            arisekit_version=_version(), n_atoms=len(sample),
        ),
    )
    out = FrameResult("spm_atoms" if project else "spm", names, len(atoms), np.zeros(3), spm=result)
    if project:
        yield "ARISE: projecting box results onto the atoms"
        per_atom = project_to_atoms(result, atoms)
        out.prediction = np.asarray(per_atom["prediction"], dtype=np.int64)
        out.probabilities = np.asarray(per_atom["probabilities"], dtype=np.float32)
        out.mutual_information = np.asarray(per_atom["mutual_information"], dtype=np.float32)
    return out
