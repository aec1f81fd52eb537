"""``arisekit build``: write synthetic samples with ground truth (polycrystal, superalloy) to a file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``build`` sub-command and its ``polycrystal`` / ``superalloy`` sample kinds."""
    p = subparsers.add_parser(
        "build",
        help="build synthetic samples with ground-truth labels",
        description="Write a synthetic sample (extended XYZ keeps the per-atom labels grain_id, class_label, "
        "...). Lengths in Å.",
    )
    kinds = p.add_subparsers(dest="sample", metavar="SAMPLE", required=True)

    poly = kinds.add_parser("polycrystal", help="Voronoi polycrystal of randomly rotated prototype grains")
    poly.add_argument("--grains", nargs="+", required=True, metavar="CLASS", help="prototype class names")
    poly.add_argument(
        "--size", nargs=3, type=float, required=True, metavar=("LX", "LY", "LZ"), help="box (Å)"
    )
    poly.add_argument("--n-grains", type=int, default=None, help="number of grains (default: one per class)")
    poly.add_argument("--mode", choices=("slab", "bulk"), default="slab", help="columnar or 3D grains")
    poly.add_argument("--rotation", choices=("uniform", "z"), default="uniform", help="grain orientations")
    poly.add_argument(
        "--d-nn", type=float, default=2.5, help="common nearest-neighbour distance (Å, default 2.5)"
    )
    poly.add_argument("--own-scale", action="store_true", help="keep each prototype's own lattice parameters")
    poly.add_argument("--species", default=None, help="give every atom this element (mono-species sample)")
    poly.add_argument("--min-distance", type=float, default=None, help="closest allowed cross-grain pair (Å)")
    _common(poly)
    poly.set_defaults(func=_run_polycrystal)

    alloy = kinds.add_parser("superalloy", help="fcc Ni/Al matrix with a cubic L1_2 Ni3Al precipitate")
    alloy.add_argument("--edge", type=float, default=120.0, help="cube edge (Å, default 120)")
    alloy.add_argument(
        "--precipitate-edge", type=float, default=40.0, help="precipitate edge (Å, default 40)"
    )
    alloy.add_argument("--lattice-constant", type=float, default=3.57, help="fcc a (Å, default 3.57)")
    alloy.add_argument("--al-fraction", type=float, default=0.125, help="Al fraction of the matrix (0.125)")
    _common(alloy)
    alloy.set_defaults(func=_run_superalloy)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--noise", type=float, default=0.0, help="uniform displacement, fraction of d_NN (default 0)"
    )
    p.add_argument("--missing", type=float, default=0.0, help="fraction of atoms removed (default 0)")
    p.add_argument("--out", required=True, metavar="FILE", help="output file (.xyz: extended XYZ)")
    p.add_argument("--format", default=None, help="ase.io format (default: from the file name)")


def _run_polycrystal(args: argparse.Namespace) -> int:
    from arisekit.samples import polycrystal

    atoms = polycrystal(
        args.grains,
        args.size,
        n_grains=args.n_grains,
        mode=args.mode,
        seed=args.seed,
        noise=args.noise,
        missing=args.missing,
        min_distance=args.min_distance,
        d_nn=None if args.own_scale else args.d_nn,
        rotation=args.rotation,
        species=args.species,
    )
    _write(atoms, args)
    counts = ", ".join(
        f"{k}:{name}={int((atoms.arrays['grain_id'] == k).sum())}"
        for k, name in enumerate(atoms.info["grain_classes"])
    )
    print(
        f"wrote {args.out}: polycrystal, {len(atoms)} atoms, "
        f"{len(atoms.info['grain_classes'])} grains ({counts})"
    )
    return 0


def _run_superalloy(args: argparse.Namespace) -> int:
    from arisekit.samples import superalloy

    atoms = superalloy(
        args.edge,
        args.precipitate_edge,
        args.seed,
        lattice_constant=args.lattice_constant,
        al_fraction=args.al_fraction,
        noise=args.noise,
        missing=args.missing,
    )
    _write(atoms, args)
    n_prec = int(atoms.arrays["in_precipitate"].sum())
    print(
        f"wrote {args.out}: superalloy, {len(atoms)} atoms ({atoms.get_chemical_formula()}), "
        f"{n_prec} in precipitate"
    )
    return 0


def _write(atoms, args: argparse.Namespace) -> None:
    import ase.io

    fmt = args.format
    if fmt is None and Path(args.out).suffix.lower() == ".xyz":
        fmt = "extxyz"
    try:
        ase.io.write(args.out, atoms, format=fmt)
    except Exception as exc:  # ase raises many kinds (unknown format, unsupported arrays, ...)
        raise ValueError(f"{args.out}: cannot write the sample ({type(exc).__name__}: {exc})") from exc
