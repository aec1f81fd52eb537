"""Structure variants of the prototype classes (ARISE Methods, "Dataset creation").

* the periodic cell;
* open (non-periodic) isotropic supercells: the smallest n x n x n replica with at least 100 atoms and
  the next two (n x n x 1 for 2D layers; for nanotubes only the shortest tube with >= 100 atoms);
* defective copies: every Cartesian component displaced uniformly in [-delta * d_NN, +delta * d_NN]
  (``delta`` a fraction of the nearest-neighbour distance), a fraction ``eta`` of the atoms removed,
  or both (displacements first, d_NN of the pristine structure, then removal).

Randomness comes only from ``numpy.random.Generator`` objects (``numpy.random.default_rng(seed)``);
the variant plan gives every variant its own seed, so each is reproducible on its own.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from arisekit.prototypes.registry import get, names

#: Displacement levels delta (fractions of d_NN): 0.1, 0.6, 1, 2, 4, 7 and 10 %.
DELTAS: tuple[float, ...] = (0.001, 0.006, 0.01, 0.02, 0.04, 0.07, 0.10)
#: Fractions eta of removed atoms: 1, 5, 10, 20, 25 and 30 %.
ETAS: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.25, 0.30)
#: Minimum number of atoms of the smallest open supercell.
MIN_ATOMS = 100


def periodic(name: str) -> Atoms:
    """The periodic cell of class ``name`` (Å)."""
    return get(name).build()


def supercell_repeats(
    name: str, min_atoms: int = MIN_ATOMS, count: int | None = None
) -> list[tuple[int, int, int]]:
    """Repetitions of the periodic cell for the open supercells of ``name``.

    The smallest isotropic replica with at least ``min_atoms`` atoms and the following ones, ``count``
    in all (default 3; 1 for nanotubes). Bulk: (n, n, n); 2D: (n, n, 1); nanotube: (1, 1, n).
    """
    if int(min_atoms) < 1:
        raise ValueError(f"min_atoms must be a positive integer, got {min_atoms}")
    proto = get(name)
    if count is None:
        count = 1 if proto.category == "nanotube" else 3
    if int(count) < 1:
        raise ValueError(f"count must be a positive integer, got {count}")
    n_cell = len(proto.build())
    power = proto.dimensionality
    n = 1
    while n_cell * n**power < min_atoms:
        n += 1
    shape = {3: lambda k: (k, k, k), 2: lambda k: (k, k, 1), 1: lambda k: (1, 1, k)}[power]
    return [shape(n + k) for k in range(int(count))]


def supercells(name: str, min_atoms: int = MIN_ATOMS, count: int | None = None) -> list[Atoms]:
    """Open (pbc False) isotropic supercells of class ``name``; see :func:`supercell_repeats`.

    The replicated cell is kept for reference (positions in Å); ``info["repeat"]`` holds the repetition.
    """
    cell = periodic(name)
    out = []
    for rep in supercell_repeats(name, min_atoms, count):
        sc = cell.repeat(rep)
        sc.pbc = False
        sc.info["repeat"] = rep
        out.append(sc)
    return out


def _generator(rng: np.random.Generator | int) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}")


def _check_fraction(value: float, label: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0.0 or v >= 1.0:
        raise ValueError(f"{label} must be a fraction in [0, 1) (e.g. 0.05 for 5 %), got {value!r}")
    return v


def displace(atoms: Atoms, delta: float, rng: np.random.Generator | int, d_nn: float | None = None) -> Atoms:
    """Copy of ``atoms`` with every Cartesian coordinate shifted uniformly in [-delta*d_NN, +delta*d_NN].

    Parameters
    ----------
    atoms : structure (positions in Å); not modified.
    delta : displacement amplitude as a fraction of d_NN, 0 <= delta < 1 (0.01 = 1 %).
    rng : numpy Generator (or integer seed for ``numpy.random.default_rng``).
    d_nn : nearest-neighbour distance in Å; default ``arisekit.geometry.nearest_neighbor_distance(atoms)``.
    """
    delta = _check_fraction(delta, "delta (displacement)")
    if len(atoms) == 0:
        raise ValueError("atoms: the structure has no atoms to displace")
    gen = _generator(rng)
    if d_nn is None:
        from arisekit.geometry import nearest_neighbor_distance

        d_nn = nearest_neighbor_distance(atoms)
    elif not np.isfinite(d_nn) or d_nn <= 0:
        raise ValueError(f"d_nn must be a positive length in Å, got {d_nn}")
    out = atoms.copy()
    amplitude = delta * float(d_nn)
    out.positions = out.positions + gen.uniform(-amplitude, amplitude, size=(len(out), 3))
    out.info["displacement"] = delta
    out.info["d_nn"] = float(d_nn)
    return out


def remove_atoms(atoms: Atoms, eta: float, rng: np.random.Generator | int) -> Atoms:
    """Copy of ``atoms`` without round(eta * N) atoms chosen uniformly at random (without replacement).

    ``eta`` is a fraction, 0 <= eta < 1 (0.05 = 5 %). ValueError if that would remove every atom.
    """
    eta = _check_fraction(eta, "eta (fraction of removed atoms)")
    n = len(atoms)
    if n == 0:
        raise ValueError("atoms: the structure has no atoms to remove")
    gen = _generator(rng)
    n_remove = int(np.floor(eta * n + 0.5))
    if n_remove >= n:
        raise ValueError(f"removing {eta:.1%} of {n} atoms would remove all of them; use a larger structure")
    drop = gen.choice(n, size=n_remove, replace=False)
    keep = np.setdiff1d(np.arange(n), drop)
    out = atoms[keep]
    out.info["missing"] = eta
    return out


@dataclass(frozen=True)
class VariantSpec:
    """One structure variant: class, base structure, defect levels and its own random seed.

    ``base`` is ``"periodic"`` or ``"supercell<k>"`` (k-th open supercell); ``delta`` and ``eta`` are
    fractions (0 = none).
    """

    class_name: str
    base: str
    delta: float = 0.0
    eta: float = 0.0
    seed: int = 0

    @property
    def label(self) -> str:
        """Short defect label: "pristine", "displaced_0.01", "missing_0.05" or "both_0.01_0.05"."""
        if self.delta and self.eta:
            return f"both_{self.delta:g}_{self.eta:g}"
        if self.delta:
            return f"displaced_{self.delta:g}"
        if self.eta:
            return f"missing_{self.eta:g}"
        return "pristine"

    def build(self) -> Atoms:
        """The variant structure (deterministic: ``numpy.random.default_rng(self.seed)``)."""
        if self.base == "periodic":
            atoms = periodic(self.class_name)
        elif self.base.startswith("supercell") and self.base[len("supercell") :].isdigit():
            k = int(self.base[len("supercell") :])
            reps = supercell_repeats(self.class_name, count=k + 1)
            cell = periodic(self.class_name)
            atoms = cell.repeat(reps[k])
            atoms.pbc = False
            atoms.info["repeat"] = reps[k]
        else:
            raise ValueError(f"base must be 'periodic' or 'supercell<k>', got {self.base!r}")
        rng = np.random.default_rng(self.seed)
        if self.delta:
            atoms = displace(atoms, self.delta, rng)
        if self.eta:
            atoms = remove_atoms(atoms, self.eta, rng)
        atoms.info.update(class_name=self.class_name, base=self.base, variant=self.label)
        return atoms


def variant_plan(
    class_names: Iterable[str] | None = None,
    deltas: Sequence[float] = DELTAS,
    etas: Sequence[float] = ETAS,
    combined: bool = True,
    defects_on_periodic: bool = False,
    seed: int = 0,
) -> list[VariantSpec]:
    """All variants of the given classes (default: the whole library), in a fixed order.

    Per class: the periodic cell (not for nanotubes, which are only used as finite tubes in the paper)
    and every open supercell, pristine; each supercell (and the periodic cell if
    ``defects_on_periodic``) with every displacement in ``deltas``, every removal fraction in ``etas``
    and, if ``combined``, every (delta, eta) pair. Each variant gets a seed drawn from
    ``numpy.random.SeedSequence([seed, index])``.
    """
    for d in deltas:
        _check_fraction(d, "deltas")
    for e in etas:
        _check_fraction(e, "etas")
    selected = names() if class_names is None else [get(n).name for n in class_names]
    defects = [(float(d), 0.0) for d in deltas] + [(0.0, float(e)) for e in etas]
    if combined:
        defects += [(float(d), float(e)) for d in deltas for e in etas]
    plan: list[VariantSpec] = []
    for name in selected:
        n_super = len(supercell_repeats(name))
        bases = [f"supercell{k}" for k in range(n_super)]
        if get(name).category != "nanotube":
            bases.insert(0, "periodic")
        for base in bases:
            levels = [(0.0, 0.0)]
            if base != "periodic" or defects_on_periodic:
                levels += defects
            for delta, eta in levels:
                index = len(plan)
                child = int(np.random.SeedSequence([int(seed), index]).generate_state(1, np.uint32)[0])
                plan.append(VariantSpec(name, base, delta, eta, child))
    return plan


def iter_variants(
    plan: Iterable[VariantSpec] | None = None, **plan_options
) -> Iterator[tuple[VariantSpec, Atoms]]:
    """Yield ``(spec, atoms)`` for every variant of ``plan`` (default: ``variant_plan(**plan_options)``)."""
    if plan is None:
        plan = variant_plan(**plan_options)
    elif plan_options:
        raise ValueError("give either an explicit plan or plan options, not both")
    for spec in plan:
        yield spec, spec.build()
