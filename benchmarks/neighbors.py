"""Full neighbour list of a 108,000-atom periodic fcc crystal (a = 3.61 Å, cutoff 5 Å).

arisekit vs vesin, matscipy and ASE, timed in the same run; prints times and ratios
(target: arisekit's time <= 1.2 x vesin's).  Usage: python benchmarks/neighbors.py [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib

import numpy as np
from _common import best_of, machine
from ase.build import bulk

from arisekit.geometry import neighbor_list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=30, help="cubic fcc cells per edge (30 -> 108,000 atoms)")
    parser.add_argument("--skip-ase", action="store_true", help="ASE takes much longer than the others")
    args = parser.parse_args()
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(args.size)
    cutoff = 5.0
    pos, cell = atoms.positions, atoms.cell.array
    print(f"machine: {machine()}")
    print(f"system: fcc, {len(atoms)} atoms, cutoff {cutoff} Å, full list, i/j/distance")

    n_pairs = len(neighbor_list(atoms, cutoff))
    timings = {"arisekit": best_of(lambda: neighbor_list(atoms, cutoff), args.repeat)}

    if importlib.util.find_spec("vesin"):
        from vesin import NeighborList as VesinNL

        calc = VesinNL(cutoff=cutoff, full_list=True)
        i, j = calc.compute(points=pos, box=cell, periodic=True, quantities="ij")
        assert len(i) == n_pairs, (len(i), n_pairs)
        timings["vesin"] = best_of(
            lambda: calc.compute(points=pos, box=cell, periodic=True, quantities="ijd"), args.repeat
        )
    if importlib.util.find_spec("matscipy"):
        from matscipy.neighbours import neighbour_list as msp_nl

        assert len(msp_nl("i", atoms, cutoff)) == n_pairs
        timings["matscipy"] = best_of(lambda: msp_nl("ijd", atoms, cutoff), args.repeat)
    if not args.skip_ase:
        from ase.neighborlist import neighbor_list as ase_nl

        timings["ase"] = best_of(lambda: ase_nl("ijd", atoms, cutoff), 1)

    print(f"pairs: {n_pairs} ({n_pairs / len(atoms):.0f} per atom)")
    base = timings["arisekit"]
    for name, t in timings.items():
        print(f"{name:>10s}: {t * 1e3:9.1f} ms   time / arisekit = {t / base:6.2f}")
    if "vesin" in timings:
        ratio = base / timings["vesin"]
        print(f"arisekit / vesin = {ratio:.2f} (target <= 1.2): {'MET' if ratio <= 1.2 else 'NOT MET'}")
    np.testing.assert_equal(n_pairs, 42 * len(atoms))


if __name__ == "__main__":
    main()
