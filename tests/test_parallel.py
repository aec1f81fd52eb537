"""The process-wide thread setting (arisekit.parallel): set/get, context manager, what reaches the C++ core,
BLAS and the Monte-Carlo-dropout engine."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

import arisekit.parallel as par
from arisekit import _core
from arisekit._parallel import available_cores


@pytest.fixture(autouse=True)
def _default_setting():
    par.set_num_threads(None)
    yield
    par.set_num_threads(None)


def test_default_is_all_available_cores():
    assert par.get_num_threads() == available_cores()
    assert par.explicit_num_threads() is None
    par.set_num_threads(0)  # 0 and None: the same default
    assert par.get_num_threads() == available_cores()


def test_set_and_context_manager_restore():
    par.set_num_threads(3)
    assert par.get_num_threads() == 3
    with par.num_threads(1) as n:
        assert n == 1 and par.get_num_threads() == 1
        with par.num_threads(None):
            assert par.get_num_threads() == available_cores()
        assert par.get_num_threads() == 1
    assert par.get_num_threads() == 3
    with pytest.raises(RuntimeError), par.num_threads(2):
        raise RuntimeError("boom")
    assert par.get_num_threads() == 3  # restored on error too


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_bad_counts_rejected(bad):
    with pytest.raises(ValueError, match="n_threads"):
        par.set_num_threads(bad)
    with pytest.raises(ValueError, match="n_threads"):
        par.resolve_threads(bad)


def test_resolve_threads_per_call_override():
    with par.num_threads(2):
        assert par.resolve_threads(None) == 2
        assert par.resolve_threads(0) == 2
        assert par.resolve_threads(5) == 5
        assert par.explicit_threads(None) == 2
    assert par.explicit_threads(None) is None
    assert par.explicit_threads(4) == 4


def _spy(monkeypatch, name):
    seen = []
    real = getattr(_core, name)

    def wrapper(*args, **kwargs):
        seen.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(_core, name, wrapper)
    return seen


def test_cpp_core_receives_the_setting(monkeypatch):
    from arisekit.geometry import neighbor_list

    seen = _spy(monkeypatch, "neighbor_list")
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    neighbor_list(atoms, 3.0)
    with par.num_threads(2):
        neighbor_list(atoms, 3.0)
        neighbor_list(atoms, 3.0, n_threads=1)  # per-call override
    # the core never gets 0 ("all hardware threads" in C++): always an explicit count
    assert seen == [available_cores(), 2, 1]


def test_descriptor_threads_reach_the_core(monkeypatch):
    from arisekit.descriptors import arise_soap

    seen = _spy(monkeypatch, "soap_power_spectrum")
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    with par.num_threads(2):
        a = arise_soap(atoms)
    b = arise_soap(atoms, n_threads=1)
    np.testing.assert_array_equal(a, b)  # thread count never changes the numbers
    assert seen == [2, 1]


def test_blas_follows_an_explicit_setting():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library found by threadpoolctl")
    before = [i["num_threads"] for i in blas]
    with par.num_threads(1):
        assert all(i["num_threads"] == 1 for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert after == before


def test_mc_dropout_engine_uses_the_setting(monkeypatch):
    from arisekit.model import mc_dropout

    workers = []
    real = mc_dropout.thread_map

    def spy(n):
        workers.append(n)
        return real(n)

    monkeypatch.setattr(mc_dropout, "thread_map", spy)
    rng = np.random.default_rng(0)
    weights = mc_dropout.MLPWeights(
        kernels=[rng.normal(size=(4, 8)).astype(np.float32), rng.normal(size=(8, 3)).astype(np.float32)],
        biases=[np.zeros(8, np.float32), np.zeros(3, np.float32)],
        dropout_rates=[0.0, 0.1],
    )
    X = rng.normal(size=(mc_dropout.MCDropoutEngine.PASS_MAJOR_MIN_ROWS, 4))
    with par.num_threads(2):
        a = mc_dropout.mc_dropout_predict(weights, X, n_samples=4, seed=0)
    b = mc_dropout.mc_dropout_predict(weights, X, n_samples=4, seed=0, n_threads=1)
    assert workers == [2, 1]
    np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-5, atol=1e-6)
