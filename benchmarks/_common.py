"""Shared helpers for the benchmarks: timing and a description of the machine."""

from __future__ import annotations

import time


def machine() -> str:
    """One line naming the machine the numbers were measured on."""
    from arisekit.benchmark.report import machine_description

    return machine_description()


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time (s) of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
