"""Scoring SPM maps of a sample against its per-atom truth (nanoparticles from
:func:`arisekit.samples.fept_nanoparticle`, polycrystals): box truth, class accuracy inside regions and
near their walls, disorder flags, and how well hidden-layer clusters separate truth domains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Predictions that count as "flagged" for a chemically disordered region: the disordered fcc lattice
#: itself (A1 = the model's ``fcc``) or the disorder verdict.
DISORDER_FLAGS = ("fcc", "disordered")


@dataclass(frozen=True)
class BoxTruth:
    """Truth of every box of an SPM grid, from the real (non-spurious) atoms it holds.

    ``region`` majority region id (−1 for boxes without real atoms); ``purity`` the fraction of the box's
    real atoms in that region; ``class_label`` the truth class of the majority region (index into
    ``class_names``); ``fractions`` (n_boxes, n_regions) region shares of each box.
    """

    region: np.ndarray
    purity: np.ndarray
    class_label: np.ndarray
    fractions: np.ndarray
    class_names: list[str]

    def mask(self, class_name: str, purity: float = 0.9, interior: bool = True) -> np.ndarray:
        """Boxes whose majority class is ``class_name`` and whose purity is ≥ ``purity`` (interior) or
        below it (near a wall)."""
        c = self.class_names.index(class_name)
        pure = self.purity >= purity
        return (self.class_label == c) & (pure if interior else ~pure) & (self.region >= 0)


def box_truth(result, atoms) -> BoxTruth:
    """Per-box truth of an SPM ``result`` over ``atoms`` (with arrays ``region_id`` and ``class_label``;
    atoms with ``region_id`` −1 or ``spurious`` True are ignored)."""
    import scipy.sparse as sp

    from arisekit.explore.maps import box_grid

    for key in ("region_id", "class_label"):
        if key not in atoms.arrays:
            raise ValueError(f"atoms lack the truth array {key!r}")
    grid, _ = box_grid(result, atoms)
    region = np.asarray(atoms.arrays["region_id"], dtype=np.int64)
    real = region >= 0
    if "spurious" in atoms.arrays:
        real &= ~np.asarray(atoms.arrays["spurious"], dtype=bool)
    n_regions = int(region.max()) + 1
    cols = np.where(real, region, 0)
    onehot = sp.csr_matrix(
        (real.astype(np.float64), (np.arange(len(region)), cols)), shape=(len(region), n_regions)
    )
    member = sp.csr_matrix(
        (np.ones(len(grid.indices)), grid.indices, grid.offsets), shape=(grid.n_boxes, len(region))
    )
    counts = np.asarray((member @ onehot).todense())
    total = counts.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    fractions = counts / safe[:, None]
    major = np.where(total > 0, np.argmax(counts, axis=1), -1)
    purity = np.where(total > 0, fractions.max(axis=1), 0.0)
    region_class = np.full(n_regions, -1, dtype=np.int64)
    labels = np.asarray(atoms.arrays["class_label"], dtype=np.int64)
    for r in range(n_regions):
        sel = real & (region == r)
        if sel.any():
            region_class[r] = int(np.bincount(labels[sel]).argmax())
    cls = np.where(major >= 0, region_class[np.maximum(major, 0)], -1)
    names = list(atoms.info.get("class_names", []))
    return BoxTruth(major, purity, cls, fractions, names)


def class_accuracy(result, truth: BoxTruth, purity: float = 0.9) -> dict[str, dict]:
    """Per truth class: boxes and fraction predicted as that class, for interior boxes (purity ≥
    ``purity``) and boxes near walls. For the ``fcc`` truth class (the chemically disordered A1 regions)
    ``flagged`` also counts the disorder verdict (:data:`DISORDER_FLAGS`)."""
    pred = np.asarray(result.predictions, dtype=object)
    valid = np.asarray(result.valid)
    out = {}
    for name in truth.class_names:
        row = {}
        for where, interior in (("interior", True), ("wall", False)):
            m = truth.mask(name, purity, interior) & valid
            n = int(m.sum())
            row[f"{where}_boxes"] = n
            row[f"{where}_accuracy"] = float(np.mean(pred[m] == name)) if n else float("nan")
            if name == "fcc":
                row[f"{where}_flagged"] = (
                    float(np.isin(pred[m], DISORDER_FLAGS).mean()) if n else float("nan")
                )
            if n:
                names, counts = np.unique(pred[m].astype(str), return_counts=True)
                top = np.argsort(counts)[::-1][:3]
                row[f"{where}_predicted"] = {str(names[k]): int(counts[k]) for k in top}
        out[name] = row
    return out


def confident(result, class_name: str, p_min: float = 0.8) -> np.ndarray:
    """Boxes named ``class_name`` (argmax) with probability ≥ ``p_min``."""
    k = result.class_index(class_name)
    prob = np.nan_to_num(np.asarray(result.probabilities)[:, k])
    return (np.asarray(result.argmax) == k) & (prob >= float(p_min))


def atom_accuracy(
    projected: dict, model_classes: Sequence[str], atoms, wall: float, near: float | None = None
) -> dict[str, dict]:
    """Per-atom accuracy of SPM predictions projected onto the atoms (:func:`arisekit.spm.project_to_atoms`,
    class indices into ``model_classes``) for each truth class of ``atoms.info["class_names"]``: atoms
    ≥ ``wall`` Å from another region (interior) and < ``near`` Å from one (near a wall; default ``wall``).
    Spurious atoms and atoms no box covers are left out."""
    pred = np.asarray(projected["prediction"], dtype=np.int64)
    names = np.asarray([model_classes[k] if k >= 0 else "" for k in pred], dtype=object)
    labels = np.asarray(atoms.arrays["class_label"], dtype=np.int64)
    dist = np.asarray(atoms.arrays["wall_distance"], dtype=np.float64)
    real = (labels >= 0) & (pred >= 0)
    if "spurious" in atoms.arrays:
        real &= ~np.asarray(atoms.arrays["spurious"], dtype=bool)
    near = wall if near is None else near
    out = {}
    for c, name in enumerate(atoms.info["class_names"]):
        row = {}
        for where, m in (("interior", dist >= wall), ("wall", dist < near)):
            sel = real & (labels == c) & m
            n = int(sel.sum())
            row[f"{where}_atoms"] = n
            row[f"{where}_accuracy"] = float(np.mean(names[sel] == name)) if n else float("nan")
            if name == "fcc":
                flagged = np.isin(names[sel], DISORDER_FLAGS)
                row[f"{where}_flagged"] = float(flagged.mean()) if n else float("nan")
        out[name] = row
    return out


def _tetragonal_boxes(box_ids, truth: BoxTruth, ca: np.ndarray, purity: float):
    """Majority region of each box of ``box_ids`` and the mask of those inside a tetragonal domain
    (c/a ≠ 1) with purity ≥ ``purity``."""
    ids = np.asarray(box_ids, dtype=np.int64)
    reg = truth.region[ids]
    keep = (reg >= 0) & (truth.purity[ids] >= purity)
    keep &= np.abs(ca[np.maximum(reg, 0)] - 1.0) > 1e-9
    return reg, keep


def domain_separation(
    cluster_labels: np.ndarray,
    box_ids: np.ndarray,
    truth: BoxTruth,
    region_c_over_a: Sequence[float],
    min_difference: float = 0.02,
    purity: float = 0.9,
    min_share: float = 0.5,
) -> dict:
    """How clusters of boxes (hidden-layer HDBSCAN labels, −1 outliers) split the truth domains.

    Boxes whose majority region is a tetragonal domain (c/a ≠ 1) with purity ≥ ``purity`` are kept. For
    each such domain: its boxes' majority cluster and the share of its boxes in it. For each pair of
    domains whose tetragonality differs by ≥ ``min_difference`` (relative): separated when their majority
    clusters differ and each holds at least ``min_share`` of its domain's boxes (a clustering that shatters
    every domain into many small clusters separates nothing). Also the adjusted Rand index between
    cluster labels and the tetragonality groups (domains sharing one c/a form a group) over the kept,
    non-outlier boxes.
    """
    from sklearn.metrics import adjusted_rand_score

    ca = np.asarray(region_c_over_a, dtype=np.float64)
    lab = np.asarray(cluster_labels, dtype=np.int64)
    reg, keep = _tetragonal_boxes(box_ids, truth, ca, purity)
    domains = {}
    for d in sorted(set(reg[keep].tolist())):
        sel = keep & (reg == d)
        values, counts = np.unique(lab[sel], return_counts=True)
        clustered = values >= 0
        if clustered.any():
            best = values[clustered][np.argmax(counts[clustered])]
            share = float(counts[values == best][0] / sel.sum())
        else:
            best, share = -1, 0.0
        domains[int(d)] = {
            "c_over_a": float(ca[d]),
            "boxes": int(sel.sum()),
            "majority_cluster": int(best),
            "share": share,
            "clusters": {int(v): int(c) for v, c in zip(values, counts, strict=True)},
        }
    pairs = []
    keys = sorted(domains)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            diff = abs(ca[a] - ca[b]) / (0.5 * (ca[a] + ca[b]))
            if diff >= min_difference - 1e-9:
                ma, mb = domains[a]["majority_cluster"], domains[b]["majority_cluster"]
                whole = min(domains[a]["share"], domains[b]["share"]) >= min_share
                separated = bool(ma != mb and ma >= 0 and mb >= 0 and whole)
                pairs.append({"domains": [a, b], "difference": float(diff), "separated": separated})
    clustered = keep & (lab >= 0)
    group = np.unique(np.round(ca[np.maximum(reg, 0)], 6), return_inverse=True)[1]  # c/a group codes
    ari = (
        float(adjusted_rand_score(group[clustered], lab[clustered])) if clustered.sum() > 1 else float("nan")
    )
    return {
        "domains": domains,
        "pairs": pairs,
        "pairs_separated": int(sum(p["separated"] for p in pairs)),
        "pairs_total": len(pairs),
        "adjusted_rand_index": ari,
        "boxes": int(keep.sum()),
        "clustered_boxes": int(clustered.sum()),
    }


def region_accuracy(result, truth: BoxTruth, region_kinds: Sequence[str], purity: float = 0.9) -> dict:
    """Per truth region (id: kind): interior boxes (purity ≥ ``purity``), the fraction predicted as the
    region's truth class, and the three most frequent predictions."""
    pred = np.asarray(result.predictions, dtype=object)
    valid = np.asarray(result.valid)
    out = {}
    for r, kind in enumerate(region_kinds):
        m = valid & (truth.region == r) & (truth.purity >= purity)
        n = int(m.sum())
        labels = truth.class_label[m]
        name = truth.class_names[int(labels[0])] if n else None
        row = {"kind": str(kind), "truth_class": name, "interior_boxes": n}
        row["interior_accuracy"] = float(np.mean(pred[m] == name)) if n else float("nan")
        if n:
            names, counts = np.unique(pred[m].astype(str), return_counts=True)
            top = np.argsort(counts)[::-1][:3]
            row["predicted"] = {str(names[k]): int(counts[k]) for k in top}
        out[str(r)] = row
    return out


