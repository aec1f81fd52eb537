"""Reading one frame of a very large LAMMPS text dump or extended XYZ file into arrays.

:func:`arisekit.io.read_frames` goes through ASE (Python lists of lines, an ``Atoms`` object), which for
10⁷ atoms takes minutes and several times the frame's size in memory. :func:`read_large` reads the frame's
atom block in byte blocks of a few MB and parses them with NumPy's C number parser straight into the
preallocated arrays of a :class:`~arisekit.geometry.Structure` (positions float64 (n, 3), atomic numbers
int64): no Python object per atom, peak memory the arrays plus one block. The same frames as
``read_frames`` (same positions, numbers, cell and pbc; ``tests/test_io_large.py``).

Supported: LAMMPS ``dump atom/custom`` text frames with numeric columns (``x y z``, ``xu yu zu`` or scaled
``xs ys zs``; ``type`` → atomic number, as ASE reads it), orthogonal or
triclinic boxes; extended XYZ frames whose first column is the species and whose other columns are
numbers (``Properties=species:S:1:pos:R:3...``). Anything else raises ValueError naming the file (read it
with :func:`arisekit.io.read_frames`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from arisekit.geometry import Structure

__all__ = ["read_large"]

#: Bytes parsed per block (the only transient beyond the result arrays).
BLOCK_BYTES = 32 * 1024**2


class _Reader:
    """A binary file read line by line for headers and in blocks for atom rows (byte offsets tracked)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by read_large
        self.line_no = 0

    def line(self) -> bytes:
        s = self.fh.readline()
        if s:
            self.line_no += 1
        return s

    def skip_lines(self, n: int) -> None:
        """Skip ``n`` lines without building them."""
        while n > 0:
            start = self.fh.tell()
            block = self.fh.read(BLOCK_BYTES)
            if not block:
                raise ValueError(f"{self.path}: truncated frame (file ends {n} lines early)")
            found = block.count(b"\n")
            if found < n:
                n -= found
                self.line_no += found
                continue
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            self.fh.seek(start + int(ends[n - 1]) + 1)
            self.line_no += n
            n = 0

    def rows(self, n: int) -> bytes:
        """The next ``n`` lines, block by block (each yielded block ends at a line end)."""
        while n > 0:
            start = self.fh.tell()
            block = self.fh.read(BLOCK_BYTES)
            if not block:
                raise ValueError(
                    f"{self.path}: line {self.line_no + 1}: truncated frame ({n} atom rows missing)"
                )
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            if len(ends) == 0 and len(block) == BLOCK_BYTES:
                raise ValueError(
                    f"{self.path}: line {self.line_no + 1}: a line longer than {BLOCK_BYTES} bytes"
                )
            take = min(n, len(ends))
            if take == 0:  # the last line without a newline
                end, take = len(block), 1
            else:
                end = int(ends[take - 1]) + 1
            self.fh.seek(start + end)
            self.line_no += take
            n -= take
            yield block[:end], take


def _numbers(block: bytes, lines: int, width: int, path: Path, line_no: int) -> np.ndarray:
    values = np.fromstring(block, dtype=np.float64, sep=" ")  # C parser; any whitespace separates
    if values.size != lines * width:
        raise ValueError(
            f"{path}: lines {line_no + 1}-{line_no + lines}: expected {width} numbers per atom row "
            f"({lines * width} in all), parsed {values.size}: a non-numeric or missing column; read this "
            "file with arisekit.io.read_frames"
        )
    return values.reshape(lines, width)


# -------------------------------------------------------------------------------------------- LAMMPS
def _lammps_header(r: _Reader) -> tuple[int, np.ndarray, np.ndarray, list[bool], list[str]] | None:
    """(n_atoms, bounds (3, 2 or 3), tilts, pbc, columns) of the next frame, or None at the end."""
    line = r.line()
    while line and not line.strip():
        line = r.line()
    if not line:
        return None
    n_atoms, bounds, pbc, columns = None, None, [True] * 3, None
    tilts = np.zeros(3)
    while True:
        if not line.startswith(b"ITEM:"):
            raise ValueError(f"{r.path}: line {r.line_no}: expected an 'ITEM:' line, got {line[:60]!r}")
        item = line[5:].decode().strip()
        if item.startswith("TIMESTEP"):
            r.line()
        elif item.startswith("NUMBER OF ATOMS"):
            n_atoms = int(r.line())
        elif item.startswith("BOX BOUNDS"):
            words = item.split()[2:]
            triclinic = words[:3] == ["xy", "xz", "yz"]
            flags = words[3:] if triclinic else words
            pbc = [f == "pp" for f in flags] if len(flags) == 3 else [True] * 3
            rows = [np.array(r.line().split(), dtype=np.float64) for _ in range(3)]
            bounds = np.array([row[:2] for row in rows])
            if triclinic:
                tilts = np.array([row[2] for row in rows])
        elif item.startswith("ATOMS"):
            columns = item.split()[1:]
            break
        line = r.line()
        if not line:
            raise ValueError(f"{r.path}: line {r.line_no}: the frame ends inside its header")
    if n_atoms is None or bounds is None:
        raise ValueError(f"{r.path}: line {r.line_no}: frame header without NUMBER OF ATOMS or BOX BOUNDS")
    return n_atoms, bounds, tilts, pbc, columns


