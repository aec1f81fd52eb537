"""Strided pattern matching benchmarks (issue: SPM). Prints times, ratios and accuracy figures.

1. 4-grain slab polycrystal (fcc, bcc, hcp, diamond; ~9,000 atoms, 15 Å thick), 16 Å box, 1 Å stride,
   T = 100: fast mode end to end; exact mode timed on a random sample of boxes and extrapolated; the
   fast/exact speed ratio and argmax agreement on the sampled boxes; grain-interior accuracy and the
   boundary / interior mutual-information ratio.
2. Ni-superalloy-like sample (120 Å cube, L1₂ precipitate), 16 Å box, 3 Å stride: time and detection.
3. A periodic 10^6-atom frame, 12 Å box, 3 Å stride, T = 100: time and peak memory, then per-atom labels
   (SPM projected to atoms) against OVITO's PTM (no RMSD cutoff) on the same frame: times, ratio, agreement
   (--large).
4. Frames larger than memory (--huge): the 10^6-atom and a 10^7-atom periodic thermal fcc frame (12 Å box,
   3 Å stride, T = 100) streamed over spatial domains, read from extended XYZ files, each in a fresh
   process (the 10^6 frame before and after the 10^7 one): wall time (reading + plan, domains, merge), time
   per box, peak RSS, and the 10^7 / 10^6 time ratio (linear scaling: 10).

Usage: python benchmarks/spm.py [--model DIR] [--skip-superalloy] [--skip-slab] [--large] [--huge]
       [--exact-sample N] [--adaptive]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from _common import machine

from arisekit.model import resolve_model
from arisekit.samples import polycrystal, superalloy
from arisekit.spm import project_to_atoms, spm
from arisekit.spm.descriptors import exact_descriptors
from arisekit.spm.grid import spm_grid


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def slab_benchmark(clf, n_samples: int, exact_sample: int, seed: int) -> None:
    sample = polycrystal(
        ["fcc", "bcc", "hcp", "diamond"], (88.0, 88.0, 15.0), geometry="slab", seed=seed, species="Cu"
    )
    box, stride = 16.0, 1.0
    t0 = time.perf_counter()
    fast = spm(
        sample, box_size=box, stride=stride, box_descriptors="fast", n_samples=n_samples, model=clf, seed=seed
    )
    t_fast = time.perf_counter() - t0
    print(
        f"\n[1] slab polycrystal: {len(sample)} atoms, grid {fast.shape}, {fast.n_boxes} boxes, T={n_samples}"
    )
    print(f"    fast mode end to end: {t_fast:.1f} s (target <= 30 s)")

    # Exact mode on a random sample of boxes, extrapolated to the whole grid.
    grid, _, _ = spm_grid(sample.get_positions(), box, stride)
    rng = np.random.default_rng(seed)
    valid = np.zeros(grid.n_boxes, dtype=bool)
    pick = rng.choice(
        np.flatnonzero(fast.valid), size=min(exact_sample, int(fast.valid.sum())), replace=False
    )
    valid[pick] = True
    t0 = time.perf_counter()
    rows, X = [], []
    for r, x in exact_descriptors(sample, grid, _params(clf), valid, chunk=64):
        rows.append(r)
        X.append(x)
    rows, X = np.concatenate(rows), np.concatenate(X)
    res = clf.predict_uncertainty(X, n_samples=n_samples, seed=seed)
    t_exact = (time.perf_counter() - t0) / len(rows) * int(fast.valid.sum())
    agree = float(np.mean(res.probabilities.argmax(axis=1) == fast.argmax[rows]))
    print(f"    exact mode: {len(rows)} boxes timed, extrapolated {t_exact:.0f} s for the grid")
    print(
        f"    fast / exact speed-up: {t_exact / t_fast:.1f}x; argmax agreement on sampled boxes: "
        f"{100 * agree:.1f} % (target >= 95 %)"
    )

    truth = np.asarray(sample.info["class_names"])[sample.arrays["class_label"]]
    interior = sample.arrays["boundary_distance"] >= box
    for name, result in (("fast", fast),):
        per_atom = project_to_atoms(result, sample)
        names = np.asarray(result.class_names + ["none"])[per_atom["prediction"]]
        acc = float(np.mean(names[interior] == truth[interior]))
        print(
            f"    {name}: grain-interior atoms (>= {box} Å from a boundary) with their grain's class: "
            f"{100 * acc:.1f} % (target >= 98 %)"
        )
    # Boxes: boundary if the box centre lies within half a box of a boundary.
    from arisekit.samples import boundary_distance

    seeds = np.asarray(sample.info["grain_seeds"])
    nearest = np.argmin(((fast.centers[:, None, :2] - seeds[None, :, :2]) ** 2).sum(-1), axis=1)
    centre_d = boundary_distance(fast.centers, seeds, nearest, dims=2)
    mi = fast.mutual_information
    b_mi = np.nanmedian(mi[fast.valid & (centre_d < box / 2)])
    i_mi = np.nanmedian(mi[fast.valid & (centre_d >= box)])
    floor = 1e-4  # nats: an interior median below this counts as 1e-4 (the ratio is then a lower bound)
    ratio = b_mi / max(i_mi, floor)
    bound = ">= " if i_mi < floor else ""
    print(
        f"    median MI boundary boxes {b_mi:.4f} / interior boxes {i_mi:.4f} nats: "
        f"ratio {bound}{ratio:.1f}x (target >= 3x)"
    )


def superalloy_benchmark(clf, n_samples: int, seed: int) -> None:
    sample = superalloy(seed=seed)
    t0 = time.perf_counter()
    result = spm(
        sample, box_size=16.0, stride=3.0, box_descriptors="fast", n_samples=n_samples, model=clf, seed=seed
    )
    elapsed = time.perf_counter() - t0
    centre = sample.get_positions().mean(axis=0)
    inside = np.all(np.abs(result.centers - centre) < 8.0, axis=1)
    pred = np.asarray(result.predictions, dtype=object)
    print(f"\n[2] superalloy: {len(sample)} atoms, {result.n_boxes} boxes, T={n_samples}: {elapsed:.1f} s")
    print(
        f"    boxes inside the precipitate assigned L1_2: {100 * np.mean(pred[inside] == 'L1_2'):.1f} %; "
        f"matrix boxes assigned fcc: {100 * np.mean(pred[~inside & result.valid] == 'fcc'):.1f} %"
    )
    print(f"    class fractions: { {k: round(v, 3) for k, v in result.class_fractions().items()} }")


def large_benchmark(clf, n_samples: int, seed: int, cells: int = 63, adaptive: bool | None = None) -> None:
    """A periodic MD-like frame of ~10^6 atoms (fcc, 2 % thermal-like displacements): fast mode throughout
    (``adaptive``: adaptive MC sampling on/off; None: the SPMParameters default)."""
    from ase.build import bulk

    from arisekit.prototypes import displace

    frame = displace(bulk("Cu", "fcc", a=3.61, cubic=True).repeat(cells), 0.02, np.random.default_rng(seed))
    t0 = time.perf_counter()
    result = spm(
        frame,
        box_size=12.0,
        stride=3.0,
        box_descriptors="fast",
        n_samples=n_samples,
        model=clf,
        seed=seed,
        progress=True,
        **({} if adaptive is None else {"adaptive": adaptive}),
    )
    elapsed = time.perf_counter() - t0
    audit = result.params.get("adaptive_audit")
    mc = "fixed T" if audit is None else f"adaptive MC, audit {audit}"
    print(
        f"\n[3] periodic frame, {len(frame)} atoms, {result.n_boxes} boxes, T={n_samples} ({mc}): "
        f"{elapsed:.0f} s (target <= 100 s); peak memory {_peak_mib():.0f} MiB (target <= 3072 MiB); "
        f"fcc boxes {100 * result.class_fractions().get('fcc', 0.0):.1f} %"
    )
    t0 = time.perf_counter()
    projected = project_to_atoms(result, frame)
    names = np.asarray([*result.class_names, "none"], dtype=object)
    labels = names[projected["prediction"]]
    t_project = time.perf_counter() - t0
    from arisekit.benchmark.md import ovito_labels

    t0 = time.perf_counter()
    ptm = ovito_labels(frame, "ptm0")
    t_ptm = time.perf_counter() - t0
    per_atom = elapsed + t_project
    print(
        f"    per-atom labels: SPM + projection {per_atom:.0f} s ({t_project:.1f} s projection), "
        f"OVITO PTM (no cutoff) {t_ptm:.1f} s: ratio {per_atom / t_ptm:.1f} (target <= 5); "
        f"fcc atoms: SPM {100 * np.mean(labels == 'fcc'):.2f} %, PTM {100 * np.mean(ptm == 'fcc'):.2f} %"
    )


def huge_benchmark(
    model: str | None,
    n_samples: int,
    seed: int,
    domain_size: float,
    cells: tuple[int, int] = (63, 136),
    adaptive: bool | None = None,
) -> None:
    """10^6 and 10^7 periodic thermal fcc frames streamed over domains (benchmarks/spm_domains.py), each read
    from an extended XYZ file in a fresh process; the 10^6 frame is run before and after the 10^7 one, so the
    ratio is also given against their mean (the host's speed drifts over a half-hour run). ``adaptive``:
    adaptive MC sampling on/off (None: the SPMParameters default)."""
    import tempfile
    from argparse import Namespace
    from pathlib import Path

    from spm_domains import _frame, _spawn, _write_extxyz

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in cells:
            path = Path(tmp) / f"frame{n}.extxyz"
            t0 = time.perf_counter()
            _write_extxyz(_frame(n, seed), path)
            print(f"    wrote the {n}^3-cell frame: {path.stat().st_size / 2**30:.2f} GiB extended XYZ in "
                  f"{time.perf_counter() - t0:.0f} s (not timed below: the run reads it)")  # fmt: skip
        for n in (cells[0], cells[1], cells[0]):
            args = Namespace(cells=n, samples=n_samples, seed=seed, domain_size=domain_size, model=model,
                             workers=0, adaptive=adaptive)  # fmt: skip
            extra = ["--input", str(Path(tmp) / f"frame{n}.extxyz")]
            r = _spawn("streamed", args, Path(tmp) / "map.h5", extra)
            runs.append(r)
            ph = r["phases"]
            mc = "fixed T" if r["audit"] is None else f"adaptive MC, audit {r['audit']}"
            print(
                f"\n[4] streamed, {r['atoms']} atoms, {r['boxes']} boxes, T={n_samples} ({mc}), domains "
                f"{domain_size:g} Å: {r['seconds']:.0f} s ({1e3 * r['seconds'] / r['boxes']:.3f} ms per box; "
                f"reading + plan {ph['prepare']:.0f} s, domains {ph['domains']:.0f} s, "
                f"merge {ph['merge']:.0f} s), "
                f"peak RSS {r['peak_mib']:.0f} MiB",
                flush=True,
            )
            (Path(tmp) / "map.h5").unlink()
    before, large, after = runs
    small = 0.5 * (before["seconds"] + after["seconds"])
    print(
        f"    10^7 / 10^6: atoms x{large['atoms'] / before['atoms']:.2f}, "
        f"boxes x{large['boxes'] / before['boxes']:.2f}, "
        f"time x{large['seconds'] / small:.2f} against the mean of the two 10^6 runs (target <= 11; "
        f"x{large['seconds'] / before['seconds']:.2f} against the one "
        f"before, x{large['seconds'] / after['seconds']:.2f} against the one after); "
        f"peak RSS of the 10^7 run {large['peak_mib'] / 1024:.2f} GiB (target <= 6 GiB)"
    )


def _params(clf) -> dict:
    from arisekit.model import descriptor_arguments

    return descriptor_arguments(clf.descriptor_params_)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--samples", type=int, default=100, help="MC-dropout passes (T)")
    parser.add_argument("--exact-sample", type=int, default=60, help="boxes timed in exact mode")
    parser.add_argument("--skip-superalloy", action="store_true")
    parser.add_argument("--large", action="store_true", help="also run the 10^6-atom benchmark")
    parser.add_argument(
        "--huge", action="store_true", help="also run the streamed 10^6 / 10^7-atom benchmark"
    )
    parser.add_argument("--skip-slab", action="store_true")
    parser.add_argument("--domain-size", type=float, default=120.0, help="domain edge of --huge (Å)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--adaptive",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="[3] and [4]: adaptive Monte-Carlo sampling on/off (default: SPMParameters' default)",
    )
    args = parser.parse_args()
    clf = resolve_model(args.model)
    print(f"machine: {machine()}")
    if not args.skip_slab:
        slab_benchmark(clf, args.samples, args.exact_sample, args.seed)
    if not args.skip_superalloy:
        superalloy_benchmark(clf, args.samples, args.seed)
    if args.large:
        large_benchmark(clf, args.samples, args.seed, adaptive=args.adaptive)
    if args.huge:
        huge_benchmark(args.model, args.samples, args.seed, args.domain_size, adaptive=args.adaptive)
    print(f"\npeak memory of this process: {_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
