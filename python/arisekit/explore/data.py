"""Points to explore: hidden-layer representations (or descriptors) of SPM boxes or of structures.

Layer numbering: ``layer=0`` is the first hidden layer (Python API); the command line counts from 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

#: Spaces the points can live in.
SPACES = ("representation", "descriptor")


@dataclass(frozen=True)
class ExplorationData:
    """Feature vectors of ``n`` boxes or structures with their classification.

    ``features`` (n, width); ``ids`` index the source (box indices of an SPM grid, or positions in the list
    of structures); ``predictions`` index ``class_names``; ``mutual_information`` in nats; ``centers``
    (n, 3) Å box centres (None for structures); ``names`` optional labels of the points; ``layer`` the
    hidden layer (0 = first) or None for descriptors.
    """

    features: np.ndarray
    ids: np.ndarray
    predictions: np.ndarray
    mutual_information: np.ndarray
    class_names: list[str]
    layer: int | None
    space: str = "representation"
    centers: np.ndarray | None = None
    names: list[str] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def predicted_names(self) -> list[str]:
        """Predicted class name of every point."""
        return [self.class_names[k] for k in self.predictions]

    def subset(self, mask: np.ndarray) -> ExplorationData:
        """The points where ``mask`` (bool array of length n) is True."""
        mask = np.asarray(mask, dtype=bool)
        return replace(
            self,
            features=self.features[mask],
            ids=self.ids[mask],
            predictions=self.predictions[mask],
            mutual_information=self.mutual_information[mask],
            centers=None if self.centers is None else self.centers[mask],
            names=None if self.names is None else [n for n, m in zip(self.names, mask, strict=True) if m],
        )


def _check_mi_range(mi_range) -> tuple[float, float] | None:
    if mi_range is None:
        return None
    try:
        lo, hi = (float(v) for v in mi_range)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"mi_range must be two numbers (lo, hi) in nats, got {mi_range!r}") from exc
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0 or hi < lo:
        raise ValueError(f"mi_range must satisfy 0 <= lo <= hi (nats), got ({lo}, {hi})")
    return lo, hi


def _class_index(class_names: Sequence[str], name: str) -> int:
    if name in class_names:
        return list(class_names).index(name)
    import difflib

    close = difflib.get_close_matches(name, list(class_names), n=3)
    hint = f" Did you mean {close}?" if close else ""
    shown = list(class_names) if len(class_names) <= 12 else [*class_names[:12], "..."]
    raise ValueError(f"only_class: unknown class {name!r}.{hint} Use one of the model's classes: {shown}")


def filter_points(data: ExplorationData, only_class: str | None = None, mi_range=None) -> ExplorationData:
    """Keep the points predicted as ``only_class`` and/or with mutual information in ``mi_range`` (nats,
    inclusive) — the AET protocol of ARISE keeps only the boxes classified as L1_0."""
    keep = np.ones(len(data), dtype=bool)
    if only_class is not None:
        keep &= data.predictions == _class_index(data.class_names, only_class)
    rng = _check_mi_range(mi_range)
    if rng is not None:
        keep &= (data.mutual_information >= rng[0]) & (data.mutual_information <= rng[1])
    if not keep.any():
        raise ValueError(
            f"no points left after filtering (only_class={only_class!r}, mi_range={mi_range}): "
            f"{len(data)} points before; widen the MI range or choose another class"
        )
    return data.subset(keep)


def from_spm(result, layer: int = 0, only_class: str | None = None, mi_range=None) -> ExplorationData:
    """Representations of the classified boxes of an :class:`arisekit.spm.SPMResult`.

    Parameters
    ----------
    result : SPMResult
        Must have been computed with ``spm(..., representations=True)`` (or a list holding ``layer``).
    layer : int
        Hidden layer, 0 = first hidden layer.
    only_class, mi_range : optional filters, see :func:`filter_points`.
    """
    reps = getattr(result, "representations", None) or {}
    if not reps:
        raise ValueError(
            "the SPM result holds no hidden-layer representations: rerun "
            "arisekit.spm.spm(..., representations=True) (command line: arisekit spm --representations) "
            "and save it again"
        )
    layer = int(layer)
    if layer not in reps:
        raise ValueError(
            f"layer {layer} (0 = first hidden layer) is not stored in the SPM result; stored layers: "
            f"{sorted(reps)} (command line: {[k + 1 for k in sorted(reps)]})"
        )
    features = np.asarray(reps[layer], dtype=np.float64)
    if features.shape[0] != result.n_boxes:
        raise ValueError(
            f"representations of layer {layer} have {features.shape[0]} rows, "
            f"the result has {result.n_boxes} boxes"
        )
    rows = np.flatnonzero(result.valid & np.isfinite(features).all(axis=1))
    if len(rows) == 0:
        raise ValueError("the SPM result has no classified box with a representation (all boxes empty)")
    data = ExplorationData(
        features=features[rows],
        ids=rows.astype(np.int64),
        predictions=result.argmax[rows],
        mutual_information=np.asarray(result.mutual_information, dtype=np.float64)[rows],
        class_names=[str(c) for c in result.class_names],
        layer=layer,
        space="representation",
        centers=np.asarray(result.centers, dtype=np.float64)[rows],
    )
    if only_class is None and mi_range is None:
        return data
    return filter_points(data, only_class, mi_range)


def structure_features(
    structures, model=None, layer: int | None = 0, space: str = "representation"
) -> tuple[np.ndarray, np.ndarray]:
    """(descriptors, features) of a list of ``ase.Atoms``: features are the descriptors themselves for
    ``space="descriptor"``, else the pre-activation outputs of hidden ``layer`` (0 = first)."""
    from arisekit.model import compute_descriptors, resolve_model

    if space not in SPACES:
        raise ValueError(f"space must be one of {SPACES}, got {space!r}")
    structures = list(structures)
    if not structures:
        raise ValueError("structures: no structures given")
    clf = resolve_model(model)
    X = compute_descriptors(structures, clf.descriptor_params_)
    if space == "descriptor":
        return X, X
    return X, clf.hidden_representations(X, [check_layer(clf, layer)])[0].astype(np.float64)


def check_layer(clf, layer) -> int:
    """``layer`` as an int, ValueError if the model has no such hidden layer (0 = first)."""
    n_hidden = len(clf.weights_.kernels) - 1
    if layer is None or not 0 <= int(layer) < n_hidden:
        raise ValueError(
            f"layer {layer} does not exist: the model has {n_hidden} hidden layers, 0 .. {n_hidden - 1} "
            f"(command line: 1 .. {n_hidden})"
        )
    return int(layer)


def from_structures(
    structures,
    model=None,
    layer: int = 0,
    *,
    n_samples: int = 100,
    seed: int | None = 0,
    names: Sequence[str] | None = None,
    space: str = "representation",
    **filters: Any,
) -> ExplorationData:
    """Classify ``structures`` (list of ``ase.Atoms``) and collect their hidden-layer representations of
    ``layer`` (0 = first), or their descriptors with ``space="descriptor"``.

    ``filters``: ``only_class`` and ``mi_range`` (low, high), as in :func:`filter_points` and
    :class:`arisekit.explore.ExploreParameters`."""
    from arisekit.model import resolve_model

    unknown = sorted(set(filters) - {"only_class", "mi_range"})
    if unknown:
        raise TypeError(f"from_structures() got unexpected keyword argument(s) {unknown}")
    only_class, mi_range = filters.get("only_class"), filters.get("mi_range")

    structures = list(structures)
    if names is not None and len(names) != len(structures):
        raise ValueError(f"names: {len(names)} names for {len(structures)} structures")
    clf = resolve_model(model)
    X, features = structure_features(structures, clf, layer, space)
    res = clf.predict_uncertainty(X, n_samples=int(n_samples), seed=seed)
    data = ExplorationData(
        features=np.asarray(features, dtype=np.float64),
        ids=np.arange(len(structures), dtype=np.int64),
        predictions=np.argmax(res.probabilities, axis=1).astype(np.int64),
        mutual_information=np.asarray(res.mutual_information, dtype=np.float64),
        class_names=[str(c) for c in clf.classes_],
        layer=None if space == "descriptor" else int(layer),
        space=space,
        names=None if names is None else [str(n) for n in names],
    )
    if only_class is None and mi_range is None:
        return data
    return filter_points(data, only_class, mi_range)
