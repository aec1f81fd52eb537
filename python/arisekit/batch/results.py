"""Reading batch results files written by ``arisekit batch`` / :func:`arisekit.batch.run_batch`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arisekit.batch.store import FORMAT

__all__ = ["BatchResults", "FrameRecord", "load_results", "load_spm_frame"]

#: Small per-frame datasets loaded by :func:`load_results` (SPM maps are read with :func:`load_spm_frame`).
_SUMMARY_ARRAYS = ("probabilities", "class_fractions", "mi_quantiles")


@dataclass
class FrameRecord:
    """One finished frame: ``file`` (key of its input), ``index`` (frame number in that file), attributes
    (``n_atoms``, ``info`` JSON and, in global mode, ``prediction``, ``probability``,
    ``mutual_information`` ...) and small arrays (global: ``probabilities``; SPM: ``class_fractions``,
    ``mi_quantiles``)."""

    file: str
    index: int
    attrs: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # attrs and arrays as attributes: rec.prediction
        for store in ("attrs", "arrays"):
            values = self.__dict__.get(store, {})
            if name in values:
                return values[name]
        raise AttributeError(name)

    @property
    def info(self) -> dict[str, Any]:
        """The frame's scalar ``atoms.info`` entries (e.g. LAMMPS ``timestep``)."""
        return json.loads(self.attrs.get("info", "{}"))


@dataclass
class BatchResults:
    """Contents of a results file: ``mode`` ("global" or "spm"), ``class_names``, run parameters, per-file
    attributes and the finished frames (sorted by file key, then frame number)."""

    path: Path
    mode: str
    class_names: list[str]
    run: dict[str, Any]
    files: dict[str, dict[str, Any]]
    frames: list[FrameRecord]

    def __len__(self) -> int:
        return len(self.frames)

    def frame(self, file: str, index: int) -> FrameRecord:
        for rec in self.frames:
            if rec.file == file and rec.index == index:
                return rec
        raise KeyError(f"{self.path}: no finished frame {index} of {file!r}")

    def keys(self) -> list[tuple[str, int]]:
        """(file key, frame number) of every finished frame."""
        return [(r.file, r.index) for r in self.frames]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode()
    return value


def _open(path: str | os.PathLike):
    import h5py

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"batch results file not found: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"{path}: unreadable or corrupt HDF5 file ({exc})") from exc
    if f.attrs.get("format") != FORMAT:
        fmt = f.attrs.get("format")
        f.close()
        raise ValueError(f"{path}: not an arisekit batch results file (format {fmt!r})")
    return f


def load_results(path: str | os.PathLike) -> BatchResults:
    """Read the finished frames of a results file (groups without the ``done`` marker are ignored)."""
    with _open(path) as f:
        files: dict[str, dict[str, Any]] = {}
        frames: list[FrameRecord] = []
        for key, group in sorted(f.get("frames", {}).items()):
            files[key] = {k: _plain(v) for k, v in group.attrs.items()}
            for name in sorted(group, key=int):
                g = group[name]
                if not g.attrs.get("done", False):
                    continue
                attrs = {k: _plain(v) for k, v in g.attrs.items() if k != "done"}
                arrays = {k: g[k][()] for k in _SUMMARY_ARRAYS if k in g}
                frames.append(FrameRecord(key, int(name), attrs, arrays))
        return BatchResults(
            path=Path(path),
            mode=str(f.attrs["mode"]),
            class_names=json.loads(f.attrs["class_names"]),
            run=json.loads(f.attrs["run"]),
            files=files,
            frames=frames,
        )


def load_spm_frame(path: str | os.PathLike, file: str, index: int):
    """The :class:`arisekit.spm.SPMResult` of one frame of an SPM-mode results file."""
    from arisekit.spm import SPMResult

    with _open(path) as f:
        if f.attrs["mode"] != "spm":
            raise ValueError(f"{path}: holds {f.attrs['mode']!r} results, not SPM maps")
        name = f"frames/{file}/{int(index)}"
        if name not in f or not f[name].attrs.get("done", False):
            raise KeyError(f"{path}: no finished frame {index} of {file!r}")
        g = f[name]
        return SPMResult(
            shape=tuple(int(s) for s in g.attrs["shape"]),
            geometry=str(g.attrs["geometry"]),
            centers=g["centers"][()],
            box_size=g["box_size"][()],
            stride=float(g.attrs["stride"]),
            counts=g["counts"][()],
            probabilities=g["probabilities"][()],
            mutual_information=g["mutual_information"][()],
            predictive_entropy=g["predictive_entropy"][()],
            variation_ratio=g["variation_ratio"][()],
            class_names=json.loads(f.attrs["class_names"]),
            params=json.loads(g.attrs["params"]),
        )
