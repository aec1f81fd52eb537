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
    """ARISE results of one OVITO frame, kept in memory (and in the modifier's cache) to be written into
    the pipeline's data collection. (The batch runner's stored, flattened form of a frame's result is
    :class:`arisekit.batch.FrameRecord`.)

    ``mode`` is ``"global"`` or ``"spm"`` (:mod:`arisekit.modes`). ``prediction`` (class index, -1 =
    unclassified), ``probabilities`` (n_atoms, n_classes) and ``mutual_information`` (nats) are per atom;
    they are None in mode "spm" without projection onto the atoms (grid only). ``classification`` is set in
    "global" mode, ``spm`` (an :class:`arisekit.spm.SPMResult` in the origin-shifted frame, see
    :func:`arisekit.ovito.convert.data_to_atoms`) in "spm" mode. ``origin`` is the OVITO cell origin (Å).
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
    #: per-atom novelty (SPM projected onto atoms, when the model has a novelty reference), else None
    novelty: np.ndarray | None = None
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
            probs = np.broadcast_to(
                np.asarray(c.probabilities, dtype=np.float64), (self.n_atoms, len(self.class_names))
            )
            return pred, probs, np.full(self.n_atoms, float(c.mutual_information))
        if self.prediction is None:
            raise ValueError("this result has no per-atom data (mode 'spm' without projection)")
        return self.prediction, self.probabilities, self.mutual_information

    def atom_novelty(self) -> np.ndarray | None:
        """Per-atom novelty (:mod:`arisekit.model.novelty`); global mode broadcasts the one value; None
        when there is none (no novelty reference, or mode 'spm' without projection)."""
        if self.mode == "global":
            n = getattr(self.classification, "novelty", None)
            return None if n is None else np.full(self.n_atoms, float(n))
        return self.novelty

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the arrays (bytes)."""
        total = 0
        for arr in (self.prediction, self.probabilities, self.mutual_information, self.novelty):
            total += 0 if arr is None else arr.nbytes
        if self.spm is not None:
            s = self.spm
            for arr in (
                s.centers,
                s.counts,
                s.probabilities,
                s.mutual_information,
                s.predictive_entropy,
                s.variation_ratio,
            ):
                total += np.asarray(arr).nbytes
        return total


def run_global(atoms, clf, n_samples: int, seed: int | None) -> Generator[Progress, None, FrameResult]:
    """Classify the whole configuration as one structure (:func:`arisekit.classify`)."""
    from arisekit.model.classification import check_structure, classify_descriptors, compute_descriptors

    check_structure(atoms)
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


def run_spm(atoms, clf, params, project: bool) -> Generator[Progress, None, FrameResult]:
    """Strided pattern matching over ``atoms`` (Å) with ``params`` (an :class:`arisekit.spm.SPMParameters`),
    optionally projected to the atoms."""
    from arisekit.spm import iter_spm, project_to_atoms

    yield f"ARISE: strided pattern matching ({params.box_descriptors} descriptors)"
    result = yield from iter_spm(atoms, params, model=clf)
    names = tuple(result.class_names)
    out = FrameResult("spm", names, len(atoms), np.zeros(3), spm=result)
    if project:
        yield "ARISE: projecting box results onto the atoms"
        per_atom = project_to_atoms(result, atoms)
        out.prediction = np.asarray(per_atom["prediction"], dtype=np.int64)
        out.probabilities = np.asarray(per_atom["probabilities"], dtype=np.float32)
        out.mutual_information = np.asarray(per_atom["mutual_information"], dtype=np.float32)
        if "novelty" in per_atom:
            out.novelty = np.asarray(per_atom["novelty"], dtype=np.float32)
    return out
