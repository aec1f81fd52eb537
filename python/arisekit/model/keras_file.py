"""Read the weights of a saved ARISE Keras model (``.keras`` zip) with NumPy only.

A ``.keras`` file is a zip archive with ``config.json`` (the architecture) and ``model.weights.h5``
(weights; every layer's variables live in a group ``.../vars`` whose ``name`` attribute is the layer
name). Only flat ``Sequential`` models made of InputLayer, Normalization, Dropout and Dense layers
(ReLU hidden layers, softmax output) are understood; anything else raises ``ValueError``. This lets
inference run without importing TensorFlow.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import h5py
import numpy as np

from .network import MLPWeights

__all__ = ["read_keras_mlp"]

_EPSILON = 1e-7  # keras.backend.epsilon(), floor of the Normalization layer's standard deviation


def _layer_variables(h5: h5py.File) -> dict[str, list[np.ndarray]]:
    found: dict[str, list[np.ndarray]] = {}

    def visit(name: str, obj: h5py.HLObject) -> None:
        if isinstance(obj, h5py.Group) and name.endswith("vars") and "name" in obj.attrs:
            keys = sorted(obj.keys(), key=int)
            found[str(obj.attrs["name"])] = [np.asarray(obj[k]) for k in keys]

    h5.visititems(visit)
    return found


def read_keras_mlp(path: str | Path) -> MLPWeights:
    """Return the :class:`MLPWeights` stored in a ``.keras`` file written by arisekit.

    Raises
    ------
    FileNotFoundError if the file does not exist; ValueError if it is not a supported model.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
            weights_blob = zf.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable .keras archive ({exc})") from exc
    if config.get("class_name") != "Sequential":
        raise ValueError(f"{path}: expected a Sequential model, found {config.get('class_name')!r}")
    with h5py.File(io.BytesIO(weights_blob), "r") as h5:
        variables = _layer_variables(h5)

    kernels: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    rates: list[float] = []
    activations: list[str] = []
    mean = scale = None
    keep = 1.0
    for layer in config["config"]["layers"]:
        kind, cfg = layer["class_name"], layer["config"]
        name = cfg.get("name")
        if kind == "InputLayer":
            continue
        if kind == "Normalization":
            if kernels or keep != 1.0 or cfg.get("invert"):
                raise ValueError(f"{path}: Normalization layer {name!r} must come first and not invert")
            if cfg.get("mean") is None:
                raise ValueError(f"{path}: Normalization layer {name!r} has no stored mean/variance")
            mean = np.asarray(cfg["mean"], dtype=np.float32).ravel()
            var = np.asarray(cfg["variance"], dtype=np.float32).ravel()
            scale = np.maximum(np.sqrt(var), np.float32(_EPSILON))
        elif kind == "Dropout":
            keep *= 1.0 - float(cfg["rate"])
        elif kind == "Dense":
            if name not in variables:
                raise ValueError(f"{path}: weights of layer {name!r} missing in model.weights.h5")
            vs = variables[name]
            kernel = vs[0]
            bias = vs[1] if cfg.get("use_bias", True) else np.zeros(kernel.shape[1], np.float32)
            kernels.append(kernel)
            biases.append(bias)
            rates.append(1.0 - keep)
            activations.append(cfg.get("activation"))
            keep = 1.0
        else:
            raise ValueError(f"{path}: unsupported layer type {kind!r} ({name!r})")
    if not kernels:
        raise ValueError(f"{path}: model has no Dense layers")
    if keep != 1.0:
        raise ValueError(f"{path}: dropout after the output layer is not supported")
    if any(a != "relu" for a in activations[:-1]) or activations[-1] != "softmax":
        raise ValueError(f"{path}: expected ReLU hidden layers and a softmax output, got {activations}")
    if mean is not None and mean.size == 1:  # scalar statistics broadcast over features
        mean = np.full(kernels[0].shape[0], mean[0], np.float32)
        scale = np.full(kernels[0].shape[0], scale[0], np.float32)
    return MLPWeights(tuple(kernels), tuple(biases), tuple(rates), mean, scale)
