"""Wall time to build the central-setting dataset for all classes: pristine periodic cells and open
supercells plus one realisation per defect level of the paper (displacements, missing atoms, both).

Usage: python benchmarks/dataset.py [--workers 2] [--keep FILE]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import h5py
from _common import machine

from arisekit.dataset import DatasetPlan, build_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the dataset at this path")
    args = parser.parse_args()
    plan = DatasetPlan()  # central setting (4.0 d_NN, 0.1 d_NN, 1.0), 1 realisation per defect level
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp) / "central.h5"
        t0 = time.perf_counter()
        build_dataset(plan, out, workers=args.workers, progress=False)
        elapsed = time.perf_counter() - t0
        with h5py.File(out) as f:
            rows, classes = f["X"].shape[0], len(f.attrs["class_names"])
    print(f"machine: {machine()}")
    print(
        f"central-setting dataset: {classes} classes, {rows} structures/rows, {args.workers} workers: "
        f"{elapsed:.0f} s ({1e3 * elapsed / rows:.1f} ms per structure)"
    )


if __name__ == "__main__":
    main()
