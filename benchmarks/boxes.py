"""Strided boxes over 10^6 atoms: 12 Å boxes, 3 Å stride (3D grid). Prints time and peak memory.

Peak memory is the resident-set high-water mark of a fresh worker process, minus its level before
the call.  Usage: python benchmarks/boxes.py [--atoms N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np
from _common import machine


def _run(n_atoms: int, box: float, stride: float, queue) -> None:
    from arisekit.geometry import strided_boxes

    rng = np.random.default_rng(0)
    edge = (n_atoms / 0.085) ** (1 / 3)  # metallic density, ~0.085 atoms / Å^3
    pos = rng.uniform(0, edge, (n_atoms, 3))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    grid = strided_boxes(pos, box, stride)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((edge, grid.shape, grid.n_boxes, len(grid.indices), elapsed, (after - before) / 1024.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--atoms", type=int, default=1_000_000)
    parser.add_argument("--box", type=float, default=12.0)
    parser.add_argument("--stride", type=float, default=3.0)
    args = parser.parse_args()
    queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_run, args=(args.atoms, args.box, args.stride, queue))
    proc.start()
    edge, shape, n_boxes, n_members, elapsed, peak_mib = queue.get()
    proc.join()
    print(f"machine: {machine()}")
    print(
        f"sample: {args.atoms} random atoms in a {edge:.0f} Å cube; box {args.box} Å, stride {args.stride} Å"
    )
    print(f"grid: {shape} = {n_boxes} boxes, {n_members} atom-box memberships")
    print(f"time: {elapsed:.2f} s   peak extra memory: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
