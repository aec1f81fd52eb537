"""``arisekit train``: train an ARISE classifier on an HDF5 descriptor dataset and save the model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def _hidden(text: str) -> tuple[int, ...]:
    try:
        units = tuple(int(u) for u in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not units or any(u < 1 for u in units):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return units


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``train`` sub-command."""
    from arisekit.model.classifier import PAPER_HYPERPARAMETERS as P

    p = subparsers.add_parser(
        "train",
        help="train an ARISE classifier on a descriptor dataset",
        description="Train the ARISE MLP (Adam, fixed epochs, best-validation-accuracy weights kept; "
        "80/20 stratified split of the pristine rows with random state 42) and save a model directory. "
        "Dataset layout: see arisekit.model.dataset.load_dataset.",
    )
    p.add_argument("--dataset", required=True, help="HDF5 dataset (X, y, class_names, ...)")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--epochs", type=int, default=P["epochs"], help=f"training epochs (default {P['epochs']})")
    p.add_argument("--classes", nargs="+", default=None, metavar="NAME", help="train on these classes only")
    p.add_argument(
        "--extra-structures",
        nargs="+",
        default=(),
        metavar="FILE[:CLASS]",
        help="extra training structures (all frames of each file); the class is given after ':' or taken "
        "from each frame's info['label']; unknown class names become new classes",
    )
    p.add_argument(
        "--train-on-variants",
        action="store_true",
        help="also train on non-pristine rows (defective variants); otherwise they are only evaluated",
    )
    p.add_argument(
        "--hidden", type=_hidden, default=P["hidden_units"], help="hidden widths, e.g. 256,512,256"
    )
    p.add_argument("--dropout", type=float, default=P["dropout"])
    p.add_argument("--learning-rate", type=float, default=P["learning_rate"])
    p.add_argument("--batch-size", type=int, default=P["batch_size"])
    p.add_argument("--validation-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=42, help="seed of initialisation/shuffling (default 42)")
    p.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        help="do not standardise descriptor components (the paper's setting; default: standardise)",
    )
    p.add_argument(
        "--hyperopt-evals", type=int, default=0, help="first run a TPE hyper-parameter search with N trials"
    )
    p.add_argument(
        "--hyperopt-epochs", type=int, default=None, help="epochs per search trial (default --epochs)"
    )
    p.add_argument("--verbose", type=int, default=0, help="Keras verbosity (0, 1, 2)")
    p.set_defaults(func=run)
    return p


def _parse_extra(spec: str) -> tuple[str, str | None]:
    if ":" in spec:
        path, cls = spec.rsplit(":", 1)
        if cls and "/" not in cls and Path(path).is_file():
            return path, cls
    return spec, None


