"""Run the accuracy benchmark: build every structure of a :class:`Protocol`, score ARISE and the baselines.

Work is split per class (and per out-of-library structure) over local processes: each task builds its
structures, computes the ARISE descriptors and runs the baselines that cover the class; the Monte-Carlo
dropout inference of all descriptors then runs once in the calling process.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from arisekit.benchmark.baselines import CNA_CUTOFF, get_baseline
from arisekit.benchmark.protocol import Protocol, open_supercells

__all__ = [
    "ARISE",
    "AccuracyOptions",
    "AccuracyRun",
    "descriptor_kwargs",
    "evaluate_task",
    "model_fingerprint",
    "run_accuracy",
]

#: Method key of ARISE itself.
ARISE = "arise"


def descriptor_kwargs(descriptor_params: dict[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`arisekit.descriptors.arise_soap` from a model's descriptor parameters
    (keys it does not accept are dropped; lone-atom species pairs are skipped unless set otherwise)."""

    from arisekit.descriptors import ARISEDescriptor

    accepted = {f.name for f in fields(ARISEDescriptor)}
    kwargs = {k: v for k, v in dict(descriptor_params or {}).items() if k in accepted}
    kwargs.setdefault("undefined_pairs", "skip")
    return kwargs


def model_fingerprint(clf) -> dict[str, Any]:
    """Where the model comes from and a checksum: the SHA-256 of ``model.keras`` from its manifest for a
    model directory, else a SHA-256 of the weights."""
    directory = getattr(clf, "model_dir_", None)
    if directory is not None:
        from arisekit.model.manifest import read_manifest

        manifest = read_manifest(directory, required=("model.keras",))
        return {
            "model_dir": str(directory),
            "sha256_model_keras": manifest["files"]["model.keras"]["sha256"],
            "sha256_metadata": manifest["files"].get("metadata.json", {}).get("sha256"),
        }
    h = hashlib.sha256()
    w = clf.weights_
    for arr in (*w.kernels, *w.biases, *(a for a in (w.mean, w.scale) if a is not None)):
        h.update(np.ascontiguousarray(arr).tobytes())
    return {"model_dir": None, "sha256_weights": h.hexdigest()}


def evaluate_task(
    name: str,
    protocol: Protocol,
    descriptor_params: dict[str, Any] | None,
    baseline_keys: list[str],
    out_of_library: bool = False,
    ool_realizations: int = 2,
    cna_cutoff: float = CNA_CUTOFF,
) -> dict[str, Any]:
    """Build and score all structures of one class (or out-of-library structure ``name``; with
    ``out_of_library`` a library class name stands for a class held out of the model).

    Returns ``meta`` (one dict per structure), ``X`` (ARISE descriptors or None), ``rows`` (baseline
    results, one dict per periodic structure and covering baseline) and ``seconds`` per method. One
    thread per task: :func:`run_accuracy` runs ``workers`` tasks side by side.
    """
    import os

    from arisekit.descriptors import arise_soap

    os.environ.setdefault("SPGLIB_WARNING", "OFF")  # spglib's C warnings would flood stderr
    if out_of_library:
        from arisekit.benchmark.out_of_library import OUT_OF_LIBRARY, build_out_of_library

        if name in OUT_OF_LIBRARY:
            cell = build_out_of_library(name)
            structures = protocol.variants(name, cell, open_supercells(cell, 1), True, ool_realizations)
        else:  # a library class held out of the model
            from arisekit import prototypes

            proto = prototypes.get(name)
            structures = protocol.variants(
                name,
                proto.build(),
                prototypes.supercells(name),
                proto.category != "nanotube",
                ool_realizations,
            )
        baselines = []
    else:
        structures = protocol.structures(name)
        baselines = [b for b in (get_baseline(k) for k in baseline_keys) if b.covers(name)]
    kwargs = None if descriptor_params is None else descriptor_kwargs(descriptor_params)
    meta: list[dict[str, Any]] = []
    X: list[np.ndarray] = []
    rows: list[dict[str, Any]] = []
    seconds = {ARISE: 0.0, "build": 0.0} | {b.key: 0.0 for b in baselines}
    t = time.perf_counter()
    for s in structures:
        seconds["build"] += time.perf_counter() - t
        i = len(meta)
        meta.append(
            {
                "name": name, "level": s.level.label, "group": s.level.group, "boundary": s.boundary,
                "base": s.base, "realization": s.realization, "n_atoms": len(s.atoms),
                "in_library": not out_of_library,
            }
        )  # fmt: skip
        if kwargs is not None:
            t = time.perf_counter()
            X.append(np.asarray(arise_soap(s.atoms, n_threads=1, **kwargs), dtype=np.float64))
            seconds[ARISE] += time.perf_counter() - t
        if s.boundary == "periodic":
            for b in baselines:
                t = time.perf_counter()
                res = b.run(s.atoms, name, cna_cutoff)
                seconds[b.key] += time.perf_counter() - t
                rows.append(
                    {
                        "structure": i, "method": b.key, "predicted": res.label,
                        "correct": res.label == b.expected(name), "atom_fraction": res.atom_fraction,
                    }
                )  # fmt: skip
        t = time.perf_counter()
    return {
        "name": name,
        "out_of_library": out_of_library,
        "meta": meta,
        "X": np.array(X) if X else None,
        "rows": rows,
        "seconds": seconds,
    }


