"""Adaptive Monte-Carlo dropout for SPM: boxes whose answer is settled after a few passes stop there, a
random audit of the stopped boxes measures how often that changed an answer, and a run the audit cannot
certify is redone with all passes.

Rule (per box). Run the first ``first`` of the ``T`` passes (the same dropout masks as the fixed-T run: the
masks of pass t depend only on ``seed`` and t, :mod:`arisekit.model.mc_dropout`). A box is **settled** when
every one of those passes gives its most probable class k* a probability ≥ ``confidence`` (0.99) and its MI
over them is ≤ ``mi_tolerance`` / 2. Settled boxes keep their ``first``-pass statistics; the others are run
with all T passes (so their results are exactly the fixed-T results).

Why an audit. Per-pass dropout outputs are heavy-tailed: a confident box can be flipped by a few passes in
a hundred (a dropped unit it depends on), which ``first`` passes need not show, so no per-box rule on a few
passes bounds the error by itself (a normal-approximation rule measured 3 % of boundary boxes with
|ΔMI| > 0.01; the confidence rule moves 0–8 % of the settled boxes, depending on the frame). The audit
bounds it for the population instead: a seeded pseudo-random share of the settled boxes (``audit``, raised
to ``min_audited`` / boxes of the grid; chosen by box index and seed, so independent of chunks and
domains) is also run with all T passes and gets the fixed-T result. A **mismatch** is an audited box whose
class or MI (beyond ``mi_tolerance``) differs between its ``first``-pass and its T-pass result. After m
audited boxes with k mismatches, the fraction of settled boxes that differ from the fixed-T result is below
the one-sided 95 % Clopper–Pearson bound (:func:`mismatch_bound`; k = 0: 1 − 0.05^(1/m) ≈ 3/m).

Certification. The run is **certified** when that bound is at most ``max_rate`` (0.1 %: at least 2,995
audited boxes and no mismatch, or more with a few), or when every settled box was audited (small grids:
then every box has its fixed-T result). A certified result is returned: with 95 % confidence at most 0.1 %
of its boxes differ from the fixed-T result by a class or by more than ``mi_tolerance`` in MI. Otherwise SPM
redoes the run with all passes and returns the fixed-T result (:func:`needs_rerun`). Every per-box decision
depends on the box alone (its descriptor, ``n_samples``, ``seed``, its index) and the certification on the
whole run's tally, so chunked, domain-streamed and Dask runs give the same result; SPM records the tally,
the verdict and whether it reran in ``SPMResult.params["adaptive_audit"]``.

**Not the default** (``SPMParameters.adaptive=False``): it pays off on large frames of confident boxes (a
crystal MD frame: all boxes settle, an audit of 2 % certifies); on small or uncertain frames the audit does
not certify and the rerun costs the adaptive pass on top of the fixed-T run. Measured with
``python benchmarks/spm_adaptive.py`` and ``python benchmarks/spm.py --large --adaptive``: see the README's
performance table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "AdaptiveMC",
    "AuditTally",
    "adaptive_predict",
    "applies",
    "audit_params",
    "needs_rerun",
    "rerun_params",
    "audited_boxes",
    "mismatch_bound",
    "settled",
]


@dataclass(frozen=True)
class AdaptiveMC:
    """Adaptive Monte-Carlo dropout settings: ``first`` passes for every box; a box settles when each of them
    gives its class a probability ≥ ``confidence`` and its MI is ≤ ``mi_tolerance`` / 2 (nats); ``audit`` is
    the least fraction of settled boxes also run with all passes (raised to ``min_audited`` / boxes of the
    grid by :meth:`for_grid`); the run is **certified** when the audit bounds the fraction of settled boxes
    that differ from the fixed-T result by ``max_rate`` (95 % confidence), else it is rerun with all passes
    (see the module docstring)."""

    first: int = 16
    confidence: float = 0.99
    mi_tolerance: float = 0.01
    audit: float = 0.02
    min_audited: int = 3000
    max_rate: float = 0.001

    def __post_init__(self) -> None:
        if isinstance(self.first, bool) or not isinstance(self.first, (int, np.integer)) or self.first < 2:
            raise ValueError(f"AdaptiveMC.first: must be an integer ≥ 2, got {self.first!r}")
        if not (np.isfinite(self.confidence) and 0.5 < self.confidence < 1):
            raise ValueError(f"AdaptiveMC.confidence: must be in (0.5, 1), got {self.confidence!r}")
        if not (np.isfinite(self.mi_tolerance) and self.mi_tolerance > 0):
            raise ValueError(f"AdaptiveMC.mi_tolerance: must be positive, got {self.mi_tolerance!r}")
        if not (np.isfinite(self.audit) and 0 < self.audit <= 1):
            raise ValueError(f"AdaptiveMC.audit: must be a fraction in (0, 1], got {self.audit!r}")
        m = self.min_audited
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
            raise ValueError(f"AdaptiveMC.min_audited: must be a positive integer, got {m!r}")
        if not (np.isfinite(self.max_rate) and 0 < self.max_rate < 1):
            raise ValueError(f"AdaptiveMC.max_rate: must be in (0, 1), got {self.max_rate!r}")

    def for_grid(self, n_boxes: int) -> AdaptiveMC:
        """These settings for a grid of ``n_boxes`` boxes (empty ones included, so every chunk and domain of
        a run computes the same value): the audit fraction raised to ``min_audited / n_boxes`` (at most 1)."""
        share = min(1.0, max(float(self.audit), self.min_audited / max(int(n_boxes), 1)))
        return replace(self, audit=share)


@dataclass
class AuditTally:
    """Running audit of one SPM run: boxes settled early (audited ones included), audited, mismatched."""

    settled: int = 0
    audited: int = 0
    mismatches: int = 0

    def counts(self) -> tuple[int, int, int]:
        """(settled, audited, mismatches): what a domain hands back and its journal file keeps."""
        return (self.settled, self.audited, self.mismatches)

    def add(self, counts) -> None:
        """Add another tally's :meth:`counts` (a domain's)."""
        settled, audited, mismatches = (int(c) for c in counts)
        self.settled += settled
        self.audited += audited
        self.mismatches += mismatches

    def bound(self) -> float:
        """95 % upper bound on the fraction of settled boxes whose result differs from the fixed-T one."""
        return mismatch_bound(self.mismatches, self.audited)

    def certified(self, rule: AdaptiveMC) -> bool:
        """Whether the audit bounds the mismatch rate of the settled boxes by ``rule.max_rate`` (95 %). A run
        whose settled boxes were all audited is certified too: every box then has its fixed-T result."""
        return self.settled == self.audited or self.bound() <= rule.max_rate

    def to_dict(self) -> dict:
        return {
            "settled": self.settled,
            "audited": self.audited,
            "mismatches": self.mismatches,
            "mismatch_bound_95": self.bound(),
        }


def mismatch_bound(mismatches: int, audited: int, level: float = 0.95) -> float:
    """One-sided Clopper–Pearson upper bound at ``level`` on a rate with ``mismatches`` of ``audited``."""
    if audited <= 0:
        return 1.0
    if mismatches >= audited:
        return 1.0
    from scipy.stats import beta

    return float(beta.ppf(level, mismatches + 1, audited - mismatches))


def settled(
    samples: np.ndarray, mutual_information: np.ndarray, n_samples: int, rule: AdaptiveMC
) -> np.ndarray:
    """Boolean mask of the boxes settled after the passes ``samples`` (t0, n, C) whose MI over those passes is
    ``mutual_information`` (n,)."""
    t0, n = samples.shape[0], samples.shape[1]
    if t0 >= n_samples:
        return np.ones(n, dtype=bool)
    k = samples.mean(axis=0).argmax(axis=1)
    lowest = samples[:, np.arange(n), k].min(axis=0)  # each pass's probability of the class, the lowest
    return (lowest >= rule.confidence) & (mutual_information <= 0.5 * rule.mi_tolerance)


def audited_boxes(box_ids: np.ndarray, seed: int, fraction: float) -> np.ndarray:
    """Boolean mask: which of ``box_ids`` (global box indices) the audit takes, a fixed pseudo-random
    ``fraction`` of them for a seed (splitmix64 of index and seed: the same boxes in any chunk or domain)."""
    x = np.asarray(box_ids, dtype=np.uint64) + np.uint64((int(seed) * 0x9E3779B97F4A7C15) % 2**64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53) < fraction


@dataclass
class AdaptiveResult:
    probabilities: np.ndarray
    mutual_information: np.ndarray
    predictive_entropy: np.ndarray
    variation_ratio: np.ndarray
    novelty: np.ndarray | None
    passes: np.ndarray  # passes used per box (first or n_samples)


def adaptive_predict(
    clf,
    X: np.ndarray,
    n_samples: int,
    seed,
    rule: AdaptiveMC,
    n_threads=None,
    box_ids: np.ndarray | None = None,
    tally: AuditTally | None = None,
) -> AdaptiveResult:
    """Monte-Carlo dropout of ``X`` with adaptive pass counts (``seed`` must not be None: the fixed-T run
    it approximates must be defined). ``box_ids``: the rows' global box indices (audit selection; default
    0..n-1); ``tally``: the run's audit, updated in place."""
    if seed is None:
        raise ValueError("adaptive Monte-Carlo sampling needs a seed (the fixed-T result it stops early)")
    tally = AuditTally() if tally is None else tally
    ids = np.arange(len(X)) if box_ids is None else np.asarray(box_ids)
    if len(ids) != len(X):
        raise ValueError(f"box_ids: one per row of X, got {len(ids)} for {len(X)} rows")
    t0 = min(int(rule.first), int(n_samples))
    if t0 >= n_samples:
        full = clf.predict_uncertainty(X, n_samples=n_samples, seed=seed, n_threads=n_threads)
        return AdaptiveResult(
            full.probabilities,
            full.mutual_information,
            full.predictive_entropy,
            full.variation_ratio,
            full.novelty,
            np.full(len(X), n_samples),
        )
    first = clf.predict_uncertainty(X, n_samples=t0, seed=seed, return_samples=True, n_threads=n_threads)
    ok = settled(first.samples, first.mutual_information, n_samples, rule)
    audit = ok & audited_boxes(ids, seed, rule.audit)
    prob = first.probabilities.copy()
    mi = first.mutual_information.copy()
    pe = first.predictive_entropy.copy()
    vr = first.variation_ratio.copy()
    novelty = None if first.novelty is None else first.novelty.copy()
    rest = np.flatnonzero(~ok | audit)
    if len(rest):
        full = clf.predict_uncertainty(X[rest], n_samples=n_samples, seed=seed, n_threads=n_threads)
        checked = audit[rest]
        wrong = (full.predictions[checked] != prob[rest[checked]].argmax(axis=1)) | (
            np.abs(full.mutual_information[checked] - mi[rest[checked]]) > rule.mi_tolerance
        )
        prob[rest], mi[rest] = full.probabilities, full.mutual_information
        pe[rest], vr[rest] = full.predictive_entropy, full.variation_ratio
        if novelty is not None and full.novelty is not None:
            novelty[rest] = full.novelty
        tally.audited += int(checked.sum())
        tally.mismatches += int(wrong.sum())
    tally.settled += int(ok.sum())
    passes = np.where(ok & ~audit, t0, n_samples)
    return AdaptiveResult(prob, mi, pe, vr, novelty, passes)


