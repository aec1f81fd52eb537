"""Registry of the prototype classes: metadata, look-up with suggestions, structure building, export."""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ase import Atoms

from arisekit.prototypes.builders import build_structure
from arisekit.prototypes.data import binary, elemental, nanotube, quaternary, ternary, two_d

#: Categories in library order.
CATEGORIES: tuple[str, ...] = ("elemental", "binary", "ternary", "quaternary", "2D", "nanotube")

_MODULES = (elemental, binary, ternary, quaternary, two_d, nanotube)


@dataclass(frozen=True)
class Prototype:
    """One structural class of the library.

    Attributes
    ----------
    name : unique class label.
    category : one of :data:`CATEGORIES`.
    formula : chemical formula of the prototype (species as used in the built structure).
    species : chemical symbols present, in order of first appearance in the definition.
    spacegroup : space-group number of the built cell (2D: slab with vacuum); None for nanotubes.
    aflow : AFLOW prototype label where one exists, else None.
    description : one line.
    paper_index : row of the class in the ARISE supplementary tables S4-S6, None for additions.
    paper_label : the paper's label of the class (e.g. ``fcc_Cu_A_cF4_225_a``), None for additions.
    chiral_indices : (n, m) for nanotubes, else None.
    diameter : nanotube diameter through the atom centres (Å), else None.
    chiral_angle : nanotube chiral angle (degrees), else None.
    structure : the crystallographic definition (see :mod:`arisekit.prototypes.builders`).
    """

    name: str
    category: str
    formula: str
    species: tuple[str, ...]
    spacegroup: int | None
    aflow: str | None
    description: str
    paper_index: int | None
    paper_label: str | None = None
    chiral_indices: tuple[int, int] | None = None
    diameter: float | None = None
    chiral_angle: float | None = None
    structure: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def dimensionality(self) -> int:
        """3 for bulk crystals, 2 for layers, 1 for nanotubes."""
        return {"2D": 2, "nanotube": 1}.get(self.category, 3)

    def build(self) -> Atoms:
        """A fresh periodic ``ase.Atoms`` of the class (positions in Å).

        Bulk: periodic along all axes. 2D: one layer in the xy plane, vacuum along z, pbc (T, T, F).
        Nanotube: axis along z, pbc (F, F, T). ``info`` holds ``class_name`` and ``category``.
        """
        atoms = build_structure(self.structure)
        atoms.info["class_name"] = self.name
        atoms.info["category"] = self.category
        return atoms

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable metadata (without the structure definition)."""
        return {
            "name": self.name,
            "category": self.category,
            "formula": self.formula,
            "species": list(self.species),
            "spacegroup": self.spacegroup,
            "aflow": self.aflow,
            "description": self.description,
            "paper_index": self.paper_index,
            "paper_label": self.paper_label,
            "chiral_indices": list(self.chiral_indices) if self.chiral_indices else None,
            "diameter": self.diameter,
            "chiral_angle": self.chiral_angle,
        }


def _species(structure: dict[str, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(structure["symbols"]))


def _make(entry: dict[str, Any], category: str) -> Prototype:
    structure = entry["structure"]
    extra: dict[str, Any] = {}
    if structure["kind"] == "nanotube":
        n, m = int(structure["n"]), int(structure["m"])
        a = math.sqrt(3.0) * float(structure["bond"])
        extra = {
            "chiral_indices": (n, m),
            "diameter": round(a * math.sqrt(n * n + n * m + m * m) / math.pi, 4),
            "chiral_angle": round(math.degrees(math.atan2(math.sqrt(3.0) * m, 2 * n + m)), 3),
        }
    return Prototype(
        name=entry["name"],
        category=category,
        formula=entry["formula"],
        species=_species(structure),
        spacegroup=entry["spacegroup"],
        aflow=entry["aflow"],
        description=entry["description"],
        paper_index=entry["paper"],
        paper_label=entry.get("paper_label"),
        structure=structure,
        **extra,
    )


def _load() -> MappingProxyType:
    table: dict[str, Prototype] = {}
    for module in _MODULES:
        if module.CATEGORY not in CATEGORIES:
            raise RuntimeError(
                f"prototype data module {module.__name__} has unknown category {module.CATEGORY!r}"
            )
        for entry in module.ENTRIES:
            proto = _make(entry, module.CATEGORY)
            if proto.name in table:
                raise RuntimeError(f"duplicate prototype name {proto.name!r}")
            table[proto.name] = proto
    return MappingProxyType(table)


#: All classes by name (read-only), in library order.
PROTOTYPES = _load()
#: Class name of each paper label (ARISE tables S4-S6).
PAPER_LABELS = MappingProxyType({p.paper_label: p.name for p in PROTOTYPES.values() if p.paper_label})


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}; got {category!r}")


def closest_names(name: str, n: int = 5) -> list[str]:
    """Up to ``n`` class names or paper labels most similar to ``name`` (case-insensitive, difflib)."""
    lowered = {k.lower(): k for k in (*PROTOTYPES, *PAPER_LABELS)}
    hits = difflib.get_close_matches(str(name).lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


def get(name: str) -> Prototype:
    """The class called ``name`` (class name or the paper's label); ValueError (with the closest names)
    if there is none."""
    proto = PROTOTYPES.get(name) or PROTOTYPES.get(PAPER_LABELS.get(name, ""))
    if proto is None:
        suggestions = closest_names(name)
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        raise ValueError(f"unknown prototype class {name!r}{hint} (see `arisekit prototypes list`)")
    return proto


def list_prototypes(category: str | None = None) -> list[Prototype]:
    """All classes, or those of one ``category``, in library order."""
    _check_category(category)
    return [p for p in PROTOTYPES.values() if category is None or p.category == category]


def names(category: str | None = None) -> list[str]:
    """Class names, optionally of one ``category``."""
    return [p.name for p in list_prototypes(category)]


def build(name: str) -> Atoms:
    """Periodic ``ase.Atoms`` of class ``name`` (see :meth:`Prototype.build`)."""
    return get(name).build()


def metadata_table(category: str | None = None) -> list[dict[str, Any]]:
    """Metadata of every class (or one category) as a list of dictionaries."""
    return [p.to_dict() for p in list_prototypes(category)]


def to_json(category: str | None = None, indent: int | None = 2) -> str:
    """The metadata table as a JSON string."""
    return json.dumps(metadata_table(category), indent=indent)
