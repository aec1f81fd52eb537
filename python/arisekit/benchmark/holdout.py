"""Held-out classes: retrain a small model without some library classes and treat them as out-of-library.

Complements :mod:`arisekit.benchmark.out_of_library` (structures absent from the whole library) with
classes the *model* has not seen but whose neighbours it has, e.g. hexagonal diamond next to diamond and
wurtzite. The small model is trained on benchmark-protocol structures of the training classes drawn with
``train_seed`` (default 0; the evaluation uses the protocol's seed, default 1000).
"""

from __future__ import annotations

import numpy as np

from arisekit.benchmark.protocol import Protocol
from arisekit.benchmark.runner import ARISE, AccuracyRun, descriptor_kwargs, run_accuracy

__all__ = ["HELD_OUT", "TRAIN_CLASSES", "holdout_study", "train_small_model"]

#: Classes of the small model (elemental, binary and 2D classes of the PTM family plus MoS2).
TRAIN_CLASSES: tuple[str, ...] = (
    "fcc", "bcc", "hcp", "sc", "diamond", "NaCl", "CsCl",
    "zincblende", "wurtzite", "L1_2", "graphene", "MoS2",
)  # fmt: skip
#: Classes held out of it: close relatives of training classes (hexagonal diamond, dhcp, L1_0) and more
#: distant ones (AlB2, beta-Sn).
HELD_OUT: tuple[str, ...] = ("hexagonal_diamond", "dhcp", "L1_0", "AlB2", "beta-Sn")

#: Descriptor of the small model: the paper's central SOAP setting (d_NN units).
DESCRIPTOR = {"cutoff": 4.0, "atom_sigma": 0.1, "extrinsic_scale": 1.0}


def train_small_model(
    classes=TRAIN_CLASSES, *, train_seed: int = 0, realizations: int = 1, epochs: int = 150, seed: int = 1
):
    """ARISEClassifier (paper architecture, lr 2e-3, standardised inputs) trained on the pristine
    structures and ``realizations`` draws of every defect level of ``classes`` (seed ``train_seed``)."""
    from arisekit import prototypes
    from arisekit.descriptors import arise_soap
    from arisekit.model import ARISEClassifier

    names = [prototypes.get(n).name for n in classes]
    if len(names) < 2:
        raise ValueError("classes: need at least two classes to train a classifier")
    protocol = Protocol(classes=names, realizations=realizations, seed=train_seed)
    kwargs = descriptor_kwargs(DESCRIPTOR)
    X, y = [], []
    for k, name in enumerate(names):
        for s in protocol.structures(name):
            X.append(arise_soap(s.atoms, **kwargs))
            y.append(k)
    clf = ARISEClassifier(epochs=epochs, learning_rate=2e-3, standardize=True, seed=seed)
    return clf.fit(
        np.array(X), np.array(y), class_names=names,
        class_metadata=[prototypes.get(n).to_dict() for n in names], descriptor_params=dict(DESCRIPTOR),
    )  # fmt: skip


def holdout_study(
    train_classes=TRAIN_CLASSES,
    held_out=HELD_OUT,
    *,
    realizations: int = 2,
    seed: int = 1000,
    n_samples: int = 100,
    epochs: int = 150,
    workers: int = 1,
    progress: bool = False,
) -> AccuracyRun:
    """Train the small model without ``held_out`` and run the protocol (``realizations`` draws, ``seed``)
    on the training classes (in-library) and on the held-out classes (scored as out-of-library)."""
    overlap = set(train_classes) & set(held_out)
    if overlap:
        raise ValueError(f"held_out: classes {sorted(overlap)} are also training classes")
    clf = train_small_model(train_classes, epochs=epochs)
    run = run_accuracy(
        Protocol(classes=list(train_classes), realizations=realizations, seed=seed), clf, [ARISE],
        n_samples=n_samples, workers=workers, out_of_library=list(held_out), ool_realizations=realizations,
        progress=progress,
    )  # fmt: skip
    run.settings["holdout"] = {"train_classes": list(train_classes), "held_out": list(held_out),
                               "epochs": epochs, "train_seed": 0}  # fmt: skip
    return run
