"""Similarity search by cosine similarity: nearest library prototypes or user exemplars of boxes and
structures, exemplar ranking inside clusters (HDBSCAN membership, as in elf), near-duplicate flagging."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from arisekit.explore.data import SPACES, ExplorationData, structure_features


def _as_matrix(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (n, width) array, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or inf")
    return a


def _normalised(a: np.ndarray, name: str) -> np.ndarray:
    norm = np.linalg.norm(a, axis=1)
    if (norm == 0).any():
        zero = np.flatnonzero(norm == 0)[:5].tolist()
        raise ValueError(f"{name}: row(s) {zero} are zero vectors (no direction)")
    return a / norm[:, None]


def cosine_similarity(a, b) -> np.ndarray:
    """Cosine similarity matrix (n_a, n_b) of two sets of vectors (rows)."""
    A, B = _as_matrix(a, "a"), _as_matrix(b, "b")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"vectors of different widths: {A.shape[1]} and {B.shape[1]} (same space/layer?)")
    return _normalised(A, "a") @ _normalised(B, "b").T


@dataclass(frozen=True)
class References:
    """Named reference vectors (prototypes or user exemplars) in one space (``layer`` 0 = first hidden)."""

    names: list[str]
    features: np.ndarray
    space: str
    layer: int | None


def _model(model):
    from arisekit.model import resolve_model

    return resolve_model(model)


def _layer_or_last(model, layer: int | None, space: str) -> int | None:
    """``layer`` (0 = first hidden layer); None means the last hidden layer. None for descriptors."""
    if space == "descriptor":
        return None
    from arisekit.explore.data import check_layer

    clf = _model(model)
    return check_layer(clf, len(clf.weights_.kernels) - 2 if layer is None else layer)


def reference_set(
    structures,
    names: Sequence[str] | None = None,
    model=None,
    space: str = "representation",
    layer: int | None = None,
) -> References:
    """References from user exemplars (list of ``ase.Atoms``, or a dict name -> Atoms); ``layer`` None =
    last hidden layer."""
    if isinstance(structures, dict):
        names, structures = list(structures), list(structures.values())
    structures = list(structures)
    names = [f"exemplar_{k}" for k in range(len(structures))] if names is None else [str(n) for n in names]
    if len(names) != len(structures):
        raise ValueError(f"names: {len(names)} names for {len(structures)} structures")
    clf = _model(model)
    layer = _layer_or_last(clf, layer, space)
    _, feats = structure_features(structures, clf, layer, space)
    return References(names, feats, space, layer)


#: Prototype variants used as references: the periodic cell and the smallest open supercell (>= 100 atoms),
#: the two settings ARISE is trained on (boxes of a polycrystal are open structures).
VARIANTS = ("periodic", "open")


def prototype_references(
    model=None,
    names: Sequence[str] | None = None,
    category: str | None = None,
    space: str = "representation",
    layer: int | None = None,
    variants: Sequence[str] = VARIANTS,
) -> References:
    """References from the prototype library (all classes, a ``category`` or the given ``names``), computed
    with the model's descriptor parameters: one vector per class and variant ("periodic" cell, "open"
    supercell), so a reference name can appear twice (:func:`nearest` keeps the best). ``layer`` None = last
    hidden layer. Prototypes whose descriptor is undefined are skipped with a warning."""
    from arisekit import prototypes

    bad = [v for v in variants if v not in VARIANTS]
    if bad or not variants:
        raise ValueError(f"variants must be a non-empty subset of {VARIANTS}, got {list(variants)}")
    clf = _model(model)
    layer = _layer_or_last(clf, layer, space)
    chosen = list(names) if names is not None else [p.name for p in prototypes.list_prototypes(category)]
    if not chosen:
        raise ValueError("names: no prototype selected")
    kept, rows = [], []
    for name in chosen:
        structures = []
        if "periodic" in variants:
            structures.append(prototypes.periodic(name))  # ValueError with close names for unknown classes
        if "open" in variants:
            structures.append(prototypes.supercells(name, count=1)[0])
        for atoms in structures:
            try:
                rows.append(structure_features([atoms], clf, layer, space)[1][0])
                kept.append(name)
            except ValueError as exc:
                warnings.warn(f"prototype {name!r} skipped: {exc}", UserWarning, stacklevel=2)
    if not kept:
        raise ValueError("no prototype could be described with the model's descriptor parameters")
    return References(kept, np.asarray(rows), space, layer)


def nearest(query, references: References, k: int = 5) -> list[list[tuple[str, float]]]:
    """For each query row (array or :class:`ExplorationData`, whose space and layer must match), the ``k``
    most similar reference names as (name, cosine similarity), best first; a name with several reference
    vectors counts once, with its highest similarity."""
    if int(k) < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if isinstance(query, ExplorationData):
        if (query.space, query.layer) != (references.space, references.layer):
            raise ValueError(
                f"query points are in {query.space} space (layer {query.layer}) but the references in "
                f"{references.space} space (layer {references.layer}): use the same space and layer for both"
            )
        query = query.features
    sim = cosine_similarity(query, references.features)
    unique = list(dict.fromkeys(references.names))
    if len(unique) < len(references.names):
        cols = np.array([unique.index(n) for n in references.names])
        best = np.full((sim.shape[0], len(unique)), -np.inf)
        for j, c in enumerate(cols):
            best[:, c] = np.maximum(best[:, c], sim[:, j])
        sim = best
    k = min(int(k), sim.shape[1])
    order = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    return [[(unique[j], float(sim[i, j])) for j in row] for i, row in enumerate(order)]


def box_features(
    result, atoms, boxes, model=None, space: str = "representation", layer: int | None = None
) -> np.ndarray:
    """Feature vectors of SPM boxes (``layer`` None = last hidden layer): the stored representations when
    the result holds that layer, else computed from each box's atoms (cut out as an open structure, as in
    exact SPM mode)."""
    boxes = np.asarray(boxes, dtype=np.int64).reshape(-1)
    if space not in SPACES:
        raise ValueError(f"space must be one of {SPACES}, got {space!r}")
    model = _model(model)
    layer = _layer_or_last(model, layer, space)
    if layer is not None and layer in (result.representations or {}):
        feats = np.asarray(result.representations[layer], dtype=np.float64)[boxes]
        if np.isfinite(feats).all():
            return feats
        empty = boxes[~np.isfinite(feats).all(axis=1)][:5].tolist()
        raise ValueError(f"boxes {empty} are empty (no representation)")
    if atoms is None:
        raise ValueError("atoms: the sample is needed to describe boxes (the result stores no such features)")
    from arisekit.explore.geometry import box_structures

    return structure_features(box_structures(result, atoms, boxes), model, layer, space)[1]


def rank_exemplars(clustering, ids=None, names: Sequence[str] | None = None, top: int = 5) -> dict[int, list]:
    """The ``top`` members of each cluster by HDBSCAN membership probability (most representative first).

    Returns ``{cluster: [{"index", "id", "name", "probability"}, ...]}``; ``id``/``name`` come from
    ``ids``/``names`` (defaults: positions).
    """
    if int(top) < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    labels, probs = clustering.labels, clustering.probabilities
    ids = np.arange(len(labels)) if ids is None else np.asarray(ids)
    out: dict[int, list] = {}
    for c in range(clustering.n_clusters):
        members = np.flatnonzero(labels == c)
        order = members[np.argsort(-probs[members], kind="stable")][: int(top)]
        out[c] = [
            {
                "index": int(i),
                "id": ids[i].item() if hasattr(ids[i], "item") else ids[i],
                "name": None if names is None else names[i],
                "probability": float(probs[i]),
            }
            for i in order
        ]
    return out


def near_duplicates(features, threshold: float = 0.999, chunk: int = 2048) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j, whose cosine similarity is >= ``threshold`` — candidates for the
    same structure (or frames that did not change). Memory grows with ``chunk`` x n."""
    X = _normalised(_as_matrix(features, "features"), "features")
    if not -1 <= threshold <= 1:
        raise ValueError(f"threshold must be a cosine similarity in [-1, 1], got {threshold}")
    if int(chunk) < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    pairs = []
    for start in range(0, len(X), int(chunk)):
        sim = X[start : start + int(chunk)] @ X.T
        rows, cols = np.nonzero(sim >= threshold)
        rows = rows + start
        keep = cols > rows
        for i, j in zip(rows[keep], cols[keep], strict=True):
            pairs.append((int(i), int(j), float(sim[i - start, j])))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def duplicate_groups(n: int, pairs: Sequence[tuple[int, int, float]]) -> list[list[int]]:
    """Groups (connected components, size >= 2) of near-duplicates among ``n`` items."""
    parent = list(range(int(n)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j, _ in pairs:
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"pair ({i}, {j}) indexes outside 0 .. {n - 1}")
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for a in range(int(n)):
        groups.setdefault(root(a), []).append(a)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


__all__ = [
    "VARIANTS",
    "References",
    "box_features",
    "cosine_similarity",
    "duplicate_groups",
    "near_duplicates",
    "nearest",
    "prototype_references",
    "rank_exemplars",
    "reference_set",
]
