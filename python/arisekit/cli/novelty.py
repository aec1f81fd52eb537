"""``arisekit novelty``: fit a model's distance-aware out-of-library check on a descriptor dataset."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``novelty`` sub-command."""
    p = subparsers.add_parser(
        "novelty",
        help="fit a model's out-of-library check (novelty) on its training dataset",
        description="Fit the distance-aware out-of-library check of a saved model (arisekit.model.novelty) "
        "on an HDF5 descriptor dataset (every row: pristine, variants; the disordered class is skipped) and "
        "add it to the model directory. `arisekit train` fits it already; use this for models trained "
        "without it or to recalibrate. Only novelty.npz and the manifest change.",
    )
    p.add_argument("--dataset", required=True, help="HDF5 dataset the model was trained on")
    p.add_argument("--model", required=True, help="model directory to add the check to")
    p.add_argument(
        "--quantile", type=float, default=0.99, help="share of held-out in-library rows with novelty <= 1"
    )
    p.add_argument("--components", type=int, default=32, help="principal components kept (default 32)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``arisekit novelty``; returns 0 on success."""
    import numpy as np

    from arisekit.model import ARISEClassifier, add_novelty
    from arisekit.model.dataset import load_dataset

    clf = ARISEClassifier.load(args.model)  # a private copy: its novelty check is refitted
    ds = load_dataset(args.dataset)
    names = list(clf.classes_)
    missing = sorted(set(ds.class_names) - set(names))
    if missing:
        raise ValueError(f"{args.dataset}: classes {missing[:5]} are not classes of the model {args.model}")
    lookup = np.array([names.index(n) for n in ds.class_names])
    clf.fit_novelty(ds.X, lookup[ds.y], quantile=args.quantile, n_components=args.components)
    path = add_novelty(args.model, clf.novelty_)
    scale = clf.novelty_.scale
    print(
        f"novelty reference written to {path}: {len(clf.novelty_.references)} reference rows, "
        f"{clf.novelty_.components.shape[0]} components, quantile {args.quantile}; class scales "
        f"{np.nanmin(scale):.4g}-{np.nanmax(scale):.4g}"
    )
    return 0
