"""Adaptive Monte-Carlo dropout (arisekit.spm.adaptive): settled boxes keep the fixed-T class, unsettled and
audited boxes are exactly the fixed-T result, the audit counts mismatches and its bound is Clopper–Pearson's,
and audit selection depends on the box index alone."""

import numpy as np
import pytest
from helpers import METALS, bicrystal

from arisekit.spm.adaptive import (
    AdaptiveMC,
    AuditTally,
    adaptive_predict,
    audited_boxes,
    mismatch_bound,
    settled,
)
from arisekit.spm.core import _descriptor, _prepare
from arisekit.spm.descriptors import exact_descriptors
from arisekit.spm.grid import spm_grid


@pytest.fixture(scope="module")
def X(metal_model):
    sample = _prepare(bicrystal())  # grains and a boundary: settled and unsettled boxes
    grid, _, _ = spm_grid(sample.positions, 10.0, 2.0)
    valid = grid.counts >= 10
    return np.concatenate([x for _, x in exact_descriptors(sample, grid, _descriptor(metal_model), valid)])


def test_adaptive_matches_fixed_t(X, metal_model):
    T, rule = 100, AdaptiveMC(first=16, audit=0.5)
    ref = metal_model.predict_uncertainty(X, n_samples=T, seed=5)
    tally = AuditTally()
    res = adaptive_predict(metal_model, X, T, 5, rule, tally=tally)
    early = res.passes < T
    assert early.any() and (~early).any()
    np.testing.assert_array_equal(np.argmax(res.probabilities, 1), np.argmax(ref.probabilities, 1))
    assert np.abs(res.mutual_information - ref.mutual_information)[early].max() <= rule.mi_tolerance
    np.testing.assert_allclose(res.probabilities[~early], ref.probabilities[~early], atol=1e-6)
    np.testing.assert_allclose(res.mutual_information[~early], ref.mutual_information[~early], atol=1e-6)
    # audited boxes: settled, yet run with all passes; none changed here
    assert 0 < tally.audited < tally.settled and tally.mismatches == 0
    assert tally.settled == early.sum() + tally.audited


def test_audit_counts_a_mismatch(X, metal_model):
    """A lax rule (confidence just above 1/2, audit of every settled box) settles boxes whose class or MI
    moves with all passes: the audit sees each of them, and they get the fixed-T result."""
    T = 100
    ref = metal_model.predict_uncertainty(X, n_samples=T, seed=5)
    first = metal_model.predict_uncertainty(X, n_samples=2, seed=5)
    lax = AdaptiveMC(first=2, confidence=0.51, mi_tolerance=1e-6, audit=1.0)
    tally = AuditTally()
    res = adaptive_predict(metal_model, X, T, 5, lax, tally=tally)
    moved = np.abs(first.mutual_information - ref.mutual_information) > 1e-6
    assert tally.mismatches > 0 and tally.mismatches <= moved.sum()
    np.testing.assert_allclose(res.mutual_information, ref.mutual_information, atol=1e-6)
    assert tally.bound() > tally.mismatches / tally.audited


def test_tallies_add_by_counts():
    tally = AuditTally(5, 1, 0)
    tally.add(AuditTally(3, 2, 1).counts())
    tally.add(np.array([1, 0, 0]))  # as a domain's journal file keeps them
    assert tally.counts() == (9, 3, 1) and tally.to_dict()["mismatch_bound_95"] == tally.bound()
    with pytest.raises(ValueError):
        tally.add((1, 2))


def test_mismatch_bound_is_clopper_pearson():
    assert mismatch_bound(0, 3000) == pytest.approx(1 - 0.05 ** (1 / 3000), rel=1e-6)
    assert mismatch_bound(0, 0) == 1.0 and mismatch_bound(5, 5) == 1.0
    assert mismatch_bound(1, 100) > mismatch_bound(0, 100)


def test_audit_selection_depends_on_box_and_seed_only():
    ids = np.arange(200_000)
    pick = audited_boxes(ids, 3, 0.02)
    assert abs(pick.mean() - 0.02) < 0.002
    np.testing.assert_array_equal(audited_boxes(ids[1000:5000], 3, 0.02), pick[1000:5000])
    assert not np.array_equal(audited_boxes(ids, 4, 0.02), pick)


def test_rule_settles_confident_agreeing_passes_only():
    rule = AdaptiveMC(first=10, confidence=0.99999)
    sure = np.tile([0.999995, 0.000003, 0.000002], (10, 1))[:, None, :]
    torn = np.array([[0.999995, 0.000005, 0.0], [0.9999, 0.0001, 0.0]] * 5)[:, None, :]
    samples = np.concatenate([sure, torn], axis=1)
    assert settled(samples, np.array([0.0, 0.0]), 100, rule).tolist() == [True, False]
    assert settled(samples, np.array([0.006, 0.0]), 100, rule).tolist() == [False, False]  # MI > tol / 2
    assert settled(torn, np.zeros(1), 10, rule).all()  # all passes run: nothing left to settle


