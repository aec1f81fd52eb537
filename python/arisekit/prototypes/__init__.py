"""Library of structural prototype classes (ARISE tables S4-S6 plus common additions).

Every class is built by code from its crystallographic definition (space group, Wyckoff positions and
lattice parameters, or ASE's nanotube builder), kept as readable tables in
:mod:`arisekit.prototypes.data`.  Positions are in Å.

>>> from arisekit import prototypes
>>> prototypes.get("fcc").spacegroup
225
>>> len(prototypes.build("NaCl"))
8
"""

from __future__ import annotations

from arisekit.prototypes.registry import (
    CATEGORIES,
    PROTOTYPES,
    Prototype,
    build,
    closest_names,
    get,
    list_prototypes,
    metadata_table,
    names,
    to_json,
)
from arisekit.prototypes.variants import (
    DELTAS,
    ETAS,
    MIN_ATOMS,
    VariantSpec,
    displace,
    iter_variants,
    periodic,
    remove_atoms,
    supercell_repeats,
    supercells,
    variant_plan,
)

__all__ = [
    "CATEGORIES",
    "DELTAS",
    "ETAS",
    "MIN_ATOMS",
    "PROTOTYPES",
    "Prototype",
    "VariantSpec",
    "build",
    "closest_names",
    "displace",
    "get",
    "iter_variants",
    "list_prototypes",
    "metadata_table",
    "names",
    "periodic",
    "remove_atoms",
    "supercell_repeats",
    "supercells",
    "to_json",
    "variant_plan",
]
