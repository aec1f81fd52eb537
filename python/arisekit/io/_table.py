"""Plain-text tables (CSV or whitespace separated, ``#`` comments, optional header) with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

#: Header names accepted for the species column (case-insensitive).
SPECIES_NAMES = ("species", "element", "symbol", "atom", "type", "atomic_number", "number")


@dataclass
class Table:
    """Tokenised table: ``header`` (column names or None), ``rows`` (token lists), ``lines`` (1-based)."""

    path: str
    header: list[str] | None
    header_line: int
    rows: list[list[str]]
    lines: list[int]

    def error(self, row: int, message: str) -> ValueError:
        return ValueError(f"{self.path}: line {self.lines[row]}: {message}")


def check_file(path) -> Path:
    """``path`` as a Path; FileNotFoundError if missing, ValueError if a directory or empty."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if p.is_dir():
        raise ValueError(f"{path}: is a directory, not a file")
    if p.stat().st_size == 0:
        raise ValueError(f"{path}: empty file")
    return p


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _split(line: str) -> list[str]:
    if "," in line:
        return [t.strip() for t in line.split(",")]
    return line.split()


def read_table(path) -> Table:
    """Tokenise a text table. A first row with no numeric token is the header. ValueError if no data rows."""
    p = check_file(path)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    header_line = 0
    try:
        with open(p, encoding="utf-8") as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.split("#", 1)[0].strip()
                if not text:
                    continue
                tokens = _split(text)
                if header is None and not rows and not any(_is_number(t) for t in tokens):
                    header, header_line = tokens, number
                    continue
                rows.append(tokens)
                lines.append(number)
    except UnicodeDecodeError as exc:
        from arisekit.io._errors import find_bad_text

        bad = find_bad_text(p)
        where = f"line {bad.line}: {bad.message('a text table')}" if bad else f"not UTF-8 text ({exc.reason})"
        raise ValueError(f"{path}: {where}") from None
    if not rows:
        raise ValueError(f"{path}: no data rows (empty file or only comments/header)")
    return Table(str(path), header, header_line, rows, lines)


def column_name(token: str) -> str:
    """Normalised header name: lower case, no quotes, no trailing unit in brackets (``"x (A)"`` -> x)."""
    name = token.strip().strip("\"'").lower()
    return re.sub(r"\s*[\(\[].*[\)\]]$", "", name).strip()


def find_column(table: Table, names: tuple[str, ...]) -> int | None:
    """Index of the first header column whose normalised name is in ``names`` (None if absent/no header)."""
    if table.header is None:
        return None
    normalised = [column_name(t) for t in table.header]
    for k, name in enumerate(normalised):
        if name in names:
            return k
    return None


def check_width(table: Table, width: int) -> None:
    """ValueError naming the first row whose number of columns differs from ``width``."""
    for r, tokens in enumerate(table.rows):
        if len(tokens) != width:
            raise table.error(r, f"expected {width} columns, got {len(tokens)}")


def numeric_column(table: Table, col: int, name: str) -> np.ndarray:
    """Column ``col`` as float64; ValueError naming the line of a non-numeric or non-finite value."""
    tokens = [tokens[col] for tokens in table.rows]
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        for r, t in enumerate(tokens):
            if not _is_number(t):
                raise table.error(r, f"column {name!r}: {t!r} is not a number") from None
        raise  # pragma: no cover
    bad = ~np.isfinite(values)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise table.error(r, f"column {name!r}: non-finite value {tokens[r]!r}")
    return values


def species_column(table: Table, col: int) -> np.ndarray:
    """Atomic numbers of column ``col`` (chemical symbols, any case, or atomic numbers 0-118)."""
    tokens = [tokens[col] for tokens in table.rows]
    lookup: dict[str, int] = {}
    for token in dict.fromkeys(tokens):
        z = parse_species(token)
        if z is None:
            r = tokens.index(token)
            raise table.error(r, f"unknown element {token!r}")
        lookup[token] = z
    return np.array([lookup[t] for t in tokens], dtype=np.int64)


def parse_species(token: str) -> int | None:
    """Atomic number of a chemical symbol (case-insensitive) or an integer 0-118; None if neither."""
    t = token.strip().strip("\"'")
    if re.fullmatch(r"[+]?\d+", t):
        z = int(t)
        return z if 0 <= z < len(chemical_symbols) else None
    symbol = t[:1].upper() + t[1:].lower()
    return atomic_numbers.get(symbol)


def parse_symbol(species: str, name: str = "species") -> int:
    """Atomic number of ``species``; ValueError naming ``name`` if it is not an element."""
    z = parse_species(species) if isinstance(species, str) else None
    if z is None:
        raise ValueError(f"{name}: unknown chemical element {species!r}")
    return z
