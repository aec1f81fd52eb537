"""``arisekit dataset build|disorder|merge``: descriptor datasets (HDF5, resumable builds)."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help="build training / benchmark datasets")
    sub = parser.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)
    build = sub.add_parser(
        "build",
        help="compute descriptors for a plan of classes, variants and SOAP settings",
        description="Compute ARISE descriptors for the prototype library and write one HDF5 file. "
        "Interrupted builds resume: finished structures are kept in OUT.parts/ and not recomputed.",
    )
    build.add_argument("--out", required=True, help="output HDF5 file")
    build.add_argument("--classes", nargs="+", help="class names (default: the whole library)")
    build.add_argument(
        "--paper", action="store_true", help="the paper's full SOAP grid and 10 defect realisations"
    )
    build.add_argument("--cutoffs", nargs="+", type=float, help="SOAP cutoffs in d_NN units")
    build.add_argument("--sigmas", nargs="+", type=float, help="Gaussian widths in d_NN units")
    build.add_argument("--scales", nargs="+", type=float, help="extrinsic scale factors")
    build.add_argument(
        "--displacements", nargs="*", type=float, help="displacement levels δ (fraction of d_NN)"
    )
    build.add_argument("--missing", nargs="*", type=float, help="missing-atom fractions η")
    build.add_argument("--no-combined", action="store_true", help="skip combined (η, δ) defects")
    build.add_argument("--no-defects", action="store_true", help="pristine structures only")
    build.add_argument("--no-periodic", action="store_true", help="skip periodic cells")
    build.add_argument("--no-supercells", action="store_true", help="skip open supercells")
    build.add_argument("--realizations", type=int, help="random realisations per defect level")
    build.add_argument(
        "--d-nn-method",
        choices=("hist", "shell", "mean"),
        default="shell",
        help="d_NN rule (default shell: the paper's value on perfect crystals, right under thermal noise; "
        "hist: the paper's histogram rule everywhere)",
    )
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    build.add_argument("--scheduler", help="address of an existing Dask scheduler (instead of local workers)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=_build)

    dis = sub.add_parser(
        "disorder",
        help="thermal, solid-solution, MD and gas rows (with the 'disordered' class)",
        description="Describe the disorder rows of arisekit.dataset.disorder: Gaussian and correlated "
        "thermal "
        "displacements of every class, random solid solutions (labelled by lattice), random gases and - "
        "with LAMMPS or cached frames - MD crystals, liquids and glasses of the training potentials. "
        "Resumable (OUT.parts/).",
    )
    dis.add_argument("--out", required=True, help="output HDF5 file")
    dis.add_argument("--md-cache", help="MD frame cache directory (default: arisekit.md's cache)")
    dis.add_argument("--no-md", action="store_true", help="leave out the MD rows (no LAMMPS needed)")
    dis.add_argument("--d-nn-method", choices=("hist", "shell", "mean"), default="shell")
    dis.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    dis.set_defaults(func=_disorder)

    merge = sub.add_parser("merge", help="merge training-set files made with the same descriptor")
    merge.add_argument("inputs", nargs="+", help="HDF5 training-set files")
    merge.add_argument("--out", required=True, help="output HDF5 file")
    merge.set_defaults(func=_merge)


def _plan(args: argparse.Namespace):
    from arisekit.dataset import DatasetPlan

    plan = DatasetPlan.paper() if args.paper else DatasetPlan()
    for name in ("cutoffs", "sigmas", "scales", "displacements", "missing", "realizations"):
        value = getattr(args, name)
        if value is not None:
            setattr(plan, name, value)
    if args.classes:
        plan.classes = args.classes
    if args.no_combined or args.no_defects:
        plan.combined = ()
    if args.no_defects:
        plan.displacements, plan.missing = (), ()
    plan.periodic = not args.no_periodic
    plan.supercells = not args.no_supercells
    plan.seed = args.seed
    return plan


def _build(args: argparse.Namespace) -> int:
    from arisekit.dataset import build_dataset
    from arisekit.descriptors.arise import DEFAULT_CENTRAL_WEIGHT

    out = build_dataset(
        _plan(args),
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
        # explicit, so that the file's descriptor_params record it (the paper's descriptor: 0.0)
        descriptor_kwargs={"central_weight": DEFAULT_CENTRAL_WEIGHT, "d_nn_method": args.d_nn_method},
    )
    print(f"dataset written to {out}")
    return 0


def _disorder(args: argparse.Namespace) -> int:
    from arisekit.dataset.disorder_build import build_disorder_dataset
    from arisekit.dataset.plan import CENTRAL
    from arisekit.descriptors.arise import DEFAULT_CENTRAL_WEIGHT

    kwargs = dict(
        cutoff=CENTRAL[0],
        atom_sigma=CENTRAL[1],
        extrinsic_scale=CENTRAL[2],
        central_weight=DEFAULT_CENTRAL_WEIGHT,
        d_nn_method=args.d_nn_method,
    )
    out = build_disorder_dataset(
        args.out,
        descriptor_kwargs=kwargs,
        md_cache=args.md_cache,
        with_md=not args.no_md,
        workers=args.workers,
    )
    print(f"dataset written to {out}")
    return 0


def _merge(args: argparse.Namespace) -> int:
    from arisekit.dataset.disorder_build import merge_datasets

    out = merge_datasets(args.inputs, args.out)
    print(f"merged dataset written to {out}")
    return 0
