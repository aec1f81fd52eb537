"""Keras side of the ARISE network: construction, training with best-validation checkpointing.

TensorFlow/Keras is imported inside the functions so that ``import arisekit.model`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .network import MLPWeights

__all__ = [
    "build_keras_mlp",
    "weights_from_keras",
    "train_keras_mlp",
    "TrainingOutcome",
    "TrainingParameters",
]


@dataclass(frozen=True)
class TrainingParameters:
    """How :func:`train_keras_mlp` trains the ARISE MLP (frozen, validated on creation); the training part
    of :class:`arisekit.model.ARISEClassifier`'s hyperparameters (:meth:`ARISEClassifier.fit` builds one).

    Parameters
    ----------
    hidden_units : sequence of int
        Units of the hidden layers (default: the paper's 256, 512, 256).
    dropout : float
        Dropout rate, in [0, 1).
    learning_rate : float
        Adam's learning rate (> 0).
    batch_size, epochs : int
        Mini-batch size and number of epochs (≥ 1).
    seed : int
        Seeds Python, NumPy and TensorFlow (``keras.utils.set_random_seed``).
    deterministic : bool
        Also switch on TensorFlow's process-wide op determinism (equal seeds give equal weights).
    verbose : int
        Keras' progress output.
    callbacks : sequence
        Extra Keras callbacks.
    """

    hidden_units: tuple[int, ...] = (256, 512, 256)
    dropout: float = 0.0317
    learning_rate: float = 2.16e-4
    batch_size: int = 64
    epochs: int = 300
    seed: int = 42
    deterministic: bool = True
    verbose: int = 0
    callbacks: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_units", tuple(int(u) for u in self.hidden_units))
        object.__setattr__(self, "callbacks", tuple(self.callbacks))
        if self.epochs < 1 or self.batch_size < 1 or not self.learning_rate > 0:
            raise ValueError(
                f"epochs/batch_size/learning_rate: must be positive, got {self.epochs}, {self.batch_size}, "
                f"{self.learning_rate}"
            )
        if any(u < 1 for u in self.hidden_units):
            raise ValueError(f"hidden_units: must be positive, got {self.hidden_units}")

    @classmethod
    def from_kwargs(cls, params: TrainingParameters | None = None, **overrides: Any) -> TrainingParameters:
        """``params`` (default: the defaults) with the fields in ``overrides`` replaced; TypeError for a
        keyword that is no field."""
        from arisekit._params import with_overrides

        return with_overrides(cls, params, overrides, arg="params", caller="train_keras_mlp")


def build_keras_mlp(
    n_features: int,
    n_classes: int,
    hidden_units: Sequence[int] = (256, 512, 256),
    dropout: float | Sequence[float] = 0.0317,
    mean: np.ndarray | None = None,
    variance: np.ndarray | None = None,
    seed: int | None = None,
) -> Any:
    """Build (uncompiled) the ARISE MLP as a flat ``keras.Sequential``.

    Layout: [Normalization] → Dropout → (Dense(ReLU) → Dropout) × len(hidden_units) → Dense(softmax).
    ``dropout`` is one rate for all dropout layers or one per dense layer (input dropout first).
    With the paper's 316 inputs and 108 classes this has 371,820 parameters (Table 2).
    """
    import keras

    if n_features < 1 or n_classes < 2:
        raise ValueError(
            f"n_features/n_classes: need ≥1 features and ≥2 classes, got {n_features}, {n_classes}"
        )
    rates = (
        [float(dropout)] * (len(hidden_units) + 1) if np.ndim(dropout) == 0 else [float(r) for r in dropout]
    )
    if len(rates) != len(hidden_units) + 1 or not all(0.0 <= r < 1.0 for r in rates):
        raise ValueError(
            f"dropout: need rates in [0, 1), one or {len(hidden_units) + 1} of them, got {dropout}"
        )
    if any(int(u) < 1 for u in hidden_units):
        raise ValueError(f"hidden_units: widths must be positive, got {tuple(hidden_units)}")
    layers: list[Any] = [keras.Input((n_features,), name="descriptor")]
    if mean is not None:
        layers.append(keras.layers.Normalization(mean=mean, variance=variance, name="standardize"))

    def drop(name: str, i: int) -> Any:
        return keras.layers.Dropout(rates[i], seed=None if seed is None else seed + i, name=name)

    layers.append(drop("dropout_input", 0))
    for i, units in enumerate(hidden_units, start=1):
        layers.append(keras.layers.Dense(int(units), activation="relu", name=f"hidden_{i}"))
        layers.append(drop(f"dropout_{i}", i))
    layers.append(keras.layers.Dense(n_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name="arise_mlp")


def weights_from_keras(model: Any) -> MLPWeights:
    """Extract :class:`MLPWeights` from a Keras model built by :func:`build_keras_mlp`."""
    kernels: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    rates: list[float] = []
    keep = 1.0
    mean = scale = None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Normalization":
            mean = np.asarray(layer.mean, dtype=np.float32).ravel()
            scale = np.maximum(
                np.sqrt(np.asarray(layer.variance, dtype=np.float32).ravel()), np.float32(1e-7)
            )
        elif kind == "Dropout":
            keep *= 1.0 - float(layer.rate)
        elif kind == "Dense":
            k, b = (np.asarray(w) for w in layer.get_weights())
            kernels.append(k)
            biases.append(b)
            rates.append(1.0 - keep)
            keep = 1.0
        else:
            raise ValueError(f"model: unsupported layer type {kind!r}")
    return MLPWeights(tuple(kernels), tuple(biases), tuple(rates), mean, scale)


@dataclass
class TrainingOutcome:
    """Result of :func:`train_keras_mlp`: the model holds the best weights."""

    model: Any
    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1  # 0-based
    best_accuracy: float = float("nan")
    monitored: str = "val_accuracy"


def _best_weights_callback(monitor: str, loss_key: str) -> Any:
    import keras

    class BestWeights(keras.callbacks.Callback):
        """Keep the weights of the epoch with the highest ``monitor`` (ties: lowest loss)."""

        def __init__(self) -> None:
            super().__init__()
            self.best: tuple[float, float] = (-np.inf, np.inf)
            self.best_epoch = -1
            self.best_weights: list[np.ndarray] | None = None

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            logs = logs or {}
            acc, loss = float(logs.get(monitor, -np.inf)), float(logs.get(loss_key, np.inf))
            if acc > self.best[0] or (acc == self.best[0] and loss < self.best[1]):
                self.best = (acc, loss)
                self.best_epoch = epoch
                self.best_weights = [np.array(w) for w in self.model.get_weights()]

        def on_train_end(self, logs: dict[str, float] | None = None) -> None:
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return BestWeights()


def train_keras_mlp(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray | None,
    y_val: np.ndarray | None,
    n_classes: int,
    params: TrainingParameters | None = None,
    *,
    standardization: tuple[np.ndarray, np.ndarray] | None = None,
    **overrides: Any,
) -> TrainingOutcome:
    """Train the MLP with Adam on sparse categorical cross-entropy for a fixed number of epochs.

    The weights of the epoch with the best validation accuracy (ties: lower validation loss) are kept;
    without validation data the training accuracy/loss are monitored instead. ``params`` (a
    :class:`TrainingParameters`; its fields may also be given as keywords, applied on top): layers,
    dropout, Adam, batches, epochs, seeds, determinism, callbacks. ``standardization`` = (mean, variance)
    of the input features, built into the network's Normalization layer (``mean=``/``variance=`` are
    read too).
    """
    import keras

    from arisekit.parallel import configure_tensorflow

    mean, variance = standardization if standardization is not None else (None, None)
    if "mean" in overrides or "variance" in overrides:  # the older keywords
        if standardization is not None:
            raise TypeError("train_keras_mlp(): give standardization= or mean=/variance=, not both")
        mean, variance = overrides.pop("mean", None), overrides.pop("variance", None)
    p = TrainingParameters.from_kwargs(params, **overrides)
    seed = p.seed
    configure_tensorflow()  # the process-wide thread setting, if TensorFlow has not started its pools yet
    keras.utils.set_random_seed(seed)
    if p.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    model = build_keras_mlp(X_train.shape[1], n_classes, p.hidden_units, p.dropout, mean, variance, seed)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=p.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    has_val = X_val is not None and len(X_val) > 0
    monitor, loss_key = ("val_accuracy", "val_loss") if has_val else ("accuracy", "loss")
    best = _best_weights_callback(monitor, loss_key)
    hist = model.fit(
        X_train.astype(np.float32),
        y_train.astype(np.int64),
        batch_size=p.batch_size,
        epochs=p.epochs,
        validation_data=(X_val.astype(np.float32), y_val.astype(np.int64)) if has_val else None,
        shuffle=True,
        verbose=p.verbose,
        callbacks=[best, *p.callbacks],
    )
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return TrainingOutcome(model, history, best.best_epoch, best.best[0], monitor)