def applies(p) -> bool:
    """Whether an SPM run with parameters ``p`` (SPMParameters) samples adaptively (it needs a seed)."""
    return bool(p.adaptive) and p.seed is not None


def _audit(tally: AuditTally, rerun: bool) -> dict:
    return dict(tally.to_dict(), certified=tally.certified(AdaptiveMC()), rerun=rerun)


def audit_params(p, tally: AuditTally) -> dict:
    """``{"adaptive_audit": ...}`` for an SPM result's params when ``p`` (SPMParameters) ran adaptively, else
    ``{}``: the audit's counts, its 95 % bound and whether it certified the run."""
    return {"adaptive_audit": _audit(tally, False)} if applies(p) else {}


def needs_rerun(p, tally: AuditTally) -> bool:
    """Whether an SPM run with parameters ``p`` sampled adaptively and its audit did not certify it: then it
    is redone with all passes (``dataclasses.replace(p, adaptive=False)``) and :func:`rerun_params` of the
    first run's tally go with the result."""
    return applies(p) and not tally.certified(AdaptiveMC())


def rerun_params(tally: AuditTally) -> dict:
    """The params a fixed-T redo of an adaptive run carries (they replace the redo's own): ``adaptive``
    True, and the first run's audit with ``rerun`` True (the result is the fixed-T one)."""
    return {"adaptive": True, "adaptive_audit": _audit(tally, True)}
