"""Adaptive Monte-Carlo dropout for SPM: boxes whose answer is settled after a few passes stop there,
and a random audit of the stopped boxes measures how often that changed an answer.

Rule (per box). Run the first ``first`` of the ``T`` passes (the same dropout masks as the fixed-T run: the
masks of pass t depend only on ``seed`` and t, :mod:`arisekit.model.mc_dropout`). A box is **settled** when
every one of those passes gives its most probable class k* a probability ≥ ``confidence`` and its MI over
them is ≤ ``mi_tolerance`` / 2. Settled boxes keep their ``first``-pass statistics; the others are run with
all T passes (so their results are exactly the fixed-T results).

Why an audit. Per-pass dropout outputs are heavy-tailed: a confident box can be flipped by a few passes in
a hundred (a dropped unit it depends on), which ``first`` passes need not show, so no per-box rule on a few
passes bounds the error by itself (a normal-approximation rule measured 3 % of boundary boxes with
|ΔMI| > 0.01). The audit bounds it for the population instead: a seeded pseudo-random ``audit`` fraction
of the settled boxes (chosen by box index and seed, so independent of chunks and domains) is also run with
all T passes and gets the fixed-T result. A **mismatch** is an audited box whose class or MI (beyond
``mi_tolerance``) differs between its ``first``-pass and its T-pass result. After m audited boxes with k
mismatches, the fraction of settled boxes that differ from the fixed-T result is below the one-sided 95 %
Clopper–Pearson bound (:func:`mismatch_bound`; k = 0: 1 − 0.05^(1/m) ≈ 3/m). Every decision depends on
the box alone (its descriptor, ``n_samples``, ``seed``, its index), so chunked, domain-streamed and Dask
runs give the same result; SPM records the tally in ``SPMResult.params["adaptive_audit"]`` and warns when
the audit found a mismatch.

**Not the default** (``SPMParameters.adaptive=False``). Measured (``python benchmarks/spm_adaptive.py``,
shipped model v4, T = 100, first = 16, confidence 0.99999; AMD EPYC, 2 cores): argmax identical to the
fixed-T result in 100 % of the boxes of all four frames; |ΔMI| ≤ 0.01 in every box of the slab
polycrystal (1,369 boxes, 14 % settled, max 0.0009), the periodic thermal fcc frame (17,576 boxes, 98 %
settled, MC 4.1× faster, max 0.0002) and the superalloy (46,656 boxes, 18 % settled, max 0.0003), but not
in the FePt nanoparticle with AET errors (12,873 exact boxes, 9 % settled: 7 boxes above 0.01, max 0.34,
none of them in the 2 % audit). With confidence 0.999 more boxes settle (fcc 98 %, superalloy 96 %: MC
4.5× faster) and 125 superalloy boxes (0.27 %) move by more than 0.01 (max 0.12; the audit saw 3 of them).
On ``benchmarks/spm.py --large`` (``displace`` by 2 % of d_NN) no box of the 10⁶-atom frame settles.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "AdaptiveMC",
    "AuditTally",
    "adaptive_predict",
    "applies",
    "audit_params",
    "audited_boxes",
    "mismatch_bound",
    "settled",
]


@dataclass(frozen=True)
class AdaptiveMC:
    """Adaptive Monte-Carlo dropout settings: ``first`` passes for every box; a box settles when each of them
    gives its class a probability ≥ ``confidence`` and its MI is ≤ ``mi_tolerance`` / 2 (nats); ``audit`` is
    the fraction of settled boxes also run with all passes (see the module docstring)."""

    first: int = 16
    confidence: float = 0.99999
    mi_tolerance: float = 0.01
    audit: float = 0.02

    def __post_init__(self) -> None:
        if isinstance(self.first, bool) or not isinstance(self.first, (int, np.integer)) or self.first < 2:
            raise ValueError(f"AdaptiveMC.first: must be an integer ≥ 2, got {self.first!r}")
        if not (np.isfinite(self.confidence) and 0.5 < self.confidence < 1):
            raise ValueError(f"AdaptiveMC.confidence: must be in (0.5, 1), got {self.confidence!r}")
        if not (np.isfinite(self.mi_tolerance) and self.mi_tolerance > 0):
            raise ValueError(f"AdaptiveMC.mi_tolerance: must be positive, got {self.mi_tolerance!r}")
        if not (np.isfinite(self.audit) and 0 < self.audit <= 1):
            raise ValueError(f"AdaptiveMC.audit: must be a fraction in (0, 1], got {self.audit!r}")


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


def audit_params(p, tally: AuditTally) -> dict:
    """``{"adaptive_audit": ...}`` for an SPM result's params when ``p`` (SPMParameters) ran adaptively, else
    ``{}``; warns when the audit found boxes whose result moved with all passes."""
    if not applies(p):
        return {}
    if tally.mismatches:
        warnings.warn(
            f"adaptive Monte-Carlo sampling: {tally.mismatches} of {tally.audited} audited boxes changed "
            f"class or MI with all {p.n_samples} passes; the {tally.settled - tally.audited} other settled "
            f"boxes differ from the fixed-T result at a rate ≤ {tally.bound():.2%} (95 % confidence); "
            "adaptive=False gives the fixed-T result",
            RuntimeWarning,
            stacklevel=3,
        )
    return {"adaptive_audit": tally.to_dict()}
