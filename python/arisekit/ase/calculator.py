"""``ARISECalculator``: ARISE class probabilities and uncertainties as ASE calculator properties.

``mode="global"`` classifies the whole structure (:func:`arisekit.classify`); ``mode="spm"`` runs strided
pattern matching (:func:`arisekit.spm.spm`, with the calculator's :class:`arisekit.spm.SPMParameters`) and
projects the box results onto the atoms
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
from arisekit.modes import MODES as _MODES
from arisekit.modes import check_mode, default_n_samples

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
#: Per-atom properties (``mode="spm"`` only); atoms in no classified box get -1 / NaN.
ATOM_PROPERTIES = (
    "structure_type",  # (n_atoms,) int class index into ``calc.class_names``
    "atom_probability",  # (n_atoms,) probability of that class
    "atom_probabilities",  # (n_atoms, n_classes)
    "atom_mutual_information",  # (n_atoms,)
    "atom_disorder_score",  # (n_atoms,) 1 - largest crystal-class probability
    "atom_novelty",  # (n_atoms,) mean novelty of the boxes covering the atom (NaN: no check)
)
#: What is classified (:data:`arisekit.modes.MODES`; the older ``"local"`` is read as ``"spm"``).
MODES = _MODES


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
    mode : "global" or "spm"
        "global": one classification of the whole structure. "spm": strided pattern matching; every
        atom gets the mean result of the boxes containing it, and the global properties are means over
        the classified boxes (``prediction`` is the class of largest mean probability). ``"local"`` (the
        older name) is read as "spm".
    n_samples : int or None
        Monte-Carlo dropout passes; None = 1000 (global) or 100 per box (spm), :mod:`arisekit.modes`.
    seed : int or None
        Seed of the dropout masks (None: not reproducible).
    box_size, stride : float
        SPM box edge and step in Å (spm mode).
    box_descriptors : "fast" or "exact"
        How SPM boxes are described (spm mode), see :class:`arisekit.spm.SPMParameters` (older name:
        ``spm_mode``).
    min_atoms : int
        SPM boxes with fewer atoms are not classified (spm mode).
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
        "box_descriptors": "fast",
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
        if "spm_mode" in kwargs:  # the older name
            kwargs["box_descriptors"] = kwargs.pop("spm_mode")
        if "mode" in kwargs:
            kwargs["mode"] = check_mode(kwargs["mode"])
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

    def spm_parameters(self):
        """The :class:`arisekit.spm.SPMParameters` of this calculator (used in ``mode="spm"``)."""
        return _spm_parameters(self.parameters)

    def structure_names(self, atoms: Any = None) -> list[str | None]:
        """Per-atom class names (spm mode; None for atoms in no classified box)."""
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
                    f"{per_atom}: per-atom properties need mode='spm' (this calculator has mode='global'); "
                    "use calc.set(mode='spm')"
                )
            self.results.update(self._global(atoms))
        else:
            self.results.update(self._local(atoms))

    def _global(self, atoms: Any) -> dict[str, Any]:
        from arisekit.model.classification import classify

        n_samples = default_n_samples("global", self.parameters["n_samples"])
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
        result = spm(atoms, self.spm_parameters(), model=self._clf)
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


def _spm_parameters(p: dict[str, Any]):
    from arisekit.spm import SPMParameters

    return SPMParameters(
        box_size=p["box_size"],
        stride=p["stride"],
        box_descriptors=p["box_descriptors"],
        n_samples=default_n_samples("spm", p["n_samples"]),
        min_atoms=p["min_atoms"],
        seed=p["seed"],
    )


def _validate(p: dict[str, Any]) -> None:
    """ValueError naming the first bad parameter."""
    check_mode(p["mode"])
    default_n_samples(p["mode"], p["n_samples"])
    try:
        _spm_parameters(p)
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("SPMParameters.")) from None
