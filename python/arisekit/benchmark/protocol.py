"""The accuracy-benchmark protocol of ARISE (paper Table 1, S1-S3) on arisekit's prototype library.

As in the paper (Methods and S1), the defect levels are applied to each class's open isotropic
supercells (:func:`arisekit.prototypes.supercells`: the smallest with ≥ 100 atoms and the next two; the
first ``defect_supercells`` of them): displacements of every Cartesian component uniform in
[-δ·d_NN, +δ·d_NN] (d_NN of the pristine cell), removal of a fraction η of the atoms, and the combined
(η, δ) pairs of Table S3, each in ``realizations`` random draws. Every defective draw is scored twice, with
the same atoms: *open* (no periodicity) and *periodic* (the supercell with the class's periodic boundary
conditions; nanotubes have no periodic version) — 6 structures per class, draw and level (the paper's
5,880 per level for its 108 classes). Pristine structures are the periodic cell and the first
``pristine_supercells`` open supercells.

Randomness: draw ``r`` of level L of class C uses ``numpy.random.default_rng(SeedSequence([seed,
crc32("C|L|r")]))``; the default seed 1000 differs from the training set's (seed 0, other keys), so no
benchmark structure repeats a training structure.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from ase import Atoms

from arisekit.dataset.plan import PAPER_COMBINED, PAPER_DISPLACEMENTS, PAPER_MISSING

__all__ = [
    "BenchStructure",
    "DefectLevel",
    "Protocol",
    "QUICK_CLASSES",
    "level_label",
    "open_supercells",
]

#: Classes of the ``--quick`` run (covered by every baseline family).
QUICK_CLASSES: tuple[str, ...] = ("fcc", "bcc", "hcp", "diamond", "NaCl", "graphene")


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def level_label(displacement: float, missing: float) -> str:
    """Column label of a defect level: "pristine", "δ=1%", "η=5%" or "(η,δ)=(5%,0.6%)"."""
    if displacement and missing:
        return f"(η,δ)=({_pct(missing)},{_pct(displacement)})"
    if displacement:
        return f"δ={_pct(displacement)}"
    if missing:
        return f"η={_pct(missing)}"
    return "pristine"


@dataclass(frozen=True)
class DefectLevel:
    """One defect level: ``displacement`` δ (fraction of d_NN) and ``missing`` η (fraction of atoms)."""

    displacement: float = 0.0
    missing: float = 0.0

    @property
    def group(self) -> str:
        """ "pristine", "displacement", "missing" or "combined"."""
        if self.displacement and self.missing:
            return "combined"
        if self.displacement:
            return "displacement"
        return "missing" if self.missing else "pristine"

    @property
    def label(self) -> str:
        return level_label(self.displacement, self.missing)


@dataclass
class BenchStructure:
    """One benchmark structure: class (or out-of-library name), level, draw, boundary and atoms (Å)."""

    name: str
    level: DefectLevel
    realization: int
    boundary: str  # "periodic" or "open"
    base: str  # "supercell<k>"
    atoms: Atoms = field(repr=False)


def _check_levels(values: Sequence[float], name: str) -> tuple[float, ...]:
    out = tuple(float(v) for v in values)
    for v in out:
        if not (np.isfinite(v) and 0.0 < v < 1.0):
            raise ValueError(f"{name}: every level must be a fraction in (0, 1), got {v}")
    return out


def open_supercells(cell: Atoms, count: int, min_atoms: int = 100) -> list[Atoms]:
    """Open supercells of a periodic cell: repeats along its periodic axes, the smallest with ≥ ``min_atoms``
    atoms and the next ``count - 1`` (as :func:`arisekit.prototypes.supercells` does for the library)."""
    if count < 1:
        raise ValueError(f"count must be ≥ 1, got {count}")
    pbc = np.asarray(cell.pbc, dtype=bool)
    if not pbc.any():
        raise ValueError("cell: needs at least one periodic direction to build supercells")
    dim = int(pbc.sum())
    n = 1
    while len(cell) * n**dim < min_atoms:
        n += 1
    out = []
    for k in range(count):
        rep = tuple(n + k if p else 1 for p in pbc)
        sc = cell.repeat(rep)
        sc.pbc = False
        sc.info["repeat"] = rep
        out.append(sc)
    return out


@dataclass
class Protocol:
    """Benchmark settings. ``combined`` holds (η, δ) pairs as in Table S3; fractions, not percent."""

    classes: Sequence[str] | None = None
    displacements: Sequence[float] = PAPER_DISPLACEMENTS
    missing: Sequence[float] = PAPER_MISSING
    combined: Sequence[tuple[float, float]] = PAPER_COMBINED
    realizations: int = 10
    seed: int = 1000
    pristine_supercells: int = 3
    defect_supercells: int = 3
    periodic: bool = True
    open: bool = True

    def validate(self) -> None:
        _check_levels(self.displacements, "displacements")
        _check_levels(self.missing, "missing")
        for pair in self.combined:
            if len(pair) != 2:
                raise ValueError(f"combined: expected (η, δ) pairs, got {pair!r}")
            _check_levels(pair, "combined")
        if int(self.realizations) < 1:
            raise ValueError(f"realizations must be ≥ 1, got {self.realizations}")
        for name in ("pristine_supercells", "defect_supercells"):
            if not 1 <= int(getattr(self, name)) <= 3:
                raise ValueError(f"{name} must be 1, 2 or 3, got {getattr(self, name)}")
        if not (self.periodic or self.open):
            raise ValueError("protocol: at least one of periodic and open structures must be enabled")

    def class_names(self) -> list[str]:
        """Selected library classes (default: the whole library); unknown names raise ValueError."""
        from arisekit import prototypes

        if self.classes is None:
            return prototypes.names()
        if len(self.classes) == 0:
            raise ValueError("classes: empty selection")
        return [prototypes.get(n).name for n in self.classes]

    def levels(self) -> list[DefectLevel]:
        """Pristine, every δ, every η and every (η, δ) pair, in table order."""
        self.validate()
        out = [DefectLevel()]
        out += [DefectLevel(displacement=d) for d in _check_levels(self.displacements, "displacements")]
        out += [DefectLevel(missing=m) for m in _check_levels(self.missing, "missing")]
        out += [DefectLevel(displacement=float(d), missing=float(m)) for m, d in self.combined]
        return out

    def rng(self, name: str, level: DefectLevel, realization: int) -> np.random.Generator:
        """Generator of draw ``realization`` of ``level`` for structure ``name``."""
        key = f"{name}|{level.label}|r{realization}"
        return np.random.default_rng(np.random.SeedSequence([int(self.seed), zlib.crc32(key.encode())]))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["classes"] = None if self.classes is None else list(self.classes)
        d["combined"] = [list(p) for p in self.combined]
        d["levels"] = [lvl.label for lvl in self.levels()]
        return d

    # ------------------------------------------------------------------ structures
    def structures(self, class_name: str) -> Iterator[BenchStructure]:
        """Every benchmark structure of library class ``class_name``."""
        from arisekit import prototypes

        proto = prototypes.get(class_name)
        cell = proto.build()
        periodic = proto.category != "nanotube"
        yield from self.variants(class_name, cell, prototypes.supercells(class_name), periodic)

    def variants(
        self,
        name: str,
        cell: Atoms,
        supercells: Sequence[Atoms],
        periodic: bool = True,
        realizations: int | None = None,
    ) -> Iterator[BenchStructure]:
        """Benchmark structures of any periodic ``cell`` and its open ``supercells`` (Å).

        ``periodic=False`` skips the periodic versions (nanotubes); ``realizations`` overrides the
        protocol's number of draws (out-of-library structures use fewer).
        """
        from arisekit.geometry import nearest_neighbor_distance
        from arisekit.prototypes import displace, remove_atoms

        if not supercells:
            raise ValueError(f"{name}: no open supercells given")
        n_draws = int(self.realizations if realizations is None else realizations)
        if n_draws < 1:
            raise ValueError(f"realizations must be ≥ 1, got {n_draws}")
        periodic = periodic and self.periodic
        pbc = np.asarray(cell.pbc, dtype=bool)
        d_nn = nearest_neighbor_distance(cell)

        def as_periodic(atoms: Atoms, level: DefectLevel, r: int, base: str) -> BenchStructure:
            p = atoms.copy()
            p.pbc = pbc
            p.wrap()
            return BenchStructure(name, level, r, "periodic", base, p)

        for level in self.levels():
            if level.group == "pristine":
                if periodic:
                    yield as_periodic(supercells[0], level, 0, "supercell0")
                if self.open:
                    for k, sc in enumerate(supercells[: int(self.pristine_supercells)]):
                        yield BenchStructure(name, level, 0, "open", f"supercell{k}", sc)
                continue
            for k, sc in enumerate(supercells[: int(self.defect_supercells)]):
                # draw r of supercell k: one generator per (structure, level, draw) key
                key = name if k == 0 else f"{name}|supercell{k}"
                for r in range(n_draws):
                    rng = self.rng(key, level, r)
                    atoms = sc
                    if level.displacement:
                        atoms = displace(atoms, level.displacement, rng, d_nn=d_nn)
                    if level.missing:
                        atoms = remove_atoms(atoms, level.missing, rng)
                    if periodic:
                        yield as_periodic(atoms, level, r, f"supercell{k}")
                    if self.open:
                        yield BenchStructure(name, level, r, "open", f"supercell{k}", atoms)
