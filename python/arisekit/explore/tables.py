"""Writing exploration tables: CSV (one row per record) and JSON (NumPy values converted), each file
atomically (a unique temporary file renamed over it: a reader never sees a part of a table)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from arisekit._atomic import atomic_path


def to_jsonable(obj):
    """``obj`` with NumPy scalars/arrays turned into Python values, non-finite floats into None, dict keys
    into strings."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_json(obj, path) -> Path:
    from arisekit._json import write_json as _write_json

    return _write_json(path, to_jsonable(obj), lock=False, what="output")  # callers lock the output folder


def write_csv(rows: Sequence[dict], path) -> Path:
    """Rows (dicts with the same keys) as CSV; floats with 6 significant digits, NaN as empty cells."""
    path = Path(path)
    rows = list(rows)
    if not rows:
        raise ValueError(f"{path}: no rows to write")
    fields = list(rows[0])
    with (
        atomic_path(path, what="output", lock=False) as tmp,  # callers lock the output folder
        open(tmp, "w", newline="", encoding="utf-8") as fh,
    ):
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in fields})
    return path


def _cell(value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.6g}"
    return value
