"""Public classification API: atoms in, :class:`Classification` results out."""

from __future__ import annotations

import copy
import importlib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .loading import resolve_model
from .mc_dropout import DEFAULT_CHUNK_ROWS
from .novelty import out_of_library
from .uncertainty import DISORDERED_CLASS, disorder_score

if TYPE_CHECKING:
    from ase import Atoms

    from .classifier import ARISEClassifier

__all__ = [
    "Classification",
    "check_structure",
    "classify",
    "classify_descriptors",
    "compute_descriptors",
    "descriptor_arguments",
    "resolve_model",
    "MIN_OPEN_ATOMS",
]

#: Non-periodic structures with fewer atoms than this trigger a warning (training used larger supercells).
MIN_OPEN_ATOMS = 50
#: Keys of ``descriptor_params`` that describe the descriptor but are not keyword arguments of it.
_DESCRIPTOR_INFO_KEYS = frozenset({"descriptor", "name", "length", "n_features", "version"})


@dataclass(frozen=True)
class Classification:
    """ARISE result for one structure (entropies and mutual information in nats)."""

    prediction: str
    probabilities: np.ndarray = field(repr=False)
    class_names: tuple[str, ...] = field(repr=False)
    mutual_information: float
    predictive_entropy: float
    variation_ratio: float
    class_info: dict[str, Any] = field(repr=False)
    n_samples: int = 0
    seed: int | None = None
    n_atoms: int | None = None
    #: pre-activation outputs of the hidden layers (dropout off), if requested; not in :meth:`to_dict`
    representations: tuple[np.ndarray, ...] | None = field(default=None, repr=False)
    #: distance-aware novelty of the predicted class (:mod:`arisekit.model.novelty`); None when the model
    #: has no novelty reference, NaN where no check applies (the disordered class)
    novelty: float | None = None

    @property
    def probability(self) -> float:
        """Probability of the predicted class."""
        return float(self.probabilities.max())

    @property
    def disordered(self) -> bool:
        """The disorder verdict: the model names the structure "disordered" (no library crystal: liquid,
        glass, gas, strongly disordered). Always False for models trained without that class."""
        return self.prediction == DISORDERED_CLASS

    @property
    def out_of_library(self) -> bool:
        """The out-of-library verdict, novelty > 1, i.e. the structure lies farther from the training
        structures of the predicted class than 99 % of held-out in-library ones; the prediction is then only
        the nearest library class (an unknown crystal, a gas). False without a novelty reference."""
        return self.novelty is not None and bool(out_of_library(self.novelty))

    @property
    def disorder_score(self) -> float:
        """1 - the largest probability of a crystal class (:func:`arisekit.model.uncertainty.disorder_score`):
        high for disordered matter and for answers split between crystal classes."""
        return float(disorder_score(self.probabilities, self.class_names))

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most probable classes as (name, probability), most probable first."""
        if k < 1:
            raise ValueError(f"k: must be ≥ 1, got {k}")
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(self.class_names[i], float(self.probabilities[i])) for i in order]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready dict; ``top=None`` lists all class probabilities, else only the ``top`` best."""
        k = len(self.class_names) if top is None else top
        return {
            "prediction": self.prediction,
            "probability": self.probability,
            "mutual_information": float(self.mutual_information),
            "predictive_entropy": float(self.predictive_entropy),
            "variation_ratio": float(self.variation_ratio),
            "disordered": self.disordered,
            "disorder_score": self.disorder_score,
            "novelty": None if self.novelty is None or np.isnan(self.novelty) else float(self.novelty),
            "out_of_library": self.out_of_library,
            "n_samples": int(self.n_samples),
            "seed": self.seed,
            "n_atoms": self.n_atoms,
            "class_info": self.class_info,
            "top": [{"name": n, "probability": p} for n, p in self.top(k)],
        }


