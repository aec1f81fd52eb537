"""Fingerprints of input frames, checksums of stored frames, and a scan of a results file for damage.

* :func:`frame_fingerprint`: SHA-256 of a frame's content (atomic numbers, positions, cell, pbc), stored
  with its result: on resume a frame whose fingerprint changed is recomputed.
* :func:`result_checksum`: SHA-256 of a stored frame's attributes and arrays, stored with it as
  ``checksum``: a frame whose bytes were damaged no longer matches and is recomputed, never trusted.
* :func:`scan`: reads every frame of a results file and sorts it into good, failed and damaged frames,
  catching whatever the HDF5 library raises for a damaged file (messages instead of tracebacks).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FrameIssue", "Scan", "frame_fingerprint", "looks_like_results", "result_checksum", "scan"]

#: Attributes outside the checksum: the markers written around it.
_UNCHECKED = ("done", "checksum")
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def frame_fingerprint(atoms: Any) -> str:
    """SHA-256 (hex) of a frame's atomic numbers, positions, cell and periodic flags."""
    h = hashlib.sha256()
    for array, dtype in (
        (atoms.get_atomic_numbers(), np.int64),
        (atoms.get_positions(), np.float64),
        (np.asarray(atoms.get_cell()), np.float64),
        (np.asarray(atoms.pbc), np.uint8),
    ):
        a = np.ascontiguousarray(array, dtype=dtype)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _canon(value: Any) -> Any:
    """JSON-ready value, the same before and after an HDF5 or npz round trip."""
    if isinstance(value, np.ndarray):
        return _canon(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    return value


def result_checksum(attrs: dict[str, Any], arrays: dict[str, Any]) -> str:
    """SHA-256 (hex) of a frame result: its attributes (but ``done``/``checksum``) and arrays."""
    h = hashlib.sha256()
    plain = {str(k): _canon(v) for k, v in attrs.items() if k not in _UNCHECKED}
    h.update(json.dumps(plain, sort_keys=True).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"|{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def looks_like_results(path: str | os.PathLike, marker: bytes) -> bool:
    """Whether ``path`` starts like an HDF5 file and holds ``marker`` (the format name) in its first MiB,
    i.e. was a results file before it was damaged."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    return head.startswith(_HDF5_SIGNATURE) and marker in head


@dataclass
class FrameIssue:
    """A stored frame that cannot be trusted: ``file`` key, frame ``index`` (None: the whole file group)."""

    file: str
    index: int | None
    reason: str

    def __str__(self) -> str:
        where = f"frames/{self.file}" + ("" if self.index is None else f"/{self.index}")
        return f"{where}: {self.reason}"


@dataclass
class Scan:
    """What a results file holds: good frames (fingerprint per frame number), failed frames (reason),
    damaged frames, per-file attributes, root attributes and a ``problem`` that spoils the whole file."""

    good: dict[str, dict[int, str]] = field(default_factory=dict)
    failed: dict[str, dict[int, str]] = field(default_factory=dict)
    damaged: list[FrameIssue] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    root: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    @property
    def n_good(self) -> int:
        return sum(len(v) for v in self.good.values())


def _attrs(obj: Any) -> dict[str, Any]:
    return {str(k): _canon(v) for k, v in obj.attrs.items()}


def _check_frame(g: Any) -> tuple[str, Any]:
    """("good", fingerprint) / ("failed", reason) / ("pending", None) / ("damaged", reason)."""
    attrs = _attrs(g)
    if attrs.get("failed"):
        return "failed", str(attrs.get("reason", "failed"))
    if not attrs.get("done"):
        return "pending", None
    stored = attrs.get("checksum")
    if not stored:
        return "damaged", "no checksum (written by an older arisekit or damaged)"
    arrays = {name: g[name][()] for name in g}
    if result_checksum(attrs, arrays) != stored:
        return "damaged", "checksum mismatch (the stored bytes changed)"
    return "good", str(attrs.get("fingerprint", ""))


def scan(path: str | os.PathLike) -> Scan:
    """Read every stored frame of results file ``path`` and verify its checksum (never raises for a
    damaged file: the damage is in the returned :class:`Scan`)."""
    import h5py

    out = Scan()
    try:
        f = h5py.File(Path(path), "r")
    except Exception as exc:  # the HDF5 library raises OSError, but also others for damaged files
        out.problem = f"cannot be opened as HDF5 ({type(exc).__name__}: {exc})"
        return out
    with f:
        try:
            out.root = _attrs(f)
            frames = f["frames"] if "frames" in f else None
            keys = list(frames.keys()) if frames is not None else []
        except Exception as exc:
            out.problem = f"its root group is unreadable ({type(exc).__name__}: {exc})"
            return out
        for key in keys:
            try:
                group = frames[key]
                out.files[key] = _attrs(group)
                names = list(group.keys())
            except Exception as exc:
                out.damaged.append(FrameIssue(key, None, f"unreadable ({type(exc).__name__}: {exc})"))
                continue
            for name in names:
                try:
                    index = int(name)
                    kind, value = _check_frame(group[name])
                except Exception as exc:
                    kind, value = "damaged", f"unreadable ({type(exc).__name__}: {exc})"
                    index = int(name) if name.isdigit() else -1
                if kind == "good":
                    out.good.setdefault(key, {})[index] = value
                elif kind == "failed":
                    out.failed.setdefault(key, {})[index] = value
                elif kind == "damaged":
                    out.damaged.append(FrameIssue(key, index, value))
    return out
