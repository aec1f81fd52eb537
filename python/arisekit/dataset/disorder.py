"""Training rows for thermal and chemical disorder and for the "disordered" class.

Complements the paper's plan (:mod:`arisekit.dataset.plan`: uniform displacements, missing atoms):

* **thermal**: every library class with Gaussian displacements (independent per atom) and with spatially
  correlated ones (white noise averaged over each atom's neighbourhood, as acoustic phonons move
  neighbours together), σ = 1-6 % of d_NN per Cartesian component (the Lindemann ratio at melting is
  ~10-15 % for the 3D RMS displacement);
* **solid solutions**: fcc, bcc, hcp and diamond lattices with 1-30 % of the sites given a second species at
  random, cold and hot, labelled by their lattice (the ordered L1₂, L1₀, B2 ... are library classes);
* **antisites**: the ordered binary intermetallics (L1₀, L1₂, B2, D0₂₂, D0₁₉) with 1-5 % of their sites on
  the wrong sublattice (pairs swapped, or species flipped as atom-probe / tomography mislabelling does), cold
  and hot, labelled by their class; L1₀ also at conventional c/a 0.90-1.0 (its prototype has 0.927), as
  FePt-like L1₀ (c/a 0.96-0.98) is;
* **MD**: thermal crystals (labelled by lattice), liquids and glasses (labelled "disordered") of the
  training potentials (:mod:`arisekit.dataset.md_training`), as whole periodic frames and as open clusters
  cut from them; the liquids also with a random second species;
* **gases**: uniform random points (Poisson, and with a hard core), periodic and open: "disordered".

Every structure is drawn from a seeded generator keyed by its row, so a rebuild is identical.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from arisekit.model.uncertainty import DISORDERED_CLASS

#: Thermal displacement levels σ (fraction of d_NN, per Cartesian component).
THERMAL_SIGMAS: tuple[float, ...] = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06)
#: Fractions of lattice sites given a second species in the solid-solution rows.
SUBSTITUTION_FRACTIONS: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2, 0.3)
#: Lattices of the solid-solution rows (library class names).
SOLID_SOLUTION_LATTICES: tuple[str, ...] = ("fcc", "bcc", "hcp", "diamond")
#: Thermal noise (σ, fraction of d_NN) added to the solid solutions.
SOLID_SOLUTION_SIGMAS: tuple[float, ...] = (0.0, 0.02, 0.04)
#: Ordered binary classes of the antisite rows, the fractions of their sites put on the wrong sublattice,
#: and the thermal noise (σ, fraction of d_NN) added. (Up to 10 % and 7 % lifted L1₂ in tomography-like
#: data from 89 to 100 %, but the models trained so (v5-v8) regressed elsewhere: models/README.md.)
ANTISITE_CLASSES: tuple[str, ...] = ("L1_0", "L1_2", "CsCl", "D0_22", "D0_19")
ANTISITE_FRACTIONS: tuple[float, ...] = (0.01, 0.03, 0.05)
ANTISITE_SIGMAS: tuple[float, ...] = (0.0, 0.02, 0.04)
#: Conventional c/a of the tetragonal L1₀ rows.
L10_C_OVER_A: tuple[float, ...] = (0.90, 0.94, 0.96, 0.98, 1.0)
#: Open clusters cut from each MD frame, and their atom-count range.
CLUSTERS_PER_FRAME = 6
CLUSTER_ATOMS: tuple[int, int] = (80, 250)


@dataclass(frozen=True)
class Row:
    """A training structure: ``atoms`` labelled ``label`` (a class name); ``variant`` says how it was made."""

    atoms: Atoms
    label: str
    variant: str


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32("|".join(map(str, key)).encode())])


def _check_sigma(sigma: float, d_nn: float) -> None:
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a non-negative fraction of d_NN, got {sigma}")
    if not (np.isfinite(d_nn) and d_nn > 0):
        raise ValueError(f"d_nn must be a positive length in Å, got {d_nn}")


def gaussian_displacements(atoms: Atoms, sigma: float, rng: np.random.Generator, d_nn: float) -> Atoms:
    """Copy of ``atoms`` with independent Gaussian displacements of ``sigma`` · ``d_nn`` Å per component."""
    _check_sigma(sigma, d_nn)
    out = atoms.copy()
    out.positions += rng.normal(0.0, sigma * d_nn, out.positions.shape)
    return out


def correlated_displacements(
    atoms: Atoms, sigma: float, rng: np.random.Generator, d_nn: float, length: float = 1.2
) -> Atoms:
    """Copy of ``atoms`` with spatially correlated Gaussian displacements: white noise averaged over every
    atom's neighbours within ``length`` · ``d_nn`` (itself included), rescaled to an RMS of ``sigma`` ·
    ``d_nn`` Å per component."""
    from arisekit.geometry import neighbor_list

    _check_sigma(sigma, d_nn)
    noise = rng.normal(0.0, 1.0, (len(atoms), 3))
    nl = neighbor_list(atoms, length * d_nn)
    total = noise.copy()
    np.add.at(total, np.asarray(nl.i), noise[np.asarray(nl.j)])
    total -= total.mean(axis=0)
    rms = np.sqrt(np.mean(total**2))
    out = atoms.copy()
    out.positions += total * (sigma * d_nn / rms if rms > 0 else 0.0)
    return out


def substitute(atoms: Atoms, fraction: float, rng: np.random.Generator, species: str = "Au") -> Atoms:
    """Copy of ``atoms`` with a ``fraction`` of the sites (at least one) given ``species`` at random."""
    if not (np.isfinite(fraction) and 0.0 < fraction <= 1.0):
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    out = atoms.copy()
    n = max(1, int(round(fraction * len(out))))
    numbers = out.get_atomic_numbers()
    from ase.data import atomic_numbers

    numbers[rng.choice(len(out), n, replace=False)] = atomic_numbers[species]
    out.set_atomic_numbers(numbers)
    return out


def random_gas(n_atoms: int, rng: np.random.Generator, *, periodic: bool, hard_core: float = 0.0) -> Atoms:
    """``n_atoms`` uniform random points at one atom per Å³·(2.5³/√2) (a metal's density), in a periodic
    cube or an open sphere; with ``hard_core`` > 0 (Å) no two points are closer (random sequential
    addition)."""
    if int(n_atoms) < 1 or not (np.isfinite(hard_core) and hard_core >= 0):
        raise ValueError(f"random_gas: need n_atoms >= 1 and hard_core >= 0 Å, got {n_atoms}, {hard_core}")
    volume = n_atoms * 2.5**3 / np.sqrt(2.0)
    if periodic:
        side = volume ** (1.0 / 3.0)
        draw = lambda: rng.uniform(0.0, side, 3)  # noqa: E731
    else:
        radius = (3.0 * volume / (4.0 * np.pi)) ** (1.0 / 3.0)

        def draw():
            while True:
                p = rng.uniform(-radius, radius, 3)
                if p @ p <= radius**2:
                    return p

    points: list[np.ndarray] = []
    attempts = 0
    while len(points) < n_atoms:
        attempts += 1
        if attempts > 1000 * n_atoms:
            raise ValueError(f"random_gas: a hard core of {hard_core} Å is too large for this density")
        p = draw()
        if hard_core > 0 and points:
            delta = np.asarray(points) - p
            if periodic:
                delta -= side * np.round(delta / side)
            if np.min(np.einsum("ij,ij->i", delta, delta)) < hard_core**2:
                continue
        points.append(p)
    if periodic:
        return Atoms("Cu" * n_atoms, positions=np.asarray(points), cell=[side] * 3, pbc=True)
    return Atoms("Cu" * n_atoms, positions=np.asarray(points))


def cut_cluster(frame: Atoms, centre: int, n_atoms: int) -> Atoms:
    """Open cluster of the ``n_atoms`` atoms of a periodic ``frame`` nearest to atom ``centre`` (minimum
    images), centred on it."""
    from ase.geometry import find_mic

    vectors = frame.positions - frame.positions[centre]
    vectors, lengths = find_mic(vectors, frame.cell, frame.pbc)
    keep = np.argsort(lengths, kind="stable")[:n_atoms]
    return Atoms(numbers=frame.numbers[keep], positions=vectors[keep])


def thermal_rows(class_names) -> Iterator[Row]:
    """Gaussian and correlated displacements of every class at every :data:`THERMAL_SIGMAS` level, on the
    middle periodic supercell (open supercell for nanotubes) and on the smallest open supercell."""
    from arisekit import prototypes
    from arisekit.dataset.structures import structure_kinds
    from arisekit.geometry import nearest_neighbor_distance

    for name in class_names:
        kinds = structure_kinds(name)
        cells = prototypes.supercells(name)
        chosen = [k for k in ("periodic_supercell1", "supercell0") if k in kinds] or [kinds[0]]
        for kind in chosen:
            atoms = cells[int(kind[-1])]
            if kind.startswith("periodic_"):
                atoms.pbc = prototypes.build(name).pbc
            d_nn = nearest_neighbor_distance(atoms)
            for sigma in THERMAL_SIGMAS:
                rng = _rng("thermal", name, kind, sigma)
                yield Row(gaussian_displacements(atoms, sigma, rng, d_nn), name, f"thermal_{sigma:g}")
                yield Row(correlated_displacements(atoms, sigma, rng, d_nn), name, f"correlated_{sigma:g}")


def solid_solution_rows(
    realizations: int = 3, lattices: Sequence[str] = SOLID_SOLUTION_LATTICES
) -> Iterator[Row]:
    """Random substitutional alloys on ``lattices`` (library class names), labelled by their lattice."""
    from arisekit import prototypes
    from arisekit.geometry import nearest_neighbor_distance

    for name in lattices:
        cells = [*prototypes.supercells(name)[:2], _conventional_supercell(name)]
        for k, atoms in enumerate(cells):
            for periodic in (True, False):
                base = atoms.copy()
                base.pbc = periodic
                d_nn = nearest_neighbor_distance(base)
                for fraction in SUBSTITUTION_FRACTIONS:
                    for sigma in SOLID_SOLUTION_SIGMAS:
                        for r in range(realizations):
                            rng = _rng("solid", name, k, periodic, fraction, sigma, r)
                            s = substitute(base, fraction, rng)
                            if sigma:
                                s = gaussian_displacements(s, sigma, rng, d_nn)
                            yield Row(s, name, f"solid_solution_{fraction:g}_{sigma:g}")


def antisites(atoms: Atoms, fraction: float, rng: np.random.Generator, *, swap: bool = True) -> Atoms:
    """Copy of a binary ``atoms`` with a ``fraction`` of its sites (at least one) given the other species:
    ``swap=True`` exchanges pairs of unlike atoms (composition kept, antisite defects); ``swap=False`` flips
    single sites (as species mislabelled in tomography or atom-probe data)."""
    if not (np.isfinite(fraction) and 0.0 < fraction <= 1.0):
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    numbers = atoms.get_atomic_numbers()
    kinds = np.unique(numbers)
    if len(kinds) != 2:
        raise ValueError(f"antisites need a binary structure, got species {kinds.tolist()}")
    out = atoms.copy()
    new = numbers.copy()
    if swap:
        a, b = (rng.permutation(np.flatnonzero(numbers == z)) for z in kinds)
        n = min(max(1, int(round(fraction * len(numbers) / 2))), len(a), len(b))
        new[a[:n]], new[b[:n]] = kinds[1], kinds[0]
    else:
        sites = rng.choice(len(numbers), max(1, int(round(fraction * len(numbers)))), replace=False)
        new[sites] = np.where(numbers[sites] == kinds[0], kinds[1], kinds[0])
    out.set_atomic_numbers(new)
    return out


def tetragonal(atoms: Atoms, c_over_a: float, reference: float) -> Atoms:
    """Copy of ``atoms`` strained along z at constant volume from c/a = ``reference`` to ``c_over_a``
    (c' = c·r^(2/3), a' = a·r^(-1/3), r = c_over_a / reference); positions and cell."""
    if not (np.isfinite(c_over_a) and c_over_a > 0 and np.isfinite(reference) and reference > 0):
        raise ValueError(f"c/a must be positive, got {c_over_a} (reference {reference})")
    r = c_over_a / reference
    strain = np.diag([r ** (-1.0 / 3.0), r ** (-1.0 / 3.0), r ** (2.0 / 3.0)])
    out = atoms.copy()
    out.set_cell(np.asarray(atoms.cell) @ strain, scale_atoms=False)
    out.positions = atoms.positions @ strain
    return out


def _ordered_cells(name: str) -> list[tuple[Atoms, str]]:
    """The middle periodic supercell and the smallest open supercell of class ``name``."""
    from arisekit import prototypes

    cells = prototypes.supercells(name)
    periodic = cells[1].copy()
    periodic.pbc = prototypes.build(name).pbc
    return [(periodic, "periodic"), (cells[0], "open")]


def antisite_rows(classes: Sequence[str] = ANTISITE_CLASSES, realizations: int = 2) -> Iterator[Row]:
    """Ordered binary classes with :data:`ANTISITE_FRACTIONS` of their sites on the wrong sublattice (pairs
    swapped and single sites flipped), with :data:`ANTISITE_SIGMAS` Gaussian noise, labelled by class."""
    from arisekit.geometry import nearest_neighbor_distance

    for name in classes:
        for atoms, kind in _ordered_cells(name):
            d_nn = nearest_neighbor_distance(atoms)
            for fraction in ANTISITE_FRACTIONS:
                for sigma in ANTISITE_SIGMAS:
                    for swap in (True, False):
                        for r in range(realizations):
                            rng = _rng("antisite", name, kind, fraction, sigma, swap, r)
                            s = antisites(atoms, fraction, rng, swap=swap)
                            if sigma:
                                s = gaussian_displacements(s, sigma, rng, d_nn)
                            how = "swap" if swap else "flip"
                            yield Row(s, name, f"antisite_{how}_{fraction:g}_{sigma:g}")


def tetragonal_l10_rows(realizations: int = 2) -> Iterator[Row]:
    """L1₀ at conventional c/a :data:`L10_C_OVER_A` (volume kept), with 0 or 3 % flipped sites and 0-4 %
    Gaussian noise, labelled L1₀."""
    from arisekit import prototypes
    from arisekit.geometry import nearest_neighbor_distance

    cell = prototypes.build("L1_0").cell.cellpar()
    reference = cell[2] / (cell[0] * np.sqrt(2.0))  # primitive a = conventional a / √2
    for base, kind in _ordered_cells("L1_0"):
        for ratio in L10_C_OVER_A:
            atoms = tetragonal(base, ratio, reference)
            d_nn = nearest_neighbor_distance(atoms)
            for flipped in (0.0, 0.03):
                for sigma in ANTISITE_SIGMAS:
                    for r in range(realizations):
                        rng = _rng("tetragonal", kind, ratio, flipped, sigma, r)
                        s = antisites(atoms, flipped, rng, swap=False) if flipped else atoms.copy()
                        if sigma:
                            s = gaussian_displacements(s, sigma, rng, d_nn)
                        yield Row(s, "L1_0", f"tetragonal_{ratio:g}_{flipped:g}_{sigma:g}")


def _conventional_supercell(name: str) -> Atoms:
    """Conventional (cubic; hcp: orthohexagonal) cell of an elemental lattice repeated to 100-256 atoms, with
    a lone substituted atom its images form a simple-cubic-like superlattice (as the minority of L1₂ does)."""
    from ase.build import bulk

    if name == "hcp":
        cell = bulk("Cu", "hcp", a=2.5, c=2.5 * np.sqrt(8.0 / 3.0), orthorhombic=True)
    else:
        a = {"fcc": 2.5 * np.sqrt(2.0), "bcc": 2.5 * 2.0 / np.sqrt(3.0), "diamond": 2.5 * 4.0 / np.sqrt(3.0)}[
            name
        ]
        cell = bulk("Cu", name, a=a, cubic=True)
    k = 1
    while len(cell) * k**3 < 100:
        k += 1
    return cell * (k, k, k)


#: Lattices of the grain-boundary rows, and the share of one grain above which a cluster takes its label.
BOUNDARY_LATTICES: tuple[str, ...] = ("fcc", "bcc", "hcp", "diamond")
BOUNDARY_MAJORITY = 0.8


def boundary_rows(samples: int = 24, clusters: int = 8, slab_samples: int = 0) -> Iterator[Row]:
    """Open clusters cut from random two-grain bicrystals (Voronoi, random orientations): ``samples`` 3D
    bicrystals (~4,000 atoms), clusters across the boundary, and ``slab_samples`` thin films with columnar
    grains (10-20 Å thick, as thin-film, STEM and slab-polycrystal samples are), every second cluster from
    a grain interior so that the film's free surfaces are not taken for a boundary. A cluster is labelled
    by its lattice when both grains share it or one grain holds at least :data:`BOUNDARY_MAJORITY` of its
    atoms, else "disordered" (a mixture of two crystals is no one crystal, as PTM calls grain-boundary
    atoms "Other"). ``slab_samples`` is 0 in the shipped model's recipe: the models trained with film
    rows (v7, v8; models/README.md) read the grain interiors of slab polycrystals with raised MI."""
    for r in range(samples):
        yield from _boundary_clusters(_rng("boundary", r), "bulk", clusters)
    for r in range(slab_samples):
        yield from _boundary_clusters(_rng("boundary-slab", r), "slab", clusters)


def _boundary_clusters(rng: np.random.Generator, geometry: str, clusters: int) -> Iterator[Row]:
    from arisekit.samples import polycrystal

    pair = [str(x) for x in rng.choice(BOUNDARY_LATTICES, 2)]
    size = (36.0, 36.0, 36.0) if geometry == "bulk" else (40.0, 40.0, float(rng.uniform(10.0, 20.0)))
    sample = polycrystal(pair, size, geometry=geometry, seed=int(rng.integers(1 << 30)), species="Cu")
    lattice = np.asarray(sample.info["class_names"])[sample.arrays["class_label"]]
    near = np.flatnonzero(sample.arrays["boundary_distance"] < 3.0)
    inside = np.array([], dtype=np.int64)
    if geometry == "bulk":
        near = near[sample.arrays["surface_distance"][near] > 12.0]
    else:  # through the film's thickness, away from its lateral edges
        xy = sample.positions[:, :2]
        lateral = np.all((xy > 12.0) & (xy < np.asarray(size[:2]) - 12.0), axis=1)
        near = near[lateral[near]]
        # as many clusters from grain interiors: a film's free surfaces must not read as a boundary
        inside = np.flatnonzero(lateral & (sample.arrays["boundary_distance"] > 8.0))
    if len(near) == 0:
        return
    for k in range(clusters):
        n = int(rng.integers(*CLUSTER_ATOMS))
        centre = int(rng.choice(inside if k % 2 == 1 and len(inside) else near))
        order = np.argsort(np.linalg.norm(sample.positions - sample.positions[centre], axis=1))[:n]
        names, counts = np.unique(lattice[order], return_counts=True)
        label = str(names[np.argmax(counts)])
        if len(names) > 1 and counts.max() < BOUNDARY_MAJORITY * n:
            label = DISORDERED_CLASS
        cluster = Atoms(
            numbers=sample.numbers[order], positions=sample.positions[order] - sample.positions[centre]
        )
        yield Row(cluster, label, "boundary_mixed" if label == DISORDERED_CLASS else "boundary_grain")


def md_rows(frames) -> Iterator[Row]:
    """Rows of MD :class:`~arisekit.dataset.md_training.TrainingFrame` s: the whole periodic frame and
    :data:`CLUSTERS_PER_FRAME` open clusters; liquids and glasses also with 30 % of a second species."""
    for index, frame in enumerate(frames):
        rng = _rng("md", frame.element, frame.kind, round(frame.T), index)
        variants = [(frame.atoms, "")]
        if frame.label == DISORDERED_CLASS:
            variants.append((substitute(frame.atoms, 0.3, rng, "Al"), "_binary"))
        for atoms, suffix in variants:
            tag = f"md_{frame.kind}{suffix}"
            yield Row(atoms, frame.label, tag)
            for _ in range(CLUSTERS_PER_FRAME):
                n = int(rng.integers(*CLUSTER_ATOMS))
                yield Row(cut_cluster(atoms, int(rng.integers(len(atoms))), n), frame.label, tag + "_cluster")


def gas_rows(count: int = 30) -> Iterator[Row]:
    """Random gases labelled "disordered": Poisson and hard-core (1.6 Å), periodic and open, 60-250 atoms."""
    for periodic in (True, False):
        for hard_core in (0.0, 1.6):
            for r in range(count):
                rng = _rng("gas", periodic, hard_core, r)
                atoms = random_gas(int(rng.integers(60, 250)), rng, periodic=periodic, hard_core=hard_core)
                yield Row(atoms, DISORDERED_CLASS, "gas_hard_core" if hard_core else "gas_poisson")
