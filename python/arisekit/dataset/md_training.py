"""MD frames for training: thermal crystals, liquids and glasses of the *training* potentials.

The MD benchmark (:mod:`arisekit.benchmark.md`) judges other elements and other potentials (Zhou Cu, Fe, Ti,
Al, W, Mg; Stillinger-Weber Si; Foiles Cu; Tersoff Si); the training frames here use only Zhou EAM Ni, Ag
(fcc), Mo, Ta (bcc), Zr and Co (hcp) and Tersoff 1989 Ge (diamond), so every benchmark frame, crystal,
liquid and glass, stays held out. Temperatures are fractions of :data:`REFERENCE_T_M` (a crystal frame that
has melted or transformed, and a liquid that has crystallised, is dropped by a PTM check, see
:func:`lattice_fraction`). Needs ``pip install 'arisekit[md]'``; frames are cached and resumable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

#: Temperature scale (K) of the training frames: the elements' experimental melting points (CRC), fixed
#: here so that the frames (cached by temperature) do not change when a potential's own T_m is measured.
#: A potential's T_m differs by up to ~20 %: frames that melted or transformed are dropped (PTM check).
#: Ge: 1.5 x its experimental 1,211 K, a guess (the potential's own T_m is not measured): Tersoff Si's
#: crystal stays 99.9 % diamond at the experimental 1,687 K in the MD benchmark, and the periodic Ge
#: crystals stay diamond up to 1.25 x this scale (2,271 K) in training; melted frames would be dropped.
REFERENCE_T_M: dict[str, float] = {
    "Ni": 1728.0, "Ag": 1234.9, "Mo": 2896.0, "Ta": 3290.0, "Zr": 2128.0, "Co": 1768.0, "Ge": 1817.0,
}  # fmt: skip

#: Training elements of the Zhou 2004 EAM and their ground-state lattice.
TRAINING_ELEMENTS: dict[str, str] = {
    "Ni": "fcc",
    "Ag": "fcc",
    "Mo": "bcc",
    "Ta": "bcc",
    "Zr": "hcp",
    "Co": "hcp",
    "Ge": "diamond",
}
#: Metastable lattices also run as hot crystals, labelled by that lattice (element -> lattices), e.g.
#: {"Ge": ("hexagonal_diamond",)} for hot lonsdaleite beside hot cubic diamond. Empty in the shipped
#: model's recipe: a model trained with Ge's (v6, not shipped) named 4 grain-boundary boxes of the demo
#: beta-Mn (models/README.md).
METASTABLE_LATTICES: dict[str, tuple[str, ...]] = {}
#: Crystal temperatures (fractions of T_m); diamond lattices also at :data:`COVALENT_EXTRA_FRACTIONS`,
#: as the covalent temperature scale is uncertain (a frame that melted is dropped).
CRYSTAL_FRACTIONS: tuple[float, ...] = (0.2, 0.5, 0.8, 0.95)
COVALENT_EXTRA_FRACTIONS: tuple[float, ...] = (1.1, 1.25)
#: Liquid temperatures (fractions of T_m).
LIQUID_FRACTIONS: tuple[float, ...] = (1.2, 1.5)
#: Elements quenched to a glass (at 300 K, 100 K/ps).
GLASS_ELEMENTS: tuple[str, ...] = ("Ni", "Ta", "Zr", "Ge")
#: A crystal frame is kept when PTM (no RMSD cutoff) finds at least this fraction of its atoms in the
#: expected lattice; a liquid or glass frame when at most :data:`MAX_LIQUID_ORDER` is in any lattice.
MIN_LATTICE_FRACTION = 0.8
MAX_LIQUID_ORDER = 0.3


@dataclass(frozen=True)
class TrainingFrame:
    """One MD frame (ase.Atoms, periodic, Å) with its label: a lattice class name or "disordered"."""

    atoms: object
    label: str
    element: str
    kind: str  # "crystal" | "liquid" | "glass"
    T: float


#: MD steps (1 fs) of the liquids: melt at 2 T_m, then equilibrate at T; a frame every 2 ps.
LIQUID_STEPS = dict(n_melt=8000, n_equil=4000, interval=2000)


def _glass_steps(tm: float) -> dict:
    """Glass protocol: melt at 2 T_m, liquid at 1.5 T_m, quench at 100 K/ps to 300 K (temperatures pinned
    to the reference scale, so that the cached frames stay valid when the potential's T_m is measured)."""
    return dict(T_melt=2.0 * tm, T_liquid=1.5 * tm, n_melt=8000, n_liquid=4000, n_equil=2000)


def lattice_fraction(atoms, lattice: str | None) -> float:
    """Fraction of atoms that OVITO's PTM (all templates) assigns to ``lattice`` (fcc, bcc, hcp, diamond:
    cubic diamond, hexagonal_diamond) with no RMSD cutoff (fair on hot crystals); with ``lattice=None`` the
    fraction assigned any structure with PTM's default RMSD cutoff 0.1 (with none, every liquid atom would
    get its nearest template)."""
    from ovito.io.ase import ase_to_ovito
    from ovito.modifiers import PolyhedralTemplateMatchingModifier
    from ovito.pipeline import Pipeline, StaticSource

    ptm = PolyhedralTemplateMatchingModifier(rmsd_cutoff=0.0 if lattice is not None else 0.1)
    for t in ptm.structures:
        t.enabled = True
    pipeline = Pipeline(source=StaticSource(data=ase_to_ovito(atoms)))
    pipeline.modifiers.append(ptm)
    types = np.asarray(pipeline.compute().particles["Structure Type"])
    ids = {
        "fcc": PolyhedralTemplateMatchingModifier.Type.FCC,
        "bcc": PolyhedralTemplateMatchingModifier.Type.BCC,
        "hcp": PolyhedralTemplateMatchingModifier.Type.HCP,
        "diamond": PolyhedralTemplateMatchingModifier.Type.CUBIC_DIAMOND,
        "hexagonal_diamond": PolyhedralTemplateMatchingModifier.Type.HEX_DIAMOND,
    }
    if lattice is not None:
        return float(np.mean(types == ids[lattice]))
    return float(np.mean(types != PolyhedralTemplateMatchingModifier.Type.OTHER))


def training_frames(
    cache_dir=None, *, n_atoms: int = 1000, n_frames: int = 2, seed: int = 7, log=print
) -> Iterator[TrainingFrame]:
    """Make (or load from ``cache_dir``) the training frames; yields those that pass the PTM check."""
    from arisekit.md import crystal_frames, glass_frames, liquid_frames

    common = dict(n_atoms=n_atoms, seed=seed, cache_dir=cache_dir)
    for element, ground in TRAINING_ELEMENTS.items():
        tm = REFERENCE_T_M[element]
        extra = COVALENT_EXTRA_FRACTIONS if ground == "diamond" else ()
        for lattice in (ground, *METASTABLE_LATTICES.get(element, ())):
            for f in (*CRYSTAL_FRACTIONS, *extra):
                kw = dict(n_equil=6000, interval=2000, **common)
                if lattice != ground:  # the cache key of the ground-state frames stays as it was
                    kw["lattice"] = lattice
                frames = crystal_frames(element, f * tm, n_frames, **kw)
                for atoms in frames:
                    share = lattice_fraction(atoms, lattice)
                    if share >= MIN_LATTICE_FRACTION:
                        yield TrainingFrame(atoms, lattice, element, "crystal", f * tm)
                    else:
                        log(f"dropped {element} {lattice} at {f:g} T_m: {share:.0%} of atoms {lattice} (PTM)")
        for f in LIQUID_FRACTIONS:
            frames = liquid_frames(element, f * tm, n_frames, T_melt=2.0 * tm, **LIQUID_STEPS, **common)
            yield from _disordered(frames, element, "liquid", f * tm, log)
        if element in GLASS_ELEMENTS:
            frames = glass_frames(element, 300.0, n_frames, **_glass_steps(tm), **common)
            yield from _disordered(frames, element, "glass", 300.0, log)


def _disordered(frames, element: str, kind: str, T: float, log) -> Iterator[TrainingFrame]:
    from arisekit.model.uncertainty import DISORDERED_CLASS

    for atoms in frames:
        order = lattice_fraction(atoms, None)
        if order <= MAX_LIQUID_ORDER:
            yield TrainingFrame(atoms, DISORDERED_CLASS, element, kind, T)
        else:
            log(f"dropped {element} {kind} at {T:g} K: {order:.0%} of atoms crystalline (PTM)")


# make the frames ahead of a dataset build: python -m arisekit.dataset.md_training DIR
if __name__ == "__main__":
    import sys

    for frame in training_frames(sys.argv[1] if len(sys.argv) > 1 else None):
        print(frame.element, frame.kind, f"{frame.T:.0f} K", frame.label, len(frame.atoms), flush=True)
