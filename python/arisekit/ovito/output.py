"""Writing a :class:`~arisekit.ovito.compute.FrameResult` into an OVITO ``DataCollection``.

Outputs (names are what the OVITO GUI and ``data.particles[...]`` show):

* particles (mode "global", and mode "spm" with ``project_to_atoms``): ``Structure Type`` (typed: 0 =
  Unclassified, class k -> k + 1, with names and colours; the model's "disordered" class, if it has one, is
  the disorder verdict - grey, as PTM's "Other"), ``ARISE Probability`` (of the assigned class), ``Mutual
  Information`` (nats), ``Disorder Score`` (1 - largest crystal-class probability), ``Probability <class>``
  for the selected classes, and ``Color`` (when colouring by type). Unclassified atoms (no classified box
  covers them) have NaN probabilities and mutual information.
* data table ``arise-structures``: count and fraction of atoms (boxes in mode "spm" without projection) per
  structure type; in mode "global" also ``arise-probabilities``, the class probabilities of the whole
  structure.
* voxel grid ``arise-spm`` (mode "spm"): one cell per SPM box, centred on the box centre; properties
  ``Structure Type``, ``ARISE Probability``, ``Mutual Information``, ``Disorder Score``,
  ``Predictive Entropy``, ``Atom Count`` and ``Probability <class>``; empty boxes hold NaN and type 0.
* attributes ``ARISE.*`` (see :func:`write_attributes`).

The ``Structure Type`` properties (particles and grid) always define every type, 0 to n_classes, so
``SelectTypeModifier(property="Structure Type", types={"bcc"})`` works on every frame (and selects nothing
where no atom is bcc); the types absent from the frame are *disabled* (``ElementType.enabled`` False), which
OVITO's colour legend (``ColorLegendOverlay``, see :func:`arisekit.ovito.structure_legend`) skips: it lists
the types present in the frame, not all ~124.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np

from arisekit.model.uncertainty import disorder_score
from arisekit.ovito.compute import FrameResult
from arisekit.ovito.palette import type_colors, type_table

__all__ = ["GRID_ID", "TABLE_ID", "PROBABILITY_TABLE_ID", "resolve_classes", "write_outputs"]

GRID_ID = "arise-spm"
TABLE_ID = "arise-structures"
PROBABILITY_TABLE_ID = "arise-probabilities"
#: Entries of ``output_classes`` that select every class.
ALL = ("*", "all")


def resolve_classes(requested: Sequence[str], class_names: Sequence[str]) -> list[int]:
    """Indices of the requested class names ("*" or "all": every class); ValueError for unknown names."""
    names = [str(n) for n in class_names]
    if any(str(r).strip().lower() in ALL for r in requested):
        return list(range(len(names)))
    out = []
    for r in requested:
        r = str(r).strip()
        if r not in names:
            close = difflib.get_close_matches(r, names, n=3)
            hint = f"; did you mean {close}?" if close else f"; the model's classes are {names[:12]}"
            raise ValueError(f"output_classes: unknown class {r!r}{hint}")
        if names.index(r) not in out:
            out.append(names.index(r))
    return out


def _add_types(prop, class_names: Sequence[str], present: np.ndarray | None = None) -> None:
    """Append every structure type (0 = Unclassified, class k -> k + 1) to the typed property ``prop``;
    with ``present`` (type ids found in the data), the others are added disabled (hidden from legends)."""
    from ovito.data import ElementType

    shown = None if present is None else {int(t) for t in np.unique(present)}
    for tid, name, color in type_table(class_names):
        enabled = shown is None or tid in shown
        prop.types.append(ElementType(id=tid, name=name, color=color, enabled=enabled))


def _structure_property(container, values: np.ndarray, class_names: Sequence[str]):
    if "Structure Type" in container:
        del container["Structure Type"]  # drop types of an upstream modifier (PTM, CNA)
    prop = container.create_property("Structure Type", dtype=int, data=values)
    _add_types(prop, class_names, present=values)
    return prop


def _counts_table(data, types: np.ndarray, class_names: Sequence[str], what: str) -> None:
    from ovito.data import DataTable

    n_types = len(class_names) + 1
    counts = np.bincount(types, minlength=n_types)[:n_types]
    table = DataTable(
        identifier=TABLE_ID, title=f"ARISE structure types ({what})", plot_mode=DataTable.PlotMode.BarChart
    )
    table.x = table.create_property("Structure Type", dtype=int, data=np.arange(n_types))
    _add_types(table.x, class_names)
    table.y = table.create_property("Count", dtype=np.int64, data=counts)
    table.create_property("Fraction", dtype=float, data=counts / max(int(counts.sum()), 1))
    data.objects.append(table)


def _probability_table(data, probabilities: np.ndarray, class_names: Sequence[str]) -> None:
    from ovito.data import DataTable

    table = DataTable(
        identifier=PROBABILITY_TABLE_ID,
        title="ARISE class probabilities",
        plot_mode=DataTable.PlotMode.BarChart,
    )
    ids = np.arange(1, len(class_names) + 1)
    table.x = table.create_property("Structure Type", dtype=int, data=ids)
    _add_types(table.x, class_names)
    table.y = table.create_property("Probability", dtype=float, data=np.asarray(probabilities, dtype=float))
    data.objects.append(table)


def _write_particles(data, result: FrameResult, selected: list[int], color_by_type: bool) -> np.ndarray:
    n = int(data.particles.count)
    if n != result.n_atoms:
        raise ValueError(f"data: {n} particles, but the ARISE result is for {result.n_atoms}")
    pred, probs, mi = result.atom_arrays()
    types = np.where(pred >= 0, pred + 1, 0).astype(np.int64)
    particles = data.particles_
    _structure_property(particles, types, result.class_names)
    covered = pred >= 0
    p_assigned = np.full(n, np.nan)
    p_assigned[covered] = np.asarray(probs)[np.flatnonzero(covered), pred[covered]]
    particles.create_property("ARISE Probability", dtype=float, data=p_assigned)
    particles.create_property("Mutual Information", dtype=float, data=np.asarray(mi, dtype=float))
    with np.errstate(invalid="ignore"):
        score = disorder_score(np.asarray(probs, dtype=float), result.class_names)
    particles.create_property("Disorder Score", dtype=float, data=score)
    novelty = result.atom_novelty()
    if novelty is not None:
        particles.create_property("Novelty", dtype=float, data=novelty)
    for k in selected:
        particles.create_property(
            f"Probability {result.class_names[k]}", dtype=float, data=np.asarray(probs[:, k], dtype=float)
        )
    if color_by_type:
        particles.create_property("Color", data=type_colors(result.class_names)[types])
    return types


def _write_grid(data, result: FrameResult, selected: list[int], grid_vis) -> np.ndarray:
    from ovito.data import SimulationCell, VoxelGrid

    s = result.spm
    shape = tuple(int(x) for x in s.shape)
    voxel = np.array([s.stride if shape[a] > 1 else float(s.box_size[a]) for a in range(3)])
    lower = np.asarray(s.centers[0], dtype=float) - 0.5 * voxel + result.origin
    domain = SimulationCell(pbc=(False, False, False))
    domain[...] = np.column_stack([np.diag(voxel * np.array(shape)), lower])
    domain.vis = None

    def field(values) -> np.ndarray:  # C-ordered box values -> OVITO's x-fastest layout
        return np.asarray(values).reshape(shape).ravel(order="F")

    am = s.argmax
    types = np.where(am >= 0, am + 1, 0).astype(np.int64)
    kwargs = dict(identifier=GRID_ID, domain=domain, shape=shape, grid_type=VoxelGrid.GridType.CellData)
    grid = data.grids.create(**kwargs, vis=grid_vis) if grid_vis is not None else data.grids.create(**kwargs)
    grid.title = "ARISE SPM map"
    prop = grid.create_property("Structure Type", dtype=int, data=field(types))
    _add_types(prop, result.class_names, present=types)
    p_assigned = np.full(s.n_boxes, np.nan)
    ok = am >= 0
    p_assigned[ok] = s.probabilities[np.flatnonzero(ok), am[ok]]
    grid.create_property("ARISE Probability", dtype=float, data=field(p_assigned))
    grid.create_property("Mutual Information", dtype=float, data=field(s.mutual_information))
    grid.create_property("Disorder Score", dtype=float, data=field(s.disorder_score))
    if s.novelty is not None:
        grid.create_property("Novelty", dtype=float, data=field(s.novelty))
    grid.create_property("Predictive Entropy", dtype=float, data=field(s.predictive_entropy))
    grid.create_property("Atom Count", dtype=int, data=field(s.counts))
    for k in selected:
        grid.create_property(
            f"Probability {result.class_names[k]}", dtype=float, data=field(s.probabilities[:, k])
        )
    return types


def write_attributes(data, result: FrameResult, selected: list[int], types: np.ndarray) -> None:
    """Global attributes. All modes: ``ARISE.mode`` (``"global"`` or ``"spm"``), ``ARISE.n_classes``,
    ``ARISE.fraction.<class>`` (selected classes; of atoms, or of boxes in mode "spm" without projection),
    ``ARISE.unclassified_fraction``. Global mode:
    ``ARISE.prediction``, ``ARISE.probability``, ``ARISE.mutual_information``, ``ARISE.predictive_entropy``,
    ``ARISE.variation_ratio``, ``ARISE.probability.<class>`` (selected classes). SPM mode:
    ``ARISE.n_boxes``, ``ARISE.n_classified_boxes``, ``ARISE.mean_mutual_information`` (classified
    boxes), ``ARISE.prediction`` (most frequent class; "" if nothing was classified). With a novelty
    reference (:mod:`arisekit.model.novelty`): ``ARISE.novelty`` and ``ARISE.out_of_library`` (global
    mode), ``ARISE.out_of_library_fraction`` (SPM mode, of classified boxes)."""
    attrs = data.attributes
    names = result.class_names
    attrs["ARISE.mode"] = result.mode
    attrs["ARISE.n_classes"] = len(names)
    counts = np.bincount(types, minlength=len(names) + 1)
    total = max(int(counts.sum()), 1)
    attrs["ARISE.unclassified_fraction"] = float(counts[0]) / total
    for k in selected:
        attrs[f"ARISE.fraction.{names[k]}"] = float(counts[k + 1]) / total
    if result.mode == "global":
        c = result.classification
        attrs["ARISE.prediction"] = c.prediction
        attrs["ARISE.probability"] = float(c.probability)
        attrs["ARISE.mutual_information"] = float(c.mutual_information)
        attrs["ARISE.predictive_entropy"] = float(c.predictive_entropy)
        attrs["ARISE.variation_ratio"] = float(c.variation_ratio)
        attrs["ARISE.disorder_score"] = float(c.disorder_score)
        attrs["ARISE.novelty"] = np.nan if c.novelty is None else float(c.novelty)
        attrs["ARISE.out_of_library"] = int(c.out_of_library)
        for k in selected:
            attrs[f"ARISE.probability.{names[k]}"] = float(c.probabilities[k])
        return
    s = result.spm
    valid = s.valid
    attrs["ARISE.n_boxes"] = int(s.n_boxes)
    attrs["ARISE.n_classified_boxes"] = int(valid.sum())
    attrs["ARISE.mean_mutual_information"] = (
        float(np.mean(s.mutual_information[valid])) if valid.any() else np.nan
    )
    attrs["ARISE.prediction"] = names[int(np.argmax(counts[1:]))] if counts[1:].any() else ""
    if s.novelty is not None:  # share of classified boxes with the out-of-library verdict
        attrs["ARISE.out_of_library_fraction"] = (
            float(np.mean(s.out_of_library[valid])) if valid.any() else np.nan
        )


def write_outputs(
    data, result: FrameResult, output_classes: Sequence[str], color_by_type: bool, grid_vis=None
) -> None:
    """Write all outputs of ``result`` into ``data`` (an OVITO ``DataCollection``, modified in place)."""
    selected = resolve_classes(output_classes, result.class_names)
    types = None
    if result.per_atom:
        types = _write_particles(data, result, selected, color_by_type)
    if result.spm is not None:
        box_types = _write_grid(data, result, selected, grid_vis)
        if types is None:
            types = box_types
    what = "atoms" if result.per_atom else "boxes"
    _counts_table(data, types, result.class_names, what)
    if result.mode == "global":
        _probability_table(data, result.classification.probabilities, result.class_names)
    write_attributes(data, result, selected, types)
