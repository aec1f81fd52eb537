"""Accuracy benchmark of ARISE against spglib, PTM, CNA, a-CNA and Ackland–Jones (paper Table 1, S1-S3),
out-of-library study (S2.3) and Bain-path scan (S2.2).

Modules: :mod:`~arisekit.benchmark.protocol` (which structures), :mod:`~arisekit.benchmark.baselines`
(the other methods), :mod:`~arisekit.benchmark.runner` (scoring), :mod:`~arisekit.benchmark.metrics`
(accuracy, ECE, AUROC), :mod:`~arisekit.benchmark.report` (tables, JSON, plot),
:mod:`~arisekit.benchmark.out_of_library` (structures absent from the library),
:mod:`~arisekit.benchmark.ool_study` and :mod:`~arisekit.benchmark.bain`.
"""

from arisekit.benchmark.baselines import BASELINES, Baseline, baseline_names, get_baseline
from arisekit.benchmark.metrics import accuracy, auroc, expected_calibration_error, reliability_bins
from arisekit.benchmark.out_of_library import OUT_OF_LIBRARY, build_out_of_library, out_of_library_names
from arisekit.benchmark.protocol import DefectLevel, Protocol
from arisekit.benchmark.runner import AccuracyOptions, AccuracyRun, run_accuracy

__all__ = [
    "BASELINES",
    "OUT_OF_LIBRARY",
    "AccuracyOptions",
    "AccuracyRun",
    "Baseline",
    "DefectLevel",
    "Protocol",
    "accuracy",
    "auroc",
    "baseline_names",
    "build_out_of_library",
    "expected_calibration_error",
    "get_baseline",
    "out_of_library_names",
    "reliability_bins",
    "run_accuracy",
]
