"""ARISE Fig. 4 / S10 / S11 workflow on a synthetic FePt nanoparticle annealing series with known truth.

The series (``arisekit.samples.annealing_series``, a seeded order-parameter schedule) is measured with
AET-like errors (``arisekit.samples.aet_errors``), written as point clouds plus truth, read back with
``arisekit.io.read_point_cloud`` and mapped by SPM with 12 and 16 Å boxes. Scores against truth:

* per-box accuracy of L1_0 / L1_2 / fcc (A1) inside regions (box purity ≥ 0.9) and near walls; the same
  per atom (SPM projected onto the atoms; interior: ≥ box/2 from another region);
* the disordered shell: fraction of shell boxes flagged (fcc or the disorder verdict), shell boxes named
  L1_0 with p ≥ 0.8;
* the L1_0 boxes of the last step clustered on the first hidden layer (HDBSCAN, soft labels), Δd =
  d_FeFe − d_PtPt and an estimated c/a per cluster, and whether clusters separate domains whose c/a
  differs by ≥ 2 %;
* median MI per step, its monotonic fall, Spearman correlation between the order parameter and the
  decrease of the median MI; MI histograms, cumulative distributions and radial profiles (Fig. S11);
* the time and peak memory of the 16 Å map of the last step (``--timing-child``: again in a fresh process).

    python benchmarks/aet.py --out aet                  # 23k atoms, 3 steps (see --help)
    python benchmarks/aet.py --out aet_quick --quick    # 4k atoms, stride 3 Å: a few minutes

Writes ``scores.json``, ``scores.md``, maps (``maps/*.h5``), data (``data/*.csv`` + truth) and figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from arisekit._json import dumps as json_dumps

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _aet_plots as plots  # noqa: E402
from _common import machine  # noqa: E402

#: SPM modes: arisekit's two, and fast mode without the exact fallback for surface boxes.
MODES = ("exact", "fast", "fast-pure")


def spm_mode(mode: str) -> dict:
    """Keyword arguments of :func:`arisekit.spm.spm` for a mode of :data:`MODES`."""
    return {"mode": "fast", "surface_threshold": None} if mode == "fast-pure" else {"mode": mode}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="aet", help="output folder")
    p.add_argument("--atoms", type=int, default=23_000, help="particle size (default 23000)")
    p.add_argument("--orders", nargs="+", type=float, default=None, help="LRO per step (default schedule)")
    p.add_argument("--shells", nargs="+", type=float, default=None, help="shell thickness per step (Å)")
    p.add_argument(
        "--subdomains", nargs="+", type=int, default=None, help="variant domains per region per step"
    )
    p.add_argument("--boxes", nargs="+", type=float, default=[12.0, 16.0], help="SPM box sizes (Å)")
    p.add_argument("--stride", type=float, default=2.0, help="SPM stride (Å, default 2)")
    p.add_argument("--samples", type=int, default=100, help="MC-dropout samples per box (default 100)")
    p.add_argument(
        "--mode",
        choices=MODES,
        default="exact",
        help="SPM descriptors (default exact, as ARISE: in fast mode interior boxes see bulk environments, "
        "where the shipped model reads FePt-like L1_0 as fcc; fast-pure also skips the exact fallback of "
        "surface boxes)",
    )
    p.add_argument("--explore-box", type=float, default=12.0, help="box size of the L1_0 clustering")
    p.add_argument(
        "--min-cluster-sizes", nargs="+", type=int, default=[10, 20, 40, 60, 100, 150], help="HDBSCAN sweep"
    )
    p.add_argument(
        "--min-cluster-size",
        type=int,
        default=100,
        help="HDBSCAN size used for the L1_0 clusters (default 100; 0: the sweep's best DBCV). Chosen on "
        "the particles of seeds 0-4 with --slow-features 3 (every size of 60-150 separates all domain pairs "
        "there; DBCV's pick does not); --min-samples and --explore-mi-max on seeds 0-2",
    )
    p.add_argument(
        "--explore-mi-max",
        type=float,
        default=0.05,
        help="cluster only L1_0 boxes with MI below this (nats; default 0.05: confident domain interiors)",
    )
    p.add_argument(
        "--min-samples", type=int, default=5, help="HDBSCAN min_samples of the L1_0 clusters (default 5)"
    )
    p.add_argument(
        "--raw-features",
        action="store_true",
        help="with --slow-features 0: cluster the raw first-hidden-layer features (default: standardized)",
    )
    p.add_argument(
        "--slow-features",
        type=int,
        default=3,
        help="cluster the L1_0 boxes on this many spatially slowest directions of the first hidden layer "
        "(arisekit.explore.slow; default 3, chosen on seeds 0-4; 0: all units, as ARISE)",
    )
    p.add_argument("--position-noise", type=float, default=0.2, help="Gaussian sigma per coordinate (Å)")
    p.add_argument("--species-error", type=float, default=0.03, help="fraction of species mislabelled")
    p.add_argument("--missing", type=float, default=0.02, help="fraction of atoms missing")
    p.add_argument("--spurious", type=float, default=0.01, help="fraction of spurious atoms")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    p.add_argument("--threads", type=int, default=0, help="threads (0: all cores of the process)")
    p.add_argument(
        "--no-target-condition",
        action="store_true",
        help="skip the extra maps of the last step with position noise and species errors only",
    )
    p.add_argument(
        "--timing-child",
        action="store_true",
        help="also time the 16 Å map of the last step in a fresh process (clean peak memory)",
    )
    p.add_argument("--quick", action="store_true", help="4000 atoms, stride 3 Å, 30 samples")
    p.add_argument(
        "--rescore",
        action="store_true",
        help="reuse the data and maps already in --out (no SPM): recompute scores, figures, clusters",
    )
    p.add_argument("--time-map", default=None, help=argparse.SUPPRESS)  # child: time one map of this file
    args = p.parse_args(argv)
    if args.quick:
        args.atoms, args.stride, args.samples = 4000, 3.0, 30
    return args


def load_step(path: Path):
    """A point cloud written by ``write_aet`` read back with arisekit's reader, truth arrays attached."""
    from arisekit.io import read_point_cloud
    from arisekit.samples import read_truth

    atoms = read_point_cloud(path)
    arrays, info = read_truth(path)
    if len(arrays["numbers"]) != len(atoms) or not np.array_equal(arrays["numbers"], atoms.numbers):
        raise ValueError(f"{path}: truth rows do not match the point cloud")
    for key, values in arrays.items():
        if key != "numbers":
            atoms.arrays[key] = values
    atoms.info.update(info)
    return atoms


