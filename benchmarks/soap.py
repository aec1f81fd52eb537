"""Per-atom SOAP with the ARISE settings: arisekit vs quippy vs dscribe, timed in the same run.

Systems: a periodic fcc crystal (Cu, a = 3.61 Å) and a 16 Å open box cut from it. Settings: n_max 9,
l_max 6, cutoff 4 d_NN, atom_sigma 0.1 d_NN (in Å, d_NN = a / sqrt 2). Prints ms/atom, ratios and the
max |arisekit - quippy| (targets: >= 200x faster than quippy, >= 5x faster than dscribe), then the ARISE
descriptor of the box (cpp vs quippy backend).
Usage: python benchmarks/soap.py [--size 4] [--box 16] [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
from _common import best_of, machine
from arisekit.descriptors import Soap, arise_soap
from ase.build import bulk


def cut_box(crystal, edge: float):
    """Atoms of ``crystal`` inside a cube of ``edge`` Å at its centre, as an open (non-periodic) structure."""
    centre = crystal.get_cell().sum(axis=0) / 2
    inside = np.all(np.abs(crystal.positions - centre) <= edge / 2, axis=1)
    box = crystal[inside]
    box.pbc = False
    box.cell = np.zeros((3, 3))
    return box


def time_once(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def compare(name: str, atoms, params: dict, args) -> None:
    n = len(atoms)
    print(f"\n{name}: {n} atoms, pbc={list(atoms.pbc)}")
    # arisekit: everything included (radial tables, neighbour list, coefficients, power spectrum)
    run = lambda: Soap(**params).compute(atoms, n_threads=args.threads)  # noqa: E731
    ours = run()
    timings = {"arisekit": best_of(run, args.repeat)}
    errors = {}
    if importlib.util.find_spec("quippy"):
        from arisekit.descriptors import quippy_soap

        t, ref = time_once(lambda: quippy_soap(atoms, **params))
        timings["quippy"] = t
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
        ds.create(atoms, n_jobs=args.threads)  # warm-up
        timings["dscribe"] = best_of(lambda: ds.create(atoms, n_jobs=args.threads), max(1, args.repeat - 1))
    base = timings["arisekit"]
    for key, t in timings.items():
        extra = f"   max |arisekit - {key}| = {errors[key]:.1e}" if key in errors else ""
        print(f"{key:>10s}: {t / n * 1e3:9.4f} ms/atom   time / arisekit = {t / base:8.1f}{extra}")
    for key, target in (("quippy", 200.0), ("dscribe", 5.0)):
        if key in timings:
            ratio = timings[key] / base
            verdict = "MET" if ratio >= target else "NOT MET"
            print(f"speed-up vs {key}: {ratio:.1f}x (target >= {target:.0f}x): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4, help="cubic fcc cells per edge of the crystal")
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
        t_q, ref = time_once(lambda: arise_soap(box, backend="quippy"))
        diff = np.abs(vec - ref).max()
        line += f"   quippy: {t_q * 1e3:8.1f} ms   ratio {t_q / t_cpp:.0f}x   max diff {diff:.1e}"
    print(line + f"   shape {vec.shape}")


if __name__ == "__main__":
    main()