def check_structure(atoms: Any, index: int = 0, min_open_atoms: int = MIN_OPEN_ATOMS) -> None:
    """Check that ``atoms`` (an ``ase.Atoms``, an OVITO ``DataCollection``, a ``(positions, cell, pbc,
    numbers)`` tuple or a :class:`~arisekit.geometry.Structure`) can be classified, as :func:`classify`
    does: ValueError (its message starts with ``atoms[index]``) for an isolated atom or NaN/inf positions or
    cell vectors, and a UserWarning for an open structure with fewer than ``min_open_atoms`` atoms."""
    from arisekit.descriptors.arise import check_describable
    from arisekit.geometry import is_structure_like

    name = f"atoms[{index}]"
    if not is_structure_like(atoms):
        raise ValueError(
            f"{name}: expected an ase.Atoms, an OVITO DataCollection, a (positions, cell, pbc, numbers) "
            f"tuple or an arisekit.geometry.Structure, got {type(atoms).__name__}"
        )
    if isinstance(atoms, tuple):
        positions, cell, pbc = atoms[0], atoms[1], atoms[2]
    elif hasattr(atoms, "particles"):  # OVITO DataCollection
        from arisekit.geometry import ovito_arrays

        positions, cell, pbc, _, _ = ovito_arrays(atoms)
    else:  # ase.Atoms or Structure
        positions, cell, pbc = atoms.positions, atoms.cell, atoms.pbc
    n, pbc = len(positions), np.asarray(pbc, dtype=bool) * np.ones(3, dtype=bool)
    try:  # any periodic cell (one atom included) or open structure of 2+ atoms; not an isolated atom
        check_describable(n, pbc)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    if not np.all(np.isfinite(np.asarray(positions, dtype=np.float64))):
        raise ValueError(f"{name}: positions contain NaN or inf")
    if pbc.any() and not np.all(np.isfinite(np.asarray(cell, dtype=np.float64)[pbc])):
        raise ValueError(f"{name}: cell vectors of periodic directions contain NaN or inf")
    if not pbc.any() and n < min_open_atoms:
        warnings.warn(
            f"{name}: non-periodic structure with only {n} atoms; ARISE was trained on supercells with "
            f"many more atoms, so surface atoms dominate the descriptor and the prediction may be unreliable",
            UserWarning,
            stacklevel=3,
        )


