"""Build a descriptor dataset (HDF5) from a :class:`~arisekit.dataset.plan.DatasetPlan`.

Each job's descriptors are first saved atomically as a small ``.npz`` part in ``<out>.parts/``; a
re-run skips finished parts (resume after an interruption), and the HDF5 file is assembled, also
atomically, once every part exists. Work is spread over local processes or a Dask cluster.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from arisekit.dataset.plan import DatasetPlan, Job


def _part_path(parts: Path, job: Job, fingerprint: str = "", context: str = "") -> Path:
    """Part file of a job; ``fingerprint`` identifies the class's structure and ``context`` the plan seed
    and descriptor keywords, so that parts made from an older prototype definition, another seed or another
    descriptor (e.g. a former central weight) are never reused."""
    ident = job.key + "|" + ",".join(s.key for s in job.settings) + "|" + fingerprint + "|" + context
    return parts / (hashlib.sha1(ident.encode()).hexdigest()[:20] + ".npz")


def structure_fingerprint(class_name: str) -> str:
    """Hash of a prototype's periodic cell (species, positions and cell rounded to 1e-8 Å)."""
    from arisekit import prototypes

    atoms = prototypes.build(class_name)
    h = hashlib.sha1(atoms.get_atomic_numbers().astype(np.int64).tobytes())
    for arr in (atoms.get_positions(), np.asarray(atoms.get_cell())):
        h.update(np.round(arr, 8).tobytes())
    return h.hexdigest()[:12]


def compute_job(job: Job, base_seed: int, descriptor_kwargs: dict, n_threads: int = 1) -> dict:
    """Descriptors of one job: rows (n_settings, dim) and the structure's atom count."""
    from arisekit.dataset.structures import build_job_structure
    from arisekit.descriptors import arise_soap

    atoms = build_job_structure(job, base_seed)
    rows = [
        arise_soap(
            atoms,
            cutoff=s.cutoff,
            atom_sigma=s.atom_sigma,
            extrinsic_scale=s.extrinsic_scale,
            n_threads=n_threads,
            **descriptor_kwargs,
        )
        for s in job.settings
    ]
    return {"X": np.asarray(rows), "n_atoms": len(atoms)}


def _run_and_save(job: Job, base_seed: int, descriptor_kwargs: dict, path: str, n_threads: int) -> str:
    result = compute_job(job, base_seed, descriptor_kwargs, n_threads)
    tmp = path + ".tmp.npz"
    np.savez(tmp, X=result["X"], n_atoms=result["n_atoms"])
    os.replace(tmp, path)  # atomic: a part is either complete or absent
    return path


def build_dataset(
    plan: DatasetPlan,
    out: str | os.PathLike,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: bool = True,
    descriptor_kwargs: dict | None = None,
    keep_parts: bool = False,
    on_job_done: Callable[[int, int], None] | None = None,
) -> Path:
    """Compute every job of ``plan`` and write the dataset to ``out`` (HDF5). Returns the path.

    ``workers`` local processes (1: in this process), or the Dask scheduler at ``scheduler``.
    ``descriptor_kwargs`` are passed to :func:`arisekit.descriptors.arise_soap` (n_max, l_max, ...).
    The build holds the lock ``<out>.lock`` (a second build of the same file is refused at once) and
    writes ``out`` atomically.
    """
    from arisekit._atomic import locked_output

    with locked_output(out, what="dataset") as path:
        return _build(plan, path, workers, scheduler, progress, descriptor_kwargs, keep_parts, on_job_done)


