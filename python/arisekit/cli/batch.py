"""``arisekit batch``: classify many files and trajectory frames on Dask, resumable, into one HDF5 file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from arisekit.cli._options import add_box_descriptors
from arisekit.modes import MODES, default_n_samples


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``batch`` sub-command."""
    p = subparsers.add_parser(
        "batch",
        help="classify many files / trajectory frames in parallel (Dask), resumable, into HDF5",
        description="Classify every frame of many structure files with ARISE on a Dask cluster (an embedded "
        "local cluster by default). Frames are streamed, every finished frame is saved at once, and "
        "rerunning the same command skips finished frames (resume after a crash or Ctrl-C). Files ending "
        "in .csv/.txt are point clouds (species x y z, one frame per file); everything else is read with "
        "ase.io (LAMMPS dump, extended XYZ, ASE .traj, ...).",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="structure files and/or point-cloud files")
    p.add_argument(
        "--verify",
        metavar="FILE",
        default=None,
        help="check every frame of results file FILE against its checksum and list damaged frames "
        "(exit status 1 if any); computes nothing",
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        default="global",
        help="global: one classification per frame; spm: strided pattern matching maps",
    )
    p.add_argument(
        "--out",
        default="results.h5",
        help="HDF5 results file (default results.h5); a summary plot is written next to it (<out stem>.png)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786 (default: start a local cluster)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the local cluster (default: number of CPU cores)",
    )
    p.add_argument(
        "--no-processes",
        dest="processes",
        action="store_false",
        help="run the local cluster's workers as threads in this process (debugging/testing)",
    )
    p.add_argument("--model", default=None, metavar="PATH", help="model directory (default: packaged model)")
    p.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help="Monte-Carlo dropout passes (default 1000 in global mode, 100 per box in spm mode)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the dropout masks (default 0)")
    p.add_argument("--box-size", type=float, default=16.0, metavar="Å", help="SPM box edge in Å (default 16)")
    p.add_argument("--stride", type=float, default=1.0, metavar="Å", help="SPM stride in Å (default 1)")
    add_box_descriptors(p, old="--spm-mode")
    p.add_argument("--min-atoms", type=int, default=10, help="SPM boxes with fewer atoms are skipped")
    p.add_argument("--index", default=":", help="frames per file, ase.io syntax: ':' (default), '::10', '-1'")
    p.add_argument(
        "--format",
        default=None,
        help="ase.io format of all inputs, or 'point-cloud' (default: by file name/content)",
    )
    p.add_argument(
        "--pixel-size",
        type=float,
        default=None,
        metavar="Å",
        help="Å per coordinate unit of point-cloud files (default: coordinates already in Å)",
    )
    p.add_argument(
        "--max-in-flight",
        type=int,
        default=None,
        metavar="N",
        help="frames submitted at a time (default 2 per worker thread)",
    )
    p.add_argument(
        "--threads-per-frame",
        type=int,
        default=1,
        metavar="N",
        help="descriptor threads per frame (default 1: one frame per worker thread; 0 = all cores)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds to wait for the scheduler (default 5)",
    )
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument("--no-plot", dest="plot", action="store_false", help="do not write the summary plot")
    p.set_defaults(func=run)
    return p


def _verify(path: str) -> int:
    from arisekit.batch.results import verify_results

    report = verify_results(path)
    if report.problem is not None:
        print(f"arisekit batch: error: {path}: damaged: {report.problem}", file=sys.stderr)
        return 1
    for line in report.damaged:
        print(f"arisekit batch: damaged: {path}: {line}", file=sys.stderr)
    state = f"{len(report.damaged)} damaged" if report.damaged else "all checksums match"
    print(
        f"arisekit batch: {path}: {report.n_good} finished frames, {report.n_failed} failed frames "
        f"recorded; {state}"
        + ("; rerun the batch command to recompute the damaged frames" if report.damaged else "")
    )
    return 0 if report.ok else 1


def run(args: argparse.Namespace) -> int:
    """Run ``arisekit batch``; 0 if every frame was classified, 1 if some frames or files failed
    (``--verify``: 1 if the file has damaged frames)."""
    from arisekit.batch import run_batch

    if args.verify is not None:
        if args.inputs:
            raise ValueError("--verify FILE checks a results file; give no INPUT files with it")
        return _verify(args.verify)
    if not args.inputs:
        raise ValueError("no INPUT files given (or use --verify FILE to check a results file)")
    from arisekit.batch import BatchOptions
    from arisekit.spm import SPMParameters

    params = None
    if args.mode == "spm":
        params = SPMParameters(
            box_size=args.box_size,
            stride=args.stride,
            box_descriptors=args.box_descriptors,
            min_atoms=args.min_atoms,
            n_samples=default_n_samples("spm", args.samples),
            seed=args.seed,
        )
    options = BatchOptions(
        index=args.index,
        format=args.format,
        pixel_size=args.pixel_size,
        scheduler=args.scheduler,
        workers=args.workers,
        processes=args.processes,
        max_in_flight=args.max_in_flight,
        threads_per_frame=args.threads_per_frame,
        connect_timeout=args.timeout,
        progress=args.progress,
        plot=args.plot,
    )
    summary = run_batch(
        args.inputs,
        args.out,
        mode=args.mode,
        model=args.model,
        params=params,
        options=options,
        n_samples=args.samples,
        seed=args.seed,
    )
    for note in summary.notes:
        print(f"arisekit batch: warning: {note}", file=sys.stderr)
    for message in summary.errors:
        print(f"arisekit batch: error: {message}", file=sys.stderr)
    extra = [
        f"{summary.recovered} recovered from an interrupted run" if summary.recovered else "",
        f"{summary.recomputed} recomputed (input changed)" if summary.recomputed else "",
        f"{summary.damaged} damaged (recovered or recomputed)" if summary.damaged else "",
        f"{summary.retried} resubmitted (worker lost)" if summary.retried else "",
    ]
    extra_text = "".join(f", {e}" for e in extra if e)
    plot = f"; plot {summary.plot}" if summary.plot else ""
    print(
        f"arisekit batch: {summary.computed} frames computed, {summary.skipped} skipped (already done), "
        f"{summary.failed} failed, {len(summary.errors)} error(s){extra_text} in {summary.elapsed_s:.1f} s "
        f"-> {summary.out}{plot}"
    )
    return 1 if summary.errors else 0