def tetragonality_probe(
    features: np.ndarray,
    box_ids: np.ndarray,
    truth: BoxTruth,
    region_c_over_a: Sequence[float],
    purity: float = 0.9,
) -> dict:
    """Whether representations carry the tetragonality (c/a) of the truth domains: a linear classifier
    (logistic regression on standardized features) trained on the interior boxes of one domain per c/a
    value and tested on the boxes of the other domains of the same c/a values (so it must generalise
    across domains, orientations and positions). Returns the test accuracy and the box counts; ``nan``
    when fewer than two c/a values have two domains each. A supervised diagnostic: the clusters of
    :func:`domain_separation` are unsupervised."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(features) != len(box_ids):
        raise ValueError(f"features: one row per box id, got {len(features)} rows for {len(box_ids)} boxes")
    ca = np.asarray(region_c_over_a, dtype=np.float64)
    reg, keep = _tetragonal_boxes(box_ids, truth, ca, purity)
    groups: dict[float, list[int]] = {}
    for d in sorted(set(reg[keep].tolist())):
        groups.setdefault(round(float(ca[d]), 6), []).append(int(d))
    if len(groups) < 2 or any(len(v) < 2 for v in groups.values()):
        return {"accuracy": float("nan"), "train_boxes": 0, "test_boxes": 0}
    train_domains = [v[0] for v in groups.values()]
    value = np.round(ca[np.maximum(reg, 0)], 6)
    train = keep & np.isin(reg, train_domains)
    test = keep & ~np.isin(reg, train_domains)
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))
    probe.fit(np.asarray(features)[train], value[train].astype(str))
    accuracy = float(np.mean(probe.predict(np.asarray(features)[test]) == value[test].astype(str)))
    return {"accuracy": accuracy, "train_boxes": int(train.sum()), "test_boxes": int(test.sum())}
