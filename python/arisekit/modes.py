"""The words arisekit uses for what to run — the same in the Python API, the ASE calculator, the OVITO
modifier, batch runs and the command line.

``mode`` (what is classified):

* ``"global"``: the whole structure as one (:func:`arisekit.classify`); default ``n_samples`` 1000.
* ``"spm"``: strided pattern matching (:func:`arisekit.spm.spm`): boxes slid over the sample, each box
  classified; maps, and per-atom results projected from the boxes; default ``n_samples`` 100 per box.

``box_descriptors`` (how SPM describes a box, :class:`arisekit.spm.SPMParameters`):

* ``"fast"``: per-atom SOAP coefficients shared between boxes (exact mode where that would be wrong).
* ``"exact"``: every box cut out, scaled by its own d_NN and described from scratch (the paper's procedure).

``geometry`` (the SPM grid): ``"auto"``, ``"bulk"`` (3D), ``"slab"`` (2D, boxes span the thin axis),
``"rod"`` (1D). The same word names the grains of :func:`arisekit.samples.polycrystal` (``"slab"``:
columnar, ``"bulk"``: 3D) and the grid of :func:`arisekit.geometry.strided_boxes`.

Older spellings are still read: ``"local"`` (ASE calculator) and ``"spm_atoms"`` (OVITO modifier, now
``mode="spm"`` with ``project_to_atoms=True``) mean ``"spm"``; ``spm_mode`` and the SPM
``mode="fast"/"exact"`` keyword mean ``box_descriptors``; ``mode="slab"/"bulk"/"rod"`` of ``polycrystal``
and ``strided_boxes`` (and ``arisekit build polycrystal --mode``) mean ``geometry``.
"""

from __future__ import annotations

__all__ = ["BOX_DESCRIPTORS", "DEFAULT_N_SAMPLES", "GEOMETRIES", "MODES", "check_mode", "default_n_samples"]

#: What is classified: the whole structure, or the boxes of strided pattern matching.
MODES = ("global", "spm")
#: How SPM describes its boxes.
BOX_DESCRIPTORS = ("fast", "exact")
#: The SPM grid.
GEOMETRIES = ("auto", "bulk", "slab", "rod")
#: Monte-Carlo dropout passes when none are given: per structure (global) and per box (spm).
DEFAULT_N_SAMPLES = {"global": 1000, "spm": 100}

_MODE_ALIASES = {"local": "spm", "spm_atoms": "spm"}


def check_mode(mode: str, name: str = "mode") -> str:
    """``mode`` as one of :data:`MODES` (older spellings ``"local"``, ``"spm_atoms"`` read as ``"spm"``);
    ValueError naming ``name`` otherwise."""
    value = _MODE_ALIASES.get(mode, mode) if isinstance(mode, str) else mode
    if value not in MODES:
        raise ValueError(f"{name}: must be one of {MODES}, got {mode!r}")
    return value


def default_n_samples(mode: str, n_samples: int | None = None) -> int:
    """``n_samples`` checked (an integer ≥ 1), or for None the default of ``mode``
    (:data:`DEFAULT_N_SAMPLES`)."""
    if n_samples is None:
        return DEFAULT_N_SAMPLES[check_mode(mode)]
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) and not hasattr(n_samples, "__index__"):
        raise ValueError(f"n_samples: must be an integer ≥ 1 or None, got {n_samples!r}")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples: must be an integer ≥ 1 or None, got {n_samples!r}")
    return int(n_samples)
