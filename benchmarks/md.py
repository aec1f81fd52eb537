"""MD benchmark of issue 13: thermal crystals up to T_m, liquids and glasses with real potentials.

Thin wrapper around ``arisekit benchmark md`` (see ``python/arisekit/benchmark/md.py``): LAMMPS frames
(Zhou EAM Cu, Fe, Ti, Stillinger-Weber Si; held back: Zhou Al, W, Mg, Foiles Cu, Tersoff Si) at
T/T_m = 0.1-1.0, liquids at 1.2 and 1.6 T_m and a quenched glass, made at run time and cached (never
committed); scored per frame (classify) and per atom (SPM 12 Å / 3 Å projected onto atoms) beside
OVITO's PTM (cutoff 0.1 and none), a-CNA, Ackland-Jones and IdentifyDiamond, each timed. Writes md.json,
md.md, md_atoms.npz, md_accuracy.png and md_roc.png. Needs ``pip install 'arisekit[md]'``.

    python benchmarks/md.py --out /tmp/md [--quick] [--model DIR] [--cache DIR] [--n-samples 100]

Any option of ``arisekit benchmark md`` is accepted.
"""

from __future__ import annotations

import sys

from arisekit.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", "md", *sys.argv[1:]]))
