"""``SPMParameters``: the parameters of one strided-pattern-matching run, frozen and validated.

The same object drives :func:`arisekit.spm.spm`, the ASE calculator (``mode="spm"``), the OVITO modifier,
batch runs and ``arisekit spm``; it is stored with every result (``SPMResult.params``, batch files) as
:meth:`SPMParameters.to_dict`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from arisekit.modes import BOX_DESCRIPTORS, DEFAULT_N_SAMPLES, GEOMETRIES
from arisekit.spm.descriptors import SURFACE_THRESHOLD

__all__ = ["SPMParameters"]

#: Older keyword names read by :meth:`SPMParameters.from_kwargs`.
_ALIASES = {"mode": "box_descriptors", "spm_mode": "box_descriptors"}


def _is_int(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def _length(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
        raise ValueError(f"SPMParameters.{name}: must be a positive length in Å, got {value!r}")
    if value <= 0:
        raise ValueError(f"SPMParameters.{name}: must be a positive length in Å, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class SPMParameters:
    """Parameters of a strided-pattern-matching run (lengths in Å).

    Parameters
    ----------
    box_size, stride : float
        Box edge and step (Å); ``stride`` ≤ ``box_size`` (no atom skipped).
    box_descriptors : "fast" or "exact"
        How boxes are described (:mod:`arisekit.spm.descriptors`): fast shares one per-atom SOAP
        computation between boxes, exact describes every box from scratch (ARISE's procedure).
    geometry : "auto", "bulk", "slab" or "rod"
        The grid: axes thinner than the box are spanned by one box ("auto": slab → 2D grid, rod → 1D grid).
    axis : int or None
        Spanned axis of a slab, long axis of a rod (None: chosen, or 2 when ``geometry`` is forced).
    n_samples : int
        Monte-Carlo dropout passes per box (default 100).
    min_atoms : int
        Boxes with fewer atoms are marked empty (NaN) and not classified (≥ 2).
    seed : int or None
        Seed of the dropout masks (None: not reproducible).
    surface_threshold : float or None
        Fast mode only: boxes with atoms whose environment is cut by a free surface (above this value of
        :func:`arisekit.geometry.surface_exposure`) or whose local nearest distances differ from the
        sample's are described in exact mode; None: pure fast mode.
    representations : bool or tuple of int
        Also keep the hidden-layer representations (True: all layers) for exploration.
    chunk : int
        Boxes per batch (memory bound; the result does not depend on it).
    adaptive : bool
        Adaptive Monte-Carlo sampling (:mod:`arisekit.spm.adaptive`, needs a seed): boxes whose first 16
        passes all give their class ≥ 0.99 (MI ≤ 0.005) stop there; a seeded audit (≥ 2 % of them, at
        least 3,000 boxes' worth) is run with all passes. The result is returned when the audit bounds
        the fraction of stopped boxes that differ from the fixed-T result (class, or MI by > 0.01) by
        0.1 % (95 % confidence); otherwise the run is redone with all passes and the fixed-T result is
        returned (``result.params["adaptive_audit"]``). Pays off on large frames of confident boxes
        (crystal MD frames); on small or uncertain ones it costs more than fixed T. Off by default.
    max_memory : float
        Bytes the box membership lists may take.
    """

    box_size: float = 16.0
    stride: float = 1.0
    box_descriptors: str = "fast"
    geometry: str = "auto"
    axis: int | None = None
    n_samples: int = DEFAULT_N_SAMPLES["spm"]
    min_atoms: int = 10
    seed: int | None = 0
    surface_threshold: float | None = SURFACE_THRESHOLD
    representations: bool | tuple[int, ...] = False
    chunk: int = 4096
    max_memory: float = 4 * 1024**3
    adaptive: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise through object.__setattr__
        set_(self, "box_size", _length(self.box_size, "box_size"))
        set_(self, "stride", _length(self.stride, "stride"))
        if self.stride > self.box_size:
            raise ValueError(
                f"SPMParameters.stride: {self.stride} Å is larger than box_size {self.box_size} Å "
                "(atoms between boxes would be skipped)"
            )
        if self.box_descriptors not in BOX_DESCRIPTORS:
            raise ValueError(
                f"SPMParameters.box_descriptors: must be one of {BOX_DESCRIPTORS}, "
                f"got {self.box_descriptors!r}"
            )
        if self.geometry not in GEOMETRIES:
            raise ValueError(f"SPMParameters.geometry: must be one of {GEOMETRIES}, got {self.geometry!r}")
        if self.axis is not None:
            if not _is_int(self.axis) or not 0 <= self.axis <= 2:
                raise ValueError(f"SPMParameters.axis: must be 0, 1, 2 or None, got {self.axis!r}")
            set_(self, "axis", int(self.axis))
        if not _is_int(self.n_samples) or self.n_samples < 1:
            raise ValueError(f"SPMParameters.n_samples: must be an integer ≥ 1, got {self.n_samples!r}")
        set_(self, "n_samples", int(self.n_samples))
        if not _is_int(self.min_atoms) or self.min_atoms < 2:
            raise ValueError(
                f"SPMParameters.min_atoms: must be an integer ≥ 2 (a descriptor needs neighbours), "
                f"got {self.min_atoms!r}"
            )
        set_(self, "min_atoms", int(self.min_atoms))
        if self.seed is not None:
            if not _is_int(self.seed):
                raise ValueError(f"SPMParameters.seed: must be an integer or None, got {self.seed!r}")
            set_(self, "seed", int(self.seed))
        t = self.surface_threshold
        if t is not None:
            if (
                isinstance(t, bool)
                or not isinstance(t, (int, float, np.number))
                or not np.isfinite(t)
                or t < 0
            ):
                raise ValueError(f"SPMParameters.surface_threshold: must be a number ≥ 0 or None, got {t!r}")
            set_(self, "surface_threshold", float(t))
        r = self.representations
        if r is None:
            r = False
        if not isinstance(r, bool):
            try:
                r = tuple(int(x) for x in r)
            except (TypeError, ValueError):
                raise ValueError(
                    f"SPMParameters.representations: must be True, False or layer indices, got {r!r}"
                ) from None
        set_(self, "representations", r)
        if not isinstance(self.adaptive, (bool, np.bool_)):
            raise ValueError(f"SPMParameters.adaptive: must be True or False, got {self.adaptive!r}")
        set_(self, "adaptive", bool(self.adaptive))
        if not _is_int(self.chunk) or self.chunk < 1:
            raise ValueError(f"SPMParameters.chunk: must be an integer ≥ 1, got {self.chunk!r}")
        set_(self, "chunk", int(self.chunk))
        if not isinstance(self.max_memory, (int, float, np.number)) or not self.max_memory > 0:
            raise ValueError(
                f"SPMParameters.max_memory: must be a positive number of bytes, got {self.max_memory!r}"
            )
        set_(self, "max_memory", float(self.max_memory))

    @classmethod
    def from_kwargs(
        cls, params: SPMParameters | Mapping[str, Any] | None = None, **overrides: Any
    ) -> SPMParameters:
        """``params`` (an SPMParameters, a dict of its fields, or None for the defaults) with ``overrides``
        applied. The older keyword names ``mode``/``spm_mode`` (for ``box_descriptors``) are read too;
        an unknown name is a ValueError listing the known ones."""
        if isinstance(params, (int, float, np.number)) and not isinstance(params, bool):
            raise TypeError(
                f"params: expected SPMParameters, a dict or None, got the number {params!r}; pass box_size= "
                "and stride= by name (spm(atoms, box_size=12.0, stride=2.0))"
            )
        base = cls() if params is None else params if isinstance(params, cls) else cls.from_dict(params)
        if not overrides:
            return base
        changes = {}
        for key, value in overrides.items():
            name = _ALIASES.get(key, key)
            if name in changes and changes[name] != value:
                raise ValueError(f"{key}: given twice (as {name!r} too) with different values")
            changes[name] = value
        _check_names(changes)
        return dataclasses.replace(base, **changes)

    @classmethod
    def keywords(cls) -> frozenset[str]:
        """Every keyword :meth:`from_kwargs` reads: the field names and their older aliases."""
        return frozenset(f.name for f in fields(cls)) | frozenset(_ALIASES)

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> SPMParameters:
        """From :meth:`to_dict` (e.g. read back from a result file); unknown keys are a ValueError."""
        params = dict(params)
        _check_names(params)
        if isinstance(params.get("representations"), list):
            params["representations"] = tuple(params["representations"])
        return cls(**params)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (``representations`` as a list when it holds layers)."""
        out = asdict(self)
        if isinstance(out["representations"], tuple):
            out["representations"] = list(out["representations"])
        return out

    def replace(self, **changes: Any) -> SPMParameters:
        """A copy with some parameters changed (validated; older names accepted as in :meth:`from_kwargs`)."""
        return SPMParameters.from_kwargs(self, **changes)


def _check_names(params: Mapping[str, Any]) -> None:
    known = {f.name for f in fields(SPMParameters)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"SPM parameters {unknown}: unknown (SPMParameters takes {sorted(known)})")
