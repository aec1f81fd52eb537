"""Threads: one process-wide setting, as ``freud.parallel`` does.

Every multithreaded part of arisekit reads this one setting: the C++ core (neighbour search, SOAP, box
sums; the count is passed down with every call, so the core never picks its own), the Monte-Carlo-dropout
engine (its worker threads) and BLAS (through ``threadpoolctl``, for the matrix products of the engine and
of NumPy in general)::

    import arisekit.parallel

    arisekit.parallel.set_num_threads(4)      # from now on, everywhere
    with arisekit.parallel.num_threads(1):     # temporarily (restored on exit, also on error)
        arisekit.classify(atoms)
    arisekit.parallel.set_num_threads(None)   # back to the default

``None`` (or 0) means the default: all CPU cores **available to this process** (its affinity mask, e.g.
under ``taskset`` or a batch scheduler's CPU set — not every core of the machine). With the default BLAS is
left as NumPy configured it; an explicit count also caps BLAS at that many threads.

Per-call ``n_threads`` overrides (``n_threads=None``: this setting; a positive integer overrides it for that
call) are kept only where they matter: the heavy entry points (:func:`arisekit.spm.spm` and
:func:`~arisekit.spm.iter_spm`, :func:`arisekit.classify`, ``ARISEClassifier.predict_uncertainty`` and the
Monte-Carlo-dropout engine, the descriptor batches of :mod:`arisekit.descriptors`) and the building blocks
they hand their count to (neighbour search and d_NN of :mod:`arisekit.geometry`, the box descriptors of
:mod:`arisekit.spm.descriptors`), since threads that run side by side — workers of the domain-streamed SPM,
a thread map over boxes — need counts of their own, which one process-wide value cannot give. Cheap helpers
(e.g. :func:`arisekit.geometry.sphere_members`) read this setting only. The :mod:`arisekit.batch` cluster
sets its own count per task (``threads_per_frame``).

TensorFlow (used only for training, :func:`arisekit.model.ARISEClassifier.fit`) fixes its thread pools when
it initialises: the setting is applied to TensorFlow's intra-/inter-op pools before the first training in the
process; a later change does not reach TensorFlow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from arisekit._parallel import available_cores

__all__ = ["available_cores", "get_num_threads", "num_threads", "resolve_threads", "set_num_threads"]

_lock = threading.RLock()
_setting: int | None = None  # None: all available cores
_blas_limiter = None  # threadpoolctl limiter applied by an explicit setting (restored on reset)


def _check(n) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(
            "n_threads: must be a positive integer, or None/0 for all cores available to the process; "
            f"got {n!r}"
        )
    return int(n) or None


def set_num_threads(n: int | None = None) -> None:
    """Use ``n`` threads from now on in this process (None or 0: all cores available to the process).

    Also caps BLAS at ``n`` threads (when ``threadpoolctl`` is installed); the default leaves BLAS as it was.
    """
    global _setting, _blas_limiter
    value = _check(n)
    with _lock:
        _setting = value
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - a declared dependency
            return
        if _blas_limiter is not None:
            _blas_limiter.restore_original_limits()
            _blas_limiter = None
        if value is not None:
            _blas_limiter = threadpool_limits(limits=value, user_api="blas")


def get_num_threads() -> int:
    """The number of threads arisekit uses: the explicit setting, or all cores available to the process."""
    return _setting or available_cores()


def explicit_num_threads() -> int | None:
    """The explicit process-wide setting, or None when it is the default (all available cores)."""
    return _setting


@contextmanager
def num_threads(n: int | None) -> Iterator[int]:
    """Context manager: ``n`` threads inside the block (None/0: all available cores), the previous setting
    restored on exit. Yields the resolved count."""
    _check(n)
    with _lock:
        previous = _setting
        set_num_threads(n)
    try:
        yield get_num_threads()
    finally:
        with _lock:
            set_num_threads(previous)


def resolve_threads(n_threads: int | None = None) -> int:
    """Thread count of one call: ``n_threads`` when it is a positive integer, else (None or 0) the
    process-wide setting (:func:`get_num_threads`). ValueError for anything else. The result (≥ 1) is
    what is passed to the C++ core."""
    value = _check(n_threads)
    return value if value is not None else get_num_threads()


def explicit_threads(n_threads: int | None = None) -> int | None:
    """``n_threads`` when positive, else the explicit process-wide setting, else None (the default:
    all cores, BLAS left alone)."""
    value = _check(n_threads)
    return value if value is not None else _setting


def configure_tensorflow() -> None:
    """Apply the explicit setting to TensorFlow's intra-/inter-op thread pools, if TensorFlow has not
    initialised them yet (afterwards TensorFlow refuses; the call is then a no-op)."""
    if _setting is None:
        return
    try:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(_setting)
        tf.config.threading.set_inter_op_parallelism_threads(_setting)
    except (ImportError, RuntimeError):  # not installed, or already initialised
        pass
