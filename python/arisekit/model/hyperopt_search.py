"""Hyper-parameter search with hyperopt's Tree-structured Parzen Estimator (paper section S1.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .classifier import FIT_PARAMS, ARISEClassifier, _labels_to_indices, stratified_split

__all__ = ["paper_search_space", "hyperopt_search", "HyperoptResult", "HyperoptTrial"]

MAX_LAYERS = 5
#: The constructor parameters of :class:`ARISEClassifier` that the search varies (:func:`paper_search_space`).
SEARCHED = ("hidden_units", "batch_size", "learning_rate", "dropout")


def paper_search_space() -> dict[str, Any]:
    """The paper's space: 2–5 hidden layers of 256 or 512 units, batch 64/128, lr U(1e-4, 1e-2),
    dropout U(0.01, 0.05)."""
    from hyperopt import hp

    return {
        "n_layers": hp.choice("n_layers", [2, 3, 4, 5]),
        "units": [hp.choice(f"units_{i}", [256, 512]) for i in range(MAX_LAYERS)],
        "batch_size": hp.choice("batch_size", [64, 128]),
        "learning_rate": hp.uniform("learning_rate", 1e-4, 1e-2),
        "dropout": hp.uniform("dropout", 0.01, 0.05),
    }


@dataclass
class HyperoptTrial:
    """One evaluated configuration."""

    params: dict[str, Any]
    val_accuracy: float
    val_loss: float
    best_epoch: int


@dataclass
class HyperoptResult:
    """Trials sorted best first (validation accuracy, then validation loss)."""

    trials: list[HyperoptTrial] = field(default_factory=list)

    @property
    def best_params(self) -> dict[str, Any]:
        """Constructor keyword arguments of :class:`ARISEClassifier` for the best trial."""
        return dict(self.trials[0].params)

    def top(self, k: int = 15) -> list[HyperoptTrial]:
        """The ``k`` best trials (the paper re-ranks the top 15 on defective structures)."""
        return self.trials[:k]


def _to_params(sample: dict[str, Any]) -> dict[str, Any]:
    n = int(sample["n_layers"])
    return {
        "hidden_units": tuple(int(u) for u in sample["units"][:n]),
        "batch_size": int(sample["batch_size"]),
        "learning_rate": float(sample["learning_rate"]),
        "dropout": float(sample["dropout"]),
    }


def hyperopt_search(
    X: np.ndarray,
    y: np.ndarray,
    max_evals: int = 50,
    epochs: int = 300,
    class_names: Sequence[str] | None = None,
    *,
    space: dict[str, Any] | None = None,
    **settings: Any,
) -> HyperoptResult:
    """Maximise validation accuracy over the paper's hyper-parameter space (``space``, default
    :func:`paper_search_space`) with TPE.

    Every trial trains an :class:`ARISEClassifier` for ``epochs`` epochs on the same train/validation
    split (stratified, ``validation_fraction``, ``random_state``) and keeps its best epoch; hyperopt
    minimises −accuracy. ``settings``: the data keywords of :meth:`ARISEClassifier.fit` (``X_val``,
    ``y_val``, ``X_extra``, ``y_extra``, ``callbacks``), and constructor parameters of
    :class:`ARISEClassifier` held fixed in every trial (``validation_fraction``, ``random_state``,
    ``seed``, ``standardize``, ``deterministic``, ``verbose``; the classifier's defaults otherwise).
    ``seed`` seeds both TPE and the training runs.
    """
    from hyperopt import STATUS_OK, Trials, fmin, tpe

    if max_evals < 1:
        raise ValueError(f"max_evals: must be ≥ 1, got {max_evals}")
    fit_params = {k: settings.pop(k) for k in list(settings) if k in FIT_PARAMS}
    fixed_names = set(ARISEClassifier._get_param_names()) - set(SEARCHED) - {"epochs"}
    unknown = sorted(set(settings) - fixed_names)
    if unknown:
        raise TypeError(f"hyperopt_search() got unexpected keyword argument(s) {unknown}")
    fixed = {**ARISEClassifier(**settings).get_params(), "epochs": epochs}
    for name in SEARCHED:
        del fixed[name]
    validation_fraction, random_state = fixed["validation_fraction"], fixed["random_state"]
    seed = fixed["seed"]
    X_val, y_val = fit_params.pop("X_val", None), fit_params.pop("y_val", None)
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    yi, names = _labels_to_indices(y, class_names)
    if X_val is None:  # labels stay as given: fit reads them against the same class names
        tr, va = stratified_split(yi, validation_fraction, random_state)
        X_fit, y_fit, X_val, y_val = X[tr], y[tr], X[va], y[va]
    else:
        X_fit, y_fit = X, y
    done: list[HyperoptTrial] = []

    def objective(sample: dict[str, Any]) -> dict[str, Any]:
        import keras

        keras.backend.clear_session()
        params = _to_params(sample)
        clf = ARISEClassifier(**params, **fixed)
        clf.fit(X_fit, y_fit, class_names=names, X_val=X_val, y_val=y_val, **fit_params)
        t = clf.training_
        best = t["best_epoch"]
        val_loss = float(t["history"].get("val_loss", [np.nan] * (best + 1))[best])
        done.append(HyperoptTrial(params, float(t["best_accuracy"]), val_loss, int(best)))
        return {"loss": -float(t["best_accuracy"]), "status": STATUS_OK}

    fmin(
        objective,
        space if space is not None else paper_search_space(),
        algo=tpe.suggest,
        max_evals=max_evals,
        trials=Trials(),
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
    )
    done.sort(key=lambda t: (-t.val_accuracy, t.val_loss))
    return HyperoptResult(done)
