"""Reading batch results files written by ``arisekit batch`` / :func:`arisekit.batch.run_batch`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arisekit.batch.integrity import Scan, scan
from arisekit.batch.store import FORMAT
from arisekit.batch.tasks import FrameRecord

__all__ = ["BatchResults", "FrameRecord", "Verification", "load_results", "load_spm_frame", "verify_results"]

#: Small per-frame datasets loaded by :func:`load_results` (SPM maps are read with :func:`load_spm_frame`).
_SUMMARY_ARRAYS = ("probabilities", "class_fractions", "mi_quantiles")


@dataclass
class BatchResults:
    """Contents of a results file: ``mode`` ("global" or "spm"), ``class_names``, run parameters, per-file
    attributes, the finished frames (sorted by file key, then frame number) and the failed frames
    ((file key, frame number) -> reason)."""

    path: Path
    mode: str
    class_names: list[str]
    run: dict[str, Any]
    files: dict[str, dict[str, Any]]
    frames: list[FrameRecord]
    failed: dict[tuple[str, int], str] = field(default_factory=dict)

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
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not a batch results file")
    try:
        f = h5py.File(path, "r")
    except Exception as exc:  # OSError mostly; damaged files raise other kinds too
        raise ValueError(
            f"{path}: unreadable or corrupt HDF5 file ({exc}); rerun the batch command to rebuild it"
        ) from exc
    try:
        fmt = f.attrs.get("format")
    except Exception as exc:
        f.close()
        raise ValueError(f"{path}: damaged batch results file ({type(exc).__name__}: {exc})") from exc
    if fmt != FORMAT:
        f.close()
        raise ValueError(f"{path}: not an arisekit batch results file (format {fmt!r})")
    return f


@dataclass
class Verification:
    """Outcome of :func:`verify_results`: frame counts, damaged frames and a ``problem`` spoiling the
    whole file; ``ok`` if nothing is damaged."""

    path: Path
    n_good: int
    n_failed: int
    damaged: list[str]
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.damaged


def verify_results(path: str | os.PathLike) -> Verification:
    """Read every frame of a results file and check its checksum (``arisekit batch --verify``)."""
    f = _open(path)  # clear errors for a missing, foreign or unopenable file
    f.close()
    found = scan(path)
    return Verification(
        path=Path(path),
        n_good=found.n_good,
        n_failed=sum(len(v) for v in found.failed.values()),
        damaged=[str(d) for d in found.damaged],
        problem=found.problem,
    )


def _damage_error(path: Path, found: Scan) -> ValueError:
    if found.problem is not None:
        what = found.problem
    else:
        listed = "; ".join(str(d) for d in found.damaged[:5])
        more = f" and {len(found.damaged) - 5} more" if len(found.damaged) > 5 else ""
        what = f"{len(found.damaged)} damaged frame(s): {listed}{more}"
    return ValueError(
        f"{path}: damaged batch results file ({what}); rerun the same arisekit batch command to recompute "
        "the damaged frames (or load_results(..., verify=False) to read the others)"
    )


def load_results(path: str | os.PathLike, verify: bool = True) -> BatchResults:
    """Read the finished frames of a results file (groups without the ``done`` marker are ignored).

    With ``verify`` (default) every frame's checksum is checked first and a damaged file raises a
    ValueError naming the damaged frames; without it damaged frames are left out."""
    path = Path(path)
    _open(path).close()  # clear errors for a missing, foreign or unopenable file
    found = scan(path)
    if found.problem is not None or (verify and found.damaged):
        raise _damage_error(path, found)
    try:
        with _open(path) as f:
            files: dict[str, dict[str, Any]] = {}
            frames: list[FrameRecord] = []
            for key, numbers in sorted(found.good.items()):
                group = f["frames"][key]
                for index in sorted(numbers):
                    g = group[str(index)]
                    attrs = {k: _plain(v) for k, v in g.attrs.items() if k not in ("done", "checksum")}
                    arrays = {k: g[k][()] for k in _SUMMARY_ARRAYS if k in g}
                    frames.append(FrameRecord(key, index, attrs, arrays))
            for key in found.files:
                files[key] = {k: _plain(v) for k, v in f["frames"][key].attrs.items()}
            return BatchResults(
                path=path,
                mode=str(f.attrs["mode"]),
                class_names=json.loads(f.attrs["class_names"]),
                run=json.loads(f.attrs["run"]),
                files=files,
                frames=frames,
                failed={(k, i): r for k, v in sorted(found.failed.items()) for i, r in sorted(v.items())},
            )
    except Exception as exc:  # changed between the scan and the read, or damage the scan missed
        raise ValueError(f"{path}: damaged batch results file ({type(exc).__name__}: {exc})") from exc


def load_spm_frame(path: str | os.PathLike, file: str, index: int):
    """The :class:`arisekit.spm.SPMResult` of one frame of an SPM-mode results file."""
    from arisekit.batch.integrity import result_checksum
    from arisekit.spm import SPMResult

    with _open(path) as f:
        if f.attrs["mode"] != "spm":
            raise ValueError(f"{path}: holds {f.attrs['mode']!r} results, not SPM maps")
        name = f"frames/{file}/{int(index)}"
        try:
            found = name in f and f[name].attrs.get("done", False)
            if found:
                g = f[name]
                attrs = dict(g.attrs)
                arrays = {k: g[k][()] for k in g}
        except Exception as exc:
            raise ValueError(f"{path}: {name}: damaged ({type(exc).__name__}: {exc})") from exc
        if not found:
            raise KeyError(f"{path}: no finished frame {index} of {file!r}")
        if attrs.get("checksum") != result_checksum(attrs, arrays):
            raise ValueError(f"{path}: {name}: damaged (checksum mismatch); rerun the batch to recompute it")
        return SPMResult(
            shape=tuple(int(s) for s in attrs["shape"]),
            geometry=str(attrs["geometry"]),
            centers=arrays["centers"],
            box_size=arrays["box_size"],
            stride=float(attrs["stride"]),
            counts=arrays["counts"],
            probabilities=arrays["probabilities"],
            mutual_information=arrays["mutual_information"],
            predictive_entropy=arrays["predictive_entropy"],
            variation_ratio=arrays["variation_ratio"],
            class_names=json.loads(f.attrs["class_names"]),
            params=json.loads(attrs["params"]),
            novelty=arrays.get("novelty"),
        )
