"""``ARISECalculator``: ARISE class probabilities and uncertainties as ASE calculator properties.

Global mode classifies the whole structure (:func:`arisekit.classify`); local mode runs strided pattern
matching (:func:`arisekit.spm.spm`) and projects the box results onto the atoms
(:func:`arisekit.spm.project_to_atoms`). Results follow ASE's caching protocol: they are kept until the
atoms (positions, numbers, cell, pbc, ...) or the parameters change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes

from arisekit.model.novelty import out_of_library
from arisekit.model.uncertainty import DISORDERED_CLASS, disorder_score

__all__ = ["ARISECalculator", "ATOM_PROPERTIES", "GLOBAL_PROPERTIES", "MODES"]

#: Properties of the whole structure (entropies and mutual information in nats).
GLOBAL_PROPERTIES = (
    "prediction",  # name of the most probable class (str)
    "probability",  # its probability (float)
    "probabilities",  # (n_classes,) class probabilities, order of ``calc.class_names``
    "mutual_information",
    "predictive_entropy",
    "variation_ratio",
    "disordered",  # the disorder verdict: prediction is the model's "disordered" class (bool)
    "disorder_score",  # 1 - largest crystal-class probability (float)
    "novelty",  # distance-aware novelty of the prediction (float; NaN: no check; see arisekit.model.novelty)
    "out_of_library",  # the out-of-library verdict: novelty > 1 (bool)
)
#: Per-atom properties (``mode="local"`` only); atoms in no classified box get -1 / NaN.
ATOM_PROPERTIES = (
    "structure_type",  # (n_atoms,) int class index into ``calc.class_names``
    "atom_probability",  # (n_atoms,) probability of that class
    "atom_probabilities",  # (n_atoms, n_classes)
    "atom_mutual_information",  # (n_atoms,)
    "atom_disorder_score",  # (n_atoms,) 1 - largest crystal-class probability
    "atom_novelty",  # (n_atoms,) mean novelty of the boxes covering the atom (NaN: no check)
)
MODES = ("global", "local")
_SPM_MODES = ("fast", "exact")


class ARISECalculator(Calculator):
    """ASE calculator returning ARISE predictions and their uncertainty.

    Global mode accepts every structure :func:`arisekit.classify` accepts: a periodic cell of any size (a
    one-atom primitive cell included) with any periodic axes, or an open structure of two or more atoms; a
    single isolated atom raises ValueError (d_NN is undefined for it). Descriptors use the model's
    ``descriptor_params`` (its recorded ``central_weight`` included).

    Parameters
    ----------
    model : ARISEClassifier, str, Path or None
        Classifier object, model directory, or None for the shipped default model (loaded once, here).
    mode : "global" or "local"
        "global": one classification of the whole structure. "local": strided pattern matching; every
        atom gets the mean result of the boxes containing it, and the global properties are means over
        the classified boxes (``prediction`` is the class of largest mean probability).
    n_samples : int or None
        Monte-Carlo dropout passes; None = 1000 (global) or 100 per box (local).
    seed : int or None
        Seed of the dropout masks (None: not reproducible).
    box_size, stride : float
        SPM box edge and step in Å (local mode).
    spm_mode : "fast" or "exact"
        SPM descriptor mode (local mode), see :func:`arisekit.spm.spm`.
    min_atoms : int
        SPM boxes with fewer atoms are not classified (local mode).
    **kwargs
        Other :class:`ase.calculators.calculator.Calculator` arguments (``label``, ``atoms``, ...).

    Examples
    --------
    >>> atoms.calc = ARISECalculator(model="path/to/model")
    >>> atoms.calc.get_property("prediction", atoms), atoms.calc.get_property("mutual_information", atoms)
    """

    implemented_properties = [*GLOBAL_PROPERTIES, *ATOM_PROPERTIES]
    default_parameters: dict[str, Any] = {
        "mode": "global",
        "n_samples": None,
        "seed": 0,
        "box_size": 16.0,
        "stride": 1.0,
        "spm_mode": "fast",
        "min_atoms": 10,
    }
    discard_results_on_any_change = True

    def __init__(self, model: Any = None, **kwargs: Any) -> None:
        self._clf: Any = None
        self.spm_result: Any = None
        super().__init__(**kwargs)
        self._clf = self._resolve(model)

    # ------------------------------------------------------------------------------------ parameters
    def set(self, **kwargs: Any) -> dict[str, Any]:
        """Change parameters (and/or ``model=``); any change discards the cached results."""
        model_changed = "model" in kwargs
        if model_changed:
            self._clf = self._resolve(kwargs.pop("model"))
        if "parameters" not in kwargs:
            unknown = sorted(set(kwargs) - set(self.default_parameters))
            if unknown:
                raise ValueError(
                    f"{unknown}: unknown ARISECalculator parameter(s); known: "
                    f"{sorted(self.default_parameters)} and model"
                )
            _validate({**self.parameters, **kwargs})
        changed = super().set(**kwargs)
        if model_changed:
            self.reset()
        return changed

    def reset(self) -> None:
        super().reset()
        self.spm_result = None

    def todict(self, skip_default: bool = True) -> dict[str, Any]:
        """JSON-ready parameters (plus the model directory, when the model was loaded from one)."""
        out = super().todict(skip_default=skip_default)
        model_dir = getattr(self._clf, "model_dir_", None)
        if model_dir is not None:
            out["model"] = str(model_dir)
        return out

    def _get_name(self) -> str:  # ``calc.name``, stored by ase.db as the calculator name
        return "arise"

    @staticmethod
    def _resolve(model: Any) -> Any:
        from arisekit.model import resolve_model

        if (
            model is not None
            and not isinstance(model, (str, Path))
            and not hasattr(model, "predict_uncertainty")
        ):
            raise ValueError(
                f"model: expected an ARISEClassifier, a path or None, got {type(model).__name__}"
            )
        return resolve_model(model)

    @property
    def model(self) -> Any:
        """The ARISEClassifier in use."""
        return self._clf

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names, in the order of ``probabilities`` and the ``structure_type`` indices."""
        return tuple(str(c) for c in self._clf.classes_)

    def structure_names(self, atoms: Any = None) -> list[str | None]:
        """Per-atom class names (local mode; None for atoms in no classified box)."""
        names = self.class_names
        return [names[k] if k >= 0 else None for k in self.get_property("structure_type", atoms)]

    # ----------------------------------------------------------------------------------- calculation
    def calculate(
        self, atoms: Any = None, properties: Any = ("prediction",), system_changes: Any = all_changes
    ):
        """Compute every property of the current mode at once (ASE calling convention)."""
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        _check_atoms(atoms)
        p = self.parameters
        if p["mode"] == "global":
            per_atom = sorted(set(properties) & set(ATOM_PROPERTIES))
            if per_atom:
                raise PropertyNotImplementedError(
                    f"{per_atom}: per-atom properties need mode='local' (this calculator has mode='global'); "
                    "use calc.set(mode='local')"
                )
            self.results.update(self._global(atoms))
        else:
            self.results.update(self._local(atoms))

    def _global(self, atoms: Any) -> dict[str, Any]:
        from arisekit.model.classification import classify

        n_samples = 1000 if self.parameters["n_samples"] is None else int(self.parameters["n_samples"])
        res = classify(atoms, n_samples=n_samples, model=self._clf, seed=self.parameters["seed"])
        return {
            "prediction": res.prediction,
            "probability": res.probability,
            "probabilities": np.asarray(res.probabilities, dtype=np.float64),
            "mutual_information": float(res.mutual_information),
            "predictive_entropy": float(res.predictive_entropy),
            "variation_ratio": float(res.variation_ratio),
            "disordered": res.disordered,
            "disorder_score": res.disorder_score,
            "novelty": np.nan if res.novelty is None else float(res.novelty),
            "out_of_library": res.out_of_library,
        }

    def _local(self, atoms: Any) -> dict[str, Any]:
        from arisekit.spm import project_to_atoms, spm

        p = self.parameters
        n_samples = 100 if p["n_samples"] is None else int(p["n_samples"])
        result = spm(
            atoms,
            box_size=float(p["box_size"]),
            stride=float(p["stride"]),
            mode=p["spm_mode"],
            n_samples=n_samples,
            model=self._clf,
            min_atoms=int(p["min_atoms"]),
            seed=p["seed"],
        )
        valid = result.valid
        if not valid.any():
            raise ValueError(
                f"atoms: no SPM box of {p['box_size']} Å holds min_atoms={p['min_atoms']} atoms; "
                "use a larger box_size or a smaller min_atoms"
            )
        per_atom = project_to_atoms(result, atoms)
        self.spm_result = result
        probs = result.probabilities[valid].mean(axis=0)
        k = int(np.argmax(probs))
        novelty = np.nan
        if result.novelty is not None and np.isfinite(result.novelty[valid]).any():
            novelty = float(np.nanmedian(result.novelty[valid]))
        atom_probs = per_atom["probabilities"]
        covered = per_atom["prediction"] >= 0
        atom_p = np.full(len(atoms), np.nan)
        atom_p[covered] = atom_probs[covered, per_atom["prediction"][covered]]
        return {
            "prediction": self.class_names[k],
            "probability": float(probs[k]),
            "probabilities": probs,
            "mutual_information": float(result.mutual_information[valid].mean()),
            "predictive_entropy": float(result.predictive_entropy[valid].mean()),
            "variation_ratio": float(result.variation_ratio[valid].mean()),
            "disordered": self.class_names[k] == DISORDERED_CLASS,
            "disorder_score": float(disorder_score(probs, self.class_names)),
            "structure_type": np.asarray(per_atom["prediction"], dtype=np.int64),
            "atom_probability": atom_p,
            "atom_probabilities": atom_probs,
            "atom_mutual_information": per_atom["mutual_information"],
            "atom_disorder_score": disorder_score(atom_probs, self.class_names),
            "novelty": novelty,
            "out_of_library": bool(out_of_library(novelty)),
            "atom_novelty": per_atom.get("novelty", np.full(len(atoms), np.nan)),
        }


