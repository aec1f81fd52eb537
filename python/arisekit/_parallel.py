"""How many threads to use: the cores available to this process, or an explicit count."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np


def available_cores() -> int:
    """Number of CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_threads(n_threads: int) -> int:
    """``n_threads`` itself, or :func:`available_cores` for 0; ValueError for anything else."""
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 0:
        raise ValueError(f"n_threads: must be an integer >= 0 (0 = all cores), got {n_threads!r}")
    return int(n_threads) or available_cores()


@contextmanager
def thread_map(workers: int) -> Iterator[Callable]:
    """A ``map`` (results in order) running on ``workers`` threads; the built-in ``map`` for one."""
    if workers <= 1:
        yield map
        return
    with ThreadPoolExecutor(workers) as pool:
        yield pool.map
