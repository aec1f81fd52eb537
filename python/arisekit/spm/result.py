"""SPM results: maps of class probabilities and uncertainty over a box grid, saved as HDF5."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from arisekit._json import dumps as json_dumps

FORMAT = "arisekit-spm-1"


@dataclass
class SPMResult:
    """Strided-pattern-matching result over ``n_boxes`` boxes on a grid of ``shape`` (C order).

    Lengths in Å. Empty boxes (too few atoms or undefined descriptor) hold NaN probabilities and
    uncertainties and ``argmax == -1``. Entropies and mutual information are in nats.
    """

    shape: tuple[int, ...]
    geometry: str
    centers: np.ndarray  # (n_boxes, 3) Å
    box_size: np.ndarray  # (3,) Å; a spanned axis has the sample's extent
    stride: float
    counts: np.ndarray  # (n_boxes,) atoms per box
    probabilities: np.ndarray  # (n_boxes, n_classes)
    mutual_information: np.ndarray
    predictive_entropy: np.ndarray
    variation_ratio: np.ndarray
    class_names: list[str]
    params: dict = field(default_factory=dict)
    representations: dict[int, np.ndarray] = field(default_factory=dict)
    #: (n_boxes,) distance-aware novelty of each box's predicted class (:mod:`arisekit.model.novelty`;
    #: > 1: out of library); None when the model has no novelty reference, NaN where no check applies
    novelty: np.ndarray | None = None

    @property
    def n_boxes(self) -> int:
        return len(self.centers)

    @property
    def valid(self) -> np.ndarray:
        """Boxes that were classified."""
        return np.isfinite(self.mutual_information)

    @property
    def argmax(self) -> np.ndarray:
        """Index of the most probable class per box (-1 for empty boxes)."""
        out = np.full(self.n_boxes, -1, dtype=np.int64)
        out[self.valid] = np.argmax(self.probabilities[self.valid], axis=1)
        return out

    @property
    def predictions(self) -> list[str | None]:
        """Most probable class name per box (None for empty boxes)."""
        return [self.class_names[k] if k >= 0 else None for k in self.argmax]

    def class_index(self, name: str) -> int:
        if name not in self.class_names:
            import difflib

            close = difflib.get_close_matches(name, self.class_names, n=3)
            raise ValueError(f"unknown class {name!r}" + (f"; did you mean {close}?" if close else ""))
        return self.class_names.index(name)

    def map(self, quantity: str) -> np.ndarray:
        """A quantity on the grid (array of ``shape``): a class name (its probability),
        "mutual_information", "predictive_entropy", "variation_ratio", "disorder_score", "novelty",
        "argmax" or "counts"."""
        if quantity in ("mutual_information", "predictive_entropy", "variation_ratio", "counts", "argmax"):
            values = getattr(self, quantity)
        elif quantity == "disorder_score":
            values = self.disorder_score
        elif quantity == "novelty":
            if self.novelty is None:
                raise ValueError("this SPM result has no novelty map (its model has no novelty reference)")
            values = self.novelty
        else:
            values = self.probabilities[:, self.class_index(quantity)]
        return np.asarray(values).reshape(self.shape)

    @property
    def disorder_score(self) -> np.ndarray:
        """1 - the largest probability of a crystal class, per box (NaN for unclassified boxes); see
        :func:`arisekit.model.uncertainty.disorder_score`."""
        from arisekit.model.uncertainty import disorder_score

        return disorder_score(self.probabilities, self.class_names)

    @property
    def out_of_library(self) -> np.ndarray:
        """The out-of-library verdict per box (novelty > 1); all False without a novelty map."""
        from arisekit.model.novelty import out_of_library

        if self.novelty is None:
            return np.zeros(self.n_boxes, dtype=bool)
        return out_of_library(self.novelty)

    def class_fractions(self) -> dict[str, float]:
        """Fraction of classified boxes assigned to each class (classes with no box are omitted)."""
        am = self.argmax[self.valid]
        counts = np.bincount(am, minlength=len(self.class_names))
        return {self.class_names[k]: float(c) / max(len(am), 1) for k, c in enumerate(counts) if c}

    # ------------------------------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike) -> Path:
        """Write an HDF5 file atomically (unique temporary file, then ``os.replace``, under the lock
        ``<path>.lock``: a partial file never replaces a complete one; a concurrent writer is refused)."""
        import h5py

        from arisekit._atomic import atomic_path

        path = Path(path)
        with atomic_path(path, what="SPM result") as tmp, h5py.File(tmp, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["shape"] = np.asarray(self.shape, dtype=np.int64)
            f.attrs["geometry"] = self.geometry
            f.attrs["stride"] = float(self.stride)
            f.attrs["box_size"] = np.asarray(self.box_size, dtype=np.float64)
            f.attrs["class_names"] = json.dumps(list(self.class_names))
            f.attrs["params"] = json_dumps(self.params)
            for name in (
                "centers",
                "counts",
                "probabilities",
                "mutual_information",
                "predictive_entropy",
                "variation_ratio",
            ):
                f.create_dataset(name, data=getattr(self, name), compression="gzip")
            f["centers"].attrs["units"] = "Å"
            if self.novelty is not None:
                f.create_dataset("novelty", data=self.novelty, compression="gzip")
            for layer, rep in self.representations.items():
                f.create_dataset(f"representations/{int(layer)}", data=rep, compression="gzip")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> SPMResult:
        """Read a file written by :meth:`save`."""
        import h5py

        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"SPM result file not found: {path}")
        try:
            with h5py.File(path, "r") as f:
                if f.attrs.get("format") != FORMAT:
                    raise ValueError(f"{path}: not an arisekit SPM result (format {f.attrs.get('format')!r})")
                reps = {int(k): f["representations"][k][()] for k in f.get("representations", {})}
                return cls(
                    shape=tuple(int(s) for s in f.attrs["shape"]),
                    geometry=str(f.attrs["geometry"]),
                    centers=f["centers"][()],
                    box_size=np.asarray(f.attrs["box_size"]),
                    stride=float(f.attrs["stride"]),
                    counts=f["counts"][()],
                    probabilities=f["probabilities"][()],
                    mutual_information=f["mutual_information"][()],
                    predictive_entropy=f["predictive_entropy"][()],
                    variation_ratio=f["variation_ratio"][()],
                    class_names=json.loads(f.attrs["class_names"]),
                    params=json.loads(f.attrs["params"]),
                    representations=reps,
                    novelty=f["novelty"][()] if "novelty" in f else None,
                )
        except OSError as exc:
            raise ValueError(f"{path}: unreadable or corrupt HDF5 file ({exc})") from exc
