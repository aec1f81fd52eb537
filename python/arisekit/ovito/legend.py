"""A colour legend of the ARISE structure types that reads well in rendered images.

:class:`~arisekit.ovito.ARISEModifier` defines every structure type on every frame (so that
``SelectTypeModifier`` finds any class by name) but disables the types absent from the frame; OVITO's
``ColorLegendOverlay`` skips disabled types, so the legend lists only the types present in the frame being
rendered (a handful) instead of all ~124 classes stacked on top of each other::

    from ovito.vis import Viewport
    from arisekit.ovito import structure_legend

    vp = Viewport(type=Viewport.Type.Top)
    vp.overlays.append(structure_legend())            # atoms; structure_legend("grid") for the SPM map
"""

from __future__ import annotations

from typing import Any

from arisekit.ovito.output import GRID_ID

__all__ = ["LEGEND_STYLE", "legend_types", "structure_legend"]

#: Paths of the typed ``Structure Type`` property the legend shows, by source.
_PATHS = {"particles": "particles/Structure Type", "grid": f"{GRID_ID}/Structure Type"}

#: Default look: vertical, in the right margin, bordered colour boxes (the Unclassified type is near-white).
LEGEND_STYLE: dict[str, Any] = dict(
    alignment=0x0002 | 0x0080,  # Qt.AlignRight | Qt.AlignVCenter
    orientation=0x2,  # Qt.Vertical
    offset_x=-0.01,
    legend_size=0.45,
    font_size=0.07,
    border_enabled=True,
)


def structure_legend(source: str = "particles", *, pipeline=None, title: str = "ARISE", **style: Any):
    """``ColorLegendOverlay`` of the ARISE structure types present in the rendered frame.

    ``source``: "particles" (per-atom types) or "grid" (the SPM voxel grid ``arise-spm``). ``pipeline``:
    the pipeline holding the ARISE modifier (needed when the scene has several). ``style``: any
    ``ColorLegendOverlay`` parameter, overriding ``arisekit.ovito.legend.LEGEND_STYLE``.
    """
    from ovito.vis import ColorLegendOverlay

    if source not in _PATHS:
        raise ValueError(f"source: {source!r} is not one of {sorted(_PATHS)}")
    kwargs = {**LEGEND_STYLE, **style, "property": _PATHS[source], "title": title}
    if pipeline is not None:
        kwargs["pipeline"] = pipeline
    return ColorLegendOverlay(**kwargs)


def legend_types(data, source: str = "particles") -> list[str]:
    """Names of the structure types the legend lists for ``data`` (an OVITO ``DataCollection`` after
    :class:`~arisekit.ovito.ARISEModifier`): the enabled types, i.e. those present in the frame."""
    if source not in _PATHS:
        raise ValueError(f"source: {source!r} is not one of {sorted(_PATHS)}")
    container = data.particles if source == "particles" else data.grids[GRID_ID]
    return [t.name for t in container["Structure Type"].types if t.enabled]
