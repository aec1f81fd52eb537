"""``arisekit spm``: strided pattern matching of one structure file → HDF5 maps and a PNG overview."""

from __future__ import annotations

import argparse

from arisekit.cli._options import add_box_descriptors
from arisekit.modes import GEOMETRIES


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "spm",
        help="map a polycrystal / large sample by strided pattern matching",
        description="Slide a box over the sample, classify every box (probabilities and mutual information) "
        "and write the maps to an HDF5 file (and optionally a PNG overview).",
    )
    p.add_argument(
        "input", help="structure file (any ase.io format; point clouds: .csv/.txt with species x y z)"
    )
    p.add_argument("--out", required=True, help="output HDF5 file")
    p.add_argument("--index", default="-1", help="frame of a multi-frame file (default: last)")
    p.add_argument("--format", help="ase.io format name, if not guessed from the file name")
    p.add_argument("--box-size", type=float, default=16.0, help="box edge in Å (default 16)")
    p.add_argument("--stride", type=float, default=1.0, help="box step in Å (default 1)")
    add_box_descriptors(p, old="--mode")
    p.add_argument("--geometry", choices=GEOMETRIES, default="auto")
    p.add_argument("--samples", type=int, default=100, help="Monte-Carlo dropout passes per box")
    p.add_argument("--min-atoms", type=int, default=10)
    p.add_argument("--representations", action="store_true", help="keep hidden-layer representations")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument("--plot", help="also write a PNG overview to this path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--adaptive",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="adaptive Monte-Carlo sampling: boxes settled after 16 passes (p >= 0.99) stop; an audit must "
        "bound the share of changed boxes by 0.1 %% (95 %% confidence), else the run is redone with all "
        "passes (default: off, SPMParameters.adaptive)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads for descriptors and inference (default 0: all cores available to the process)",
    )
    p.add_argument(
        "--domain-size",
        type=float,
        help="stream the sample through domains of at most this edge (Å; equal domains that tile the grid): "
        "memory set by the domain, not the sample; "
        "the file is written domain by domain and rerunning an interrupted command resumes it",
    )
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://HOST:PORT): domains run on its workers")
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="domains on an embedded Dask LocalCluster of this many worker processes (default 0: in this "
        "process)",
    )
    p.set_defaults(func=_run)


def read_structure(path: str, index: str = "-1", fmt: str | None = None):
    """One frame of a structure file; .csv/.txt point clouds (species x y z) are read as open samples."""
    from pathlib import Path

    from arisekit.io import read_frames, read_point_cloud

    if Path(path).suffix.lower() in (".csv", ".txt") and fmt is None:
        return read_point_cloud(path)
    frames = list(read_frames(path, index=index, format=fmt))
    if not frames:
        raise ValueError(f"{path}: no frame at index {index}")
    return frames[-1]


def _run(args: argparse.Namespace) -> int:
    import contextlib
    from pathlib import Path

    from arisekit._atomic import check_output, output_lock

    check_output(args.out, [args.input])  # before any work: not the input, not a folder
    if args.plot:
        check_output(args.plot, [args.input], what="--plot")
        if check_output(args.plot, what="--plot").absolute() == Path(args.out).absolute():
            raise ValueError(f"--plot {args.plot}: is also --out; give the plot another name")
    with contextlib.ExitStack() as stack:  # held while computing: a second writer is refused at once
        stack.enter_context(output_lock(args.out))
        if args.plot:
            stack.enter_context(output_lock(args.plot))
        return _compute(args)


def _compute(args: argparse.Namespace) -> int:
    from arisekit.parallel import num_threads
    from arisekit.spm import SPMParameters, plot_overview, spm

    params = SPMParameters(
        box_size=args.box_size,
        stride=args.stride,
        box_descriptors=args.box_descriptors,
        geometry=args.geometry,
        n_samples=args.samples,
        min_atoms=args.min_atoms,
        representations=args.representations,
        seed=args.seed,
        **({} if args.adaptive is None else {"adaptive": args.adaptive}),
    )
    if args.domain_size is not None or args.scheduler or args.workers:
        return _compute_streamed(args, params)
    atoms = read_structure(args.input, args.index, args.format)
    with num_threads(args.threads):  # the process-wide setting (arisekit.parallel), for this command
        result = spm(atoms, params, model=args.model, progress=True)
    result.save(args.out)
    print(f"{result.n_boxes} boxes on a {result.geometry} grid {result.shape}; maps written to {args.out}")
    for name, frac in sorted(result.class_fractions().items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:>24s}: {100 * frac:5.1f} % of boxes")
    if args.plot:
        plot_overview(result, path=args.plot)
        print(f"overview plot: {args.plot}")
    return 0


def _read_large_or_any(args: argparse.Namespace):
    """The frame as arrays (:func:`arisekit.io.large.read_large`) for LAMMPS dumps and extended XYZ files,
    else through :func:`read_structure`."""
    from arisekit.io.large import read_large

    try:
        index = int(args.index)
    except ValueError:
        index = None
    fmt = args.format
    if index is not None and fmt in (None, "lammps-dump-text", "extxyz", "xyz"):
        with open(args.input, "rb") as fh:
            first = fh.readline()
        lammps = first.startswith(b"ITEM:")
        if lammps or args.input.lower().endswith((".xyz", ".extxyz")):
            try:
                return read_large(args.input, index, "lammps-dump-text" if lammps else "extxyz")
            except ValueError:
                pass  # a layout read_large does not take (extra string columns, ...): the general reader
    return read_structure(args.input, args.index, args.format)


def _compute_streamed(args: argparse.Namespace, params) -> int:
    import json

    import h5py
    import numpy as np

    from arisekit.parallel import num_threads
    from arisekit.spm import DomainOptions, SPMResult, plot_overview, stream_spm

    options = DomainOptions(
        size=args.domain_size if args.domain_size is not None else DomainOptions.size,
        scheduler=args.scheduler,
        n_workers=args.workers or None,
        threads_per_worker=args.threads or None,
    )
    atoms = _read_large_or_any(args)
    with num_threads(args.threads):
        path = stream_spm(atoms, args.out, params, model=args.model, domains=options, progress=True)
    with h5py.File(path, "r") as f:  # class fractions read in blocks (the file may be large)
        names = json.loads(f.attrs["class_names"])
        prob = f["probabilities"]
        counts = np.zeros(len(names), dtype=np.int64)
        for a in range(0, prob.shape[0], 1 << 16):
            block = prob[a : a + (1 << 16)]
            ok = np.isfinite(block).all(axis=1)
            counts += np.bincount(np.argmax(block[ok], axis=1), minlength=len(names))
        shape = tuple(int(x) for x in f.attrs["shape"])
        n_boxes = prob.shape[0]
    print(f"{n_boxes} boxes on a grid {shape}, streamed by domains; maps written to {path}")
    for k in np.argsort(-counts)[:8]:
        if counts[k]:
            print(f"  {names[k]:>24s}: {100 * counts[k] / max(counts.sum(), 1):5.1f} % of boxes")
    if args.plot:
        plot_overview(SPMResult.load(path), path=args.plot)
        print(f"overview plot: {args.plot}")
    return 0
