"""Summaries of an :class:`~arisekit.benchmark.runner.AccuracyRun`: accuracy table, calibration and
uncertainty scores, and the files of a benchmark run (Markdown, JSON, CSV, PNG)."""

from __future__ import annotations

import csv
import json
import platform
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from arisekit._json import write_json
from arisekit.benchmark.metrics import accuracy, auroc, expected_calibration_error, reliability_bins
from arisekit.benchmark.runner import ARISE, AccuracyRun

__all__ = [
    "accuracy_table",
    "atom_accuracy_table",
    "calibration_summary",
    "method_titles",
    "out_of_library_summary",
    "paper_comparison_markdown",
    "per_class_markdown",
    "plot_accuracy",
    "summary",
    "table_markdown",
    "write_report",
]

#: Table rows derived from ARISE: all structures, periodic ones only, open ones only.
ARISE_ROWS = {"arise": ("ARISE", None), "arise-periodic": ("ARISE (periodic)", "periodic"),
              "arise-open": ("ARISE (open)", "open")}  # fmt: skip


def method_titles() -> dict[str, str]:
    """Row title of every method key."""
    from arisekit.benchmark.baselines import BASELINES

    return {k: v[0] for k, v in ARISE_ROWS.items()} | {k: b.title for k, b in BASELINES.items()}


def _columns(run: AccuracyRun) -> list[str]:
    return [lvl.label for lvl in run.protocol.levels()]


def _in_library_arise(run: AccuracyRun) -> list[dict[str, Any]]:
    return [s for s in run.scores if s["method"] == ARISE and run.structures[s["structure"]]["in_library"]]


def _row_keys(run: AccuracyRun) -> list[str]:
    keys = []
    if ARISE in run.methods:
        keys.append("arise")
        bounds = {run.structures[s["structure"]]["boundary"] for s in _in_library_arise(run)}
        if len(bounds) > 1:
            keys += ["arise-periodic", "arise-open"]
    return keys + [m for m in run.methods if m != ARISE]


def _scores_of(run: AccuracyRun, key: str) -> list[dict[str, Any]]:
    if key in ARISE_ROWS:
        boundary = ARISE_ROWS[key][1]
        return [
            s for s in _in_library_arise(run)
            if boundary is None or run.structures[s["structure"]]["boundary"] == boundary
        ]  # fmt: skip
    return [s for s in run.scores if s["method"] == key]


def accuracy_table(run: AccuracyRun) -> dict[str, dict[str, dict[str, Any]]]:
    """``table[method][column]`` = {accuracy (%), n, n_correct}; columns are the protocol's levels."""
    cols = _columns(run)
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for key in _row_keys(run):
        cells: dict[str, list[bool]] = defaultdict(list)
        for s in _scores_of(run, key):
            cells[run.structures[s["structure"]]["level"]].append(bool(s["correct"]))
        table[key] = {}
        for c in cols:
            ok = cells.get(c, [])
            table[key][c] = {
                "accuracy": None if not ok else round(100.0 * accuracy(ok), 2),
                "n": len(ok),
                "n_correct": int(sum(ok)),
            }
    return table


def atom_accuracy_table(run: AccuracyRun) -> dict[str, dict[str, float | None]]:
    """Mean per-atom accuracy (%) of the local baselines (the paper's metric for PTM, CNA, a-CNA, BAA)."""
    cols = _columns(run)
    out: dict[str, dict[str, float | None]] = {}
    for key in run.methods:
        rows = [s for s in run.scores if s["method"] == key and s.get("atom_fraction") is not None]
        if not rows:
            continue
        cells: dict[str, list[float]] = defaultdict(list)
        for s in rows:
            cells[run.structures[s["structure"]]["level"]].append(float(s["atom_fraction"]))
        out[key] = {c: (round(100.0 * float(np.mean(cells[c])), 2) if cells.get(c) else None) for c in cols}
    return out


def _n_classes(run: AccuracyRun, key: str) -> int:
    base = ARISE if key in ARISE_ROWS else key
    return len(run.coverage.get(base, []))