def time_map(
    path: Path, box: float, stride: float, samples: int, threads: int, mode: str, model_dir: str | None = None
) -> dict:
    """Child process: time one SPM map of ``path`` (model loading excluded) and report peak memory."""
    import arisekit
    from arisekit.spm import spm

    atoms = load_step(path)
    model = arisekit.load_model(model_dir)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    kw = spm_mode(mode)
    res = spm(atoms, box_size=box, stride=stride, n_samples=samples, model=model, n_threads=threads, **kw)
    seconds = time.perf_counter() - t0
    return {
        "atoms": len(atoms),
        "box_size": box,
        "stride": stride,
        "n_samples": samples,
        "mode": mode,
        "boxes": int(res.n_boxes),
        "classified_boxes": int(res.valid.sum()),
        "exact_boxes": int(res.params.get("exact_boxes", 0)),
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_map_mib": rss0,
        "threads": threads,
    }


def build_series(args, data_dir: Path) -> list:
    from arisekit.samples import (
        ANNEALING_ORDERS,
        ANNEALING_SHELLS,
        ANNEALING_SUBDOMAINS,
        aet_errors,
        annealing_series,
        write_aet,
    )

    orders = args.orders or list(ANNEALING_ORDERS)
    shells = args.shells or [ANNEALING_SHELLS[0]] * len(orders)
    subs = args.subdomains or [ANNEALING_SUBDOMAINS[0]] * len(orders)
    clean = annealing_series(args.atoms, args.seed, orders=orders, shells=shells, subdomains=subs)
    paths = []
    for k, atoms in enumerate(clean):
        noisy = aet_errors(
            atoms,
            args.seed * 1000 + k,
            position_noise=args.position_noise,
            species_error=args.species_error,
            missing=args.missing,
            spurious=args.spurious,
        )
        path = data_dir / f"particle_t{k}.csv"
        write_aet(noisy, path)
        paths.append(path)
    if not args.no_target_condition:  # the targets' condition: position noise and species errors only
        noisy = aet_errors(
            clean[-1],
            args.seed * 1000 + len(clean) - 1,
            position_noise=args.position_noise,
            species_error=args.species_error,
            missing=0.0,
            spurious=0.0,
        )
        path = data_dir / f"particle_t{len(clean) - 1}_noise_species_only.csv"
        write_aet(noisy, path)
        paths.append(path)
    return paths


