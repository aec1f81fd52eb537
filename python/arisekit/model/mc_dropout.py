"""Batched Monte-Carlo dropout inference in NumPy (float32).

T stochastic forward passes are run for every structure. Pass t uses one dropout network ω_t (one
Bernoulli mask per dropout layer) that is shared by all structures, so the result for a structure depends
only on its descriptor, ``n_samples`` and ``seed`` — not on which other structures are in the batch nor on
the chunk sizes. Rows (pass, structure) are processed in chunks so that each dense layer is one large
matrix product; memory stays bounded by ``chunk_rows``.

Masks: ``numpy.random.default_rng(seed).bit_generator.random_raw`` gives, for each pass in order,
ceil(D/4) 64-bit words (D = total width of all dropout layers), read as D little-endian 16-bit integers u;
a unit of a layer with rate p is kept iff ``u >= round(p * 65536)`` (so p is resolved to 2^-16). Kept
units are scaled by 1/(1-p) (inverted dropout, as Keras does); the scale is folded into the next kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import MLPWeights
from .uncertainty import entropy

__all__ = ["MCDropoutResult", "mc_dropout_predict", "draw_dropout_masks"]

_U16 = 65536
DEFAULT_CHUNK_ROWS = 2048


@dataclass(frozen=True)
class MCDropoutResult:
    """Output of :func:`mc_dropout_predict` for n structures (entropies in nats)."""

    probabilities: np.ndarray  # (n, n_classes) mean class probabilities
    mutual_information: np.ndarray  # (n,)
    predictive_entropy: np.ndarray  # (n,)
    expected_entropy: np.ndarray  # (n,)
    variation_ratio: np.ndarray  # (n,)
    n_samples: int
    seed: int | None
    samples: np.ndarray | None = field(default=None, repr=False)  # (T, n, n_classes) if requested

    @property
    def predictions(self) -> np.ndarray:
        """Index of the most probable class for each structure."""
        return self.probabilities.argmax(axis=1)


def _dropout_plan(weights: MLPWeights) -> tuple[list[tuple[int, int, int] | None], int]:
    """Per dense layer (offset, width, threshold) in the 16-bit mask words, or None without dropout."""
    plan: list[tuple[int, int, int] | None] = []
    offset = 0
    for k, rate in zip(weights.kernels, weights.dropout_rates, strict=True):
        thr = int(round(rate * _U16))
        if thr == 0:
            plan.append(None)
            continue
        plan.append((offset, int(k.shape[0]), thr))
        offset += int(k.shape[0])
    return plan, offset


def _draw_words(rng: np.random.Generator, total: int, n_passes: int) -> np.ndarray:
    """(n_passes, >= total) little-endian uint16 random words, pass after pass from ``rng``."""
    words = -(-total // 4)
    raw = rng.bit_generator.random_raw(n_passes * words).astype("<u8", copy=False)
    return raw.reshape(n_passes, words).view("<u2")


def draw_dropout_masks(
    rng: np.random.Generator, weights: MLPWeights, n_passes: int
) -> list[np.ndarray | None]:
    """Draw keep-masks (0/1 float32, shape (n_passes, width)) for every dense layer's input, or None.

    Consecutive calls on the same generator continue the per-pass sequence, so chunking passes does
    not change the masks. :func:`mc_dropout_predict` uses exactly these masks.
    """
    plan, total = _dropout_plan(weights)
    if total == 0:
        return [None] * len(plan)
    u16 = _draw_words(rng, total, n_passes)
    return [None if p is None else (u16[:, p[0] : p[0] + p[1]] >= p[2]).astype(np.float32) for p in plan]


def _check_args(n_samples: int, chunk_rows: int) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples: must be a positive integer, got {n_samples!r}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
        raise ValueError(f"chunk_rows: must be a positive integer, got {chunk_rows!r}")


def mc_dropout_predict(
    weights: MLPWeights,
    X: np.ndarray,
    n_samples: int = 1000,
    seed: int | None = 0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    return_samples: bool = False,
) -> MCDropoutResult:
    """Monte-Carlo dropout prediction: mean class probabilities and uncertainty measures.

    Parameters
    ----------
    weights : network weights (see :class:`MLPWeights`).
    X : (n, d) descriptors (a single (d,) vector is one structure).
    n_samples : number T of stochastic forward passes.
    seed : seed of ``numpy.random.default_rng`` for the dropout masks (None: fresh entropy).
    chunk_rows : approximate number of (pass, structure) rows per matrix product (memory bound:
        about ``chunk_rows * (d + 2 * max_width) * 4`` bytes).
    return_samples : also return all per-pass probabilities, shape (T, n, n_classes) (memory!).

    Returns
    -------
    MCDropoutResult
    """
    _check_args(n_samples, chunk_rows)
    Xs = weights.standardize(X)
    n = Xs.shape[0]
    n_classes = weights.n_classes
    plan, _ = _dropout_plan(weights)
    kernels = [
        k if p is None else (k * np.float32(1.0 / (1.0 - r))).astype(np.float32)
        for k, r, p in zip(weights.kernels, weights.dropout_rates, plan, strict=True)
    ]

    prob_sum = np.zeros((n, n_classes), dtype=np.float64)
    ent_sum = np.zeros(n, dtype=np.float64)
    counts = np.zeros((n, n_classes), dtype=np.int64)
    samples = np.empty((n_samples, n, n_classes), dtype=np.float32) if return_samples else None

    block = min(n, chunk_rows)
    passes_per_chunk = max(1, chunk_rows // block)
    max_rows = block * min(passes_per_chunk, n_samples)
    width = max([Xs.shape[1]] + [k.shape[1] for k in kernels])
    buf_a = np.empty(max_rows * width, dtype=np.float32)
    buf_b = np.empty(max_rows * width, dtype=np.float32)
    last = len(kernels) - 1

    for s0 in range(0, n, block):
        xb = Xs[s0 : s0 + block]
        nb = xb.shape[0]
        rng = np.random.default_rng(seed)  # same masks for every structure block
        for t0 in range(0, n_samples, passes_per_chunk):
            tc = min(passes_per_chunk, n_samples - t0)
            rows = tc * nb
            masks = draw_dropout_masks(rng, weights, tc)
            h = buf_a[: rows * xb.shape[1]].reshape(rows, xb.shape[1])
            m0 = masks[0]
            if m0 is None:
                h.reshape(tc, nb, xb.shape[1])[...] = xb[None, :, :]
            elif nb == 1:
                np.multiply(m0, xb, out=h)
            else:
                np.multiply(m0[:, None, :], xb[None, :, :], out=h.reshape(tc, nb, xb.shape[1]))
            bufs = (buf_b, buf_a)
            for i, (k, b) in enumerate(zip(kernels, weights.biases, strict=True)):
                z = bufs[i % 2][: rows * k.shape[1]].reshape(rows, k.shape[1])
                np.matmul(h, k, out=z)
                z += b
                if i < last:
                    np.maximum(z, 0.0, out=z)
                    _apply_mask(z, masks[i + 1], tc, nb)
                h = z
            _accumulate(
                h,
                tc,
                nb,
                prob_sum[s0 : s0 + nb],
                ent_sum[s0 : s0 + nb],
                counts[s0 : s0 + nb],
                None if samples is None else samples[t0 : t0 + tc, s0 : s0 + nb],
            )

    mean = prob_sum / n_samples
    pred_ent = entropy(mean)
    exp_ent = ent_sum / n_samples
    return MCDropoutResult(
        probabilities=mean,
        mutual_information=np.maximum(pred_ent - exp_ent, 0.0),
        predictive_entropy=pred_ent,
        expected_entropy=exp_ent,
        variation_ratio=1.0 - counts.max(axis=1) / n_samples,
        n_samples=int(n_samples),
        seed=seed,
        samples=samples,
    )


def _apply_mask(h: np.ndarray, mask: np.ndarray | None, tc: int, nb: int) -> None:
    """Multiply the (tc*nb, d) activations in place by the per-pass (tc, d) keep-mask."""
    if mask is None:
        return
    if nb == 1:
        h *= mask
    elif tc == 1:
        h *= mask[0]
    else:
        h3 = h.reshape(tc, nb, h.shape[1])
        h3 *= mask[:, None, :]


def _accumulate(
    logits: np.ndarray,
    tc: int,
    nb: int,
    prob_sum: np.ndarray,
    ent_sum: np.ndarray,
    counts: np.ndarray,
    samples: np.ndarray | None,
) -> None:
    """Softmax of a (tc*nb, C) logit chunk (modified in place) and accumulation of the statistics."""
    n_classes = logits.shape[1]
    top = logits.argmax(axis=1)
    logits -= np.take_along_axis(logits, top[:, None], axis=1)
    e = np.exp(logits)
    s = e.sum(axis=1)
    # Σ_c p ln p = Σ_c e·z / s - ln s  for z = shifted logits
    plogp = np.einsum("ij,ij->i", e, logits) / s - np.log(s)
    e *= (1.0 / s)[:, None]
    p = e.reshape(tc, nb, n_classes)
    prob_sum += p.sum(axis=0, dtype=np.float64)
    ent_sum -= plogp.reshape(tc, nb).sum(axis=0, dtype=np.float64)
    idx = np.arange(nb)[None, :] * n_classes + top.reshape(tc, nb)
    counts += np.bincount(idx.ravel(), minlength=nb * n_classes).reshape(nb, n_classes)
    if samples is not None:
        samples[...] = p