def _check_atoms(atoms: Any) -> None:
    if atoms is None:
        raise ValueError("atoms: no structure given (pass atoms to get_property or attach the calculator)")
    from arisekit.descriptors.arise import check_describable

    try:  # any periodic cell (one atom included) or open structure of 2+ atoms; not an isolated atom
        check_describable(len(atoms), atoms.pbc)
    except ValueError as exc:
        raise ValueError(f"atoms: {exc}") from exc
    if not np.isfinite(atoms.get_positions()).all():
        raise ValueError("atoms: positions contain NaN or inf")


def _validate(p: dict[str, Any]) -> None:
    """ValueError naming the first bad parameter."""
    if p["mode"] not in MODES:
        raise ValueError(f"mode: must be one of {MODES}, got {p['mode']!r}")
    if p["spm_mode"] not in _SPM_MODES:
        raise ValueError(f"spm_mode: must be one of {_SPM_MODES}, got {p['spm_mode']!r}")
    n = p["n_samples"]
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n_samples: must be an integer ≥ 1 or None, got {n!r}")
    for name in ("box_size", "stride"):
        value = p[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.number))
            or not np.isfinite(value)
            or value <= 0
        ):
            raise ValueError(f"{name}: must be a positive length in Å, got {value!r}")
    if (
        isinstance(p["min_atoms"], bool)
        or not isinstance(p["min_atoms"], (int, np.integer))
        or p["min_atoms"] < 2
    ):
        raise ValueError(f"min_atoms: must be an integer ≥ 2, got {p['min_atoms']!r}")
    seed = p["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"seed: must be an integer or None, got {seed!r}")
