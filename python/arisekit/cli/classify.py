"""``arisekit classify``: classify structure files with the ARISE Bayesian neural network."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``classify`` sub-command."""
    p = subparsers.add_parser(
        "classify",
        help="classify crystal structures (any ASE-readable format)",
        description="Assign the most similar structural prototypes with ARISE (SOAP + Monte-Carlo-dropout "
        "neural network) and quantify the uncertainty (mutual information, nats).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="structure files (any format ase.io can read)")
    p.add_argument("--top", type=int, default=5, help="number of most probable classes to list (default 5)")
    p.add_argument("--samples", type=int, default=1000, help="Monte-Carlo dropout passes T (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the dropout masks (default 0)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--model", default=None, metavar="PATH", help="model directory (default: packaged model)")
    p.add_argument(
        "--index", default="-1", help="frame(s) to read per file, ase.io syntax: -1 (default), 0, ':', '::10'"
    )
    p.add_argument("--format", default=None, help="ase.io format, if it cannot be guessed from the file name")
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads for descriptors and inference (default 0: all cores available to the process)",
    )
    p.set_defaults(func=run)
    return p


def _read(path: str, index: str, fmt: str | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """Frames of ``path`` with their labels, and the errors of frames that could not be read (reader
    errors name the file, frame and line; a bad frame does not stop the others)."""
    from pathlib import Path

    from arisekit.batch.inputs import Source, iter_frames_tolerant, parse_index
    from arisekit.io import check_file

    try:
        check_file(path)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from exc
    source = Source(Path(path), path, "frames", fmt)
    frames, errors = [], []
    for number, atoms, error in iter_frames_tolerant(source, parse_index(index), None):
        if error is not None:
            errors.append(error if path in error else f"{path}: {error}")
        else:
            frames.append((number, atoms))
    if not frames and not errors:
        raise ValueError(f"{path}: no frames selected by --index {index}")
    if ":" not in str(index):  # one frame, labelled by the file name alone
        return [(path, atoms) for _, atoms in frames[-1:]], errors
    return [(f"{path}[{number}]", atoms) for number, atoms in frames], errors


def _validate(label: str, atoms: Any) -> None:
    from arisekit.model.classification import check_structure

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_structure(atoms)
        except ValueError as exc:
            raise ValueError(f"{label}: {str(exc).removeprefix('atoms[0]: ')}") from exc
    for w in caught:
        print(
            f"arisekit classify: warning: {label}: {str(w.message).removeprefix('atoms[0]: ')}",
            file=sys.stderr,
        )


def run(args: argparse.Namespace) -> int:
    """Run ``arisekit classify``; returns 0 on success, 1 if some files failed."""
    from arisekit.model import load_model
    from arisekit.model.classification import classify

    if args.top < 1:
        raise ValueError(f"--top: must be ≥ 1, got {args.top}")
    if args.samples < 1:
        raise ValueError(f"--samples: must be ≥ 1, got {args.samples}")
    model = load_model(args.model)
    labels: list[str] = []
    structures: list[Any] = []
    failed = 0
    for path in args.files:  # a bad file or frame is reported; the others are classified
        try:
            frames, errors = _read(path, args.index, args.format)
        except ValueError as exc:
            frames, errors = [], [str(exc)]
        for label, atoms in frames:
            try:
                _validate(label, atoms)
            except ValueError as exc:
                errors.append(str(exc))
                continue
            labels.append(label)
            structures.append(atoms)
        for message in errors:
            print(f"arisekit classify: error: {message}", file=sys.stderr)
        failed += len(errors)
    if not structures:
        print("arisekit classify: error: no structure could be classified", file=sys.stderr)
        return 2
    from arisekit.parallel import num_threads

    with num_threads(args.threads):  # the process-wide setting (arisekit.parallel), for this command
        results = classify(
            structures,
            n_samples=args.samples,
            model=model,
            seed=args.seed,
            min_open_atoms=0,
        )
    if args.json:
        out = [{"file": lab, **res.to_dict(top=args.top)} for lab, res in zip(labels, results, strict=True)]
        print(json.dumps(out, indent=1))
    else:
        for lab, res in zip(labels, results, strict=True):
            print(
                f"{lab}: {res.prediction}  (p = {res.probability:.4f}, mutual information = "
                f"{res.mutual_information:.4f} nats, disorder score = {res.disorder_score:.4f}, "
                f"{res.n_atoms} atoms, T = {res.n_samples})"
                + ("  [disordered: no library crystal]" if res.disordered else "")
                + (
                    f"  [out of library: novelty {res.novelty:.2f} > 1, no library crystal is close; "
                    f"{res.prediction} is only the nearest class]"
                    if res.out_of_library
                    else ""
                )
            )
            for rank, (name, prob) in enumerate(res.top(args.top), start=1):
                print(f"  {rank:2d}. {name:<40s} {prob:.4f}")
    return 1 if failed else 0
