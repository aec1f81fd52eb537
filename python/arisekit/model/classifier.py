"""scikit-learn-compatible ARISE classifier: Keras training, NumPy Monte-Carlo-dropout inference."""

from __future__ import annotations

import copy
import inspect
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .errors import NotFittedError
from .io import read_model_files, write_model_files
from .mc_dropout import DEFAULT_CHUNK_ROWS, MCDropoutEngine, MCDropoutResult
from .network import MLPWeights, as_descriptor_matrix, deterministic_forward, hidden_representations
from .novelty import NoveltyReference
from .split import stratified_split

__all__ = ["ARISEClassifier", "record_central_weight", "stratified_split"]

PAPER_HYPERPARAMETERS: dict[str, Any] = {
    "hidden_units": (256, 512, 256),
    "dropout": 0.0317,
    "learning_rate": 2.16e-4,
    "batch_size": 64,
    "epochs": 300,
}


#: Keyword arguments of :meth:`ARISEClassifier.fit` besides the data and class information.
FIT_PARAMS = ("X_val", "y_val", "X_extra", "y_extra", "callbacks")

#: Standardisation divides by max(std, STD_FLOOR * RMS of all component stds): components that barely
#: vary in the training data (many SOAP components) are not blown up.
STD_FLOOR = 0.1


def record_central_weight(descriptor_params: Mapping[str, Any] | None, default: float | None = None) -> dict:
    """Copy of ``descriptor_params`` that states the ARISE descriptor's ``central_weight``.

    A missing value means the descriptor's default: ``default`` if given, else the current default of
    :func:`arisekit.descriptors.arise_soap` (0.0, the paper's descriptor). Model files written before the
    weight was recorded were made with 1.0 (:data:`arisekit.descriptors.arise.LEGACY_CENTRAL_WEIGHT`);
    :meth:`ARISEClassifier.load` passes that as ``default``.
    """
    from arisekit.descriptors.arise import DEFAULT_CENTRAL_WEIGHT

    out = copy.deepcopy(dict(descriptor_params or {}))
    weight = out.get("central_weight", DEFAULT_CENTRAL_WEIGHT if default is None else default)
    try:
        out["central_weight"] = float(weight)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"descriptor_params: central_weight must be a number, got {weight!r}") from exc
    return out


