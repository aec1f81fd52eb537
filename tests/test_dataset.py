"""Dataset plans and the resumable, deterministic dataset builder."""

import h5py
import numpy as np
import pytest

from arisekit.cli import main
from arisekit.dataset import DatasetPlan, build_dataset
from arisekit.dataset.structures import structure_kinds
from arisekit.model import load_dataset

SMALL = dict(
    classes=["fcc", "NaCl"],
    displacements=(0.02,),
    missing=(0.05,),
    combined=((0.1, 0.01),),
    cutoffs=(3.8, 4.0),
    realizations=2,
)


def test_plan_expands_paper_grid_and_defects():
    plan = DatasetPlan.paper(classes=["fcc"])
    assert len(plan.settings()) == 11 * 3 * 3
    assert plan.central_setting().key == "rc4_s0.1_x1"
    jobs = plan.jobs({"fcc": ["periodic", "supercell0", "supercell1", "supercell2"]})
    pristine = [j for j in jobs if j.variant == "pristine"]
    assert len(pristine) == 4 and all(len(j.settings) == 99 for j in pristine)
    defects = [j for j in jobs if j.variant != "pristine"]
    assert len(defects) == 4 * (7 + 6 + 7) * 10 and all(len(j.settings) == 1 for j in defects)
    assert len({j.key for j in jobs}) == len(jobs)


def test_nanotubes_have_no_periodic_kind():
    assert "periodic" not in structure_kinds("CNT_6_0")
    assert structure_kinds("fcc")[0] == "periodic"


def test_defects_on_open_and_periodic_supercells_as_the_paper():
    from arisekit.dataset.structures import build_job_structure

    kinds = structure_kinds("fcc")
    assert kinds == [
        "periodic",
        *(f"supercell{k}" for k in range(3)),
        *(f"periodic_supercell{k}" for k in range(3)),
    ]
    jobs = DatasetPlan(classes=["fcc"]).jobs({"fcc": kinds})
    pristine = {j.kind for j in jobs if j.variant == "pristine"}
    defective = {j.kind for j in jobs if j.variant != "pristine"}
    assert pristine == {"periodic", "supercell0", "supercell1", "supercell2"}
    assert defective == {f"{p}supercell{k}" for p in ("", "periodic_") for k in range(3)}
    job = next(j for j in jobs if j.kind == "periodic_supercell1" and j.missing == 0.1)
    atoms = build_job_structure(job, 0)
    assert atoms.pbc.all() and len(atoms) == 216 - 22


def test_build_is_deterministic_and_labelled(tmp_path):
    a = build_dataset(DatasetPlan(**SMALL), tmp_path / "a.h5", workers=1, progress=False)
    b = build_dataset(DatasetPlan(**SMALL), tmp_path / "b.h5", workers=2, progress=False)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        np.testing.assert_array_equal(fa["X"][()], fb["X"][()])
        assert fa["X"].shape[1] == 316
        variants = set(v.decode() for v in fa["variant"][()])
        assert variants == {"pristine", "displaced_0.02", "missing_0.05", "both_0.1_0.01"}
        assert set(fa["cutoff"][()]) == {3.8, 4.0}
    data = load_dataset(a)
    assert data.class_names == ["fcc", "NaCl"] and data.class_metadata[1]["category"] == "binary"
    assert data.descriptor_params["cutoff"] == 4.0
    c = build_dataset(DatasetPlan(**{**SMALL, "seed": 1}), tmp_path / "c.h5", workers=1, progress=False)
    with h5py.File(a) as fa, h5py.File(c) as fc:
        assert not np.array_equal(fa["X"][()], fc["X"][()])  # other seed, other defects


def test_resume_recomputes_only_missing_parts(tmp_path):
    plan = DatasetPlan(**SMALL)
    out = tmp_path / "r.h5"
    build_dataset(plan, out, workers=1, progress=False, keep_parts=True)
    reference = h5py.File(out)["X"][()]
    parts = out.with_name(out.name + ".parts")
    jobs = plan.jobs({n: structure_kinds(n) for n in SMALL["classes"]})
    assert len(list(parts.glob("*.npz"))) == len(jobs)
    for path in sorted(parts.glob("*.npz"))[:3]:  # as if the run had been interrupted before these finished
        path.unlink()
    out.unlink()
    calls = []
    build_dataset(plan, out, workers=1, progress=False, on_job_done=lambda done, total: calls.append(done))
    assert len(calls) == 3 and calls[-1] == len(jobs)
    np.testing.assert_array_equal(h5py.File(out)["X"][()], reference)
    assert not parts.exists()


def test_resume_never_reuses_parts_of_another_descriptor_or_seed(tmp_path):
    plan = DatasetPlan(**SMALL)
    out = tmp_path / "d.h5"
    build_dataset(plan, out, workers=1, progress=False, keep_parts=True)
    n_jobs = len(list(out.with_name(out.name + ".parts").glob("*.npz")))
    out.unlink()
    for kwargs, seed in (({"central_weight": 1.0}, 0), ({}, 5)):
        calls = []
        build_dataset(
            DatasetPlan(**{**SMALL, "seed": seed}), out, workers=1, progress=False, keep_parts=True,
            descriptor_kwargs=kwargs, on_job_done=lambda done, total, c=calls: c.append(done),
        )  # fmt: skip
        assert len(calls) == n_jobs  # everything recomputed
        out.unlink()
    assert load_dataset(build_dataset(plan, out, workers=1, progress=False)).descriptor_params[
        "central_weight"
    ] == pytest.approx(0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(displacements=(1.5,)), "displacements"),
        (dict(missing=(-0.1,)), "missing"),
        (dict(realizations=0), "realizations"),
        (dict(cutoffs=()), "cutoffs"),
        (dict(periodic=False, supercells=False), "at least one"),
    ],
)
def test_bad_plans(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DatasetPlan(**kwargs).validate()


def test_unknown_class_is_rejected(tmp_path):
    with pytest.raises((ValueError, KeyError), match="fcx"):
        build_dataset(DatasetPlan(classes=["fcx"]), tmp_path / "x.h5", workers=1, progress=False)


def test_cli_build(tmp_path, capsys):
    out = tmp_path / "cli.h5"
    code = main(
        [
            "dataset",
            "build",
            "--out",
            str(out),
            "--classes",
            "bcc",
            "--no-defects",
            "--workers",
            "1",
            "--quiet",
        ]
    )
    assert code == 0 and out.exists()
    data = load_dataset(out)
    assert data.X.shape == (4, 316)
    assert data.descriptor_params["central_weight"] == 0.0  # recorded: the paper's descriptor
