"""HDF5 training-set files for the ARISE classifier.

Layout (one file, root group)::

    X                 dataset (n, d) float      descriptors (e.g. 316-long averaged SOAP vectors)
    y                 dataset (n,) int          class index of each row, 0 <= y < n_classes
    variant           dataset (n,) str, opt.    row kind, "pristine" for ideal structures; anything else
                                                (e.g. "displaced_0.01", "missing_0.05") marks a variant
    attrs["class_names"]       list of str (or a dataset "class_names")    one name per class
    attrs["class_metadata"]    JSON string: list of dicts, one per class (optional; default {"name": ...})
    attrs["descriptor_params"] JSON string: dict of keyword arguments of the descriptor
                               (``arisekit.descriptors.arise_soap``) used to compute X (optional);
                               should name ``central_weight``: a missing key means arise_soap's
                               default when X was computed (0.0 now; 1.0 before it was fixed), and
                               ``arisekit train`` then assumes 0.0

Without ``variant`` all rows count as pristine. Other per-row datasets (``arisekit dataset build`` adds
``kind``, ``key``, ``cutoff``, ``atom_sigma``, ``extrinsic_scale``, ``displacement``, ``missing``,
``realization``, ``n_atoms``) and root attributes (``plan``, ``arisekit_version``) may be present; the
loader ignores them. :func:`write_dataset` is the one writer of this layout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from arisekit._json import dumps as json_dumps

__all__ = ["Dataset", "load_dataset", "write_dataset", "PRISTINE"]

PRISTINE = "pristine"


@dataclass
class Dataset:
    """In-memory training set (see module docstring for the file layout)."""

    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    class_metadata: list[dict[str, Any]]
    descriptor_params: dict[str, Any] = field(default_factory=dict)
    variant: np.ndarray | None = None

    @property
    def pristine_mask(self) -> np.ndarray:
        """Boolean mask of pristine rows (all rows if there are no variant labels)."""
        if self.variant is None:
            return np.ones(len(self.y), dtype=bool)
        return self.variant == PRISTINE

    def select_classes(self, names: Sequence[str]) -> Dataset:
        """Subset with only the given classes (relabelled 0..k-1 in the given order)."""
        lookup = {n: i for i, n in enumerate(self.class_names)}
        missing = [n for n in names if n not in lookup]
        if missing:
            raise ValueError(f"classes: {missing} not in the dataset's class names")
        old = np.array([lookup[n] for n in names])
        remap = np.full(len(self.class_names), -1)
        remap[old] = np.arange(len(old))
        rows = remap[self.y] >= 0
        return Dataset(
            self.X[rows],
            remap[self.y[rows]],
            list(names),
            [self.class_metadata[i] for i in old],
            dict(self.descriptor_params),
            None if self.variant is None else self.variant[rows],
        )


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def load_dataset(path: str | Path) -> Dataset:
    """Read an ARISE training set from HDF5 (layout in the module docstring).

    Raises FileNotFoundError for a missing file and ValueError (naming the file) for a bad layout.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset file not found: {path}")
    try:
        with h5py.File(path, "r") as f:
            for key in ("X", "y"):
                if key not in f:
                    raise ValueError(f"{path}: dataset {key!r} missing")
            X = np.asarray(f["X"], dtype=np.float32)
            y = np.asarray(f["y"])
            if "class_names" in f.attrs:
                names = [_text(v) for v in np.atleast_1d(f.attrs["class_names"])]
            elif "class_names" in f:
                names = [_text(v) for v in f["class_names"][()]]
            else:
                raise ValueError(f"{path}: attribute 'class_names' missing")
            meta = json.loads(_text(f.attrs["class_metadata"])) if "class_metadata" in f.attrs else None
            params = json.loads(_text(f.attrs["descriptor_params"])) if "descriptor_params" in f.attrs else {}
            variant = np.array([_text(v) for v in f["variant"][()]], dtype=object) if "variant" in f else None
    except OSError as exc:
        raise ValueError(f"{path}: not a readable HDF5 file ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON in an attribute ({exc})") from exc
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"{path}: X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if y.dtype.kind not in "iu":
        raise ValueError(f"{path}: y must hold integer class indices, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(f"{path}: labels outside [0, {len(names)})")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{path}: X contains NaN or inf")
    if meta is None:
        meta = [{"name": n} for n in names]
    if not isinstance(meta, list) or len(meta) != len(names) or not all(isinstance(m, dict) for m in meta):
        raise ValueError(f"{path}: class_metadata must be a JSON list of {len(names)} objects")
    if not isinstance(params, dict):
        raise ValueError(f"{path}: descriptor_params must be a JSON object")
    if variant is not None and len(variant) != len(y):
        raise ValueError(f"{path}: variant has {len(variant)} entries for {len(y)} rows")
    return Dataset(X, y, names, meta, params, variant)


