"""Exact-mode SPM descriptors computed in C++, many boxes per call (``_core.arise_box_descriptors``).

Each box is cut out as an open structure, scaled per species pair by its own d_NN and described from
scratch — the ARISE procedure of :func:`arisekit.spm.descriptors.exact_descriptors` — but the d_NN rule
(``hist``, ``shell``, ``mean``), the SOAP coefficients, their averages and the power spectra of a whole
chunk of boxes run in one call with the GIL released and threads over boxes. The d_NN rules reproduce
:mod:`arisekit.geometry.scaling` bit for bit; the centre-averaged coefficients are summed bond by bond
(one pass over a box's atom pairs serves all species pairs, a bond's harmonics shared by its two ends), so
the descriptors equal the Python path's to rounding, ~1e-15 relative (tests/test_spm_exact_fast.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from arisekit import _core

#: Descriptor parameters the C++ path handles, with the values it requires where it supports only one.
_KNOWN = {
    "cutoff",
    "atom_sigma",
    "extrinsic_scale",
    "n_max",
    "l_max",
    "central_weight",
    "cutoff_transition_width",
}
_FIXED = {"d_nn_method": ("hist", "shell", "mean"), "undefined_pairs": ("raise",), "backend": ("cpp",)}
_INFO = {"descriptor", "name", "length", "n_features", "version"}


def _plain(descriptor) -> dict:
    """Parameters of a descriptor given as a dict (``descriptor_params``) or a parameter object."""
    if hasattr(descriptor, "to_dict"):
        return dict(descriptor.to_dict())
    if isinstance(descriptor, Mapping):
        return dict(descriptor)
    raise TypeError(
        f"descriptor parameters: expected a mapping or a descriptor object, got {type(descriptor)}"
    )


def supported(descriptor) -> bool:
    """True when the C++ batch path computes exactly the descriptor of these parameters."""
    params = _plain(descriptor)
    for key, value in params.items():
        if key in _KNOWN or key in _INFO:
            continue
        if key not in _FIXED or value not in _FIXED[key]:
            return False
    return True


def _threads(n_threads) -> int:
    try:  # the process-wide setting (arisekit.parallel) where this version has one
        from arisekit.parallel import resolve_threads
    except ImportError:
        from arisekit._parallel import resolve_threads
    return int(resolve_threads(0 if n_threads is None else n_threads))


def _calculator(params: dict):
    return _core.SoapCalculator(
        float(params.get("cutoff", 4.0)),
        int(params.get("n_max", 9)),
        int(params.get("l_max", 6)),
        float(params.get("atom_sigma", 0.1)),
        float(params.get("central_weight", 0.0)),
        float(params.get("cutoff_transition_width", 0.5)),
    )


def box_descriptors(
    atoms, grid, descriptor, boxes: np.ndarray, n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """ARISE descriptors of ``boxes`` of ``grid`` (each cut out of ``atoms`` as an open structure):
    ``(X, ok)``, X of shape (len(boxes), dim); ``ok`` is False where the box has no descriptor (a species
    with a single atom, overlapping atoms), its row zero. ``descriptor``: ``descriptor_params`` or a
    parameter object; see :func:`supported`."""
    params = _plain(descriptor)
    if not supported(params):
        raise ValueError(f"descriptor parameters {params}: not handled by the C++ batch path")
    return _describe(_calculator(params), params, _arrays(atoms, grid), boxes, _threads(n_threads))


def _arrays(atoms, grid) -> tuple[np.ndarray, ...]:
    """Positions, numbers, offsets and indices as the C++ call takes them (converted once)."""
    from arisekit.geometry import as_structure

    s = as_structure(atoms)
    return (
        np.ascontiguousarray(s.positions, dtype=np.float64),
        np.ascontiguousarray(s.numbers, dtype=np.int64),
        np.ascontiguousarray(grid.offsets, dtype=np.int64),
        np.ascontiguousarray(grid.indices, dtype=np.int32),
    )


def _describe(calc, params, arrays, boxes, n_threads):
    return _core.arise_box_descriptors(
        calc,
        *arrays,
        np.ascontiguousarray(boxes, dtype=np.int64),
        float(params.get("extrinsic_scale", 1.0)),
        str(params.get("d_nn_method", "hist")),
        100,
        n_threads,
    )


def exact_descriptors_batch(
    atoms, grid, descriptor, valid: np.ndarray, chunk: int = 256, n_threads: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`arisekit.spm.descriptors.exact_descriptors` in C++: yields (box indices, descriptors) chunk
    by chunk; boxes without a descriptor are dropped from ``valid`` in place."""
    params = _plain(descriptor)
    if not supported(params):
        raise ValueError(f"descriptor parameters {params}: not handled by the C++ batch path")
    calc, threads, arrays = _calculator(params), _threads(n_threads), _arrays(atoms, grid)
    boxes = np.flatnonzero(valid)
    step = max(1, int(chunk))
    for start in range(0, len(boxes), step):
        part = boxes[start : start + step]
        X, ok = _describe(calc, params, arrays, part, threads)
        valid[part[~ok]] = False
        if ok.any():
            yield part[ok], X[ok]
