"""Baseline crystal-structure recognition methods of the ARISE benchmark (paper Table 1, section S2.1).

Each baseline is scored only on the library classes it is designed for (:meth:`Baseline.covers`) and, as
in the paper, only on periodic structures:

* spglib (``loose``: symprec 0.1 Å, angle tolerance 5°; ``tight``: 1e-4 Å, 1°) — correct when the
  detected space group equals the class's space group; designed for every periodic AFLOW prototype
  (the paper excludes the CMR classes, whose reference space groups are not reliable, and nanotubes);
* OVITO's polyhedral template matching (PTM, RMSD cutoff 0.1, all structure types and chemical
  ordering enabled): fcc, bcc, hcp, sc, cubic and hexagonal diamond, graphene, h-BN, L1_0, L1_2,
  zincblende, wurtzite and B2 (CsCl);
* common neighbour analysis with a fixed cutoff (CNA), adaptive CNA (a-CNA) and Ackland–Jones bond-angle
  analysis (BAA): fcc, bcc, hcp.

The local methods label every atom; the structure's label is the most frequent atom label (ties:
the first in library order), and the per-atom accuracy (the paper's metric) is also returned.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BASELINES",
    "Baseline",
    "BaselineResult",
    "CNA_CUTOFF",
    "LOCAL_CLASSES",
    "PTM_CLASSES",
    "baseline_names",
    "get_baseline",
    "ovito_atom_labels",
    "spglib_spacegroup",
]

#: Library classes recognised by PTM (structure type, chemical ordering) -> class name.
PTM_CLASSES: tuple[str, ...] = (
    "fcc", "bcc", "hcp", "sc", "diamond", "hexagonal_diamond", "graphene", "BN",
    "L1_0", "L1_2", "zincblende", "wurtzite", "CsCl",
)  # fmt: skip
#: Library classes recognised by CNA, a-CNA and Ackland–Jones.
LOCAL_CLASSES: tuple[str, ...] = ("fcc", "bcc", "hcp")
#: Fixed CNA cutoff in units of the analysed structure's d_NN: midway between the second shell of bcc
#: (1.155 d_NN) and of fcc/hcp (1.414 d_NN) — between the first and second fcc/hcp shells and enclosing
#: the 8 + 6 first/second bcc shells that bcc's CNA signature needs.
CNA_CUTOFF = 1.285


@dataclass(frozen=True)
class BaselineResult:
    """Outcome of one baseline on one structure: structure label (class name, space-group number as a
    string for spglib, or "other"), and the fraction of atoms labelled ``class_name`` (local methods)."""

    label: str
    atom_fraction: float | None = None


def spglib_spacegroup(atoms, symprec: float, angle_tolerance: float) -> int | None:
    """Space-group number spglib finds for ``atoms`` (all three directions treated as periodic), or None."""
    import spglib

    cell = (np.asarray(atoms.cell[:]), atoms.get_scaled_positions(wrap=True), atoms.get_atomic_numbers())
    try:
        dataset = spglib.get_symmetry_dataset(cell, symprec=symprec, angle_tolerance=angle_tolerance)
    except Exception:  # spglib raises its own error types on degenerate input
        return None
    return None if dataset is None else int(dataset.number)


def _ptm_label(structure: int, ordering: int, types) -> str:
    t, o = types
    if structure == t.FCC:
        if ordering == o.L10:
            return "L1_0"
        if ordering in (o.L12_A, o.L12_B):
            return "L1_2"
        return "fcc"
    if structure == t.BCC:
        return "CsCl" if ordering == o.B2 else "bcc"
    if structure == t.CUBIC_DIAMOND:
        return "zincblende" if ordering == o.ZINCBLENDE_WURTZITE else "diamond"
    if structure == t.HEX_DIAMOND:
        return "wurtzite" if ordering == o.ZINCBLENDE_WURTZITE else "hexagonal_diamond"
    if structure == t.GRAPHENE:
        return "BN" if ordering == o.BORON_NITRIDE else "graphene"
    return {int(t.HCP): "hcp", int(t.SC): "sc", int(t.ICO): "icosahedral"}.get(int(structure), "other")


#: Periodic cells with fewer atoms are repeated before a local analysis (neighbour shells need room).
MIN_PERIODIC_ATOMS = 64


def ovito_atom_labels(atoms, method: str, cna_cutoff: float = CNA_CUTOFF) -> np.ndarray:
    """Per-atom labels (library class names or "other"/"icosahedral") of an OVITO analysis.

    Parameters
    ----------
    atoms : ase.Atoms, positions in Å (periodic along its ``pbc`` directions).
    method : "ptm", "cna" (fixed cutoff ``cna_cutoff`` · d_NN), "acna" (adaptive CNA) or "baa"
        (Ackland–Jones bond-angle analysis).
    cna_cutoff : fixed CNA cutoff in units of the structure's nearest-neighbour distance.
    """
    from ovito.io.ase import ase_to_ovito
    from ovito.modifiers import AcklandJonesModifier, CommonNeighborAnalysisModifier
    from ovito.modifiers import PolyhedralTemplateMatchingModifier as PTM

    if method not in ("ptm", "cna", "acna", "baa"):
        raise ValueError(f"method must be 'ptm', 'cna', 'acna' or 'baa', got {method!r}")
    pbc = np.asarray(atoms.pbc, dtype=bool)
    if pbc.any() and len(atoms) < MIN_PERIODIC_ATOMS:
        # a small periodic cell (the paper's fcc is 1 atom): repeat it; every copy gets the same labels
        n = 1
        while len(atoms) * n ** int(pbc.sum()) < MIN_PERIODIC_ATOMS:
            n += 1
        return ovito_atom_labels(atoms.repeat([n if p else 1 for p in pbc]), method, cna_cutoff)[: len(atoms)]
    if len(atoms) < 2:
        raise ValueError(f"atoms: need at least 2 atoms for a local structure analysis, got {len(atoms)}")
    data = ase_to_ovito(atoms)
    if method == "ptm":
        mod = PTM(rmsd_cutoff=0.1, output_ordering=True)
        for s in mod.structures:
            s.enabled = True
        data.apply(mod)
        st = np.asarray(data.particles["Structure Type"])
        od = np.asarray(data.particles["Ordering Type"])
        types = (PTM.Type, PTM.OrderingType)
        return np.array([_ptm_label(int(s), int(o), types) for s, o in zip(st, od, strict=True)])
    if method == "cna":
        from arisekit.geometry import nearest_neighbor_distance

        if not (np.isfinite(cna_cutoff) and cna_cutoff > 1.0):
            raise ValueError(f"cna_cutoff must be > 1 (units of d_NN), got {cna_cutoff}")
        cutoff = float(cna_cutoff) * nearest_neighbor_distance(atoms)
        mod = CommonNeighborAnalysisModifier(
            mode=CommonNeighborAnalysisModifier.Mode.FixedCutoff, cutoff=cutoff
        )
        types = CommonNeighborAnalysisModifier.Type
    elif method == "acna":
        mod = CommonNeighborAnalysisModifier(mode=CommonNeighborAnalysisModifier.Mode.AdaptiveCutoff)
        types = CommonNeighborAnalysisModifier.Type
    elif method == "baa":
        mod = AcklandJonesModifier()
        types = AcklandJonesModifier.Type
    else:
        raise ValueError(f"method must be 'ptm', 'cna', 'acna' or 'baa', got {method!r}")
    data.apply(mod)
    names = {
        int(types.FCC): "fcc",
        int(types.BCC): "bcc",
        int(types.HCP): "hcp",
        int(types.ICO): "icosahedral",
    }
    return np.array([names.get(int(s), "other") for s in np.asarray(data.particles["Structure Type"])])


def majority_label(labels: np.ndarray) -> str:
    """Most frequent label (ties: the one seen first)."""
    if len(labels) == 0:
        raise ValueError("labels: empty")
    counts = Counter(labels.tolist())
    best = max(counts.values())
    return next(lab for lab in labels.tolist() if counts[lab] == best)


@dataclass(frozen=True)
class Baseline:
    """One baseline method: ``key`` (CLI name), ``title`` (table row), the analysis and its settings."""

    key: str
    title: str
    kind: str  # "spglib" or an ovito method
    symprec: float = 0.0
    angle_tolerance: float = 0.0

    def covers(self, class_name: str) -> bool:
        """True if the method is designed to recognise library class ``class_name``."""
        from arisekit import prototypes

        proto = prototypes.get(class_name)
        if self.kind == "spglib":
            return proto.category != "nanotube" and proto.aflow is not None and proto.spacegroup is not None
        if self.kind == "ptm":
            return class_name in PTM_CLASSES
        return class_name in LOCAL_CLASSES

    def expected(self, class_name: str) -> str:
        """The label a correct answer has for ``class_name``."""
        if self.kind == "spglib":
            from arisekit import prototypes

            return str(prototypes.get(class_name).spacegroup)
        return class_name

    def run(self, atoms, class_name: str | None = None, cna_cutoff: float = CNA_CUTOFF) -> BaselineResult:
        """Label of ``atoms`` (Å); with ``class_name`` also the fraction of correctly labelled atoms."""
        if self.kind == "spglib":
            sg = spglib_spacegroup(atoms, self.symprec, self.angle_tolerance)
            return BaselineResult("none" if sg is None else str(sg))
        labels = ovito_atom_labels(atoms, self.kind, cna_cutoff)
        frac = None if class_name is None else float(np.mean(labels == class_name))
        return BaselineResult(majority_label(labels), frac)


BASELINES: dict[str, Baseline] = {
    b.key: b
    for b in (
        Baseline("spglib-loose", "spglib (loose)", "spglib", 0.1, 5.0),
        Baseline("spglib-tight", "spglib (tight)", "spglib", 1e-4, 1.0),
        Baseline("ptm", "PTM", "ptm"),
        Baseline("cna", "CNA", "cna"),
        Baseline("acna", "a-CNA", "acna"),
        Baseline("baa", "BAA (Ackland-Jones)", "baa"),
    )
}


def baseline_names() -> list[str]:
    """Keys of the available baselines."""
    return list(BASELINES)


def get_baseline(key: str) -> Baseline:
    """The baseline called ``key``; ValueError listing the choices otherwise."""
    try:
        return BASELINES[key]
    except KeyError:
        raise ValueError(f"unknown baseline {key!r}; choose from {', '.join(BASELINES)}") from None
