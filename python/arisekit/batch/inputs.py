"""Batch inputs: which reader a file goes to, its result key, frame numbers and lazy frame iteration.

Rule for point clouds: files ending in ``.csv`` or ``.txt`` (any case) are atom-electron-tomography
point clouds (:func:`arisekit.io.read_point_cloud`, species x y z), one frame each; a series is many
such files. Every other file goes through :func:`arisekit.io.read_frames` (LAMMPS text dumps, extended
XYZ, ASE ``.traj`` and any other ase.io format, all frames lazily). ``format="point-cloud"`` forces
the point-cloud reader; any other ``format`` is an ase.io format name applied to every input.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["POINT_CLOUD", "POINT_CLOUD_SUFFIXES", "Source", "count_frames", "discover", "iter_frames"]

POINT_CLOUD = "point-cloud"
POINT_CLOUD_SUFFIXES = (".csv", ".txt")
_COMPRESSED = (".gz", ".bz2", ".xz")
_UNBOUNDED = 2**62  # "to the end" for frame ranges of unknown length


@dataclass(frozen=True)
class Source:
    """One input file: ``key`` names its group ``frames/<key>`` in the results file."""

    path: Path
    key: str
    reader: str  # POINT_CLOUD or "frames"
    format: str | None  # ase.io format (None: guessed)

    def signature(self) -> dict[str, Any]:
        """Absolute path, size and modification time (to notice a changed file on resume)."""
        st = self.path.stat()
        return {"source": str(self.path.resolve()), "size": int(st.st_size), "mtime_ns": int(st.st_mtime_ns)}


def _stem(path: Path) -> str:
    name = path.name
    for suffix in _COMPRESSED:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    stem = Path(name).stem or name
    return stem if stem not in ("", ".", "..") else "file"


def _keys(paths: Sequence[Path]) -> list[str]:
    """File stems; inputs sharing a stem are told apart by their parent folders (``run1__dump``)."""
    resolved = [p.resolve() for p in paths]
    keys = [_stem(p) for p in resolved]
    depth = 1
    while len(set(keys)) < len(keys):
        depth += 1
        counts: dict[str, int] = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        new = []
        for p, k in zip(resolved, keys, strict=True):
            if counts[k] > 1:
                parents = [q.name for q in list(p.parents)[: depth - 1] if q.name][::-1]
                k = "__".join([*parents, _stem(p)])
            new.append(k)
        if new == keys:  # cannot happen for distinct resolved paths, but never loop forever
            raise ValueError(f"inputs: cannot give distinct names to {sorted(map(str, paths))}")
        keys = new
    return keys


def discover(inputs: Sequence[str | Path], format: str | None = None) -> list[Source]:
    """Sources for ``inputs`` (duplicates dropped). FileNotFoundError / ValueError for missing, directory
    or empty inputs, before anything is computed."""
    from arisekit.io._table import check_file

    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    if not inputs:
        raise ValueError("inputs: no input files given")
    paths: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        p = check_file(item)
        if p.resolve() not in seen:
            seen.add(p.resolve())
            paths.append(p)
    sources = []
    for p, key in zip(paths, _keys(paths), strict=True):
        if format == POINT_CLOUD or (format is None and p.suffix.lower() in POINT_CLOUD_SUFFIXES):
            sources.append(Source(p, key, POINT_CLOUD, None))
        else:
            sources.append(Source(p, key, "frames", format))
    return sources


def _open_text(path: Path):
    from ase.io.formats import open_with_compression

    return open_with_compression(str(path), "r")


def _count_lammps(path: Path) -> int:
    with _open_text(path) as fh:
        return sum(1 for line in fh if line.lstrip().startswith("ITEM: TIMESTEP"))


def _count_xyz(path: Path) -> int | None:
    count = 0
    with _open_text(path) as fh:
        for line in fh:
            text = line.strip()
            if not text:
                continue
            try:
                n = int(text)
            except ValueError:
                return None
            count += 1
            if sum(1 for _ in itertools.islice(fh, n + 1)) < n + 1:
                return count  # truncated last frame: read_frames reports it
    return count


def _format(source: Source) -> str | None:
    if source.format is not None:
        return source.format
    from ase.io.formats import filetype

    try:
        return filetype(str(source.path), guess=True)
    except Exception:  # unknown content: read_frames gives the error message later
        return None


def count_frames(source: Source) -> int | None:
    """Number of frames in the file (a cheap text scan; None where it cannot be known cheaply)."""
    if source.reader == POINT_CLOUD:
        return 1
    fmt = _format(source)
    try:
        if fmt == "lammps-dump-text":
            return _count_lammps(source.path)
        if fmt in ("xyz", "extxyz"):
            return _count_xyz(source.path)
        if fmt == "traj":
            from ase.io.trajectory import Trajectory

            with Trajectory(str(source.path)) as traj:
                return len(traj)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return None


def parse_index(index: Any) -> int | slice:
    """``index`` (int, slice or ase.io string such as ``":"``, ``"-1"``, ``"2:10:2"``) as int or slice."""
    from arisekit.io.frames import _selection

    return _selection(index)


def frame_numbers(selection: int | slice, total: int | None) -> Sequence[int] | None:
    """Absolute numbers of the selected frames (None if they need the unknown frame count)."""
    if total is not None:
        if isinstance(selection, int):
            if not -total <= selection < total:
                return []
            return [selection % total]
        return range(total)[selection]
    if isinstance(selection, int):
        return [selection] if selection >= 0 else None
    start, stop, step = selection.start, selection.stop, selection.step or 1
    if step < 0 or (start is not None and start < 0) or (stop is not None and stop < 0):
        return None
    return range(start or 0, stop if stop is not None else _UNBOUNDED, step)


def iter_frames(
    source: Source, selection: int | slice, total: int | None, pixel_size: float | None = None
) -> Iterator[tuple[int, Any]]:
    """Lazily yield (absolute frame number, Atoms) of the selected frames; read errors name file and frame.

    ``total`` (frames in the file, e.g. from :func:`count_frames`) is only used for negative selections;
    without it they cost one extra parsing pass.
    """
    if source.reader == POINT_CLOUD:
        if list(frame_numbers(selection, 1) or []) == [0]:
            from arisekit.io import read_point_cloud

            try:
                atoms = read_point_cloud(source.path, pixel_size=pixel_size)
            except ValueError as exc:
                raise ValueError(f"{source.path}: frame 0: {exc}") from exc
            yield 0, atoms
        return
    from arisekit.io import read_frames

    numbers = frame_numbers(selection, None)  # the count is only trusted where it is needed:
    if numbers is None:  # negative index or step
        if total is None:
            total = sum(1 for _ in read_frames(source.path, ":", source.format))
        numbers = frame_numbers(selection, total) or []
    if not numbers:
        return
    if isinstance(numbers, range):
        if numbers.step < 0:  # results are keyed by frame number: read forwards
            numbers = numbers[::-1]
        stop = None if numbers.stop >= _UNBOUNDED else numbers.stop
        lazy: int | slice = slice(numbers.start, stop, numbers.step)
    else:
        lazy = numbers[0]
    yield from zip(
        numbers, read_frames(source.path, lazy, source.format), strict=False
    )  # numbers may be open-ended
