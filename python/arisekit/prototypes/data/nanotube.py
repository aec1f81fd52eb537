"""Single-walled carbon nanotubes of the ARISE table S6.

The (n, m) pairs with 0 <= m <= n <= 10 whose diameter lies in [4, 6] Å (C-C bond 1.42 Å), built with
``ase.build.nanotube``; the chiral indices are the class labels.
"""

from __future__ import annotations

CATEGORY = "nanotube"

#: Carbon-carbon bond length (Å) of the tubes.
BOND = 1.42

_CHIRALITIES = [
    (3, 3),
    (4, 4),
    (4, 2),
    (4, 3),
    (5, 1),
    (5, 2),
    (5, 3),
    (6, 1),
    (6, 2),
    (7, 1),
    (6, 0),
    (7, 0),
]


def _kind(n: int, m: int) -> str:
    return "armchair" if n == m else ("zigzag" if m == 0 else "chiral")


ENTRIES = [
    dict(
        name=f"CNT_{n}_{m}",
        formula="C",
        spacegroup=None,
        aflow=None,
        paper=97 + k,
        description=f"{_kind(n, m)} single-walled carbon nanotube ({n},{m})",
        structure={"kind": "nanotube", "symbols": ["C"], "n": n, "m": m, "bond": BOND},
    )
    for k, (n, m) in enumerate(_CHIRALITIES)
]
