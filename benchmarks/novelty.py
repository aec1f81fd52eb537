"""False alarms of the out-of-library verdict (novelty > 1) on library crystals.

Every library class as its first supercell, pristine and with the paper's defects (uniform displacements
of 1/5/10 % of d_NN, 10/25 % vacancies), and with Gaussian thermal displacements (3/6 % of d_NN): the
share of structures the shipped model (or ``--model``) calls out of library, per defect kind, with the
classes that are flagged. These structures are made here with fresh seeds (not the training rows); a
false alarm is a library crystal flagged as unknown (its prediction may still be right).

    python benchmarks/novelty.py [--model DIR] [--samples 50] [--seed 7]
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np


def main(argv=None) -> int:
    from arisekit import prototypes
    from arisekit.dataset.disorder import gaussian_displacements
    from arisekit.geometry import nearest_neighbor_distance
    from arisekit.model import load_model
    from arisekit.model.classification import compute_descriptors
    from arisekit.model.novelty import out_of_library

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--samples", type=int, default=50, help="MC-dropout passes")
    parser.add_argument("--seed", type=int, default=7, help="seed of the defects")
    args = parser.parse_args(argv)
    clf = load_model(args.model)
    if clf.novelty_ is None:
        raise SystemExit(f"{args.model or 'the shipped model'} has no novelty reference")
    rng = np.random.default_rng(args.seed)
    kinds = {
        "pristine": lambda a: a,
        "uniform 1 %": lambda a: prototypes.displace(a, 0.01, rng),
        "uniform 5 %": lambda a: prototypes.displace(a, 0.05, rng),
        "uniform 10 %": lambda a: prototypes.displace(a, 0.10, rng),
        "vacancies 10 %": lambda a: prototypes.remove_atoms(a, 0.10, rng),
        "vacancies 25 %": lambda a: prototypes.remove_atoms(a, 0.25, rng),
        "Gaussian 3 %": lambda a: gaussian_displacements(a, 0.03, rng, nearest_neighbor_distance(a)),
        "Gaussian 6 %": lambda a: gaussian_displacements(a, 0.06, rng, nearest_neighbor_distance(a)),
    }
    names = prototypes.names()
    bases = [prototypes.supercells(n)[0] for n in names]
    print(f"{'defects':<16s} {'flagged':>8s} {'right':>7s}  classes flagged")
    for kind, make in kinds.items():
        X = compute_descriptors([make(b.copy()) for b in bases], clf.descriptor_params_)
        res = clf.predict_uncertainty(X, n_samples=args.samples, seed=0)
        flagged = out_of_library(res.novelty)
        right = np.array([str(clf.classes_[k]) == n for k, n in zip(res.predictions, names, strict=True)])
        which = Counter(n for n, f in zip(names, flagged, strict=True) if f)
        print(
            f"{kind:<16s} {flagged.mean():8.1%} {right.mean():7.1%}  "
            + (", ".join(sorted(which)) if which else "-")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
