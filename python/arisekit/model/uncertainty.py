"""Uncertainty measures of Monte-Carlo dropout predictions (natural logarithms, i.e. nats).

For T stochastic forward passes with class probabilities p_t(c):

* predictive entropy  H[p̄] = -Σ_c p̄(c) ln p̄(c), with p̄ = (1/T) Σ_t p_t,
* expected entropy    E_t H[p_t] = -(1/T) Σ_t Σ_c p_t(c) ln p_t(c),
* mutual information  I = H[p̄] - E_t H[p_t]   (eq. 5 of the ARISE paper, ≥ 0),
* variation ratio     1 - f_mode / T, f_mode = number of passes whose arg-max is the most frequent class.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DISORDERED_CLASS", "disorder_score", "entropy", "uncertainty_from_samples"]

#: Name of the model class that stands for matter which is no library crystal (liquids, glasses, gases,
#: strongly disordered regions). Models trained with it give the *disorder verdict* by naming it.
DISORDERED_CLASS = "disordered"


def disorder_score(probabilities: np.ndarray, class_names) -> np.ndarray:
    """Score in [0, 1] that a structure is no library crystal: 1 - the largest mean probability of a
    crystal class (every class except :data:`DISORDERED_CLASS`). High for the disordered class and for
    answers split between crystal classes alike; rank it (ROC) against crystal inputs."""
    p = np.asarray(probabilities, dtype=np.float64)
    names = list(class_names)
    if p.shape[-1] != len(names):
        raise ValueError(f"probabilities have {p.shape[-1]} classes, class_names {len(names)}")
    crystal = np.array([n != DISORDERED_CLASS for n in names], dtype=bool)
    if not crystal.any():
        raise ValueError("class_names hold no crystal class")
    return 1.0 - np.max(p[..., crystal], axis=-1)


def entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy (nats) of probability vectors along ``axis``; 0 ln 0 is taken as 0."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=axis)


def uncertainty_from_samples(samples: np.ndarray) -> dict[str, np.ndarray]:
    """Mean probabilities and uncertainty measures from per-pass probabilities.

    Parameters
    ----------
    samples : (T, n, n_classes) array of per-pass class probabilities.

    Returns
    -------
    dict with ``probabilities`` (n, n_classes), ``predictive_entropy``, ``expected_entropy``,
    ``mutual_information`` and ``variation_ratio`` (each (n,)).
    """
    s = np.asarray(samples, dtype=np.float64)
    if s.ndim != 3 or s.shape[0] == 0:
        raise ValueError(f"samples: expected a (T, n, n_classes) array with T > 0, got shape {s.shape}")
    mean = s.mean(axis=0)
    pred = entropy(mean)
    expected = entropy(s).mean(axis=0)
    votes = s.argmax(axis=2)  # (T, n)
    n_classes = s.shape[2]
    counts = np.stack([np.bincount(votes[:, j], minlength=n_classes) for j in range(s.shape[1])])
    return {
        "probabilities": mean,
        "predictive_entropy": pred,
        "expected_entropy": expected,
        "mutual_information": np.maximum(pred - expected, 0.0),
        "variation_ratio": 1.0 - counts.max(axis=1) / s.shape[0],
    }
