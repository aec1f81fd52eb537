"""quippy (``quippy-ase``) as an optional backend and test oracle for the SOAP descriptor.

quippy is imported lazily; without it every function here raises ImportError with an install hint.
"""

from __future__ import annotations

import numpy as np

from arisekit.descriptors.soap import _atomic_numbers

__all__ = ["descriptor_string", "quippy_available", "quippy_soap"]


def quippy_available() -> bool:
    """True when ``quippy.descriptors`` can be imported."""
    try:
        _descriptor_class()
    except ImportError:
        return False
    return True


def _descriptor_class():
    try:
        from quippy.descriptors import Descriptor
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "backend='quippy' needs the quippy-ase package (pip install quippy-ase); "
            "use backend='cpp' for arisekit's own implementation"
        ) from exc
    return Descriptor


def _braces(values: list[int]) -> str:
    return "{" + " ".join(str(v) for v in values) + "}"


def descriptor_string(
    *,
    cutoff: float,
    n_max: int,
    l_max: int,
    atom_sigma: float,
    central_weight: float = 1.0,
    cutoff_transition_width: float = 0.5,
    centre_species=None,
    neighbour_species=None,
    average: bool = False,
    normalise: bool = True,
) -> str:
    """quippy descriptor string equivalent to :func:`arisekit.descriptors.soap` with the same arguments.

    ``central_weight`` defaults to quippy's 1.0 (generic SOAP); the ARISE descriptor's pairs use 0.0
    (see :mod:`arisekit.descriptors.arise`).
    """
    parts = [
        "soap",
        f"cutoff={float(cutoff)!r}",
        f"cutoff_transition_width={float(cutoff_transition_width)!r}",
        f"l_max={int(l_max)}",
        f"n_max={int(n_max)}",
        f"atom_sigma={float(atom_sigma)!r}",
        f"central_weight={float(central_weight)!r}",
    ]
    z = _atomic_numbers(centre_species, "centre_species")
    if z is not None:
        parts += [f"n_Z={len(z)}", f"Z={_braces(z)}"]
    sp = _atomic_numbers(neighbour_species, "neighbour_species")
    if sp is not None:
        parts += [f"n_species={len(sp)}", f"species_Z={_braces(sp)}"]
    parts.append(f"average={'T' if average else 'F'}")
    parts.append(f"normalise={'T' if normalise else 'F'}")
    return " ".join(parts)


def quippy_soap(
    atoms,
    *,
    cutoff: float,
    n_max: int = 9,
    l_max: int = 6,
    atom_sigma: float = 0.5,
    central_weight: float = 1.0,
    cutoff_transition_width: float = 0.5,
    centre_species=None,
    neighbour_species=None,
    average: bool = False,
    normalise: bool = True,
) -> np.ndarray:
    """quippy's ``soap`` descriptor of ``atoms`` (ase.Atoms): (n_centres, dim) or (dim,) with ``average``.

    Returned as quippy gives it (quippy yields NaN for an environment with zero density, where
    :func:`arisekit.descriptors.soap` gives zeros).
    """
    z = _atomic_numbers(centre_species, "centre_species")
    if average and z is not None and not np.isin(atoms.get_atomic_numbers(), z).any():
        raise ValueError(f"average=True: no centre atom of species {centre_species!r} in the structure")
    desc = _descriptor_class()(
        descriptor_string(
            cutoff=cutoff,
            n_max=n_max,
            l_max=l_max,
            atom_sigma=atom_sigma,
            central_weight=central_weight,
            cutoff_transition_width=cutoff_transition_width,
            centre_species=centre_species,
            neighbour_species=neighbour_species,
            average=average,
            normalise=normalise,
        )
    )
    data = np.asarray(desc.calc(atoms)["data"], dtype=np.float64)
    return data[0] if average else data
