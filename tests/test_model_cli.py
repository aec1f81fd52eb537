"""`arisekit train` / `arisekit classify` and `arisekit.classify` with a stand-in descriptor.

The real SOAP descriptor lives in ``arisekit.descriptors`` (another part of the package); here a crude but
genuine scale-invariant descriptor (smeared histogram of neighbour distances / d_NN) is injected as
``arisekit.descriptors.arise_soap`` so that the model/CLI plumbing is tested on real structures.
"""

from __future__ import annotations

import json

import ase.io
import h5py
import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.neighborlist import neighbor_list

import arisekit
from arisekit.cli import main
from arisekit.model import load_dataset, load_model, write_dataset

GRID = np.linspace(0.8, 2.6, 316)


def shell_descriptor(
    atoms: Atoms, cutoff: float = 2.6, sigma: float = 0.05, central_weight: float = 0.0
) -> np.ndarray:
    """Unit-length Gaussian-smeared histogram of pair distances in units of d_NN (316 bins);
    d_NN is the median nearest-neighbour distance (all test structures have d_NN < 3.5 Å).
    ``central_weight`` (recorded by every trained model) is accepted and has no effect here."""
    i, d = neighbor_list("id", atoms, 3.5)
    nearest = np.full(len(atoms), np.inf)
    np.minimum.at(nearest, i, d)
    d_nn = float(np.median(nearest))
    d = neighbor_list("d", atoms, cutoff * d_nn)
    h = np.exp(-((GRID[:, None] - d[None, :] / d_nn) ** 2) / (2 * sigma**2)).sum(axis=1) / len(atoms)
    return h / np.linalg.norm(h)


PROTOTYPES = {
    "fcc": lambda: bulk("Cu", "fcc", a=3.61, cubic=True) * (2, 2, 2),
    "bcc": lambda: bulk("Fe", "bcc", a=2.87, cubic=True) * (2, 2, 2),
    "sc": lambda: bulk("Po", "sc", a=3.35) * (3, 3, 3),
    "diamond": lambda: bulk("Si", "diamond", a=5.43, cubic=True) * (2, 2, 2),
}
NAMES = list(PROTOTYPES)
PARAMS = {"cutoff": 2.6, "sigma": 0.03}
TRAIN_ARGS = ["--epochs", "20", "--hidden", "32,32", "--batch-size", "16", "--learning-rate", "5e-3"]


def structure(name: str, rattle: float, seed: int) -> Atoms:
    atoms = PROTOTYPES[name]()
    atoms.rattle(stdev=rattle, seed=seed)
    return atoms


@pytest.fixture
def fake_descriptors(monkeypatch):
    import arisekit.descriptors as module

    monkeypatch.setattr(module, "arise_soap", shell_descriptor)
    monkeypatch.delattr(module, "arise_soap_batch")  # compute_descriptors then calls arise_soap per structure
    return module


@pytest.fixture(scope="module")
def dataset_path(tmp_path_factory):
    X, y, variant = [], [], []
    for c, name in enumerate(NAMES):
        for seed in range(12):
            X.append(shell_descriptor(structure(name, 0.01, seed)))
            y.append(c)
            variant.append("pristine")
        for seed in range(4):
            X.append(shell_descriptor(structure(name, 0.05, 100 + seed)))
            y.append(c)
            variant.append("displaced_0.05")
    meta = [{"name": n, "prototype": n} for n in NAMES]
    path = tmp_path_factory.mktemp("data") / "data.h5"
    return write_dataset(path, np.array(X), np.array(y), NAMES, meta, PARAMS, variant)


