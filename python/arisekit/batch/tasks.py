"""Per-frame work run on Dask workers: one frame in, a :class:`FrameRecord` (attributes + arrays) out.

:class:`FrameRecord` is the batch runner's one type for a frame's result, in the flattened form the batch
store writes and :func:`arisekit.batch.load_results` reads back (JSON-ready scalars and NumPy arrays). It
is not :class:`arisekit.ovito.compute.FrameResult`, the live result an OVITO modifier keeps in memory (the
:class:`~arisekit.model.classification.Classification` or :class:`~arisekit.spm.SPMResult` itself, plus
per-atom arrays) to write into a pipeline's data collection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arisekit._json import dumps as json_dumps

__all__ = ["FrameRecord", "MI_QUANTILES", "classify_frame", "spm_frame", "frame_info"]

#: Quantiles of the per-box mutual information stored with every SPM frame (for summaries and plots).
MI_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class FrameRecord:
    """One frame's result as the batch store keeps it: ``file`` (key of its input) and ``index`` (frame
    number in that file; "" and -1 until the store files it), attributes (``n_atoms``, ``info`` JSON and,
    in global mode, ``prediction``, ``probability``, ``mutual_information`` ...; JSON-ready) and arrays
    (global: ``probabilities``; SPM: the maps, ``class_fractions``, ``mi_quantiles``)."""

    file: str = ""
    index: int = -1
    attrs: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # attrs and arrays as attributes: rec.prediction
        for store in ("attrs", "arrays"):
            values = self.__dict__.get(store, {})
            if name in values:
                return values[name]
        raise AttributeError(name)

    @property
    def info(self) -> dict[str, Any]:
        """The frame's scalar ``atoms.info`` entries (e.g. LAMMPS ``timestep``)."""
        return json.loads(self.attrs.get("info", "{}"))


def frame_info(atoms: Any) -> str:
    """JSON of the frame's scalar ``atoms.info`` entries (e.g. LAMMPS ``timestep``); others dropped."""
    out = {}
    for k, v in atoms.info.items():
        if isinstance(v, (bool, int, float, str, np.bool_, np.integer, np.floating)):
            out[str(k)] = v.item() if isinstance(v, np.generic) else v
    return json.dumps(out)


def classify_frame(
    atoms: Any, model: Any, n_samples: int, seed: int | None, n_threads: int | None = None
) -> FrameRecord:
    """Whole-frame ARISE classification, as :func:`arisekit.classify` but with the thread count set
    (``n_threads``; None: the worker's :mod:`arisekit.parallel` setting). Entropies and mutual information
    in nats."""
    from arisekit.model.classification import classify

    clf = getattr(model, "classifier", model)  # a runner.ModelPayload or a classifier
    res = classify(atoms, n_samples=n_samples, model=clf, seed=seed, min_open_atoms=0, n_threads=n_threads)
    attrs = {
        "n_atoms": len(atoms),
        "prediction": res.prediction,
        "probability": res.probability,
        "mutual_information": float(res.mutual_information),
        "predictive_entropy": float(res.predictive_entropy),
        "variation_ratio": float(res.variation_ratio),
        "disordered": bool(res.disordered),
        "disorder_score": res.disorder_score,
        "novelty": float("nan") if res.novelty is None else float(res.novelty),
        "out_of_library": bool(res.out_of_library),
        "info": frame_info(atoms),
    }
    return FrameRecord(attrs=attrs, arrays={"probabilities": np.asarray(res.probabilities, dtype=np.float64)})


def spm_frame(atoms: Any, model: Any, params: Any, n_threads: int | None = None) -> FrameRecord:
    """Strided pattern matching of one frame with ``params`` (an :class:`arisekit.spm.SPMParameters`): the
    :class:`arisekit.spm.SPMResult` fields (lengths in Å) plus per-frame summaries ``class_fractions`` (of
    classified boxes) and ``mi_quantiles``."""
    from arisekit.spm import spm

    model = getattr(model, "classifier", model)  # a runner.ModelPayload or a classifier
    r = spm(atoms, params, model=model, n_threads=n_threads)
    valid = r.valid
    fractions = np.zeros(len(r.class_names))
    if valid.any():
        fractions = np.bincount(r.argmax[valid], minlength=len(r.class_names)) / valid.sum()
    mi = r.mutual_information[valid]
    quantiles = np.quantile(mi, MI_QUANTILES) if len(mi) else np.full(len(MI_QUANTILES), np.nan)
    attrs = {
        "n_atoms": len(atoms),
        "shape": [int(s) for s in r.shape],
        "geometry": r.geometry,
        "stride": float(r.stride),
        "params": json_dumps(r.params),
        "n_boxes": int(r.n_boxes),
        "n_classified": int(valid.sum()),
        "mean_mutual_information": float(mi.mean()) if len(mi) else float("nan"),
        "out_of_library_fraction": float(r.out_of_library[valid].mean()) if valid.any() else float("nan"),
        "info": frame_info(atoms),
    }
    arrays = {
        "box_size": np.asarray(r.box_size, dtype=np.float64),
        "centers": r.centers,
        "counts": r.counts,
        "probabilities": r.probabilities,
        "mutual_information": r.mutual_information,
        "predictive_entropy": r.predictive_entropy,
        "variation_ratio": r.variation_ratio,
        "class_fractions": fractions,
        "mi_quantiles": quantiles,
    }
    if r.novelty is not None:
        arrays["novelty"] = r.novelty
    return FrameRecord(attrs=attrs, arrays=arrays)
