"""Batch classification of trajectory frames on a local Dask cluster, with resume.

    python examples/batch_local.py                        # shipped model, 2 worker processes
    python examples/batch_local.py --model PATH --workers 1 --workdir runs/

Writes two small extended-XYZ "trajectories" (fcc and bcc frames with thermal-like noise and changing
atom counts) into ``--workdir``, classifies every frame with :func:`arisekit.batch.run_batch` (the same
as ``arisekit batch fcc_md.extxyz bcc_md.extxyz --out results.h5``), prints the stored results and
runs again to show that finished frames are skipped. The equivalent shell commands are::

    arisekit batch fcc_md.extxyz bcc_md.extxyz --out results.h5 --workers 2
    arisekit batch fcc_md.extxyz bcc_md.extxyz --out results.h5 --workers 2   # resumes: 0 computed

The ``if __name__ == "__main__"`` guard is required: Dask starts the worker processes by re-importing
this script.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from ase.build import bulk
from ase.io import write

from arisekit.batch import load_results, run_batch


def write_inputs(folder: Path, n_frames: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for name, make in (
        ("fcc_md", lambda: bulk("Cu", "fcc", a=3.61, cubic=True)),
        ("bcc_md", lambda: bulk("Fe", "bcc", a=2.87, cubic=True)),
    ):
        frames = []
        for k in range(n_frames):
            atoms = make().repeat(3 if k % 2 == 0 else 2)  # atom counts change between frames
            atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)  # Å
            frames.append(atoms)
        paths.append(folder / f"{name}.extxyz")
        write(paths[-1], frames, format="extxyz")
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--frames", type=int, default=4, help="frames per trajectory (default 4)")
    parser.add_argument("--samples", type=int, default=300, help="Monte-Carlo dropout passes per frame")
    parser.add_argument("--workdir", default=None, help="folder for inputs and results (default: temporary)")
    parser.add_argument("--threads", action="store_true", help="worker threads instead of processes")
    args = parser.parse_args(argv)

    folder = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="arisekit-batch-"))
    folder.mkdir(parents=True, exist_ok=True)
    inputs = write_inputs(folder, args.frames)
    out = folder / "results.h5"
    options = dict(model=args.model, n_samples=args.samples, workers=args.workers, processes=not args.threads)

    summary = run_batch(inputs, out, progress=False, **options)
    print(
        f"first run: {summary.computed} frames computed, {summary.skipped} skipped, {summary.failed} failed"
    )
    for rec in load_results(out).frames:
        print(
            f"  {rec.file}[{rec.index}]: {rec.n_atoms:4d} atoms -> {rec.prediction:<12s} "
            f"p = {rec.probability:.3f}, MI = {rec.mutual_information:.4f} nats"
        )
    again = run_batch(inputs, out, progress=False, **options)
    print(f"second run (resume): {again.computed} frames computed, {again.skipped} skipped")
    print(f"results: {out}; summary plot: {summary.plot}")


if __name__ == "__main__":
    main()
