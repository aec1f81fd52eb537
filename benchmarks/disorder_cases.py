"""Chemical disorder, gases and odd inputs: the cases of issue 13 that used to get confident wrong answers.

Prints, for each case, the model's answer (probability, mutual information, disorder score, novelty) and
whether it meets the issue's reading: random solid solutions named by their lattice, ordered L1₀/L1₂/B2
kept, a random gas flagged (the "disordered" class or the out-of-library verdict, novelty > 1), never
named a crystal with nothing to say it is none.

    python benchmarks/disorder_cases.py [--model DIR] [--samples 100] [--gas-atoms 100000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from ase import Atoms
from ase.build import bulk

A_FCC, A_BCC = 3.61, 2.87


def _random_alloy(base: Atoms, fraction: float, rng: np.random.Generator, symbol: str = "Au") -> Atoms:
    from arisekit.dataset.disorder import substitute

    return substitute(base, fraction, rng, symbol)


def cases(gas_atoms: int) -> list[tuple[str, Atoms, set[str]]]:
    """(name, structure, accepted answers)."""
    from arisekit.dataset.disorder import random_gas
    from arisekit.model.uncertainty import DISORDERED_CLASS

    rng = np.random.default_rng(2024)
    out = []
    fcc = bulk("Cu", "fcc", a=A_FCC, cubic=True) * (3, 3, 3)
    one = fcc.copy()
    one[0].symbol = "Au"
    out.append(("fcc Cu108 with one Au", one, {"fcc"}))
    big_fcc = bulk("Cu", "fcc", a=A_FCC, cubic=True) * (4, 4, 4)
    big_bcc = bulk("Fe", "bcc", a=A_BCC, cubic=True) * (5, 5, 5)
    big_hcp = bulk("Ti", "hcp", a=2.95, c=4.68) * (6, 6, 4)
    for f in (0.01, 0.05, 0.1, 0.2, 0.3):
        out.append((f"fcc Cu, {f:.0%} random Au", _random_alloy(big_fcc, f, rng), {"fcc"}))
        out.append((f"bcc Fe, {f:.0%} random Cr", _random_alloy(big_bcc, f, rng, "Cr"), {"bcc"}))
        out.append((f"hcp Ti, {f:.0%} random Al", _random_alloy(big_hcp, f, rng, "Al"), {"hcp"}))
    l12 = bulk("Cu", "fcc", a=A_FCC, cubic=True)
    l12[0].symbol = "Au"
    out.append(("ordered L1_2 Cu3Au", l12 * (3, 3, 3), {"L1_2"}))
    l10 = Atoms("AuAuCuCu", scaled_positions=[(0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)],
                cell=[3.9, 3.9, 3.7], pbc=True)  # fmt: skip
    out.append(("ordered L1_0 CuAu", l10 * (3, 3, 3), {"L1_0"}))
    b2 = bulk("CsCl", "cesiumchloride", a=4.12) * (4, 4, 4)
    out.append(("ordered B2 CsCl", b2, {"CsCl"}))
    out.append((f"random gas, {gas_atoms} atoms (periodic)", random_gas(gas_atoms, rng, periodic=True),
                {DISORDERED_CLASS}))  # fmt: skip
    out.append(("random gas, 200 atoms (open)", random_gas(200, rng, periodic=False), {DISORDERED_CLASS}))
    return out


def main(argv=None) -> int:
    from arisekit import classify
    from arisekit.model import load_model
    from arisekit.model.uncertainty import DISORDERED_CLASS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--samples", type=int, default=100, help="MC-dropout passes")
    parser.add_argument("--gas-atoms", type=int, default=100_000)
    parser.add_argument("--gas-sweep", type=int, default=40, help="small random gases to classify (0: none)")
    args = parser.parse_args(argv)
    model = load_model(args.model)
    ok = 0
    rows = cases(args.gas_atoms)
    print(f"{'case':<40s} {'answer':<12s} {'p':>5s} {'MI':>6s} {'score':>6s} {'novel':>6s}  ok")
    for name, atoms, accepted in rows:
        t = time.perf_counter()
        c = classify(atoms, model=model, n_samples=args.samples, seed=0)
        good = c.prediction in accepted
        if accepted == {DISORDERED_CLASS}:  # a gas: flagged (disorder or out-of-library verdict), not named
            good = c.disordered or c.out_of_library
        ok += good
        took = time.perf_counter() - t
        print(
            f"{name:<40s} {c.prediction:<12s} {c.probability:5.2f} {c.mutual_information:6.3f} "
            f"{c.disorder_score:6.3f} {_novelty(c)}  {'yes' if good else 'NO'}  ({took:.1f} s)"
        )
    print(f"{ok} of {len(rows)} cases read as the issue asks")
    if args.gas_sweep:
        gas_sweep(model, args.gas_sweep, args.samples)
    return 0


def gas_sweep(model, count: int, n_samples: int) -> None:
    """Random gases of 60-400 atoms (Poisson or 1.6 Å hard core, periodic or open, seeds 1000+): how many
    get the verdict, and how sure the others are."""
    from arisekit import classify
    from arisekit.dataset.disorder import random_gas
    from arisekit.model.uncertainty import DISORDERED_CLASS

    named = []
    for k in range(count):
        rng = np.random.default_rng(1000 + k)
        n = int(rng.integers(60, 400))
        gas = random_gas(n, rng, periodic=bool(k % 2), hard_core=0.0 if k % 4 < 2 else 1.6)
        c = classify(gas, model=model, n_samples=n_samples, seed=0, min_open_atoms=0)
        if c.prediction != DISORDERED_CLASS:
            named.append((c.prediction, c.probability, c.mutual_information, c))
    flagged = sum(c.out_of_library for *_, c in named)
    print(
        f"gas sweep: {count - len(named)} of {count} random gases get the disorder verdict, "
        f"{flagged} of the other {len(named)} the out-of-library verdict (novelty > 1): "
        f"{count - len(named) + flagged} of {count} flagged"
    )
    for name, p, mi, c in named:
        print(f"  named {name} (p {p:.2f}, MI {mi:.2f}, novelty {_novelty(c).strip()})")


def _novelty(c) -> str:
    return "     –" if c.novelty is None or np.isnan(c.novelty) else f"{c.novelty:6.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