def descriptor_arguments(descriptor_params: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`arisekit.descriptors.arise_soap` from a model's ``descriptor_params_``:
    entries that only describe the descriptor (its name, length, version) are left out."""
    return {k: v for k, v in descriptor_params.items() if k not in _DESCRIPTOR_INFO_KEYS}


def compute_descriptors(
    atoms_list: list[Atoms], descriptor_params: Mapping[str, Any], n_threads: int | None = None
) -> np.ndarray:
    """Descriptors (n, d) of structures with ``arisekit.descriptors.arise_soap(**descriptor_params)``.

    Uses ``arise_soap_batch`` (shared radial tables) when the descriptor module provides it.
    """
    descriptors = importlib.import_module("arisekit.descriptors")

    params = descriptor_arguments(descriptor_params)
    if n_threads:  # None or 0: the process-wide setting (arisekit.parallel)
        params["n_threads"] = n_threads
    batch = getattr(descriptors, "arise_soap_batch", None)
    if batch is not None and len(atoms_list) > 1:
        try:
            return np.asarray(batch(atoms_list, **params), dtype=np.float64)
        except TypeError as exc:
            raise ValueError(
                f"descriptor_params {sorted(params)}: not accepted by the descriptor ({exc})"
            ) from exc
        except ValueError:
            pass  # redo one by one below to name the offending structure
    rows = []
    for i, atoms in enumerate(atoms_list):
        try:
            rows.append(np.asarray(descriptors.arise_soap(atoms, **params), dtype=np.float64).ravel())
        except TypeError as exc:
            raise ValueError(
                f"descriptor_params {sorted(params)}: not accepted by arise_soap ({exc})"
            ) from exc
        except ValueError as exc:
            raise ValueError(f"atoms[{i}]: {exc}") from exc
    if len({r.size for r in rows}) != 1:
        raise ValueError("descriptors: structures gave descriptors of different lengths")
    return np.stack(rows)


def classify_descriptors(
    X: np.ndarray,
    model: ARISEClassifier | str | Path | None = None,
    n_samples: int = 1000,
    seed: int | None = 0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    n_atoms: Iterable[int | None] | None = None,
    representations: bool = False,
    n_threads: int | None = None,
) -> list[Classification]:
    """Classify precomputed descriptors (n, d) in one batched MC-dropout inference (``n_threads``: its
    worker threads, None = the process-wide setting of :mod:`arisekit.parallel`)."""
    clf = resolve_model(model)
    res = clf.predict_uncertainty(
        X,
        n_samples=n_samples,
        seed=seed,
        chunk_rows=chunk_rows,
        representations=representations,
        n_threads=n_threads,
    )
    names = tuple(str(c) for c in clf.classes_)
    counts = [None] * len(res.probabilities) if n_atoms is None else list(n_atoms)
    out = []
    for j, p in enumerate(res.probabilities):
        c = int(np.argmax(p))
        out.append(
            Classification(
                prediction=names[c],
                probabilities=p,
                class_names=names,
                mutual_information=float(res.mutual_information[j]),
                predictive_entropy=float(res.predictive_entropy[j]),
                variation_ratio=float(res.variation_ratio[j]),
                class_info=copy.deepcopy(clf.class_metadata_[c]),
                n_samples=int(n_samples),
                seed=seed,
                n_atoms=counts[j],
                representations=None
                if res.representations is None
                else tuple(r[j] for r in res.representations),
                novelty=None if res.novelty is None else float(res.novelty[j]),
            )
        )
    return out


def classify(
    atoms_or_list: Atoms | Iterable[Atoms],
    n_samples: int = 1000,
    model: ARISEClassifier | str | Path | None = None,
    seed: int | None = 0,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    min_open_atoms: int = MIN_OPEN_ATOMS,
    representations: bool = False,
    n_threads: int | None = None,
) -> Classification | list[Classification]:
    """Classify one structure or a list of structures with ARISE.

    Descriptors are computed with the model's stored descriptor parameters (``clf.descriptor_params_``,
    ``central_weight`` included: 0.0 for models trained on the paper's descriptor, 1.0 for models saved
    before the weight was recorded), then all structures go
    through one batched Monte-Carlo-dropout inference with ``n_samples`` passes (paper: 1000; use
    ~1e5 to resolve probabilities < 1 %).

    Every structure with a nearest-neighbour distance is accepted: periodic cells of any size (a
    one-atom primitive cell such as ``ase.build.bulk("Cu")`` included: its periodic images are its
    neighbours) with any subset of periodic axes (bulk, slab, wire), and open structures of two or more
    atoms (fewer than ``min_open_atoms`` warn). A single isolated atom (one atom, no periodic axis) raises
    ValueError: d_NN is undefined for it. In an open structure, a species with a single atom (a lone
    impurity, a heteronuclear dimer such as CO) has no d_NN of its own pair (α, α); the descriptor then
    raises ValueError naming the pair (``undefined_pairs="raise"`` of
    :func:`arisekit.descriptors.arise_soap`), unless the model's ``descriptor_params`` set
    ``undefined_pairs="skip"``.

    Parameters
    ----------
    atoms_or_list : one structure or an iterable of them: ``ase.Atoms`` (positions in Å), OVITO
        ``DataCollection``, ``(positions, cell, pbc, numbers)`` tuples or
        :class:`~arisekit.geometry.Structure` (each converted once).
    n_samples : number of stochastic forward passes T.
    model : ARISEClassifier, a model directory, or None for the packaged default model.
    seed : seed of the dropout masks (results are reproducible for a given seed).
    chunk_rows : rows per matrix product in the MC inference (memory bound).
    min_open_atoms : warn for non-periodic structures with fewer atoms.
    representations : also store the hidden-layer pre-activations (dropout off) in each result.
    n_threads : threads of the C++ descriptor computation and of the MC-dropout inference (None: the
        process-wide setting of :mod:`arisekit.parallel`).

    Returns
    -------
    Classification for a single structure, list of Classification for an iterable.
    """
    from arisekit.geometry import as_structure, is_structure_like

    single = is_structure_like(atoms_or_list)
    atoms_list = [atoms_or_list] if single else list(atoms_or_list)
    if not atoms_list:
        raise ValueError("atoms_or_list: no structures given")
    for i, atoms in enumerate(atoms_list):
        check_structure(atoms, i, min_open_atoms)
    # converted once: OVITO data and array tuples become Structures (ase.Atoms are read as they are)
    atoms_list = [a if hasattr(a, "get_positions") else as_structure(a) for a in atoms_list]
    clf = resolve_model(model)
    X = compute_descriptors(atoms_list, clf.descriptor_params_, n_threads)
    if X.shape[1] != clf.n_features_in_:
        raise ValueError(
            f"descriptor length {X.shape[1]} (params {clf.descriptor_params_}) does not match the model's "
            f"input length {clf.n_features_in_}"
        )
    results = classify_descriptors(
        X, clf, n_samples, seed, chunk_rows, [len(a) for a in atoms_list], representations, n_threads
    )
    return results[0] if single else results
