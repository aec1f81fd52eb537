"""Monte-Carlo dropout inference throughput vs the machine's float32 GEMM rate.

For the paper-size network (316 → 256 → 512 → 256 → 108, dropout 3.17 %) — or a saved model given with
--model — the NumPy MC-dropout engine is timed for several (structures × passes) workloads, from one
structure (several passes share a product) to SPM-sized batches (blocks of structures on worker
threads, pass by pass, dropped units left out of the products, input layer shared by all passes).
Reference: the dense network's float32 ``numpy.matmul`` products for the same number of
(structure, pass) rows, ``chunk_rows`` rows per product, BLAS on all cores — the plain GEMM rate of this
machine for this work — measured in the same run and interleaved with the MC timings; both take the
best of ``--repeats`` so that a machine shared with other jobs affects both alike. The engine is reused
between calls, as ``ARISEClassifier`` does.

Reported: passes/s (structure-passes per second), achieved rate in dense-network FLOPs per second and
its ratio to the GEMM rate (target ≥ 50 %; above 100 % where the engine skips work that dense products
do).

    python benchmarks/mc_dropout.py [--model DIR] [--repeats 15] [--chunk-rows 2048 ...]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from arisekit.model.mc_dropout import DEFAULT_CHUNK_ROWS, MCDropoutEngine
from arisekit.model.network import MLPWeights

WORKLOADS = (  # (name, structures, passes)
    ("1 structure, T=1000", 1, 1000),
    ("1 structure, T=10000", 1, 10000),
    ("100 structures, T=100", 100, 100),
    ("1000 boxes, T=20", 1000, 20),
    ("20000 boxes, T=100", 20000, 100),
)


def paper_network(seed: int = 0, n_classes: int = 108) -> MLPWeights:
    """Randomly initialised (He) network with the shapes of Table 2 of the paper."""
    rng = np.random.default_rng(seed)
    dims = (316, 256, 512, 256, n_classes)
    kernels = [rng.normal(0, np.sqrt(2 / a), (a, b)) for a, b in zip(dims[:-1], dims[1:], strict=True)]
    biases = [rng.normal(0, 0.05, b) for b in dims[1:]]
    return MLPWeights(kernels, biases, [0.0317] * 4)


def chunk_plan(n: int, passes: int, chunk_rows: int) -> list[int]:
    """Rows of each dense product when the n × passes rows are cut into ``chunk_rows`` pieces."""
    total = n * passes
    return [chunk_rows] * (total // chunk_rows) + ([total % chunk_rows] if total % chunk_rows else [])


def gemm_seconds(weights: MLPWeights, plan: list[int], a: np.ndarray, outs: list[np.ndarray]) -> float:
    """Wall time of the network's float32 matrix products over all chunks of ``plan``."""
    t = time.perf_counter()
    for rows in plan:
        h = a[:rows]
        for k, o in zip(weights.kernels, outs, strict=True):
            np.matmul(h, k, out=o[:rows])
            h = o[:rows]
    return time.perf_counter() - t


def measure(weights: MLPWeights, n: int, passes: int, chunk_rows: int, repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(2)
    X = np.abs(rng.normal(size=(n, weights.n_features))).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    plan = chunk_plan(n, passes, chunk_rows)
    a = rng.random((max(plan), weights.n_features), dtype=np.float32)
    outs = [np.empty((max(plan), k.shape[1]), np.float32) for k in weights.kernels]
    flops = weights.flops_per_pass() * n * passes
    engine = MCDropoutEngine(weights, chunk_rows)  # reused, as ARISEClassifier does
    engine.predict(X[: min(n, 4)], n_samples=10)  # warm-up
    mc_best = gemm_best = np.inf
    for r in range(repeats):
        gemm_best = min(gemm_best, gemm_seconds(weights, plan, a, outs))
        t = time.perf_counter()
        engine.predict(X, n_samples=passes, seed=r)
        mc_best = min(mc_best, time.perf_counter() - t)
    return {
        "passes_per_s": n * passes / mc_best,
        "mc_gflops": flops / mc_best / 1e9,
        "gemm_gflops": flops / gemm_best / 1e9,
        "ratio": gemm_best / mc_best,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model directory (default: random paper-size network)")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--chunk-rows", type=int, nargs="+", default=[DEFAULT_CHUNK_ROWS])
    args = ap.parse_args()
    if args.model:
        from arisekit.model import load_model

        weights = load_model(args.model).weights_
    else:
        weights = paper_network()
    print(
        f"network {weights.n_features}-{'-'.join(map(str, weights.hidden_sizes))}-{weights.n_classes}, "
        f"{weights.n_parameters} parameters, {weights.flops_per_pass() / 1e6:.3f} MFLOP per pass"
    )
    head = ("workload", "chunk", "passes/s", "MC GFLOP/s", "GEMM GFLOP/s", "ratio")
    print(f"{head[0]:<24s} {head[1]:>6s} {head[2]:>10s} {head[3]:>11s} {head[4]:>13s} {head[5]:>6s}")
    worst = np.inf
    for chunk in args.chunk_rows:
        for name, n, passes in WORKLOADS:
            m = measure(weights, n, passes, chunk, args.repeats)
            worst = min(worst, m["ratio"])
            print(
                f"{name:<24s} {chunk:>6d} {m['passes_per_s']:>10.4g} {m['mc_gflops']:>11.1f} "
                f"{m['gemm_gflops']:>13.1f} {100 * m['ratio']:>5.0f}%"
            )
    print(f"lowest achieved/GEMM ratio: {100 * worst:.0f}% (target >= 50%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
