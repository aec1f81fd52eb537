"""Batch classification of many files and frames on Dask distributed, streamed, resumable, crash-safe.

The driver reads frames lazily and keeps at most ``max_in_flight`` frames submitted at a time (default
2 per worker thread), so a trajectory is never loaded as a whole. Each finished frame goes straight to
the journal of :class:`arisekit.batch.store.ResultStore` with the fingerprint of its input frame; a
frame that fails (unreadable, NaN coordinates, too few atoms) is recorded with its reason and the other
frames go on. A rerun with the same parameters skips every finished frame whose input is unchanged
(files whose selected frames are all finished and whose size and times have not changed are not even
read), recomputes frames whose input changed or whose stored result is damaged, and retries failed ones.
A frame whose worker is lost is resubmitted (up to ``_MAX_ATTEMPTS`` times) before it counts as failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from arisekit._atomic import check_output
from arisekit._parallel import available_cores
from arisekit.batch import tasks
from arisekit.batch.inputs import (
    Source,
    count_frames,
    discover,
    frame_numbers,
    iter_frames_tolerant,
    parse_index,
)
from arisekit.batch.integrity import frame_fingerprint
from arisekit.batch.scheduler import connect_scheduler, is_lost_worker
from arisekit.batch.store import ResultStore
from arisekit.modes import MODES as _MODES
from arisekit.modes import check_mode, default_n_samples
from arisekit.spm.parameters import SPMParameters

__all__ = ["BatchOptions", "BatchSummary", "MODES", "default_workers", "model_fingerprint", "run_batch"]

MODES = _MODES
_MAX_ATTEMPTS = 3  # submissions of one frame whose worker is lost before it counts as failed


@dataclass
class BatchSummary:
    """Outcome of :func:`run_batch`: frame counts, error messages (naming file and frame), notes on
    repairs, files."""

    out: Path
    mode: str
    computed: int = 0
    skipped: int = 0
    failed: int = 0
    recovered: int = 0  # frames of an earlier, interrupted run merged from the journal at start
    recomputed: int = 0  # finished frames computed again because their input changed (part of computed)
    damaged: int = 0  # stored frames found damaged at start (recovered from the journal or recomputed)
    retried: int = 0  # frames resubmitted after their worker was lost
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plot: Path | None = None
    elapsed_s: float = 0.0


@dataclass
class _FileState:
    source: Source
    record: dict[str, Any]
    outstanding: int = 0
    n_selected: int = 0
    enumerated: bool = False
    failed: bool = False
    total: int | None = None  # frames in the file, where known


def default_workers() -> int:
    """Number of CPU cores available to this process."""
    return available_cores()


def model_fingerprint(clf: Any) -> str:
    """SHA-256 of a classifier's weights, class names and descriptor parameters (identifies results)."""
    h = hashlib.sha256()
    w = clf.weights_
    for a in (*w.kernels, *w.biases, w.mean, w.scale):
        if a is not None:
            h.update(np.ascontiguousarray(a).tobytes())
    meta = [[str(c) for c in clf.classes_], list(w.dropout_rates), clf.descriptor_params_]
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return h.hexdigest()


class ModelPayload:
    """A classifier for the workers that always pickles as its NumPy weights and metadata (never as a
    Keras object or the classifier's inference caches, which hold locks): ``payload.classifier``."""

    def __init__(self, clf: Any) -> None:
        self.classifier = clf

    def __reduce__(self):
        c = self.classifier
        state = (
            c.weights_,
            [str(n) for n in c.classes_],
            c.class_metadata_,
            c.descriptor_params_,
            c.training_,
            c.get_params(),
        )
        return (_rebuild_payload, state)


def _rebuild_payload(weights, names, metadata, descriptor_params, training, params) -> ModelPayload:
    from arisekit.model.classifier import ARISEClassifier

    return ModelPayload(
        ARISEClassifier.from_weights(weights, names, metadata, descriptor_params, training, params)
    )


def _check_positive(name: str, value: Any, integer: bool = False, minimum: float = 0.0) -> None:
    ok = not isinstance(value, bool) and isinstance(
        value, (int, np.integer) if integer else (int, float, np.number)
    )
    if not ok or not np.isfinite(value) or value <= minimum - (1 if integer else 0):
        kind = f"an integer ≥ {int(minimum)}" if integer else "a positive number"
        raise ValueError(f"{name}: must be {kind}, got {value!r}")


