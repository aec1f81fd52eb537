"""Classify a few crystal structures with the Python API and print the three most probable classes.

    python examples/python_api.py                    # shipped model
    python examples/python_api.py --model PATH       # any model directory (e.g. one from `arisekit train`)

Every answer comes with its uncertainty: the mutual information (nats) is ~0 for confident predictions
and grows for structures the model has not seen (here: a strongly disordered copper cell).
"""

from __future__ import annotations

import argparse

import numpy as np
from ase.build import bulk

import arisekit


def structures() -> dict[str, object]:
    """Name -> ase.Atoms (positions in Å)."""
    rng = np.random.default_rng(0)
    disordered = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3)
    disordered.positions += rng.normal(0.0, 0.25, disordered.positions.shape)  # 0.25 Å random displacements
    return {
        "Cu fcc": bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3),
        "Fe bcc": bulk("Fe", "bcc", a=2.87, cubic=True).repeat(3),
        "Mg hcp": bulk("Mg", "hcp", a=3.21, c=5.21, orthorhombic=True).repeat(2),
        "Si diamond": bulk("Si", "diamond", a=5.43, cubic=True).repeat(2),
        "Cu fcc, 0.25 Å noise": disordered,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--samples", type=int, default=1000, help="Monte-Carlo dropout passes (default 1000)")
    args = parser.parse_args(argv)

    model = arisekit.load_model(args.model)  # load once, reuse for every call
    named = structures()
    results = arisekit.classify(list(named.values()), n_samples=args.samples, model=model)
    for name, res in zip(named, results, strict=True):
        print(f"{name}: {res.prediction}  (mutual information {res.mutual_information:.4f} nats)")
        for rank, (cls, p) in enumerate(res.top(3), start=1):
            print(f"   {rank}. {cls:<30s} {p:.4f}")


if __name__ == "__main__":
    main()