def table_markdown(run: AccuracyRun, table: dict | None = None, atom: bool = False) -> str:
    """Markdown table: one row per method ("title (classes / library)"), one column per defect level."""
    n_lib = len(run.protocol.class_names())
    cols = _columns(run)
    titles = method_titles()
    head = "| Method | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols) + "\n"
    lines = []
    if atom:
        for key, cells in atom_accuracy_table(run).items():
            vals = ["–" if cells[c] is None else f"{cells[c]:.2f}" for c in cols]
            lines.append(f"| {titles[key]} ({_n_classes(run, key)} / {n_lib}) | " + " | ".join(vals) + " |")
    else:
        table = accuracy_table(run) if table is None else table
        for key, cells in table.items():
            vals = ["–" if cells[c]["accuracy"] is None else f"{cells[c]['accuracy']:.2f}" for c in cols]
            lines.append(f"| {titles[key]} ({_n_classes(run, key)} / {n_lib}) | " + " | ".join(vals) + " |")
    return head + "\n".join(lines) + "\n"


def calibration_summary(run: AccuracyRun, n_bins: int = 15) -> dict[str, Any]:
    """ECE of ARISE's mean probabilities (overall and per defect group), AUROC of the mutual information
    for wrong vs right predictions, and AUROC of the mutual information for out- vs in-library structures
    (all structures, and pristine ones only)."""
    arise = [s for s in run.scores if s["method"] == ARISE]
    inlib = [s for s in arise if run.structures[s["structure"]]["in_library"]]
    if not inlib:
        return {}
    conf = np.array([s["confidence"] for s in inlib])
    corr = np.array([s["correct"] for s in inlib], dtype=bool)
    mi = np.array([s["mutual_information"] for s in inlib])
    groups = np.array([run.structures[s["structure"]]["group"] for s in inlib])
    out: dict[str, Any] = {
        "n_bins": int(n_bins),
        "n_in_library": int(len(inlib)),
        "accuracy_in_library": round(100.0 * accuracy(corr), 3),
        "ece": expected_calibration_error(conf, corr, n_bins),
        "ece_by_group": {
            g: expected_calibration_error(conf[groups == g], corr[groups == g], n_bins)
            for g in ("pristine", "displacement", "missing", "combined")
            if np.any(groups == g)
        },
        "reliability": {k: v.tolist() for k, v in reliability_bins(conf, corr, n_bins).items()},
        "auroc_mi_wrong_vs_right": _nan_none(auroc(mi, ~corr)),
        "n_wrong": int((~corr).sum()),
        "mean_mi_right": _mean_none(mi[corr]),
        "mean_mi_wrong": _mean_none(mi[~corr]),
    }
    ool = [s for s in arise if not run.structures[s["structure"]]["in_library"]]
    if ool:
        mi_ool = np.array([s["mutual_information"] for s in ool])
        g_ool = np.array([run.structures[s["structure"]]["group"] for s in ool])
        both = np.concatenate([mi, mi_ool])
        label = np.concatenate([np.zeros(len(mi), bool), np.ones(len(mi_ool), bool)])
        out["n_out_of_library"] = int(len(ool))
        out["mean_mi_out_of_library"] = _mean_none(mi_ool)
        out["mean_mi_in_library"] = _mean_none(mi)
        out["auroc_mi_out_vs_in"] = _nan_none(auroc(both, label))
        pr_in, pr_out = groups == "pristine", g_ool == "pristine"
        out["auroc_mi_out_vs_in_pristine"] = _nan_none(
            auroc(np.concatenate([mi[pr_in], mi_ool[pr_out]]),
                  np.concatenate([np.zeros(pr_in.sum(), bool), np.ones(pr_out.sum(), bool)]))
        )  # fmt: skip
        conf_ool = np.array([s["confidence"] for s in ool])
        out["auroc_confidence_out_vs_in"] = _nan_none(auroc(-np.concatenate([conf, conf_ool]), label))
    return out