def _build(plan, out, workers, scheduler, progress, descriptor_kwargs, keep_parts, on_job_done) -> Path:
    from arisekit import prototypes
    from arisekit.dataset.structures import structure_kinds
    from arisekit.descriptors.arise import DEFAULT_CENTRAL_WEIGHT

    plan.validate()
    descriptor_kwargs = dict(descriptor_kwargs or {})
    # recorded in the file, so that a model trained on it describes structures the same way
    descriptor_kwargs.setdefault("central_weight", DEFAULT_CENTRAL_WEIGHT)
    names = list(plan.classes) if plan.classes else [p.name for p in prototypes.list_prototypes()]
    for name in names:
        prototypes.get(name)  # unknown names raise with suggestions
    jobs = plan.jobs({name: structure_kinds(name) for name in names})
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    prints = {name: structure_fingerprint(name) for name in names}
    context = json.dumps({"seed": int(plan.seed), "descriptor": descriptor_kwargs}, sort_keys=True)
    paths = {job: _part_path(parts, job, prints[job.class_name], context) for job in jobs}
    todo = [job for job in jobs if not paths[job].exists()]
    _execute(todo, plan.seed, descriptor_kwargs, paths, workers, scheduler, progress, len(jobs), on_job_done)
    _assemble(plan, names, jobs, paths, out, descriptor_kwargs)
    if not keep_parts:
        for path in paths.values():
            path.unlink(missing_ok=True)
        try:
            parts.rmdir()
        except OSError:
            pass
    return out


def _execute(todo, seed, kwargs, paths, workers, scheduler, progress, total, on_job_done) -> None:
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=total - len(todo), disable=not progress, desc="dataset", unit="structure")
    done = total - len(todo)

    def finished() -> None:
        nonlocal done
        done += 1
        bar.update(1)
        if on_job_done:
            on_job_done(done, total)

    try:
        if scheduler is None and workers <= 1:
            for job in todo:
                _run_and_save(job, seed, kwargs, str(paths[job]), 0)
                finished()
            return
        if scheduler is not None:
            from distributed import Client, as_completed

            with Client(scheduler, timeout="10s") as client:
                futures = [
                    client.submit(_run_and_save, j, seed, kwargs, str(paths[j]), 1, pure=False) for j in todo
                ]
                for fut in as_completed(futures):
                    fut.result()
                    finished()
            return
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_run_and_save, j, seed, kwargs, str(paths[j]), 1) for j in todo]
            try:
                for fut in as_completed(futures):
                    fut.result()
                    finished()
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        bar.close()


def _assemble(plan, names, jobs, paths, out, descriptor_kwargs) -> None:
    """Gather the finished parts into the training-set file (:func:`arisekit.model.write_dataset`)."""
    from arisekit import __version__, prototypes

    index = {name: k for k, name in enumerate(names)}
    X, cols = (
        [],
        {
            k: []
            for k in (
                "y",
                "variant",
                "kind",
                "key",
                "cutoff",
                "atom_sigma",
                "extrinsic_scale",
                "displacement",
                "missing",
                "realization",
                "n_atoms",
            )
        },
    )
    for job in jobs:
        with np.load(paths[job]) as part:
            rows, n_atoms = part["X"], int(part["n_atoms"])
        for s, row in zip(job.settings, rows):
            X.append(row)
            cols["y"].append(index[job.class_name])
            cols["variant"].append(job.variant)
            cols["kind"].append(job.kind)
            cols["key"].append(job.key)
            cols["cutoff"].append(s.cutoff)
            cols["atom_sigma"].append(s.atom_sigma)
            cols["extrinsic_scale"].append(s.extrinsic_scale)
            cols["displacement"].append(job.displacement)
            cols["missing"].append(job.missing)
            cols["realization"].append(job.realization)
            cols["n_atoms"].append(n_atoms)
    central = plan.central_setting()
    params = dict(
        cutoff=central.cutoff, atom_sigma=central.atom_sigma, extrinsic_scale=central.extrinsic_scale
    )
    params.update(descriptor_kwargs)
    from arisekit.model.dataset import write_dataset

    write_dataset(
        out,
        X,
        cols.pop("y"),
        names,
        [prototypes.get(n).to_dict() for n in names],
        params,
        cols.pop("variant"),
        columns=cols,
        attrs={"plan": plan.to_json(), "arisekit_version": __version__},
        x_dtype=np.float64,
    )
