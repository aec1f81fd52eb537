"""``arisekit prototypes``: list the prototype library and write the structure of one class."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

_CATEGORIES = ("elemental", "binary", "ternary", "quaternary", "2D", "nanotube")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``prototypes`` sub-command with its ``list`` and ``show`` actions."""
    p = subparsers.add_parser(
        "prototypes",
        help="list the prototype classes or write the structure of one",
        description="The library of structural prototype classes (space group, AFLOW label, species). "
        "Lengths in Å.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    lst = actions.add_parser("list", help="table of the classes (or JSON metadata)")
    lst.add_argument("--category", choices=_CATEGORIES, default=None, help="only this category")
    lst.add_argument("--json", action="store_true", help="print the metadata as JSON")
    lst.set_defaults(func=_run_list)

    show = actions.add_parser("show", help="summary of one class, or write its structure with --out")
    show.add_argument(
        "name",
        help="class name or the paper's label (see `arisekit prototypes list`), e.g. fcc_Cu_A_cF4_225_a",
    )
    show.add_argument("--out", default=None, metavar="FILE", help="write the structure (any ase.io format)")
    show.add_argument("--format", default=None, help="ase.io format (default: from the file name)")
    show.add_argument(
        "--supercell",
        type=int,
        default=None,
        metavar="K",
        help="write the K-th open isotropic supercell (0: smallest with >= 100 atoms)",
    )
    show.set_defaults(func=_run_show)
    return p


def _run_list(args: argparse.Namespace) -> int:
    from arisekit import prototypes

    if args.json:
        print(prototypes.to_json(args.category))
        return 0
    rows = prototypes.list_prototypes(args.category)
    head = f"{'name':<22} {'category':<11} {'formula':<16} {'SG':>4}  {'paper label':<32} {'AFLOW label':<24}"
    print(f"{head} description")
    for p in rows:
        sg = "" if p.spacegroup is None else str(p.spacegroup)
        print(
            f"{p.name:<22} {p.category:<11} {p.formula:<16} {sg:>4}  {p.paper_label or '-':<32} "
            f"{p.aflow or '-':<24} {p.description}"
        )
    print(f"{len(rows)} classes")
    return 0


def _run_show(args: argparse.Namespace) -> int:
    from arisekit import prototypes

    proto = prototypes.get(args.name)
    if args.supercell is None:
        atoms = proto.build()
    else:
        if args.supercell < 0:
            raise ValueError(f"--supercell must be a non-negative index, got {args.supercell}")
        atoms = prototypes.supercells(proto.name, count=args.supercell + 1)[args.supercell]
    if args.out:
        from ase.io import write

        write(Path(args.out), atoms, format=args.format)
        print(f"wrote {proto.name}: {len(atoms)} atoms -> {args.out}")
        return 0
    meta = proto.to_dict()
    meta["n_atoms"] = len(atoms)
    meta["chemical_formula"] = atoms.get_chemical_formula()
    meta["pbc"] = [bool(x) for x in atoms.pbc]
    meta["cell_lengths"] = [round(float(x), 4) for x in atoms.cell.lengths()]
    meta["cell_angles"] = [round(float(x), 3) for x in atoms.cell.angles()]
    width = max(len(k) for k in meta)
    for key, value in meta.items():
        text = json.dumps(value) if isinstance(value, list) else ("-" if value is None else str(value))
        print(f"{key:<{width}}  {text}")
    return 0
