"""Single-walled carbon nanotubes of the ARISE table S6.

The (n, m) pairs with 0 <= m <= n <= 10 whose diameter lies in [4, 6] Å (C-C bond 1.42 Å), built with
``ase.build.nanotube``; the chiral indices are the class labels. The open tube of at least 100 atoms
(:func:`arisekit.prototypes.variants.supercells`) is the paper's tube, atom for atom.
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


#: The paper's labels: kind, (n, m), chiral angle (degrees) and diameter (Å) as in table S6.
PAPER_LABELS = {
    (3, 3): "armchair_cnt_nm_3_3_30.0_4.07",
    (4, 4): "armchair_cnt_nm_4_4_30.0_5.42",
    (4, 2): "chiral_cnt_nm_4_2_19.11_4.14",
    (4, 3): "chiral_cnt_nm_4_3_25.28_4.76",
    (5, 1): "chiral_cnt_nm_5_1_8.95_4.36",
    (5, 2): "chiral_cnt_nm_5_2_16.1_4.89",
    (5, 3): "chiral_cnt_nm_5_3_21.79_5.48",
    (6, 1): "chiral_cnt_nm_6_1_7.59_5.13",
    (6, 2): "chiral_cnt_nm_6_2_13.9_5.65",
    (7, 1): "chiral_cnt_nm_7_1_6.59_5.91",
    (6, 0): "zigzag_cnt_nm_6_0_0.0_4.7",
    (7, 0): "zigzag_cnt_nm_7_0_0.0_5.48",
}


ENTRIES = [
    dict(
        name=f"CNT_{n}_{m}",
        formula="C",
        spacegroup=None,
        aflow=None,
        paper=97 + k,
        paper_label=PAPER_LABELS[(n, m)],
        description=f"{_kind(n, m)} single-walled carbon nanotube ({n},{m})",
        structure={"kind": "nanotube", "symbols": ["C"], "n": n, "m": m, "bond": BOND},
    )
    for k, (n, m) in enumerate(_CHIRALITIES)
]
