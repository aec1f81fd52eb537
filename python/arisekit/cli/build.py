"""``arisekit build``: write synthetic samples with ground truth (polycrystal, superalloy, nanoparticle)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``build`` and its sample kinds: ``polycrystal``, ``superalloy``, ``nanoparticle``."""
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
    poly.add_argument(
        "--geometry",
        "--mode",
        dest="geometry",
        choices=("slab", "bulk"),
        default="slab",
        help="columnar or 3D grains (--mode is the older name)",
    )
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
    _add_nanoparticle(kinds)
    return p


def _add_nanoparticle(kinds: Any) -> None:
    from arisekit.samples import (
        ANNEALING_ORDERS,
        ANNEALING_SHELLS,
        ANNEALING_SUBDOMAINS,
        NANOPARTICLE_REGIONS,
    )

    nano = kinds.add_parser(
        "nanoparticle",
        help="FePt-like faceted nanoparticle (L1_0 domains, L1_2 regions, A1 shell) with AET-like errors",
        description="Faceted fcc FePt-like particle with per-atom truth; with --steps an annealing series "
        "(a seeded order-parameter schedule: order S rises, variant domains coarsen, the disordered shell "
        "may thin). A point cloud "
        "(.csv/.txt: species x y z, Å) gets a <stem>.truth.npz beside it; .xyz (extended XYZ) keeps the "
        "truth arrays itself. Series files are named <stem>_t0<suffix>, <stem>_t1<suffix>, ...",
    )
    nano.add_argument("--atoms", type=int, default=23_000, help="target atom count (default 23000)")
    nano.add_argument("--lattice-constant", type=float, default=3.8, help="fcc a (Å, default 3.8)")
    nano.add_argument(
        "--regions",
        nargs="+",
        default=list(NANOPARTICLE_REGIONS),
        choices=("L1_0", "Fe3Pt", "FePt3"),
        help="core regions (default: %(default)s)",
    )
    nano.add_argument("--c-axes", nargs="+", type=int, default=None, help="c axis (0/1/2) per L1_0 domain")
    nano.add_argument("--c-over-a", nargs="+", type=float, default=None, help="c/a per L1_0 domain")
    nano.add_argument(
        "--steps", type=int, default=None, help="annealing steps (default: one particle at --order/--shell)"
    )
    nano.add_argument(
        "--orders",
        nargs="+",
        type=float,
        default=list(ANNEALING_ORDERS),
        help="long-range order S per step (default %(default)s)",
    )
    nano.add_argument(
        "--shells",
        nargs="+",
        type=float,
        default=list(ANNEALING_SHELLS),
        help="disordered-shell thickness (Å) per step (default %(default)s)",
    )
    nano.add_argument(
        "--subdomains",
        nargs="+",
        type=int,
        default=list(ANNEALING_SUBDOMAINS),
        help="variant domains per region per step (coarsening; default %(default)s)",
    )
    nano.add_argument("--order", type=float, default=1.0, help="long-range order S of one particle")
    nano.add_argument("--domains", type=int, default=1, help="variant domains per region of one particle")
    nano.add_argument("--shell", type=float, default=6.0, help="shell thickness of one particle (Å)")
    nano.add_argument("--shell-pt-fraction", type=float, default=0.5, help="Pt fraction of the A1 shell")
    nano.add_argument(
        "--position-noise",
        type=float,
        default=0.2,
        help="Gaussian sigma per coordinate (Å, default 0.2 = 20 pm; 0 = none)",
    )
    nano.add_argument("--species-error", type=float, default=0.03, help="fraction mislabelled (0.03)")
    nano.add_argument("--missing", type=float, default=0.02, help="fraction of atoms removed (0.02)")
    nano.add_argument("--spurious", type=float, default=0.01, help="fraction of atoms added (0.01)")
    nano.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    nano.add_argument("--out", required=True, metavar="FILE", help="output (.csv/.txt point cloud or .xyz)")
    nano.add_argument("--format", default=None, help="ase.io format (default: from the file name)")
    nano.set_defaults(func=_run_nanoparticle)


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
        geometry=args.geometry,
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


def _run_nanoparticle(args: argparse.Namespace) -> int:
    from arisekit.samples import aet_errors, annealing_series, fept_nanoparticle, write_aet

    template_kw = dict(
        lattice_constant=args.lattice_constant,
        regions=args.regions,
        c_axes=args.c_axes,
        c_over_a=args.c_over_a,
    )
    if args.steps is None:
        clean = [
            fept_nanoparticle(
                args.atoms,
                args.seed,
                order=args.order,
                shell_thickness=args.shell,
                shell_pt_fraction=args.shell_pt_fraction,
                subdomains=args.domains,
                **template_kw,
            )
        ]
        paths = [Path(args.out)]
    else:
        n = args.steps
        if n < 1 or min(len(args.orders), len(args.shells), len(args.subdomains)) < n:
            raise ValueError(
                f"--steps {n}: give at least that many --orders ({len(args.orders)}), --shells "
                f"({len(args.shells)}) and --subdomains ({len(args.subdomains)})"
            )
        clean = annealing_series(
            args.atoms,
            args.seed,
            orders=args.orders[: args.steps],
            shells=args.shells[: args.steps],
            subdomains=args.subdomains[: args.steps],
            shell_pt_fraction=args.shell_pt_fraction,
            **template_kw,
        )
        out = Path(args.out)
        paths = [out.with_name(f"{out.stem}_t{k}{out.suffix}") for k in range(args.steps)]
    for k, (atoms, path) in enumerate(zip(clean, paths, strict=True)):
        noisy = aet_errors(
            atoms,
            args.seed * 1000 + k,
            position_noise=args.position_noise,
            species_error=args.species_error,
            missing=args.missing,
            spurious=args.spurious,
        )
        try:
            files = write_aet(noisy, path, fmt=args.format)
        except Exception as exc:  # ase raises many kinds (unknown format, unsupported arrays, ...)
            raise ValueError(f"{path}: cannot write the sample ({type(exc).__name__}: {exc})") from exc
        i = noisy.info
        print(
            f"wrote {', '.join(str(f) for f in files)}: nanoparticle step {k}, {len(noisy)} atoms "
            f"({noisy.get_chemical_formula()}), order S={i['order']:.2f} (measured {i['lro']:.3f}), "
            f"{i['subdomains']} domain(s) per region, "
            f"shell {i['shell_thickness']:g} Å, {i['n_missing']} missing, {i['n_spurious']} spurious, "
            f"{i['n_mislabelled']} mislabelled"
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