def _connect(scheduler: str | None, workers: int, processes: bool, timeout: float):
    """(client, cluster or None); ValueError within ``timeout`` s if the scheduler cannot be reached."""
    from distributed import Client, LocalCluster

    if scheduler:
        return connect_scheduler(scheduler, timeout), None
    with _sigint_ignored(processes):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",  # any free port (the scheduler's HTTP server always runs)
            silence_logs=logging.ERROR,
        )
    return Client(cluster, set_as_default=False), cluster


@contextlib.contextmanager
def _sigint_ignored(enabled: bool):
    """Worker processes started inside inherit an ignored SIGINT, so Ctrl-C reaches only the driver,
    which then shuts them down (instead of every worker dying with a traceback)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass(frozen=True)
class BatchOptions:
    """How a batch run reads its inputs and where it runs (not what it computes; that is ``mode``,
    ``n_samples``/``seed`` and the :class:`arisekit.spm.SPMParameters`).

    Parameters
    ----------
    index : int, slice or str
        Frames per file, ase.io syntax (``":"`` all, ``"::10"``, ``"-1"``).
    format : str or None
        ase.io format for all inputs, ``"point-cloud"`` to force the point-cloud reader, None to guess.
    pixel_size : float or None
        Å per coordinate unit of point clouds.
    scheduler : str or None
        Address of a running Dask scheduler; None starts an embedded ``LocalCluster`` with ``workers``
        single-threaded worker processes (``processes=False``: threads in this process, for testing).
    client : distributed.Client or None
        Use this client instead (``scheduler``/``workers`` are then ignored; the client is not closed).
    workers : int or None
        Workers of the embedded cluster (None: the cores available to this process).
    processes : bool
        Worker processes (True) or threads of this process.
    max_in_flight : int or None
        Frames submitted but not finished at most (default 2 per worker thread).
    threads_per_frame : int
        Threads used by one task (default 1: the cluster's worker threads are the parallelism; 0 = the
        worker's own :mod:`arisekit.parallel` setting, by default all cores of its machine).
    connect_timeout : float
        Seconds to wait for the scheduler.
    progress, plot : bool
        tqdm progress bar (stderr); summary PNG next to ``out``.
    """

    index: Any = ":"
    format: str | None = None
    pixel_size: float | None = None
    scheduler: str | None = None
    client: Any = field(default=None, compare=False, repr=False)
    workers: int | None = None
    processes: bool = True
    max_in_flight: int | None = None
    threads_per_frame: int = 1
    connect_timeout: float = 5.0
    progress: bool = True
    plot: bool = True

    def __post_init__(self) -> None:
        if self.workers is not None:
            _check_positive("workers", self.workers, integer=True, minimum=1)
        if self.max_in_flight is not None:
            _check_positive("max_in_flight", self.max_in_flight, integer=True, minimum=1)
        if self.pixel_size is not None:
            _check_positive("pixel_size", self.pixel_size)
        _check_positive("threads_per_frame", self.threads_per_frame, integer=True, minimum=0)
        _check_positive("connect_timeout", self.connect_timeout)
        parse_index(self.index)


_OPTION_NAMES = frozenset(f.name for f in fields(BatchOptions))


def _split_keywords(options, kwargs) -> tuple[BatchOptions, dict[str, Any], dict[str, Any]]:
    """(options, run keywords n_samples/seed, SPM keywords) from run_batch's keyword arguments."""
    spm_names = SPMParameters.keywords()
    opts, run, spm = {}, {}, {}
    for key, value in kwargs.items():
        if key in _OPTION_NAMES:
            opts[key] = value
        elif key in ("n_samples", "seed"):
            run[key] = value
        elif key in spm_names:
            spm[key] = value
        else:
            raise TypeError(
                f"run_batch() got an unexpected keyword argument {key!r} (keywords: n_samples, seed, the "
                f"fields of SPMParameters and of BatchOptions)"
            )
    options = BatchOptions() if options is None else options
    if opts:
        options = dataclasses.replace(options, **opts)
    return options, run, spm


def run_batch(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike = "results.h5",
    *,
    mode: str = "global",
    model: Any = None,
    params: SPMParameters | None = None,
    options: BatchOptions | None = None,
    **kwargs: Any,
) -> BatchSummary:
    """Classify every selected frame of every input file on a Dask cluster; results to HDF5 ``out``.

    Parameters
    ----------
    inputs : paths
        Structure files (LAMMPS dump, extended XYZ, ASE .traj, any ase.io format) and point clouds
        (``.csv``/``.txt``, one frame per file); see :mod:`arisekit.batch.inputs`.
    out : path
        HDF5 results file (created or resumed); journal in ``<out>.frames/``, plot ``<out stem>.png``.
    mode : "global" or "spm"
        Whole-frame classification, or strided pattern matching maps with ``params``
        (:mod:`arisekit.modes`).
    model : ARISEClassifier, path or None
        Classifier (default: the shipped model). It is sent to every worker once.
    params : SPMParameters or None
        The SPM run (``mode="spm"``; None: the defaults).
    options : BatchOptions or None
        Inputs (frame index, format, pixel size) and execution (scheduler, workers, threads, ...).
    **kwargs
        ``n_samples`` (Monte-Carlo dropout passes; None: 1000 in global mode, 100 per box in SPM mode) and
        ``seed``; fields of :class:`SPMParameters` (``box_size=16.0, stride=2.0, box_descriptors="exact"``,
        ...) and of :class:`BatchOptions` (``index="::10", workers=4, ...``) set one by one.

    Returns
    -------
    BatchSummary
        ``computed``/``skipped``/``failed`` frame counts and ``errors`` ("<file>: frame N: ...").
    """
    t0 = time.perf_counter()
    mode = check_mode(mode)
    options, run_kw, spm_kw = _split_keywords(options, kwargs)
    n_samples = default_n_samples(mode, run_kw.get("n_samples"))
    seed = run_kw.get("seed", 0 if params is None else params.seed)
    spm_params = None
    if mode == "spm":
        spm_params = SPMParameters.from_kwargs(params, **spm_kw, n_samples=n_samples, seed=seed)
    selection = parse_index(options.index)
    sources = discover(inputs, options.format)

    from arisekit.model import resolve_model

    clf = resolve_model(model)
    run: dict[str, Any] = {
        "mode": mode,
        "n_samples": n_samples,
        "seed": seed,
        "class_names": [str(c) for c in clf.classes_],
        "model": model_fingerprint(clf),
        "pixel_size": options.pixel_size,
    }
    if spm_params is not None:
        run.update(
            box_size=spm_params.box_size,
            stride=spm_params.stride,
            box_descriptors=spm_params.box_descriptors,
            min_atoms=spm_params.min_atoms,
        )
    fn, task_kwargs = _task(mode, n_samples, seed, spm_params, options.threads_per_frame)
    dispatcher = _Dispatcher(
        options.client,
        options.scheduler,
        options.workers or default_workers(),
        options.processes,
        float(options.connect_timeout),
        options.max_in_flight,
    )
    inputs = [s.path for s in sources]
    store = ResultStore(out, run, inputs)
    png = store.out.with_suffix(".png")
    if options.plot:
        check_output(png, [*inputs, store.out], what="summary plot")
    summary = BatchSummary(out=store.out, mode=mode)
    store.lock()
    try:
        _run(
            store,
            dispatcher,
            sources,
            selection,
            str(options.index),
            options.format,
            (fn, task_kwargs, ModelPayload(clf)),
            options.pixel_size,
            options.progress,
            summary,
        )
        if options.plot:
            from arisekit.batch.plot import plot_summary

            summary.plot = plot_summary(store.out, png)
    finally:
        store.unlock()
    summary.elapsed_s = time.perf_counter() - t0
    return summary


def _task(mode, n_samples, seed, spm_params, threads_per_frame: int):
    """The worker function and its keyword arguments."""
    n_threads = int(threads_per_frame) or None  # threads inside one task (0: the worker's own setting)
    if mode == "global":
        return tasks.classify_frame, {"n_samples": n_samples, "seed": seed, "n_threads": n_threads}
    return tasks.spm_frame, {"params": spm_params, "n_threads": n_threads}


def _run(store, dispatcher, sources, selection, index_text, fmt, task, pixel_size, progress, summary) -> None:
    """Check the results file, recover an interrupted run's journal, plan, compute; always merge the
    journal and disconnect."""
    store.inspect()
    summary.damaged = len(store.damaged)
    summary.recovered = store.merge()
    summary.notes += store.notes
    plan = _plan(sources, store, selection, index_text, fmt, summary)
    try:
        if any(todo != 0 for _, todo, _, _ in plan):  # connect up front (fail fast) when there is work
            dispatcher.connect()
        _execute(dispatcher, plan, task, store, selection, pixel_size, progress, summary)
        store.merge(create=True)  # a finished run always leaves a results file, even with no frame
    finally:
        try:
            store.merge()
        finally:
            dispatcher.close()


def _plan(sources, store, selection, index_text, fmt, summary) -> list[tuple[_FileState, Any, dict, Any]]:
    """Per file: its state, the number of frames still to compute (None: unknown), its finished frames
    (number -> input fingerprint) and its frame count (None: unknown). Files complete and unchanged
    since the last run are skipped without reading them."""
    finished = store.finished()
    records = store.file_records()
    plan = []
    for src in sources:
        record = {**src.signature(), "index": index_text, "format": fmt or "", "reader": src.reader}
        old = records.get(src.key)
        if old is not None and old.get("source") not in (None, record["source"]):
            raise ValueError(
                f"{store.out}: frames/{src.key} holds results of {old['source']}, not of {src.path}; "
                "use another --out (or rename the input)"
            )
        done = finished.get(src.key, {})
        same = old is not None and all(
            old.get(k) == record[k] for k in ("size", "mtime_ns", "ctime_ns", "index", "format")
        )
        if same and old.get("complete") and len(done) >= int(old.get("n_selected", -1)):
            summary.skipped += int(old["n_selected"])
            continue
        total = count_frames(src)
        numbers = frame_numbers(selection, total)
        todo = None if numbers is None or total is None else sum(1 for n in numbers if n not in done)
        plan.append((_FileState(src, record, total=total), todo, done, total))
    return plan


@dataclass
class _Pending:
    state: _FileState
    number: int
    atoms: Any
    fingerprint: str
    attempts: int
    generation: int  # of the model on the workers when submitted


class _Dispatcher:
    """Dask client (connected on first use), the model on every worker, and the in-flight futures.
    A frame whose worker was lost is resubmitted (the model is scattered again if it was lost too)."""

    def __init__(self, client, scheduler, workers, processes, timeout, max_in_flight) -> None:
        self.client, self.own = client, client is None
        self.cluster = None
        self.scheduler, self.workers, self.processes, self.timeout = scheduler, workers, processes, timeout
        self.max_in_flight = max_in_flight
        self.limit = 1
        self.queue: Any = None
        self.model_future: Any = None
        self.generation = 0
        self.retried = 0
        self.pending: dict[Any, _Pending] = {}
        self.task: tuple[Any, Any, dict] | None = None

    def connect(self) -> None:
        from distributed import as_completed

        if self.queue is not None:
            return
        if self.client is None:
            self.client, self.cluster = _connect(self.scheduler, self.workers, self.processes, self.timeout)
        threads = sum(self.client.nthreads().values())
        self.limit = int(self.max_in_flight or 2 * max(1, threads))
        self.queue = as_completed(loop=self.client.loop)

    def submit(self, fn, atoms, payload, kwargs, state: _FileState, number: int, fingerprint: str) -> None:
        self.connect()
        self.task = (fn, payload, kwargs)
        self._submit(_Pending(state, number, atoms, fingerprint, 1, self.generation))

    def _submit(self, item: _Pending) -> None:
        fn, payload, kwargs = self.task
        if self.model_future is None:
            self.model_future = self.client.scatter(payload, broadcast=True, hash=False)
        item.generation = self.generation
        future = self.client.submit(fn, item.atoms, self.model_future, **kwargs, pure=False)
        self.pending[future] = item
        self.queue.add(future)

    def next_done(self):
        """(future, pending item, result or exception) of the next finished frame (blocks); frames whose
        worker was lost are resubmitted on the way."""
        while True:
            future = next(self.queue)
            item = self.pending.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # any failure of one frame is reported and the batch goes on
                if is_lost_worker(exc) and item.attempts < _MAX_ATTEMPTS:
                    future.release()
                    self._retry(item)
                    continue
                if is_lost_worker(exc):
                    exc = RuntimeError(
                        f"its worker was lost {item.attempts} times ({type(exc).__name__}: {exc})"
                    )
                return future, item, exc
            return future, item, result

    def _retry(self, item: _Pending) -> None:
        if item.generation == self.generation:  # the model may have been lost with the worker
            self.generation += 1
            self.model_future = None
        item.attempts += 1
        self.retried += 1
        self._submit(item)

    def close(self) -> None:
        for future in list(self.pending):
            future.cancel()
        self.pending.clear()
        if self.own and self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            if self.cluster is not None:
                with contextlib.suppress(Exception):
                    self.cluster.close()


def _execute(dispatcher, plan, task, store, selection, pixel_size, progress, summary) -> None:
    from tqdm.auto import tqdm

    fn, kwargs, payload = task
    totals = [todo for _, todo, _, _ in plan]
    total = None if any(t is None for t in totals) else sum(totals)
    bar = tqdm(total=total, desc="arisekit batch", unit="frame", disable=not progress, file=sys.stderr)

    def collect() -> None:
        future, item, outcome = dispatcher.next_done()
        state = item.state
        state.outstanding -= 1
        if isinstance(outcome, BaseException):
            _fail(state, item.number, _frame_error(state.source, item.number, outcome), item.fingerprint)
        else:
            outcome.attrs["fingerprint"] = item.fingerprint
            store.add_frame(state.source.key, item.number, outcome)
            summary.computed += 1
        future.release()
        bar.update(1)
        bar.set_postfix(failed=summary.failed, refresh=False)
        _maybe_complete(state, store)

    def _fail(state: _FileState, number: int, message: str, fingerprint: str = "") -> None:
        state.failed = True
        summary.failed += 1
        summary.errors.append(message)
        reason = message.removeprefix(f"{state.source.path}: ")
        store.add_failure(state.source.key, number, reason, fingerprint)

    try:
        for state, _, done, n_frames in plan:
            seen: set[int] = set()
            for number, atoms, error in iter_frames_tolerant(state.source, selection, n_frames, pixel_size):
                if number is None:  # the rest of the file cannot be read: report, go on with the next
                    state.failed = True
                    path = str(state.source.path)
                    summary.errors.append(error if path in error else f"{path}: {error}")
                    break
                seen.add(number)
                state.n_selected += 1
                if atoms is None:
                    message = error if str(state.source.path) in error else f"{state.source.path}: {error}"
                    _fail(state, number, message)
                    continue
                fingerprint = frame_fingerprint(atoms)
                if number in done:
                    if done[number] == fingerprint:
                        summary.skipped += 1
                        continue
                    summary.recomputed += 1
                dispatcher.submit(fn, atoms, payload, kwargs, state, number, fingerprint)
                state.outstanding += 1
                while len(dispatcher.pending) >= dispatcher.limit:
                    collect()
            else:
                state.enumerated = True
                if state.total is not None:  # stored frames that the (rewritten) file no longer has
                    for number in sorted(n for n in done if n >= state.total and n not in seen):
                        store.drop_frame(state.source.key, number)
            _maybe_complete(state, store)
        while dispatcher.pending:
            collect()
    except KeyboardInterrupt:
        print(
            f"\narisekit batch: interrupted; {summary.computed} finished frames are kept in {store.out} "
            "(rerun the same command to resume)",
            file=sys.stderr,
        )
        raise
    finally:
        summary.retried = dispatcher.retried
        bar.close()


def _frame_error(source: Source, number: int, exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if text.startswith("atoms[0]: "):
        text = text[len("atoms[0]: ") :]
    return f"{source.path}: frame {number}: {type(exc).__name__}: {text}"


def _maybe_complete(state: _FileState, store: ResultStore) -> None:
    if state.enumerated and state.outstanding == 0 and not state.failed:
        store.mark_file(state.source.key, {**state.record, "complete": True, "n_selected": state.n_selected})
