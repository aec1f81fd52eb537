"""Out-of-library behaviour (ARISE section S2.3): top assignments and uncertainty of structures that are not
in the library, with their space group and the physically expected nearest classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arisekit._json import write_json
from arisekit.benchmark.out_of_library import OUT_OF_LIBRARY, build_out_of_library
from arisekit.benchmark.protocol import open_supercells

__all__ = ["OOLPrediction", "classify_out_of_library", "ool_markdown", "write_ool_report"]


@dataclass
class OOLPrediction:
    """ARISE's answer for one out-of-library structure in one form ("periodic cell" or "open supercell")."""

    name: str
    form: str
    n_atoms: int
    spacegroup: int | None
    top: list[tuple[str, float]]
    mutual_information: float
    expectation: str = field(repr=False, default="")
    #: distance-aware novelty of the top class (:mod:`arisekit.model.novelty`; > 1: out of library);
    #: None without a novelty reference, NaN for the disordered class
    novelty: float | None = None

    @property
    def verdict(self) -> str:
        """ "out of library" (novelty > 1), "disordered" (the disorder class) or "named" (a library class)."""
        from arisekit.model.novelty import out_of_library
        from arisekit.model.uncertainty import DISORDERED_CLASS

        if self.top[0][0] == DISORDERED_CLASS:
            return "disordered"
        return "out of library" if self.novelty is not None and out_of_library(self.novelty) else "named"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "form": self.form, "n_atoms": self.n_atoms, "spacegroup": self.spacegroup,
            "top": [[n, p] for n, p in self.top], "mutual_information": self.mutual_information,
            "expectation": self.expectation, "novelty": self.novelty, "verdict": self.verdict,
        }  # fmt: skip


def classify_out_of_library(
    model=None,
    names: list[str] | None = None,
    *,
    n_samples: int = 100,
    seed: int = 0,
    top: int = 3,
) -> list[OOLPrediction]:
    """Top-``top`` classes and mutual information of each out-of-library structure, as its periodic cell
    and as its smallest open supercell with ≥ 100 atoms. ``model``: classifier, directory or None."""
    from arisekit.benchmark.baselines import spglib_spacegroup
    from arisekit.benchmark.runner import descriptor_kwargs
    from arisekit.descriptors import arise_soap
    from arisekit.model import resolve_model

    if int(top) < 1:
        raise ValueError(f"top must be ≥ 1, got {top}")
    names = list(OUT_OF_LIBRARY) if names is None else list(names)
    clf = resolve_model(model)
    kwargs = descriptor_kwargs(clf.descriptor_params_)
    items = []
    for name in names:
        cell = build_out_of_library(name)
        sg = spglib_spacegroup(cell, 1e-3, 1.0) if OUT_OF_LIBRARY[name].spacegroup else None
        items.append((name, "periodic cell", cell, sg))
        items.append((name, "open supercell", open_supercells(cell, 1)[0], sg))
    X = np.array([arise_soap(atoms, **kwargs) for _, _, atoms, _ in items])
    out = clf.predict_uncertainty(X, n_samples=int(n_samples), seed=seed)
    classes = [str(c) for c in clf.classes_]
    results = []
    for j, (name, form, atoms, sg) in enumerate(items):
        p = out.probabilities[j]
        order = np.argsort(-p, kind="stable")[: int(top)]
        results.append(
            OOLPrediction(
                name,
                form,
                len(atoms),
                sg,
                [(classes[i], float(p[i])) for i in order],
                float(out.mutual_information[j]),
                OUT_OF_LIBRARY[name].expectation,
                None if out.novelty is None else float(out.novelty[j]),
            )
        )
    return results


def ool_markdown(results: list[OOLPrediction], expectations: bool = True) -> str:
    """Markdown table of the predictions (and, below it, the expected nearest classes)."""
    lines = [
        "| structure | space group | form (atoms) | top-3 (probability) | MI (nats) | novelty | verdict |",
        "|---|---:|---|---|---:|---:|---|",
    ]
    for r in results:
        top = ", ".join(f"{n} ({p:.2f})" for n, p in r.top)
        sg = "–" if r.spacegroup is None else str(r.spacegroup)
        nov = "–" if r.novelty is None or np.isnan(r.novelty) else f"{r.novelty:.2f}"
        lines.append(
            f"| {r.name} | {sg} | {r.form} ({r.n_atoms}) | {top} | {r.mutual_information:.3f} | {nov} | "
            f"{r.verdict} |"
        )
    text = "\n".join(lines) + "\n"
    if expectations:
        seen = dict.fromkeys(r.name for r in results)
        text += "\nCrystallographic relations to library classes (expected nearest classes):\n\n"
        text += "\n".join(f"- **{n}** ({OUT_OF_LIBRARY[n].description}): {OUT_OF_LIBRARY[n].expectation}"
                          for n in seen)  # fmt: skip
        text += "\n"
    return text


def write_ool_report(results: list[OOLPrediction], out_dir: str | Path, settings: dict | None = None) -> dict:
    """Write ``out_of_library.json`` and ``out_of_library.md`` to ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "out_of_library.json", "markdown": out / "out_of_library.md"}
    data = {"settings": settings or {}, "predictions": [r.to_dict() for r in results]}
    write_json(paths["json"], data)
    paths["markdown"].write_text("# Out-of-library structures\n\n" + ool_markdown(results))
    return paths
