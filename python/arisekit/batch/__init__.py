"""Batch classification of many structure files and trajectory frames on Dask distributed.

:func:`run_batch` (CLI: ``arisekit batch``) streams frames to the workers, writes every finished frame
at once (crash-safe journal merged into one HDF5 file) and resumes where an interrupted run stopped;
:func:`load_results` / :func:`load_spm_frame` read the results file, :func:`plot_summary` draws it.
"""

from arisekit.batch.inputs import POINT_CLOUD, POINT_CLOUD_SUFFIXES, discover
from arisekit.batch.plot import plot_summary
from arisekit.batch.results import BatchResults, FrameRecord, load_results, load_spm_frame
from arisekit.batch.runner import MODES, BatchOptions, BatchSummary, run_batch
from arisekit.batch.store import journal_dir

__all__ = [
    "BatchOptions",
    "MODES",
    "POINT_CLOUD",
    "POINT_CLOUD_SUFFIXES",
    "BatchResults",
    "BatchSummary",
    "FrameRecord",
    "discover",
    "journal_dir",
    "load_results",
    "load_spm_frame",
    "plot_summary",
    "run_batch",
]
