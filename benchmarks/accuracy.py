"""Accuracy benchmark of ARISE vs spglib, PTM, CNA, a-CNA and Ackland–Jones on defective structures.

Thin wrapper around ``arisekit benchmark accuracy`` (see ``python/arisekit/benchmark``): the paper's
defect protocol (pristine; δ = 0.1–10 % of d_NN; η = 1–30 %; combined (η, δ) of Table S3) on the
prototype library, ≥ 10 realisations (seed 1000), 100 Monte-Carlo dropout samples. Writes accuracy.md,
accuracy.json, predictions.csv and accuracy.png.

    python benchmarks/accuracy.py --out /tmp/accuracy [--quick] [--model DIR] [--realizations 10] ...

Any option of ``arisekit benchmark accuracy`` is accepted.
"""

from __future__ import annotations

import sys

from arisekit.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", "accuracy", *sys.argv[1:]]))