def _nan_none(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _mean_none(x: np.ndarray) -> float | None:
    return float(np.mean(x)) if len(x) else None


def out_of_library_summary(run: AccuracyRun) -> dict[str, Any]:
    """Per out-of-library structure: mean MI, and the pristine periodic/open top-3 assignments."""
    out: dict[str, Any] = {}
    for s in run.scores:
        meta = run.structures[s["structure"]]
        if s["method"] != ARISE or meta["in_library"]:
            continue
        entry = out.setdefault(meta["name"], {"mi": [], "predicted": defaultdict(int), "pristine": {}})
        entry["mi"].append(s["mutual_information"])
        entry["predicted"][s["predicted"]] += 1
        if meta["group"] == "pristine":
            entry["pristine"][f"{meta['boundary']}/{meta['base']}"] = {
                "top": s["top"],
                "mutual_information": s["mutual_information"],
            }
    for entry in out.values():
        mi = entry.pop("mi")
        entry["mean_mi"] = float(np.mean(mi))
        entry["n"] = len(mi)
        entry["predicted"] = dict(sorted(entry["predicted"].items(), key=lambda kv: -kv[1]))
    return out


#: The ARISE paper's own accuracies (%) in Tables 1, S2 and S3 (its model on its data), by column label.
PAPER_ACCURACY: dict[str, float] = {
    "pristine": 100.0, "δ=0.1%": 100.0, "δ=0.6%": 100.0, "δ=1%": 100.0, "δ=2%": 99.86, "δ=4%": 99.29,
    "δ=7%": 97.82, "δ=10%": 94.56, "η=1%": 100.0, "η=5%": 100.0, "η=10%": 100.0, "η=20%": 99.85,
    "η=25%": 99.86, "η=30%": 99.76, "(η,δ)=(1%,0.1%)": 100.0, "(η,δ)=(5%,0.6%)": 100.0,
    "(η,δ)=(10%,1%)": 100.0, "(η,δ)=(15%,2%)": 99.88, "(η,δ)=(20%,4%)": 99.29, "(η,δ)=(25%,7%)": 97.31,
    "(η,δ)=(30%,10%)": 92.50,
}  # fmt: skip


def paper_comparison_markdown(table: dict[str, dict[str, Any]]) -> str:
    """ARISE's accuracy beside the paper's (Tables 1, S2, S3) for every column both have, and how many
    columns are met (≥ the paper's value)."""
    row = table.get("arise", {})
    cols = [c for c in PAPER_ACCURACY if c in row and row[c].get("accuracy") is not None]
    if not cols:
        return ""
    met = [c for c in cols if row[c]["accuracy"] >= PAPER_ACCURACY[c]]
    lines = ["| | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    lines.append("| arisekit | " + " | ".join(f"{row[c]['accuracy']:.2f}" for c in cols) + " |")
    lines.append("| ARISE paper | " + " | ".join(f"{PAPER_ACCURACY[c]:.2f}" for c in cols) + " |")
    short = [c for c in cols if c not in met]
    lines += ["", f"Met or beaten in {len(met)} of {len(cols)} columns"
              + (f"; short in: {', '.join(short)}." if short else ".")]  # fmt: skip
    return "\n".join(lines)


def per_class_markdown(per_class: dict[str, dict[str, Any]], weakest: int = 5) -> str:
    """The ``weakest`` classes (lowest ARISE accuracy, with their most frequent wrong answer) and a compact
    table of every class's accuracy."""
    if not per_class:
        return ""
    order = sorted(per_class, key=lambda n: (per_class[n]["accuracy"], n))
    lines = [f"Weakest {min(weakest, len(order))} classes:", ""]
    for name in order[:weakest]:
        e = per_class[name]
        lines.append(
            f"- {name}: {e['accuracy']:.2f} % of {e['n']} (most often taken for {e['most_common_wrong']})"
        )
    lines += [
        "",
        "| class | accuracy (%) | class | accuracy (%) | class | accuracy (%) |",
        "|---|---:|---|---:|---|---:|",
    ]
    names = list(per_class)
    for i in range(0, len(names), 3):
        cells = [f"{n} | {per_class[n]['accuracy']:.2f}" for n in names[i : i + 3]]
        cells += [" | "] * (3 - len(cells))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_class_arise(run: AccuracyRun) -> dict[str, dict[str, Any]]:
    """ARISE accuracy (%) per class over all its structures, and its most frequent wrong answer."""
    per: dict[str, list] = defaultdict(list)
    for s in _in_library_arise(run):
        per[run.structures[s["structure"]]["name"]].append(s)
    out = {}
    for name, rows in per.items():
        wrong = defaultdict(int)
        for s in rows:
            if not s["correct"]:
                wrong[s["predicted"]] += 1
        out[name] = {
            "accuracy": round(100.0 * accuracy([s["correct"] for s in rows]), 2),
            "n": len(rows),
            "most_common_wrong": max(wrong, key=wrong.get) if wrong else None,
        }
    return out


def machine_description() -> str:
    """One line naming the machine numbers were measured on (CPU model, logical cores, Python)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} logical cores, Python {platform.python_version()}"


def summary(run: AccuracyRun) -> dict[str, Any]:
    """All numbers and settings of a run as one JSON-ready dictionary."""
    from arisekit import prototypes

    n_lib = len(run.protocol.class_names())
    n_periodic = sum(1 for m in run.structures if m["in_library"] and m["boundary"] == "periodic")
    table = accuracy_table(run)
    # the paper's starred rows: every periodic structure of the selection counts, uncovered ones as wrong
    starred = {}
    for key in run.methods:
        if key == ARISE:
            continue
        per_level: dict[str, int] = defaultdict(int)
        totals: dict[str, int] = defaultdict(int)
        for m in run.structures:
            if m["in_library"] and m["boundary"] == "periodic":
                totals[m["level"]] += 1
        for s in run.scores:
            if s["method"] == key and s["correct"]:
                per_level[run.structures[s["structure"]]["level"]] += 1
        starred[key] = {
            c: (round(100.0 * per_level[c] / totals[c], 2) if totals[c] else None) for c in totals
        }
    return {
        "machine": machine_description(),
        "settings": run.settings,
        "protocol": run.protocol.to_dict(),
        "library_classes": n_lib,
        "library_total": len(prototypes.names()),
        "coverage": {k: {"n_classes": len(v), "classes": v} for k, v in run.coverage.items()},
        "n_structures": len(run.structures),
        "n_periodic_in_library": n_periodic,
        "accuracy": table,
        "accuracy_all_periodic_structures": starred,
        "atom_accuracy": atom_accuracy_table(run),
        "calibration": calibration_summary(run),
        "out_of_library": out_of_library_summary(run),
        "per_class_arise": per_class_arise(run),
        "seconds": run.seconds,
    }


def plot_accuracy(run: AccuracyRun, path: str | Path, table: dict | None = None) -> Path:
    """PNG: accuracy (%) vs displacement δ, missing fraction η and combined (η, δ), one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = accuracy_table(run) if table is None else table
    levels = run.protocol.levels()
    titles = method_titles()
    panels = [
        ("displacement δ (% of d_NN)", "displacement", lambda lv: f"{100 * lv.displacement:g}"),
        ("missing atoms η (%)", "missing", lambda lv: f"{100 * lv.missing:g}"),
        ("missing and displaced (η, δ) (%)", "combined",
         lambda lv: f"{100 * lv.missing:g},{100 * lv.displacement:g}"),
    ]  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), sharey=True)
    for ax, (xlabel, group, tick) in zip(axes, panels, strict=True):
        sel = [lv for lv in levels if lv.group == group]
        xs = np.arange(len(sel) + 1)
        ticks = ["0"] + [tick(lv) for lv in sel]
        for key, cells in table.items():
            ys = [cells["pristine"]["accuracy"]] + [cells[lv.label]["accuracy"] for lv in sel]
            ys = [np.nan if y is None else y for y in ys]
            style = "-" if key.startswith("arise") else "--"
            ax.plot(xs, ys, style, marker="o", ms=4, label=titles[key])
        ax.set_xticks(xs, ticks, rotation=30 if group == "combined" else 0)
        ax.set_xlabel(xlabel)
        ax.set_ylim(-2, 102)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8)
    fig.suptitle(
        f"Classification accuracy on defective structures ({run.protocol.realizations} realisations, "
        f"{run.settings.get('n_samples')} MC samples)"
    )
    fig.tight_layout(rect=(0.0, 0.0, 0.87, 1.0))
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _write_csv(run: AccuracyRun, path: Path) -> None:
    fields = ["method", "name", "level", "group", "boundary", "base", "realization", "n_atoms", "in_library",
              "predicted", "correct", "confidence", "mutual_information", "atom_fraction", "top"]  # fmt: skip
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for s in run.scores:
            row = dict(run.structures[s["structure"]])
            row.update({k: s.get(k) for k in ("method", "predicted", "correct", "confidence",
                                              "mutual_information", "atom_fraction")})  # fmt: skip
            row["top"] = json.dumps(s["top"]) if "top" in s else ""
            w.writerow(row)


