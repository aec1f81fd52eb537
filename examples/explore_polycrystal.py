"""Unsupervised exploration of ARISE's representations of a synthetic polycrystal (ARISE Fig. 2d–g).

Builds a mono-species 4-grain slab polycrystal (fcc, bcc, hcp, diamond), maps it by strided pattern
matching keeping the hidden-layer representations, clusters the first hidden layer with HDBSCAN (sweep of
the minimum cluster size with DBCV), projects it with UMAP, and writes cluster maps, scatter plots and
tables. Since the grains are known, it also reports how well the clusters match them (adjusted Rand index)
and how many outlier boxes lie within one box length of a grain boundary, and names the library prototype
nearest to each cluster's best exemplar.

    python examples/explore_polycrystal.py                       # shipped default model
    python examples/explore_polycrystal.py --model my_model_dir -o results
    python examples/explore_polycrystal.py --demo-model     # train a small fcc/bcc/hcp/diamond model first
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default="arise_explore_results", help="output folder")
    ap.add_argument(
        "--model", default=None, metavar="PATH", help="ARISE model directory (default: shipped model)"
    )
    ap.add_argument("--demo-model", action="store_true", help="train a small 4-class model instead (~1 min)")
    ap.add_argument("--size", nargs=3, type=float, default=[80.0, 80.0, 10.0], metavar=("LX", "LY", "LZ"))
    ap.add_argument(
        "--species", default="Cu", help="chemical symbol of all atoms (ARISE Fig. 2a is mono-species)"
    )
    ap.add_argument("--box-size", type=float, default=10.0, help="SPM box edge (Å)")
    ap.add_argument("--stride", type=float, default=2.5, help="SPM stride (Å)")
    ap.add_argument(
        "--box-descriptors",
        "--spm-mode",
        dest="box_descriptors",
        choices=["fast", "exact"],
        default="exact",
        help="how SPM boxes are described (--spm-mode is the older name)",
    )
    ap.add_argument("--n-samples", type=int, default=20, help="Monte-Carlo dropout samples per box")
    ap.add_argument("--layer", type=int, default=1, help="hidden layer, 1 = first (default)")
    ap.add_argument("--min-cluster-size", type=int, nargs="+", default=[20, 40, 60], metavar="N")
    ap.add_argument("--n-neighbors", type=int, default=15, help="UMAP n_neighbors")
    ap.add_argument("--no-umap", action="store_true", help="skip UMAP (faster)")
    ap.add_argument("--seed", type=int, default=1, help="polycrystal seed")
    return ap.parse_args(argv)


def demo_model():
    """A small fcc/bcc/hcp/diamond classifier (periodic cells and open supercells, pristine and rattled)."""
    from ase.build import bulk

    from arisekit.descriptors import arise_soap_batch
    from arisekit.model import ARISEClassifier

    makers = {
        "fcc": lambda: bulk("Cu", "fcc", a=3.61, cubic=True),
        "bcc": lambda: bulk("Fe", "bcc", a=2.87, cubic=True),
        "hcp": lambda: bulk("Mg", "hcp", a=3.21, c=5.21, orthorhombic=True),
        "diamond": lambda: bulk("Si", "diamond", a=5.43, cubic=True),
    }
    rng = np.random.default_rng(0)
    structures, labels = [], []
    for k, make in enumerate(makers.values()):
        for rep in (1, 3, 4):
            for noise in (0.0, 0.02, 0.05):
                a = make().repeat(rep)
                a.pbc = rep == 1
                a.positions += rng.uniform(-noise, noise, a.positions.shape) * 2.5
                structures.append(a)
                labels.append(k)
    params = dict(cutoff=4.0, atom_sigma=0.1, extrinsic_scale=1.0)
    clf = ARISEClassifier(epochs=150, learning_rate=2e-3, standardize=True, validation_fraction=0.0, seed=1)
    return clf.fit(
        arise_soap_batch(structures, **params),
        np.array(labels),
        class_names=list(makers),
        class_metadata=[{"name": n, "category": "elemental"} for n in makers],
        descriptor_params=params,
    )


def ground_truth(sample, result):
    """Majority grain of each box and distance (Å) of each box centre to the nearest grain boundary."""
    from arisekit.explore.maps import box_grid
    from arisekit.samples.voronoi import boundary_distance, nearest_seed

    grid, _ = box_grid(result, sample)
    gid = sample.arrays["grain_id"]
    majority = np.array(
        [np.bincount(gid[grid.members(b)]).argmax() if grid.counts[b] else -1 for b in range(grid.n_boxes)]
    )
    seeds = np.asarray(sample.info["grain_seeds"])
    return majority, boundary_distance(result.centers, seeds, nearest_seed(result.centers, seeds, 2), 2)


def main(argv=None) -> int:
    from sklearn.metrics import adjusted_rand_score

    from arisekit.explore import explore, nearest, prototype_references
    from arisekit.explore.similarity import box_features
    from arisekit.model import load_model
    from arisekit.samples import polycrystal
    from arisekit.spm import spm

    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    try:
        model = demo_model() if args.demo_model else load_model(args.model)
    except FileNotFoundError as exc:
        print(f"error: {exc}\n(or run with --demo-model to train a small fcc/bcc/hcp/diamond model)")
        return 2
    grains = ["fcc", "bcc", "hcp", "diamond"]
    sample = polycrystal(grains, size=args.size, geometry="slab", seed=args.seed, species=args.species)
    print(f"polycrystal: {len(sample)} atoms, grains {sample.info['grain_classes']}")
    result = spm(
        sample,
        box_size=args.box_size,
        stride=args.stride,
        box_descriptors=args.box_descriptors,
        n_samples=args.n_samples,
        model=model,
        representations=True,
    )
    result.save(out / "spm.h5")
    sample.write(out / "polycrystal.extxyz")
    n_boxes = int(result.valid.sum())
    print(f"SPM ({args.box_descriptors}): {n_boxes} boxes; classes {result.class_fractions()}")

    ex = explore(
        result,
        layer=args.layer - 1,
        min_cluster_sizes=args.min_cluster_size,
        embed=not args.no_umap,
        n_neighbors=args.n_neighbors,
        atoms=sample,
        pairs=[f"{args.species}-{args.species}"],
        out_dir=out / "explore",
    )
    print("  size  clusters  outliers  DBCV")
    for r in ex.sweep:
        mark = "*" if r.min_cluster_size == ex.clustering.min_cluster_size else " "
        print(
            f" {mark}{r.min_cluster_size:5d} {r.n_clusters:8d}  {r.outlier_fraction:8.1%}  {r.validity:6.3f}"
        )

    majority, dist = ground_truth(sample, result)
    labels, ids = ex.clustering.labels, ex.data.ids
    inlier = labels >= 0
    ari = adjusted_rand_score(majority[ids][inlier], labels[inlier])
    near = float(np.mean(dist[ids[~inlier]] <= args.box_size)) if (~inlier).any() else float("nan")
    print(f"adjusted Rand index clusters vs grains (non-outliers): {ari:.3f}")
    print(f"outlier boxes within one box length ({args.box_size} Å) of a grain boundary: {near:.1%}")

    refs = prototype_references(model, names=list(model.classes_))
    best = [members[0]["id"] for members in ex.exemplars.values()]
    for c, (box, hits) in enumerate(zip(best, nearest(box_features(result, sample, best, model), refs, k=2))):
        print(f"  cluster {c}: exemplar box {box} -> " + ", ".join(f"{n} ({s:.3f})" for n, s in hits))
    print(f"done in {time.time() - t0:.0f} s; results in {out.resolve()}/explore")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
