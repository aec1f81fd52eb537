"""``ARISEModifier``: ARISE crystal-structure recognition as an OVITO pipeline modifier."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

from ovito.pipeline import ModifierInterface
from ovito.traits import FilePath, OvitoObject
from ovito.vis import VoxelGridVis
from traits.api import Bool, ComparisonMode, Instance, Int, List, Str, observe

from arisekit.modes import BOX_DESCRIPTORS
from arisekit.ovito import cache
from arisekit.ovito._traits import AliasedEnum, ValidatedEnum, ValidatedRange
from arisekit.ovito.compute import FrameResult, Progress, run_global, run_spm
from arisekit.ovito.convert import data_to_structure, fingerprint
from arisekit.ovito.output import resolve_classes, write_outputs

__all__ = ["MODES", "OLD_NAMES", "ARISEModifier"]

#: Modes (the words of :mod:`arisekit.modes`; the first is the default): strided pattern matching, one
#: classification of the whole structure.
MODES = ("spm", "global")

#: Older spellings still read (scripts, saved session states): ``mode="spm_atoms"`` is ``mode="spm"`` with
#: ``project_to_atoms=True``; ``spm_mode`` is ``box_descriptors``.
OLD_NAMES = {"mode": {"spm_atoms": ("spm", {"project_to_atoms": True})}, "spm_mode": "box_descriptors"}


def _spm_length(value: float, label: str) -> ValidatedRange:
    """A positive length parameter (Å) of strided pattern matching."""
    return ValidatedRange(
        low=0.0, high=None, value=value, exclude_low=True, label=label, ovito_group="Strided pattern matching"
    )


class ARISEModifier(ModifierInterface):
    """ARISE crystal-structure recognition (SOAP + Bayesian neural network) in an OVITO pipeline.

    Modes (``mode``, the words of :mod:`arisekit.modes`):

    * ``"spm"`` (default): strided pattern matching (boxes of ``box_size`` Å moved by ``stride`` Å, described
      as ``box_descriptors`` says, ``"fast"`` or ``"exact"``; see :func:`arisekit.spm.spm`): the SPM maps as
      the voxel grid ``arise-spm``, and with ``project_to_atoms`` (default True) each atom gets the mean
      result of the boxes containing it (:func:`arisekit.spm.project_to_atoms`) as per-particle outputs.
    * ``"global"``: the whole configuration classified as one structure (:func:`arisekit.classify`);
      ``ARISE.*`` attributes, and every particle carries the global result.

    Older settings are still read (:data:`OLD_NAMES`): ``mode="spm_atoms"`` is ``mode="spm"`` with
    ``project_to_atoms=True``, and ``spm_mode`` is ``box_descriptors``. The old ``mode="spm"`` meant the maps
    only; it now also projects onto the atoms unless ``project_to_atoms=False`` (the grid is the same).

    Outputs are described in :mod:`arisekit.ovito.output`. Results are cached per frame in OVITO's modifier
    cache: requesting a frame again or changing only output options (``output_classes``, ``color_by_type``,
    ``grid_vis``) reuses them; any other parameter change or a change upstream recomputes.
    ``cache_memory`` (MiB) bounds the cache (least recently used frames go first; the current frame stays).

    Parameters are traits: set them as keyword arguments or attributes. Bad values raise
    :class:`arisekit.ovito.ParameterError` (a ``ValueError``) naming the parameter. Assign a new list to
    ``output_classes`` (in-place edits are propagated too).
    """

    mode = AliasedEnum(*MODES, aliases=OLD_NAMES["mode"], label="Mode (spm / global)", ovito_group="ARISE")
    project_to_atoms = Bool(
        True, label="Project box results onto the atoms", ovito_group="Strided pattern matching"
    )
    box_size = _spm_length(16.0, "Box size (Å)")
    stride = _spm_length(2.0, "Stride (Å)")
    box_descriptors = ValidatedEnum(
        *BOX_DESCRIPTORS, label="Box descriptors (fast / exact)", ovito_group="Strided pattern matching"
    )
    min_atoms = ValidatedRange(
        low=2, high=None, value=10, label="Min. atoms per box", ovito_group="Strided pattern matching"
    )
    n_samples = ValidatedRange(low=1, high=None, value=100, label="Monte-Carlo samples", ovito_group="ARISE")
    seed = Int(0, label="Random seed", ovito_group="ARISE")
    model_path = FilePath("", label="Model (empty: shipped default)", ovito_group="ARISE")
    model = Instance(
        "arisekit.model.classifier.ARISEClassifier",
        allow_none=True,
        label="Model object (Python only; overrides model_path)",
    )
    output_classes = List(
        Str,
        label="Output probabilities of classes ('*' = all)",
        ovito_group="Output",
        ovito_invalidate_cache=False,
        comparison_mode=ComparisonMode.identity,
    )
    color_by_type = Bool(
        True, label="Color particles by type", ovito_group="Output", ovito_invalidate_cache=False
    )
    cache_memory = ValidatedRange(
        low=0.0,
        high=None,
        value=1024.0,
        label="Result cache (MiB)",
        ovito_group="Output",
        ovito_invalidate_cache=False,
    )
    grid_vis = OvitoObject(VoxelGridVis, enabled=False, title="ARISE SPM map", transparency=0.5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "spm_mode" in kwargs:  # the older name of box_descriptors
            kwargs.setdefault("box_descriptors", kwargs.pop("spm_mode"))
        super().__init__(*args, **kwargs)
        self._loaded: tuple[tuple, Any] | None = None  # (model-file key, ARISEClassifier)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(OLD_NAMES.get(name, name) if name == "spm_mode" else name, value)

    def __getattr__(self, name: str) -> Any:  # only for names not found otherwise
        if name == "spm_mode":
            return self.box_descriptors
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ------------------------------------------------------------------ traits plumbing
    @observe("output_classes:items")
    def _output_classes_edited(self, event) -> None:
        self.output_classes = list(self.output_classes)  # reassign so OVITO sees the change

    def get_pipeline_short_info(self, *args: Any, **kwargs: Any) -> str:
        if self.mode == "global":
            return "global"
        what = "spm, per atom" if self.project_to_atoms else "spm, maps"
        return f"{what}: box {self.box_size:g} Å, stride {self.stride:g} Å, {self.box_descriptors}"

    # ------------------------------------------------------------------ model
    def classifier(self):
        """The ARISEClassifier in use: ``model`` if set, else the one at ``model_path`` (default: shipped)."""
        from arisekit.model import default_model_dir, load_model, resolve_model

        if self.model is not None:
            return resolve_model(self.model)  # checks that it is a fitted ARISEClassifier

        path = self.model_path.strip()
        directory = Path(path) if path else default_model_dir()
        if directory.is_file():  # a file inside the model directory
            directory = directory.parent
        manifest = directory / "manifest.json"
        key = (str(directory.resolve()), manifest.stat().st_mtime_ns if manifest.exists() else None)
        loaded = getattr(self, "_loaded", None)
        if loaded is None or loaded[0] != key:
            loaded = self._loaded = (key, load_model(directory))
        return loaded[1]

    def _model_key(self) -> tuple:
        if self.model is not None:
            return ("object", id(self.model))
        loaded = getattr(self, "_loaded", None)
        return ("path",) + (loaded[0] if loaded else (self.model_path,))

    def _check(self) -> None:
        if self.mode != "global" and self.stride > self.box_size:
            raise ValueError(
                f"stride: {self.stride} Å is larger than box_size {self.box_size} Å (atoms between boxes "
                "would be skipped)"
            )

    # ------------------------------------------------------------------ computation
    def compute_frame(self, atoms, clf) -> Generator[Progress, None, FrameResult]:
        """Run the ARISE computation of the current mode on ``atoms`` (generator yielding progress)."""
        if self.mode == "global":
            return (yield from run_global(atoms, clf, int(self.n_samples), self.seed))
        return (yield from run_spm(atoms, clf, self.spm_parameters(), project=bool(self.project_to_atoms)))

    def spm_parameters(self):
        """The :class:`arisekit.spm.SPMParameters` of this modifier's settings (validated)."""
        from arisekit.spm import SPMParameters

        return SPMParameters(
            box_size=float(self.box_size),
            stride=float(self.stride),
            box_descriptors=self.box_descriptors,
            n_samples=int(self.n_samples),
            min_atoms=int(self.min_atoms),
            seed=self.seed,
        )

    def modify(self, data, *, frame: int = 0, data_cache=None, **kwargs: Any):
        """OVITO entry point: classify the frame (or reuse the cached result) and write the outputs."""
        self._check()
        atoms, origin = data_to_structure(data)  # read once, as arrays
        yield "ARISE: loading the model"
        clf = self.classifier()
        resolve_classes(self.output_classes, [str(c) for c in clf.classes_])  # fail early on bad names
        key = (
            self.mode,
            bool(self.project_to_atoms) and self.mode != "global",
            float(self.box_size),
            float(self.stride),
            self.box_descriptors,
            int(self.n_samples),
            int(self.min_atoms),
            self.seed,
            self._model_key(),
            fingerprint(atoms),
        )
        result = cache.lookup(data_cache, frame, key)
        if result is None:
            result = yield from self.compute_frame(atoms, clf)
            result.origin = origin
            result.key = key
            cache.store(data_cache, frame, result, self.cache_memory * 2**20)
        write_outputs(data, result, self.output_classes, self.color_by_type, self.grid_vis)