def test_arguments_are_checked(X, metal_model):
    with pytest.raises(ValueError, match="seed"):
        adaptive_predict(metal_model, X[:3], 50, None, AdaptiveMC())
    with pytest.raises(ValueError, match="box_ids"):
        adaptive_predict(metal_model, X[:3], 50, 0, AdaptiveMC(), box_ids=np.arange(2))
    for bad in (
        {"first": 1},
        {"confidence": 0.4},
        {"audit": 0.0},
        {"mi_tolerance": -1.0},
        {"min_audited": 0},
        {"max_rate": 1.0},
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            AdaptiveMC(**bad)
    assert METALS  # helpers import used by the shared fixtures


def test_audit_share_and_certification():
    """The audit share grows to min_audited / boxes on small grids; a run is certified when the bound is at
    most max_rate, or when every settled box was audited (then all boxes have their fixed-T result)."""
    rule = AdaptiveMC()
    assert rule.for_grid(10**6).audit == rule.audit
    assert rule.for_grid(30_000).audit == pytest.approx(0.1)
    assert rule.for_grid(100).audit == 1.0
    assert AuditTally(400_000, 8_000, 0).certified(rule)  # bound ~ 0.04 %
    assert not AuditTally(400_000, 8_000, 9).certified(rule)  # bound > 0.1 %
    assert not AuditTally(5_000, 100, 0).certified(rule)  # too few audited to bound 0.1 %
    assert AuditTally(50, 50, 3).certified(rule) and AuditTally(0, 0, 0).certified(rule)
    assert AuditTally(3_000, 2_990, 0).bound() > rule.max_rate  # 2,995 audited boxes bound 0.1 %
    assert AuditTally(10_000, 3_000, 0).certified(rule)  # all settle, none moved: certified at 3000


@pytest.fixture()
def partial_audit(monkeypatch):
    """Audit only part of the settled boxes of a small grid: too few to certify, so SPM reruns."""
    from dataclasses import replace

    monkeypatch.setattr(AdaptiveMC, "for_grid", lambda self, n: replace(self, audit=0.3))


def test_uncertified_run_is_redone_with_all_passes(partial_audit, metal_model, tmp_path):
    """The fallback gives exactly the fixed-T result, in memory, in domains and in a streamed file, and
    the result says so."""
    from helpers import bicrystal

    from arisekit.spm import spm
    from arisekit.spm.domains import stream_spm

    run = dict(box_size=10.0, stride=2.0, n_samples=40, seed=3)
    sample = bicrystal()
    fixed = spm(sample, model=metal_model, **run)
    for kw in ({}, {"domains": 10.0}):
        out = spm(sample, model=metal_model, adaptive=True, **run, **kw)
        audit = out.params["adaptive_audit"]
        assert out.params["adaptive"] and audit["rerun"] and not audit["certified"]
        assert 0 < audit["audited"] < audit["settled"]
        v = fixed.valid
        np.testing.assert_allclose(out.probabilities[v], fixed.probabilities[v], rtol=0, atol=2e-6)
        np.testing.assert_allclose(out.mutual_information, fixed.mutual_information, rtol=0, atol=2e-6)
    path = stream_spm(sample, tmp_path / "map.h5", model=metal_model, domains=10.0, adaptive=True, **run)
    from arisekit.spm import SPMResult

    streamed = SPMResult.load(path)
    assert streamed.params["adaptive_audit"]["rerun"] and streamed.params["adaptive"]
    np.testing.assert_allclose(streamed.mutual_information, fixed.mutual_information, rtol=0, atol=2e-6)


def test_streamed_rerun_resumes_after_interruption(partial_audit, metal_model, tmp_path):
    """Ctrl-C during the rerun of an uncertified streamed run: the next call keeps both journals' finished
    domains and ends with the fixed-T result."""
    from helpers import bicrystal

    from arisekit.spm import SPMResult, spm
    from arisekit.spm.domains import DomainOptions, iter_domain_spm, journal_path, stream_spm

    run = dict(box_size=10.0, stride=2.0, n_samples=40, seed=3, adaptive=True)
    sample, out = bicrystal(), tmp_path / "map.h5"
    adaptive_journal = journal_path(out)
    rerun_journal = adaptive_journal.with_name(adaptive_journal.name + ".fixed")
    gen = iter_domain_spm(sample, model=metal_model, domains=DomainOptions(size=10.0, out=out), **run)
    while not list(rerun_journal.glob("*.npz")):
        next(gen)
    gen.close()  # "Ctrl-C" with one rerun domain done
    assert not out.exists() and list(adaptive_journal.glob("*.npz"))
    path = stream_spm(sample, out, model=metal_model, domains=10.0, **run)
    assert not adaptive_journal.exists() and not rerun_journal.exists()
    res = SPMResult.load(path)
    assert res.params["adaptive_audit"]["rerun"]
    fixed = spm(sample, model=metal_model, **dict(run, adaptive=False))
    np.testing.assert_allclose(res.mutual_information, fixed.mutual_information, rtol=0, atol=2e-6)