def _extra_structures(
    specs: Any, class_names: list[str], class_metadata: list[dict[str, Any]], params: dict[str, Any]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Descriptors and labels of extra structures; new class names are appended in place."""
    if not specs:
        return None, None
    from arisekit.descriptors.arise import check_describable
    from arisekit.io import read_frames
    from arisekit.model.classification import compute_descriptors

    atoms_list, labels = [], []
    for spec in specs:
        path, cls = _parse_extra(spec)
        try:  # reader errors name the file, frame and line
            frames = list(read_frames(path, index=":"))
        except FileNotFoundError as exc:
            raise ValueError(str(exc)) from exc
        for j, atoms in enumerate(frames):
            label = cls or atoms.info.get("label")
            if not label:
                raise ValueError(f"{path}[{j}]: no class given (use FILE:CLASS or set info['label'])")
            try:
                check_describable(len(atoms), atoms.pbc)
            except ValueError as exc:
                raise ValueError(f"{path}[{j}]: {exc}") from exc
            atoms_list.append(atoms)
            labels.append(str(label))
    for label in labels:
        if label not in class_names:
            class_names.append(label)
            class_metadata.append({"name": label, "source": "extra-structures"})
    X = compute_descriptors(atoms_list, params)
    lookup = {n: i for i, n in enumerate(class_names)}
    return X, np.array([lookup[lab] for lab in labels], dtype=np.int64)


def _is_model_dir(path: Path) -> bool:
    """An existing model folder may be replaced by the new model; any other non-empty folder is kept."""
    return (path / "manifest.json").is_file()


def run(args: argparse.Namespace) -> int:
    """Run ``arisekit train``; returns 0 on success. The model folder is written beside ``--out`` and
    takes its place only once complete (under the lock ``<out>.lock``, held from the start)."""
    from arisekit._atomic import atomic_directory

    inputs = [args.dataset, *(_parse_extra(s)[0] for s in args.extra_structures)]
    with atomic_directory(args.out, inputs, replaceable=_is_model_dir) as tmp:
        names = _train(args, tmp)
    out = Path(args.out)
    manifest = json.loads((out / "manifest.json").read_text())
    print(f"saved model to {out}")
    for name in names:
        print(f"  {name}  sha256 {manifest['files'][name]['sha256']}")
    return 0


def _train(args: argparse.Namespace, folder: Path) -> list[str]:
    """Train and save the model into ``folder``; returns the names of its files."""
    from arisekit.model.classifier import ARISEClassifier, record_central_weight
    from arisekit.model.dataset import load_dataset

    ds = load_dataset(args.dataset)
    if args.classes:
        ds = ds.select_classes(args.classes)
    if "central_weight" not in ds.descriptor_params:
        print(
            f"arisekit train: note: {args.dataset} does not record the descriptor's central_weight; taking "
            "arise_soap's default 0.0 (the paper's descriptor). Datasets built before this default was "
            "fixed used 1.0: rebuild such a dataset, or the model will describe structures differently "
            "from its training data.",
            file=sys.stderr,
        )
    descriptor_params = record_central_weight(ds.descriptor_params)
    names, meta = list(ds.class_names), [dict(m) for m in ds.class_metadata]
    X_new, y_new = _extra_structures(args.extra_structures, names, meta, descriptor_params)
    if X_new is not None and X_new.shape[1] != ds.X.shape[1]:
        raise ValueError(
            f"--extra-structures: descriptor length {X_new.shape[1]} differs from the dataset's "
            f"{ds.X.shape[1]}"
        )
    pristine = ds.pristine_mask
    X, y = ds.X[pristine], ds.y[pristine]
    X_var, y_var = ds.X[~pristine], ds.y[~pristine]
    var_labels = None if ds.variant is None else ds.variant[~pristine]
    extra_X = [a for a in (X_new, X_var if args.train_on_variants else None) if a is not None and len(a)]
    extra_y = [a for a in (y_new, y_var if args.train_on_variants else None) if a is not None and len(a)]
    X_extra = np.concatenate(extra_X) if extra_X else None
    y_extra = np.concatenate(extra_y) if extra_y else None
    if len(X) == 0:
        raise ValueError(f"{args.dataset}: no pristine rows to train on")

    params: dict[str, Any] = {
        "hidden_units": args.hidden,
        "dropout": args.dropout,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
    }
    if args.hyperopt_evals > 0:
        from arisekit.model.hyperopt_search import hyperopt_search

        search = hyperopt_search(
            X, y, max_evals=args.hyperopt_evals, epochs=args.hyperopt_epochs or args.epochs,
            class_names=names, X_extra=X_extra, y_extra=y_extra, seed=args.seed,
            validation_fraction=args.validation_fraction, standardize=args.standardize, verbose=args.verbose,
        )  # fmt: skip
        print("hyperopt: best trials (validation accuracy, loss, parameters)")
        for t in search.top(5):
            print(f"  {t.val_accuracy:.4f}  {t.val_loss:.4g}  {t.params}")
        params = search.best_params

    clf = ARISEClassifier(
        **params, epochs=args.epochs, validation_fraction=args.validation_fraction, seed=args.seed,
        standardize=args.standardize, verbose=args.verbose,
    )  # fmt: skip
    clf.fit(
        X, y, class_names=names, class_metadata=meta, descriptor_params=descriptor_params,
        X_extra=X_extra, y_extra=y_extra,
    )  # fmt: skip
    t = clf.training_
    print(
        f"trained on {t['n_train']} rows ({t['n_extra']} extra), validated on {t['n_val']}; best "
        f"{t['monitored']} {t['best_accuracy']:.4f} at epoch {t['best_epoch'] + 1}/{args.epochs}"
    )
    if len(X_var):
        pred = clf.predict_index(X_var, n_samples=0)
        acc: dict[str, float] = {}
        for v in sorted(set(var_labels)):
            rows = var_labels == v
            acc[str(v)] = float(np.mean(pred[rows] == y_var[rows]))
        clf.training_["variant_accuracy"] = acc
        kind = "trained on" if args.train_on_variants else "held out"
        print(f"accuracy on variant rows ({kind}, dropout off):")
        for v, a in acc.items():
            print(f"  {v:<30s} {a:.4f}  ({int(np.sum(var_labels == v))} rows)")
    clf.save(folder)
    return list(json.loads((folder / "manifest.json").read_text())["files"])
