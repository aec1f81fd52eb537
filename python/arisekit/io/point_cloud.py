"""Cell-free point clouds: atom electron tomography (species, x, y, z) and STEM image positions (x, y)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms

from arisekit.io._table import (
    SPECIES_NAMES,
    Table,
    check_width,
    find_column,
    numeric_column,
    parse_symbol,
    read_table,
    species_column,
)


def _check_pixel_size(pixel_size, required: bool) -> float:
    if pixel_size is None:
        if required:
            raise ValueError("pixel_size is required (Å per pixel)")
        return 1.0
    value = float(pixel_size)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"pixel_size must be a positive length in Å per pixel, got {pixel_size}")
    return value


def _named_columns(table: Table, coords: tuple[str, ...], need_species: bool) -> tuple[int | None, list[int]]:
    species = find_column(table, SPECIES_NAMES)
    cols = [find_column(table, (c,)) for c in coords]
    missing = [c for c, k in zip(coords, cols, strict=True) if k is None]
    if missing or (need_species and species is None):
        wanted = (["species"] if need_species else []) + list(coords)
        raise ValueError(
            f"{table.path}: line {table.header_line}: header must name the columns {', '.join(wanted)} "
            f"(species also as {'/'.join(SPECIES_NAMES[1:])}); got {table.header}"
        )
    return species, cols  # type: ignore[return-value]


def read_point_cloud(path, pixel_size: float | None = None) -> Atoms:
    """Read an atom electron tomography point cloud: one atom per row, species and x, y, z.

    Comma- or whitespace-separated text; ``#`` starts a comment. Without a header the columns are
    ``species x y z``; an optional first-row header names them in any order (``species``/``element``/
    ``symbol``/``type``..., ``x``, ``y``, ``z``; extra named columns are ignored). Species are chemical
    symbols (any case) or atomic numbers.

    Parameters
    ----------
    path : str or Path
        The text/CSV file.
    pixel_size : float, optional
        Å per coordinate unit (e.g. voxel size); coordinates are multiplied by it. Default: already in Å.

    Returns
    -------
    ase.Atoms
        Open point cloud: pbc False, zero cell, positions in Å.
    """
    scale = _check_pixel_size(pixel_size, required=False)
    table = read_table(path)
    if table.header is None:
        check_width(table, 4)
        species, cols = 0, [1, 2, 3]
    else:
        check_width(table, len(table.header))
        species, cols = _named_columns(table, ("x", "y", "z"), need_species=True)
    numbers = species_column(table, species)  # type: ignore[arg-type]
    xyz = np.column_stack([numeric_column(table, c, n) for c, n in zip(cols, "xyz", strict=True)]) * scale
    return Atoms(numbers=numbers, positions=xyz, pbc=False)


def read_stem_positions(path, pixel_size: float, species: str | int = "X") -> Atoms:
    """Read 2D atomic positions found in a STEM image (pixels) as a flat open structure (Å, z = 0).

    Comma- or whitespace-separated text, ``#`` comments. Without a header the columns are ``x y`` and every
    atom is ``species`` (a chemical symbol; "X" = unknown); with an integer ``species`` the file has three
    columns, the species in column ``species`` (0-based) and x, y in the other two, in order. An optional
    header names the columns (``x``, ``y``, and optionally a species column, which then overrides a
    symbol given as ``species``).

    Parameters
    ----------
    path : str or Path
        The text/CSV file.
    pixel_size : float
        Å per pixel; x and y are multiplied by it.
    species : str or int
        Chemical symbol of all atoms, or the 0-based index of the species column.
    """
    scale = _check_pixel_size(pixel_size, required=True)
    symbol_z = None
    if isinstance(species, str):
        symbol_z = parse_symbol(species)
    elif isinstance(species, (int, np.integer)) and not isinstance(species, bool):
        if species not in (0, 1, 2):
            raise ValueError(f"species: the species column must be 0, 1 or 2, got {species}")
    else:
        raise ValueError(f"species must be a chemical symbol or a column index, got {species!r}")
    table = read_table(path)
    if table.header is not None:
        check_width(table, len(table.header))
        col_species, cols = _named_columns(table, ("x", "y"), need_species=symbol_z is None)
    elif symbol_z is not None:
        check_width(table, 2)
        col_species, cols = None, [0, 1]
    else:
        check_width(table, 3)
        col_species = int(species)
        cols = [k for k in range(3) if k != col_species]
    if col_species is not None:
        numbers = species_column(table, col_species)
    else:
        numbers = np.full(len(table.rows), symbol_z, dtype=np.int64)
    xy = np.column_stack([numeric_column(table, c, n) for c, n in zip(cols, "xy", strict=True)]) * scale
    positions = np.column_stack([xy, np.zeros(len(xy))])
    return Atoms(numbers=numbers, positions=positions, pbc=False)


def write_point_cloud(atoms: Atoms, path) -> None:
    """Write ``atoms`` as a point cloud readable by :func:`read_point_cloud` (species x y z, Å).

    Comma-separated if ``path`` ends in ``.csv``, else whitespace-separated; coordinates are written with
    the shortest representation that reads back exactly. The cell and periodicity are not stored.
    """
    if not isinstance(atoms, Atoms):
        raise ValueError(f"atoms must be an ase.Atoms, got {type(atoms).__name__}")
    if len(atoms) == 0:
        raise ValueError("atoms: nothing to write (no atoms)")
    pos = atoms.get_positions()
    if not np.isfinite(pos).all():
        raise ValueError("atoms: positions contain NaN or infinite values")
    sep = "," if Path(path).suffix.lower() == ".csv" else " "
    symbols = atoms.get_chemical_symbols()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# arisekit point cloud: {len(atoms)} atoms; positions in Angstrom\n")
        fh.write(sep.join(("species", "x", "y", "z")) + "\n")
        for s, (x, y, z) in zip(symbols, pos.tolist(), strict=True):
            fh.write(f"{s}{sep}{x!r}{sep}{y!r}{sep}{z!r}\n")
