"""How distinct the library's classes are, and how close they are to the ARISE paper's own geometries.

Prints every pair of classes whose ARISE descriptors (paper settings: 4.0 d_NN cutoff, 0.1 d_NN width,
central weight 0; periodic cell, nanotubes as their open tube) have cosine similarity >= --threshold: pairs
near 1 cannot be told apart by any classifier on this descriptor. With ``../shared/arise-prototypes``
present it also prints, per paper label, the cosine of the library class to the paper's file (2D layers
as single layers) and the smallest of them.

Usage: python benchmarks/library_similarity.py [--threshold 0.995] [--shared ../shared/arise-prototypes]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
from _common import machine

from arisekit import prototypes
from arisekit.descriptors import arise_soap


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _library_structure(proto):
    return prototypes.supercells(proto.name)[0] if proto.category == "nanotube" else proto.build()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.995)
    parser.add_argument(
        "--shared", default=str(Path(__file__).resolve().parents[2] / "shared/arise-prototypes")
    )
    args = parser.parse_args()
    print(f"# library similarity ({machine()})")
    protos = prototypes.list_prototypes()
    X = np.array([_unit(arise_soap(_library_structure(p), undefined_pairs="skip")) for p in protos])
    C = X @ X.T
    pairs = [(C[i, j], protos[i].name, protos[j].name) for i in range(len(protos)) for j in range(i)]
    close = sorted((p for p in pairs if p[0] >= args.threshold), reverse=True)
    print(f"{len(protos)} classes; pairs with cosine >= {args.threshold}: {len(close)}")
    for c, a, b in close:
        print(f"  {a:<24} {b:<24} {c:.6f}")
    shared = Path(args.shared)
    if not shared.is_dir():
        print(f"(no {shared}: paper geometries not compared)")
        return
    from ase.io import read

    worst = []
    for path in sorted(shared.glob("*/*/*.in")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = read(path, format="aims")
        folder = path.parent.parent.name
        ref.pbc = {"Nanotubes": False, "2D_materials": (True, True, False)}.get(folder, True)
        proto = prototypes.get(path.parent.name)
        ours = _library_structure(proto)
        cos = float(
            _unit(arise_soap(ours, undefined_pairs="skip")) @ _unit(arise_soap(ref, undefined_pairs="skip"))
        )
        worst.append((cos, path.parent.name, proto.name))
    worst.sort()
    print(f"paper geometries: {len(worst)}; smallest cosine library class vs paper file: {worst[0][0]:.6f}")
    for cos, label, name in worst[:5]:
        print(f"  {label:<34} {name:<24} {cos:.6f}")


if __name__ == "__main__":
    main()
