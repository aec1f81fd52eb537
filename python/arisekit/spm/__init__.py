"""Strided pattern matching (SPM): probability and uncertainty maps of polycrystals and large samples."""

from arisekit.spm.core import iter_spm, project_to_atoms, spm
from arisekit.spm.domains import DomainOptions, stream_spm
from arisekit.spm.grid import choose_geometry
from arisekit.spm.parameters import SPMParameters
from arisekit.spm.plot import plot_map, plot_overview
from arisekit.spm.result import SPMResult

__all__ = [
    "DomainOptions",
    "SPMParameters",
    "SPMResult",
    "choose_geometry",
    "iter_spm",
    "plot_map",
    "plot_overview",
    "project_to_atoms",
    "spm",
    "stream_spm",
]