def write_report(run: AccuracyRun, out_dir: str | Path, plot: bool = True) -> dict[str, Path]:
    """Write ``accuracy.md``, ``accuracy.json``, ``predictions.csv`` and ``accuracy.png`` to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = summary(run)
    paths = {"json": out / "accuracy.json", "markdown": out / "accuracy.md", "csv": out / "predictions.csv"}
    write_json(paths["json"], data)
    paths["markdown"].write_text(markdown_report(run, data))
    _write_csv(run, paths["csv"])
    if plot:
        paths["png"] = plot_accuracy(run, out / "accuracy.png", data["accuracy"])
    return paths


def markdown_report(run: AccuracyRun, data: dict[str, Any] | None = None) -> str:
    """The Markdown report: settings, accuracy table, per-atom table, calibration and uncertainty scores."""
    data = summary(run) if data is None else data
    s = data["settings"]
    model = s.get("model") or {}
    lines = [
        "# arisekit accuracy benchmark",
        "",
        f"- machine: {data['machine']}",
        f"- arisekit {s['arisekit_version']}; model: {model.get('model_dir') or 'in-memory'} "
        f"(sha256 {model.get('sha256_model_keras') or model.get('sha256_weights') or '–'}, "
        f"{model.get('n_classes', '–')} classes)",
        f"- {data['library_classes']} library classes, {data['n_structures']} structures; "
        f"{run.protocol.realizations} realisations per defect level (seed {run.protocol.seed}); "
        f"{s['n_samples']} MC-dropout samples (seed {s['mc_seed']})",
        f"- ARISE: pristine periodic cell + first {run.protocol.pristine_supercells} open supercells; "
        f"defects on the first {getattr(run.protocol, 'defect_supercells', 1)} supercells (open, periodic); "
        "baselines: periodic structures of the classes they cover",
        f"- CNA fixed cutoff {s['cna_cutoff_dnn']} d_NN; PTM RMSD cutoff {s['ptm_rmsd_cutoff']}; "
        "spglib loose 0.1 Å / 5°, tight 1e-4 Å / 1°",
        f"- wall time {run.seconds.get('total_wall', 0):.0f} s",
        "",
        "## Accuracy (%) of structure labels",
        "",
        table_markdown(run),
        "",
    ]
    if ARISE in run.methods:
        lines += ["## ARISE beside the paper (Tables 1, S2, S3)", "",
                  paper_comparison_markdown(data["accuracy"]), "", "## ARISE per class", "",
                  per_class_markdown(data["per_class_arise"]), ""]  # fmt: skip
    if data["atom_accuracy"]:
        lines += ["## Per-atom accuracy (%) of the local methods (the paper's metric)", "",
                  table_markdown(run, atom=True)]  # fmt: skip
    cal = data["calibration"]
    if cal:
        lines += [
            "## Calibration and uncertainty (ARISE)",
            "",
            f"- expected calibration error ({cal['n_bins']} bins) of the mean probabilities: "
            f"{cal['ece']:.4f} over {cal['n_in_library']} in-library structures "
            f"(accuracy {cal['accuracy_in_library']:.2f} %)",
            "- ECE by group: " + ", ".join(f"{k} {v:.4f}" for k, v in cal["ece_by_group"].items()),
            f"- AUROC of the mutual information, wrong vs right predictions: "
            f"{_fmt(cal['auroc_mi_wrong_vs_right'])} ({cal['n_wrong']} wrong)",
        ]
        if "auroc_mi_out_vs_in" in cal:
            lines += [
                f"- AUROC of the mutual information, out-of-library ({cal['n_out_of_library']}) vs "
                f"in-library: {_fmt(cal['auroc_mi_out_vs_in'])} "
                f"(pristine only: {_fmt(cal['auroc_mi_out_vs_in_pristine'])}; "
                f"with 1 − confidence instead of MI: {_fmt(cal['auroc_confidence_out_vs_in'])})",
                f"- mean MI: in-library {cal['mean_mi_in_library']:.4f}, out-of-library "
                f"{cal['mean_mi_out_of_library']:.4f} nats",
            ]
        lines.append("")
    if data["out_of_library"]:
        lines += ["## Out-of-library structures (pristine, periodic / open)", "",
                  "| structure | boundary | top-3 (probability) | MI |", "|---|---|---|---:|"]  # fmt: skip
        for name, entry in data["out_of_library"].items():
            for where, r in entry["pristine"].items():
                top = ", ".join(f"{n} ({p:.2f})" for n, p in r["top"])
                lines.append(f"| {name} | {where} | {top} | {r['mutual_information']:.3f} |")
        lines.append("")
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"
