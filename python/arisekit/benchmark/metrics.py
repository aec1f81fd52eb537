"""Scores of the benchmark: accuracy, expected calibration error and the area under the ROC curve."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "auroc", "expected_calibration_error", "reliability_bins"]


def _as_1d(x, name: str, dtype=float) -> np.ndarray:
    a = np.asarray(x, dtype=dtype)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {a.shape}")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or inf")
    return a


def accuracy(correct) -> float:
    """Fraction of True entries of ``correct``; NaN if it is empty."""
    c = _as_1d(correct, "correct", bool)
    return float(c.mean()) if c.size else float("nan")


def reliability_bins(confidence, correct, n_bins: int = 15) -> dict[str, np.ndarray]:
    """Equal-width confidence bins (0, 1/n], (1/n, 2/n], ... (a confidence of 0 goes to the first bin).

    Returns ``count``, ``confidence`` (mean per bin) and ``accuracy`` (per bin; NaN for empty bins).
    """
    conf = _as_1d(confidence, "confidence")
    corr = _as_1d(correct, "correct", bool)
    if conf.shape != corr.shape:
        raise ValueError(f"confidence/correct: shapes {conf.shape} and {corr.shape} differ")
    if int(n_bins) < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins}")
    if conf.size and (conf.min() < 0.0 or conf.max() > 1.0):
        raise ValueError("confidence: values must lie in [0, 1]")
    n = int(n_bins)
    idx = np.clip(np.ceil(conf * n).astype(np.int64) - 1, 0, n - 1)
    count = np.bincount(idx, minlength=n)
    with np.errstate(invalid="ignore"):
        mean_conf = np.bincount(idx, weights=conf, minlength=n) / count
        acc = np.bincount(idx, weights=corr.astype(float), minlength=n) / count
    return {"count": count, "confidence": mean_conf, "accuracy": acc}


def expected_calibration_error(confidence, correct, n_bins: int = 15) -> float:
    """ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b| over ``n_bins`` equal-width bins.

    ``confidence`` is the probability of the predicted class, ``correct`` whether the prediction is right.
    """
    bins = reliability_bins(confidence, correct, n_bins)
    count = bins["count"]
    total = count.sum()
    if total == 0:
        raise ValueError("confidence: empty")
    filled = count > 0
    gap = np.abs(bins["accuracy"][filled] - bins["confidence"][filled])
    return float(np.sum(count[filled] / total * gap))


def auroc(scores, positive) -> float:
    """Area under the ROC curve of ``scores`` for separating ``positive`` (True) from negative entries.

    Equals P(score of a random positive > score of a random negative) + ½ P(equal) (Mann–Whitney U with
    mid-ranks for ties). NaN if either group is empty.
    """
    from scipy.stats import rankdata

    s = _as_1d(scores, "scores")
    pos = _as_1d(positive, "positive", bool)
    if s.shape != pos.shape:
        raise ValueError(f"scores/positive: shapes {s.shape} and {pos.shape} differ")
    n_pos = int(pos.sum())
    n_neg = int(pos.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)  # mid-ranks for ties
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))
