"""Domain-streamed SPM on Dask: a real local scheduler with two worker processes writes the same result
as the single-process run; the CLI drives it (``--domain-size --scheduler``) and a killed worker loses
nothing."""

import os
import signal

import numpy as np
import pytest
from helpers import METALS

from arisekit.spm import DomainOptions, SPMResult, spm, stream_spm

pytest.importorskip("distributed")

RUN = dict(box_size=12.0, stride=3.0, n_samples=8, seed=3)


@pytest.fixture(scope="module")
def sample():
    atoms = METALS["fcc"]().repeat((7, 7, 7))
    atoms.positions += np.random.default_rng(0).normal(0, 0.06, atoms.positions.shape)
    atoms.pbc = True
    return atoms


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:  # real worker processes
        yield c


def _same(a: SPMResult, b: SPMResult) -> None:
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.argmax, b.argmax)
    v = a.valid
    np.testing.assert_allclose(a.probabilities[v], b.probabilities[v], rtol=0, atol=2e-6)
    np.testing.assert_allclose(a.mutual_information[v], b.mutual_information[v], rtol=0, atol=2e-6)


def test_scheduler_run_equals_single_process(tmp_path, sample, metal_model, cluster):
    ref = spm(sample, model=metal_model, **RUN)
    options = DomainOptions(size=7.0, scheduler=cluster.scheduler_address)
    path = stream_spm(sample, tmp_path / "map.h5", model=metal_model, domains=options, **RUN)
    out = SPMResult.load(path)
    assert out.params["domains"]["count"] > 4
    _same(ref, out)


def test_killed_worker_loses_nothing(tmp_path, sample, metal_model, cluster):
    """A worker killed while domains run: Dask reruns its domains elsewhere; every domain once."""
    from distributed import Client

    import arisekit.spm.domains as dm

    ref = spm(sample, model=metal_model, **RUN)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = list(client.run(os.getpid).values())
    seen = []
    original = dm._save_domain

    def save_and_kill(folder, r):
        original(folder, r)
        seen.append(r.index)
        if len(seen) == 1:
            os.kill(pids[0], signal.SIGKILL)

    dm._save_domain = save_and_kill
    try:
        options = DomainOptions(size=7.0, scheduler=cluster.scheduler_address)
        path = stream_spm(sample, tmp_path / "map.h5", model=metal_model, domains=options, **RUN)
    finally:
        dm._save_domain = original
    assert sorted(seen) == list(range(len(seen))) and len(set(seen)) == len(seen)  # each domain once
    _same(ref, SPMResult.load(path))


def test_embedded_local_cluster_via_cli(tmp_path, sample, metal_model):
    """``arisekit spm --domain-size --workers 2`` (embedded LocalCluster) from an extended XYZ file."""
    from ase.io import write

    from arisekit.cli import main

    path = tmp_path / "frame.extxyz"
    write(path, sample, format="extxyz")
    model_dir = tmp_path / "model"
    metal_model.save(model_dir)
    args = ["spm", str(path), "--out", str(tmp_path / "m.h5"), "--box-size", "12", "--stride", "3"]
    args += ["--samples", "8", "--seed", "3", "--model", str(model_dir), "--domain-size", "7"]
    assert main([*args, "--workers", "2"]) == 0
    ref = spm(sample, model=metal_model, **RUN)
    _same(ref, SPMResult.load(tmp_path / "m.h5"))
