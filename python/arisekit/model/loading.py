"""Loading models once: :func:`load_model` (cached per file version) and :func:`resolve_model`.

Every front end (``arisekit.classify``, SPM, the ASE calculator, the OVITO modifier, batch, the CLI,
the benchmarks) resolves its ``model`` argument with :func:`resolve_model`: a fitted
:class:`~arisekit.model.ARISEClassifier` is used as it is, a path or None (the packaged model) goes
through :func:`load_model`. A model directory is read and its checksums are verified once per version
of its files; later calls return the same classifier (its inference buffers included) until a file of
the directory changes.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from .classifier import ARISEClassifier
from .errors import NotFittedError
from .io import MANIFEST_FILE, METADATA_FILE, MODEL_FILE, NOVELTY_FILE, model_directory

__all__ = ["clear_model_cache", "load_model", "resolve_model", "save_model"]

#: model directories kept loaded (least recently used ones are dropped first)
MODEL_CACHE_SIZE = 8

_cache: OrderedDict[tuple, ARISEClassifier] = OrderedDict()
_lock = threading.Lock()


def _file_version(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _cache_key(directory: Path, verify: bool) -> tuple:
    """The directory and the version (inode, size, modification and change times) of every model file:
    any write, replacement or removal of one of them makes a new key."""
    root = directory.resolve()
    names = (MANIFEST_FILE, MODEL_FILE, METADATA_FILE, NOVELTY_FILE)
    return (str(root), bool(verify), tuple(_file_version(root / name) for name in names))


def load_model(path: str | Path | None = None, verify: bool = True) -> ARISEClassifier:
    """Load an ARISE model directory (default: the model shipped with the package), cached.

    Parameters
    ----------
    path : str, Path or None
        Model directory (or a file inside it); None for the packaged default model.
    verify : bool
        Check the SHA-256 checksums of the manifest (recommended).

    Returns
    -------
    ARISEClassifier
        The classifier, with ``model_dir_`` and ``checksum_`` (SHA-256 of ``model.keras``). It is shared:
        the checksums are verified and the files read once per version of the directory's files (their
        size, times and inode), and later calls return the same object until a file changes. Treat it as
        read-only; :meth:`ARISEClassifier.load` reads a private copy (to refit, or add a novelty check).

    Raises
    ------
    FileNotFoundError
        No model, or a file missing (the message names the path).
    ModelIntegrityError
        (a ValueError) checksum mismatch or inconsistent files.
    ModelManifestError
        (a ModelIntegrityError) malformed manifest (not JSON, an entry without a valid ``sha256``, wrong
        types) or one naming a file outside the model folder; nothing is read then.
    """
    directory = model_directory(path)
    key = _cache_key(directory, verify)
    with _lock:
        clf = _cache.get(key)
        if clf is not None:
            _cache.move_to_end(key)
            return clf
    clf = ARISEClassifier.load(directory, verify=verify)
    with _lock:
        _cache[key] = clf
        while len(_cache) > MODEL_CACHE_SIZE:
            _cache.popitem(last=False)
    return clf


def clear_model_cache() -> None:
    """Forget the models :func:`load_model` holds (the next call reads and verifies the files again)."""
    with _lock:
        _cache.clear()


def resolve_model(model: ARISEClassifier | str | Path | None) -> ARISEClassifier:
    """The classifier that a ``model`` argument names: a fitted :class:`ARISEClassifier` as it is, a model
    directory (or a file in it) or None (the packaged model) through :func:`load_model`.

    Raises ValueError for anything else and :class:`~arisekit.model.errors.NotFittedError` (a ValueError)
    for an unfitted classifier.
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        return load_model(model)
    if not isinstance(model, ARISEClassifier):
        raise ValueError(f"model: expected an ARISEClassifier, a path or None, got {type(model).__name__}")
    if not model.__sklearn_is_fitted__():
        raise NotFittedError("this ARISEClassifier is not fitted yet; call fit() or load a model")
    return model


def save_model(clf: ARISEClassifier, directory: str | Path) -> Path:
    """Write a fitted classifier to ``directory`` (created if needed); return the directory path
    (:meth:`ARISEClassifier.save`)."""
    if not isinstance(clf, ARISEClassifier):
        raise ValueError(f"clf: expected an ARISEClassifier, got {type(clf).__name__}")
    return clf.save(directory)