@dataclass
class AccuracyRun:
    """Everything one benchmark run measured.

    ``structures``: one dict per structure (name, level, group, boundary, base, realization, n_atoms,
    in_library). ``scores``: one dict per (structure, method) with ``structure`` (index), ``method``,
    ``predicted``, ``correct`` and, for ARISE, ``confidence`` (mean probability of the predicted class),
    ``mutual_information`` (nats) and ``top`` (three best classes); for local baselines ``atom_fraction``.
    """

    protocol: Protocol
    methods: list[str]
    structures: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    coverage: dict[str, list[str]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _cost(name: str, ool: bool) -> float:
    """Rough relative cost of a task (atoms of the smallest supercell x species pairs)."""
    if ool:
        return 1.0e9  # few structures but large cells: start them early
    from arisekit import prototypes

    proto = prototypes.get(name)
    n_cell = len(proto.build())
    dim = proto.dimensionality
    n = 1
    while n_cell * n**dim < 100:
        n += 1
    return float(n_cell * n**dim * len(proto.species) ** 2)


def _tasks(protocol: Protocol, names: list[str], ool_names: list[str]) -> list[tuple[str, bool]]:
    """Tasks, most expensive first (so that a pool of workers finishes together)."""
    tasks = [(n, False) for n in names] + [(n, True) for n in ool_names]
    return sorted(tasks, key=lambda t: -_cost(*t))


def _execute(tasks, args, workers: int, progress: bool) -> list[dict[str, Any]]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), disable=not progress, desc="benchmark", unit="class")
    results = []
    try:
        if workers <= 1:
            for name, ool in tasks:
                results.append(evaluate_task(name, *args[:3], ool, *args[3:]))
                bar.update(1)
            return results
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(evaluate_task, name, *args[:3], ool, *args[3:]) for name, ool in tasks]
            try:
                for fut in as_completed(futures):
                    results.append(fut.result())
                    bar.update(1)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        bar.close()
    return results


@dataclass(frozen=True)
class AccuracyOptions:
    """How :func:`run_accuracy` runs (frozen, validated on creation).

    Parameters
    ----------
    n_samples : int
        Monte-Carlo dropout passes (≥ 1), with seed ``mc_seed``.
    mc_seed : int
        Seed of the Monte-Carlo dropout masks.
    workers : int
        Local processes (≥ 1) that build and score the structures, one thread each.
    out_of_library : sequence of str, optional
        Out-of-library structures ARISE is also run on (default: those of
        :data:`arisekit.benchmark.out_of_library.OUT_OF_LIBRARY` without a physically right library reading,
        so that the novelty scores count only novel structures); may also name library classes that the
        model was not trained on. An empty sequence: none.
    ool_realizations : int
        Realisations per out-of-library structure.
    cna_cutoff : float
        Cutoff of the fixed-cutoff CNA baseline, in units of d_NN.
    progress : bool
        Show a progress bar.
    """

    n_samples: int = 100
    mc_seed: int = 0
    workers: int = 2
    out_of_library: tuple[str, ...] | None = None
    ool_realizations: int = 2
    cna_cutoff: float = CNA_CUTOFF
    progress: bool = True

    def __post_init__(self) -> None:
        if int(self.n_samples) < 1:
            raise ValueError(f"n_samples must be ≥ 1, got {self.n_samples}")
        if int(self.workers) < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")
        if self.out_of_library is not None:
            if isinstance(self.out_of_library, str):
                raise ValueError(f"out_of_library: a list of names, got the string {self.out_of_library!r}")
            object.__setattr__(self, "out_of_library", tuple(str(n) for n in self.out_of_library))

    @classmethod
    def from_kwargs(cls, options: AccuracyOptions | None = None, **overrides: Any) -> AccuracyOptions:
        """``options`` (default: the defaults) with the fields in ``overrides`` replaced; TypeError for a
        keyword that is no field."""
        from arisekit._params import with_overrides

        return with_overrides(cls, options, overrides, arg="options", caller="run_accuracy")


