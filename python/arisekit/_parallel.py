"""Thread helpers shared by subpackages: cores available to the process, an ordered thread ``map``.

The process-wide thread setting lives in the public :mod:`arisekit.parallel`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


def available_cores() -> int:
    """Number of CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def thread_map(workers: int) -> Iterator[Callable]:
    """A ``map`` (results in order) running on ``workers`` threads; the built-in ``map`` for one."""
    if workers <= 1:
        yield map
        return
    with ThreadPoolExecutor(workers) as pool:
        yield pool.map
