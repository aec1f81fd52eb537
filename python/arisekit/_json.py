"""JSON with NumPy values: the one ``default=`` hook every arisekit JSON writer uses.

:func:`json_default` turns NumPy scalars and arrays into Python values and paths into strings and refuses
anything else; :func:`json_default_str` writes anything else as its ``str``; :func:`dumps` is
``json.dumps`` with :func:`json_default`; :func:`write_json` writes a JSON file atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["dumps", "json_default", "json_default_str", "write_json"]


def json_default(obj: Any) -> Any:
    """``default=`` hook of :func:`json.dumps`: NumPy scalars -> Python scalars, arrays -> lists, paths ->
    strings; anything else raises TypeError."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"object of type {type(obj).__name__} is not JSON serialisable")


def json_default_str(obj: Any) -> Any:
    """As :func:`json_default`, but anything else is written as ``str(obj)`` (reports, never read back)."""
    try:
        return json_default(obj)
    except TypeError:
        return str(obj)


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(obj, default=json_default, **kwargs)``."""
    kwargs.setdefault("default", json_default)
    return json.dumps(obj, **kwargs)


def write_json(
    path: str | os.PathLike,
    data: Any,
    *,
    indent: int | None = 1,
    lock: bool = True,
    what: str = "JSON file",
    **kwargs: Any,
) -> Path:
    """Write ``data`` as JSON (with :func:`json_default`, a trailing newline) atomically: a unique temporary
    file beside ``path`` renamed over it (under the lock ``<path>.lock`` unless ``lock=False``, for callers
    that hold a lock on the folder; ``what`` names the file in errors). ``kwargs`` go to :func:`dumps`.
    Returns the path."""
    from arisekit._atomic import atomic_path

    path = Path(path)
    with atomic_path(path, what=what, lock=lock) as tmp:
        tmp.write_text(dumps(data, indent=indent, **kwargs) + "\n", encoding="utf-8")
    return path
