"""Reader errors in words: what a parser's exception means, and where in the file it happened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BadText:
    """Where a file stops being UTF-8 text: 1-based ``line``, byte ``offset`` in the file, the ``byte``."""

    line: int
    offset: int
    byte: int

    def message(self, fmt: str) -> str:
        what = "a NUL byte" if self.byte == 0 else f"byte 0x{self.byte:02x}, which is not UTF-8 text,"
        hint = f"a binary file, or not in {fmt} format?"
        return f"not a text file: {what} at byte offset {self.offset} ({hint})"


class NotText(ValueError):
    """Raised by :func:`text_lines` at the first line that is not UTF-8 text; ``bad`` says where."""

    def __init__(self, bad: BadText) -> None:
        super().__init__(bad.message("a text"))
        self.bad = bad


def text_lines(p: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded line) of ``p`` (decompressed); NotText at the first non-text line.

    Decoding line by line pins a bad byte to its own line (a text-mode file decodes ahead in blocks).
    ``\r\n`` endings become ``\n``; a NUL byte counts as binary data.
    """
    from ase.io.formats import open_with_compression

    offset = 0
    with open_with_compression(str(p), "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
                bad = raw.find(b"\x00")
            except UnicodeDecodeError as exc:
                bad = exc.start
            if bad >= 0:
                raise NotText(BadText(number, offset + bad, raw[bad]))
            offset += len(raw)
            yield number, text[:-2] + "\n" if text.endswith("\r\n") else text


def find_bad_text(p: Path) -> BadText | None:
    """First place where ``p`` (decompressed) is not UTF-8 text or holds a NUL byte; None if it is text."""
    try:
        for _ in text_lines(p):
            pass
    except NotText as exc:
        return exc.bad
    return None


def describe(exc: BaseException) -> str:
    """A parser's exception in words (no bare ``ZeroDivisionError('...')`` or empty ``StopIteration``)."""
    text = str(exc).strip()
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text ({exc.reason} at byte {exc.start}): a binary file, or the wrong format?"
    if isinstance(exc, ZeroDivisionError):
        return "division by zero while parsing (a malformed number, fraction or symmetry operation?)"
    if isinstance(exc, StopIteration):
        return "contains no frames"
    if isinstance(exc, (KeyError, IndexError)):
        return f"malformed or incomplete data (missing entry {text or '?'})"
    if isinstance(exc, OverflowError):
        return f"a number is out of range ({text})" if text else "a number is out of range"
    if not text:
        return f"the reader failed without a message ({type(exc).__name__})"
    return text


@dataclass(frozen=True)
class CifProblem:
    """A CIF symmetry operation ASE cannot parse: its 1-based ``line`` (0 if not found), ``frame``, text."""

    line: int
    frame: int
    operation: str
    reason: str


def find_cif_symmetry_problem(p: Path) -> CifProblem | None:
    """First symmetry operation of a CIF file that ase cannot parse, located by line; None if all parse."""
    from ase.io.cif import parse_cif
    from ase.spacegroup.spacegroup import parse_sitesym

    try:
        blocks = list(parse_cif(str(p)))
    except Exception:  # the file itself is not parseable: nothing to locate here
        return None
    lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    starts = [k for k, line in enumerate(lines) if line.strip().lower().startswith("data_")]
    frame = 0
    for b, block in enumerate(blocks):
        try:
            ops = block._get_sitesym() or []
        except Exception:
            ops = []
        for op in ops:
            try:
                parse_sitesym([op])
            except Exception as exc:
                first = starts[b] if b < len(starts) else 0
                line = next((k + 1 for k in range(first, len(lines)) if op in lines[k]), 0)
                reason = "division by zero" if isinstance(exc, ZeroDivisionError) else describe(exc)
                return CifProblem(line, frame, op, reason)
        if block.has_structure():
            frame += 1
    return None