def score_map(result, atoms, box: float) -> dict:
    from arisekit.samples.truth_scores import (
        atom_accuracy,
        box_truth,
        class_accuracy,
        confident,
        region_accuracy,
    )
    from arisekit.spm import project_to_atoms

    truth = box_truth(result, atoms)
    valid = result.valid
    mi = np.asarray(result.mutual_information)
    shell = (truth.region == 0) & valid
    shell_pure = shell & (truth.purity >= 0.9)
    l10_conf = confident(result, "L1_0", 0.8)
    projected = project_to_atoms(result, atoms)
    core = valid & (truth.region > 0)
    return {
        "boxes": int(result.n_boxes),
        "classified_boxes": int(valid.sum()),
        "exact_boxes": int(result.params.get("exact_boxes", 0)),
        "class_fractions": {k: round(v, 4) for k, v in result.class_fractions().items() if v >= 0.005},
        "per_box": class_accuracy(result, truth),
        "per_box_whole": class_accuracy(result, truth, purity=1.0),  # boxes wholly inside one region
        "per_atom": atom_accuracy(projected, result.class_names, atoms, wall=box / 2),
        "shell": {
            "boxes": int(shell.sum()),
            "pure_boxes": int(shell_pure.sum()),
            "flagged": _mean(
                np.isin(np.asarray(result.predictions, dtype=object)[shell], ["fcc", "disordered"])
            ),
            "named_L1_0_confidently": int((l10_conf & shell).sum()),
            "named_L1_0_confidently_low_mi": int((l10_conf & shell & (mi < 0.1)).sum()),
            "named_L1_0_confidently_atoms": [int(c) for c in result.counts[l10_conf & shell]],
            "not_named_ordered": _mean(
                ~np.isin(np.asarray(result.predictions, dtype=object)[shell], ["L1_0", "L1_2"])
            ),
            "pure_named_L1_0_confidently": int((l10_conf & shell_pure).sum()),
            "max_p_L1_0": float(np.nanmax(result.probabilities[shell, result.class_index("L1_0")]))
            if shell.any()
            else float("nan"),
        },
        "mi_median": float(np.median(mi[valid])),
        "mi_fraction_below": {f"{x:g}": float(np.mean(mi[valid] < x)) for x in (0.01, 0.05, 0.1, 0.2)},
        "mi_mean": float(np.mean(mi[valid])),
        "mi_median_core": float(np.median(mi[core])) if core.any() else float("nan"),
        "mi_median_by_boxes": {
            "ordered_interior": _median(mi[core & (truth.purity >= 0.9)]),
            "core_walls": _median(mi[core & (truth.purity < 0.9)]),
            "shell": _median(mi[shell]),
        },
        "per_region": region_accuracy(result, truth, atoms.info["region_kinds"]),
        "truth": truth,
    }


def _median(x) -> float:
    x = np.asarray(x)
    return float(np.median(x)) if len(x) else float("nan")


def _mean(x) -> float:
    x = np.asarray(x)
    return float(x.mean()) if len(x) else float("nan")


