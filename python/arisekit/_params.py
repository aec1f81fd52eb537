"""Shared helper of the frozen parameter objects (``ExploreParameters``, ``TrainingParameters``,
``AccuracyOptions``, ``PolycrystalOptions``): a base object with keyword overrides applied."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def with_overrides(cls: type[T], base: T | None, overrides: dict[str, Any], *, arg: str, caller: str) -> T:
    """``base`` (default: ``cls()``) with the fields in ``overrides`` replaced (validated again by the
    dataclass). TypeError when ``base`` is not a ``cls`` (``arg`` names the argument) or a keyword is no
    field of ``cls`` (``caller`` names the function that received it)."""
    obj = cls() if base is None else base
    if not isinstance(obj, cls):
        raise TypeError(f"{arg}: expected a {cls.__name__}, got {type(obj).__name__}")
    unknown = sorted(set(overrides) - {f.name for f in fields(cls)})
    if unknown:
        raise TypeError(f"{caller}() got unexpected keyword argument(s) {unknown}")
    return replace(obj, **overrides) if overrides else obj
