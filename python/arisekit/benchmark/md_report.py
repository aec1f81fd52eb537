"""Report of the MD benchmark (:mod:`arisekit.benchmark.md`): summary numbers, markdown tables, plots.

Files written by :func:`write_report` into the output folder:

* ``md.json`` - settings, melting points (with status), notes, every frame's record and the summary
  (AUROCs, verdict fractions, accuracy at T_m and at T <= 0.75 T_m per lattice, timings, ROC curves);
* ``md.md`` - the tables (main and held-back sets separate);
* ``md_atoms.npz`` - the per-atom arrays (ARISE disorder score, MI, verdict, correctness per method);
* ``md_accuracy.png`` - per-atom accuracy vs T/T_m per lattice and method;
* ``md_roc.png`` - ROC of ARISE's disorder score (per atom: crystal atoms at T <= T_m vs liquid and
  glass atoms) with its AUROC, and the fraction of liquid/glass atoms given each method's verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from arisekit._json import json_default_str, write_json
from arisekit.benchmark.md import DISORDERED_TRUTH, METHOD_COVERS, METHOD_TITLES, MDRun, settings_dict

__all__ = ["roc_curve", "summary", "table_markdown", "write_report", "plot_accuracy", "plot_roc"]

GROUPS = ("main", "held-back")


def roc_curve(scores, positive) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates of the threshold rule ``score >= t`` over all thresholds (NaN
    scores dropped); starts at (0, 0), ends at (1, 1). Ties move both rates at once."""
    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    keep = np.isfinite(s)
    s, pos = s[keep], pos[keep]
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    order = np.argsort(-s, kind="stable")
    s, pos = s[order], pos[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(pos)[last]
    fp = np.cumsum(~pos)[last]
    return np.r_[0.0, fp / n_neg], np.r_[0.0, tp / n_pos]


def _auroc(scores, positive) -> float | None:
    from arisekit.benchmark.metrics import auroc

    s = np.asarray(scores, dtype=np.float64)
    keep = np.isfinite(s)
    v = auroc(s[keep], np.asarray(positive, dtype=bool)[keep]) if keep.any() else float("nan")
    return None if not np.isfinite(v) else float(v)


def _downsample(fpr, tpr, n: int = 200) -> list[list[float]]:
    if len(fpr) <= n:
        idx = np.arange(len(fpr))
    else:
        idx = np.unique(np.r_[np.linspace(0, len(fpr) - 1, n).astype(int), len(fpr) - 1])
    return [[round(float(fpr[i]), 6), round(float(tpr[i]), 6)] for i in idx]


def _select(run: MDRun, group: str | None) -> list[int]:
    """Indices of the records of ``group`` (None: all), in table order: system (first seen), crystal
    before liquid before glass, then T/T_m."""
    idx = [i for i, r in enumerate(run.records) if group is None or r["spec"]["group"] == group]
    systems = list(dict.fromkeys((r["spec"]["element"], r["spec"]["potential"]) for r in run.records))
    kinds = {"crystal": 0, "liquid": 1, "glass": 2}

    def key(i):
        s = run.records[i]["spec"]
        return (systems.index((s["element"], s["potential"])), kinds.get(s["kind"], 3), s["t_over_tm"])

    return sorted(idx, key=key)


def _roc_sets(run: MDRun, idx: list[int]):
    """Per-atom score, MI and positive flag of crystal atoms (T <= T_m) and liquid/glass atoms."""
    score, mi, pos = [], [], []
    for i in idx:
        spec = run.records[i]["spec"]
        disordered = spec["kind"] != "crystal"
        if not disordered and spec["t_over_tm"] > 1.0 + 1e-9:
            continue
        a = run.arrays[i]
        score.append(a["score"])
        mi.append(a["mi"])
        pos.append(np.full(len(a["score"]), disordered))
    if not score:
        return np.zeros(0), np.zeros(0), np.zeros(0, bool)
    return np.concatenate(score), np.concatenate(mi), np.concatenate(pos)


def _atom_mean(run: MDRun, idx: list[int], method: str, key: str = "accuracy") -> float | None:
    """Atom-weighted mean of a per-frame fraction over frames ``idx`` (frames the method scores)."""
    num = den = 0.0
    for i in idx:
        entry = run.records[i]["methods"].get(method)
        if entry is None or entry.get(key) is None:
            continue
        n = run.records[i]["n_atoms"]
        num += entry[key] * n
        den += n
    return None if den == 0 else num / den


def _methods(run: MDRun) -> list[str]:
    return ["arise", *run.settings.methods]


def summary(run: MDRun) -> dict[str, Any]:
    """The benchmark's headline numbers (per group and over all frames)."""
    out: dict[str, Any] = {}
    present = [g for g in GROUPS if _select(run, g)]
    for group in (*present, "all") if len(present) > 1 else present:
        idx = _select(run, None if group == "all" else group)
        if not idx:
            continue
        g: dict[str, Any] = {"n_frames": len(idx)}
        score, mi, pos = _roc_sets(run, idx)
        g["auroc_atom_disorder_score"] = _auroc(score, pos)
        g["auroc_atom_mi"] = _auroc(mi, pos)
        fpr, tpr = roc_curve(score, pos)
        g["roc_atom_disorder_score"] = _downsample(fpr, tpr)
        fr = [
            run.records[i]
            for i in idx
            if run.records[i]["spec"]["kind"] != "crystal"
            or run.records[i]["spec"]["t_over_tm"] <= 1.0 + 1e-9
        ]
        fpos = [r["spec"]["kind"] != "crystal" for r in fr]
        g["auroc_frame_disorder_score"] = _auroc([r["frame"]["disorder_score"] for r in fr], fpos)
        g["auroc_frame_mi"] = _auroc([r["frame"]["mutual_information"] for r in fr], fpos)
        dis = [i for i in idx if run.records[i]["truth"] == DISORDERED_TRUTH]
        g["verdict_fraction_liquid_glass"] = {m: _atom_mean(run, dis, m) for m in _methods(run)}
        g["frame_verdict_fraction_liquid_glass"] = (
            float(np.mean([run.records[i]["frame"]["verdict"] for i in dis])) if dis else None
        )
        lat: dict[str, Any] = {}
        for lattice in METHOD_COVERS["arise"]:
            cr = [
                i
                for i in idx
                if run.records[i]["spec"]["kind"] == "crystal"
                and run.records[i]["spec"]["lattice"] == lattice
            ]
            if not cr:
                continue
            at_tm = [i for i in cr if abs(run.records[i]["spec"]["t_over_tm"] - 1.0) < 1e-9]
            low = [i for i in cr if run.records[i]["spec"]["t_over_tm"] <= 0.75 + 1e-9]
            lat[lattice] = {
                "accuracy_at_Tm": {m: _atom_mean(run, at_tm, m) for m in _methods(run)},
                "accuracy_T_le_0.75Tm": {m: _atom_mean(run, low, m) for m in _methods(run)},
                "frame_accuracy": float(np.mean([run.records[i]["frame"]["correct"] for i in cr])),
            }
        g["lattices"] = lat
        secs = {}
        for key in ("arise", "arise_frame", *run.settings.methods, "md"):
            v = [run.records[i]["seconds"][key] for i in idx if key in run.records[i]["seconds"]]
            secs[key] = float(np.mean(v)) if v else None
        g["seconds_per_frame"] = secs
        out[group] = g
    return out


def _fmt_pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def table_markdown(run: MDRun) -> str:
    """Per-frame tables (main and held-back set separate): per-atom accuracy (%) per method, the ARISE
    frame label (probability, MI), the fractions of atoms given ARISE's disorder and out-of-library
    (novelty > 1) verdicts, the mean
    per-atom MI and the per-frame wall time of ARISE SPM beside PTM's."""
    methods = _methods(run)
    head = [
        "system",
        "frame",
        "T/T_m",
        "T (K)",
        *(METHOD_TITLES[m] for m in methods),
        "ARISE frame label (p, MI)",
        "verdict %",
        "out of library %",
        "mean MI",
        "s SPM / PTM",
    ]
    lines = []
    for group in GROUPS:
        idx = _select(run, group)
        if not idx:
            continue
        lines += [f"### {'Main set' if group == 'main' else 'Held-back set'}", ""]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for i in idx:
            r = run.records[i]
            s, f, m, sec = r["spec"], r["frame"], r["methods"], r["seconds"]
            cells = [
                s["element"] + "/" + s["potential"],
                s["kind"] if s["kind"] != "crystal" else s["lattice"],
                f"{s['t_over_tm']:g}",
                f"{s['T']:.0f}",
            ]
            cells += [_fmt_pct(m[k]["accuracy"]) if k in m else "-" for k in methods]
            cells += [
                f"{f['prediction']} ({f['probability']:.2f}, {f['mutual_information']:.2f})",
                _fmt_pct(m["arise"]["verdict_fraction"]),
                _fmt_pct(m["arise"]["out_of_library_fraction"])
                if "out_of_library_fraction" in m["arise"]
                else "-",
                "-" if m["arise"]["mean_mi"] is None else f"{m['arise']['mean_mi']:.3f}",
                f"{sec['arise']:.2f} / {sec.get('ptm', float('nan')):.2f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def summary_markdown(run: MDRun, summ: dict[str, Any] | None = None) -> str:
    """Headline numbers: AUROC, verdict fractions, accuracy at T_m per lattice, timings."""
    summ = summary(run) if summ is None else summ
    methods = _methods(run)
    lines = []
    for group, g in summ.items():
        lines += [f"### {group}", ""]
        lines.append(
            f"AUROC of the disorder score (crystal atoms T <= T_m vs liquid+glass atoms): "
            f"{_f3(g['auroc_atom_disorder_score'])} per atom, "
            f"{_f3(g['auroc_frame_disorder_score'])} per frame; "
            f"of the MI: {_f3(g['auroc_atom_mi'])} per atom, {_f3(g['auroc_frame_mi'])} per frame."
        )
        lines += [
            "",
            "| | " + " | ".join(METHOD_TITLES[m] for m in methods) + " |",
            "|" + "---|" * (len(methods) + 1),
        ]
        lines.append(
            "| liquid+glass atoms with the verdict (%) | "
            + " | ".join(_fmt_pct(g["verdict_fraction_liquid_glass"][m]) for m in methods)
            + " |"
        )
        for lattice, v in g["lattices"].items():
            for key, title in (("accuracy_at_Tm", "at T_m"), ("accuracy_T_le_0.75Tm", "T <= 0.75 T_m")):
                lines.append(
                    f"| {lattice} {title} (%) | " + " | ".join(_fmt_pct(v[key][m]) for m in methods) + " |"
                )
        sec = g["seconds_per_frame"]
        lines.append("| s per frame | " + " | ".join(_f2(sec.get(m)) for m in methods) + " |")
        lines += [
            "",
            f"ARISE whole-frame classify: {_f2(sec.get('arise_frame'))} s per frame; MD "
            f"(made or loaded from the cache): {_f2(sec.get('md'))} s per frame.",
            "",
        ]
    return "\n".join(lines)


def _f3(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _f2(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def plot_accuracy(run: MDRun, path) -> Path:
    """Per-atom accuracy (%) vs T/T_m, one panel per lattice, a line per method and system (main set
    solid, held-back dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lattices = [
        lat
        for lat in METHOD_COVERS["arise"]
        if any(r["spec"]["lattice"] == lat and r["spec"]["kind"] == "crystal" for r in run.records)
    ]
    fig, axes = plt.subplots(
        1, max(1, len(lattices)), figsize=(4.2 * max(1, len(lattices)), 3.8), squeeze=False
    )
    colors = {m: f"C{k}" for k, m in enumerate(_methods(run))}
    for ax, lattice in zip(axes[0], lattices, strict=False):
        systems = list(
            dict.fromkeys(
                (r["spec"]["group"], r["spec"]["element"], r["spec"]["potential"])
                for r in run.records
                if r["spec"]["lattice"] == lattice
            )
        )
        for m in _methods(run):
            if lattice not in METHOD_COVERS[m]:
                continue
            for k, (group, el, pot) in enumerate(systems):
                pts = sorted(
                    (r["spec"]["t_over_tm"], r["methods"][m]["accuracy"])
                    for r in run.records
                    if r["spec"]["kind"] == "crystal"
                    and r["spec"]["element"] == el
                    and r["spec"]["potential"] == pot
                    and r["methods"].get(m, {}).get("accuracy") is not None
                )
                if not pts:
                    continue
                x, y = np.array(pts).T
                ax.plot(
                    x,
                    100 * y,
                    ("-" if group == "main" else "--"),
                    marker="osD^v<>"[k % 7],
                    ms=3,
                    color=colors[m],
                    label=f"{METHOD_TITLES[m]} {el}/{pot}",
                )
        ax.axvline(1.0, color="0.6", lw=0.8)
        ax.set_title(lattice)
        ax.set_xlabel("T / T_m")
        ax.set_ylim(-2, 102)
        ax.legend(fontsize=5, loc="lower left")
    axes[0][0].set_ylabel("per-atom accuracy (%)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=140)
    plt.close(fig)
    return path


def plot_roc(run: MDRun, path, summ: dict[str, Any] | None = None) -> Path:
    """ROC of ARISE's per-atom disorder score per set (with AUROC) and the fraction of liquid/glass
    atoms given each method's disorder verdict."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summ = summary(run) if summ is None else summ
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    for group, g in summ.items():
        roc = np.array(g["roc_atom_disorder_score"])
        ax.plot(
            roc[:, 0],
            roc[:, 1],
            label=f"{group}: AUROC {_f3(g['auroc_atom_disorder_score'])} (MI {_f3(g['auroc_atom_mi'])})",
        )
    ax.plot([0, 1], [0, 1], color="0.7", lw=0.8, ls=":")
    ax.set_xlabel("false-positive rate (crystal atoms, T <= T_m)")
    ax.set_ylabel("true-positive rate (liquid + glass atoms)")
    ax.set_title("ARISE disorder score, per atom (SPM)")
    ax.legend(fontsize=7, loc="lower right")
    methods = _methods(run)
    groups = list(summ)
    width = 0.8 / max(1, len(groups))
    for k, group in enumerate(groups):
        vals = [summ[group]["verdict_fraction_liquid_glass"][m] for m in methods]
        bx.bar(np.arange(len(methods)) + k * width, [100 * (v or 0) for v in vals], width, label=group)
    bx.set_xticks(
        np.arange(len(methods)) + 0.4 - width / 2,
        [METHOD_TITLES[m] for m in methods],
        rotation=30,
        fontsize=7,
        ha="right",
    )
    bx.set_ylabel("liquid/glass atoms given the verdict (%)")
    bx.set_ylim(0, 102)
    bx.legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=140)
    plt.close(fig)
    return path


def write_report(run: MDRun, out_dir, plots: bool = True) -> dict[str, Path]:
    """Write md.json, md.md, md_atoms.npz and (``plots``) md_accuracy.png and md_roc.png."""
    from arisekit.benchmark.report import machine_description

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summ = summary(run) if run.records else {}
    data = {
        "benchmark": "md",
        "settings": settings_dict(run.settings),
        "model": run.model,
        "n_classes": len(run.class_names),
        "has_disordered_class": "disordered" in run.class_names,
        "machine": machine_description(),
        "melting_points": run.melting_points,
        "notes": run.notes,
        "seconds_md_total": run.seconds_md,
        "seconds_total": run.seconds_total,
        "summary": summ,
        "frames": run.records,
    }
    paths = {"json": out / "md.json", "markdown": out / "md.md", "atoms": out / "md_atoms.npz"}
    write_json(paths["json"], data, default=json_default_str)
    paths["markdown"].write_text(markdown_report(run, summ))
    arrays = {
        f"{r['name']}__{k}": np.asarray(v, dtype=float)
        for r, a in zip(run.records, run.arrays, strict=True)
        for k, v in a.items()
    }
    np.savez_compressed(paths["atoms"], **arrays)
    if plots and run.records:
        paths["accuracy_plot"] = plot_accuracy(run, out / "md_accuracy.png")
        paths["roc_plot"] = plot_roc(run, out / "md_roc.png", summ)
    return paths


def markdown_report(run: MDRun, summ: dict[str, Any] | None = None) -> str:
    """The whole markdown report: settings, melting points, notes, headline numbers, per-frame tables."""
    from arisekit.model.uncertainty import DISORDERED_CLASS

    s = run.settings
    has = DISORDERED_CLASS in run.class_names
    verdict_note = (
        "yes" if has else "no - the disorder verdict is never given; the disorder score still ranks"
    )
    lines = [
        "# MD benchmark: thermal crystals, liquids and glasses",
        "",
        f"Model: {run.model} ({len(run.class_names)} classes; disordered class: {verdict_note}). "
        f"SPM {s.box_size:g} Å boxes, "
        f"{s.stride:g} Å stride, {s.n_samples} MC passes; ~{s.n_atoms} atoms per frame, periodic.",
        "Per-atom accuracy (%): crystal atoms right when named their lattice class, liquid/glass atoms when "
        "given the method's disorder verdict (ARISE: the disordered class; OVITO: Other). '-': the method "
        "is not designed for this element's lattice.",
        "",
        "| system | T_m (K) | status | source |",
        "|---|---|---|---|",
        *(
            f"| {m['element']}/{m['potential']} | {m['T_m']:g} | {m['status']} | {m['source']} |"
            for m in run.melting_points
        ),
        "",
    ]
    if run.notes:
        lines += ["Notes:", *(f"- {n}" for n in run.notes), ""]
    if run.records:
        lines += ["## Summary", "", summary_markdown(run, summ), "## Frames", "", table_markdown(run)]
    return "\n".join(lines)
