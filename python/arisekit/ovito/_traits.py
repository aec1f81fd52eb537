"""Parameter traits whose bad values raise :class:`ParameterError` (a ``ValueError``) naming the parameter."""

from __future__ import annotations

from traits.api import Enum, Range, TraitError

__all__ = ["ParameterError", "ValidatedEnum", "ValidatedRange"]


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
