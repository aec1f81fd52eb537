"""``arisekit explore``: unsupervised exploration of ARISE's hidden-layer representations of an SPM map."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``explore`` sub-command."""
    p = subparsers.add_parser(
        "explore",
        help="cluster (HDBSCAN) and map (UMAP) the neural-network representations of an SPM result",
        description="Cluster the hidden-layer representations of the boxes of an SPM result with HDBSCAN "
        "(sweep of the minimum cluster size with the DBCV validity index, soft assignment of outliers), "
        "project them with UMAP, and write cluster maps, scatter plots and tables into an output directory. "
        "The SPM result must have been computed with representations (spm(..., representations=True)).",
    )
    p.add_argument("result", metavar="RESULT", help="SPM result file (HDF5, SPMResult.save)")
    p.add_argument(
        "--layer",
        type=int,
        default=1,
        help="hidden layer, counted from 1 = first hidden layer (default 1; the Python API counts from 0)",
    )
    p.add_argument("--only-class", default=None, metavar="NAME", help="keep only boxes predicted as NAME")
    p.add_argument(
        "--mi-range",
        type=float,
        nargs=2,
        default=None,
        metavar=("LO", "HI"),
        help="keep only boxes with mutual information in [LO, HI] nats",
    )
    p.add_argument(
        "--min-cluster-size",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="HDBSCAN minimum cluster sizes to sweep (default: 5, 10, 25, 50, 100, 250, 500, 1000 up to half "
        "the boxes); the final clustering uses the one with the highest DBCV unless --use gives one",
    )
    p.add_argument(
        "--use", type=int, default=None, metavar="N", help="minimum cluster size of the final clustering"
    )
    p.add_argument(
        "--min-samples", type=int, default=None, help="HDBSCAN min_samples (default: = cluster size)"
    )
    p.add_argument(
        "--soft-threshold",
        type=float,
        default=0.1,
        help="outliers join their most probable cluster at this membership probability (default 0.1)",
    )
    p.add_argument(
        "--validity",
        choices=("relative", "full", "none"),
        default="relative",
        help="DBCV estimate: hdbscan's relative_validity_ (default), the full validity_index, or none",
    )
    p.add_argument(
        "--standardize",
        action="store_true",
        help="scale every hidden unit to zero mean and unit variance before clustering and UMAP",
    )
    p.add_argument(
        "--slow-features",
        type=int,
        default=0,
        metavar="N",
        help="cluster and map the N spatially slowest directions of the representation (those that change "
        "least between adjacent SPM boxes): separates domains differing by a small, coherent change such "
        "as tetragonality (default 0: off)",
    )
    p.add_argument("--n-neighbors", type=int, default=15, help="UMAP n_neighbors (default 15; ARISE: 50-500)")
    p.add_argument("--no-umap", action="store_true", help="skip the UMAP projection and its plots")
    p.add_argument("--seed", type=int, default=0, help="UMAP random seed (default 0)")
    p.add_argument(
        "--structure",
        default=None,
        metavar="FILE",
        help="the sample the SPM map was computed on: per-atom cluster labels and geometry per cluster",
    )
    p.add_argument(
        "--pairs",
        nargs="+",
        default=None,
        metavar="A-B",
        help="species pairs whose nearest-neighbour distance is histogrammed per cluster, e.g. Fe-Fe Pt-Pt",
    )
    p.add_argument(
        "--delta",
        nargs=2,
        default=None,
        metavar=("A", "B"),
        help="histogram Δd = d_AA - d_BB per cluster (ARISE Fig. 4b), e.g. --delta Fe Pt",
    )
    p.add_argument(
        "--frames",
        nargs="+",
        default=None,
        metavar="RESULT",
        help="further SPM results of later frames (time order): MI histograms, cumulative distributions and "
        "radial MI profiles of RESULT and these frames are written to OUT/timeseries",
    )
    p.add_argument("--top", type=int, default=5, help="exemplars listed per cluster (default 5)")
    p.add_argument("--no-plots", action="store_true", help="write tables only")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output directory (default: RESULT's name + '_explore' beside it)",
    )
    p.set_defaults(func=run)
    return p


def _read_structure(path: str):
    from arisekit.cli.spm import read_structure
    from arisekit.io import check_file

    check_file(path)
    try:
        return read_structure(path)
    except (ValueError, FileNotFoundError):
        raise
    except Exception as exc:  # ase raises many kinds; report them with the file name
        raise ValueError(f"--structure {path}: cannot read structure ({type(exc).__name__}: {exc})") from exc


def run(args: argparse.Namespace) -> int:
    """Run ``arisekit explore``; returns 0 on success."""
    from arisekit._atomic import locked_output

    if args.layer < 1:
        raise ValueError(f"--layer: hidden layers are counted from 1 (first hidden layer), got {args.layer}")
    if args.top < 1:
        raise ValueError(f"--top: must be >= 1, got {args.top}")
    if (args.pairs or args.delta) and not args.structure:
        raise ValueError("--pairs/--delta need --structure FILE (the sample of the SPM result)")
    result_path = Path(args.result)
    out = Path(args.out) if args.out else result_path.with_name(result_path.stem + "_explore")
    inputs = [args.result, args.structure, *(args.frames or [])]
    # before any work: --out is not a file nor an input; held while computing (a second writer is refused)
    with locked_output(out, inputs, directory=True, keep_contents=True):
        return _explore(args, result_path, out)


def _explore(args: argparse.Namespace, result_path: Path, out: Path) -> int:
    from arisekit.explore import explore, write_time_series
    from arisekit.spm import SPMResult

    result = SPMResult.load(result_path)
    atoms = _read_structure(args.structure) if args.structure else None
    ex = explore(
        result,
        layer=args.layer - 1,
        only_class=args.only_class,
        mi_range=args.mi_range,
        min_cluster_sizes=args.min_cluster_size,
        min_cluster_size=args.use,
        min_samples=args.min_samples,
        soft_threshold=args.soft_threshold,
        validity=args.validity,
        standardize=args.standardize,
        slow_features=args.slow_features,
        embed=not args.no_umap,
        n_neighbors=args.n_neighbors,
        seed=args.seed,
        atoms=atoms,
        pairs=args.pairs,
        delta=args.delta,
        top=args.top,
        out_dir=out,
        plots=not args.no_plots,
    )
    if args.frames:
        frames = [result] + [SPMResult.load(f) for f in args.frames]
        labels = [result_path.stem] + [Path(f).stem for f in args.frames]
        write_time_series(frames, out / "timeseries", labels, plots=not args.no_plots)
    print(f"{len(ex.data)} boxes explored (layer {args.layer}); min cluster size sweep:")
    print("  size  clusters  outliers  soft-outliers  DBCV")
    for r in ex.sweep:
        mark = "*" if r.min_cluster_size == ex.clustering.min_cluster_size else " "
        print(
            f" {mark}{r.min_cluster_size:5d} {r.n_clusters:8d}  {r.outlier_fraction:8.1%}  "
            f"{r.soft_outlier_fraction:12.1%}  {r.validity:6.3f}"
        )
    sizes = ", ".join(f"{k}: {v}" for k, v in ex.clustering.sizes().items())
    print(f"clusters (size {ex.clustering.min_cluster_size}; -1 = outliers): {sizes}")
    print(f"results written to {out}")
    return 0
