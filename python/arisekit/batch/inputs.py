"""Batch inputs: which reader a file goes to, its result key, frame numbers and lazy frame iteration.

Rule for point clouds: files ending in ``.csv`` or ``.txt`` (any case) are atom-electron-tomography
point clouds (:func:`arisekit.io.read_point_cloud`, species x y z), one frame each; a series is many
such files. Every other file goes through :func:`arisekit.io.read_frames` (LAMMPS text dumps, extended
XYZ, ASE ``.traj`` and any other ase.io format, all frames lazily). ``format="point-cloud"`` forces
the point-cloud reader; any other ``format`` is an ase.io format name applied to every input.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "POINT_CLOUD",
    "POINT_CLOUD_SUFFIXES",
    "Source",
    "count_frames",
    "discover",
    "iter_frames",
    "iter_frames_tolerant",
]

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
        """Absolute path, size, modification and change times (to notice a changed file on resume without
        reading it; a file whose signature changed is read again and its frames' fingerprints compared)."""
        st = self.path.stat()
        return {
            "source": str(self.path.resolve()),
            "size": int(st.st_size),
            "mtime_ns": int(st.st_mtime_ns),
            "ctime_ns": int(st.st_ctime_ns),
        }


def _stem(path: Path) -> str:
    name = path.name
    for suffix in _COMPRESSED:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    stem = Path(name).stem or name
    return stem if stem not in ("", ".", "..") else "file"


def _candidate(path: Path, level: int) -> str:
    """Key of ``path`` at ``level``: 0 its stem, 1 its name, 2 parent__stem, 3 parent__name, ..."""
    depth = level // 2
    leaf = _stem(path) if level % 2 == 0 else path.name
    parents = [q.name for q in list(path.parents)[:depth] if q.name][::-1]
    return "__".join([*parents, leaf])


def _keys(paths: Sequence[Path]) -> list[str]:
    """File stems; inputs sharing a stem are told apart by their full names (``f0.xyz``, ``f0.extxyz``),
    then by their parent folders (``run1__dump``)."""
    resolved = [p.resolve() for p in paths]
    levels = [0] * len(resolved)
    limit = 2 * max((len(p.parents) for p in resolved), default=0) + 2
    keys = [_candidate(p, 0) for p in resolved]
    while len(set(keys)) < len(keys):
        counts: dict[str, int] = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        for i, k in enumerate(keys):
            if counts[k] > 1:
                levels[i] += 1
                if levels[i] > limit:  # cannot happen for distinct paths; never loop forever
                    digest = hashlib.sha1(str(resolved[i]).encode()).hexdigest()[:8]
                    keys[i] = f"{_stem(resolved[i])}__{digest}"
                else:
                    keys[i] = _candidate(resolved[i], levels[i])
    return keys


def discover(inputs: Sequence[str | Path], format: str | None = None) -> list[Source]:
    """Sources for ``inputs`` (duplicates dropped). FileNotFoundError / ValueError for missing, directory
    or empty inputs, before anything is computed."""
    from arisekit.io import check_file

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
    from arisekit.io.frames import frame_selection

    return frame_selection(index)


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


def _numbers(source: Source, selection: int | slice, total: int | None) -> Sequence[int]:
    """Absolute numbers of the selected frames (a range may be open-ended: stop ``_UNBOUNDED``)."""
    numbers = frame_numbers(selection, None)  # the count is only trusted where it is needed:
    if numbers is None:  # negative index or step
        if total is None:
            total = count_frames(source)
        if total is None:  # one parsing pass; frames that cannot be read still count
            every = iter_frames_tolerant(source, slice(None), None)
            total = sum(1 for number, _, _ in every if number is not None)
        numbers = frame_numbers(selection, total) or []
    if isinstance(numbers, range) and numbers.step < 0:  # results are keyed by frame number: read forwards
        numbers = numbers[::-1]
    return numbers


def _read(source: Source, numbers: Sequence[int], pixel_size: float | None) -> Iterator[tuple[int, Any]]:
    if source.reader == POINT_CLOUD:
        if list(numbers) == [0]:
            from arisekit.io import read_point_cloud

            try:
                atoms = read_point_cloud(source.path, pixel_size=pixel_size)
            except ValueError as exc:
                raise ValueError(f"{source.path}: frame 0: {exc}") from exc
            yield 0, atoms
        return
    from arisekit.io import read_frames

    if not numbers:
        return
    if isinstance(numbers, range):
        stop = None if numbers.stop >= _UNBOUNDED else numbers.stop
        lazy: int | slice = slice(numbers.start, stop, numbers.step)
    else:
        lazy = numbers[0]
    yield from zip(numbers, read_frames(source.path, lazy, source.format), strict=False)  # open-ended


def iter_frames(
    source: Source, selection: int | slice, total: int | None, pixel_size: float | None = None
) -> Iterator[tuple[int, Any]]:
    """Lazily yield (absolute frame number, Atoms) of the selected frames; read errors name file and frame.

    ``total`` (frames in the file, e.g. from :func:`count_frames`) is only used for negative selections;
    without it they cost one extra parsing pass.
    """
    if source.reader == POINT_CLOUD:
        yield from _read(source, list(frame_numbers(selection, 1) or []), pixel_size)
        return
    yield from _read(source, _numbers(source, selection, total), pixel_size)


_FRAME = re.compile(r"\bframe (\d+)\b")


def iter_frames_tolerant(
    source: Source, selection: int | slice, total: int | None, pixel_size: float | None = None
) -> Iterator[tuple[int | None, Any, str | None]]:
    """As :func:`iter_frames`, but a frame that cannot be read (NaN coordinates, a bad row) does not end
    the file: yields ``(number, atoms, None)`` per good frame and ``(number, None, message)`` per bad one,
    then goes on with the next frame. ``(None, None, message)``: the file cannot be read any further
    (a message that names no frame, or the same failure again, e.g. a truncated frame)."""
    try:
        if source.reader == POINT_CLOUD:
            numbers: Sequence[int] = list(frame_numbers(selection, 1) or [])
        else:
            numbers = _numbers(source, selection, total)
        if not numbers and source.reader != POINT_CLOUD:  # e.g. "-1" of a file with no frame: say why
            from arisekit.io import read_frames

            next(iter(read_frames(source.path, ":", source.format)), None)
    except (ValueError, OSError) as exc:
        yield None, None, str(exc)
        return
    pos, last = 0, None
    while pos < len(numbers):
        try:
            for number, atoms in _read(source, numbers[pos:], pixel_size):
                pos += 1
                yield number, atoms, None
            return
        except (ValueError, OSError) as exc:
            text = str(exc)
            if text == last:  # the reader cannot get past this failure
                return
            last = text
            named = _FRAME.search(text.replace(str(source.path), ""))
            if named is None or int(named.group(1)) != numbers[pos]:
                yield None, None, text
                return
            yield numbers[pos], None, text
            pos += 1
