"""Batched Monte-Carlo dropout inference in NumPy (float32).

T stochastic forward passes are run for every structure. Pass t uses one dropout network ω_t (one
Bernoulli mask per dropout layer) that is shared by all structures, so the result for a structure depends
only on its descriptor, ``n_samples`` and ``seed`` — not on which other structures are in the batch nor on
the chunk sizes (up to float32 rounding of the matrix products). Rows (pass, structure) are processed in
chunks so that each dense layer is one large matrix product; memory stays bounded by ``chunk_rows``.

Masks: ``numpy.random.default_rng(seed).bit_generator.random_raw`` gives, for each pass in order,
ceil(D/4) 64-bit words (D = total width of all dropout layers, in layer order), read as D little-endian
16-bit integers u; a unit of a layer with rate p is kept iff ``u >= round(p * 65536)`` (p is resolved to
2^-16). Kept units are scaled by 1/(1-p) (inverted dropout, as Keras does); the scale is folded into the
next kernel.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .network import MLPWeights, hidden_representations
from .uncertainty import entropy

__all__ = [
    "MCDropoutResult",
    "MCDropoutEngine",
    "mc_dropout_predict",
    "draw_dropout_masks",
    "DEFAULT_CHUNK_ROWS",
]

_U16 = 65536
#: Default number of (pass, structure) rows per matrix product.
DEFAULT_CHUNK_ROWS = 2048
_RAW_WORDS_PER_DRAW = 16384  # 128 KiB of random words per draw


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
    #: pre-activation outputs of the requested hidden layers, dropout off, each (n, width), if requested
    representations: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def predictions(self) -> np.ndarray:
        """Index of the most probable class for each structure."""
        return self.probabilities.argmax(axis=1)


class _MaskSampler:
    """Draws the keep-masks of all dropout layers for consecutive passes (see module docstring)."""

    def __init__(self, weights: MLPWeights, max_passes: int) -> None:
        self.slices: list[slice | None] = []
        thresholds: list[np.ndarray] = []
        offset = 0
        for k, rate in zip(weights.kernels, weights.dropout_rates, strict=True):
            thr = int(round(rate * _U16))
            if thr == 0:
                self.slices.append(None)
                continue
            width = int(k.shape[0])
            self.slices.append(slice(offset, offset + width))
            thresholds.append(np.full(width, thr, dtype=np.uint16))
            offset += width
        self.words = -(-offset // 4)
        self.thresholds = np.zeros(4 * self.words, dtype=np.uint16)  # padding: threshold 0, unused
        if offset:
            self.thresholds[:offset] = np.concatenate(thresholds)
        self.buffer = np.empty((max_passes if offset else 0, 4 * self.words), dtype=np.float32)

    def draw(self, rng: np.random.Generator, n_passes: int) -> list[np.ndarray | None]:
        """Per dense layer a (n_passes, width) 0/1 float32 keep-mask view (valid until the next draw)."""
        if self.words == 0:
            return [None] * len(self.slices)
        if n_passes > len(self.buffer):
            self.buffer = np.empty((n_passes, 4 * self.words), dtype=np.float32)
        out = self.buffer[:n_passes]
        # draw in small pieces: large temporary arrays would cost page faults on every call
        step = max(1, _RAW_WORDS_PER_DRAW // self.words)
        for p0 in range(0, n_passes, step):
            n = min(step, n_passes - p0)
            raw = rng.bit_generator.random_raw(n * self.words).astype("<u8", copy=False)
            u16 = raw.reshape(n, self.words).view("<u2")
            np.greater_equal(u16, self.thresholds, out=out[p0 : p0 + n], casting="unsafe")
        return [None if s is None else out[:, s] for s in self.slices]


def draw_dropout_masks(
    rng: np.random.Generator, weights: MLPWeights, n_passes: int
) -> list[np.ndarray | None]:
    """Keep-masks (0/1 float32, shape (n_passes, width)) for every dense layer's input, or None.

    Consecutive calls on the same generator continue the per-pass sequence, so chunking passes does
    not change the masks; :func:`mc_dropout_predict` uses exactly these masks.
    """
    return [None if m is None else m.copy() for m in _MaskSampler(weights, n_passes).draw(rng, n_passes)]


def _check_args(n_samples: int, chunk_rows: int) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples: must be a positive integer, got {n_samples!r}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
        raise ValueError(f"chunk_rows: must be a positive integer, got {chunk_rows!r}")


class _Workspace:
    """Preallocated activation and softmax buffers for chunks of up to ``rows`` rows."""

    def __init__(self, rows: int, width: int, n_classes: int) -> None:
        self.rows = rows
        self.act = (np.empty(rows * width, np.float32), np.empty(rows * width, np.float32))
        self.exp = np.empty((rows, n_classes), np.float32)
        self.row = np.empty((4, rows), np.float32)
        self.top = np.empty(rows, np.intp)


class MCDropoutEngine:
    """Reusable MC-dropout evaluator: scaled kernels and work buffers are kept between calls.

    Calls are serialised by a lock (the matrix products already use all BLAS threads).
    """

    def __init__(self, weights: MLPWeights, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        _check_args(1, chunk_rows)
        self.weights = weights
        self.chunk_rows = int(chunk_rows)
        self._sampler = _MaskSampler(weights, 0)
        self._kernels = [
            k if s is None else (k * np.float32(1.0 / (1.0 - r))).astype(np.float32)
            for k, r, s in zip(weights.kernels, weights.dropout_rates, self._sampler.slices, strict=True)
        ]
        self._width = max([weights.n_features] + [k.shape[1] for k in self._kernels])
        self._ws: _Workspace | None = None
        self._lock = threading.Lock()

    def _workspace(self, rows: int) -> _Workspace:
        if self._ws is None or self._ws.rows < rows:
            self._ws = _Workspace(rows, self._width, self.weights.n_classes)
        return self._ws

    def predict(
        self,
        X: np.ndarray,
        n_samples: int = 1000,
        seed: int | None = 0,
        return_samples: bool = False,
        representations: bool | Sequence[int] = False,
    ) -> MCDropoutResult:
        """See :func:`mc_dropout_predict`."""
        _check_args(n_samples, self.chunk_rows)
        with self._lock:
            res = self._predict(self.weights.standardize(X), int(n_samples), seed, return_samples)
        if representations is not False:
            layers = None if representations is True else list(representations)
            res = dataclasses.replace(res, representations=hidden_representations(self.weights, X, layers))
        return res

    def _predict(
        self, Xs: np.ndarray, n_samples: int, seed: int | None, return_samples: bool
    ) -> MCDropoutResult:
        n, d0 = Xs.shape
        n_classes = self.weights.n_classes
        block = min(n, self.chunk_rows)
        passes_per_chunk = min(max(1, self.chunk_rows // block), n_samples)
        ws = self._workspace(block * passes_per_chunk)
        prob_sum = np.zeros((n, n_classes), dtype=np.float64)
        ent_sum = np.zeros(n, dtype=np.float64)
        counts = np.zeros((n, n_classes), dtype=np.int64)
        samples = np.empty((n_samples, n, n_classes), dtype=np.float32) if return_samples else None
        last = len(self._kernels) - 1

        for s0 in range(0, n, block):
            xb = Xs[s0 : s0 + block]
            nb = xb.shape[0]
            rng = np.random.default_rng(seed)  # same masks for every structure block
            for t0 in range(0, n_samples, passes_per_chunk):
                tc = min(passes_per_chunk, n_samples - t0)
                rows = tc * nb
                masks = self._sampler.draw(rng, tc)
                h = ws.act[0][: rows * d0].reshape(rows, d0)
                m0 = masks[0]
                if m0 is None:
                    h.reshape(tc, nb, d0)[...] = xb[None, :, :]
                elif nb == 1:
                    np.multiply(m0, xb, out=h)
                else:
                    np.multiply(m0[:, None, :], xb[None, :, :], out=h.reshape(tc, nb, d0))
                for i, (k, b) in enumerate(zip(self._kernels, self.weights.biases, strict=True)):
                    z = ws.act[(i + 1) % 2][: rows * k.shape[1]].reshape(rows, k.shape[1])
                    np.matmul(h, k, out=z)
                    z += b
                    if i < last:
                        np.maximum(z, np.float32(0.0), out=z)
                        _apply_mask(z, masks[i + 1], tc, nb)
                    h = z
                sl = slice(s0, s0 + nb)
                _accumulate(h, tc, nb, ws, prob_sum[sl], ent_sum[sl], counts[sl],
                            None if samples is None else samples[t0 : t0 + tc, sl])  # fmt: skip

        mean = prob_sum / n_samples
        pred_ent = entropy(mean)
        exp_ent = ent_sum / n_samples
        return MCDropoutResult(
            probabilities=mean,
            mutual_information=np.maximum(pred_ent - exp_ent, 0.0),
            predictive_entropy=pred_ent,
            expected_entropy=exp_ent,
            variation_ratio=1.0 - counts.max(axis=1) / n_samples,
            n_samples=n_samples,
            seed=seed,
            samples=samples,
        )


def mc_dropout_predict(
    weights: MLPWeights,
    X: np.ndarray,
    n_samples: int = 1000,
    seed: int | None = 0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    return_samples: bool = False,
    representations: bool | Sequence[int] = False,
) -> MCDropoutResult:
    """Monte-Carlo dropout prediction: mean class probabilities and uncertainty measures.

    Parameters
    ----------
    weights : network weights (see :class:`MLPWeights`).
    X : (n, d) descriptors (a single (d,) vector is one structure).
    n_samples : number T of stochastic forward passes.
    seed : seed of ``numpy.random.default_rng`` for the dropout masks (None: fresh entropy).
    chunk_rows : approximate number of (pass, structure) rows per matrix product (memory: about
        ``chunk_rows * (2 * max_width + D + n_classes) * 4`` bytes).
    return_samples : also return all per-pass probabilities, shape (T, n, n_classes) (memory!).
    representations : True (all hidden layers) or hidden-layer indices: also return the layers'
        pre-activation outputs with dropout off (the NN representations used for clustering/UMAP).

    Returns
    -------
    MCDropoutResult

    For repeated calls, :class:`MCDropoutEngine` reuses its buffers and is faster.
    """
    return MCDropoutEngine(weights, chunk_rows).predict(X, n_samples, seed, return_samples, representations)


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
    ws: _Workspace,
    prob_sum: np.ndarray,
    ent_sum: np.ndarray,
    counts: np.ndarray,
    samples: np.ndarray | None,
) -> None:
    """Softmax of a (tc*nb, C) logit chunk (modified in place) and accumulation of the statistics."""
    rows, n_classes = logits.shape
    top = ws.top[:rows]
    np.argmax(logits, axis=1, out=top)
    mx, s, ez, w = (r[:rows] for r in ws.row)
    np.max(logits, axis=1, out=mx)
    logits -= mx[:, None]
    e = ws.exp[:rows]
    np.exp(logits, out=e)
    np.sum(e, axis=1, out=s)
    # Σ_c p ln p = Σ_c e·z / s - ln s   for the shifted logits z
    np.einsum("ij,ij->i", e, logits, out=ez)
    np.divide(1.0, s, out=w)
    ez *= w
    ez -= np.log(s)
    e *= w[:, None]
    p = e.reshape(tc, nb, n_classes)
    prob_sum += p.sum(axis=0, dtype=np.float64)
    ent_sum -= ez.reshape(tc, nb).sum(axis=0, dtype=np.float64)
    idx = np.arange(nb)[None, :] * n_classes + top.reshape(tc, nb)
    counts += np.bincount(idx.ravel(), minlength=nb * n_classes).reshape(nb, n_classes)
    if samples is not None:
        samples[...] = p