def explore_l10(result, atoms, args, out: Path) -> dict:
    """Fig. 4b: L1_0 boxes clustered on the first hidden layer; Δd and c/a per cluster; domain split."""
    from arisekit.explore import explore
    from arisekit.explore.data import from_spm
    from arisekit.samples.truth_scores import box_truth, domain_separation, tetragonality_probe

    n_l10 = int((np.asarray(result.predictions, dtype=object) == "L1_0").sum())
    if n_l10 < 10:
        return {"l10_boxes": n_l10, "skipped": "fewer than 10 L1_0 boxes"}
    ex = explore(
        result,
        n_neighbors=min(15, n_l10 - 1),
        layer=0,
        only_class="L1_0",
        mi_range=(0.0, args.explore_mi_max),
        min_cluster_sizes=args.min_cluster_sizes,
        min_cluster_size=args.min_cluster_size or None,
        min_samples=args.min_samples,
        standardize=not args.raw_features,
        slow_features=args.slow_features,
        atoms=atoms,
        pairs=["Fe-Fe", "Pt-Pt", "Fe-Pt"],
        delta=("Fe", "Pt"),
        use_soft=True,
        seed=args.seed,
        out_dir=out,
    )
    truth = box_truth(result, atoms)
    labels = ex.labels(soft=True)
    sep = domain_separation(labels, ex.data.ids, truth, atoms.info["region_c_over_a"])
    every = from_spm(result, 0, "L1_0", None)  # all L1_0 boxes, MI unfiltered
    probe = tetragonality_probe(every.features, every.ids, truth, atoms.info["region_c_over_a"])
    d = ex.distances
    ca_all = np.asarray(atoms.info["region_c_over_a"])
    ca_truth = ca_all[np.maximum(truth.region[ex.data.ids], 0)]
    low_ca = min(ca_all[ca_all < 1.0], default=1.0)
    clusters = {}
    for c in sorted(set(labels.tolist())):
        sel = labels == c
        dd = d["delta_FeFe-PtPt"][sel]
        clusters["outlier" if c < 0 else str(c)] = {
            "boxes": int(sel.sum()),
            "delta_d_median": float(np.nanmedian(dd)) if np.isfinite(dd).any() else float("nan"),
            "delta_d_std": float(np.nanstd(dd)) if np.isfinite(dd).any() else float("nan"),
            "d_FeFe_median": float(np.nanmedian(d["Fe-Fe"][sel])),
            "d_FePt_median": float(np.nanmedian(d["Fe-Pt"][sel])),
            "share_lowest_c_over_a": float(np.mean(np.isclose(ca_truth[sel], low_ca))),
            "share_cubic_truth": float(np.mean(np.isclose(ca_truth[sel], 1.0))),
            "mi_median": float(np.median(ex.data.mutual_information[sel])),
        }
    return {
        "l10_boxes": len(ex.data),
        "min_cluster_size": ex.clustering.min_cluster_size,
        "standardized": bool(ex.params["standardize"]),
        "slow_features": int(ex.params["slow_features"]),
        "min_samples": ex.params["min_samples"],
        "mi_range": ex.params["mi_range"],
        "sweep": [
            {"min_cluster_size": r.min_cluster_size, "n_clusters": r.n_clusters, "validity": r.validity}
            for r in ex.sweep
        ],
        "n_clusters": ex.clustering.n_clusters,
        "outlier_fraction": ex.clustering.outlier_fraction,
        "soft_outlier_fraction": ex.clustering.soft_outlier_fraction,
        "clusters": clusters,
        "separation": sep,
        "probe": probe,
    }


def _falls(values) -> bool:
    return bool(all(b < a for a, b in zip(values, values[1:], strict=False)))


def spearman(order, mi) -> float:
    from scipy.stats import spearmanr

    drop = [mi[0] - m for m in mi]
    if len(order) < 2 or np.ptp(drop) == 0:
        return float("nan")
    return float(spearmanr(order, drop).statistic)


