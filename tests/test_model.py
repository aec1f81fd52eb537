"""ARISE classifier: Keras training, NumPy inference, model files (synthetic 316-D descriptors)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from arisekit.model import (
    ARISEClassifier,
    ModelIntegrityError,
    classify_descriptors,
    load_model,
    stratified_split,
)

D = 316
CLASSES = ["fcc", "bcc", "hcp", "diamond"]
META = [
    {"name": n, "spacegroup": sg, "dimensionality": 3}
    for n, sg in zip(CLASSES, (225, 229, 194, 227), strict=True)
]
SMALL = {"hidden_units": (32, 32), "epochs": 12, "batch_size": 16, "learning_rate": 3e-3}


def blobs(n_per_class: int, seed: int, spread: float = 0.3):
    """Four separable Gaussian blobs in 316-D around fixed random centres."""
    centres = np.random.default_rng(123).normal(0, 1, (len(CLASSES), D))
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + spread * rng.normal(0, 1, (n_per_class, D)) for c in centres])
    return X, np.repeat(np.arange(len(CLASSES)), n_per_class), centres


@pytest.fixture(scope="module")
def trained():
    X, y, _ = blobs(40, seed=0)
    clf = ARISEClassifier(**SMALL, seed=7, standardize=False)
    clf.fit(X, y, class_names=CLASSES, class_metadata=META, descriptor_params={"cutoff": 4.0, "n_max": 9})
    return clf


def test_paper_architecture_parameter_count():
    from arisekit.model.keras_net import build_keras_mlp

    model = build_keras_mlp(316, 108)
    assert model.count_params() == 371_820
    rates = [layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"]
    assert rates == [pytest.approx(0.0317)] * 4


def test_recognises_blobs(trained):
    X, y, _ = blobs(25, seed=99)  # fresh samples
    assert trained.score(X, y) == 1.0
    assert trained.score(X, y, n_samples=100) == 1.0
    assert list(trained.classes_) == CLASSES
    t = trained.training_
    assert t["n_train"] == 128 and t["n_val"] == 32 and t["best_accuracy"] == 1.0
    assert 0 <= t["best_epoch"] < SMALL["epochs"] and len(t["history"]["val_accuracy"]) == SMALL["epochs"]


def test_mutual_information_low_on_data_high_between_classes(trained):
    X, _, centres = blobs(10, seed=5)
    on = trained.predict_uncertainty(X, n_samples=500, seed=0)
    between = np.stack([(centres[i] + centres[j]) / 2 for i in range(4) for j in range(i + 1, 4)])
    off = trained.predict_uncertainty(between, n_samples=500, seed=0)
    assert np.median(on.mutual_information) < 0.01
    assert np.median(off.mutual_information) > 5 * np.median(on.mutual_information)
    assert np.median(off.predictive_entropy) > 0.3
    assert np.all(on.probabilities.max(axis=1) > 0.95)


def test_numpy_forward_matches_keras(trained):
    X, _, _ = blobs(5, seed=3)
    keras_p = np.asarray(trained.keras_model(X.astype(np.float32), training=False))
    np.testing.assert_allclose(trained.predict_proba(X, n_samples=0), keras_p, atol=1e-5)
    reps = trained.hidden_representations(X)
    assert [r.shape for r in reps] == [(20, 32), (20, 32)]


def test_training_is_seeded(trained):
    X, y, _ = blobs(40, seed=0)
    again = ARISEClassifier(**SMALL, seed=7, standardize=False).fit(X, y, class_names=CLASSES)
    for a, b in zip(trained.weights_.kernels, again.weights_.kernels, strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_load_round_trip(trained, tmp_path):
    path = trained.save(tmp_path / "m")
    assert sorted(p.name for p in path.iterdir()) == [
        "manifest.json",
        "metadata.json",
        "model.keras",
        "novelty.npz",
    ]
    loaded = load_model(path)
    X, _, _ = blobs(5, seed=8)
    np.testing.assert_array_equal(
        loaded.predict_proba(X, n_samples=50), trained.predict_proba(X, n_samples=50)
    )
    assert loaded.class_metadata_ == META
    assert loaded.descriptor_params_ == {"cutoff": 4.0, "n_max": 9, "central_weight": 0.0}
    assert loaded.training_["best_epoch"] == trained.training_["best_epoch"]
    # the .keras file is a genuine Keras model
    keras_p = np.asarray(loaded.keras_model(X.astype(np.float32), training=False))
    np.testing.assert_allclose(keras_p, trained.predict_proba(X, n_samples=0), atol=1e-5)
    assert load_model(path / "model.keras").n_features_in_ == D  # a file inside the directory works too
    manifest = json.loads((path / "manifest.json").read_text())
    assert loaded.checksum_ == manifest["files"]["model.keras"]["sha256"]


def test_model_records_the_central_weight(trained, tmp_path):
    """Training records arise_soap's default (0.0) unless told otherwise; model files without the key
    predate it and were trained on descriptors with central_weight 1.0."""
    assert trained.descriptor_params_ == {"cutoff": 4.0, "n_max": 9, "central_weight": 0.0}
    X, y, _ = blobs(10, seed=1)
    small = {**SMALL, "epochs": 1}
    explicit = ARISEClassifier(**small, validation_fraction=0.0).fit(
        X, y, class_names=CLASSES, descriptor_params={"central_weight": 1}
    )
    assert explicit.descriptor_params_ == {"central_weight": 1.0}
    bare = ARISEClassifier(**small, validation_fraction=0.0).fit(X, y, class_names=CLASSES)
    assert bare.descriptor_params_ == {"central_weight": 0.0}
    with pytest.raises(ValueError, match="central_weight"):
        ARISEClassifier(**small).fit(X, y, class_names=CLASSES, descriptor_params={"central_weight": "x"})

    # from_weights keeps what it is given; saving writes the weight the model describes structures with
    rebuilt = ARISEClassifier.from_weights(trained.weights_, CLASSES, descriptor_params={"cutoff": 4.0})
    assert rebuilt.descriptor_params_ == {"cutoff": 4.0}
    path = rebuilt.save(tmp_path / "rebuilt")
    assert json.loads((path / "metadata.json").read_text())["descriptor_params"]["central_weight"] == 0.0
    assert load_model(path).descriptor_params_ == {"cutoff": 4.0, "central_weight": 0.0}

    # a model file written before the weight was recorded (like the first shipped model): 1.0
    path = trained.save(tmp_path / "legacy")
    meta = json.loads((path / "metadata.json").read_text())
    del meta["descriptor_params"]["central_weight"]
    (path / "metadata.json").write_text(json.dumps(meta))
    legacy = load_model(path, verify=False)
    assert legacy.descriptor_params_ == {"cutoff": 4.0, "n_max": 9, "central_weight": 1.0}
    meta["descriptor_params"] = None
    (path / "metadata.json").write_text(json.dumps(meta))
    assert load_model(path, verify=False).descriptor_params_ == {"central_weight": 1.0}


def test_pickle_after_prediction(trained):
    import pickle

    X, _, _ = blobs(150, seed=9)  # enough structures for the block-parallel plan
    before = trained.predict_uncertainty(X, n_samples=20)
    clone = pickle.loads(pickle.dumps(trained))
    after = clone.predict_uncertainty(X, n_samples=20)
    np.testing.assert_array_equal(after.probabilities, before.probabilities)
    assert trained.predict_uncertainty(X[:3], n_samples=20).probabilities.shape == (3, len(trained.classes_))


def test_checksum_tampering_is_detected(trained, tmp_path):
    path = trained.save(tmp_path / "m")
    manifest = json.loads((path / "manifest.json").read_text())
    original = (path / "model.keras").read_bytes()
    blob = bytearray(original)
    blob[len(blob) // 2] ^= 0xFF
    (path / "model.keras").write_bytes(bytes(blob))
    with pytest.raises(ModelIntegrityError) as err:
        load_model(path)
    msg = str(err.value)
    assert "model.keras" in msg and manifest["files"]["model.keras"]["sha256"] in msg
    assert msg.count("sha256") == 2
    (path / "model.keras").write_bytes(original)
    load_model(path)  # intact again
    meta = json.loads((path / "metadata.json").read_text())
    meta["class_names"][0] = "tampered"
    (path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match="metadata.json"):
        load_model(path)


def test_missing_files_are_named(trained, tmp_path):
    path = trained.save(tmp_path / "m")
    (path / "metadata.json").unlink()
    with pytest.raises(FileNotFoundError, match="metadata.json"):
        load_model(path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_model(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        load_model(tmp_path)


def test_default_model_location(monkeypatch, tmp_path, trained):
    from arisekit.model import io

    monkeypatch.setattr(io, "_candidate_default_dirs", lambda: [tmp_path / "pkg" / "models"])
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "pkg" / "models")):
        load_model()
    trained.save(tmp_path / "pkg" / "models")
    assert list(load_model().classes_) == CLASSES


def test_descriptor_length_mismatch(trained):
    with pytest.raises(ValueError, match="descriptor length 100"):
        trained.predict_proba(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="descriptor length"):
        classify_descriptors(np.zeros((1, 300)), trained)


def test_classify_descriptors_results(trained):
    X, y, _ = blobs(3, seed=21)
    res = classify_descriptors(X, trained, n_samples=200, seed=1)
    assert [r.prediction for r in res] == [CLASSES[i] for i in y]
    r = res[4]
    top = r.top(3)
    assert top[0][0] == r.prediction and top[0][1] >= top[1][1] >= top[2][1]
    assert r.class_info == META[y[4]]
    assert r.probabilities.sum() == pytest.approx(1.0)
    d = json.loads(json.dumps(r.to_dict(top=2)))
    assert d["prediction"] == r.prediction and len(d["top"]) == 2
    assert d["mutual_information"] == pytest.approx(r.mutual_information)
    assert 0 <= r.variation_ratio <= 1
    with_reps = classify_descriptors(X[:2], trained, n_samples=10, representations=True)
    assert [v.shape for v in with_reps[1].representations] == [(32,), (32,)]
    np.testing.assert_allclose(
        with_reps[1].representations[0], trained.hidden_representations(X[1:2])[0][0], rtol=1e-5, atol=1e-5
    )


def test_extra_rows_standardisation_and_validation(tmp_path):
    X, y, _ = blobs(20, seed=1)
    Xe, ye, _ = blobs(5, seed=2, spread=0.6)  # e.g. "defective" variants: training rows only
    clf = ARISEClassifier(**SMALL, standardize=True)
    clf.fit(X * 0.01 + 3.0, y, class_names=CLASSES, X_extra=Xe * 0.01 + 3.0, y_extra=ye)
    t = clf.training_
    assert t["n_val"] == 16 and t["n_extra"] == 20 and t["n_train"] == 64 + 20
    assert clf.weights_.mean is not None and np.all(clf.weights_.scale > 0)
    Xt, yt, _ = blobs(10, seed=4)
    assert clf.score(Xt * 0.01 + 3.0, yt) == 1.0
    keras_p = np.asarray(clf.keras_model((Xt * 0.01 + 3.0).astype(np.float32), training=False))
    np.testing.assert_allclose(clf.predict_proba(Xt * 0.01 + 3.0, n_samples=0), keras_p, atol=1e-5)
    loaded = load_model(clf.save(tmp_path / "std"))
    np.testing.assert_allclose(loaded.weights_.scale, clf.weights_.scale, rtol=1e-6)


def test_fit_input_validation():
    X, y, _ = blobs(3, seed=0)
    clf = ARISEClassifier(**SMALL)
    with pytest.raises(ValueError, match="X/y"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="class_names"):
        clf.fit(X, np.array(["fcc"] * 6 + ["xyz"] * 6), class_names=CLASSES)
    with pytest.raises(ValueError, match="not fitted"):
        clf.predict(X)
    with pytest.raises(TypeError, match="X_valid"):  # fit_params: a misspelt name is no silent default
        clf.fit(X, y, X_valid=X)


def test_training_parameters_object():
    """train_keras_mlp takes one TrainingParameters (keywords override it); the same weights either way."""
    import dataclasses

    from arisekit.model.keras_net import TrainingParameters, train_keras_mlp

    X, y, _ = blobs(6, seed=0)
    params = TrainingParameters(hidden_units=[8], epochs=2, batch_size=8, seed=5)
    assert params.hidden_units == (8,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.epochs = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="epochs"):
        TrainingParameters(epochs=0)
    mean, variance = X.mean(axis=0), X.var(axis=0) + 1.0
    a = train_keras_mlp(X, y, None, None, 4, params, standardization=(mean, variance))
    b = train_keras_mlp(
        X, y, None, None, 4, hidden_units=(8,), epochs=2, batch_size=8, seed=5, mean=mean, variance=variance
    )  # the older keywords
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(TypeError, match="epoch"):
        train_keras_mlp(X, y, None, None, 4, epoch=2)


def test_stratified_split():
    y = np.repeat(np.arange(4), 10)
    tr, va = stratified_split(y, 0.2, 42)
    assert len(va) == 8 and np.all(np.bincount(y[va]) == 2)
    assert set(tr) | set(va) == set(range(40)) and not set(tr) & set(va)
    np.testing.assert_array_equal(va, stratified_split(y, 0.2, 42)[1])
    with pytest.raises(ValueError, match="stratify"):
        stratified_split(np.array([0, 0, 0, 1]), 0.5)


def test_hyperopt_search_runs_trials():
    from arisekit.model import hyperopt_search

    X, y, _ = blobs(10, seed=0)
    res = hyperopt_search(X, y, max_evals=2, epochs=2, class_names=CLASSES, seed=3)
    with pytest.raises(TypeError, match="dropout"):  # searched, not fixed
        hyperopt_search(X, y, max_evals=1, epochs=1, class_names=CLASSES, dropout=0.1)
    assert len(res.trials) == 2
    accs = [t.val_accuracy for t in res.trials]
    assert accs == sorted(accs, reverse=True)
    p = res.best_params
    assert 2 <= len(p["hidden_units"]) <= 5 and set(p["hidden_units"]) <= {256, 512}
    assert (
        p["batch_size"] in (64, 128) and 1e-4 <= p["learning_rate"] <= 1e-2 and 0.01 <= p["dropout"] <= 0.05
    )


def test_write_dataset_extras(tmp_path):
    """columns, attrs and x_dtype are keywords of write_dataset; a misspelt one raises TypeError."""
    import h5py

    from arisekit.model import load_dataset, write_dataset

    X, y = np.arange(12.0).reshape(4, 3), np.array([0, 1, 0, 1])
    path = write_dataset(
        tmp_path / "d.h5", X, y, ["a", "b"], columns={"kind": ["p", "q", "p", "q"]}, attrs={"note": "hi"},
        x_dtype=np.float64,
    )  # fmt: skip
    with h5py.File(path) as f:
        assert f["X"].dtype == np.float64 and f.attrs["note"] == "hi"
        assert [v.decode() for v in f["kind"][:]] == ["p", "q", "p", "q"]
    np.testing.assert_array_equal(load_dataset(path).X, X)
    with pytest.raises(TypeError, match="column"):
        write_dataset(tmp_path / "e.h5", X, y, ["a", "b"], column={"kind": [1, 2, 3, 4]})