def _lammps_cell(bounds: np.ndarray, tilts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cell, origin) from LAMMPS bounding-box bounds and tilts (as ASE's construct_cell)."""
    xy, xz, yz = tilts
    xlo = bounds[0, 0] - min(0.0, xy, xz, xy + xz)
    xhi = bounds[0, 1] - max(0.0, xy, xz, xy + xz)
    ylo = bounds[1, 0] - min(0.0, yz)
    yhi = bounds[1, 1] - max(0.0, yz)
    zlo, zhi = bounds[2]
    cell = np.array([[xhi - xlo, 0.0, 0.0], [xy, yhi - ylo, 0.0], [xz, yz, zhi - zlo]])
    return cell, np.array([xlo, ylo, zlo])


def _read_lammps_frame(r: _Reader, header) -> Structure:
    n, bounds, tilts, pbc, columns = header
    cell, _ = _lammps_cell(bounds, tilts)
    for names, scaled in ((("x", "y", "z"), False), (("xu", "yu", "zu"), False), (("xs", "ys", "zs"), True)):
        if all(c in columns for c in names):
            pos_cols, is_scaled = [columns.index(c) for c in names], scaled
            break
    else:
        raise ValueError(f"{r.path}: frame columns {columns}: no x y z, xu yu zu or xs ys zs positions")
    if "type" not in columns or "element" in columns:
        raise ValueError(
            f"{r.path}: frame columns {columns}: read_large needs a numeric 'type' column and no 'element' "
            "column; read this file with arisekit.io.read_frames"
        )
    width, type_col = len(columns), columns.index("type")
    id_col = columns.index("id") if "id" in columns else None
    positions = np.empty((n, 3))
    numbers = np.empty(n, dtype=np.int64)
    ids = np.empty(n, dtype=np.int64) if id_col is not None else None
    row = 0
    for block, lines in r.rows(n):
        values = _numbers(block, lines, width, r.path, r.line_no - lines)
        positions[row : row + lines] = values[:, pos_cols]
        numbers[row : row + lines] = values[:, type_col]
        if ids is not None:
            ids[row : row + lines] = values[:, id_col]
        row += lines
    if is_scaled:
        positions = positions @ cell
    if ids is not None and np.any(np.diff(ids) < 0):  # ASE orders the atoms by id
        order = np.argsort(ids, kind="stable")
        positions, numbers = positions[order], numbers[order]
    return Structure(positions, cell, tuple(pbc), numbers)


def _leading_symbols(block: bytes, lines: int, r: _Reader) -> tuple[bytes, np.ndarray]:
    """Atomic numbers of the element symbols that start every line of ``block`` (first column only),
    and the block with those symbols blanked out (the remaining columns are numbers)."""
    from ase.data import atomic_numbers

    a = np.frombuffer(block, dtype=np.uint8).copy()
    starts = np.r_[0, np.flatnonzero(a == 10)[: lines - 1] + 1]
    first = a[starts]
    if not np.all((first >= 65) & (first <= 90)):
        bad = int(np.flatnonzero(~((first >= 65) & (first <= 90)))[0])
        raise ValueError(
            f"{r.path}: line {r.line_no - lines + bad + 1}: expected an element symbol at the line start"
        )
    second = a[np.minimum(starts + 1, len(a) - 1)]
    two = (second >= 97) & (second <= 122)
    code = first.astype(np.int64) * 256 + np.where(two, second, 0)
    numbers = np.empty(lines, dtype=np.int64)
    for c in np.unique(code):
        symbol = chr(c // 256) + (chr(c % 256) if c % 256 else "")
        if symbol not in atomic_numbers:
            raise ValueError(f"{r.path}: unknown element symbol {symbol!r}")
        numbers[code == c] = atomic_numbers[symbol]
    a[starts] = 32
    a[starts[two] + 1] = 32
    return a.tobytes(), numbers


# ------------------------------------------------------------------------------------------ (ext)XYZ
def _xyz_header(r: _Reader) -> tuple[int, dict] | None:
    from ase.io.extxyz import key_val_str_to_dict

    line = r.line()
    while line and not line.strip():
        line = r.line()
    if not line:
        return None
    try:
        n = int(line)
    except ValueError:
        raise ValueError(
            f"{r.path}: line {r.line_no}: expected the number of atoms, got {line[:60]!r}"
        ) from None
    comment = r.line().decode(errors="replace").strip()
    info = key_val_str_to_dict(comment) if "=" in comment else {}
    return n, info


def _read_xyz_frame(r: _Reader, header) -> Structure:
    n, info = header
    props = info.get("Properties", "species:S:1:pos:R:3")
    fields = props.split(":")
    spec = [(fields[i], fields[i + 1], int(fields[i + 2])) for i in range(0, len(fields), 3)]
    if spec[0][:2] != ("species", "S") or spec[0][2] != 1:
        raise ValueError(f"{r.path}: Properties {props!r}: the first column must be the species")
    col, pos_col = 0, None
    for name, kind, width in spec[1:]:
        if kind not in ("R", "I"):
            raise ValueError(f"{r.path}: Properties {props!r}: non-numeric column {name!r}")
        if name == "pos":
            pos_col = col
        col += width
    if pos_col is None:
        raise ValueError(f"{r.path}: Properties {props!r}: no pos column")
    positions = np.empty((n, 3))
    numbers = np.empty(n, dtype=np.int64)
    row = 0
    for block, lines in r.rows(n):
        block, z = _leading_symbols(block, lines, r)
        values = _numbers(block, lines, col, r.path, r.line_no - lines)
        positions[row : row + lines] = values[:, pos_col : pos_col + 3]
        numbers[row : row + lines] = z
        row += lines
    lattice = info.get("Lattice")
    cell = np.zeros((3, 3)) if lattice is None else np.asarray(lattice, dtype=np.float64).reshape(3, 3).T
    # (ASE returns the Lattice columns as rows)
    pbc = info.get("pbc", [lattice is not None] * 3)
    pbc = tuple(bool(x) for x in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,)))
    return Structure(positions, cell, pbc, numbers)


