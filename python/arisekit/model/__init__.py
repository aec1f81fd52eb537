"""The ARISE classifier: Keras MLP training, NumPy Monte-Carlo-dropout inference, model files.

TensorFlow is only imported when training or when the Keras model object is requested; loading a model
and predicting use NumPy.
"""

from __future__ import annotations

from .classification import Classification, classify, classify_descriptors, compute_descriptors
from .classifier import ARISEClassifier, stratified_split
from .dataset import Dataset, load_dataset, write_dataset
from .hyperopt_search import HyperoptResult, hyperopt_search, paper_search_space
from .io import ModelIntegrityError, ModelManifestError, default_model_dir, load_model, save_model
from .mc_dropout import MCDropoutResult, mc_dropout_predict
from .network import MLPWeights, deterministic_forward, hidden_representations
from .novelty import NOVELTY_THRESHOLD, NoveltyReference
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
    "classify",
    "classify_descriptors",
    "compute_descriptors",
    "default_model_dir",
    "deterministic_forward",
    "entropy",
    "hidden_representations",
    "hyperopt_search",
    "load_dataset",
    "load_model",
    "mc_dropout_predict",
    "paper_search_space",
    "save_model",
    "stratified_split",
    "uncertainty_from_samples",
    "write_dataset",
]
