"""Files of an exploration: sweep table, per-point table, cluster maps, UMAP plots, geometry histograms,
exemplars, summary; and the MI time-series tables and plots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from arisekit._atomic import atomic_path, check_output, output_lock
from arisekit.explore import plots as P
from arisekit.explore.tables import write_csv, write_json


def _point_rows(ex) -> list[dict]:
    d, c = ex.data, ex.clustering
    rows = []
    names = d.predicted_names
    for k in range(len(d)):
        row = {"id": int(d.ids[k])}
        if d.names is not None:
            row["name"] = d.names[k]
        if d.centers is not None:
            row.update(x=float(d.centers[k, 0]), y=float(d.centers[k, 1]), z=float(d.centers[k, 2]))
        row.update(
            cluster=int(c.labels[k]),
            cluster_soft=int(c.soft_labels[k]),
            probability=float(c.probabilities[k]),
            max_membership=float(c.membership[k].max()) if c.membership.shape[1] else 0.0,
            predicted=names[k],
            mutual_information=float(d.mutual_information[k]),
        )
        if ex.embedding is not None:
            row.update(umap_x=float(ex.embedding[k, 0]), umap_y=float(ex.embedding[k, 1]))
        for key, values in ex.distances.items():
            row[f"d_{key}" if not key.startswith("delta") else key] = float(values[k])
        rows.append(row)
    return rows


def _write_plots(ex, out: Path, result) -> dict[str, Path]:
    files = {}
    c, d = ex.clustering, ex.data
    layer = "descriptor" if d.layer is None else f"layer {d.layer + 1}"
    if ex.embedding is not None:
        k = c.n_clusters
        order = [*range(k), -1]
        files["umap_clusters"] = P.save(
            P.scatter_categories(ex.embedding, c.labels.tolist(), f"UMAP ({layer}): HDBSCAN clusters", order),
            out / "umap_clusters.png",
        )
        files["umap_clusters_soft"] = P.save(
            P.scatter_categories(ex.embedding, c.soft_labels.tolist(), f"UMAP ({layer}): soft", order),
            out / "umap_clusters_soft.png",
        )
        files["umap_classes"] = P.save(
            P.scatter_categories(ex.embedding, d.predicted_names, f"UMAP ({layer}): predicted class"),
            out / "umap_classes.png",
        )
        files["umap_mi"] = P.save(
            P.scatter_values(ex.embedding, d.mutual_information, f"UMAP ({layer}): mutual information"),
            out / "umap_mi.png",
        )
    if result is not None and ex.grid is not None:
        fig = P.cluster_map(result, ex.grid, "HDBSCAN clusters")
        files["cluster_map"] = P.save(fig, out / "cluster_map.png")
        files["cluster_map_soft"] = P.save(
            P.cluster_map(result, ex.soft_grid, f"soft clusters (p >= {c.soft_threshold:g})"),
            out / "cluster_map_soft.png",
        )
    for key, hist in ex.histograms.items():
        label = "Δd (Å)" if key.startswith("delta") else f"d_NN {key} (Å)"
        name = "hist_" + key.replace("-", "_")
        files[name] = P.save(P.histograms(hist, f"{label} per cluster", label), out / f"{name}.png")
    return files


def write_report(ex, out_dir, result=None, atoms=None, plots: bool = True) -> dict[str, Path]:
    """Write the exploration ``ex`` into ``out_dir`` (created); records the paths in ``ex.files``.

    sweep.csv / sweep.json: cluster count, outlier fractions and DBCV per minimum cluster size;
    points.csv: one row per explored box/structure (cluster, soft cluster, membership, class, MI, UMAP,
    geometry); cluster_grid.npy / cluster_grid_soft.npy: labels on the SPM grid (-1 outlier, -2 not
    clustered); atoms_clusters.extxyz: the sample with per-atom ``cluster`` / ``cluster_soft`` arrays;
    geometry_histograms.json; exemplars.json; summary.json; PNG figures. Every file is written
    atomically, under the lock ``<out_dir>.lock`` (a second process writing the same folder is refused).
    """
    out = check_output(out_dir, directory=True, keep_contents=True, what="output folder")
    with output_lock(out):
        out.mkdir(parents=True, exist_ok=True)
        return _write_report(ex, out, result, atoms, plots)


def _save_npy(path: Path, array: np.ndarray) -> Path:
    with atomic_path(path, what="output", lock=False) as tmp:
        np.save(tmp, array)
    return path


def _write_report(ex, out: Path, result, atoms, plots: bool) -> dict[str, Path]:
    files: dict[str, Path] = {}
    rows = [r.to_dict() for r in ex.sweep]
    files["sweep_csv"] = write_csv(rows, out / "sweep.csv")
    files["sweep_json"] = write_json(
        {"chosen_min_cluster_size": ex.clustering.min_cluster_size, "rows": rows}, out / "sweep.json"
    )
    files["points"] = write_csv(_point_rows(ex), out / "points.csv")
    if ex.grid is not None:
        files["cluster_grid"] = _save_npy(out / "cluster_grid.npy", ex.grid)
        files["cluster_grid_soft"] = _save_npy(out / "cluster_grid_soft.npy", ex.soft_grid)
    if atoms is not None and ex.atom_labels is not None:
        from arisekit.explore.maps import prepare_sample

        sample = prepare_sample(atoms)
        sample.arrays["cluster"] = ex.atom_labels
        sample.arrays["cluster_soft"] = ex.atom_soft_labels
        files["atoms"] = out / "atoms_clusters.extxyz"
        with atomic_path(files["atoms"], what="output", lock=False) as tmp:
            sample.write(tmp, format="extxyz")
    if ex.histograms:
        files["geometry"] = write_json(ex.histograms, out / "geometry_histograms.json")
    files["exemplars"] = write_json(ex.exemplars, out / "exemplars.json")
    files["summary"] = write_json(ex.summary(), out / "summary.json")
    if plots:
        files.update(_write_plots(ex, out, result))
    ex.files.update(files)
    return files


def write_time_series(
    frames: Sequence,
    out_dir,
    labels: Sequence[str] | None = None,
    *,
    bins: int = 20,
    mi_max: float = 0.2,
    bin_width: float = 2.5,
    statistic: str = "median",
    plots: bool = True,
) -> dict[str, Path]:
    """MI histograms, cumulative distributions, their fractional changes between consecutive frames and
    radial MI profiles of SPM results ``frames`` (time order) into ``out_dir`` (ARISE Fig. S11); each file
    atomically, under the lock ``<out_dir>.lock``."""
    out = check_output(out_dir, directory=True, keep_contents=True, what="output folder")
    with output_lock(out):
        out.mkdir(parents=True, exist_ok=True)
        return _write_time_series(frames, out, labels, bins, mi_max, bin_width, statistic, plots)


def _write_time_series(frames, out: Path, labels, bins, mi_max, bin_width, statistic, plots) -> dict:
    from arisekit.explore.timeseries import mi_histograms, radial_mi_profile

    frames = list(frames)
    hists = mi_histograms(frames, labels, bins=bins, mi_max=mi_max)
    files = {"mi_histograms": write_csv(hists.rows(), out / "mi_histograms.csv")}
    change_rows = []
    for f in range(1, len(frames)):
        ch = hists.change(f - 1, f)
        for b in range(len(ch)):
            change_rows.append(
                {
                    "earlier": hists.labels[f - 1],
                    "later": hists.labels[f],
                    "mi_hi": float(hists.edges[b + 1]),
                    "cumulative_change": float(ch[b]),
                }
            )
    if change_rows:
        files["mi_cumulative_change"] = write_csv(change_rows, out / "mi_cumulative_change.csv")
    profiles = {
        label: radial_mi_profile(fr, bin_width=bin_width, statistic=statistic)
        for label, fr in zip(hists.labels, frames, strict=True)
    }
    files["radial_mi"] = write_csv(
        [row for label, p in profiles.items() for row in p.rows(label)], out / "radial_mi.csv"
    )
    if plots:
        files["mi_series_png"] = P.save(P.mi_series(hists), out / "mi_histograms.png")
        files["radial_mi_png"] = P.save(P.radial_profiles(profiles), out / "radial_mi.png")
    return files
