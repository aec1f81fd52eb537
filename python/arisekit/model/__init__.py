"""The ARISE classifier: Keras MLP training, NumPy Monte-Carlo-dropout inference, model files.

TensorFlow is only imported when training or when the Keras model object is requested; loading a model
and predicting use NumPy.
"""

from __future__ import annotations

from .classification import (
    Classification,
    check_structure,
    classify,
    classify_descriptors,
    compute_descriptors,
    descriptor_arguments,
)
from .classifier import ARISEClassifier
from .dataset import Dataset, load_dataset, write_dataset
from .errors import ModelIntegrityError, ModelManifestError, NotFittedError
from .hyperopt_search import HyperoptResult, hyperopt_search, paper_search_space
from .io import add_novelty, default_model_dir
from .loading import clear_model_cache, load_model, resolve_model, save_model
from .mc_dropout import MCDropoutResult, mc_dropout_predict
from .network import MLPWeights, deterministic_forward, hidden_representations
from .novelty import NOVELTY_THRESHOLD, NoveltyReference
from .split import stratified_split
from .uncertainty import entropy, uncertainty_from_samples

__all__ = [
    "ARISEClassifier",
    "Classification",
    "Dataset",
    "HyperoptResult",
    "MCDropoutResult",
    "MLPWeights",
    "NOVELTY_THRESHOLD",
    "NoveltyReference",
    "ModelIntegrityError",
    "ModelManifestError",
    "NotFittedError",
    "add_novelty",
    "clear_model_cache",
    "check_structure",
    "classify",
    "classify_descriptors",
    "compute_descriptors",
    "default_model_dir",
    "descriptor_arguments",
    "deterministic_forward",
    "entropy",
    "hidden_representations",
    "hyperopt_search",
    "load_dataset",
    "load_model",
    "mc_dropout_predict",
    "paper_search_space",
    "resolve_model",
    "save_model",
    "stratified_split",
    "uncertainty_from_samples",
    "write_dataset",
]
