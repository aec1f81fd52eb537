"""NumPy description of the ARISE multilayer perceptron and its deterministic forward pass.

The network is a stack of dense layers; every dense layer may be preceded by a dropout layer (the first
one acts on the input descriptor), hidden layers use ReLU and the last layer a softmax. Optional input
standardisation ``(x - mean) / scale`` is applied before the input dropout, as the Keras
``Normalization`` layer does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MLPWeights", "as_descriptor_matrix", "deterministic_forward", "hidden_representations"]


@dataclass(frozen=True)
class MLPWeights:
    """Weights of a ReLU/softmax MLP with dropout in front of every dense layer.

    Attributes
    ----------
    kernels : tuple of ndarray
        (d_in, d_out) float32 arrays, one per dense layer (the last one is the output layer).
    biases : tuple of ndarray
        (d_out,) float32 arrays.
    dropout_rates : tuple of float
        Rates in [0, 1), the dropout rate acting on the *input* of each dense layer.
    mean, scale : ndarray or None
        Optional (d_0,) float32 arrays; inputs are standardised as ``(x - mean) / scale`` first.
    """

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    dropout_rates: tuple[float, ...]
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        kernels = tuple(np.ascontiguousarray(k, dtype=np.float32) for k in self.kernels)
        biases = tuple(np.ascontiguousarray(b, dtype=np.float32) for b in self.biases)
        rates = tuple(float(r) for r in self.dropout_rates)
        if not kernels:
            raise ValueError("kernels: need at least one dense layer")
        if not (len(kernels) == len(biases) == len(rates)):
            raise ValueError(
                f"kernels/biases/dropout_rates: lengths differ ({len(kernels)}, {len(biases)}, {len(rates)})"
            )
        for i, (k, b) in enumerate(zip(kernels, biases, strict=True)):
            if k.ndim != 2 or b.shape != (k.shape[1],):
                raise ValueError(f"layer {i}: kernel shape {k.shape} and bias shape {b.shape} do not match")
            if i and k.shape[0] != kernels[i - 1].shape[1]:
                raise ValueError(
                    f"layer {i}: kernel expects {k.shape[0]} inputs, previous layer gives "
                    f"{kernels[i - 1].shape[1]}"
                )
            if not (np.all(np.isfinite(k)) and np.all(np.isfinite(b))):
                raise ValueError(f"layer {i}: weights contain NaN or inf")
        for i, r in enumerate(rates):
            if not 0.0 <= r < 1.0:
                raise ValueError(f"dropout_rates[{i}]: {r} is not in [0, 1)")
        d0 = kernels[0].shape[0]
        mean = None if self.mean is None else np.ascontiguousarray(self.mean, dtype=np.float32)
        scale = None if self.scale is None else np.ascontiguousarray(self.scale, dtype=np.float32)
        if (mean is None) != (scale is None):
            raise ValueError("mean/scale: give both or neither")
        if mean is not None:
            if mean.shape != (d0,) or scale.shape != (d0,):
                raise ValueError(f"mean/scale: expected shape ({d0},), got {mean.shape} and {scale.shape}")
            if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
                raise ValueError("mean/scale: must be finite with scale > 0")
        object.__setattr__(self, "kernels", kernels)
        object.__setattr__(self, "biases", biases)
        object.__setattr__(self, "dropout_rates", rates)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)

    @property
    def n_features(self) -> int:
        """Length of the input descriptor."""
        return int(self.kernels[0].shape[0])

    @property
    def n_classes(self) -> int:
        """Number of output classes."""
        return int(self.kernels[-1].shape[1])

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        """Widths of the hidden layers."""
        return tuple(int(k.shape[1]) for k in self.kernels[:-1])

    @property
    def n_parameters(self) -> int:
        """Number of trainable parameters (kernels and biases)."""
        return int(sum(k.size + b.size for k, b in zip(self.kernels, self.biases, strict=True)))

    def flops_per_pass(self) -> int:
        """Floating-point operations of the matrix products of one forward pass of one structure."""
        return int(sum(2 * k.shape[0] * k.shape[1] for k in self.kernels))

    def standardize(self, X: np.ndarray) -> np.ndarray:
        """Validated float32 copy of descriptors ``X`` (n, d_0), standardised if the model has it."""
        X = as_descriptor_matrix(X, self.n_features)
        if self.mean is not None:
            X = (X - self.mean) / self.scale
        return np.ascontiguousarray(X, dtype=np.float32)


def as_descriptor_matrix(X: np.ndarray | Sequence[float], n_features: int, name: str = "X") -> np.ndarray:
    """Return descriptors as a finite (n, n_features) float32 array; a single vector becomes one row."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2:
        raise ValueError(f"{name}: expected a (n_structures, {n_features}) array, got shape {X.shape}")
    if X.shape[1] != n_features:
        raise ValueError(
            f"{name}: descriptor length {X.shape[1]} does not match the model's input length {n_features}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name}: no descriptors given (0 rows)")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name}: descriptors contain NaN or inf")
    return X


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def deterministic_forward(weights: MLPWeights, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, n_classes) with dropout switched off (standard inference)."""
    h = weights.standardize(X)
    last = len(weights.kernels) - 1
    for i, (k, b) in enumerate(zip(weights.kernels, weights.biases, strict=True)):
        h = h @ k + b
        if i < last:
            np.maximum(h, 0.0, out=h)
    return _softmax(h)


def hidden_representations(
    weights: MLPWeights, X: np.ndarray, layers: Sequence[int] | None = None
) -> list[np.ndarray]:
    """Pre-activation (before ReLU) outputs of hidden layers, dropout off.

    Parameters
    ----------
    weights : the network.
    X : (n, d_0) descriptors.
    layers : indices of hidden layers to return (0 = first hidden layer); all hidden layers by default.

    Returns
    -------
    list of (n, width) float32 arrays, in the order of ``layers``.
    """
    n_hidden = len(weights.kernels) - 1
    wanted = list(range(n_hidden)) if layers is None else [int(i) for i in layers]
    for i in wanted:
        if not 0 <= i < n_hidden:
            raise ValueError(f"layers: hidden layer index {i} out of range [0, {n_hidden})")
    h = weights.standardize(X)
    pre: list[np.ndarray] = []
    for i in range(max(wanted, default=-1) + 1):
        z = h @ weights.kernels[i] + weights.biases[i]
        pre.append(z)
        h = np.maximum(z, 0.0)
    return [pre[i] for i in wanted]
