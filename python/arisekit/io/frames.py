"""Lazy reading of (multi-frame) structure files through ase.io, with errors that name file, frame and line.

LAMMPS text dumps and (extended) XYZ files are split into frames here, checked row by row (column count,
numbers, NaN, element symbols) and then parsed by ASE one frame at a time; any other ASE format is read
with :func:`ase.io.iread`. Frames are numbered from 0 as in ASE's ``index``; lines from 1.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from arisekit.io._errors import NotText, describe, find_bad_text, find_cif_symmetry_problem, text_lines
from arisekit.io._table import check_file

#: Formats split into frames and validated here; everything else goes straight to ase.io.iread.
_SPLIT_FORMATS = ("lammps-dump-text", "extxyz", "xyz")


@dataclass
class _Chunk:
    frame: int
    first_line: int  # line number of the frame's first line
    atom_line: int  # line number of the first atom row
    lines: list[str]
    n_atoms: int
    columns: list[str] | None = None  # LAMMPS "ITEM: ATOMS" columns


def read_frames(path, index=":", format: str | None = None) -> Iterator[Atoms]:
    """Iterate lazily over the frames of any ase.io-readable file (LAMMPS dump, extended XYZ, ...).

    Parameters
    ----------
    path : str or Path
        Structure file (compressed ``.gz``/``.bz2``/``.xz`` files are read transparently).
    index : int, slice or str
        Frames to read, as in :func:`ase.io.iread` (``":"``, ``"-1"``, ``"2:10:2"``, 3, ...). Negative
        indices need one pass over the whole file before the first frame is returned.
    format : str, optional
        ase.io format name (e.g. ``"lammps-dump-text"``, ``"extxyz"``); guessed from the file if omitted.

    Raises
    ------
    FileNotFoundError
        The file does not exist (raised at once).
    ValueError
        Empty file, unknown format, bad ``index`` (raised at once); a malformed or truncated frame, NaN
        coordinates, an unknown element, binary (non-UTF-8) content, an unparseable CIF symmetry
        operation or a file with no frames, raised while iterating, as ``"<file>: line L: frame N: ..."``
        (the line where known); never a bare parser exception.
    """
    p = check_file(path)
    selection = frame_selection(index)
    fmt = format if format is not None else _guess_format(path)
    _check_format(path, fmt)
    if fmt in _SPLIT_FORMATS:
        splitter = _lammps_chunks if fmt == "lammps-dump-text" else _xyz_chunks
        return _parse_chunks(str(path), fmt, _select(str(path), splitter(str(path), p), selection))
    return _generic(str(path), p, fmt, selection)


def _guess_format(path) -> str:
    from ase.io.formats import filetype

    try:
        return filetype(str(path), guess=True)
    except Exception as exc:  # ASE raises several types for unknown content
        raise ValueError(f"{path}: cannot determine the file format ({exc}); pass format=") from exc


def _check_format(path, fmt: str) -> None:
    from ase.io.formats import ioformats

    if fmt not in ioformats or not ioformats[fmt].can_read:
        raise ValueError(f"{path}: {fmt!r} is not a format ase.io can read; pass format=")


def frame_selection(index: object) -> int | slice:
    """A frame index (int, slice or ase.io string such as ``":"``, ``"-1"``, ``"2:10:2"``) as int or slice;
    ValueError for anything else."""
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        return int(index)
    if isinstance(index, slice):
        sel = index
    elif isinstance(index, str):
        text = index.strip()
        try:
            if ":" not in text:
                return int(text)
            parts = [int(x) if x.strip() else None for x in text.split(":")]
        except ValueError:
            raise ValueError(f"index must be an integer or a slice like '2:10:2', got {index!r}") from None
        if len(parts) > 3:
            raise ValueError(f"index must be an integer or a slice like '2:10:2', got {index!r}")
        sel = slice(*parts)
    else:
        raise ValueError(f"index must be an int, slice or string, got {type(index).__name__}")
    if sel.step == 0:
        raise ValueError("index: slice step cannot be zero")
    return sel


def _select(path: str, chunks: Iterable[_Chunk], sel: int | slice) -> Iterator[_Chunk]:
    """Lazily pick the selected chunks (negative indices or steps buffer the whole file)."""
    if isinstance(sel, int):
        if sel < 0:
            buffered = list(chunks)
            if -sel > len(buffered):
                raise ValueError(f"{path}: frame {sel} requested but the file has {len(buffered)} frames")
            yield buffered[sel]
            return
        count = 0
        for chunk in chunks:
            count += 1
            if chunk.frame == sel:
                yield chunk
                return
        raise ValueError(f"{path}: frame {sel} requested but the file has {count} frames")
    start, stop, step = sel.start, sel.stop, sel.step or 1
    if step < 0 or (start is not None and start < 0) or (stop is not None and stop < 0):
        yield from list(chunks)[sel]
        return
    start = start or 0
    for chunk in chunks:
        if stop is not None and chunk.frame >= stop:
            return
        if chunk.frame >= start and (chunk.frame - start) % step == 0:
            yield chunk


def _truncated(path: str, chunk_frame: int, what: str, last_line: int) -> ValueError:
    return ValueError(
        f"{path}: frame {chunk_frame}: truncated: {what}, but the file ends at line {last_line}"
    )


def _split_text(path: str, p, split, what: str) -> Iterator[_Chunk]:
    """Frames of the text file ``p`` cut by ``split`` (a ``_*_split`` generator); a line that is not text
    becomes a ValueError naming the line and frame (``what``: the format, for the message)."""
    state = {"frame": 0}
    lines = text_lines(p)
    try:
        yield from split(path, lines, state)
    except NotText as exc:
        raise ValueError(
            f"{path}: line {exc.bad.line}: frame {state['frame']}: {exc.bad.message(what)}"
        ) from None
    finally:
        lines.close()


def _lammps_chunks(path: str, p) -> Iterator[_Chunk]:
    """Split a LAMMPS text dump into frames (each ends after its ``ITEM: ATOMS`` rows)."""
    return _split_text(path, p, _lammps_split, "LAMMPS dump")


def _lammps_split(path: str, it: Iterator[tuple[int, str]], state: dict[str, int]) -> Iterator[_Chunk]:
    frame = 0
    last = 0

    def take(count: int, what: str, into: list[str]) -> None:
        nonlocal last
        for _ in range(count):
            item = next(it, None)
            if item is None:
                raise _truncated(path, frame, what, last)
            last = item[0]
            into.append(item[1])

    lines: list[str] = []
    first = 0
    n_atoms: int | None = None
    for number, line in it:
        last = number
        text = line.strip()
        if not text and not lines:
            continue
        if not lines:
            if not text.startswith("ITEM:"):
                raise ValueError(
                    f"{path}: line {number}: frame {frame}: expected 'ITEM: TIMESTEP', got {text[:40]!r}"
                )
            first = number
        lines.append(line)
        if not text.startswith("ITEM:"):
            continue
        item = text[5:].strip()
        if item.startswith("NUMBER OF ATOMS"):
            take(1, "expected the number of atoms", lines)
            value = lines[-1].strip()
            try:
                n_atoms = int(value)
            except ValueError:
                message = f"number of atoms {value[:40]!r} is not an integer"
                raise ValueError(f"{path}: line {last}: frame {frame}: {message}") from None
            if n_atoms < 0:
                raise ValueError(f"{path}: line {last}: frame {frame}: negative number of atoms")
        elif item.startswith("BOX BOUNDS"):
            take(3, "expected 3 box-bound lines", lines)
        elif item.startswith("ATOMS"):
            if n_atoms is None:
                raise ValueError(
                    f"{path}: line {number}: frame {frame}: 'ITEM: ATOMS' before 'ITEM: NUMBER OF ATOMS'"
                )
            take(n_atoms, f"expected {n_atoms} atom rows after line {number}", lines)
            yield _Chunk(frame, first, number + 1, lines, n_atoms, item.split()[1:])
            frame += 1
            state["frame"] = frame
            lines, n_atoms = [], None
    if lines:
        raise _truncated(path, frame, "the frame has no 'ITEM: ATOMS' section", last)
    if frame == 0:
        raise ValueError(f"{path} contains no frames (only blank lines)")


def _xyz_chunks(path: str, p) -> Iterator[_Chunk]:
    """Split an (extended) XYZ file into frames: atom count, comment line, atom rows."""
    return _split_text(path, p, _xyz_split, "XYZ")


def _xyz_split(path: str, it: Iterator[tuple[int, str]], state: dict[str, int]) -> Iterator[_Chunk]:
    frame = 0
    last = 0
    for number, line in it:
        last = number
        text = line.strip()
        if not text:
            continue
        try:
            n_atoms = int(text)
        except ValueError:
            raise ValueError(
                f"{path}: line {number}: frame {frame}: expected the number of atoms, got {text[:40]!r}"
            ) from None
        if n_atoms < 0:
            raise ValueError(f"{path}: line {number}: frame {frame}: negative number of atoms")
        lines = [line]
        for _ in range(n_atoms + 1):
            item = next(it, None)
            if item is None:
                raise _truncated(path, frame, f"expected {n_atoms} atom rows after line {number + 1}", last)
            last = item[0]
            lines.append(item[1])
        yield _Chunk(frame, number, number + 2, lines, n_atoms)
        frame += 1
        state["frame"] = frame
    if frame == 0:
        raise ValueError(f"{path} contains no frames (only blank lines)")


def _parse_chunks(path: str, fmt: str, chunks: Iterable[_Chunk]) -> Iterator[Atoms]:
    from ase.io import read

    for chunk in chunks:
        if fmt == "lammps-dump-text":
            _check_lammps_rows(path, chunk)
        else:
            _check_xyz_rows(path, chunk)
        try:
            atoms = read(io.StringIO("".join(chunk.lines)), format=fmt, index=0)
        except Exception as exc:  # ASE raises many types; re-raise with the file and frame
            last = chunk.first_line + len(chunk.lines) - 1
            raise ValueError(
                f"{path}: lines {chunk.first_line}-{last}: frame {chunk.frame}: {describe(exc)}"
            ) from exc
        _check_finite(path, chunk.frame, atoms, chunk.atom_line)
        yield atoms


def _rows(chunk: _Chunk) -> list[list[str]]:
    start = len(chunk.lines) - chunk.n_atoms
    return [line.split() for line in chunk.lines[start:]]


def _check_rows(path: str, chunk: _Chunk, rows, width: int | None, numeric: list[int], species: int | None):
    """Column count, numeric/finite values and element symbols of atom rows; ValueError with the line."""

    def fail(r: int, message: str) -> ValueError:
        return ValueError(f"{path}: line {chunk.atom_line + r}: frame {chunk.frame}: {message}")

    for r, tokens in enumerate(rows):
        if (width is not None and len(tokens) != width) or (width is None and len(tokens) < 4):
            expected = width if width is not None else "at least 4"
            raise fail(r, f"expected {expected} columns, got {len(tokens)}")
    if not rows:
        return
    for col in numeric:
        tokens = [t[col] for t in rows]
        try:
            values = np.array(tokens, dtype=np.float64)
        except ValueError:
            for r, t in enumerate(tokens):
                try:
                    float(t)
                except ValueError:
                    raise fail(r, f"column {col + 1}: {t!r} is not a number") from None
            raise  # pragma: no cover
        bad = ~np.isfinite(values)
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise fail(r, f"column {col + 1}: non-finite value {tokens[r]!r}")
    if species is not None:
        tokens = [t[species] for t in rows]
        for symbol in dict.fromkeys(tokens):
            if symbol not in atomic_numbers:
                raise fail(tokens.index(symbol), f"unknown element {symbol!r}")


def _check_lammps_rows(path: str, chunk: _Chunk) -> None:
    cols = chunk.columns or []
    species = cols.index("element") if "element" in cols else None
    numeric = [k for k in range(len(cols)) if k != species]
    _check_rows(path, chunk, _rows(chunk), len(cols), numeric, species)


_PROPERTIES = re.compile(r"""properties\s*=\s*["']?([^"'\s]+)""", re.IGNORECASE)


def _check_xyz_rows(path: str, chunk: _Chunk) -> None:
    match = _PROPERTIES.search(chunk.lines[1])
    if match is None:
        _check_rows(path, chunk, _rows(chunk), None, [1, 2, 3], 0)
        return
    fields = match.group(1).split(":")
    malformed = (
        f"{path}: line {chunk.first_line + 1}: frame {chunk.frame}: malformed Properties={match.group(1)!r}"
    )
    if len(fields) % 3:
        raise ValueError(malformed)
    width, numeric, species = 0, [], None
    for name, kind, count in zip(fields[::3], fields[1::3], fields[2::3], strict=True):
        try:
            n = int(count)
        except ValueError:
            raise ValueError(malformed) from None
        if kind.upper() in ("R", "I"):
            numeric.extend(range(width, width + n))
        if name.lower() == "species":
            species = width
        width += n
    _check_rows(path, chunk, _rows(chunk), width, numeric, species)


def _check_finite(path: str, frame: int, atoms: Atoms, atom_line: int) -> None:
    bad = ~np.isfinite(atoms.positions).all(axis=1)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: line {atom_line + k}: frame {frame}: atom {k} has non-finite coordinates")


def _generic(path: str, p, fmt: str, sel: int | slice) -> Iterator[Atoms]:
    from ase.io import iread

    index = sel if isinstance(sel, slice) else slice(sel, None if sel == -1 else sel + 1)
    step = index.step or 1
    start = index.start if index.start is not None else (0 if step > 0 else -1)

    def label(k: int) -> str:  # absolute frame number where the selection allows it
        if start >= 0:
            return f"frame {start + k * step}"
        return "the last frame" if sel == -1 else f"frame {k} of selection {sel!r}"

    gen = iread(str(p), index=index, format=fmt)
    count = 0
    while True:
        try:
            atoms = next(gen)
        except StopIteration:
            break
        except Exception as exc:  # ASE raises many types; re-raise with the file, frame and line
            raise _reader_error(path, p, fmt, label(count), exc) from exc
        if not np.isfinite(atoms.positions).all():
            k = int(np.flatnonzero(~np.isfinite(atoms.positions).all(axis=1))[0])
            raise ValueError(f"{path}: {label(count)}: atom {k} has non-finite coordinates")
        count += 1
        yield atoms
    if count == 0:
        if _has_no_frames(p, fmt):
            raise ValueError(f"{path} contains no frames")
        raise ValueError(f"{path}: no frames selected by index {_index_text(sel)}")


def _index_text(sel: int | slice) -> str:
    if isinstance(sel, int):
        return str(sel)
    return ":".join("" if v is None else str(v) for v in (sel.start, sel.stop, sel.step)).rstrip(":") or ":"


def _has_no_frames(p, fmt: str) -> bool:
    """True if ase.io finds no frame at all in ``p`` (only called once a selection came back empty)."""
    from ase.io import iread

    try:
        return next(iread(str(p), index=slice(0, 1), format=fmt), None) is None
    except Exception:
        return False


def _reader_error(path: str, p, fmt: str, frame: str, exc: BaseException) -> ValueError:
    """The exception of an ase.io reader in words, with the line where it can be found."""
    if isinstance(exc, UnicodeDecodeError):
        bad = find_bad_text(p)
        if bad is not None:
            return ValueError(f"{path}: line {bad.line}: {frame}: {bad.message(fmt)}")
    if fmt == "cif":
        problem = find_cif_symmetry_problem(p)
        if problem is not None:
            where = f"line {problem.line}: " if problem.line else ""
            return ValueError(
                f"{path}: {where}frame {problem.frame}: symmetry operation {problem.operation!r} "
                f"cannot be parsed ({problem.reason})"
            )
    if isinstance(exc, StopIteration):
        return ValueError(f"{path} contains no frames")
    return ValueError(f"{path}: {frame}: cannot read as {fmt}: {describe(exc)}")