def _labels_to_indices(y: Any, class_names: Sequence[Any] | None) -> tuple[np.ndarray, list[Any]]:
    """(class index of every label, the classes) for labels ``y``.

    String labels are class names: the classes are ``class_names``, or the sorted distinct names.
    Integer labels index into ``class_names`` when those are names (strings; the ARISE convention of
    datasets and :meth:`ARISEClassifier.fit`); otherwise they are the classes themselves, looked up in
    ``class_names`` or, without them, the sorted distinct labels (as scikit-learn's ``classes_``).
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y: expected a non-empty 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind in "USO":
        names = list(class_names) if class_names is not None else sorted({str(v) for v in y})
        lookup = {str(n): i for i, n in enumerate(names)}
        unknown = sorted({str(v) for v in y} - set(lookup))
        if unknown:
            raise ValueError(f"y: labels {unknown[:5]} are not in class_names")
        return np.array([lookup[str(v)] for v in y], dtype=np.int64), names
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        raise ValueError(
            f"y: Unknown label type: labels must be integers or class-name strings, got dtype {y.dtype}"
        )
    yi = y.astype(np.int64)
    if class_names is None:
        classes, yi = np.unique(yi, return_inverse=True)
        return yi.astype(np.int64).ravel(), [int(c) for c in classes]
    names = list(class_names)
    if not all(isinstance(n, str) for n in names):  # integer classes: look the labels up
        lookup = {int(n): i for i, n in enumerate(names)}
        unknown = sorted(set(yi.tolist()) - set(lookup))
        if unknown:
            raise ValueError(f"y: labels {unknown[:5]} are not in class_names")
        return np.array([lookup[v] for v in yi.tolist()], dtype=np.int64), names
    if yi.min() < 0 or yi.max() >= len(names):
        raise ValueError(f"y: integer labels must lie in [0, {len(names)}), got [{yi.min()}, {yi.max()}]")
    return yi, names


def _refuse_sparse(X: Any) -> None:
    if hasattr(X, "tocsr") or hasattr(X, "toarray"):
        raise TypeError("X: sparse input is not supported; pass a dense array (X.toarray())")


def _integer(name: str, value: Any, minimum: int | None = None) -> int:
    ok = isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
    if not ok or isinstance(value, (bool, np.bool_)) or (minimum is not None and value < minimum):
        kind = "an integer" if minimum is None else f"an integer ≥ {minimum}"
        raise ValueError(f"{name}: must be {kind}, got {value!r}")
    return int(value)


def _number(name: str, value: Any, low: float, high: float | None, low_open: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    x = float(value) if ok else float("nan")
    if not ok or not np.isfinite(x) or x < low or (low_open and x == low) or (high is not None and x >= high):
        span = f"{'(' if low_open else '['}{low:g}, {'inf' if high is None else format(high, 'g')})"
        raise ValueError(f"{name}: must be a number in {span}, got {value!r}")
    return x


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    raise ValueError(f"{name}: must be True or False, got {value!r}")


class ARISEClassifier:
    """Bayesian (Monte-Carlo dropout) MLP classifier over structural classes, as in ARISE.

    A scikit-learn estimator: the constructor stores its arguments unchanged (they are checked by
    :meth:`fit`), :meth:`get_params`/:meth:`set_params` and ``sklearn.base.clone`` work, :meth:`predict`
    returns class labels (``classes_``) and :meth:`predict_proba` their probabilities. The estimator
    protocol is implemented without importing scikit-learn, which would add seconds to
    ``import arisekit``.

    Parameters
    ----------
    hidden_units : sequence of int
        Widths of the hidden ReLU layers (paper: 256, 512, 256).
    dropout : float
        Dropout rate of every dropout layer, input included (paper: 3.17 %).
    learning_rate : float
        Adam step size (paper: 2.16e-4).
    batch_size : int
        Mini-batch size (paper: 64).
    epochs : int
        Fixed number of epochs (paper: 300); the weights of the best-validation-accuracy epoch are kept.
    validation_fraction : float
        Stratified validation share used when no ``X_val`` is given (0: no validation).
    random_state : int
        Seed of the train/validation split (paper: 42).
    seed : int
        Seed of weight initialisation, shuffling and training dropout.
    standardize : bool
        Learn per-feature mean/std on the training rows and standardise inputs (stored in the model as a
        Keras ``Normalization`` layer). Not in the paper; on a 16-class builder dataset it converged
        faster (val. accuracy 0.988 vs 0.945 after 100 epochs) and was more robust to strong defects,
        hence the default.
    deterministic : bool
        Enable TensorFlow op determinism while training (process-wide TF setting).
    verbose : int
        Keras verbosity.

    Attributes
    ----------
    classes_ : ndarray
        The class labels (class names for ARISE models), in the order of the network's outputs.
    class_metadata_ : list of dict
        One dict per class (space group, AFLOW label, ...).
    descriptor_params_ : dict
        Keyword arguments of the descriptor the model reads (:func:`arisekit.descriptors.arise_soap`).
    n_features_in_ : int
        Descriptor length.
    weights_ : MLPWeights
        The network.
    training_ : dict
        Training log (history, best epoch, row counts).
    novelty_ : NoveltyReference or None
        The distance-aware out-of-library check (:mod:`arisekit.model.novelty`); None if not available.
    model_dir_ : Path
        Set by :meth:`load`: the model directory.
    checksum_ : str
        Set by :meth:`load`: the SHA-256 of the directory's ``model.keras``.
    """

    #: scikit-learn < 1.6 reads the estimator type from here (newer versions: ``__sklearn_tags__``)
    _estimator_type = "classifier"

    def __init__(
        self,
        hidden_units: Sequence[int] = PAPER_HYPERPARAMETERS["hidden_units"],
        dropout: float = PAPER_HYPERPARAMETERS["dropout"],
        learning_rate: float = PAPER_HYPERPARAMETERS["learning_rate"],
        batch_size: int = PAPER_HYPERPARAMETERS["batch_size"],
        epochs: int = PAPER_HYPERPARAMETERS["epochs"],
        validation_fraction: float = 0.2,
        random_state: int = 42,
        seed: int = 42,
        standardize: bool = True,
        deterministic: bool = True,
        verbose: int = 0,
    ) -> None:
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.seed = seed
        self.standardize = standardize
        self.deterministic = deterministic
        self.verbose = verbose

    # ------------------------------------------------------------------ scikit-learn estimator protocol
    @classmethod
    def _get_param_names(cls) -> list[str]:
        """Names of the constructor parameters, in signature order."""
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values() if p.name != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters as stored (``deep`` is accepted for scikit-learn; the classifier holds
        no sub-estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> ARISEClassifier:
        """Set constructor parameters (checked by the next :meth:`fit`); returns ``self``."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator ARISEClassifier. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, key, value)
        return self

    def checked_params(self) -> dict[str, Any]:
        """The constructor parameters validated and converted (``hidden_units`` as a list): what
        :meth:`fit` trains with and what a saved model records. Raises ValueError naming a bad one."""
        units = self.hidden_units
        if isinstance(units, (str, bytes)) or not isinstance(units, Sequence | np.ndarray):
            raise ValueError(f"hidden_units: must be a sequence of layer widths, got {units!r}")
        return {
            "hidden_units": [_integer("hidden_units", u, 1) for u in units],
            "dropout": _number("dropout", self.dropout, 0.0, 1.0),
            "learning_rate": _number("learning_rate", self.learning_rate, 0.0, None, low_open=True),
            "batch_size": _integer("batch_size", self.batch_size, 1),
            "epochs": _integer("epochs", self.epochs, 1),
            "validation_fraction": _number("validation_fraction", self.validation_fraction, 0.0, 1.0),
            "random_state": _integer("random_state", self.random_state, 0),
            "seed": _integer("seed", self.seed, 0),
            "standardize": _flag("standardize", self.standardize),
            "deterministic": _flag("deterministic", self.deterministic),
            "verbose": _integer("verbose", self.verbose, 0),
        }

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "weights_")

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(),
        )

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_weights(
        cls,
        weights: MLPWeights,
        class_names: Sequence[Any],
        class_metadata: Sequence[Mapping[str, Any]] | None = None,
        descriptor_params: Mapping[str, Any] | None = None,
        training: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ARISEClassifier:
        """A fitted classifier from existing weights (e.g. read from a model file); ``params`` are
        constructor parameters (unknown keys are ignored)."""
        p = dict(params or {})
        p.setdefault("hidden_units", weights.hidden_sizes)
        p.setdefault("dropout", weights.dropout_rates[0])
        p.setdefault("standardize", weights.mean is not None)
        names = cls._get_param_names()
        clf = cls(**{k: v for k, v in p.items() if k in names})
        clf._set_fitted(weights, class_names, class_metadata, descriptor_params, dict(training or {}))
        return clf

    def _set_fitted(
        self,
        weights: MLPWeights,
        class_names: Sequence[Any],
        class_metadata: Sequence[Mapping[str, Any]] | None,
        descriptor_params: Mapping[str, Any] | None,
        training: dict[str, Any],
    ) -> None:
        labels = list(class_names)
        names = [str(n) for n in labels]
        if len(names) != weights.n_classes:
            raise ValueError(
                f"class_names: {len(names)} names for a network with {weights.n_classes} outputs"
            )
        if len(set(names)) != len(names):
            raise ValueError("class_names: names must be unique")
        if class_metadata is None:
            meta = [{"name": n} for n in names]
        else:
            if len(class_metadata) != len(names):
                raise ValueError(f"class_metadata: {len(class_metadata)} entries for {len(names)} classes")
            meta = []
            for n, m in zip(names, class_metadata, strict=True):
                if not isinstance(m, Mapping):
                    raise ValueError(f"class_metadata: entry for {n!r} is not a dict")
                d = copy.deepcopy(dict(m))
                d.setdefault("name", n)
                meta.append(d)
        # class names (str) as an object array, as always; other labels (integers) as given
        named = all(isinstance(c, str) for c in labels)
        self.classes_ = np.array(names, dtype=object) if named else np.asarray(labels)
        self.class_metadata_ = meta
        self.descriptor_params_ = copy.deepcopy(dict(descriptor_params or {}))
        self.n_features_in_ = weights.n_features
        self.weights_ = weights
        self.training_ = training
        #: distance-aware out-of-library check (:mod:`arisekit.model.novelty`); None: not available
        self.novelty_: NoveltyReference | None = None
        self._engines: dict[int, MCDropoutEngine] = {}
        self._keras_model: Any = None
        self._keras_path: Path | None = None

    def __getstate__(self) -> dict[str, Any]:
        # engines and the Keras model are caches, rebuilt from ``weights_`` on demand (picklable for Dask)
        state = self.__dict__.copy()
        if "_engines" in state:
            state["_engines"] = {}
        if "_keras_model" in state:
            state["_keras_model"] = None
        return state

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError("this ARISEClassifier is not fitted yet; call fit() or load a model")

    # ------------------------------------------------------------------ training
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        class_names: Sequence[str] | None = None,
        class_metadata: Sequence[Mapping[str, Any]] | None = None,
        descriptor_params: Mapping[str, Any] | None = None,
        **fit_params: Any,
    ) -> ARISEClassifier:
        """Train on descriptors ``X`` (n, d) with labels ``y`` (class indices or names).

        ``fit_params`` (scikit-learn's name for data and options of one fit; :data:`FIT_PARAMS`):
        ``X_val``/``y_val``, the validation rows; ``X_extra``/``y_extra`` (e.g. defective variants),
        appended to the training rows only, never to the validation set; ``callbacks``, extra Keras
        callbacks. If ``X_val`` is None the rows of ``X`` are split (stratified, ``validation_fraction``,
        ``random_state``). The training itself is a :class:`arisekit.model.keras_net.TrainingParameters`
        built from the constructor parameters. ``class_metadata`` is one dict per class, stored with the
        model; ``descriptor_params`` are the keyword arguments of the descriptor the data were made with
        (:func:`arisekit.descriptors.arise_soap`). The model records the descriptor's ``central_weight``:
        when ``descriptor_params`` do not name it, the data are taken to be made with arise_soap's default
        (0.0), and 0.0 is recorded, so that predictions describe new structures the same way.

        The constructor parameters are checked here (:meth:`checked_params`); a bad one raises ValueError.
        Integer labels without ``class_names`` make the classes the distinct labels (``classes_``, as
        scikit-learn does); with ``class_names`` (strings) they are indices into them.
        """
        unknown = sorted(set(fit_params) - set(FIT_PARAMS))
        if unknown:
            raise TypeError(f"fit() got unexpected keyword argument(s) {unknown}; fit_params: {FIT_PARAMS}")
        X_val, y_val = fit_params.get("X_val"), fit_params.get("y_val")
        X_extra, y_extra = fit_params.get("X_extra"), fit_params.get("y_extra")
        callbacks = fit_params.get("callbacks", ())
        p = self.checked_params()
        _refuse_sparse(X)
        if y is None:
            raise ValueError("y: requires y to be passed, but the target y is None")
        X = np.asarray(X)
        if X.dtype.kind == "c":
            raise ValueError("X: Complex data not supported")
        X = X.astype(np.float32, copy=False)
        if X.ndim != 2:
            raise ValueError(f"X: expected a 2-D (n, d) array, got shape {X.shape}")
        if X.shape[1] == 0:
            raise ValueError(f"X: 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
        X = as_descriptor_matrix(X, X.shape[1])
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:  # a column vector: warn and ravel, as scikit-learn
            from sklearn.utils.validation import column_or_1d

            y = column_or_1d(y, warn=True)
        yi, names = _labels_to_indices(y, class_names)
        if len(yi) != len(X):
            raise ValueError(f"X/y: {len(X)} descriptor rows but {len(yi)} labels")
        if len(names) < 2:
            raise ValueError(f"y: need at least two classes, got {len(names)} class")
        if X_val is not None:
            if y_val is None:
                raise ValueError("y_val: required when X_val is given")
            Xv = as_descriptor_matrix(X_val, X.shape[1], "X_val")
            yv, _ = _labels_to_indices(y_val, names)
            if len(yv) != len(Xv):
                raise ValueError(f"X_val/y_val: {len(Xv)} rows but {len(yv)} labels")
            Xt, yt = X, yi
        elif p["validation_fraction"] > 0:
            tr, va = stratified_split(yi, p["validation_fraction"], p["random_state"])
            Xt, yt, Xv, yv = X[tr], yi[tr], X[va], yi[va]
        else:
            Xt, yt, Xv, yv = X, yi, None, None
        n_extra = 0
        if X_extra is not None:
            if y_extra is None:
                raise ValueError("y_extra: required when X_extra is given")
            Xe = as_descriptor_matrix(X_extra, X.shape[1], "X_extra")
            ye, _ = _labels_to_indices(y_extra, names)
            if len(ye) != len(Xe):
                raise ValueError(f"X_extra/y_extra: {len(Xe)} rows but {len(ye)} labels")
            Xt, yt, n_extra = np.concatenate([Xt, Xe]), np.concatenate([yt, ye]), len(Xe)

        mean = variance = None
        if p["standardize"]:
            mean = Xt.mean(axis=0, dtype=np.float64)
            std = Xt.std(axis=0, dtype=np.float64)
            floor = max(STD_FLOOR * float(np.sqrt(np.mean(std**2))), 1e-6)
            variance = np.maximum(std, floor) ** 2

        from .keras_net import TrainingParameters, train_keras_mlp, weights_from_keras

        training_params = TrainingParameters(
            hidden_units=tuple(p["hidden_units"]), dropout=p["dropout"], learning_rate=p["learning_rate"],
            batch_size=p["batch_size"], epochs=p["epochs"], seed=p["seed"], deterministic=p["deterministic"],
            verbose=p["verbose"], callbacks=tuple(callbacks),
        )  # fmt: skip
        standardization = None if mean is None else (mean, variance)
        outcome = train_keras_mlp(
            Xt, yt, Xv, yv, len(names), training_params, standardization=standardization
        )
        training = {
            "history": outcome.history,
            "best_epoch": outcome.best_epoch,
            "best_accuracy": outcome.best_accuracy,
            "monitored": outcome.monitored,
            "n_train": int(len(Xt)),
            "n_extra": int(n_extra),
            "n_val": 0 if Xv is None else int(len(Xv)),
        }
        self._set_fitted(
            weights_from_keras(outcome.model),
            names,
            class_metadata,
            record_central_weight(descriptor_params),
            training,
        )
        self._keras_model = outcome.model
        self._keras_path = None
        Xn, yn = (Xt, yt) if Xv is None else (np.concatenate([Xt, Xv]), np.concatenate([yt, yv]))
        try:
            self._fit_novelty(Xn, yn, {})
        except ValueError:  # too few rows per class to hold some out: no novelty check
            self.novelty_ = None
        return self

    # ------------------------------------------------------------------ inference
    def predict_uncertainty(
        self,
        X: np.ndarray,
        n_samples: int = 1000,
        seed: int | None = 0,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        return_samples: bool = False,
        representations: bool | Sequence[int] = False,
        n_threads: int | None = None,
    ) -> MCDropoutResult:
        """Monte-Carlo dropout over ``n_samples`` passes: mean probabilities and uncertainty measures
        (optionally per-pass samples and hidden-layer representations, see :func:`mc_dropout_predict`;
        ``n_threads``: worker threads, None = :mod:`arisekit.parallel`'s setting). Its ``predictions`` are
        class indices."""
        self._check_fitted()
        X = self._check_X(X)
        engine = self._engines.get(chunk_rows)
        if engine is None:  # kept per instance: its buffers make repeated calls cheaper
            engine = self._engines[chunk_rows] = MCDropoutEngine(self.weights_, chunk_rows)
        res = engine.predict(X, n_samples, seed, return_samples, representations, n_threads)
        if self.novelty_ is None or not len(res.probabilities):
            return res
        return replace(res, novelty=self.novelty_.score(X, res.predictions))

    def fit_novelty(self, X: np.ndarray, y: np.ndarray, **kwargs: Any) -> ARISEClassifier:
        """Fit the distance-aware out-of-library check (:class:`NoveltyReference`) on in-library
        descriptors ``X`` with labels ``y`` (class labels, or indices into the class names; rows of the
        disordered class are skipped); ``kwargs`` go to :meth:`NoveltyReference.fit`. Called by
        :meth:`fit`."""
        self._check_fitted()
        return self._fit_novelty(X, self._encode(y), kwargs)

    def _fit_novelty(self, X: np.ndarray, yi: np.ndarray, kwargs: Mapping[str, Any]) -> ARISEClassifier:
        from .uncertainty import DISORDERED_CLASS

        names = [str(c) for c in self.classes_]
        skip = [names.index(DISORDERED_CLASS)] if DISORDERED_CLASS in names else []
        self.novelty_ = NoveltyReference.fit(
            as_descriptor_matrix(X, self.n_features_in_), yi, len(names), skip=skip,
            random_state=self.checked_params()["random_state"], **kwargs,
        )  # fmt: skip
        return self

    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` as an array if it is a (n, ``n_features_in_``) table; ValueError (with scikit-learn's
        wording) for a single vector, another descriptor length or sparse data."""
        _refuse_sparse(X)
        X = np.asarray(X)
        n = self.n_features_in_
        if X.ndim == 1:
            raise ValueError(
                f"X: expected a 2-D (n_structures, {n}) array, got shape {X.shape}; Reshape your data "
                "with X.reshape(1, -1) for a single structure"
            )
        if X.ndim == 2 and X.shape[1] != n:
            raise ValueError(
                f"X: descriptor length {X.shape[1]} does not match the model's input length {n} "
                f"(X has {X.shape[1]} features, but ARISEClassifier is expecting {n} features as input)"
            )
        return X

    def _encode(self, y: Any) -> np.ndarray:
        """Class indices of labels ``y`` (labels of ``classes_``; integers index into class names)."""
        return _labels_to_indices(y, list(self.classes_))[0]

    def predict_proba(
        self, X: np.ndarray, n_samples: int = 1000, seed: int | None = 0, chunk_rows: int = DEFAULT_CHUNK_ROWS
    ) -> np.ndarray:
        """Class probabilities (n, n_classes), columns in the order of ``classes_``: the MC-dropout mean
        over ``n_samples`` passes with dropout-mask seed ``seed``, or dropout off if ``n_samples == 0``."""
        self._check_fitted()
        X = self._check_X(X)
        if n_samples == 0:
            return deterministic_forward(self.weights_, X).astype(np.float64)
        return self.predict_uncertainty(X, n_samples, seed, chunk_rows).probabilities

    def predict_index(self, X: np.ndarray, n_samples: int = 1000, seed: int | None = 0) -> np.ndarray:
        """Index (into ``classes_``) of the most probable class for each row."""
        return self.predict_proba(X, n_samples, seed).argmax(axis=1)

    def predict(self, X: np.ndarray, n_samples: int = 1000, seed: int | None = 0) -> np.ndarray:
        """The most probable class label (an element of ``classes_``) for each row; see
        :meth:`predict_index` for indices and :meth:`predict_uncertainty` for the uncertainty."""
        index = self.predict_index(X, n_samples, seed)  # checks that the model is fitted first
        return self.classes_[index]

    def score(self, X: np.ndarray, y: np.ndarray, n_samples: int = 0, seed: int | None = 0) -> float:
        """Classification accuracy on (X, y) (labels, or indices into the class names); deterministic
        (dropout off) unless ``n_samples > 0``."""
        self._check_fitted()
        return float(np.mean(self.predict_index(X, n_samples, seed) == self._encode(y)))

    def hidden_representations(self, X: np.ndarray, layers: Sequence[int] | None = None) -> list[np.ndarray]:
        """Pre-activation outputs of the hidden layers (dropout off), one (n, width) array per layer."""
        self._check_fitted()
        return hidden_representations(self.weights_, X, layers)

    # ------------------------------------------------------------------ Keras model and files
    @property
    def keras_model(self) -> Any:
        """The Keras model: the trained one, the saved ``model.keras`` of a loaded model, or one rebuilt
        from the weights (:meth:`to_keras`); made on first access (imports TensorFlow)."""
        self._check_fitted()
        if self._keras_model is None:
            if self._keras_path is not None:
                import keras

                self._keras_model = keras.saving.load_model(self._keras_path, compile=False)
            else:
                self._keras_model = self.to_keras()
        return self._keras_model

    def to_keras(self) -> Any:
        """A fresh, uncompiled Keras model holding ``weights_`` (no optimizer state; imports TensorFlow)."""
        from .keras_net import build_keras_mlp

        self._check_fitted()
        w = self.weights_
        variance = None if w.scale is None else w.scale.astype(np.float64) ** 2
        model = build_keras_mlp(w.n_features, w.n_classes, w.hidden_sizes, w.dropout_rates, w.mean, variance)
        flat: list[np.ndarray] = []
        for k, b in zip(w.kernels, w.biases, strict=True):
            flat += [k, b]
        model.set_weights(flat)
        return model

    def save(self, path: str | Path) -> Path:
        """Save to a model directory (``model.keras`` + ``metadata.json`` + the out-of-library check +
        checksum manifest, :mod:`arisekit.model.io`); returns it. Class labels are saved as strings."""
        self._check_fitted()
        w = self.weights_
        metadata = {
            "n_features": w.n_features,
            "n_classes": w.n_classes,
            "class_names": [str(c) for c in self.classes_],
            "class_metadata": self.class_metadata_,
            "descriptor_params": record_central_weight(self.descriptor_params_),
            "architecture": {
                "hidden_units": list(w.hidden_sizes),
                "dropout_rates": list(w.dropout_rates),
                "standardized": w.mean is not None,
                "n_parameters": w.n_parameters,
            },
            "hyperparameters": self.checked_params(),
            "training": self.training_,
        }
        return write_model_files(path, self.to_keras(), metadata, self.novelty_)

    @classmethod
    def load(cls, path: str | Path | None = None, verify: bool = True) -> ARISEClassifier:
        """Read a model directory written by :meth:`save` (default: the packaged model) into a new
        classifier, verifying its checksums unless ``verify`` is False
        (:func:`arisekit.model.io.read_model_files` names the errors). :func:`arisekit.load_model` does the
        same, cached per file version.

        The classifier has ``model_dir_`` and ``checksum_`` (SHA-256 of ``model.keras``). Its
        ``descriptor_params_`` always hold ``central_weight``: metadata without it (models saved before it
        was recorded) mean 1.0, the descriptor those models were trained on.
        """
        from arisekit.descriptors.arise import LEGACY_CENTRAL_WEIGHT

        files = read_model_files(path, verify)
        meta = files.metadata
        # a model saved before the central weight was recorded was trained on descriptors made with 1.0
        params = record_central_weight(meta.get("descriptor_params"), default=LEGACY_CENTRAL_WEIGHT)
        clf = cls.from_weights(
            files.weights,
            meta["class_names"],
            meta.get("class_metadata"),
            params,
            meta.get("training"),
            meta.get("hyperparameters"),
        )
        clf._keras_path = files.keras_file
        clf.novelty_ = files.novelty
        clf.model_dir_ = files.directory
        #: SHA-256 of model.keras (provenance of results computed with this model)
        clf.checksum_ = files.checksum
        return clf

    def __repr__(self) -> str:
        state = (
            f"{len(self.classes_)} classes, {self.n_features_in_} features"
            if hasattr(self, "weights_")
            else "unfitted"
        )
        return f"ARISEClassifier(hidden_units={self.hidden_units}, dropout={self.dropout}, {state})"
