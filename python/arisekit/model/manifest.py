"""Reading and checking a model directory's ``manifest.json`` before any listed file is opened.

A manifest is ``{"format": "arisekit-model-manifest", "version": 1, "files": {NAME: {"sha256": HEX,
"bytes": N}, ...}}``. Every NAME must be a plain relative path that stays inside the model folder once
resolved (no ``..``, no absolute path, no symlink leading out), so nothing outside it is read or hashed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .errors import ModelManifestError

MANIFEST_FILE = "manifest.json"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def model_file(directory: Path, name: str, mpath: Path | None = None) -> Path:
    """``directory / name`` after checking that ``name`` names a file inside ``directory``.

    Raises ModelManifestError for an empty, absolute or ``..`` name, or one that resolves (through
    symlinks) outside the folder.
    """
    where = mpath if mpath is not None else directory / MANIFEST_FILE
    if not isinstance(name, str) or not name.strip():
        raise ModelManifestError(f"{where}: file entry {name!r} is not a file name")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith(("/", "\\")):
        raise ModelManifestError(
            f"{where}: file entry {name!r} is an absolute path; entries must name files inside {directory}"
        )
    if ".." in posix.parts or ".." in windows.parts:
        raise ModelManifestError(
            f"{where}: file entry {name!r} leads out of the model folder with '..'; "
            f"entries must name files inside {directory}"
        )
    path = directory / name
    root = directory.resolve()
    target = path.resolve()
    if root not in target.parents:
        raise ModelManifestError(
            f"{where}: file entry {name!r} resolves to {target}, outside the model folder {root} "
            "(a symlink leading out?)"
        )
    return path


def _check_entry(mpath: Path, name: str, info: Any) -> None:
    if not isinstance(info, dict):
        raise ModelManifestError(
            f"{mpath}: entry {name!r} must be an object with 'sha256' and 'bytes', got {type(info).__name__}"
        )
    if "sha256" not in info:
        raise ModelManifestError(f"{mpath}: entry {name!r} has no 'sha256' checksum")
    digest = info["sha256"]
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ModelManifestError(
            f"{mpath}: entry {name!r}: 'sha256' must be 64 hexadecimal digits, got {str(digest)[:80]!r}"
        )
    size = info.get("bytes")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ModelManifestError(
            f"{mpath}: entry {name!r}: 'bytes' must be a non-negative integer, got {size!r}"
        )


def read_manifest(directory: str | Path, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The checked manifest of a model ``directory``; nothing it lists is opened.

    Raises FileNotFoundError if there is no manifest, ModelManifestError (a ValueError) if it is not
    JSON, lacks ``files`` or one of ``required``, has an entry without a valid ``sha256``, or names a
    file outside the folder.
    """
    directory = Path(directory)
    mpath = directory / MANIFEST_FILE
    if not mpath.is_file():
        raise FileNotFoundError(f"no ARISE model at {directory}: {mpath} not found")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ModelManifestError(f"{mpath}: not a text file ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ModelManifestError(f"{mpath}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise ModelManifestError(f"{mpath}: must be a JSON object, got {type(manifest).__name__}")
    files = manifest.get("files")
    if not isinstance(files, dict):
        got = "nothing" if files is None else type(files).__name__
        raise ModelManifestError(f"{mpath}: 'files' must be an object of file entries, got {got}")
    for name, info in files.items():
        model_file(directory, name, mpath)
        _check_entry(mpath, name, info)
    for name in required:
        if name not in files:
            raise ModelManifestError(f"{mpath}: manifest does not list {name}")
    return manifest
