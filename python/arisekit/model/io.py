"""ARISE model directories: Keras ``.keras`` file + JSON metadata + SHA-256 manifest.

Layout of a model directory::

    model.keras     Keras native format (zip: config.json + model.weights.h5), inference-only
    novelty.npz     optional: the distance-aware out-of-library check (:mod:`arisekit.model.novelty`)
    metadata.json   class names, per-class metadata, descriptor parameters (keyword arguments of
                    ``arisekit.descriptors.arise_soap``, ``central_weight`` always included),
                    hyper-parameters, training log
    manifest.json   {"format": "arisekit-model-manifest", "version": 1,
                     "files": {"model.keras": {"sha256": ..., "bytes": ...}, "metadata.json": {...}}}

This module knows the files only (it never builds a classifier): :func:`read_model_files` checks and
reads a directory, :func:`write_model_files` writes one. :func:`arisekit.load_model` (cached) and
:meth:`ARISEClassifier.load <arisekit.model.ARISEClassifier.load>` turn the files into a classifier.
Loading verifies every checksum; the weights are read with NumPy (no TensorFlow import).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arisekit._atomic import atomic_path, output_lock
from arisekit._json import write_json

from .errors import ModelIntegrityError, ModelManifestError
from .keras_file import read_keras_mlp
from .manifest import model_file, read_manifest
from .network import MLPWeights
from .novelty import NOVELTY_FILE, NoveltyReference

__all__ = [
    "ModelFiles",
    "ModelIntegrityError",
    "ModelManifestError",
    "add_novelty",
    "default_model_dir",
    "model_directory",
    "read_model_files",
    "sha256_file",
    "verify_model_dir",
    "write_model_files",
    "MODEL_FILE",
    "METADATA_FILE",
    "MANIFEST_FILE",
    "NOVELTY_FILE",
]

MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "manifest.json"
FORMAT = "arisekit-model"
FORMAT_VERSION = 1


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_version() -> str:
    from arisekit import __version__

    return __version__


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (unique temporary file beside ``path``, then ``os.replace``); the caller
    holds the model folder's lock."""
    write_json(path, data, lock=False, what="model file")