@pytest.fixture(scope="module")
def model_dir(dataset_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "arise"
    assert main(["train", "--dataset", str(dataset_path), "--out", str(out), *TRAIN_ARGS]) == 0
    return out


def test_dataset_round_trip(dataset_path):
    ds = load_dataset(dataset_path)
    assert ds.X.shape == (64, 316) and ds.class_names == NAMES and ds.descriptor_params == PARAMS
    assert ds.pristine_mask.sum() == 48 and ds.class_metadata[2] == {"name": "sc", "prototype": "sc"}
    sub = ds.select_classes(["diamond", "fcc"])
    assert sub.class_names == ["diamond", "fcc"] and set(sub.y) == {0, 1} and len(sub.y) == 32
    np.testing.assert_array_equal(sub.X[sub.y == 0], ds.X[ds.y == 3])


def test_dataset_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        load_dataset(tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    with h5py.File(bad, "w") as f:
        f["X"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"bad\.h5.*'y'"):
        load_dataset(bad)
    (tmp_path / "junk.h5").write_text("not hdf5")
    with pytest.raises(ValueError, match="junk.h5"):
        load_dataset(tmp_path / "junk.h5")


def test_cli_train(model_dir, dataset_path, capsys):
    clf = load_model(model_dir)
    # the model records the descriptor's central weight: the dataset names none, so arise_soap's default
    assert list(clf.classes_) == NAMES and clf.descriptor_params_ == {**PARAMS, "central_weight": 0.0}
    assert json.loads((model_dir / "metadata.json").read_text())["descriptor_params"]["central_weight"] == 0.0
    assert clf.class_metadata_[1] == {"name": "bcc", "prototype": "bcc"}
    t = clf.training_
    assert t["n_train"] == 38 and t["n_val"] == 10 and t["n_extra"] == 0
    assert set(t["variant_accuracy"]) == {"displaced_0.05"}
    ds = load_dataset(dataset_path)
    assert clf.score(ds.X[ds.pristine_mask], ds.y[ds.pristine_mask]) == 1.0


def test_cli_train_subset_variants_and_extra_structures(dataset_path, tmp_path, fake_descriptors, capsys):
    extra = tmp_path / "hcp.extxyz"
    frames = []
    for seed in range(3):
        a = bulk("Mg", "hcp", a=3.21, c=5.21) * (3, 3, 2)
        a.rattle(0.01, seed=seed)
        frames.append(a)
    ase.io.write(extra, frames)
    out = tmp_path / "m2"
    argv = ["train", "--dataset", str(dataset_path), "--out", str(out), "--classes", "fcc", "bcc",
            "--train-on-variants", "--extra-structures", f"{extra}:hcp", *TRAIN_ARGS[:2],
            "--hidden", "8"]  # fmt: skip
    assert main(argv) == 0
    clf = load_model(out)
    assert list(clf.classes_) == ["fcc", "bcc", "hcp"]
    assert clf.class_metadata_[2] == {"name": "hcp", "source": "extra-structures"}
    assert clf.training_["n_extra"] == 3 + 8  # hcp frames + variant rows of fcc and bcc
    assert clf.descriptor_params_["central_weight"] == 0.0
    cap = capsys.readouterr()
    assert "sha256" in cap.out
    assert "does not record the descriptor's central_weight" in cap.err  # the dataset names none


def test_cli_classify_json_and_text(model_dir, tmp_path, fake_descriptors, capsys):
    f1 = tmp_path / "cu.cif"
    ase.io.write(f1, structure("fcc", 0.02, 7))
    f2 = tmp_path / "traj.extxyz"
    ase.io.write(f2, [structure("bcc", 0.02, 8), structure("diamond", 0.02, 9)])
    rc = main(["classify", str(f1), str(f2), "--model", str(model_dir), "--json", "--samples", "200",
               "--top", "2", "--index", ":"])  # fmt: skip
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in out] == [f"{f1}[0]", f"{f2}[0]", f"{f2}[1]"]
    assert [r["prediction"] for r in out] == ["fcc", "bcc", "diamond"]
    assert all(len(r["top"]) == 2 and r["n_samples"] == 200 for r in out)
    assert out[2]["class_info"] == {"name": "diamond", "prototype": "diamond"}
    rc = main(["classify", str(f1), "--model", str(model_dir), "--samples", "50"])
    text = capsys.readouterr().out
    assert rc == 0 and text.startswith(f"{f1}: fcc") and "mutual information" in text


def test_cli_classify_reports_unreadable_files(model_dir, tmp_path, fake_descriptors, capsys):
    good = tmp_path / "ok.extxyz"
    ase.io.write(good, structure("sc", 0.02, 1))
    broken = tmp_path / "broken.cif"
    broken.write_text("data_x\n_cell_length_a oops\n")
    single = tmp_path / "single.xyz"
    ase.io.write(single, Atoms("Cu", positions=[[0, 0, 0]]))
    one = tmp_path / "one.extxyz"  # a 1-atom periodic cell is a valid structure
    ase.io.write(one, bulk("Po", "sc", a=3.35))
    argv = ["classify", str(broken), str(tmp_path / "absent.xyz"), str(single), str(good), str(one),
            "--model", str(model_dir), "--samples", "20"]  # fmt: skip
    rc = main(argv)
    cap = capsys.readouterr()
    assert rc == 1
    assert "broken.cif" in cap.err and "absent.xyz" in cap.err
    assert "single.xyz: a single isolated atom" in cap.err and "d_NN is undefined" in cap.err
    assert "ok.extxyz: sc" in cap.out and "one.extxyz: sc" in cap.out
    assert main(["classify", str(broken), "--model", str(model_dir)]) == 2
    assert main(["classify", str(good), "--model", str(tmp_path / "nomodel")]) == 2
    assert "nomodel" in capsys.readouterr().err


def test_classify_api(model_dir, fake_descriptors):
    clf = load_model(model_dir)
    structures = [structure(n, 0.02, 30 + i) for i, n in enumerate(NAMES)]
    batch = arisekit.classify(structures, n_samples=300, model=clf, seed=4)
    assert [r.prediction for r in batch] == NAMES
    alone = arisekit.classify(structures[2], n_samples=300, model=model_dir, seed=4)
    assert isinstance(alone, arisekit.Classification)
    np.testing.assert_allclose(alone.probabilities, batch[2].probabilities, rtol=1e-5, atol=1e-7)
    assert alone.n_atoms == len(structures[2]) and alone.class_info["name"] == "sc"

    with pytest.raises(ValueError, match=r"atoms\[0\].*d_NN is undefined for an isolated atom"):
        arisekit.classify(Atoms("Cu", positions=[[0, 0, 0]]), model=clf)
    with pytest.raises(ValueError, match="no atoms"):
        arisekit.classify(Atoms(), model=clf)
    one = arisekit.classify(bulk("Po", "sc", a=3.35), n_samples=50, model=clf)  # 1-atom periodic cell
    assert one.n_atoms == 1 and one.prediction == "sc"
    nan = structures[0].copy()
    nan.positions[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"atoms\[1\].*NaN"):
        arisekit.classify([structures[1], nan], model=clf)
    with pytest.raises(ValueError, match="no structures"):
        arisekit.classify([], model=clf)
    cluster = bulk("Cu", "fcc", a=3.61, cubic=True) * (2, 2, 1)
    cluster.pbc = False
    with pytest.warns(UserWarning, match="non-periodic structure with only 16 atoms"):
        arisekit.classify(cluster, n_samples=10, model=clf)


def test_classify_descriptor_length_mismatch(model_dir, monkeypatch):
    import arisekit.descriptors as module

    monkeypatch.setattr(module, "arise_soap", lambda atoms, **kw: np.ones(100))
    monkeypatch.delattr(module, "arise_soap_batch")
    with pytest.raises(ValueError, match="descriptor length 100"):
        arisekit.classify(structure("fcc", 0.0, 0), model=model_dir)
