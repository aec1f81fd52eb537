"""ARISEClassifier as a scikit-learn estimator: parameters stored as given, get/set_params, clone,
labels out of predict, and scikit-learn's own estimator checks (slow tier)."""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from arisekit.model import ARISEClassifier, NotFittedError

#: small and fast: a few seconds per fit
TINY = {
    "hidden_units": (16,),
    "epochs": 10,
    "batch_size": 16,
    "learning_rate": 1e-2,
    "validation_fraction": 0.0,
}
NAMES = ["fcc", "bcc", "hcp"]


def blobs(n_per_class: int = 20, seed: int = 0, d: int = 12):
    """Three separable Gaussian blobs in ``d`` dimensions, labels 0, 1, 2."""
    centres = np.random.default_rng(1).normal(0, 3, (3, d))
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + 0.3 * rng.normal(0, 1, (n_per_class, d)) for c in centres])
    return X, np.repeat(np.arange(3), n_per_class)


@pytest.fixture(scope="module")
def named():
    """Fitted on class names (strings), with a validation split and so a novelty check."""
    X, y = blobs(30)
    clf = ARISEClassifier(**{**TINY, "validation_fraction": 0.2})
    return clf.fit(X, np.array(NAMES)[y], class_names=NAMES)


def test_init_stores_arguments_unchanged_and_fit_checks_them():
    units = [8, 8]
    clf = ARISEClassifier(hidden_units=units, dropout="a lot", epochs=2.0)
    assert clf.hidden_units is units and clf.dropout == "a lot" and clf.epochs == 2.0
    X, y = blobs(4)
    with pytest.raises(ValueError, match="dropout: must be a number in"):
        clf.fit(X, y)
    clf.set_params(dropout=0.1)
    assert clf.checked_params()["hidden_units"] == [8, 8] and clf.checked_params()["epochs"] == 2


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("hidden_units", 16, "sequence of layer widths"),
        ("hidden_units", (16, 0), "hidden_units: must be an integer ≥ 1"),
        ("dropout", 1.0, r"dropout: must be a number in \[0, 1\)"),
        ("learning_rate", 0.0, r"learning_rate: must be a number in \(0, inf\)"),
        ("batch_size", 2.5, "batch_size: must be an integer ≥ 1"),
        ("epochs", True, "epochs: must be an integer"),
        ("validation_fraction", -0.1, "validation_fraction"),
        ("seed", None, "seed: must be an integer"),
        ("standardize", "yes", "standardize: must be True or False"),
    ],
)
def test_bad_parameters_are_named_by_fit(name, value, message):
    X, y = blobs(4)
    with pytest.raises(ValueError, match=message):
        ARISEClassifier(**{name: value}).fit(X, y)


def test_get_params_set_params_clone():
    clf = ARISEClassifier(**TINY)
    params = clf.get_params()
    assert params == clf.get_params(deep=False)
    assert list(params) == [p for p in inspect.signature(ARISEClassifier).parameters]
    assert params["hidden_units"] == (16,) and params["epochs"] == 10
    assert clf.set_params(epochs=3, seed=5) is clf and (clf.epochs, clf.seed) == (3, 5)
    with pytest.raises(ValueError, match="Invalid parameter 'n_layers'"):
        clf.set_params(n_layers=2)
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == clf.get_params()
    assert is_classifier(clf)


def test_predict_returns_class_labels(named):
    X, y = blobs(5, seed=7)
    assert list(named.classes_) == NAMES
    labels = named.predict(X, n_samples=50)
    assert list(labels) == [NAMES[i] for i in y]
    np.testing.assert_array_equal(named.predict_index(X, n_samples=50), y)
    proba = named.predict_proba(X, n_samples=50)
    assert proba.shape == (15, 3) and np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(named.classes_[proba.argmax(axis=1)], labels)
    assert named.score(X, np.array(NAMES)[y]) == 1.0 and named.score(X, y) == 1.0  # names or indices
    # the out-of-library check is fitted along and still answers
    assert named.novelty_ is not None
    assert named.predict_uncertainty(X[:2], n_samples=10).novelty.shape == (2,)
    with pytest.raises(ValueError, match="Reshape your data"):
        named.predict(X[0])
    with pytest.raises(ValueError, match="X has 11 features, but ARISEClassifier is expecting 12"):
        named.predict_proba(X[:, :11])


def test_clone_of_a_fitted_classifier_is_unfitted_and_pickles_keep_predictions(named):
    twin = clone(named)
    assert twin.get_params() == named.get_params()
    with pytest.raises(NotFittedError, match="not fitted"):
        twin.predict(blobs(2)[0])
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)
    X, _ = blobs(3, seed=2)
    back = pickle.loads(pickle.dumps(named))
    np.testing.assert_array_equal(back.predict(X, n_samples=20), named.predict(X, n_samples=20))


def test_integer_labels_are_the_classes():
    """Without class names, the classes are the distinct labels (as in scikit-learn)."""
    X, y = blobs(20)
    labels = np.array([3, 7, 11])[y]
    clf = ARISEClassifier(**TINY).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, [3, 7, 11])
    Xt, yt = blobs(5, seed=3)
    np.testing.assert_array_equal(clf.predict(Xt, n_samples=20), np.array([3, 7, 11])[yt])
    assert clf.score(Xt, np.array([3, 7, 11])[yt]) == 1.0
    clf.fit_novelty(X, labels, n_components=4)  # labels, as fit takes them
    assert clf.novelty_ is not None


def _expected_failures(estimator) -> dict[str, str]:
    return {
        "check_estimators_unfitted": (
            "an unfitted ARISEClassifier raises arisekit.model.NotFittedError, a ValueError and "
            "AttributeError like scikit-learn's NotFittedError but not a subclass of it: importing "
            "scikit-learn would add seconds to 'import arisekit'"
        ),
    }


with warnings.catch_warnings():  # "does not inherit from BaseEstimator": on purpose, see ARISEClassifier
    warnings.simplefilter("ignore", UserWarning)
    _checks = parametrize_with_checks([ARISEClassifier(**TINY)], expected_failed_checks=_expected_failures)


@pytest.mark.slow
@_checks
def test_scikit_learn_estimator_checks(estimator, check):
    """scikit-learn's common estimator checks (about 55, a few minutes: each fit trains a network)."""
    check(estimator)
