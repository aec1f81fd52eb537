"""Describe the disorder rows (:mod:`arisekit.dataset.disorder`) into a training-set file, and merge files.

Rows are described in groups (one class's thermal rows, one lattice's solid solutions, one MD frame, one
kind of gas); each group is saved atomically as a part in ``<out>.parts/`` before the next, so a build
resumes after an interruption, and the HDF5 file (layout of :mod:`arisekit.model.dataset`) is written
atomically at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from arisekit.dataset.disorder import Row
from arisekit.model.uncertainty import DISORDERED_CLASS

#: Metadata of the class that gives the disorder verdict.
DISORDERED_METADATA = {
    "name": DISORDERED_CLASS,
    "category": "disordered",
    "description": "no library crystal: liquids, glasses, gases, strongly disordered regions",
}


def _groups(class_names: Sequence[str], md_cache, with_md: bool, log) -> Iterable[tuple[str, tuple]]:
    """(group name, recipe) pairs; a recipe is made into rows by :func:`_rows` (in a worker)."""
    from arisekit.dataset import disorder

    for name in class_names:
        yield f"thermal|{name}", ("thermal", name)
    for lattice in disorder.SOLID_SOLUTION_LATTICES:
        yield f"solid|{lattice}", ("solid", lattice)
    yield "gas", ("gas",)
    yield "boundary", ("boundary",)
    for name in disorder.ANTISITE_CLASSES:
        yield f"antisite|{name}", ("antisite", name)
    yield "tetragonal|L1_0", ("tetragonal",)
    if with_md:
        from arisekit.dataset.md_training import training_frames

        for k, frame in enumerate(training_frames(md_cache, log=log)):
            yield f"md|{frame.element}|{frame.label}|{frame.kind}|{frame.T:.1f}|{k}", ("md", frame)


def _rows(recipe: tuple) -> list[Row]:
    from arisekit.dataset import disorder

    kind = recipe[0]
    if kind == "thermal":
        return list(disorder.thermal_rows([recipe[1]]))
    if kind == "solid":
        return [r for r in disorder.solid_solution_rows(lattices=(recipe[1],))]
    if kind == "gas":
        return list(disorder.gas_rows())
    if kind == "boundary":
        return list(disorder.boundary_rows())
    if kind == "antisite":
        return list(disorder.antisite_rows((recipe[1],)))
    if kind == "tetragonal":
        return list(disorder.tetragonal_l10_rows())
    return list(disorder.md_rows([recipe[1]]))


def _describe(rows: list[Row], descriptor_kwargs: dict) -> tuple[np.ndarray, list[Row]]:
    """Descriptors of the rows the descriptor defines, and those rows (an open cluster with a lone atom
    of a species has no d_NN for that species pair: such rows are left out)."""
    from arisekit.descriptors import arise_soap

    X, kept = [], []
    for r in rows:
        try:
            X.append(arise_soap(r.atoms, n_threads=1, **descriptor_kwargs))
        except ValueError:
            continue
        kept.append(r)
    return np.asarray(X), kept


def _describe_part(args) -> str:
    recipe, kwargs, path = args
    X, rows = _describe(_rows(recipe), kwargs)
    tmp = path + ".tmp.npz"
    np.savez(tmp, X=X, labels=np.array([r.label for r in rows]), variants=np.array([r.variant for r in rows]))
    os.replace(tmp, path)
    return path


def build_disorder_dataset(
    out: str | os.PathLike,
    *,
    descriptor_kwargs: dict,
    md_cache=None,
    with_md: bool = True,
    workers: int = 2,
    classes: Sequence[str] | None = None,
    log=print,
) -> Path:
    """Describe every disorder row with ``arise_soap(**descriptor_kwargs)`` and write them to ``out``.

    Class names: the whole library, then "disordered". ``md_cache``: the MD frame cache of
    :func:`arisekit.dataset.md_training.training_frames` (needs LAMMPS unless the frames are cached);
    ``with_md=False`` leaves the MD rows out; ``classes`` limits the thermal rows to those classes.
    The build holds the lock ``<out>.lock`` (a second build of the same file is refused) and writes
    ``out`` atomically.
    """
    from arisekit._atomic import locked_output

    with locked_output(out, what="dataset") as path:
        return _build_disorder(path, descriptor_kwargs, md_cache, with_md, workers, classes, log)


def _settings(module) -> dict:
    """The module-level settings (upper-case constants) of a row-making module: its recipe."""
    kinds = (int, float, str, tuple, dict)
    return {k: v for k, v in sorted(vars(module).items()) if k.isupper() and isinstance(v, kinds)}


def _build_disorder(out: Path, descriptor_kwargs, md_cache, with_md, workers, classes, log) -> Path:
    from arisekit import prototypes

    names = [p.name for p in prototypes.list_prototypes()]
    thermal = names if classes is None else [prototypes.get(n).name for n in classes]
    out = Path(out)
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    from arisekit.dataset import disorder, md_training

    # a part is reused only for the same descriptor and the same row recipe (levels, classes, MD protocol)
    recipe = {"disorder": _settings(disorder), "md": _settings(md_training)}
    context = json.dumps({"descriptor": descriptor_kwargs, "recipe": recipe}, sort_keys=True, default=str)

    def part_path(group: str) -> str:
        return str(parts / (hashlib.sha1((group + "|" + context).encode()).hexdigest()[:20] + ".npz"))

    groups = list(_groups(thermal, md_cache, with_md, log))
    todo = [
        (recipe, descriptor_kwargs, part_path(g)) for g, recipe in groups if not Path(part_path(g)).exists()
    ]
    log(f"{len(groups)} groups; {len(todo)} to describe")
    if workers > 1 and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            for k, _ in enumerate(pool.map(_describe_part, todo), 1):
                if k % 20 == 0:
                    log(f"  {k}/{len(todo)} groups described")
    else:
        for task in todo:
            _describe_part(task)
    X, labels, variants = [], [], []
    for group, _ in groups:
        with np.load(part_path(group)) as part:
            X.append(part["X"])
            labels += part["labels"].tolist()
            variants += part["variants"].tolist()
    class_names = names + [DISORDERED_CLASS]
    index = {n: k for k, n in enumerate(class_names)}
    metadata = [prototypes.get(n).to_dict() for n in names] + [DISORDERED_METADATA]
    _write(out, np.concatenate(X), np.array([index[s] for s in labels]), class_names, metadata,
           descriptor_kwargs, variants)  # fmt: skip
    return out


def _write(out: Path, X, y, class_names, metadata, descriptor_params, variants) -> None:
    from arisekit.model.dataset import write_dataset

    write_dataset(out, X, y, class_names, metadata, descriptor_params, variants)  # atomic, locked


def merge_datasets(paths: Sequence[str | os.PathLike], out: str | os.PathLike) -> Path:
    """Merge training-set files made with the same descriptor into ``out``: class names in order of first
    appearance, rows relabelled, variants kept."""
    from arisekit._atomic import check_output, output_lock
    from arisekit.model.dataset import load_dataset

    out = check_output(out, paths)  # before reading anything: not one of the inputs, not a folder
    with output_lock(out):
        return _merge(paths, out, load_dataset)


def _merge(paths: Sequence[str | os.PathLike], out: Path, load_dataset) -> Path:
    sets = [load_dataset(p) for p in paths]
    params = [_comparable(s.descriptor_params) for s in sets]
    for p, path in zip(params[1:], paths[1:]):
        if p != params[0]:
            raise ValueError(f"{path}: descriptor_params {p} differ from {paths[0]}'s {params[0]}")
    names: list[str] = []
    metadata: list[dict] = []
    for s in sets:
        for n, m in zip(s.class_names, s.class_metadata):
            if n not in names:
                names.append(n)
                metadata.append(m)
    index = {n: k for k, n in enumerate(names)}
    X = np.concatenate([s.X for s in sets])
    y = np.concatenate([np.array([index[s.class_names[k]] for k in s.y], dtype=np.int64) for s in sets])
    variants = [
        str(v) for s in sets for v in (s.variant if s.variant is not None else ["pristine"] * len(s.y))
    ]
    _write(out, X, y, names, metadata, sets[0].descriptor_params, variants)
    return out


def _comparable(params: dict) -> dict:
    """Descriptor parameters that must agree between merged files (the central SOAP setting and the
    keyword arguments; floats rounded)."""
    return {k: round(v, 9) if isinstance(v, float) else v for k, v in sorted(params.items())}
