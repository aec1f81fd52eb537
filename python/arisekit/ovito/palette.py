"""Structure-type ids, names and colours for the OVITO outputs.

Type 0 is "Unclassified" (atoms or boxes without a classified box); class ``k`` of the model (in the model's
class order) has type id ``k + 1``. Classes that OVITO's PTM modifier also knows get PTM's colours, so ARISE
and PTM/CNA results look alike; every other class takes a colour from a fixed 20-colour cycle by its index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["UNCLASSIFIED", "UNCLASSIFIED_COLOR", "class_color", "type_colors", "type_table"]

#: Name of structure type 0.
UNCLASSIFIED = "Unclassified"
#: Colour (RGB, 0..1) of structure type 0 (PTM's "Other").
UNCLASSIFIED_COLOR = (0.95, 0.95, 0.95)

#: Colours of OVITO's PTM structure types, by ARISE prototype name.
_PTM_COLORS: dict[str, tuple[float, float, float]] = {
    "fcc": (0.4, 1.0, 0.4),
    "hcp": (1.0, 0.4, 0.4),
    "bcc": (0.4, 0.4, 1.0),
    "sc": (0.627, 0.078, 0.996),
    "diamond": (0.075, 0.627, 0.996),
    "hexagonal_diamond": (0.996, 0.537, 0.0),
    "graphene": (0.627, 0.471, 0.996),
    # the disorder verdict: grey, as PTM's "Other" (darker than Unclassified)
    "disordered": (0.6, 0.6, 0.6),
}

#: Fixed cycle for all other classes (Tableau-20-like: saturated/light pairs).
_CYCLE: tuple[tuple[float, float, float], ...] = (
    (0.122, 0.467, 0.706), (1.000, 0.498, 0.055), (0.173, 0.627, 0.173), (0.839, 0.153, 0.157),
    (0.580, 0.404, 0.741), (0.549, 0.337, 0.294), (0.890, 0.467, 0.761), (0.498, 0.498, 0.498),
    (0.737, 0.741, 0.133), (0.090, 0.745, 0.812), (0.682, 0.780, 0.910), (1.000, 0.733, 0.471),
    (0.596, 0.875, 0.541), (1.000, 0.596, 0.588), (0.773, 0.690, 0.835), (0.769, 0.612, 0.580),
    (0.969, 0.714, 0.824), (0.780, 0.780, 0.780), (0.859, 0.859, 0.553), (0.620, 0.855, 0.898),
)  # fmt: skip


def class_color(name: str, index: int) -> tuple[float, float, float]:
    """Colour (RGB in 0..1) of class ``name`` at position ``index`` in the model's class list."""
    return _PTM_COLORS.get(name, _CYCLE[index % len(_CYCLE)])


def type_table(class_names: Sequence[str]) -> list[tuple[int, str, tuple[float, float, float]]]:
    """(type id, name, colour) of every structure type: 0 = Unclassified, then the classes from id 1."""
    table = [(0, UNCLASSIFIED, UNCLASSIFIED_COLOR)]
    table += [(k + 1, str(n), class_color(str(n), k)) for k, n in enumerate(class_names)]
    return table


def type_colors(class_names: Sequence[str]) -> np.ndarray:
    """(n_classes + 1, 3) array of colours indexed by structure-type id."""
    return np.array([c for _, _, c in type_table(class_names)], dtype=np.float64)
