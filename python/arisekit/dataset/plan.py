"""Dataset plans: which structures and SOAP settings make up a training or benchmark set.

A plan expands deterministically into *jobs*; one job is one structure (a class, a structure kind and
an optional defect realisation) described at one or more SOAP settings. Every row of the dataset has a
stable string key, so a build can resume and a rebuild with the same plan and seed is identical.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

#: Displacement levels δ (fraction of d_NN) and missing-atom fractions η of the paper (Table 1, S2).
PAPER_DISPLACEMENTS: tuple[float, ...] = (0.001, 0.006, 0.01, 0.02, 0.04, 0.07, 0.10)
PAPER_MISSING: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.25, 0.30)
#: Combined (η, δ) pairs of Table S3.
PAPER_COMBINED: tuple[tuple[float, float], ...] = (
    (0.01, 0.001),
    (0.05, 0.006),
    (0.10, 0.01),
    (0.15, 0.02),
    (0.20, 0.04),
    (0.25, 0.07),
    (0.30, 0.10),
)
#: SOAP parameter grid of the paper: cutoff 3.0–5.0 d_NN (0.2 steps), width 0.08/0.10/0.12 d_NN,
#: extrinsic scale factors 0.95/1.0/1.05.
PAPER_CUTOFFS: tuple[float, ...] = tuple(round(3.0 + 0.2 * k, 1) for k in range(11))
PAPER_SIGMAS: tuple[float, ...] = (0.08, 0.10, 0.12)
PAPER_SCALES: tuple[float, ...] = (0.95, 1.0, 1.05)
#: The central setting (cutoff, atom_sigma, extrinsic_scale), in d_NN units.
CENTRAL: tuple[float, float, float] = (4.0, 0.1, 1.0)


@dataclass(frozen=True)
class SoapSetting:
    """One SOAP parameter setting: cutoff and Gaussian width in d_NN units, extrinsic scale factor."""

    cutoff: float
    atom_sigma: float
    extrinsic_scale: float

    @property
    def key(self) -> str:
        return f"rc{self.cutoff:g}_s{self.atom_sigma:g}_x{self.extrinsic_scale:g}"


@dataclass(frozen=True)
class Job:
    """One structure to build and describe at ``settings``.

    ``kind`` is "periodic" (the periodic cell), "supercell<k>" (k = 0, 1, 2: the smallest open
    isotropic supercell with ≥ 100 atoms and the next two) or "periodic_supercell<k>" (the same supercell
    with the class's periodic boundary conditions; the paper's defects are made on both).
    ``displacement`` (fraction of d_NN) and ``missing`` (fraction of atoms) define a defect;
    ``realization`` numbers the random draws.
    """

    class_name: str
    kind: str
    displacement: float = 0.0
    missing: float = 0.0
    realization: int = 0
    settings: tuple[SoapSetting, ...] = ()

    @property
    def variant(self) -> str:
        """Short defect label: "pristine", "displaced_0.01", "missing_0.05" or "both_0.05_0.006"."""
        if self.displacement and self.missing:
            return f"both_{self.missing:g}_{self.displacement:g}"
        if self.displacement:
            return f"displaced_{self.displacement:g}"
        if self.missing:
            return f"missing_{self.missing:g}"
        return "pristine"

    @property
    def key(self) -> str:
        """Stable identifier of the structure (independent of the SOAP settings)."""
        return f"{self.class_name}|{self.kind}|{self.variant}|r{self.realization}"

    def seed(self, base_seed: int) -> np.random.SeedSequence:
        """Seed of this job's random draws, derived from the plan seed and the job key."""
        return np.random.SeedSequence([int(base_seed), zlib.crc32(self.key.encode())])


def _check_fractions(values: Sequence[float], name: str) -> tuple[float, ...]:
    out = tuple(float(v) for v in values)
    for v in out:
        if not 0.0 < v < 1.0:
            raise ValueError(f"{name}: every level must lie in (0, 1) as a fraction, got {v}")
    return out