def read_large(path: str | os.PathLike, index: int = -1, format: str | None = None) -> Structure:
    """Frame ``index`` (default: the last; earlier frames are skipped without being parsed) of a LAMMPS
    text dump or extended XYZ file as a :class:`~arisekit.geometry.Structure` (Å). ``format``:
    "lammps-dump-text" or "extxyz" (guessed from the name: ``.xyz``/``.extxyz`` are XYZ, anything else
    whose first line starts with ``ITEM:`` a LAMMPS dump)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"structure file not found: {path}")
    if format is None:
        with open(path, "rb") as fh:
            first = fh.readline()
        format = "lammps-dump-text" if first.startswith(b"ITEM:") else "extxyz"
    if format not in ("lammps-dump-text", "extxyz", "xyz"):
        raise ValueError(f"{path}: format {format!r}: read_large reads 'lammps-dump-text' and 'extxyz'")
    lammps = format == "lammps-dump-text"
    header_of = _lammps_header if lammps else _xyz_header
    index = int(index)
    r = _Reader(path)
    try:
        starts = []  # (byte offset, line number) of each frame (negative indices need them all)
        frame = 0
        while True:
            offset, line_no = r.fh.tell(), r.line_no
            header = header_of(r)
            if header is None:
                break
            if frame == index:
                return (_read_lammps_frame if lammps else _read_xyz_frame)(r, header)
            starts.append((offset, line_no))
            r.skip_lines(header[0])
            frame += 1
        if not starts:
            raise ValueError(f"{path}: no frame")
        if not -len(starts) <= index < len(starts):
            raise ValueError(f"{path}: no frame {index} ({len(starts)} frames)")
        r.fh.seek(starts[index][0])
        r.line_no = starts[index][1]
        header = header_of(r)
        return (_read_lammps_frame if lammps else _read_xyz_frame)(r, header)
    finally:
        r.fh.close()
