"""OVITO integration: :class:`ARISEModifier`, an OVITO pipeline modifier for ARISE structure recognition.

Registered with OVITO through the ``OVITO.Modifier`` entry point, so OVITO Pro lists it as
"ARISE crystal-structure recognition" once arisekit is installed into OVITO's Python interpreter.
:func:`structure_legend` makes a colour legend of the structure types present in the rendered frame.
"""

from arisekit.ovito._traits import ParameterError
from arisekit.ovito.convert import data_to_atoms
from arisekit.ovito.legend import legend_types, structure_legend
from arisekit.ovito.modifier import MODES, ARISEModifier

__all__ = ["MODES", "ARISEModifier", "ParameterError", "data_to_atoms", "legend_types", "structure_legend"]
