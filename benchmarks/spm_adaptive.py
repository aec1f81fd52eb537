"""Adaptive Monte-Carlo dropout (arisekit.spm.adaptive) against the fixed-T result on SPM benchmark frames.

The box descriptors of each frame are computed once; then the shipped model classifies them with all T
passes and adaptively (the first passes for every box, all T for boxes not settled and for the audit).
Printed per frame: boxes, fraction settled early, mean passes per box; for the per-box rule alone the argmax
agreement and |ΔMI| against the fixed-T result; the audit and whether it certifies the run (else SPM
returns the fixed-T result of a rerun); the MC time of the fixed-T and of the returned result (a rerun
counted as one more fixed-T pass; SPM also recomputes the descriptors then). Frames: the 4-grain slab
polycrystal of benchmarks/spm.py (grain boundaries, uncertain boxes), periodic fcc frames with Gaussian
(thermal) and uniform (``displace``, as part 3 of benchmarks/spm.py) displacements, the superalloy, and the
FePt nanoparticle with AET errors (exact boxes).

Usage: python benchmarks/spm_adaptive.py [--samples 100] [--cells 24] [--first 16]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine

from arisekit.model import resolve_model
from arisekit.prototypes import displace
from arisekit.samples import polycrystal, superalloy
from arisekit.spm.adaptive import AdaptiveMC, AuditTally, adaptive_predict
from arisekit.spm.core import _descriptor, _prepare
from arisekit.spm.descriptors import exact_descriptors, fast_descriptors
from arisekit.spm.grid import spm_grid


def _descriptors(atoms, clf, box, stride, fast: bool) -> np.ndarray:
    sample = _prepare(atoms)
    grid, _, _ = spm_grid(sample.positions, box, stride)
    valid = grid.counts >= 10
    source = fast_descriptors if fast else exact_descriptors
    return np.concatenate([x for _, x in source(sample, grid, _descriptor(clf), valid)])


def compare(name: str, X: np.ndarray, clf, n_samples: int, base: AdaptiveMC, seed: int) -> None:
    """Fixed T against adaptive sampling on the boxes ``X``: the per-box rule alone, and what SPM returns
    (the adaptive result when the audit certifies it, else the fixed-T result of a rerun)."""
    t0 = time.perf_counter()
    ref = clf.predict_uncertainty(X, n_samples=n_samples, seed=seed)
    t_fixed = time.perf_counter() - t0
    rule = base.for_grid(len(X))  # every box here is a grid box (SPM counts empty ones too)
    tally = AuditTally()
    t0 = time.perf_counter()
    res = adaptive_predict(clf, X, n_samples, seed, rule, tally=tally)
    t_adaptive = time.perf_counter() - t0
    early = res.passes < n_samples
    agree = np.mean(np.argmax(res.probabilities, axis=1) == np.argmax(ref.probabilities, axis=1))
    dmi = np.abs(res.mutual_information - ref.mutual_information)
    moved = (np.argmax(res.probabilities, axis=1) != np.argmax(ref.probabilities, axis=1)) | (
        dmi > rule.mi_tolerance
    )
    certified = tally.certified(rule)
    t_returned = t_adaptive if certified else t_adaptive + t_fixed
    print(
        f"{name}: {len(X)} boxes, stopped after {rule.first} passes: {100 * early.mean():.1f} %, mean passes "
        f"{res.passes.mean():.1f} of {n_samples}; rule alone: argmax agreement {100 * agree:.3f} %, "
        f"|dMI| > {rule.mi_tolerance}: {int((dmi > rule.mi_tolerance).sum())} boxes "
        f"({100 * np.mean(dmi > rule.mi_tolerance):.3f} %), max {dmi.max():.4f}; "
        f"stopped boxes whose class or MI moved: {int(moved[early].sum())} "
        f"({100 * moved[early].sum() / max(early.sum(), 1):.2f} %); "
        f"audit ({100 * rule.audit:.1f} % of settled boxes): {tally.mismatches} mismatches in "
        f"{tally.audited} audited of {tally.settled} settled (95 % bound {100 * tally.bound():.3f} %, "
        f"limit {100 * rule.max_rate:.1f} %) -> "
        + (
            "certified: returned as is"
            if certified
            else "not certified: SPM returns the fixed-T result of a rerun (argmax 100 %, |dMI| 0)"
        )
        + f"; MC time fixed {t_fixed:.1f} s, returned {t_returned:.1f} s (x{t_fixed / t_returned:.2f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--first", type=int, default=AdaptiveMC.first)
    parser.add_argument("--confidence", type=float, default=AdaptiveMC.confidence)
    parser.add_argument("--cells", type=int, default=24, help="fcc cells per edge of the periodic frame")
    parser.add_argument("--model")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    clf = resolve_model(args.model)
    rule = AdaptiveMC(first=args.first, confidence=args.confidence)
    print(f"machine: {machine()}")
    slab = polycrystal(
        ["fcc", "bcc", "hcp", "diamond"], (88.0, 88.0, 15.0), geometry="slab", seed=0, species="Cu"
    )
    X = _descriptors(slab, clf, 16.0, 2.0, False)
    compare("slab polycrystal (16 Å / 2 Å)", X, clf, args.samples, rule, args.seed)
    from ase.build import bulk

    frame = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(args.cells)
    frame.positions += np.random.default_rng(args.seed).normal(0, 0.02 * 2.55, frame.positions.shape)
    frame.pbc = True
    X = _descriptors(frame, clf, 12.0, 3.0, True)
    compare("periodic thermal fcc (12 Å / 3 Å)", X, clf, args.samples, rule, args.seed)
    frame = displace(bulk("Cu", "fcc", a=3.61, cubic=True).repeat(args.cells), 0.02, args.seed)
    X = _descriptors(frame, clf, 12.0, 3.0, True)
    name = "periodic fcc, displace 2 % as spm.py --large (12 Å / 3 Å)"
    compare(name, X, clf, args.samples, rule, args.seed)
    X = _descriptors(superalloy(seed=args.seed), clf, 16.0, 3.0, True)
    compare("superalloy, L1_2 precipitate (16 Å / 3 Å)", X, clf, args.samples, rule, args.seed)
    from arisekit.samples import aet_errors, annealing_series

    particle = aet_errors(annealing_series(23_000, args.seed)[-1], args.seed, position_noise=0.2)
    X = _descriptors(particle, clf, 16.0, 3.0, False)
    compare("FePt nanoparticle, AET errors (exact, 16 Å / 3 Å)", X, clf, args.samples, rule, args.seed)


if __name__ == "__main__":
    main()