def write_model_files(
    directory: str | Path,
    keras_model: Any,
    metadata: Mapping[str, Any],
    novelty: NoveltyReference | None = None,
) -> Path:
    """Write a model directory (created if needed) and its manifest; return the directory path.

    ``keras_model`` is saved as ``model.keras``; ``metadata`` (class names, class metadata, descriptor
    parameters, architecture, hyper-parameters, training log) goes to ``metadata.json`` after the
    format entries (format, version, date, arisekit and Keras versions); ``novelty`` to ``novelty.npz``
    (an old one is removed when None). :meth:`arisekit.model.ARISEClassifier.save` calls this.

    Each file is written under a unique temporary name and renamed into place, and the folder's lock
    (``<directory>.lock``) is held throughout: a second process saving to the same folder gets
    :class:`arisekit._atomic.OutputBusyError`; the manifest is written last, so a save cut short leaves
    files whose checksums do not match it (refused when loading), never a model that silently mixes two.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"directory: {directory} exists and is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    with output_lock(directory):
        return _write_model_files(directory, keras_model, metadata, novelty)


def _write_model_files(directory: Path, keras_model: Any, metadata: Mapping[str, Any], novelty) -> Path:
    import keras

    with atomic_path(directory / MODEL_FILE, what="model file", lock=False) as tmp:
        keras_model.save(tmp)
    content = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "arisekit_version": _package_version(),
        "keras_version": keras.__version__,
        **metadata,
    }
    _write_json(directory / METADATA_FILE, content)
    names = [MODEL_FILE, METADATA_FILE]
    if novelty is not None:
        with atomic_path(directory / NOVELTY_FILE, what="model file", lock=False) as tmp:
            novelty.save(tmp)
        names.append(NOVELTY_FILE)
    else:
        (directory / NOVELTY_FILE).unlink(missing_ok=True)
    files = {
        name: {"sha256": sha256_file(directory / name), "bytes": (directory / name).stat().st_size}
        for name in names
    }
    _write_json(directory / MANIFEST_FILE, {"format": FORMAT + "-manifest", "version": 1, "files": files})
    return directory


def _candidate_default_dirs() -> list[Path]:
    here = Path(__file__).resolve()
    candidates = [here.parents[1] / "models"]  # installed wheel: arisekit/models
    repo = here.parents[3]  # source tree: <repo>/python/arisekit/model/io.py
    if (repo / "pyproject.toml").is_file():
        candidates.append(repo / "models")
    return candidates


def default_model_dir() -> Path:
    """Directory of the packaged default model (installed ``arisekit/models`` or ``<repo>/models``)."""
    candidates = _candidate_default_dirs()
    for c in candidates:
        if (c / MANIFEST_FILE).is_file():
            return c
    looked = ", ".join(str(c / MANIFEST_FILE) for c in candidates)
    raise FileNotFoundError(
        f"no default ARISE model found (looked for {looked}); train one with 'arisekit train' "
        "and pass its directory as model/--model"
    )


def model_directory(path: str | Path | None = None) -> Path:
    """The model directory that ``path`` names: itself, the folder of a model file inside it
    (``model.keras``, ``metadata.json``, ``manifest.json``), or for None the packaged default model
    (:func:`default_model_dir`). Raises FileNotFoundError if it does not exist."""
    if path is None:
        return default_model_dir()
    p = Path(path)
    if p.is_file() and p.name in (MODEL_FILE, METADATA_FILE, MANIFEST_FILE):
        p = p.parent
    if not p.exists():
        raise FileNotFoundError(f"model directory not found: {p}")
    if not p.is_dir():
        raise ValueError(f"model path {p} is neither a model directory nor one of its files")
    return p


def add_novelty(directory: str | Path, reference: NoveltyReference) -> Path:
    """Write (or replace) the novelty reference (:mod:`arisekit.model.novelty`) of a saved model and
    its manifest entry, leaving the other files as they are (their checksums are verified first)."""
    directory = model_directory(directory)
    manifest = verify_model_dir(directory, skip=(NOVELTY_FILE,))  # the file being replaced
    meta = json.loads((directory / METADATA_FILE).read_text())
    if reference.n_features != int(meta["n_features"]) or reference.n_classes != len(meta["class_names"]):
        raise ValueError(
            f"novelty reference for {reference.n_features} features / {reference.n_classes} classes; "
            f"the model in {directory} has {meta['n_features']} / {len(meta['class_names'])}"
        )
    path = directory / NOVELTY_FILE
    with output_lock(directory):
        with atomic_path(path, what="model file", lock=False) as tmp:
            reference.save(tmp)
        manifest["files"][NOVELTY_FILE] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        _write_json(directory / MANIFEST_FILE, manifest)
    return path


def verify_model_dir(directory: str | Path, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check every file listed in the manifest against its SHA-256; return the manifest.

    The manifest is checked first (:func:`arisekit.model.manifest.read_manifest`): a malformed one, or
    one naming a file outside ``directory``, raises ModelManifestError before any listed file is read.
    Files named in ``skip`` are not hashed.
    """
    directory = Path(directory)
    manifest = read_manifest(directory, required=(MODEL_FILE, METADATA_FILE))
    for name, info in manifest["files"].items():
        if name in skip:
            continue
        fpath = model_file(directory, name)
        expected = info["sha256"].lower()
        if not fpath.is_file():
            raise FileNotFoundError(f"model file missing: {fpath} (manifest sha256 {expected})")
        actual = sha256_file(fpath)
        if actual != expected:
            raise ModelIntegrityError(
                f"model file {fpath} fails its checksum: manifest sha256 {expected}, file sha256 {actual}"
            )
    return manifest