#: Keywords of :func:`write_dataset` beyond the layout itself: further columns and attributes, X's dtype.
DATASET_EXTRAS = ("columns", "attrs", "x_dtype")


def write_dataset(
    path: str | Path,
    X: np.ndarray,
    y: np.ndarray,
    class_names: Sequence[str],
    class_metadata: Sequence[Mapping[str, Any]] | None = None,
    descriptor_params: Mapping[str, Any] | None = None,
    variant: Sequence[str] | None = None,
    **extras: Any,
) -> Path:
    """Write a training set in the layout read by :func:`load_dataset`; returns the path. The one writer
    of that layout (``arisekit dataset build``, the disorder sets and hand-made sets all call it). The file
    is written atomically (unique temporary file renamed over ``path``, under the lock ``<path>.lock``).

    ``extras`` (keywords, :data:`DATASET_EXTRAS`): ``columns``, further per-row datasets (e.g. the builder's
    ``kind``, ``cutoff``, ``realization``), one value per row; strings are stored as HDF5 strings.
    ``attrs``: further root attributes (strings, e.g. the build plan as JSON). ``x_dtype``: the dtype X is
    stored in (float32 unless told).
    """
    from arisekit._atomic import atomic_path

    unknown = sorted(set(extras) - set(DATASET_EXTRAS))
    if unknown:
        raise TypeError(f"write_dataset() got unexpected keyword argument(s) {unknown}")
    columns, attrs = extras.get("columns"), extras.get("attrs")
    x_dtype = extras.get("x_dtype", np.float32)

    path = Path(path)
    X = np.asarray(X, dtype=x_dtype)
    y = np.asarray(y, dtype=np.int64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X/y: need (n, d) and (n,), got {X.shape} and {y.shape}")
    meta = (
        [dict(m) for m in class_metadata]
        if class_metadata is not None
        else [{"name": n} for n in class_names]
    )
    if len(meta) != len(class_names):
        raise ValueError(f"class_metadata: {len(meta)} entries for {len(class_names)} classes")
    strings = h5py.string_dtype()
    extra = {}
    for name, values in (columns or {}).items():
        if name in ("X", "y", "variant", "class_names"):
            raise ValueError(f"columns: {name!r} is part of the layout itself")
        arr = np.asarray(values)
        if arr.shape[:1] != (len(y),):
            raise ValueError(f"column {name!r}: {len(arr)} values for {len(y)} rows")
        extra[name] = np.asarray(arr, dtype=object) if arr.dtype.kind in "OUS" else arr
    if variant is not None:
        v = [str(s) for s in variant]
        if len(v) != len(y):
            raise ValueError(f"variant: {len(v)} labels for {len(y)} rows")
    with atomic_path(path, what="dataset") as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("X", data=X, compression="gzip")
        f.create_dataset("y", data=y)
        if variant is not None:
            f.create_dataset("variant", data=np.array(v, dtype=strings))
        for name, arr in extra.items():
            if arr.dtype == object:
                f.create_dataset(name, data=arr, dtype=strings)
            else:
                f.create_dataset(name, data=arr)
        f.attrs["class_names"] = np.array([str(n) for n in class_names], dtype=strings)
        f.attrs["class_metadata"] = json.dumps(meta)
        f.attrs["descriptor_params"] = json_dumps(dict(descriptor_params or {}))
        for name, value in (attrs or {}).items():
            f.attrs[name] = value
    return path
