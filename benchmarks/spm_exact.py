"""SPM exact mode: time per stage, old (Python, box by box) vs new (C++, a chunk of boxes per call).

The sample is the last step of the FePt annealing series of benchmarks/aet.py (``annealing_series`` +
``aet_errors``: 20 pm noise, 3 % species errors, 2 % missing, 1 % spurious atoms). Quick run (default): a
4,000-atom particle, a random subset of its boxes described by both paths (stage times, equality of the
descriptors and of the predicted classes), then the whole exact-mode SPM map end to end. ``--full``: the
issue-17 case, the 23k-atom particle (24,417 atoms after the errors) mapped with 16 Å boxes at 2 Å stride.

Stages. Old path (cProfile over the subset): neighbour search (``_core.nearest_distances`` and
``_core.neighbor_list``), the rest of the d_NN rule (Python/NumPy of ``geometry/scaling.py``), SOAP
(``SoapCalculator.coefficients`` and the power spectrum), Python overhead (the rest). New path: the C++
call (d_NN rule timed alone with ``_core.open_pair_dnn``; SOAP = the call minus it). Then Monte-Carlo
dropout (``predict_uncertainty``, ``--samples`` passes per box) and an end-to-end map.

    python benchmarks/spm_exact.py                    # quick: ~1-3 min on 2 cores
    python benchmarks/spm_exact.py --full             # 23k atoms, 16 Å, 2 Å stride: the full map (new path)
    python benchmarks/spm_exact.py --full --skip-map  # stage times on 200 boxes of the full case
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

import numpy as np
from _common import machine

import arisekit
from arisekit import _core
from arisekit.descriptors import ARISEDescriptor
from arisekit.geometry import as_structure
from arisekit.spm import _exact_batch, spm
from arisekit.spm.descriptors import _exact_descriptors_python
from arisekit.spm.grid import spm_grid


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", action="store_true", help="23k-atom particle, 16 Å boxes, 2 Å stride")
    p.add_argument("--atoms", type=int, default=None, help="particle size (default 4000; --full: 23000)")
    p.add_argument("--box", type=float, default=None, help="box edge in Å (default 12; --full: 16)")
    p.add_argument("--stride", type=float, default=2.0, help="stride in Å (default 2)")
    p.add_argument(
        "--subset", type=int, default=None, help="boxes for the stage times (default 300; full: 200)"
    )
    p.add_argument("--samples", type=int, default=100, help="MC-dropout samples per box (default 100)")
    p.add_argument("--threads", type=int, default=0, help="threads (0: all cores of the process)")
    p.add_argument("--skip-map", action="store_true", help="no end-to-end map")
    p.add_argument("--skip-old", action="store_true", help="no old-path timing on the subset")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    args.atoms = args.atoms or (23_000 if args.full else 4_000)
    args.box = args.box or (16.0 if args.full else 12.0)
    args.subset = args.subset or (200 if args.full else 300)
    return args


def make_particle(n_atoms: int, seed: int):
    """Last step of the annealing series with AET-like errors (as benchmarks/aet.py)."""
    from arisekit.samples import aet_errors, annealing_series

    clean = annealing_series(n_atoms, seed)
    k = len(clean) - 1
    return aet_errors(
        clean[-1], seed * 1000 + k, position_noise=0.2, species_error=0.03, missing=0.02, spurious=0.01
    )


#: cProfile entries of the old path, by stage.
_NEIGHBOURS = ("nearest_distances", "neighbor_list")
_SOAP = ("coefficients", "soap_power_spectrum")


def old_stages(sample, grid, descriptor, boxes, threads) -> tuple[dict, dict]:
    """Old path on ``boxes`` (one thread, profiled): stage times (s) and the descriptors by box."""
    valid = np.zeros(grid.n_boxes, dtype=bool)
    valid[boxes] = True
    prof = cProfile.Profile(time.process_time)  # CPU times, like the stage totals
    t0 = time.process_time()  # CPU time: one thread, robust to other jobs on the machine
    prof.enable()
    out = {
        int(r): x
        for rows, X in _exact_descriptors_python(sample, grid, descriptor, valid, 64, 1)
        for r, x in zip(rows, X)
    }
    prof.disable()
    total = time.process_time() - t0
    stats = pstats.Stats(prof).stats
    own = {"neighbours": 0.0, "soap": 0.0}
    dnn_cum = 0.0
    for (file, _line, name), (_cc, _nc, tt, ct, _callers) in stats.items():
        builtin = file == "~"  # C++ entry points: "<built-in method arisekit._core.neighbor_list>", ...
        if builtin and any(k in name for k in _NEIGHBOURS):
            own["neighbours"] += tt
        elif builtin and any(k in name for k in _SOAP):
            own["soap"] += tt
        elif name == "nearest_neighbor_distance":
            dnn_cum += ct
    # profiler overhead inflates the Python parts; scale every stage to the unprofiled CPU time
    valid[:] = False
    valid[boxes] = True
    t0 = time.process_time()
    for _ in _exact_descriptors_python(sample, grid, descriptor, valid, 64, 1):
        pass
    wall = time.process_time() - t0
    scale = wall / total
    stages = {
        "neighbour search": own["neighbours"] * scale,
        "d_NN rule (Python/NumPy)": (dnn_cum - own["neighbours"]) * scale,
        "SOAP coefficients + power spectrum": own["soap"] * scale,
    }
    stages["Python overhead (rest)"] = wall - sum(stages.values())
    return stages, out


def new_stages(sample, grid, descriptor, boxes, threads) -> tuple[dict, dict, float]:
    """New path on ``boxes``: stage times (s, one thread), descriptors by box, wall time with ``threads``."""
    valid = np.zeros(grid.n_boxes, dtype=bool)
    valid[boxes] = True
    t0 = time.process_time()  # CPU time: one thread, robust to other jobs on the machine
    out = {
        int(r): x
        for rows, X in _exact_batch.exact_descriptors_batch(sample, grid, descriptor, valid, 256, 1)
        for r, x in zip(rows, X)
    }
    one = time.process_time() - t0
    valid[boxes] = True
    t0 = time.perf_counter()
    for _ in _exact_batch.exact_descriptors_batch(sample, grid, descriptor, valid, 256, threads):
        pass
    wall = time.perf_counter() - t0
    s = as_structure(sample)
    t0 = time.process_time()
    for b in boxes:
        idx = grid.members(b)
        pos, num = np.ascontiguousarray(s.positions[idx]), s.numbers[idx].astype(np.int64)
        zs = [int(z) for z in np.unique(num)]
        for a in zs:
            for c in zs:
                try:
                    _core.open_pair_dnn(pos, num, a, c, descriptor.d_nn_method, 100)
                except ValueError:
                    pass
    dnn = time.process_time() - t0
    stages = {
        "d_NN rule (C++, nearest distances included)": dnn,
        "SOAP bond sums + power spectrum": one - dnn,
    }
    return stages, out, wall


def report(title: str, stages: dict, n: int) -> None:
    total = sum(stages.values())
    print(f"  {title}: {total / n * 1e3:.2f} ms per box (one thread, CPU time)")
    for k, v in stages.items():
        print(f"    {k:<44s} {v / n * 1e3:7.3f} ms  {100 * v / total:5.1f} %")


def main(argv=None) -> int:
    args = parse_args(argv)
    threads = args.threads or os.cpu_count() or 1
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}; threads {threads}")
    t0 = time.perf_counter()
    sample = make_particle(args.atoms, args.seed)
    print(f"particle: {len(sample)} atoms ({time.perf_counter() - t0:.1f} s to build)")
    model = arisekit.load_model()
    descriptor = ARISEDescriptor.from_dict(model.descriptor_params_)
    s = as_structure(sample)
    grid, _, _ = spm_grid(s.positions, args.box, args.stride)
    valid = grid.counts >= 10
    print(
        f"grid: {args.box:g} Å boxes, {args.stride:g} Å stride, {grid.n_boxes} boxes, "
        f"{int(valid.sum())} with >= 10 atoms (mean {grid.counts[valid].mean():.0f} atoms)"
    )
    rng = np.random.default_rng(args.seed)
    boxes = np.sort(rng.choice(np.flatnonzero(valid), min(args.subset, int(valid.sum())), replace=False))
    print(f"\nstage times on {len(boxes)} random boxes:")
    new, new_x, wall = new_stages(sample, grid, descriptor, boxes, threads)
    report("new (C++ batch)", new, len(boxes))
    print(f"    with {threads} threads: {wall / len(boxes) * 1e3:.2f} ms per box (wall)")
    if not args.skip_old:
        old, old_x = old_stages(sample, grid, descriptor, boxes, threads)
        report("old (Python, box by box)", old, len(boxes))
        keys = sorted(old_x)
        same_valid = keys == sorted(new_x)
        A = np.array([old_x[k] for k in keys])
        B = np.array([new_x[k] for k in keys if k in new_x])
        rel = float((np.abs(A - B).max(axis=1) / np.abs(A).max(axis=1)).max()) if same_valid else float("nan")
        print(f"  old vs new: same boxes described {same_valid}; max relative difference {rel:.1e}")
        print(f"  speed-up of the descriptors (one thread): {sum(old.values()) / sum(new.values()):.1f}x")
        if same_valid:
            pa = model.predict_uncertainty(A, n_samples=args.samples, seed=0, n_threads=threads)
            pb = model.predict_uncertainty(B, n_samples=args.samples, seed=0, n_threads=threads)
            same = np.array_equal(pa.probabilities.argmax(1), pb.probabilities.argmax(1))
            dp = float(np.abs(pa.probabilities - pb.probabilities).max())
            print(f"  same argmax {same}; max |Δp| {dp:.1e}")
    X = np.array([new_x[k] for k in sorted(new_x)])
    # SPM's exact-mode chunk (256 rows: the engine's batched-passes path), and 1024 rows (its pass-major
    # path, from 512 rows; the subset's descriptors repeated)
    for rows in (256, 1024):
        for n_thr in sorted({1, threads}):
            Xr = np.resize(X, (rows, X.shape[1]))
            t0, c0 = time.perf_counter(), time.process_time()
            model.predict_uncertainty(Xr, n_samples=args.samples, seed=0, n_threads=n_thr)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"  MC dropout, {args.samples} samples, {len(Xr)} rows per call, {n_thr} thread(s): "
                f"{dt / len(Xr) * 1e3:.2f} ms per box wall, {cpu / len(Xr) * 1e3:.2f} ms CPU"
            )
    if not args.skip_map:
        t0, c0 = time.perf_counter(), time.process_time()
        res = spm(
            sample,
            box_size=args.box,
            stride=args.stride,
            box_descriptors="exact",
            n_samples=args.samples,
            model=model,
            n_threads=threads,
        )
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"\nexact-mode SPM map end to end: {dt:.1f} s ({res.n_boxes} boxes, {int(res.valid.sum())} "
            f"classified, {dt / max(int(res.valid.sum()), 1) * 1e3:.2f} ms per box)"
        )
        print(
            f"  process CPU time {cpu:.1f} s ({cpu / threads:.1f} s per thread: the wall time on {threads} "
            f"otherwise idle cores); load average now {os.getloadavg()[0]:.1f}"
        )
        if args.full:
            print("  before this change (docs/aet.md, same case, 2 shared cores): 767 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
