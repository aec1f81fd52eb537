"""Per-atom SOAP with the ARISE settings: arisekit vs quippy vs dscribe, timed in the same run.

Systems: a periodic fcc crystal (Cu, a = 3.61 Å) and a 16 Å open box cut from it. Settings: n_max 9,
l_max 6, cutoff 4 d_NN, atom_sigma 0.1 d_NN (in Å, d_NN = a / sqrt 2). Prints ms/atom, ratios and the
max |arisekit - quippy| (targets: >= 200x faster than quippy, >= 5x faster than dscribe), as wall time
with --threads threads (dscribe: n_jobs) and as single-thread CPU time (robust when other jobs load the
machine); then the ARISE descriptor of the box (cpp vs quippy backend).
Usage: python benchmarks/soap.py [--size 5] [--box 16] [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
from _common import best_of, machine
from ase.build import bulk

from arisekit.descriptors import Soap, arise_soap


def cut_box(crystal, edge: float):
    """Atoms of ``crystal`` inside a cube of ``edge`` Å at its centre, as an open (non-periodic) structure."""
    centre = crystal.get_cell().sum(axis=0) / 2
    inside = np.all(np.abs(crystal.positions - centre) <= edge / 2, axis=1)
    box = crystal[inside]
    box.pbc = False
    box.cell = np.zeros((3, 3))
    return box


def time_once(fn) -> tuple[float, float, object]:
    """Wall and CPU (this process, all threads) seconds of one call, and its result."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def cpu_best_of(fn, repeat: int) -> float:
    """Best CPU time (s, this process) of ``repeat`` calls: insensitive to other load on the machine."""
    return min(time_once(fn)[1] for _ in range(repeat))


def compare(name: str, atoms, params: dict, args) -> None:
    n = len(atoms)
    print(f"\n{name}: {n} atoms, pbc={[bool(p) for p in atoms.pbc]}")
    calc = Soap(**params)  # radial tables: built once per parameter set (timed separately below)
    t_tables = time_once(lambda: Soap(**params))[0]
    ours = calc.compute(atoms, n_threads=args.threads)
    wall = {"arisekit": best_of(lambda: calc.compute(atoms, n_threads=args.threads), args.repeat)}
    cpu = {"arisekit": cpu_best_of(lambda: calc.compute(atoms, n_threads=1), args.repeat)}
    errors = {}
    if importlib.util.find_spec("quippy"):
        from arisekit.descriptors import quippy_soap

        wall["quippy"], cpu["quippy"], ref = time_once(lambda: quippy_soap(atoms, **params))
        errors["quippy"] = float(np.abs(ours - ref).max())
    if importlib.util.find_spec("dscribe"):
        from dscribe.descriptors import SOAP

        ds = SOAP(
            species=sorted(set(atoms.get_chemical_symbols())),
            r_cut=params["cutoff"],
            n_max=params["n_max"],
            l_max=params["l_max"],
            sigma=params["atom_sigma"],
            periodic=bool(atoms.pbc.any()),
        )
        ds.create(atoms, n_jobs=1)  # warm-up
        rep = max(1, args.repeat - 1)
        wall["dscribe"] = best_of(lambda: ds.create(atoms, n_jobs=args.threads), rep)
        cpu["dscribe"] = cpu_best_of(lambda: ds.create(atoms, n_jobs=1), rep)
    print(f"  (arisekit radial tables: {t_tables * 1e3:.2f} ms once per parameter set, not included)")
    print(f"  {'':>10s}  {'wall, ' + str(args.threads) + ' threads':>24s}  {'CPU, 1 thread':>24s}")
    for key in wall:
        extra = f"   max |arisekit - {key}| = {errors[key]:.1e}" if key in errors else ""
        w, c = wall[key] / wall["arisekit"], cpu[key] / cpu["arisekit"]
        print(
            f"  {key:>10s}: {wall[key] / n * 1e3:8.4f} ms/atom ({w:6.1f}x)  "
            f"{cpu[key] / n * 1e3:8.4f} ms/atom ({c:6.1f}x){extra}"
        )
    for key, target in (("quippy", 200.0), ("dscribe", 5.0)):
        if key in wall:
            w, c = wall[key] / wall["arisekit"], cpu[key] / cpu["arisekit"]
            verdict = "MET" if w >= target else "NOT MET"
            print(
                f"  speed-up vs {key}: wall {w:.1f}x, CPU {c:.1f}x (target >= {target:.0f}x, wall): {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=5, help="cubic fcc cells per edge of the crystal")
    parser.add_argument("--box", type=float, default=16.0, help="edge (Å) of the open box")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    a = 3.61
    d_nn = a / np.sqrt(2)
    params = dict(cutoff=4 * d_nn, n_max=9, l_max=6, atom_sigma=0.1 * d_nn)
    print(f"machine: {machine()}; threads: {args.threads}")
    print(f"SOAP: n_max 9, l_max 6, cutoff {params['cutoff']:.3f} Å, atom_sigma {params['atom_sigma']:.4f} Å")
    crystal = bulk("Cu", "fcc", a=a, cubic=True).repeat(args.size)
    box = cut_box(bulk("Cu", "fcc", a=a, cubic=True).repeat(int(np.ceil(args.box / a)) + 2), args.box)
    compare(f"periodic fcc crystal ({args.size}^3 cubic cells)", crystal, params, args)
    compare(f"open {args.box:g} Å box cut from fcc", box, params, args)

    print("\nARISE descriptor of the box (species pairs, d_NN scaling, averaged SOAP):")
    run = lambda: arise_soap(box, n_threads=args.threads)  # noqa: E731
    vec = run()
    t_cpp = best_of(run, args.repeat)
    line = f"   cpp: {t_cpp * 1e3:8.2f} ms"
    if importlib.util.find_spec("quippy"):
        t_q, _, ref = time_once(lambda: arise_soap(box, backend="quippy"))
        diff = np.abs(vec - ref).max()
        line += f"   quippy: {t_q * 1e3:8.1f} ms   ratio {t_q / t_cpp:.0f}x   max diff {diff:.1e}"
    print(line + f"   shape {vec.shape}")


if __name__ == "__main__":
    main()