@dataclass
class DatasetPlan:
    """What to compute. Defaults give the central-setting dataset (pristine + one realisation per
    defect level of the paper); :meth:`paper` gives the full augmentation grid."""

    classes: Sequence[str] | None = None
    periodic: bool = True
    supercells: bool = True
    cutoffs: Sequence[float] = (CENTRAL[0],)
    sigmas: Sequence[float] = (CENTRAL[1],)
    scales: Sequence[float] = (CENTRAL[2],)
    displacements: Sequence[float] = PAPER_DISPLACEMENTS
    missing: Sequence[float] = PAPER_MISSING
    combined: Sequence[tuple[float, float]] = PAPER_COMBINED
    realizations: int = 1
    seed: int = 0
    extra: dict = field(default_factory=dict)

    @classmethod
    def paper(cls, **kwargs) -> DatasetPlan:
        """The paper's plan: the full SOAP grid for pristine structures, defects (10 realisations) at the
        central setting."""
        base = dict(cutoffs=PAPER_CUTOFFS, sigmas=PAPER_SIGMAS, scales=PAPER_SCALES, realizations=10)
        base.update(kwargs)
        return cls(**base)

    def validate(self) -> None:
        if not (self.periodic or self.supercells):
            raise ValueError("plan: at least one of periodic or supercells must be enabled")
        _check_fractions(self.displacements, "displacements")
        _check_fractions(self.missing, "missing")
        for eta, delta in self.combined:
            _check_fractions((eta, delta), "combined")
        if int(self.realizations) < 1:
            raise ValueError(f"realizations must be >= 1, got {self.realizations}")
        for name, values in (("cutoffs", self.cutoffs), ("sigmas", self.sigmas), ("scales", self.scales)):
            if not values or any(not np.isfinite(v) or v <= 0 for v in values):
                raise ValueError(f"{name} must be a non-empty list of positive numbers, got {list(values)}")

    def settings(self) -> tuple[SoapSetting, ...]:
        return tuple(
            SoapSetting(float(c), float(s), float(x))
            for c in self.cutoffs
            for s in self.sigmas
            for x in self.scales
        )

    def central_setting(self) -> SoapSetting:
        """Setting used for defective structures: the grid point closest to the paper's centre."""
        grid = self.settings()
        return min(
            grid,
            key=lambda s: (
                abs(s.cutoff - CENTRAL[0]),
                abs(s.atom_sigma - CENTRAL[1]),
                abs(s.extrinsic_scale - CENTRAL[2]),
            ),
        )

    def jobs(self, class_kinds: dict[str, Sequence[str]]) -> list[Job]:
        """Expand into jobs. ``class_kinds`` maps each class to its available structure kinds
        (nanotubes have no periodic defects and a single supercell, for instance)."""
        self.validate()
        full, central = self.settings(), (self.central_setting(),)
        defects = [(d, 0.0) for d in self.displacements] + [(0.0, m) for m in self.missing]
        defects += [(d, m) for m, d in self.combined]
        jobs: list[Job] = []
        for name, kinds in class_kinds.items():
            for kind in kinds:
                if (kind.startswith("periodic") and not self.periodic) or (
                    kind.startswith("supercell") and not self.supercells
                ):
                    continue
                # pristine: the periodic cell and the open supercells (a periodic supercell describes as
                # its cell); defects: on the supercells, open and periodic (a periodic cell of one or two
                # atoms cannot carry a displacement or a missing-atom fraction)
                if not kind.startswith("periodic_"):
                    jobs.append(Job(name, kind, settings=full))
                if kind == "periodic" and any(k.startswith("periodic_") for k in kinds):
                    continue
                for delta, eta in defects:
                    for r in range(int(self.realizations)):
                        jobs.append(Job(name, kind, delta, eta, r, central))
        return jobs

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)
