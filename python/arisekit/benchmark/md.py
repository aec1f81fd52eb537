"""MD benchmark (issue 13): thermal crystals up to the melting point, liquids and glasses made with
real interatomic potentials, scored per frame and per atom by ARISE and by OVITO's local methods.

Frames (:mod:`arisekit.md`, made at run time, cached on disk and resumable): for every system
(element, potential) the ground-state crystal at T/T_m = 0.1 ... 1.0, the liquid at 1.2 and 1.6 T_m
and one glass quenched from the liquid (100 K/ps) to 0.25 T_m; T_m from
:data:`arisekit.md.MELTING_POINTS` (its status - measured, literature or experimental - is reported).
The main set uses Zhou EAM Cu, Fe, Ti and Stillinger-Weber Si; the held-back set other elements
(Zhou Al, W, Mg) and other potentials (Foiles Cu, Tersoff Si) where available.

Truth: a crystal frame's atoms are its lattice class (fcc, bcc, hcp, diamond of the prototype
library); liquid and glass atoms are "disordered". ARISE scores each frame as a whole
(:func:`arisekit.classify`) and each atom by SPM (12 Å boxes, 3 Å stride) projected onto the atoms;
its disorder verdict is the class :data:`~arisekit.model.uncertainty.DISORDERED_CLASS` (absent from
models trained without it: the verdict is then never given) and its continuous score
:func:`~arisekit.model.uncertainty.disorder_score`. Baselines (OVITO, per atom): PTM with the
default RMSD cutoff 0.1 and with no cutoff (0), adaptive CNA, Ackland-Jones and, for diamond,
IdentifyDiamond; their disorder verdict is "other". Wall times per frame and method are recorded.
The report (tables, plots) is in :mod:`arisekit.benchmark.md_report`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BASELINE_METHODS",
    "DISORDERED_TRUTH",
    "FrameSpec",
    "HELD_BACK_SYSTEMS",
    "LATTICE_CLASS",
    "MAIN_SYSTEMS",
    "METHOD_COVERS",
    "METHOD_TITLES",
    "MDRun",
    "MDSettings",
    "atom_correct",
    "arise_atom_labels",
    "frame_specs",
    "make_frame",
    "melting_point_table",
    "ovito_labels",
    "priority_order",
    "run_md_benchmark",
    "score_frame",
]

#: Ground-state lattice of a potential -> class name of the prototype library.
LATTICE_CLASS = {"fcc": "fcc", "bcc": "bcc", "hcp": "hcp", "diamond": "diamond"}
#: Truth label of liquid and glass atoms.
DISORDERED_TRUTH = "disordered"
#: Main systems (element, potential) and the held-back ones (other elements and other potentials).
MAIN_SYSTEMS = (("Cu", "zhou2004"), ("Fe", "zhou2004"), ("Ti", "zhou2004"), ("Si", "sw1985"))
HELD_BACK_SYSTEMS = (
    ("Al", "zhou2004"),
    ("W", "zhou2004"),
    ("Mg", "zhou2004"),
    ("Cu", "foiles1986"),
    ("Si", "tersoff1988"),
)
QUICK_SYSTEMS = (("Cu", "zhou2004"), ("Si", "sw1985"))

#: Per-atom methods: "arise" (SPM projected onto atoms) and the OVITO baselines.
BASELINE_METHODS = ("ptm", "ptm0", "acna", "aj", "ids")
METHOD_TITLES = {
    "arise": "ARISE SPM",
    "ptm": "PTM (0.1)",
    "ptm0": "PTM (no cutoff)",
    "acna": "a-CNA",
    "aj": "Ackland-Jones",
    "ids": "IdentifyDiamond",
}
#: Ground-state lattices each method is designed to recognise (frames of other lattices are not scored).
METHOD_COVERS = {
    "arise": ("fcc", "bcc", "hcp", "diamond"),
    "ptm": ("fcc", "bcc", "hcp", "diamond"),
    "ptm0": ("fcc", "bcc", "hcp", "diamond"),
    "acna": ("fcc", "bcc", "hcp"),
    "aj": ("fcc", "bcc", "hcp"),
    "ids": ("diamond",),
}
#: Label a method gives for "no known structure" (its disorder verdict); ARISE's is DISORDERED_CLASS.
OTHER = "other"


@dataclass
class MDSettings:
    """What the benchmark makes and how it scores it (T as fractions of T_m; MD steps of 1 fs)."""

    main: tuple = MAIN_SYSTEMS
    held_back: tuple = HELD_BACK_SYSTEMS
    crystal_fractions: tuple = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
    liquid_fractions: tuple = (1.2, 1.6)
    glass_fraction: float | None = 0.25  # glass temperature / T_m; None: no glass
    #: the held-back systems' frames (fewer: they check transfer to other potentials, not the T curve)
    held_back_crystal_fractions: tuple = (0.5, 1.0)
    held_back_liquid_fractions: tuple = (1.6,)
    n_atoms: int = 1500
    seed: int = 0
    crystal_md: dict = field(default_factory=lambda: {"n_equil": 10_000})
    liquid_md: dict = field(default_factory=lambda: {"n_melt": 10_000, "n_equil": 5_000})
    glass_md: dict = field(
        default_factory=lambda: {"n_melt": 10_000, "n_liquid": 5_000, "n_equil": 5_000, "quench_rate": 100.0}
    )
    box_size: float = 12.0  # SPM box edge, Å
    stride: float = 3.0  # SPM stride, Å
    n_samples: int = 100  # MC dropout passes
    mc_seed: int = 0
    methods: tuple = BASELINE_METHODS

    @classmethod
    def quick(cls) -> MDSettings:
        """Smoke run: Zhou Cu and SW Si, crystal at 0.5 and 1.0 T_m, liquid at 1.6 T_m, ~500 atoms,
        short MD, no glass and no held-back set."""
        return cls(
            main=QUICK_SYSTEMS,
            held_back=(),
            crystal_fractions=(0.5, 1.0),
            liquid_fractions=(1.6,),
            glass_fraction=None,
            n_atoms=500,
            crystal_md={"n_equil": 2_000},
            liquid_md={"n_melt": 3_000, "n_equil": 1_000},
            n_samples=30,
        )


@dataclass(frozen=True)
class FrameSpec:
    """One benchmark frame: ``group`` main/held-back; ``kind`` crystal/liquid/glass at T = t_over_tm·T_m."""

    group: str
    element: str
    potential: str
    lattice: str  # the potential's ground state
    kind: str
    t_over_tm: float
    T: float  # K
    T_m: float  # K
    n_atoms: int
    seed: int = 0

    @property
    def truth(self) -> str:
        return LATTICE_CLASS[self.lattice] if self.kind == "crystal" else DISORDERED_TRUTH

    @property
    def system(self) -> str:
        return f"{self.element}/{self.potential}"

    @property
    def name(self) -> str:
        return f"{self.element}-{self.potential}-{self.kind}-{self.t_over_tm:g}"


def melting_point_table(systems) -> list[dict[str, Any]]:
    """T_m (K), status and source of each (element, potential) from :data:`arisekit.md.MELTING_POINTS`."""
    from arisekit.md import melting_point_of

    rows = []
    for el, pot in systems:
        mp = melting_point_of(el, pot)
        rows.append(
            {"element": el, "potential": pot, "T_m": mp.T_m, "status": mp.status, "source": mp.source}
        )
    return rows


def frame_specs(settings: MDSettings) -> tuple[list[FrameSpec], list[str]]:
    """The frames of ``settings`` (main set first) and notes on systems skipped (potential not available)."""
    from arisekit.md import MELTING_POINTS, available_potentials, get_potential

    known = available_potentials()
    specs, notes = [], []
    for group, systems in (("main", settings.main), ("held-back", settings.held_back)):
        for el, pot_name in systems:
            if el not in known.get(pot_name, ()):
                notes.append(f"{group}: {el}/{pot_name} skipped: potential not available")
                continue
            pot = get_potential(el, pot_name)
            mp = MELTING_POINTS.get((pot.name, pot.element))
            if mp is None:
                notes.append(f"{group}: {el}/{pot_name} skipped: no T_m in MELTING_POINTS")
                continue
            main = group == "main"
            crystal = settings.crystal_fractions if main else settings.held_back_crystal_fractions
            liquid = settings.liquid_fractions if main else settings.held_back_liquid_fractions
            todo = [("crystal", f) for f in crystal] + [("liquid", f) for f in liquid]
            if settings.glass_fraction is not None and main:
                todo.append(("glass", settings.glass_fraction))
            for kind, f in todo:
                specs.append(
                    FrameSpec(
                        group,
                        el,
                        pot.name,
                        pot.lattice,
                        kind,
                        float(f),
                        round(f * mp.T_m, 3),
                        mp.T_m,
                        settings.n_atoms,
                        settings.seed,
                    )
                )
    return specs, notes


#: Order of making frames when MD time is short: the most telling frames of every system first.
_TIERS = {
    ("crystal", 1.0): 0,
    ("crystal", 0.5): 0,
    ("liquid", 1.6): 0,
    ("glass", None): 1,
    ("liquid", 1.2): 1,
    ("crystal", 0.75): 1,
}


def priority_order(specs: list[FrameSpec]) -> list[FrameSpec]:
    """``specs`` in the order they are made: main set before held-back; within a set, every system's
    crystal at T_m and 0.5 T_m and liquid at 1.6 T_m first, then its glass, liquid at 1.2 T_m and
    crystal at 0.75 T_m, then the rest (an interrupted run has the key frames of every system)."""
    systems = list(dict.fromkeys((s.group, s.element, s.potential) for s in specs))

    def key(s: FrameSpec):
        tier = _TIERS.get((s.kind, None if s.kind == "glass" else round(s.t_over_tm, 6)), 2)
        return (s.group != "main", tier, systems.index((s.group, s.element, s.potential)))

    return sorted(specs, key=key)


def make_frame(spec: FrameSpec, settings: MDSettings, cache_dir=None):
    """The (cached) LAMMPS frame of ``spec``: ase.Atoms, periodic, with the MD state in ``atoms.info``."""
    from arisekit.md import crystal_frames, glass_frames, liquid_frames

    common = dict(potential=spec.potential, n_atoms=spec.n_atoms, seed=spec.seed, cache_dir=cache_dir)
    if spec.kind == "crystal":
        frames = crystal_frames(spec.element, spec.T, 1, **common, **settings.crystal_md)
    elif spec.kind == "liquid":
        frames = liquid_frames(spec.element, spec.T, 1, **common, **settings.liquid_md)
    elif spec.kind == "glass":
        frames = glass_frames(spec.element, spec.T, 1, **common, **settings.glass_md)
    else:
        raise ValueError(f"unknown frame kind {spec.kind!r}")
    return frames[0]


# --------------------------------------------------------------------------------------------------
# Per-atom labels and scores
# --------------------------------------------------------------------------------------------------


def ovito_labels(atoms, method: str) -> np.ndarray:
    """Per-atom labels of an OVITO analysis: library class names (fcc, bcc, hcp, diamond,
    hexagonal_diamond, sc), "icosahedral", or "other" (no structure recognised: the disorder verdict).

    ``ptm``: PolyhedralTemplateMatching with OVITO's default RMSD cutoff (0.1) and default structure
    types (FCC, HCP, BCC) plus cubic and hexagonal diamond; ``ptm0``: the same with no cutoff;
    ``acna``: adaptive common neighbour analysis; ``aj``: Ackland-Jones; ``ids``: IdentifyDiamond
    (cubic diamond and its first/second neighbour types -> diamond).
    """
    from ovito.io.ase import ase_to_ovito
    from ovito.modifiers import (
        AcklandJonesModifier,
        CommonNeighborAnalysisModifier,
        IdentifyDiamondModifier,
        PolyhedralTemplateMatchingModifier,
    )

    data = ase_to_ovito(atoms)
    if method in ("ptm", "ptm0"):
        P = PolyhedralTemplateMatchingModifier
        mod = P(rmsd_cutoff=0.1 if method == "ptm" else 0.0)
        for s in mod.structures:
            if s.id in (P.Type.CUBIC_DIAMOND, P.Type.HEX_DIAMOND):
                s.enabled = True
        t = P.Type
        names = {
            t.FCC: "fcc",
            t.BCC: "bcc",
            t.HCP: "hcp",
            t.ICO: "icosahedral",
            t.SC: "sc",
            t.CUBIC_DIAMOND: "diamond",
            t.HEX_DIAMOND: "hexagonal_diamond",
            t.GRAPHENE: "graphene",
        }
    elif method in ("acna", "aj"):
        if method == "acna":
            mod = CommonNeighborAnalysisModifier(mode=CommonNeighborAnalysisModifier.Mode.AdaptiveCutoff)
            t = CommonNeighborAnalysisModifier.Type
        else:
            mod = AcklandJonesModifier()
            t = AcklandJonesModifier.Type
        names = {t.FCC: "fcc", t.BCC: "bcc", t.HCP: "hcp", t.ICO: "icosahedral"}
    elif method == "ids":
        mod = IdentifyDiamondModifier()
        t = IdentifyDiamondModifier.Type
        names = {
            t.CUBIC_DIAMOND: "diamond",
            t.CUBIC_DIAMOND_FIRST_NEIGHBOR: "diamond",
            t.CUBIC_DIAMOND_SECOND_NEIGHBOR: "diamond",
            t.HEX_DIAMOND: "hexagonal_diamond",
            t.HEX_DIAMOND_FIRST_NEIGHBOR: "hexagonal_diamond",
            t.HEX_DIAMOND_SECOND_NEIGHBOR: "hexagonal_diamond",
        }
    else:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(BASELINE_METHODS)}")
    data.apply(mod)
    by_value = {int(k): v for k, v in names.items()}
    st = np.asarray(data.particles["Structure Type"]).astype(int)
    return np.array([by_value.get(int(s), OTHER) for s in st], dtype=object)


def arise_atom_labels(probabilities, mutual_information, class_names) -> dict[str, np.ndarray]:
    """Per-atom ARISE labels from projected SPM probabilities (n, n_classes; NaN rows: atom in no box).

    Returns ``labels`` (class name, "" when uncovered), ``verdict`` (label is the disordered class),
    ``score`` (:func:`~arisekit.model.uncertainty.disorder_score`, NaN when uncovered) and ``mi``."""
    from arisekit.model.uncertainty import DISORDERED_CLASS, disorder_score

    p = np.asarray(probabilities, dtype=np.float64)
    names = np.array(list(class_names), dtype=object)
    covered = np.all(np.isfinite(p), axis=1)
    labels = np.full(len(p), "", dtype=object)
    labels[covered] = names[np.argmax(p[covered], axis=1)]
    score = np.full(len(p), np.nan)
    if covered.any():
        score[covered] = disorder_score(p[covered], list(class_names))
    return {
        "labels": labels,
        "verdict": labels == DISORDERED_CLASS,
        "score": score,
        "mi": np.asarray(mutual_information, dtype=np.float64),
    }


def atom_correct(labels, truth: str, disorder_label: str) -> np.ndarray:
    """Whether each atom's label is right: the lattice class for crystal truth, ``disorder_label``
    (the method's verdict: "other" for OVITO, the disordered class for ARISE) for disordered truth."""
    labels = np.asarray(labels, dtype=object)
    target = disorder_label if truth == DISORDERED_TRUTH else truth
    return labels == target


def _fractions(labels, top: int = 5) -> dict[str, float]:
    vals, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    return {(str(vals[i]) or "uncovered"): float(counts[i] / len(labels)) for i in order}


def score_frame(
    atoms, spec: FrameSpec, settings: MDSettings, model
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Score one frame with ARISE (frame and SPM per atom) and the baselines.

    Returns the frame's record (JSON-ready numbers) and its per-atom arrays (ARISE ``score``, ``mi``,
    ``verdict``, and ``correct_<method>`` per scored method)."""
    from arisekit import classify
    from arisekit.model.uncertainty import DISORDERED_CLASS, disorder_score
    from arisekit.spm import project_to_atoms, spm

    rec: dict[str, Any] = {
        "spec": asdict(spec),
        "name": spec.name,
        "truth": spec.truth,
        "n_atoms": len(atoms),
    }
    rec["md"] = {k: _plain(v) for k, v in atoms.info.items()}
    seconds, methods = {}, {}
    t0 = time.perf_counter()
    c = classify(atoms, n_samples=settings.n_samples, model=model, seed=settings.mc_seed)
    seconds["arise_frame"] = time.perf_counter() - t0
    frame_score = float(disorder_score(c.probabilities, c.class_names))
    rec["frame"] = {
        "prediction": c.prediction,
        "probability": c.probability,
        "mutual_information": c.mutual_information,
        "disorder_score": frame_score,
        "verdict": c.prediction == DISORDERED_CLASS,
        "novelty": None if c.novelty is None or np.isnan(c.novelty) else float(c.novelty),
        "out_of_library": c.out_of_library,
        "correct": c.prediction == (DISORDERED_CLASS if spec.truth == DISORDERED_TRUTH else spec.truth),
        "top": [{"name": n, "probability": p} for n, p in c.top(3)],
    }
    t0 = time.perf_counter()
    res = spm(
        atoms,
        box_size=settings.box_size,
        stride=settings.stride,
        n_samples=settings.n_samples,
        model=model,
        seed=settings.mc_seed,
    )
    proj = project_to_atoms(res, atoms)
    seconds["arise"] = time.perf_counter() - t0
    a = arise_atom_labels(proj["probabilities"], proj["mutual_information"], res.class_names)
    arrays = {"score": a["score"], "mi": a["mi"], "verdict": a["verdict"]}
    ok = atom_correct(a["labels"], spec.truth, DISORDERED_CLASS)
    arrays["correct_arise"] = ok
    methods["arise"] = {
        "accuracy": float(ok.mean()),
        "verdict_fraction": float(a["verdict"].mean()),
        "labels": _fractions(a["labels"]),
        "covered_fraction": float(np.mean(a["labels"] != "")),
        "mean_mi": _nanmean(a["mi"]),
        "mean_disorder_score": _nanmean(a["score"]),
        "n_boxes": int(res.n_boxes),
    }
    if "novelty" in proj:  # atoms whose boxes are, on average, out of library (novelty > 1)
        from arisekit.model.novelty import out_of_library

        methods["arise"]["out_of_library_fraction"] = float(np.mean(out_of_library(proj["novelty"])))
    for m in settings.methods:
        t0 = time.perf_counter()
        labels = ovito_labels(atoms, m)
        seconds[m] = time.perf_counter() - t0
        entry = {"verdict_fraction": float(np.mean(labels == OTHER)), "labels": _fractions(labels)}
        if spec.lattice in METHOD_COVERS[m]:
            ok = atom_correct(labels, spec.truth, OTHER)
            arrays[f"correct_{m}"] = ok
            entry["accuracy"] = float(ok.mean())
        else:
            entry["accuracy"] = None
        methods[m] = entry
    rec["methods"], rec["seconds"] = methods, seconds
    return rec, arrays


def _nanmean(x) -> float | None:
    x = np.asarray(x, dtype=np.float64)
    return float(np.nanmean(x)) if np.isfinite(x).any() else None


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


@dataclass
class MDRun:
    """A benchmark run: settings, melting points, notes, frame records and per-atom arrays."""

    settings: MDSettings
    melting_points: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    records: list = field(default_factory=list)
    arrays: list = field(default_factory=list)
    model: str = "shipped"
    class_names: list = field(default_factory=list)
    seconds_md: float = 0.0
    seconds_total: float = 0.0


def run_md_benchmark(
    settings: MDSettings,
    model=None,
    cache_dir=None,
    out_dir=None,
    log=print,
) -> MDRun:
    """Make (or load) every frame of ``settings`` and score it; with ``out_dir``, the report (plots
    included) is rewritten after each frame, so an interrupted run leaves its numbers."""
    from arisekit.benchmark.md_report import write_report
    from arisekit.model import resolve_model

    t_start = time.perf_counter()
    clf = resolve_model(model)
    specs, notes = frame_specs(settings)
    specs = priority_order(specs)
    systems = list(dict.fromkeys((s.element, s.potential) for s in specs))
    run = MDRun(
        settings,
        melting_point_table(systems),
        notes,
        model=str(model) if model else "shipped",
        class_names=[str(c) for c in clf.classes_],
    )
    for note in notes:
        log(note)
    import ovito.modifiers  # noqa: F401  (imported once here, not inside the first frame's timing)

    for mp in run.melting_points:
        log(f"T_m {mp['element']}/{mp['potential']}: {mp['T_m']:g} K ({mp['status']}) - {mp['source']}")
    for i, spec in enumerate(specs):
        t0 = time.perf_counter()
        try:
            atoms = make_frame(spec, settings, cache_dir)
        except Exception as exc:  # an MD failure must not lose the other frames
            run.notes.append(f"{spec.name}: MD failed: {exc}")
            log(run.notes[-1])
            continue
        t_md = time.perf_counter() - t0
        run.seconds_md += t_md
        try:
            rec, arr = score_frame(atoms, spec, settings, clf)
        except Exception as exc:  # nor a scoring failure
            run.notes.append(f"{spec.name}: scoring failed: {type(exc).__name__}: {exc}")
            log(run.notes[-1])
            continue
        rec["seconds"]["md"] = t_md
        run.records.append(rec)
        run.arrays.append(arr)
        m, fr = rec["methods"], rec["frame"]
        log(
            f"[{i + 1}/{len(specs)}] {spec.name} T={spec.T:g} K: MD {t_md:.0f} s; frame {fr['prediction']} "
            f"(p {fr['probability']:.2f}, MI {fr['mutual_information']:.2f}); per atom "
            + ", ".join(f"{k} {_pct(v['accuracy'])}" for k, v in m.items())
        )
        run.seconds_total = time.perf_counter() - t_start
        if out_dir is not None:
            write_report(run, out_dir, plots=True)
    run.seconds_total = time.perf_counter() - t_start
    if out_dir is not None:
        write_report(run, out_dir, plots=True)
    return run


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def settings_dict(settings: MDSettings) -> dict[str, Any]:
    """JSON-ready settings."""
    return json.loads(json.dumps(asdict(settings)))


def frame_paths_note(cache_dir) -> str:
    """Where the frames are cached."""
    from arisekit.md import default_cache_dir

    return str(Path(cache_dir) if cache_dir is not None else default_cache_dir())
