"""Storing :class:`ARISECalculator` results in an ``ase.db`` database.

Example::

    from ase.db import connect
    from arisekit.ase import ARISECalculator, to_data, to_key_value_pairs

    atoms.calc = ARISECalculator(model="path/to/model")
    with connect("results.db") as db:
        kvp, data = to_key_value_pairs(atoms.calc, atoms), to_data(atoms.calc, atoms)
        db.write(atoms, key_value_pairs=kvp, data=data)
    row = db.get(prediction="fcc")           # select on any key-value pair
    row.mutual_information, row.data["probabilities"], row.data["class_names"]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from arisekit.ase.calculator import ATOM_PROPERTIES, ARISECalculator

__all__ = ["to_data", "to_key_value_pairs"]


def _calc(calc: Any) -> ARISECalculator:
    if not isinstance(calc, ARISECalculator):
        raise ValueError(f"calc: expected an ARISECalculator, got {type(calc).__name__}")
    return calc


def _db_string(value: str) -> str:
    """ase.db rejects strings that read as numbers or booleans: quote those."""
    text = str(value)
    try:
        float(text)
    except ValueError:
        return f"'{text}'" if text.lower() in ("true", "false") else text
    return f"'{text}'"


def to_key_value_pairs(calc: Any, atoms: Any = None, top: int = 3) -> dict[str, Any]:
    """Scalar results as ase.db key-value pairs (computed now if needed).

    Keys: ``prediction`` (class name), ``probability``, ``mutual_information``, ``predictive_entropy``,
    ``variation_ratio`` (nats), ``arise_mode``, ``arise_n_samples``, and ``top2_class`` /
    ``top2_probability`` ... up to ``top``. ``atoms`` defaults to the calculator's last structure.
    """
    calc = _calc(calc)
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top: must be an integer ≥ 1, got {top!r}")
    kvp: dict[str, Any] = {
        "prediction": _db_string(calc.get_property("prediction", atoms)),
        "probability": float(calc.get_property("probability", atoms)),
        "mutual_information": float(calc.get_property("mutual_information", atoms)),
        "predictive_entropy": float(calc.get_property("predictive_entropy", atoms)),
        "variation_ratio": float(calc.get_property("variation_ratio", atoms)),
        "arise_mode": calc.parameters["mode"],
    }
    if calc.parameters["n_samples"] is not None:
        kvp["arise_n_samples"] = int(calc.parameters["n_samples"])
    probs = calc.get_property("probabilities", atoms)
    names = calc.class_names
    for rank, k in enumerate(np.argsort(-probs, kind="stable")[:top][1:], start=2):
        kvp[f"top{rank}_class"] = _db_string(names[k])
        kvp[f"top{rank}_probability"] = float(probs[k])
    return kvp


def to_data(calc: Any, atoms: Any = None) -> dict[str, Any]:
    """Array results for the ``data=`` field of ``db.write``: ``class_names``, ``probabilities`` and, in
    spm mode, the per-atom arrays (``structure_type``, ``atom_probability``, ``atom_probabilities``,
    ``atom_mutual_information``)."""
    calc = _calc(calc)
    data: dict[str, Any] = {
        "class_names": list(calc.class_names),
        "probabilities": calc.get_property("probabilities", atoms),
    }
    if calc.parameters["mode"] == "spm":
        for name in ATOM_PROPERTIES:
            data[name] = calc.get_property(name, atoms)
    return data