def run_accuracy(
    protocol: Protocol,
    model=None,
    methods: list[str] | None = None,
    *,
    options: AccuracyOptions | None = None,
    **overrides: Any,
) -> AccuracyRun:
    """Score ARISE (``model``: an ARISEClassifier, a model directory, or None for the shipped model) and
    the baselines ``methods`` (keys of :data:`arisekit.benchmark.baselines.BASELINES` and "arise";
    default all) on every structure of ``protocol``; ARISE also on the out-of-library structures.

    ``options`` (an :class:`AccuracyOptions`): Monte-Carlo samples and seed, worker processes, the
    out-of-library structures, the CNA cutoff, the progress bar; its fields may also be given as keywords
    (``n_samples=50, workers=4``), applied on top of ``options``.
    """
    from arisekit import __version__
    from arisekit.benchmark.baselines import baseline_names
    from arisekit.benchmark.out_of_library import out_of_library_names

    t_start = time.perf_counter()
    opts = AccuracyOptions.from_kwargs(options, **overrides)
    n_samples, mc_seed, workers, progress = opts.n_samples, opts.mc_seed, opts.workers, opts.progress
    out_of_library, ool_realizations, cna_cutoff = opts.out_of_library, opts.ool_realizations, opts.cna_cutoff
    protocol.validate()
    methods = [ARISE, *baseline_names()] if methods is None else list(dict.fromkeys(methods))
    for m in methods:
        if m != ARISE:
            get_baseline(m)
    names = protocol.class_names()
    use_arise = ARISE in methods
    clf = None
    known: set[str] = set()
    coverage: dict[str, list[str]] = {}
    if use_arise:
        from arisekit.model import resolve_model

        clf = resolve_model(model)
        fingerprint = model_fingerprint(clf)  # now: the files could change during a long run
        known = {str(c) for c in clf.classes_}
        coverage[ARISE] = [n for n in names if n in known]
        if not coverage[ARISE]:
            raise ValueError("model: none of the selected classes is a class of the model")
    baseline_keys = [m for m in methods if m != ARISE]
    for k in baseline_keys:
        coverage[k] = [n for n in names if get_baseline(k).covers(n)]
    ool_names = (
        []
        if not use_arise
        else (out_of_library_names(novel_only=True) if out_of_library is None else out_of_library)
    )
    for name in ool_names:
        if name in known:
            raise ValueError(f"out_of_library: {name!r} is a class of the model, not out of its library")
        if name not in out_of_library_names():
            from arisekit import prototypes

            prototypes.get(name)  # unknown names raise ValueError with suggestions
    params = None if clf is None else dict(clf.descriptor_params_)

    # classes outside the model's labels are still run for the baselines, without descriptors
    tasks = _tasks(protocol, names, list(ool_names))
    results = []
    arise_tasks = [(n, o) for n, o in tasks if o or (use_arise and n in coverage[ARISE])]
    other_tasks = [(n, o) for n, o in tasks if (n, o) not in arise_tasks]
    args = (protocol, params, baseline_keys, ool_realizations, cna_cutoff)
    results += _execute(arise_tasks, args, int(workers), progress)
    if other_tasks:
        args_nd = (protocol, None, baseline_keys, ool_realizations, cna_cutoff)
        results += _execute(other_tasks, args_nd, int(workers), progress)
    order = {task: k for k, task in enumerate([(n, False) for n in names] + [(n, True) for n in ool_names])}
    results.sort(key=lambda r: order[(r["name"], r["out_of_library"])])
    t_struct = time.perf_counter() - t_start

    run = AccuracyRun(protocol=protocol, methods=methods, coverage=coverage)
    seconds: dict[str, float] = {}
    X_parts, x_index = [], []
    for res in results:
        offset = len(run.structures)
        run.structures.extend(res["meta"])
        for row in res["rows"]:
            run.scores.append(dict(row, structure=row["structure"] + offset))
        if res["X"] is not None:
            X_parts.append(res["X"])
            x_index.extend(range(offset, offset + len(res["meta"])))
        for k, v in res["seconds"].items():
            seconds[k] = seconds.get(k, 0.0) + v
    if clf is not None and X_parts:
        t = time.perf_counter()
        X = np.concatenate(X_parts)
        out = clf.predict_uncertainty(X, n_samples=int(n_samples), seed=mc_seed)
        seconds["arise_mc_dropout"] = time.perf_counter() - t
        names_arr = [str(c) for c in clf.classes_]
        order = np.argsort(-out.probabilities, axis=1, kind="stable")[:, :3]
        for j, i in enumerate(x_index):
            p = out.probabilities[j]
            pred = names_arr[int(order[j, 0])]
            meta = run.structures[i]
            run.scores.append(
                {
                    "structure": i, "method": ARISE, "predicted": pred,
                    "correct": bool(meta["in_library"] and pred == meta["name"]),
                    "confidence": float(p[order[j, 0]]),
                    "mutual_information": float(out.mutual_information[j]),
                    "top": [[names_arr[int(c)], float(p[c])] for c in order[j]],
                }
            )  # fmt: skip
    seconds["worker_cpu_total"] = float(sum(v for k, v in seconds.items() if k != "arise_mc_dropout"))
    seconds["structures_and_baselines_wall"] = t_struct
    seconds["total_wall"] = time.perf_counter() - t_start
    run.seconds = seconds
    run.settings = {
        "arisekit_version": __version__,
        "n_samples": int(n_samples),
        "mc_seed": int(mc_seed),
        "workers": int(workers),
        "cna_cutoff_dnn": float(cna_cutoff),
        "ptm_rmsd_cutoff": 0.1,
        "spglib": {
            "loose": {"symprec": 0.1, "angle_tolerance": 5.0},
            "tight": {"symprec": 1e-4, "angle_tolerance": 1.0},
        },
        "out_of_library": list(ool_names),
        "ool_realizations": int(ool_realizations),
        "descriptor_params": params,
        "model": None if clf is None else fingerprint | {"n_classes": len(clf.classes_)},
    }
    return run
