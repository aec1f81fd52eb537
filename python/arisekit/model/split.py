"""Stratified train/validation split shared by training, the novelty check and the hyper-parameter search."""

from __future__ import annotations

import numpy as np

__all__ = ["stratified_split"]


def stratified_split(
    y: np.ndarray, validation_fraction: float = 0.2, random_state: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation) of a stratified split (scikit-learn ``train_test_split``).

    Raises ValueError if a class has fewer than 2 members or the validation part cannot hold every class.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction: {validation_fraction} is not in (0, 1)")
    idx = np.arange(len(y))
    try:
        train, val = train_test_split(
            idx, test_size=validation_fraction, random_state=random_state, stratify=y
        )
    except ValueError as exc:
        raise ValueError(
            f"validation split: cannot stratify {len(y)} samples of {len(np.unique(y))} classes with "
            f"validation_fraction={validation_fraction} ({exc}); pass X_val/y_val or validation_fraction=0"
        ) from exc
    return np.sort(train), np.sort(val)
