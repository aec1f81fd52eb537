"""Parameter traits whose bad values raise :class:`ParameterError` (a ``ValueError``) naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from traits.api import Enum, Range, TraitError

__all__ = ["AliasedEnum", "ParameterError", "ValidatedEnum", "ValidatedRange"]


class ParameterError(TraitError, ValueError):
    """A modifier parameter got a bad value (catchable as ``ValueError`` and as traits' ``TraitError``)."""


class _ValueErrorMixin:
    """Turns the trait's validation failure into ``ParameterError("<name>: must be ..., got <value>")``."""

    def error(self, object, name, value):  # signature fixed by traits
        try:
            super().error(object, name, value)  # type: ignore[misc]
        except TraitError as exc:
            info = self.full_info(object, name, value)  # type: ignore[attr-defined]
            raise ParameterError(f"{name}: must be {info}, got {value!r}") from exc
        raise ParameterError(f"{name}: invalid value {value!r}")  # pragma: no cover - traits always raises


class ValidatedRange(_ValueErrorMixin, Range):
    """``traits.api.Range`` raising :class:`ParameterError` for values outside the range."""


class ValidatedEnum(_ValueErrorMixin, Enum):
    """``traits.api.Enum`` raising :class:`ParameterError` for values not in the list."""


class AliasedEnum(ValidatedEnum):
    """:class:`ValidatedEnum` that also reads older spellings: ``aliases`` maps an old value to
    ``(new value, {other trait: value to set})`` (the GUI offers only the new values)."""

    def __init__(self, *values: Any, aliases: Mapping[str, tuple[str, Mapping[str, Any]]], **metadata: Any):
        self.aliases = dict(aliases)
        super().__init__(*values, **metadata)

    def init_fast_validate(self, *args: Any) -> None:
        """No C-level validator: :meth:`validate` must see (and map) the older spellings."""

    def validate(self, object, name, value):  # signature fixed by traits
        if isinstance(value, str) and value in self.aliases:
            value, implied = self.aliases[value]
            for other, other_value in implied.items():
                setattr(object, other, other_value)
        return super().validate(object, name, value)
