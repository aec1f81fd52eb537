"""Distance-aware out-of-library check ("novelty") of ARISE predictions.

The network names the most probable library class even for matter that lies far from everything it
was trained on (a clathrate, cementite, a sparse gas), sometimes with high probability and low mutual
information. Novelty measures that distance directly, in descriptor space:

* the descriptors are projected on the leading principal components of the training descriptors;
* the distance of a structure to the *nearest training descriptor of the class it is given* is divided
  by that class's ``quantile`` of the same distance over held-out training rows (random 20 %,
  defective and thermal variants included).

Novelty ≤ 1: as close to the class as (at least) ``1 - quantile`` of held-out in-library structures;
novelty > 1 (:data:`NOVELTY_THRESHOLD`): farther than that — the *out-of-library* verdict: no library
crystal is close, the named class is only the nearest one. Classes without a reference (the
``disordered`` class) get NaN: that class is a verdict already. Novelty is dimensionless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .split import stratified_split

__all__ = ["NOVELTY_FILE", "NOVELTY_THRESHOLD", "NoveltyReference", "out_of_library"]

#: File of a model directory holding its :class:`NoveltyReference` (NumPy ``.npz``).
NOVELTY_FILE = "novelty.npz"
#: Novelty above this value is the out-of-library verdict.
NOVELTY_THRESHOLD = 1.0
_FORMAT = "arisekit-novelty-1"
_CHUNK = 4096  # query rows per distance block


def out_of_library(novelty: np.ndarray | float) -> np.ndarray | bool:
    """The out-of-library verdict (novelty > :data:`NOVELTY_THRESHOLD`; NaN → False)."""
    n = np.asarray(novelty, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        verdict = np.nan_to_num(n, nan=0.0) > NOVELTY_THRESHOLD
    return bool(verdict) if verdict.ndim == 0 else verdict


@dataclass(frozen=True)
class NoveltyReference:
    """Projected training descriptors per class and each class's distance scale.

    Attributes
    ----------
    mean : ndarray
        (d,) mean training descriptor.
    components : ndarray
        (k, d) orthonormal principal axes of the training descriptors.
    references : ndarray
        (m, k) projected reference descriptors (float32).
    labels : ndarray
        (m,) class index of each reference row.
    scale : ndarray
        (n_classes,) the ``quantile`` of held-out nearest-reference distances per class; NaN for
        classes without references (no check).
    quantile : float
        Calibration quantile (share of held-out in-library rows with novelty ≤ 1).
    """

    mean: np.ndarray
    components: np.ndarray
    references: np.ndarray
    labels: np.ndarray
    scale: np.ndarray
    quantile: float
    _rows: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        k, d = self.components.shape
        if self.mean.shape != (d,) or self.references.ndim != 2 or self.references.shape[1] != k:
            raise ValueError(
                f"novelty reference: inconsistent shapes mean {self.mean.shape}, components "
                f"{self.components.shape}, references {self.references.shape}"
            )
        if self.labels.shape != (len(self.references),):
            raise ValueError(f"novelty reference: {len(self.labels)} labels for {len(self.references)} rows")
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= len(self.scale)):
            raise ValueError("novelty reference: a label is outside the class range")
        if not 0.0 < self.quantile < 1.0:
            raise ValueError(f"novelty reference: quantile {self.quantile} is not in (0, 1)")

    @property
    def n_features(self) -> int:
        """Descriptor length d the reference expects."""
        return int(self.components.shape[1])

    @property
    def n_classes(self) -> int:
        return int(len(self.scale))

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        n_classes: int,
        *,
        skip: Iterable[int] = (),
        n_components: int = 32,
        quantile: float = 0.99,
        holdout: float = 0.2,
        random_state: int = 42,
    ) -> NoveltyReference:
        """Fit on in-library descriptors ``X`` (n, d) with class indices ``y``: a stratified ``holdout``
        share calibrates each class's scale against the other rows, which become the references.
        Classes in ``skip`` (e.g. the disordered class) get no reference."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError(f"X/y: expected (n, d) descriptors and n labels, got {X.shape} and {y.shape}")
        keep = ~np.isin(y, list(skip))
        X, y = X[keep], y[keep]
        ref, cal = stratified_split(y, holdout, random_state)
        mean = X[ref].mean(axis=0)
        k = int(min(n_components, X.shape[1], len(ref)))
        _, _, vt = np.linalg.svd(X[ref] - mean, full_matrices=False)
        components = vt[:k]
        scale = np.full(int(n_classes), np.nan)
        # stored as float16 (:meth:`save`): calibrate on the stored values, so files round-trip exactly
        projected = ((X[ref] - mean) @ components.T).astype(np.float16).astype(np.float32)
        out = cls(mean, components, projected, y[ref], scale, quantile)
        for c in np.unique(y[cal]):
            rows = cal[y[cal] == c]
            d = out.distance(X[rows], np.full(len(rows), c))
            scale[c] = max(float(np.quantile(d, quantile)), 1e-12)
        return out

    # ------------------------------------------------------------------ inference
    def project(self, X: np.ndarray) -> np.ndarray:
        """Descriptors (n, d) → principal-component coordinates (n, k)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X: expected (n, {self.n_features}) descriptors, got shape {X.shape}")
        return (X - self.mean) @ self.components.T

    def _class_rows(self, c: int) -> np.ndarray:
        rows = self._rows.get(c)
        if rows is None:
            rows = self._rows[c] = self.references[self.labels == c].astype(np.float64)
        return rows

    def distance(self, X: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Distance (projected descriptor units) of each row to the nearest reference of its class;
        NaN for classes without references."""
        Z = self.project(X)
        classes = np.asarray(classes, dtype=np.int64)
        if classes.shape != (len(Z),):
            raise ValueError(f"classes: expected {len(Z)} class indices, got shape {classes.shape}")
        out = np.full(len(Z), np.nan)
        for c in np.unique(classes):
            if not 0 <= c < self.n_classes:
                raise ValueError(f"classes: index {c} is outside 0..{self.n_classes - 1}")
            refs = self._class_rows(int(c))
            if not len(refs):
                continue
            r2 = np.einsum("ij,ij->i", refs, refs)
            idx = np.flatnonzero(classes == c)
            for s in range(0, len(idx), _CHUNK):
                q = Z[idx[s : s + _CHUNK]]
                d2 = np.einsum("ij,ij->i", q, q)[:, None] + r2[None, :] - 2.0 * (q @ refs.T)
                out[idx[s : s + _CHUNK]] = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
        return out

    def score(self, X: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Novelty (n,): distance to the class's nearest reference / the class's scale (NaN: no check)."""
        classes = np.asarray(classes, dtype=np.int64)
        return self.distance(X, classes) / self.scale[classes]

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> None:
        """Write to an ``.npz`` file (references stored as float16)."""
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                format=np.array(_FORMAT),
                mean=self.mean,
                components=self.components,
                references=self.references.astype(np.float16),
                labels=self.labels.astype(np.int32),
                scale=self.scale,
                quantile=np.array(self.quantile),
            )

    @classmethod
    def load(cls, path: str | Path) -> NoveltyReference:
        """Read a file written by :meth:`save`; ValueError naming the file if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as z:
                if "format" not in z.files or str(z["format"]) != _FORMAT:
                    raise ValueError("not an arisekit novelty reference")
                return cls(
                    z["mean"].astype(np.float64),
                    z["components"].astype(np.float64),
                    z["references"].astype(np.float32),
                    z["labels"].astype(np.int64),
                    z["scale"].astype(np.float64),
                    float(z["quantile"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read the novelty reference ({exc})") from exc
