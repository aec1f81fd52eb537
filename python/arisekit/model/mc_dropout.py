"""Batched Monte-Carlo dropout inference in NumPy (float32).

T stochastic forward passes are run for every structure. Pass t uses one dropout network ω_t (one
Bernoulli mask per dropout layer) that is shared by all structures, so the result for a structure depends
only on its descriptor, ``n_samples`` and ``seed`` — not on which other structures are in the batch nor on
the chunk sizes or threads (up to float32 rounding of the matrix products). Memory stays bounded by
``chunk_rows`` rows of activations (per worker thread); see :class:`MCDropoutEngine` for the two
execution plans.

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
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from arisekit import _core
from arisekit._parallel import thread_map
from arisekit.parallel import explicit_threads, resolve_threads

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
_PASS_GROUP = 32  # passes planned together in the block-parallel plan (~1.5 MB of kernels each)


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
    #: distance-aware novelty (n,) of the predicted class (:mod:`arisekit.model.novelty`), if the model
    #: has a novelty reference; NaN where no check applies
    novelty: np.ndarray | None = field(default=None, repr=False)

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
    """Preallocated activation buffers for chunks of up to ``rows`` rows."""

    def __init__(self, rows: int, width: int) -> None:
        self.rows = rows
        self.act = (np.empty(rows * width, np.float32), np.empty(rows * width, np.float32))


class MCDropoutEngine:
    """Reusable MC-dropout evaluator: scaled kernels and work buffers are kept between calls.

    Two execution plans give the same numbers (up to float32 rounding):

    * few structures (< ``PASS_MAJOR_MIN_ROWS``): several passes share one matrix product and the
      keep-masks multiply the activations;
    * many structures: structures are split into blocks run by parallel worker threads (BLAS
      single-threaded inside), and each block runs pass after pass with the pass's masks folded into
      compacted kernels (dropped units are simply left out of the products). The input layer's product
      is computed once per block; each pass subtracts the contribution of its dropped input features.

    Calls are serialised by a lock.
    """

    #: Structures from which the block-parallel, pass-by-pass plan is used.
    PASS_MAJOR_MIN_ROWS = 512

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

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_ws"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _workspace(self, rows: int) -> _Workspace:
        if self._ws is None or self._ws.rows < rows:
            self._ws = _Workspace(rows, self._width)
        return self._ws

    def predict(
        self,
        X: np.ndarray,
        n_samples: int = 1000,
        seed: int | None = 0,
        return_samples: bool = False,
        representations: bool | Sequence[int] = False,
        n_threads: int | None = None,
    ) -> MCDropoutResult:
        """See :func:`mc_dropout_predict`."""
        _check_args(n_samples, self.chunk_rows)
        workers = resolve_threads(n_threads)
        Xs = self.weights.standardize(X)
        n, n_classes = Xs.shape[0], self.weights.n_classes
        stats = _Statistics(n, n_classes, n_samples if return_samples else 0)
        pass_major = n >= self.PASS_MAJOR_MIN_ROWS
        # BLAS threads: one per worker in the block plan; an explicit count (per call or process-wide) caps
        # them in the other
        blas_threads = 1 if pass_major else explicit_threads(n_threads)
        with self._lock, _blas_threads(blas_threads):
            if pass_major:
                self._predict_pass_major(Xs, int(n_samples), seed, stats, workers)
            else:
                self._predict_batched_passes(Xs, int(n_samples), seed, stats)
        res = stats.result(int(n_samples), seed)
        if representations is not False:
            layers = None if representations is True else list(representations)
            res = dataclasses.replace(res, representations=hidden_representations(self.weights, X, layers))
        return res

    def _predict_batched_passes(
        self, Xs: np.ndarray, n_samples: int, seed: int | None, stats: _Statistics
    ) -> None:
        n, d0 = Xs.shape
        block = min(n, self.chunk_rows)
        passes_per_chunk = min(max(1, self.chunk_rows // block), n_samples)
        ws = self._workspace(block * passes_per_chunk)
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
                    if i < last:
                        _core.bias_relu(z, b)
                        _apply_mask(z, masks[i + 1], tc, nb)
                    else:
                        z += b
                    h = z
                stats.add(h, s0, t0, tc)

    def _predict_pass_major(
        self, Xs: np.ndarray, n_samples: int, seed: int | None, stats: _Statistics, workers: int
    ) -> None:
        n = Xs.shape[0]
        block = min(self.chunk_rows, -(-n // workers))
        starts = list(range(0, n, block))
        rng = np.random.default_rng(seed)
        blocks = [Xs[s0 : s0 + block] for s0 in starts]
        with thread_map(workers) as run:
            for t0 in range(0, n_samples, _PASS_GROUP):
                tc = min(_PASS_GROUP, n_samples - t0)
                keeps = [None if m is None else m.astype(bool) for m in self._sampler.draw(rng, tc)]
                per_pass = [[None if m is None else m[j] for m in keeps] for j in range(tc)]
                plans = list(run(self._plan_pass, per_pass))
                list(run(self._run_block, blocks, starts, repeat(plans), repeat(t0), repeat(stats)))

    def _plan_pass(self, keep: list[np.ndarray | None]) -> _PassPlan:
        """Kernels of one pass with its dropped units left out (keep: per dense layer, its inputs' mask)."""
        kernels, biases = self._kernels, self.weights.biases
        last = len(kernels) - 1
        kept = [None if m is None else np.flatnonzero(m) for m in keep] + [None]
        dropped = np.empty(0, np.int64) if keep[0] is None else np.flatnonzero(~keep[0])
        out_cols = np.arange(kernels[0].shape[1]) if kept[1] is None else kept[1]
        layers, layer_biases = [], []
        for i in range(1, last + 1):
            k, b = kernels[i], biases[i]
            if kept[i] is not None:
                k = np.take(k, kept[i], axis=0)
            if kept[i + 1] is not None:
                k, b = np.take(k, kept[i + 1], axis=1), np.take(b, kept[i + 1])
            layers.append(k)
            layer_biases.append(b)
        return _PassPlan(
            dropped=dropped,
            dropped_kernel=np.take(np.take(kernels[0], dropped, axis=0), out_cols, axis=1),
            out_cols=out_cols.astype(np.int64),
            kernels=layers,
            biases=layer_biases,
        )

    def _run_block(
        self, xb: np.ndarray, s0: int, plans: list[_PassPlan], t0: int, stats: _Statistics
    ) -> None:
        """Passes t0, t0 + 1, ... (one plan each) for one block of standardised descriptors."""
        nb = xb.shape[0]
        base = xb @ self._kernels[0]  # input-layer product without dropout, bias included
        base += self.weights.biases[0]
        bufs = (np.empty(nb * self._width, np.float32), np.empty(nb * self._width, np.float32))
        for j, plan in enumerate(plans):
            # input layer: base minus the dropped features' share, restricted to the kept outputs
            h = bufs[1][: nb * len(plan.out_cols)].reshape(nb, len(plan.out_cols))
            np.matmul(xb[:, plan.dropped], plan.dropped_kernel, out=h)
            if not plan.kernels:  # single-layer network: these are the logits
                np.subtract(base[:, plan.out_cols], h, out=h)
            else:
                _core.gathered_difference_relu(h, base, plan.out_cols)
            for i, (k, b) in enumerate(zip(plan.kernels, plan.biases, strict=True)):
                z = bufs[i % 2][: nb * k.shape[1]].reshape(nb, k.shape[1])
                np.matmul(h, k, out=z)
                if i < len(plan.kernels) - 1:
                    _core.bias_relu(z, b)
                else:
                    z += b
                h = z
            stats.add(h, s0, t0 + j)


@dataclass(frozen=True)
class _PassPlan:
    """One Monte-Carlo pass with its dropped units removed from the kernels (scaled by 1/(1-p))."""

    dropped: np.ndarray  # input features dropped in this pass
    dropped_kernel: np.ndarray  # their input-layer kernel rows, kept output columns only
    out_cols: np.ndarray  # kept outputs of the input layer (int64)
    kernels: list[np.ndarray]  # compacted kernels of the following layers
    biases: list[np.ndarray]


class _Statistics:
    """Running Monte-Carlo sums for n structures; blocks of rows are added by (possibly concurrent)
    workers that own disjoint row ranges."""

    def __init__(self, n: int, n_classes: int, keep_samples: int) -> None:
        self.prob_sum = np.zeros((n, n_classes), dtype=np.float64)
        self.ent_sum = np.zeros(n, dtype=np.float64)
        self.counts = np.zeros((n, n_classes), dtype=np.int64)
        self.samples = np.empty((keep_samples, n, n_classes), np.float32) if keep_samples else None

    def add(self, logits: np.ndarray, s0: int, t0: int, passes: int = 1) -> None:
        """Softmax of the (passes × m, C) logits of passes t0.. for structures s0..s0+m (pass-major rows;
        the logits are overwritten by the probabilities)."""
        m = logits.shape[0] // passes
        sl = slice(s0, s0 + m)
        _core.softmax_accumulate(logits, self.prob_sum[sl], self.ent_sum[sl], self.counts[sl])
        if self.samples is not None:
            self.samples[t0 : t0 + passes, sl] = logits.reshape(passes, m, -1)

    def result(self, n_samples: int, seed: int | None) -> MCDropoutResult:
        mean = self.prob_sum / n_samples
        pred_ent = entropy(mean)
        exp_ent = self.ent_sum / n_samples
        return MCDropoutResult(
            probabilities=mean,
            mutual_information=np.maximum(pred_ent - exp_ent, 0.0),
            predictive_entropy=pred_ent,
            expected_entropy=exp_ent,
            variation_ratio=1.0 - self.counts.max(axis=1) / n_samples,
            n_samples=n_samples,
            seed=seed,
            samples=self.samples,
        )


@contextmanager
def _blas_threads(limit: int | None):
    """BLAS limited to ``limit`` threads inside the block (None: left as it is)."""
    if limit is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def mc_dropout_predict(
    weights: MLPWeights,
    X: np.ndarray,
    n_samples: int = 1000,
    seed: int | None = 0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    return_samples: bool = False,
    representations: bool | Sequence[int] = False,
    n_threads: int | None = None,
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
    n_threads : worker threads for many structures (None: the process-wide setting of
        :mod:`arisekit.parallel`, by default all cores available to the process).

    Returns
    -------
    MCDropoutResult

    For repeated calls, :class:`MCDropoutEngine` reuses its buffers and is faster.
    """
    return MCDropoutEngine(weights, chunk_rows).predict(
        X, n_samples, seed, return_samples, representations, n_threads
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
