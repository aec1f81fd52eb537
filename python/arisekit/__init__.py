"""arisekit: robust, uncertainty-aware crystal-structure recognition (ARISE).

SOAP descriptors from a C++ core, a Bayesian (Monte-Carlo dropout) neural-network classifier over
100+ structural prototypes, and strided pattern matching for polycrystals. Positions are in Å;
quantities scaled by the nearest-neighbour distance d_NN say so.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("arisekit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

#: Lazily imported public names -> defining module (keeps ``import arisekit`` free of TensorFlow).
_LAZY = {
    "classify": "arisekit.model.classification",
    "Classification": "arisekit.model.classification",
    "load_model": "arisekit.model.loading",
    "ARISEClassifier": "arisekit.model.classifier",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):  # PEP 562 lazy exports
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'arisekit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
