"""Domain-streamed SPM: peak memory and time against the in-memory path on the same periodic frame.

Each run happens in a fresh subprocess (its own peak RSS, ``ru_maxrss``): the in-memory ``spm`` and the
domain-streamed ``stream_spm`` (HDF5 file written domain by domain), optionally from an extended XYZ file
(``--from-file``: read by ``arisekit.io.large.read_large``) and on an embedded Dask LocalCluster
(``--workers``). The frame is thermal-like fcc Cu (Gaussian displacements), periodic, 12 Å boxes, 3 Å
stride. Printed: atoms, boxes, wall time and peak memory of each run, and the agreement of the two results
(argmax, max |ΔP|, max |ΔMI|).

Usage:
    python benchmarks/spm_domains.py --cells 30 --samples 10              # 108,000 atoms, both paths
    python benchmarks/spm_domains.py --cells 63 --samples 100            # 10^6 atoms (the issue's frame)
    python benchmarks/spm_domains.py --cells 136 --skip-in-memory --from-file   # 10^7 atoms, streamed
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _frame(cells: int, seed: int):
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(cells)
    atoms.positions += np.random.default_rng(seed).normal(0.0, 0.02 * 2.55, atoms.positions.shape)
    atoms.pbc = True
    return atoms


def _write_extxyz(atoms, path: Path) -> None:
    """Extended XYZ written block by block with NumPy (ASE's writer takes minutes for 10^7 atoms)."""
    cell = np.asarray(atoms.cell)
    lattice = " ".join(f"{x:.10f}" for x in cell.reshape(-1))
    with open(path, "w") as fh:
        fh.write(f'{len(atoms)}\nLattice="{lattice}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for a in range(0, len(atoms), 1 << 20):
            p = atoms.positions[a : a + (1 << 20)]
            np.savetxt(fh, p, fmt="Cu %.8f %.8f %.8f")


def child(args: argparse.Namespace) -> None:
    from arisekit.spm import DomainOptions, spm

    run = dict(box_size=12.0, stride=3.0, n_samples=args.samples, seed=args.seed, model=args.model)
    if args.adaptive is not None:
        run["adaptive"] = args.adaptive
    t0 = time.perf_counter()
    phases, audit = {}, None
    if args.child == "in-memory":
        result = spm(_frame(args.cells, args.seed), **run)
        n_boxes = result.n_boxes
        np.savez(args.out, probabilities=result.probabilities, mi=result.mutual_information)
        n_atoms = result.params["n_atoms"]
        audit = result.params.get("adaptive_audit")
    else:
        from arisekit.spm.domains import _stream

        sample = args.input if args.input else _frame(args.cells, args.seed)
        options = DomainOptions(size=args.domain_size, n_workers=args.workers or None, out=args.out)
        # stream_spm's steps, timed: reading + the sample-wide plan, the domains, the merge into one file
        overrides = {k: v for k, v in run.items() if k != "model"}
        steps, marks = _stream(sample, None, args.model, None, options, overrides), []
        try:
            while True:
                if next(steps) in (0.0, 1.0):
                    marks.append(time.perf_counter() - t0)
        except StopIteration as stop:
            path = stop.value
        phases = dict(prepare=marks[0], domains=marks[-1] - marks[0])
        import h5py

        with h5py.File(path, "r") as f:
            n_boxes = f["counts"].shape[0]
            saved = json.loads(f.attrs["params"])
            n_atoms = saved["n_atoms"]
            audit = saved.get("adaptive_audit")
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if phases:
        phases["merge"] = elapsed - phases["prepare"] - phases["domains"]
    row = dict(run=args.child, atoms=n_atoms, boxes=n_boxes, seconds=elapsed, peak_mib=peak, phases=phases,
               audit=audit)  # fmt: skip
    print(json.dumps(row))


def _spawn(name: str, args: argparse.Namespace, out: Path, extra: list[str]) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--cells",
        str(args.cells),
        "--samples",
        str(args.samples),
    ]
    cmd += ["--seed", str(args.seed), "--domain-size", str(args.domain_size), "--out", str(out), *extra]
    if getattr(args, "adaptive", None) is not None:
        cmd.append("--adaptive" if args.adaptive else "--no-adaptive")
    if args.model:
        cmd += ["--model", args.model]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cells", type=int, default=30, help="fcc cubic cells per edge (4 atoms each)")
    parser.add_argument("--samples", type=int, default=100, help="MC-dropout passes (T)")
    parser.add_argument("--domain-size", type=float, default=120.0, help="domain edge (Å)")
    parser.add_argument("--workers", type=int, default=0, help="Dask LocalCluster workers (0: in process)")
    parser.add_argument("--from-file", action="store_true", help="stream from an extended XYZ file")
    parser.add_argument("--skip-in-memory", action="store_true")
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--adaptive",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="adaptive Monte-Carlo sampling on/off (default: SPMParameters' default)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from _common import machine

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        extra = []
        if args.from_file:
            path = tmp / "frame.extxyz"
            t0 = time.perf_counter()
            _write_extxyz(_frame(args.cells, args.seed), path)
            print(
                f"wrote {path.stat().st_size / 2**20:.0f} MiB extended XYZ "
                f"in {time.perf_counter() - t0:.0f} s"
            )
            extra = ["--input", str(path)]
        rows = []
        if not args.skip_in_memory:
            rows.append(_spawn("in-memory", args, tmp / "ref.npz", []))
        rows.append(_spawn("streamed", args, tmp / "map.h5", extra))
        for r in rows:
            print(
                f"{r['run']:>10s}: {r['atoms']} atoms, {r['boxes']} boxes, T={args.samples}: "
                f"{r['seconds']:.1f} s, peak RSS {r['peak_mib']:.0f} MiB"
            )
        if not args.skip_in_memory:
            import h5py

            ref = np.load(tmp / "ref.npz")
            with h5py.File(tmp / "map.h5", "r") as f:
                p, mi = f["probabilities"][()], f["mutual_information"][()]
            v = np.isfinite(ref["mi"])
            same = np.array_equal(np.isfinite(mi), v)
            agree = np.mean(np.argmax(p[v], axis=1) == np.argmax(ref["probabilities"][v], axis=1))
            print(
                f"streamed vs in-memory: same boxes classified {same}; argmax agreement {100 * agree:.3f} %; "
                f"max |dP| {np.max(np.abs(p[v] - ref['probabilities'][v])):.2e}; "
                f"max |dMI| {np.max(np.abs(mi[v] - ref['mi'][v])):.2e}"
            )


if __name__ == "__main__":
    main()