def run(args) -> dict:
    import arisekit
    from arisekit.explore import mi_histograms, write_time_series

    out = Path(args.out)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    old = json.loads((out / "scores.json").read_text()) if args.rescore else None
    paths = existing_series(out / "data", args) if args.rescore else build_series(args, out / "data")
    steps = [load_step(p) for p in paths]
    target_step = None if args.no_target_condition else steps.pop()
    labels = [f"t{k} (S={a.info['order']:.2f})" for k, a in enumerate(steps)]
    model = arisekit.load_model(args.model)
    report: dict = {
        "machine": machine(),
        "params": {k: v for k, v in vars(args).items() if k != "time_map"},
        "series": [
            {
                "step": k,
                "atoms": len(a),
                "order": a.info["order"],
                "lro_measured": a.info["lro"],
                "ordered_fraction": a.info["ordered_fraction"],
                "order_parameter": a.info["order_parameter"],
                "shell_thickness": a.info["shell_thickness"],
                "subdomains": a.info["subdomains"],
                "n_missing": a.info["n_missing"],
                "n_spurious": a.info["n_spurious"],
                "n_mislabelled": a.info["n_mislabelled"],
                "region_kinds": a.info["region_kinds"],
                "region_c_over_a": list(np.asarray(a.info["region_c_over_a"], dtype=float)),
            }
            for k, a in enumerate(steps)
        ],
        "maps": {},
    }
    results: dict[float, list] = {}
    for box in args.boxes:
        results[box] = []
        rows = []
        for k, atoms in enumerate(steps):
            reps = [0] if (box == args.explore_box and k == len(steps) - 1) else False
            name = f"spm_{box:g}A_t{k}.h5"
            res, seconds, rss = get_map(atoms, box, reps, out / "maps" / name, args, model, old, k)
            row = score_map(res, atoms, box)
            truth = row.pop("truth")
            row.update(label=labels[k], order_parameter=atoms.info["order_parameter"], seconds=seconds)
            row["peak_rss_mib"] = rss
            rows.append(row)
            results[box].append(res)
            plots.class_maps(res, truth, out / f"class_maps_{box:g}A_t{k}.png", f"{box:g} Å box, {labels[k]}")
            print(
                f"[{time.perf_counter() - t_start:7.1f} s] box {box:g} Å step {k}: {seconds:.1f} s, "
                f"median MI {row['mi_median']:.3f}",
                flush=True,
            )
        mi = [r["mi_median"] for r in rows]
        order = [r["order_parameter"] for r in rows]
        interior = [r["mi_median_by_boxes"]["ordered_interior"] for r in rows]
        low = [r["mi_fraction_below"]["0.01"] for r in rows]
        report["maps"][f"{box:g}"] = {
            "steps": rows,
            "mi_median_monotonic_decrease": _falls(mi),
            "spearman_order_vs_mi_decrease": spearman(order, mi),
            "interior_mi_median_monotonic_decrease": _falls(interior),
            "spearman_order_vs_interior_mi_decrease": spearman(order, interior),
            "low_mi_fraction_monotonic_increase": _falls([-x for x in low]),
        }
        if target_step is not None:
            name = f"spm_{box:g}A_t{len(steps) - 1}_noise_species_only.h5"
            res, seconds, _ = get_map(
                target_step, box, False, out / "maps" / name, args, model, old, "target"
            )
            row = score_map(res, target_step, box)
            row.pop("truth")
            row["seconds"] = seconds
            report["maps"][f"{box:g}"]["target_condition"] = row
        write_time_series(results[box], out / f"timeseries_{box:g}A", labels=labels)
        plots.mi_slices(results[box], labels, out / f"mi_slices_{box:g}A.png")
    hists = {box: mi_histograms(results[box], labels, bins=20, mi_max=0.7) for box in args.boxes}
    series = {box: report["maps"][f"{box:g}"]["steps"] for box in args.boxes}
    plots.mi_over_annealing(series, hists, out / "mi_annealing.png")
    if args.explore_box in results:
        report["explore"] = explore_l10(results[args.explore_box][-1], steps[-1], args, out / "explore_l10")
    last = report["maps"].get("16", {}).get("steps", [None])[-1]
    if last is not None:  # the 16 Å map of the last step, timed in this run
        report["timing"] = {
            "atoms": len(steps[-1]),
            "box_size": 16.0,
            "stride": args.stride,
            "n_samples": args.samples,
            "mode": args.mode,
            "classified_boxes": last["classified_boxes"],
            "exact_boxes": last["exact_boxes"],
            "seconds": last["seconds"],
            "peak_rss_mib": last["peak_rss_mib"],
            "threads": args.threads,
            "where": "in the benchmark process (peak RSS of the whole process so far)",
        }
    if args.timing_child:
        report["timing_child"] = timed_child(paths[-1], args)
    report["total_seconds"] = time.perf_counter() - t_start if old is None else old["total_seconds"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["peak_rss_mib"] = rss if old is None else old["peak_rss_mib"]
    (out / "scores.json").write_text(json_dumps(report, indent=2))
    (out / "scores.md").write_text(markdown(report))
    return report


def existing_series(data_dir: Path, args) -> list[Path]:
    """The point clouds a previous run wrote (``--rescore``): steps in order, then the target condition."""
    steps = sorted(
        (p for p in data_dir.glob("particle_t*.csv") if "_noise_species_only" not in p.name),
        key=lambda p: int(p.stem.split("_t")[1]),
    )
    if not steps:
        raise FileNotFoundError(f"{data_dir}: no particle_t*.csv to rescore (run without --rescore first)")
    if not args.no_target_condition:
        steps.append(data_dir / f"particle_t{len(steps) - 1}_noise_species_only.csv")
    return steps


def get_map(atoms, box: float, reps, path: Path, args, model, old: dict | None, step):
    """SPM map of ``atoms`` (computed and saved, or loaded with ``--rescore``), its time (s) and the
    process's peak RSS (MiB) after it (both from the previous scores with ``--rescore``)."""
    from arisekit.spm import SPMResult, spm

    if old is not None:
        prev = old["maps"][f"{box:g}"]
        row = prev["target_condition"] if step == "target" else prev["steps"][step]
        return SPMResult.load(path), row["seconds"], row.get("peak_rss_mib", float("nan"))
    t0 = time.perf_counter()
    res = spm(
        atoms,
        box_size=box,
        stride=args.stride,
        n_samples=args.samples,
        model=model,
        representations=reps,
        n_threads=args.threads,
        seed=args.seed,
        **spm_mode(args.mode),
    )
    seconds = time.perf_counter() - t0
    res.save(path)
    return res, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_child(path: Path, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--time-map",
        str(path),
        "--boxes",
        "16",
        "--stride",
        str(args.stride),
        "--samples",
        str(args.samples),
        "--threads",
        str(args.threads),
        "--mode",
        args.mode,
    ]
    if args.model:
        cmd += ["--model", args.model]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pct(x) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{100 * x:.1f} %"


def markdown(r: dict) -> str:
    lines = [
        "# AET benchmark (ARISE Fig. 4 workflow on a synthetic FePt series)\n",
        f"Machine: {r['machine']}\n",
    ]
    lines.append(
        "| step | atoms | S (requested / measured) | ordered fraction | order parameter | shell (Å) |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for s in r["series"]:
        lines.append(
            f"| t{s['step']} | {s['atoms']} | {s['order']:.2f} / {s['lro_measured']:.3f} | "
            f"{s['ordered_fraction']:.3f} | {s['order_parameter']:.3f} | {s['shell_thickness']:g} |"
        )
    for box, m in r["maps"].items():
        lines.append(f"\n## {box} Å box, stride {r['params']['stride']:g} Å\n")
        lines.append(
            "| step | L1_0 interior | L1_0 wall | L1_2 interior | L1_2 wall | A1 shell boxes flagged (not "
            "named L1_0/L1_2) | shell "
            "boxes named L1_0 with p ≥ 0.8 (and MI < 0.1) | L1_0 atoms interior | L1_2 atoms interior | "
            "median MI | time (s) |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        rows = [(f"t{k}", s) for k, s in enumerate(m["steps"])]
        if "target_condition" in m:
            rows.append((f"t{len(m['steps']) - 1}, noise + species errors only", m["target_condition"]))
        for k, s in rows:
            b, a = s["per_box"], s["per_atom"]
            lines.append(
                f"| {k} | {_pct(b['L1_0']['interior_accuracy'])} ({b['L1_0']['interior_boxes']}) | "
                f"{_pct(b['L1_0']['wall_accuracy'])} | {_pct(b['L1_2']['interior_accuracy'])} "
                f"({b['L1_2']['interior_boxes']}) | {_pct(b['L1_2']['wall_accuracy'])} | "
                f"{_pct(s['shell']['flagged'])} ({_pct(s['shell']['not_named_ordered'])}) | "
                f"{s['shell']['named_L1_0_confidently']} ({s['shell']['named_L1_0_confidently_low_mi']}) "
                f"of {s['shell']['boxes']} | "
                f"{_pct(a['L1_0']['interior_accuracy'])} | {_pct(a['L1_2']['interior_accuracy'])} | "
                f"{s['mi_median']:.4f} | {s['seconds']:.0f} |"
            )
        whole = [
            f"{k}: L1_0 {_pct(w['L1_0']['interior_accuracy'])} of {w['L1_0']['interior_boxes']}, "
            f"L1_2 {_pct(w['L1_2']['interior_accuracy'])} of {w['L1_2']['interior_boxes']}"
            for k, s in rows
            if (w := s.get("per_box_whole"))
        ]
        if whole:
            lines.append("\nBoxes wholly inside one region (purity 1), named right: " + "; ".join(whole))
        lines.append(
            "\n| step | median MI: all boxes | ordered-region interiors | core walls | shell boxes | "
            "boxes with MI < 0.01 | < 0.05 |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for k, s in enumerate(m["steps"]):
            c, f = s["mi_median_by_boxes"], s["mi_fraction_below"]
            lines.append(
                f"| t{k} | {s['mi_median']:.4f} | {c['ordered_interior']:.4f} | {c['core_walls']:.4f} | "
                f"{c['shell']:.4f} | {_pct(f['0.01'])} | {_pct(f['0.05'])} |"
            )
        regions = m["steps"][-1]["per_region"]
        lines.append(
            "\nLast step, interior boxes per region: "
            + "; ".join(
                f"{r} {v['kind']} {_pct(v['interior_accuracy'])} of {v['interior_boxes']}"
                for r, v in regions.items()
            )
        )
        lines.append(
            f"\nMedian MI of all boxes falls monotonically: {m['mi_median_monotonic_decrease']} "
            f"(Spearman with the order parameter: {m['spearman_order_vs_mi_decrease']:.2f}); of the "
            f"ordered-region interiors: {m['interior_mi_median_monotonic_decrease']} "
            f"({m['spearman_order_vs_interior_mi_decrease']:.2f}); share of boxes with MI < 0.01 rises "
            f"monotonically: {m['low_mi_fraction_monotonic_increase']}."
        )
    if "explore" in r and "skipped" not in r["explore"]:
        e = r["explore"]
        sep = e["separation"]
        how = "standardized per unit" if e.get("standardized") else "raw"
        if e.get("slow_features"):
            how = f"its {e['slow_features']} spatially slowest directions"
        lines.append(
            f"\n## L1_0 clusters ({r['params']['explore_box']:g} Å box, first hidden layer, {how})\n"
        )
        lines.append(
            f"{e['l10_boxes']} L1_0 boxes, min cluster size {e['min_cluster_size']} "
            f"(min samples {e.get('min_samples')}, boxes with MI in {e.get('mi_range')}), "
            f"{e['n_clusters']} clusters, soft outliers {_pct(e['soft_outlier_fraction'])}; "
            "domain pairs with c/a differing ≥ 2 % separated: "
            f"{sep['pairs_separated']} of {sep['pairs_total']}; ARI (clusters vs c/a groups) "
            f"{sep['adjusted_rand_index']:.2f}. Supervised check of what the layer holds: a linear probe "
            "trained on one domain per c/a and tested on the others names the c/a of "
            f"{_pct(e['probe']['accuracy']) if 'probe' in e else '–'} of "
            f"{e.get('probe', {}).get('test_boxes', 0)} boxes\n"
        )
        lines.append(
            "| cluster | boxes | median Δd (Å) | d_FeFe (Å) | d_FePt (Å) | boxes from lowest-c/a domains | "
            "from cubic regions | median MI |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for c, v in e["clusters"].items():
            lines.append(
                f"| {c} | {v['boxes']} | {v['delta_d_median']:+.3f} | {v['d_FeFe_median']:.3f} | "
                f"{v['d_FePt_median']:.3f} | {_pct(v['share_lowest_c_over_a'])} | "
                f"{_pct(v['share_cubic_truth'])} | {v['mi_median']:.3f} |"
            )
        lines.append(
            "\nPer domain (majority cluster, its share of the domain's boxes): "
            + "; ".join(
                f"{d} (c/a {v['c_over_a']:g}): cluster {v['majority_cluster']}, {_pct(v['share'])}"
                for d, v in sep["domains"].items()
            )
        )
    if "timing" in r:
        t = r["timing"]
        lines.append(
            f"\nTiming: {t['atoms']} atoms, {t['box_size']:g} Å box, {t['stride']:g} Å stride, "
            f"{t['n_samples']} samples, {t['mode']} mode: **{t['seconds']:.1f} s**, "
            f"{t['classified_boxes']} boxes "
            f"({t['exact_boxes']} exact), peak RSS {t['peak_rss_mib']:.0f} MiB, "
            f"threads {t['threads'] or 'all'}."
        )
    if "timing_child" in r:
        t = r["timing_child"]
        lines.append(
            f"\nSame map in a fresh process: **{t['seconds']:.1f} s**, peak RSS {t['peak_rss_mib']:.0f} MiB "
            f"({t['rss_before_map_mib']:.0f} MiB before the map)."
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.time_map:
        path = Path(args.time_map)
        timing = time_map(path, args.boxes[0], args.stride, args.samples, args.threads, args.mode, args.model)
        print(json.dumps(timing))
        return 0
    report = run(args)
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
