"""ARISE as an ASE calculator: global and per-atom (SPM) predictions, trajectories and ase.db.

    python examples/ase_calculator.py                          # shipped model
    python examples/ase_calculator.py --model PATH --db out.db

1. ``atoms.calc = ARISECalculator(...)``; ``get_property("prediction")``, class probabilities and
   mutual information (nats). Results are cached until the atoms change.
2. ``mode="spm"``: strided pattern matching projected onto the atoms of an fcc | bcc bicrystal
   (per-atom ``structure_type``, ``atom_probability``, ``atom_mutual_information``).
3. Frames of an ASE trajectory, stored in an ase.db database with key-value pairs and data.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from ase.build import bulk
from ase.db import connect
from ase.io import iread, write

from arisekit.ase import ARISECalculator, to_data, to_key_value_pairs


def bicrystal():
    """Open fcc (x < 20 Å) | bcc (x > 21.5 Å) slab, 14.4 Å thick."""
    left = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((6, 10, 4))
    left = left[left.positions[:, 0] < 20]
    right = bulk("Fe", "bcc", a=2.87, cubic=True).repeat((8, 12, 5))
    right.positions[:, 0] += 21.5
    right = right[right.positions[:, 2] < 14.4]
    sample = left + right
    sample.pbc = False
    sample.cell = np.zeros((3, 3))
    return sample


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--samples", type=int, default=200, help="Monte-Carlo dropout passes")
    parser.add_argument("--db", default=None, help="ase.db file to write (default: a temporary folder)")
    args = parser.parse_args(argv)

    # 1. one structure, global mode
    atoms = bulk("Fe", "bcc", a=2.87, cubic=True).repeat(3)
    atoms.calc = ARISECalculator(model=args.model, n_samples=args.samples)
    calc = atoms.calc
    prediction, p = calc.get_property("prediction", atoms), calc.get_property("probability", atoms)
    mi = calc.get_property("mutual_information", atoms)  # cached: no new calculation
    print(f"bcc Fe: {prediction}, p = {p:.3f}, mutual information = {mi:.4f} nats")
    atoms.rattle(0.05, seed=0)  # positions changed -> recomputed on the next get
    print(
        f"rattled: {calc.get_property('prediction', atoms)}, "
        f"mutual information = {calc.get_property('mutual_information', atoms):.4f} nats"
    )

    # 2. per-atom results of a bicrystal (mode "spm" runs strided pattern matching)
    sample = bicrystal()
    local = ARISECalculator(model=calc.model, mode="spm", box_size=12.0, stride=4.0, n_samples=args.samples)
    sample.calc = local
    names = local.structure_names(sample)
    x = sample.positions[:, 0]
    print(
        f"bicrystal, {len(sample)} atoms: left half {Counter(n for n, xi in zip(names, x) if xi < 20)}, "
        f"right half {Counter(n for n, xi in zip(names, x) if xi > 21.5)}"
    )
    mi = local.get_property("atom_mutual_information", sample)
    print(f"  per-atom mutual information: median {np.nanmedian(mi):.4f}, max {np.nanmax(mi):.4f} nats")

    # 3. a trajectory, one database row per frame
    folder = Path(tempfile.mkdtemp(prefix="arisekit-example-"))
    traj = folder / "md.traj"
    write(
        traj,
        [bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3), bulk("Fe", "bcc", a=2.87, cubic=True).repeat(3)],
    )
    db_path = Path(args.db) if args.db else folder / "arise.db"
    with connect(db_path) as db:
        for frame in iread(traj):
            frame.calc = calc  # one calculator for every frame; it recomputes when the atoms differ
            db.write(frame, key_value_pairs=to_key_value_pairs(calc, frame), data=to_data(calc, frame))
        db.write(sample, key_value_pairs=to_key_value_pairs(local, sample), data=to_data(local, sample))
    for row in connect(db_path).select():
        print(
            f"db row {row.id}: {row.formula}, {row.arise_mode}: {row.prediction} "
            f"(MI {row.mutual_information:.4f} nats)"
        )
    print(f"database: {db_path}")


if __name__ == "__main__":
    main()
