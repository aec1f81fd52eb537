"""Writing exploration tables: CSV (one row per record) and JSON (NumPy values converted)."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np


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
    path = Path(path)
    path.write_text(json.dumps(to_jsonable(obj), indent=1) + "\n", encoding="utf-8")
    return path


def write_csv(rows: Sequence[dict], path) -> Path:
    """Rows (dicts with the same keys) as CSV; floats with 6 significant digits, NaN as empty cells."""
    path = Path(path)
    rows = list(rows)
    if not rows:
        raise ValueError(f"{path}: no rows to write")
    fields = list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as fh:
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
