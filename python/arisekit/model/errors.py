"""Exceptions of model directories (kept apart so that every model module can raise them)."""

from __future__ import annotations


class ModelIntegrityError(ValueError):
    """A model file is tampered with, truncated or inconsistent with its manifest/metadata."""


class ModelManifestError(ModelIntegrityError):
    """A model's ``manifest.json`` is malformed (not JSON, missing or mistyped entries) or names a file
    outside the model folder (``..``, an absolute path, a symlink leading out)."""


class NotFittedError(ValueError, AttributeError):
    """A classifier is used before it is fitted or loaded (as scikit-learn's ``NotFittedError``, a
    ValueError and an AttributeError)."""
