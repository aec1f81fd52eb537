"""FePt-like nanoparticles with per-atom truth (ARISE Fig. 4): a faceted fcc particle whose core holds
tetragonally distorted L1_0 domains of several orientations and L1_2 (Fe3Pt / FePt3) regions inside a
chemically disordered (A1) shell; and an annealing series in which order grows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from ase import Atoms

from arisekit.samples import _fept_chemistry as chem
from arisekit.samples._particle_shape import WULFF_RATIO, faceted_particle
from arisekit.samples.defects import check_fraction

#: Default core regions: four L1_0 domains and one region of each L1_2 variant.
DEFAULT_REGIONS = ("L1_0", "L1_0", "L1_0", "L1_0", "Fe3Pt", "FePt3")
#: Default c/a of the L1_0 domains, in turn: pairs of domains differ by 2.1 % in tetragonality.
DEFAULT_C_OVER_A = (0.96, 0.98)
#: Default annealing schedule: long-range order S of the ordered regions and shell thickness (Å).
DEFAULT_ORDERS = (0.85, 0.92, 1.0)
DEFAULT_SHELLS = (6.0, 6.0, 6.0)
#: Atoms of two regions closer than this fraction of d_NN are thinned (the higher region id loses).
MIN_DISTANCE_FACTOR = 0.7
#: wall_distance is not searched beyond this (Å).
WALL_CAP = 40.0
#: Most sub-domains a region splits into (variants: L1_0 c axis and antiphase, L1_2 sublattice).
MAX_SUBDOMAINS = 4
#: Default variant domains per region over the annealing series (1: fixed geometry, only the order S
#: rises; e.g. (3, 2, 1) adds domain coarsening).
DEFAULT_SUBDOMAINS = (1, 1, 1)


@dataclass(frozen=True)
class ParticleTemplate:
    """Geometry shared by every step of a series: sites, region seeds and domain settings (Å).

    ``frac`` lattice coordinates (units of a); ``depth`` below the facets; ``seeds`` (n_regions, 3) region
    centres; ``centroids`` the centre of each region's Voronoi cell (anchor of its strain); ``kinds``,
    ``c_axes`` (-1 for cubic regions), ``c_over_a`` (1 for cubic regions), ``variants`` (antiphase / L1_2
    sublattice variant); ``u`` uniform per-site numbers that nest the disorder of a series. Each region
    can split into up to ``MAX_SUBDOMAINS`` sub-domains (early annealing): ``sub_seeds`` (n_regions,
    MAX_SUBDOMAINS, 3) Å, ``sub_axes`` and ``sub_variants`` their c axis and variant (entry 0 is the
    region's own).
    """

    a: float
    h100: float
    positions: np.ndarray
    frac: np.ndarray
    depth: np.ndarray
    nearest: np.ndarray
    seeds: np.ndarray
    centroids: np.ndarray
    kinds: tuple[str, ...]
    c_axes: np.ndarray
    c_over_a: np.ndarray
    variants: np.ndarray
    u: np.ndarray
    seed: int
    sub_seeds: np.ndarray
    sub_axes: np.ndarray
    sub_variants: np.ndarray


def particle_template(
    n_atoms: int = 23_000,
    seed: int = 0,
    *,
    lattice_constant: float = 3.8,
    regions: Sequence[str] = DEFAULT_REGIONS,
    c_axes: Sequence[int] | None = None,
    c_over_a: Sequence[float] | None = None,
    core_depth: float = 6.0,
) -> ParticleTemplate:
    """Draw the geometry of a particle: sites of a truncated octahedron of about ``n_atoms`` atoms
    (lattice constant in Å) and region seeds spread at depth ≥ ``core_depth`` Å (the widest-spaced of 200
    random draws, then Lloyd-relaxed to the centroids of their cells among the core sites). L1_0
    domains take ``c_axes`` (default cycling z, x, y) and ``c_over_a`` (default alternating 0.96, 0.98)
    in turn."""
    a = float(lattice_constant)
    kinds = tuple(str(k) for k in regions)
    bad = [k for k in kinds if k not in chem.KINDS[1:]]
    if not kinds or bad:
        raise ValueError(f"regions: each must be one of {chem.KINDS[1:]}, got {list(regions)}")
    n_l10 = kinds.count("L1_0")
    axes = list(c_axes) if c_axes is not None else [(2, 0, 1)[k % 3] for k in range(n_l10)]
    ratios = list(c_over_a) if c_over_a is not None else [DEFAULT_C_OVER_A[k % 2] for k in range(n_l10)]
    if len(axes) != n_l10 or len(ratios) != n_l10:
        raise ValueError(f"c_axes and c_over_a need one value per L1_0 domain ({n_l10})")
    if any(int(x) not in (0, 1, 2) for x in axes):
        raise ValueError(f"c_axes must be 0, 1 or 2 (x, y, z), got {axes}")
    if any(not 0.8 <= float(r) <= 1.2 for r in ratios):
        raise ValueError(f"c_over_a must lie in [0.8, 1.2], got {ratios}")
    rng = np.random.default_rng(seed)
    positions, frac, depth, h100 = faceted_particle(n_atoms, a)
    core = positions[depth >= core_depth]
    seeds = _relax(_draw_seeds(rng, core, len(kinds)), core)
    nearest = _nearest(positions, seeds)
    centroids = np.array([positions[nearest == k].mean(axis=0) for k in range(len(kinds))])
    c_ax, ca, it = np.full(len(kinds), -1), np.ones(len(kinds)), iter(zip(axes, ratios, strict=True))
    for k, kind in enumerate(kinds):
        if kind == "L1_0":
            c_ax[k], ca[k] = next(it)
    variants = np.array([rng.integers(0, 2 if k == "L1_0" else 4) for k in kinds], dtype=np.int64)
    u = rng.random(len(positions))
    sub_seeds = np.zeros((len(kinds), MAX_SUBDOMAINS, 3))
    sub_axes = np.full((len(kinds), MAX_SUBDOMAINS), -1, dtype=np.int64)
    sub_variants = np.zeros((len(kinds), MAX_SUBDOMAINS), dtype=np.int64)
    core_owner = _nearest(core, seeds)
    for k, kind in enumerate(kinds):
        mine = core[core_owner == k]
        sub_seeds[k] = _draw_seeds(rng, mine, MAX_SUBDOMAINS) if len(mine) >= MAX_SUBDOMAINS else seeds[k]
        sub_seeds[k, 0] = seeds[k]
        sub_axes[k] = rng.integers(0, 3, MAX_SUBDOMAINS) if kind == "L1_0" else -1
        sub_axes[k, 0] = c_ax[k]
        sub_variants[k] = rng.integers(0, 2 if kind == "L1_0" else 4, MAX_SUBDOMAINS)
        sub_variants[k, 0] = variants[k]
        for j in range(1, MAX_SUBDOMAINS):  # a sub-domain always differs from the region's own variant
            if sub_axes[k, j] == sub_axes[k, 0] and sub_variants[k, j] == sub_variants[k, 0]:
                sub_variants[k, j] = (sub_variants[k, 0] + 1) % (2 if kind == "L1_0" else 4)
    return ParticleTemplate(
        a,
        h100,
        positions,
        frac,
        depth,
        nearest,
        seeds,
        centroids,
        kinds,
        c_ax,
        ca,
        variants,
        u,
        int(seed),
        sub_seeds,
        sub_axes,
        sub_variants,
    )


def _nearest(positions: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    return cKDTree(seeds).query(positions)[1].astype(np.int64)


def _relax(seeds: np.ndarray, sites: np.ndarray, iterations: int = 4) -> np.ndarray:
    """Lloyd relaxation: move each seed to the centroid of its Voronoi cell among ``sites`` (Å), so that
    the regions become compact and of similar size."""
    seeds = seeds.copy()
    for _ in range(iterations):
        owner = _nearest(sites, seeds)
        for k in range(len(seeds)):
            if (owner == k).any():
                seeds[k] = sites[owner == k].mean(axis=0)
    return seeds


def _draw_seeds(rng: np.random.Generator, candidates: np.ndarray, n: int) -> np.ndarray:
    """``n`` points among ``candidates`` (Å) with the largest spacing a few thousand random tries find."""
    if len(candidates) < n:
        raise ValueError("n_atoms too small for the particle core to hold the requested regions")
    best, best_gap = None, -1.0
    for _ in range(200):
        pick = candidates[rng.choice(len(candidates), size=n, replace=False)]
        gap = np.inf if n == 1 else min(np.linalg.norm(pick[i] - pick[j]) for i in range(n) for j in range(i))
        if gap > best_gap:
            best, best_gap = pick, gap
    return np.asarray(best)


@dataclass(frozen=True)
class ParticleState:
    """The annealing state of a :func:`fept_nanoparticle` on its :class:`ParticleTemplate` (frozen,
    validated on creation).

    Parameters
    ----------
    order : float
        Long-range order S of the ordered regions, in [0, 1]: a fraction ``1 - order`` of their atoms
        exchange species at random.
    shell_thickness : float
        Thickness (Å, ≥ 0) of the chemically disordered (A1) shell below the facets.
    shell_pt_fraction : float
        Pt fraction of the shell, in [0, 1].
    subdomains : int
        Domains per region, 1 .. ``MAX_SUBDOMAINS`` (4).
    step : int
        Index of the annealing step (recorded; also seeds the species exchanges).
    """

    order: float = 1.0
    shell_thickness: float = 6.0
    shell_pt_fraction: float = 0.5
    subdomains: int = 1
    step: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", check_fraction(self.order, "order", 1.0 + 1e-12))
        pt = check_fraction(self.shell_pt_fraction, "shell_pt_fraction", 1.0 + 1e-12)
        object.__setattr__(self, "shell_pt_fraction", pt)
        if not np.isfinite(self.shell_thickness) or self.shell_thickness < 0:
            raise ValueError(f"shell_thickness must be a length in Å >= 0, got {self.shell_thickness}")
        if not 1 <= int(self.subdomains) <= MAX_SUBDOMAINS:
            raise ValueError(f"subdomains must be 1 .. {MAX_SUBDOMAINS}, got {self.subdomains}")


_STATE_FIELDS = frozenset(f.name for f in fields(ParticleState))


def fept_nanoparticle(
    n_atoms: int = 23_000,
    seed: int = 0,
    *,
    state: ParticleState | None = None,
    template: ParticleTemplate | None = None,
    **overrides: Any,
) -> Atoms:
    """FePt-like faceted nanoparticle with per-atom truth (no measurement errors: see
    :func:`arisekit.samples.aet_errors`).

    Sites of a truncated octahedron ({100} and {111} facets, h_111 / h_100 = 0.87) on an fcc lattice
    (``lattice_constant``, default 3.8 Å; d_NN = a / sqrt(2)). Atoms deeper than ``shell_thickness`` Å
    belong to the core regions (Voronoi cells of the seeds): L1_0 FePt domains with their c axis along x,
    y or z and a volume-conserving tetragonal distortion (c' = a (c/a)^(2/3), a' = a (c/a)^(-1/3) about the
    cell's centroid; walls between domains are incoherent, atom pairs closer than 0.7 d_NN are thinned) and
    L1_2 Fe3Pt / FePt3 regions (cubic). The shell is chemically disordered fcc (A1) with the Pt fraction
    ``shell_pt_fraction``. In the ordered regions a fraction ``1 - order`` of the atoms (chosen by the
    template's per-site numbers) exchange species at random: ``order`` is the long-range order S. With
    ``subdomains`` = m > 1 every region is split (Voronoi cells of its first m sub-seeds) into m domains of
    other variants: antiphase and c-axis variants of L1_0 (same c/a), sublattice variants of L1_2 — the
    polydomain state of an early annealing step, whose walls coarsen away as m falls to 1.

    Parameters
    ----------
    n_atoms : int
        Target atom count before thinning (the particle is the smallest truncated octahedron holding it).
    seed : int
        Seed of the template (geometry, variants) and of the species exchanges.
    state : ParticleState, optional
        Order S, shell thickness and Pt fraction, sub-domains per region, annealing step.
    template : ParticleTemplate, optional
        Geometry from :func:`particle_template` (series share one).
    **overrides
        Fields of :class:`ParticleState` by keyword (``order=0.9, step=1``), applied on top of ``state``;
        the other keywords go to :func:`particle_template` (without ``template``).

    Returns
    -------
    ase.Atoms
        Open particle (pbc False; cell = bounding cube, positions in Å centred at the origin). Per-atom
        arrays: ``class_label`` (index into ``info["class_names"]`` = fcc, L1_0, L1_2), ``region_id`` (0 =
        disordered shell, k ≥ 1 = core domain k, kind ``info["region_kinds"][k]``), ``c_axis`` (0/1/2, −1 for
        cubic), ``c_over_a`` (1 for cubic), ``wall_distance`` (Å to the nearest atom of another region,
        capped at 40 Å), ``depth`` (Å below the facets), ``ordered`` (species is the ideal one of its
        ordered region), ``true_numbers``. ``info`` (per domain id): ``region_kinds``, ``region_parent``
        (template region, −1 for the shell), ``region_c_axis``, ``region_c_over_a``, ``region_centers``
        (Å, strain anchors), ``region_variants``; and ``order`` (requested S), ``subdomains``, ``lro``
        (measured S), ``ordered_fraction`` (atoms in ordered regions), ``order_parameter`` (lro ×
        ordered_fraction), ``shell_thickness``, ``lattice_constant``, ``d_nn``, ``h100``, ``seed``, ``step``.
    """
    state_kw = {k: overrides.pop(k) for k in list(overrides) if k in _STATE_FIELDS}
    st = ParticleState() if state is None else state
    if not isinstance(st, ParticleState):
        raise TypeError(f"state: expected a ParticleState, got {type(st).__name__}")
    st = replace(st, **state_kw) if state_kw else st
    order, shell_thickness, pt, step = st.order, st.shell_thickness, st.shell_pt_fraction, st.step
    t = template if template is not None else particle_template(n_atoms, seed, **overrides)
    m = int(st.subdomains)
    rng = np.random.default_rng([t.seed, int(step), 1])
    parent = np.where(t.depth >= shell_thickness, t.nearest, -1)
    region = np.zeros(len(parent), dtype=np.int64)
    domains = [(-1, 0)]  # (template region, sub-domain) of every domain id; 0 = shell
    for k in range(len(t.kinds)):
        idx = np.flatnonzero(parent == k)
        sub = _nearest(t.positions[idx], t.sub_seeds[k, :m]) if m > 1 else np.zeros(len(idx), np.int64)
        for j in range(m):
            if (sub == j).any():
                region[idx[sub == j]] = len(domains)
                domains.append((k, j))
    kinds = ["A1"] + [t.kinds[k] for k, _ in domains[1:]]
    axes = np.array([-1] + [t.sub_axes[k, j] for k, j in domains[1:]], dtype=np.int64)
    ratios = np.array([1.0] + [t.c_over_a[k] for k, _ in domains[1:]])
    variants = np.array([-1] + [t.sub_variants[k, j] for k, j in domains[1:]], dtype=np.int64)
    centers = np.zeros((len(domains), 3))
    numbers = np.zeros(len(region), dtype=np.int64)
    ideal = np.zeros(len(region), dtype=np.int64)
    positions = t.positions.copy()
    for d in range(1, len(domains)):
        sel = region == d
        centers[d] = positions[sel].mean(axis=0)
        ideal[sel] = chem.ideal_species(t.frac[sel], kinds[d], axes[d], variants[d])
        if kinds[d] == "L1_0":
            scale = np.full(3, ratios[d] ** (-1.0 / 3.0))
            scale[axes[d]] = ratios[d] ** (2.0 / 3.0)
            positions[sel] = centers[d] + (positions[sel] - centers[d]) * scale
    numbers[region > 0] = ideal[region > 0]
    numbers[region == 0] = chem.random_alloy(int((region == 0).sum()), pt, rng)
    numbers = chem.disorder(numbers, region, t.u, order, rng)
    keep = _thin(positions, region, MIN_DISTANCE_FACTOR * t.a / np.sqrt(2.0))
    positions, region, numbers, ideal = positions[keep], region[keep], numbers[keep], ideal[keep]
    kind_of = np.array(kinds)[region]
    class_label = np.array([chem.CLASS_NAMES.index(chem.KIND_CLASS[k]) for k in kind_of], dtype=np.int64)
    ordered = (region > 0) & (numbers == ideal)
    half = float(np.abs(positions).max()) + t.a
    atoms = Atoms(numbers=numbers, positions=positions, cell=np.diag([2 * half] * 3), pbc=False)
    atoms.arrays["class_label"] = class_label
    atoms.arrays["region_id"] = region
    atoms.arrays["c_axis"] = axes[region]
    atoms.arrays["c_over_a"] = ratios[region]
    atoms.arrays["wall_distance"] = wall_distance(positions, region)
    atoms.arrays["depth"] = t.depth[keep]
    atoms.arrays["ordered"] = ordered
    atoms.arrays["true_numbers"] = numbers.copy()
    in_ordered = region > 0
    f_rand = np.array([chem.random_fraction(k) for k in kind_of[in_ordered]])
    lro = chem.long_range_order(ordered[in_ordered], f_rand)
    frac_ordered = float(in_ordered.mean())
    atoms.info.update(
        sample="fept_nanoparticle",
        class_names=list(chem.CLASS_NAMES),
        region_kinds=kinds,
        region_parent=np.array([k for k, _ in domains], dtype=np.int64),
        region_c_axis=axes,
        region_c_over_a=ratios,
        region_centers=centers,
        region_variants=variants,
        order=order,
        subdomains=m,
        lro=lro,
        ordered_fraction=frac_ordered,
        order_parameter=lro * frac_ordered if np.isfinite(lro) else 0.0,
        shell_thickness=float(shell_thickness),
        shell_pt_fraction=pt,
        lattice_constant=t.a,
        d_nn=t.a / np.sqrt(2.0),
        h100=t.h100,
        wulff_ratio=WULFF_RATIO,
        seed=t.seed,
        step=int(step),
    )
    return atoms


def _thin(positions: np.ndarray, region: np.ndarray, cutoff: float) -> np.ndarray:
    """Mask of atoms kept after dropping, region by region in increasing id, atoms closer than ``cutoff``
    (Å) to a kept atom of a lower region id."""
    from arisekit.geometry import neighbor_list

    keep = np.ones(len(positions), dtype=bool)
    nl = neighbor_list(positions, cutoff)
    cross = region[nl.i] > region[nl.j]
    i, j = nl.i[cross], nl.j[cross]
    for r in np.unique(region[i]):
        sel = region[i] == r
        keep[i[sel][keep[j[sel]]]] = False
    return keep


def wall_distance(positions: np.ndarray, region: np.ndarray, cap: float = WALL_CAP) -> np.ndarray:
    """Distance (Å) of every atom to the nearest atom of another region, at most ``cap``."""
    from scipy.spatial import cKDTree

    out = np.full(len(positions), float(cap))
    for r in np.unique(region):
        mine, other = region == r, region != r
        if other.any():
            d, _ = cKDTree(positions[other]).query(positions[mine], distance_upper_bound=cap)
            out[mine] = np.minimum(d, cap)
    return out


def annealing_series(
    n_atoms: int = 23_000,
    seed: int = 0,
    *,
    orders: Sequence[float] = DEFAULT_ORDERS,
    shells: Sequence[float] = DEFAULT_SHELLS,
    subdomains: Sequence[int] = DEFAULT_SUBDOMAINS,
    shell_pt_fraction: float = 0.5,
    **template_kw,
) -> list[Atoms]:
    """The same particle at increasing annealing times (a seeded order-parameter schedule, not a
    simulation). Step k has long-range order ``orders[k]`` in its ordered regions, each region split into
    ``subdomains[k]`` variant domains (coarsening to one), and a disordered shell ``shells[k]`` Å thick
    (a thinning shell lets ordered regions grow outward). Sites, seeds, variants and distortions are
    shared; the atoms disordered at step k are a subset of those of step k−1 (nested by the template's
    per-site numbers). Defaults: S = 0.85, 0.92, 1.0 in one fixed geometry (one domain per region, a 6 Å
    shell).
    ``template_kw`` go to :func:`particle_template`."""
    orders, shells = [float(x) for x in orders], [float(x) for x in shells]
    subs = [int(x) for x in subdomains]
    if not orders or len(orders) != len(shells) or len(orders) != len(subs):
        raise ValueError(
            f"orders ({len(orders)}), shells ({len(shells)}) and subdomains ({len(subs)}) need one value "
            "per step"
        )
    if any(b < a for a, b in zip(orders, orders[1:], strict=False)):
        raise ValueError(f"orders must not decrease over the series, got {orders}")
    if any(b > a for a, b in zip(shells, shells[1:], strict=False)):
        raise ValueError(f"shells must not grow over the series, got {shells}")
    if any(b > a for a, b in zip(subs, subs[1:], strict=False)):
        raise ValueError(f"subdomains must not grow over the series (domains coarsen), got {subs}")
    template_kw.setdefault("core_depth", max(shells) + 4.0)
    template = particle_template(n_atoms, seed, **template_kw)
    return [
        fept_nanoparticle(
            order=s,
            shell_thickness=h,
            shell_pt_fraction=shell_pt_fraction,
            subdomains=m,
            template=template,
            step=k,
        )
        for k, (s, h, m) in enumerate(zip(orders, shells, subs, strict=True))
    ]
