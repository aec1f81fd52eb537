"""``arisekit benchmark``: accuracy vs baselines on defective structures, out-of-library study, Bain path."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "benchmark",
        help="accuracy benchmark against spglib/PTM/CNA/BAA, out-of-library study, Bain-path scan",
    )
    sub = parser.add_subparsers(dest="benchmark_command", metavar="ACTION", required=True)

    acc = sub.add_parser(
        "accuracy",
        help="the paper's defect protocol on the prototype library: ARISE and the baselines",
        description="Score ARISE and the baselines (spglib loose/tight, PTM, CNA, a-CNA, Ackland-Jones) on "
        "pristine, displaced (δ), depleted (η) and combined (η, δ) structures of the library, each method "
        "only on the classes it is designed for. Writes accuracy.md, accuracy.json, predictions.csv and "
        "accuracy.png to --out. The default (whole library, the paper's protocol: defects on the three "
        "supercells of each class, open and periodic, 10 realisations, 100 MC samples) takes tens of "
        "minutes on 2 cores; --quick takes about a minute.",
    )
    acc.add_argument("--out", required=True, help="output folder")
    acc.add_argument("--model", help="model directory (default: the shipped model)")
    acc.add_argument("--classes", nargs="+", help="library classes (default: all)")
    acc.add_argument("--realizations", type=int, help="random draws per defect level (default 10)")
    acc.add_argument(
        "--seed", type=int, default=1000, help="seed of the defects (default 1000; training uses 0)"
    )
    acc.add_argument("--samples", "--n-samples", dest="samples", type=int, default=100,
                     help="Monte-Carlo dropout passes (default 100)")  # fmt: skip
    acc.add_argument("--mc-seed", type=int, default=0, help="seed of the dropout masks (default 0)")
    acc.add_argument(
        "--methods", nargs="+", help="subset of: arise spglib-loose spglib-tight ptm cna acna baa"
    )
    acc.add_argument(
        "--pristine-supercells", type=int, help="open pristine supercells per class (1-3, default 3)"
    )
    acc.add_argument(
        "--defect-supercells",
        type=int,
        help="supercells per class carrying the defects, open and periodic (1-3; default 3, the paper's)",
    )
    acc.add_argument(
        "--no-periodic", action="store_true", help="skip periodic structures (baselines need them)"
    )
    acc.add_argument("--no-open", action="store_true", help="skip open (non-periodic) structures")
    acc.add_argument("--no-out-of-library", action="store_true", help="skip the out-of-library structures")
    acc.add_argument("--ool-realizations", type=int, help="draws per level of out-of-library structures (2)")
    acc.add_argument("--cna-cutoff", type=float, help="fixed CNA cutoff in d_NN units (default 1.285)")
    acc.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    acc.add_argument("--quick", action="store_true",
                     help="CI run: 6 classes (fcc bcc hcp diamond NaCl graphene), 2 realisations, 1 pristine "
                     "supercell, 1 out-of-library draw")  # fmt: skip
    acc.add_argument("--no-plot", action="store_true", help="do not write accuracy.png")
    acc.add_argument("--quiet", action="store_true", help="no progress bar")
    acc.set_defaults(func=_accuracy)

    ool = sub.add_parser(
        "out-of-library",
        help="top-3 assignments and mutual information of structures absent from the library",
        description="Classify fluorite CaF2, rutile TiO2, cementite Fe3C, type-I clathrates Si46 and "
        "Ba8Si46 and an amorphous random packing (periodic cell and open supercell); writes "
        "out_of_library.md and out_of_library.json to --out.",
    )
    ool.add_argument("--out", required=True, help="output folder")
    ool.add_argument("--model", help="model directory (default: the shipped model)")
    ool.add_argument("--names", nargs="+", help="subset of the out-of-library structures")
    ool.add_argument("--samples", "--n-samples", dest="samples", type=int, default=100,
                     help="Monte-Carlo dropout passes (default 100)")  # fmt: skip
    ool.add_argument("--seed", type=int, default=0, help="seed of the dropout masks")
    ool.add_argument("--top", type=int, default=3, help="classes listed per structure (default 3)")
    ool.set_defaults(func=_out_of_library)

    bain = sub.add_parser(
        "bain",
        help="Bain-path scan: arg-max class and mutual information of bct cells on an (a, c) grid",
        description="Classify body-centred tetragonal cells (a, a, c; 2 atoms) for a, c on a grid "
        "(default the paper's 3.0-6.0 Å in 0.05 Å steps, 3721 cells, ~15 s); writes bain.png and "
        "bain.json to --out.",
    )
    bain.add_argument("--out", required=True, help="output folder")
    bain.add_argument("--model", help="model directory (default: the shipped model)")
    bain.add_argument("--min", type=float, default=3.0, help="smallest a and c in Å (default 3.0)")
    bain.add_argument("--max", type=float, default=6.0, help="largest a and c in Å (default 6.0)")
    bain.add_argument("--step", type=float, default=0.05, help="grid step in Å (default 0.05)")
    bain.add_argument("--element", default="Fe", help="chemical symbol of the atoms (default Fe)")
    bain.add_argument("--samples", "--n-samples", dest="samples", type=int, default=100,
                      help="Monte-Carlo dropout passes (default 100)")  # fmt: skip
    bain.add_argument("--seed", type=int, default=0, help="seed of the dropout masks")
    bain.add_argument("--quiet", action="store_true", help="no progress bar")
    bain.set_defaults(func=_bain)

    hold = sub.add_parser(
        "holdout",
        help="retrain a small model without some classes and score them as out-of-library",
        description="Train a small ARISE model (default 12 classes: fcc bcc hcp sc diamond NaCl CsCl "
        "zincblende wurtzite L1_2 graphene MoS2) without the held-out classes (default hexagonal_diamond "
        "dhcp L1_0 AlB2 beta-Sn), run the defect protocol and report accuracy, ECE and the AUROC of the "
        "mutual information for held-out vs training classes. Writes accuracy.* files to --out.",
    )
    hold.add_argument("--out", required=True, help="output folder")
    hold.add_argument("--train-classes", nargs="+", help="classes of the small model")
    hold.add_argument("--held-out", nargs="+", help="library classes left out of training")
    hold.add_argument("--realizations", type=int, default=2, help="draws per defect level (default 2)")
    hold.add_argument("--seed", type=int, default=1000, help="seed of the evaluation defects (default 1000)")
    hold.add_argument("--epochs", type=int, default=150, help="training epochs (default 150)")
    hold.add_argument("--samples", "--n-samples", dest="samples", type=int, default=100,
                      help="Monte-Carlo dropout passes (default 100)")  # fmt: skip
    hold.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    hold.add_argument("--quiet", action="store_true", help="no progress bar")
    hold.set_defaults(func=_holdout)

    md = sub.add_parser(
        "md",
        help="MD frames (thermal crystals up to T_m, liquids, glasses): ARISE vs PTM, a-CNA, Ackland-Jones",
        description="Make LAMMPS frames with real potentials (main set: Zhou EAM Cu fcc, Fe bcc, Ti hcp and "
        "Stillinger-Weber Si; held-back set: Zhou Al, W, Mg, Foiles Cu, Tersoff Si where available) at "
        "T/T_m = 0.1-1.0, liquids at 1.2 and 1.6 T_m and a glass quenched to 0.25 T_m; T_m from "
        "arisekit.md.MELTING_POINTS. Frames are cached (resumable) under --cache. Each frame is classified "
        "whole (classify) and per atom (SPM 12 A boxes, 3 A stride, projected onto atoms), beside OVITO's "
        "PTM (cutoff 0.1 and none), a-CNA, Ackland-Jones and IdentifyDiamond, each timed. Writes md.json, "
        "md.md, md_atoms.npz, md_accuracy.png and md_roc.png to --out. The default set (81 frames, ~1,500 "
        "atoms) takes about an hour of MD on one core the first time; --quick a few minutes.",
    )
    md.add_argument("--out", required=True, help="output folder")
    md.add_argument("--model", help="model directory (default: the shipped model)")
    md.add_argument("--cache", help="folder of the cached MD frames (default: arisekit.md's default)")
    md.add_argument("--samples", "--n-samples", dest="samples", type=int,
                    help="Monte-Carlo dropout passes (default 100; --quick 30)")  # fmt: skip
    md.add_argument("--mc-seed", type=int, default=0, help="seed of the dropout masks (default 0)")
    md.add_argument("--n-atoms", type=int, help="atoms per frame (default 1500; --quick 500)")
    md.add_argument("--seed", type=int, default=0, help="seed of the MD runs (default 0)")
    md.add_argument("--no-held-back", action="store_true", help="skip the held-back set")
    md.add_argument("--box-size", type=float, default=12.0, help="SPM box edge in A (default 12)")
    md.add_argument("--stride", type=float, default=3.0, help="SPM stride in A (default 3)")
    md.add_argument("--methods", nargs="+", help="OVITO baselines, subset of: ptm ptm0 acna aj ids")
    md.add_argument("--quick", action="store_true",
                    help="smoke run: Zhou Cu and SW Si; crystal at 0.5 and 1.0 T_m, liquid at 1.6 T_m; ~500 "
                    "atoms, short MD, no glass, no held-back set")  # fmt: skip
    md.set_defaults(func=_md)


def protocol_from_args(args: argparse.Namespace):
    """The :class:`~arisekit.benchmark.protocol.Protocol` selected by the command-line options."""
    from arisekit.benchmark.protocol import QUICK_CLASSES, Protocol

    p = Protocol(seed=args.seed)
    if args.quick:
        p.classes, p.realizations, p.pristine_supercells, p.defect_supercells = list(QUICK_CLASSES), 2, 1, 1
    if args.classes:
        p.classes = args.classes
    if args.realizations is not None:
        p.realizations = args.realizations
    if args.pristine_supercells is not None:
        p.pristine_supercells = args.pristine_supercells
    if args.defect_supercells is not None:
        p.defect_supercells = args.defect_supercells
    p.periodic, p.open = not args.no_periodic, not args.no_open
    p.validate()
    return p


def _accuracy(args: argparse.Namespace) -> int:
    from arisekit.benchmark.baselines import CNA_CUTOFF
    from arisekit.benchmark.report import calibration_summary, table_markdown, write_report
    from arisekit.benchmark.runner import run_accuracy

    protocol = protocol_from_args(args)
    ool_realizations = (
        args.ool_realizations if args.ool_realizations is not None else (1 if args.quick else 2)
    )
    run = run_accuracy(
        protocol,
        args.model,
        args.methods,
        n_samples=args.samples,
        mc_seed=args.mc_seed,
        workers=args.workers,
        out_of_library=[] if args.no_out_of_library else None,
        ool_realizations=ool_realizations,
        cna_cutoff=CNA_CUTOFF if args.cna_cutoff is None else args.cna_cutoff,
        progress=not args.quiet,
    )
    paths = write_report(run, args.out, plot=not args.no_plot)
    print(table_markdown(run))
    cal = calibration_summary(run)
    if cal:
        print(f"ECE (15 bins): {cal['ece']:.4f}; AUROC(MI) wrong vs right: {cal['auroc_mi_wrong_vs_right']}; "
              f"AUROC(MI) out- vs in-library: {cal.get('auroc_mi_out_vs_in')}")  # fmt: skip
    print(f"{len(run.structures)} structures in {run.seconds['total_wall']:.0f} s; written: "
          + ", ".join(str(p) for p in paths.values()))  # fmt: skip
    return 0


def _out_of_library(args: argparse.Namespace) -> int:
    from arisekit.benchmark.ool_study import classify_out_of_library, ool_markdown, write_ool_report

    results = classify_out_of_library(
        args.model, args.names, n_samples=args.samples, seed=args.seed, top=args.top
    )
    settings = {"n_samples": args.samples, "seed": args.seed, "model": args.model or "shipped"}
    paths = write_ool_report(results, args.out, settings)
    print(ool_markdown(results))
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0


def _bain(args: argparse.Namespace) -> int:
    from pathlib import Path

    from arisekit.benchmark.bain import bain_scan, grid_values

    grid = grid_values(args.min, args.max, args.step)
    scan = bain_scan(args.model, grid, grid, symbol=args.element, n_samples=args.samples, seed=args.seed,
                     progress=not args.quiet)  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scan.save_json(out / "bain.json")
    scan.plot(out / "bain.png")
    fractions = scan.to_dict()["fraction_of_grid"]
    print(f"{grid.size}² = {grid.size**2} cells; arg-max classes (share of the grid):")
    for name, frac in fractions.items():
        print(f"  {name:>24s}: {100 * frac:5.1f} %")
    print(f"written: {out / 'bain.json'}, {out / 'bain.png'}")
    return 0


def _holdout(args: argparse.Namespace) -> int:
    from arisekit.benchmark.holdout import HELD_OUT, TRAIN_CLASSES, holdout_study
    from arisekit.benchmark.report import calibration_summary, table_markdown, write_report

    run = holdout_study(
        args.train_classes or TRAIN_CLASSES, args.held_out or HELD_OUT, realizations=args.realizations,
        seed=args.seed, n_samples=args.samples, epochs=args.epochs, workers=args.workers,
        progress=not args.quiet,
    )  # fmt: skip
    paths = write_report(run, args.out)
    print(table_markdown(run))
    cal = calibration_summary(run)
    print(f"AUROC(MI) held-out vs training classes: {cal.get('auroc_mi_out_vs_in')} "
          f"(pristine only: {cal.get('auroc_mi_out_vs_in_pristine')}); ECE {cal['ece']:.4f}")  # fmt: skip
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0


def _md(args: argparse.Namespace) -> int:
    from arisekit.benchmark.md import BASELINE_METHODS, MDSettings, run_md_benchmark
    from arisekit.benchmark.md_report import summary_markdown, table_markdown

    settings = MDSettings.quick() if args.quick else MDSettings()
    if args.samples is not None:
        settings.n_samples = args.samples
    if args.n_atoms is not None:
        settings.n_atoms = args.n_atoms
    if args.no_held_back:
        settings.held_back = ()
    if args.methods:
        unknown = sorted(set(args.methods) - set(BASELINE_METHODS))
        if unknown:
            raise SystemExit(f"unknown --methods {unknown}; choose from {' '.join(BASELINE_METHODS)}")
        settings.methods = tuple(args.methods)
    settings.seed, settings.mc_seed = args.seed, args.mc_seed
    settings.box_size, settings.stride = args.box_size, args.stride
    run = run_md_benchmark(settings, args.model, args.cache, args.out)
    if run.records:
        print(summary_markdown(run))
        print(table_markdown(run))
    n, total, t_md = len(run.records), run.seconds_total, run.seconds_md
    print(f"{n} frames in {total:.0f} s (MD {t_md:.0f} s); written to {args.out}")
    return 0 if run.records else 1