def _check_metadata(mpath: Path, meta: Any) -> None:
    """ModelIntegrityError unless ``meta`` is an object with the entries load_model needs, rightly typed."""
    if not isinstance(meta, dict):
        raise ModelIntegrityError(f"{mpath}: must be a JSON object, got {type(meta).__name__}")
    version = meta.get("format_version", -1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelIntegrityError(f"{mpath}: 'format_version' must be an integer, got {version!r}")
    n_features, names = meta.get("n_features"), meta.get("class_names")
    if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features < 1:
        raise ModelIntegrityError(f"{mpath}: 'n_features' must be a positive integer, got {n_features!r}")
    if not isinstance(names, list) or not names or not all(isinstance(c, str) for c in names):
        raise ModelIntegrityError(f"{mpath}: 'class_names' must be a non-empty list of names")
    for key in ("class_metadata", "descriptor_params", "training", "hyperparameters"):
        if meta.get(key) is not None and not isinstance(meta[key], (dict, list)):
            raise ModelIntegrityError(f"{mpath}: {key!r} must be an object, got {type(meta[key]).__name__}")


@dataclass(frozen=True)
class ModelFiles:
    """The checked content of a model directory (:func:`read_model_files`)."""

    directory: Path
    #: network weights read from ``model.keras`` (NumPy, no TensorFlow)
    weights: MLPWeights = field(repr=False)
    #: the checked ``metadata.json`` (with ``n_features`` and ``class_names`` that fit the weights)
    metadata: dict[str, Any] = field(repr=False)
    #: the out-of-library check, None if the model has none
    novelty: NoveltyReference | None = field(repr=False)
    #: SHA-256 of ``model.keras`` (from the verified manifest, or computed if not verified)
    checksum: str

    @property
    def keras_file(self) -> Path:
        """Path of the Keras model file."""
        return self.directory / MODEL_FILE


def read_model_files(path: str | Path | None = None, verify: bool = True) -> ModelFiles:
    """Check and read an ARISE model directory (default: the model shipped with the package).

    Parameters
    ----------
    path : model directory (or a file inside it); None for the packaged default model.
    verify : check the SHA-256 checksums of the manifest (recommended).

    Raises
    ------
    FileNotFoundError : no model / a file missing (the message names the path).
    ModelIntegrityError (a ValueError) : checksum mismatch or inconsistent files.
    ModelManifestError (a ModelIntegrityError) : malformed manifest (not JSON, an entry without a valid
        ``sha256``, wrong types) or one naming a file outside the model folder; nothing is read then.
    """
    directory = model_directory(path)
    manifest = verify_model_dir(directory) if verify else None
    mpath = directory / METADATA_FILE
    if not mpath.is_file():
        raise FileNotFoundError(f"model file missing: {mpath}")
    try:
        meta = json.loads(mpath.read_text())
    except json.JSONDecodeError as exc:
        raise ModelIntegrityError(f"{mpath}: invalid JSON ({exc})") from exc
    _check_metadata(mpath, meta)
    if meta.get("format") != FORMAT or int(meta.get("format_version", -1)) > FORMAT_VERSION:
        raise ModelIntegrityError(
            f"{mpath}: unsupported model format {meta.get('format')!r} v{meta.get('format_version')}"
        )
    weights = read_keras_mlp(directory / MODEL_FILE)
    if weights.n_features != int(meta["n_features"]) or weights.n_classes != len(meta["class_names"]):
        raise ModelIntegrityError(
            f"{directory}: metadata says {meta['n_features']} features / {len(meta['class_names'])} classes, "
            f"{MODEL_FILE} has {weights.n_features} / {weights.n_classes}"
        )
    novelty = None
    if (manifest is None or NOVELTY_FILE in manifest["files"]) and (directory / NOVELTY_FILE).is_file():
        try:
            novelty = NoveltyReference.load(directory / NOVELTY_FILE)
        except ValueError as exc:
            raise ModelIntegrityError(str(exc)) from exc
        if novelty.n_features != weights.n_features or novelty.n_classes != weights.n_classes:
            raise ModelIntegrityError(
                f"{directory / NOVELTY_FILE}: made for {novelty.n_features} features / {novelty.n_classes} "
                f"classes, the model has {weights.n_features} / {weights.n_classes}"
            )
    checksum = manifest["files"][MODEL_FILE]["sha256"] if manifest else sha256_file(directory / MODEL_FILE)
    return ModelFiles(directory, weights, meta, novelty, checksum)
